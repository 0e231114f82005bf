import os
from pathlib import Path

import pytest

from ca_assets.lib.paths import PROJECT_ROOT

# vLLM on CPU: a small KV cache (GiB); the default would reserve a large share of the machine's memory.
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The bundled GGUF converted to a Hugging Face folder by `make install-vllm`."""
    folder = Path(os.environ.get("CA_VLLM_MODEL", PROJECT_ROOT / ".venv-vllm" / "models" / "smollm2-135m"))
    if not (folder / "config.json").is_file():
        pytest.fail(f"no converted model at {folder}: run `make install-vllm` (or python -m ca_assets.lib.hf_export {folder})")
    return folder

