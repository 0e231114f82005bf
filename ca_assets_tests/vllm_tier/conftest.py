import os
from pathlib import Path

import pytest

# vLLM on CPU: a small KV cache (GiB); the default would reserve a large share of the machine's memory.
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")
CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The bundled GGUF converted to a Hugging Face folder by `make install-vllm`."""
    folder = Path(os.environ.get("CA_VLLM_MODEL", CHECKOUT / ".venv-vllm" / "models" / "smollm2-135m"))
    if not (folder / "config.json").is_file():
        pytest.fail(f"no converted model at {folder}: run `make install-vllm` (or ca-assets export-vllm-model {folder})")
    return folder

