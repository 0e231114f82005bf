"""Start llama.cpp's OpenAI-compatible server on 127.0.0.1 for the bundled (or any) GGUF: what the tests and
benchmarks point the `openai` backend at, and a quick way for a user to try that backend offline."""

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ca_assets.lib.generation import bundled_gguf

SERVED_MODEL = "smollm2-135m"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def llama_cpp_server(model_path: Path | None = None, startup_seconds: float = 90) -> Iterator[str]:
    """Yield the server's /v1 base URL once it answers; stop it on exit."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path or bundled_gguf()),
         "--model_alias", SERVED_MODEL, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
         "--verbose", "False"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    process.kill()
                    raise RuntimeError(f"llama.cpp server did not start: {process.stderr.read().decode()[-2000:]}")
                time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
