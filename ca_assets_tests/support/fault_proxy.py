"""A real HTTP proxy in front of an OpenAI-compatible server that injects faults on a deterministic plan, and
records every request it saw and what it did with it, so tests can tell client retries (the same body again)
from sampler retries (a new seed, so a new body).

Faults: `rate_limited` (429, Retry-After: 0), `server_error` (500), `timeout` (no answer until after the
client gave up, then the connection closes), `truncated` (upstream's answer with its full Content-Length but
half its bytes, then the connection closes), `not_json` (a 200 whose body is an HTML page), `malformed`
(a 200 with a valid chat-completion envelope whose content is prose, not the JSON the NC sampler asked for)
and `echo_auth` (a 401 whose body repeats the Authorization header, as some servers do)."""

import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from ca_assets_tests.support.local_server import SERVED_MODEL, llama_cpp_server

TRANSIENT = ("rate_limited", "server_error", "timeout", "truncated")
MALFORMED_TEXT = "Sure! Here are four different views on that: first, it depends; second, ask a friend."
NOT_JSON_BODY = b"<html><body><h1>502 Bad Gateway</h1>upstream is warming up</body></html>"


@dataclass(frozen=True)
class Request:
    n: int  # arrival order, from 0
    digest: str  # sha256 of the body: a client retry sends the same bytes, a sampler retry a new seed
    repeat: int  # how many times this body was seen before
    prompt: str  # the last user message
    nc: bool  # asked for structured output, as only the NC sampler does
    authorization: str


@dataclass
class Seen:
    request: Request
    fault: str | None  # None: forwarded, and upstream's answer passed on untouched
    answer: str | None = None  # upstream's message content, when forwarded and answered 200
    seconds: float = 0.0  # how long upstream took, when forwarded: past the client's timeout, the client gave up


Plan = Callable[[Request], str | None]  # called once per request, under the proxy's lock


class FaultProxy:
    def __init__(self, upstream_base_url: str, plan: Plan, stall_seconds: float):
        parts = urlsplit(upstream_base_url)
        self.upstream = f"{parts.scheme}://{parts.netloc}"
        self.plan, self.stall_seconds = plan, stall_seconds
        self._lock = threading.Lock()
        self._counts: Counter = Counter()
        self._seen: list[Seen] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}{parts.path}"

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return sorted(self._seen, key=lambda s: s.request.n)

    def _arrive(self, body: bytes, authorization: str) -> Seen:
        digest = hashlib.sha256(body).hexdigest()
        payload = json.loads(body)
        prompt = next((m["content"] for m in reversed(payload.get("messages", [])) if m["role"] == "user"), "")
        # Under the lock: a plan may keep state, and requests arrive on several threads. Recorded on arrival, so
        # a stalled request is seen before it ends, and one whose client hung up still counts.
        with self._lock:
            request = Request(sum(self._counts.values()), digest, self._counts[digest], prompt,
                              "response_format" in payload, authorization)
            self._counts[digest] += 1
            seen = Seen(request, self.plan(request))
            self._seen.append(seen)
        return seen

    def _forward(self, path: str, body: bytes, headers) -> tuple[int, bytes]:
        forwarded = {k: v for k, v in headers.items() if k.lower() in ("content-type", "authorization")}
        upstream = urllib.request.Request(self.upstream + path, data=body, headers=forwarded, method="POST")
        try:
            with urllib.request.urlopen(upstream, timeout=300) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # the test's output is for assertions, not access logs
                pass

            def _send(self, status: int, body: bytes, content_type="application/json", extra=(), length=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for key, value in extra:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)
                self.wfile.flush()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                seen = proxy._arrive(body, self.headers.get("Authorization", ""))
                try:
                    self._act(seen, body)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (its own timeout) first
                    self.close_connection = True

            def _act(self, seen: Seen, body: bytes) -> None:
                fault, request = seen.fault, seen.request
                if fault == "rate_limited":
                    self._send(429, b'{"error": {"message": "slow down"}}', extra=[("Retry-After", "0")])
                elif fault == "server_error":
                    self._send(500, b'{"error": {"message": "internal error"}}')
                elif fault == "timeout":
                    time.sleep(proxy.stall_seconds)
                    self.close_connection = True
                elif fault == "truncated":
                    status, full = proxy._forward(self.path, body, self.headers)
                    self._send(status, full[: len(full) // 2], length=len(full))
                    self.close_connection = True
                elif fault == "not_json":
                    self._send(200, NOT_JSON_BODY, content_type="text/html")
                elif fault == "malformed":
                    self._send(200, json.dumps(_envelope(MALFORMED_TEXT)).encode())
                elif fault == "echo_auth":
                    message = f"invalid api key in header 'Authorization: {request.authorization}'"
                    self._send(401, json.dumps({"error": {"message": message}}).encode())
                elif fault is None:
                    started = time.monotonic()
                    status, full = proxy._forward(self.path, body, self.headers)
                    seen.seconds = time.monotonic() - started
                    if status == 200:
                        seen.answer = json.loads(full)["choices"][0]["message"]["content"]
                    self._send(status, full)
                else:
                    raise ValueError(f"unknown fault {fault!r}")

        return Handler


def _envelope(content: str) -> dict:
    return {
        "id": "chatcmpl-fault", "object": "chat.completion", "created": int(time.time()), "model": "fault-proxy",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


@contextmanager
def warm_llama_cpp_server() -> Iterator[str]:
    """The bundled model's llama.cpp server, after one completion: the first loads the model and can take
    longer than a test's client timeout on a busy machine."""
    with llama_cpp_server() as base_url:
        body = {"model": SERVED_MODEL, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 2}
        warm = urllib.request.Request(f"{base_url}/chat/completions", data=json.dumps(body).encode(),
                                      headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(warm, timeout=120):
            pass
        yield base_url


@contextmanager
def fault_proxy(upstream_base_url: str, plan: Plan, stall_seconds: float = 5.0) -> Iterator[FaultProxy]:
    """A running proxy; `base_url` mirrors the upstream's path (e.g. /v1). `stall_seconds` must exceed the
    client's timeout for `timeout` faults to be timeouts."""
    proxy = FaultProxy(upstream_base_url, plan, stall_seconds)
    thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.server.shutdown()
        proxy.server.server_close()
        thread.join()
