"""The in-process vLLM backend as the tests configure it."""

from pathlib import Path

from ca_assets.models.generation import Generator


def vllm_generator(model_dir: Path, **overrides) -> Generator:
    # enforce_eager: torch.compile takes minutes on a CPU; context_length: a small KV cache is enough here.
    return Generator(backend="vllm", model=str(model_dir), enforce_eager=True, context_length=1024, **overrides)
