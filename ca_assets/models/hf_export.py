"""Convert a GGUF chat model into a Hugging Face folder that vLLM can load (vLLM cannot read GGUF).

    ca-assets export-vllm-model OUT_DIR [--gguf PATH]

Runs in the vLLM environment (it needs transformers, gguf and accelerate). The weights are dequantised to
float32: the folder is about 5x the GGUF (the bundled SmolLM2-135M: 98 MB -> ~520 MB). Written to a temporary
folder and renamed at the end, so an interrupted conversion never leaves a half model behind.
"""

import shutil
import time
from pathlib import Path

from ca_assets.models.generation import bundled_gguf


def export(gguf: Path, out: Path) -> Path:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if (out / "config.json").is_file():
        return out
    tmp = out.with_name(out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name)
    # The loaded weights are already dequantised; without this, save_pretrained records a GGUF
    # quantisation that vLLM would then try (and fail) to apply to plain tensors.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    tmp.rename(out)
    return out



def export_model(out: Path, gguf: Path | None = None) -> Path:
    """`ca-assets export-vllm-model`: `export` with the bundled GGUF by default, timed."""
    started = time.perf_counter()
    export(gguf or bundled_gguf(), out)
    print(f"{out} ready ({time.perf_counter() - started:.0f}s)")
    return out
