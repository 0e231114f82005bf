"""The openai backend's API key goes only where the deployment binds it (CA_API_KEYS), whatever a run's config
names; a run config cannot point requests at a host the deployment does not allow. And the key must leave no
trace: not in the output of a real `dg launch`, not in any file of its data directory (DuckDB, Dagster's
storage and compute logs, the response cache), not in the run's events. The proxy in front of the server
proves the key was sent, and echoes it back in a 401 body for one prompt, as some servers do, so the
redaction of error text is exercised too."""

import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ca_assets.core.duckdb import DuckDB
from ca_assets.models.destinations import redact
from ca_assets.models.generation import ChatRequest, GenerationError, Generator, ResponseCache
from ca_assets_tests.support.fault_proxy import Request, fault_proxy, warm_llama_cpp_server
from ca_assets_tests.support.generation_run import TWO_LANGUAGES_LAUNCH
from ca_assets_tests.support.local_server import SERVED_MODEL, free_port

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
DG = Path(sys.executable).with_name("dg")
KEY_ENV = "CA_TEST_API_KEY"


class EchoForOnePrompt:
    """A 401 that repeats the Authorization header for every request of the first prompt seen."""

    def __init__(self):
        self.prompt = None

    def __call__(self, request: Request) -> str | None:
        self.prompt = self.prompt or request.prompt
        return "echo_auth" if request.prompt == self.prompt else None


def test_api_key_is_used_but_never_stored_or_printed(tmp_path, monkeypatch):
    token = secrets.token_hex(16)
    secret = f"sk-ca-secret-{token}"
    data, home = tmp_path / "data", tmp_path / "data" / "dagster"
    home.mkdir(parents=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    # The deployment binds the variable to the loopback host (models/destinations.py): else it is never sent.
    env = {**os.environ, KEY_ENV: secret, "CA_API_KEYS": f"{KEY_ENV}=127.0.0.1", "CA_DATA_DIR": str(data),
           "DAGSTER_HOME": str(home), "VIRTUAL_ENV": str(Path(sys.executable).parents[1])}

    echo = EchoForOnePrompt()
    with warm_llama_cpp_server() as server, fault_proxy(server, echo) as proxy:
        config = tmp_path / "run_config.yaml"
        config.write_text(yaml.safe_dump({
            "ops": {"turn_1__generation": {"config": {"prompts_per_language": 1, "samplers": ["iid"]}}},
            "resources": {
                "sampling": {"config": {"max_words": 6, "max_tokens": 12}},
                "generator": {"config": {
                    "backend": "openai", "base_url": proxy.base_url, "model": SERVED_MODEL, "api_key_env": KEY_ENV,
                    "structured_output": "json_object_schema", "concurrency": 2, "max_retries": 1, "timeout_seconds": 60,
                }},
            },
        }))
        run = subprocess.run([str(DG), "launch", *TWO_LANGUAGES_LAUNCH, "--config", str(config)],
                             cwd=ROOT, env=env, capture_output=True, timeout=600)
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-4000:].decode(errors="replace")

    # The key was sent on every request, so the checks below are not passing for want of a key to leak.
    seen = proxy.seen
    assert seen and {s.request.authorization for s in seen} == {f"Bearer {secret}"}
    token_bytes = token.encode()  # the random part alone: a truncated or re-prefixed copy is a leak too
    with DuckDB(data_dir=str(data)).connect(read_only=True) as con:
        quarantined = con.sql(
            "select q.reason, q.raw_text from turn_1.generation_quarantine q join prompts p using (prompt_id) "
            "where p.text = ? and q.sampler = 'iid'", params=[echo.prompt]
        ).fetchall()
        # Decoded values too: DuckDB may compress strings on disk, where a byte search would miss them.
        tables = [f"{schema}.{name}" for schema, name in con.sql(
            "select table_schema, table_name from information_schema.tables").fetchall()]
        leaked_tables = [t for t in tables if token in str(con.table(t).fetchall())]
    # The echoed key reached the error text that quarantine stores, and was redacted there.
    [(reason, raw)] = quarantined
    assert reason == "request_failed" and "Bearer ***" in raw, raw
    assert "turn_1.generation_quarantine" in tables and leaked_tables == []

    assert token_bytes not in output
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(p.suffix == ".duckdb" for p in files) and any(p.parent.name == "compute_logs" for p in files)
    assert [str(p) for p in files if token_bytes in p.read_bytes()] == []

    monkeypatch.setenv("DAGSTER_HOME", str(home))
    from dagster import DagsterInstance, serialize_value

    with DagsterInstance.get() as instance:
        runs = instance.get_runs()
        events = [entry for run in runs for entry in instance.all_logs(run.run_id)]
        stored = serialize_value(runs) + "".join(serialize_value(e) for e in events)
    assert runs and any(e.dagster_event and e.dagster_event.is_step_materialization for e in events)
    assert token not in stored


SECRET = "sk-ca-unbound-0123456789abcdef"


def _sent_authorization(monkeypatch, tmp_path, api_key_env: str, bindings: str | None) -> str:
    """The Authorization header a request to a loopback listener carried, for this variable and CA_API_KEYS."""
    monkeypatch.setenv(api_key_env, SECRET)
    if bindings is None:
        monkeypatch.delenv("CA_API_KEYS", raising=False)
    else:
        monkeypatch.setenv("CA_API_KEYS", bindings)
    with fault_proxy(f"http://127.0.0.1:{free_port()}/v1", lambda request: "server_error") as listener:
        generator = Generator(backend="openai", base_url=listener.base_url, model=SERVED_MODEL, api_key_env=api_key_env,
                              max_retries=0, timeout_seconds=5)
        with pytest.raises(GenerationError):
            generator.complete(ChatRequest((("user", "hi"),), 0.0, 4, 0, "t"), ResponseCache(tmp_path))
    [seen] = listener.seen
    return seen.request.authorization


@pytest.mark.parametrize("bindings", [None, "CA_TEST_OTHER=127.0.0.1", "CA_TEST_CLOUD_SECRET=api.example.com",
                                      "CA_TEST_CLOUD_SECRET=127.0.0.1:1"])
def test_a_variable_the_deployment_did_not_bind_to_the_host_is_never_sent(monkeypatch, tmp_path, bindings):
    """What a hostile launch tries: api_key_env naming any variable, base_url pointing at its own listener."""
    assert _sent_authorization(monkeypatch, tmp_path, "CA_TEST_CLOUD_SECRET", bindings) == "Bearer not-needed"


def test_a_bound_variable_is_sent_to_its_host(monkeypatch, tmp_path):
    assert _sent_authorization(monkeypatch, tmp_path, "CA_TEST_CLOUD_SECRET", "CA_TEST_CLOUD_SECRET=127.0.0.1") == f"Bearer {SECRET}"


@pytest.mark.parametrize("base_url, message", [
    ("http://203.0.113.7:8000/v1", "203.0.113.7:8000, which this deployment does not allow"),
    ("https://user:sk-inline@127.0.0.1/v1", "carries credentials"),
    ("file:///etc/passwd", "must be an http(s) URL"),
])  # fmt: skip
def test_a_host_the_deployment_does_not_allow_stops_the_run(monkeypatch, tmp_path, base_url, message):
    monkeypatch.delenv("CA_ALLOWED_HOSTS", raising=False)
    monkeypatch.delenv("CA_API_KEYS", raising=False)
    generator = Generator(backend="openai", base_url=base_url, model=SERVED_MODEL, max_retries=0, timeout_seconds=2)
    with pytest.raises(ValueError, match=re.escape(message)):  # not a GenerationError: the run stops, nothing is quarantined
        generator.complete(ChatRequest((("user", "hi"),), 0.0, 4, 0, "t"), ResponseCache(tmp_path))
    monkeypatch.setenv("CA_ALLOWED_HOSTS", "203.0.113.7:8000")
    if "203.0.113.7" in base_url:  # allowed now: the request is sent (and, with nothing there, fails as a request)
        with pytest.raises(GenerationError):
            generator.model_copy().complete(ChatRequest((("user", "hi"),), 0.0, 4, 0, "t"), ResponseCache(tmp_path))


def test_error_text_masks_any_part_of_the_key():
    key = "sk-ca-secret-0123456789abcdef"
    echoed = f"401: invalid key {key[:12]}... (full: Bearer {key}); hint ...{key[-8:]}; other text 0123"
    masked = redact(echoed, key)
    assert all(key[i : i + 6] not in masked for i in range(len(key) - 5)), masked
    assert masked.startswith("401: invalid key ***") and masked.endswith("other text 0123")
