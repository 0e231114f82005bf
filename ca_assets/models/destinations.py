"""Where a run may send requests and keys: decided by the deployment's environment, never by run config.

Whoever can launch a run (the UI has no login) can set a generator's `base_url` and `api_key_env`. Without these
rules a launch could point `base_url` at their own listener and `api_key_env` at any variable (cloud
credentials, a database password) and receive it as a Bearer token. So:

- `CA_API_KEYS` binds each variable that may be sent to the hosts it may be sent to, e.g.
  `OPENAI_API_KEY=api.openai.com VLLM_KEY=gpu-1.internal:8000,gpu-2.internal:8000` (entries separated by
  spaces or `;`, hosts by `,`, a port optional). A variable that is not bound to the request's host is never
  read: the request goes without a key (and a server that needs one answers 401).
- Requests go only to loopback (127.0.0.1, ::1, localhost), the hosts of `CA_API_KEYS`, and the hosts listed in
  `CA_ALLOWED_HOSTS` (same `host[:port]` form, separated by spaces, `,` or `;`). Other hosts stop the run.
- A `base_url` carrying credentials (`https://user:key@host/v1`) is refused: keys come from variables.
"""

import os
import re
from urllib.parse import urlsplit

API_KEYS_ENV = "CA_API_KEYS"
ALLOWED_HOSTS_ENV = "CA_ALLOWED_HOSTS"
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})
# A secret echoed in part (a server printing "sk-abc1...") is still a leak: every run of at least this many of
# its characters is masked. Shorter runs match ordinary text too often to mean anything.
MIN_SECRET_RUN = 6
_SPLIT = re.compile(r"[\s;]+")

Host = tuple[str, int | None]  # (lower-case host name, port or None for any port)


def _host(text: str) -> Host:
    parts = urlsplit(f"//{text.strip()}")
    if not parts.hostname:
        raise ValueError(f"{text!r} is not a host[:port]")
    return parts.hostname.lower(), parts.port


def key_bindings() -> dict[str, list[Host]]:
    """CA_API_KEYS as {variable: hosts it may be sent to}."""
    bindings: dict[str, list[Host]] = {}
    for entry in filter(None, _SPLIT.split(os.environ.get(API_KEYS_ENV, ""))):
        name, sep, hosts = entry.partition("=")
        if not sep or not name or not hosts:
            raise ValueError(f"{API_KEYS_ENV} entry {entry!r} is not VARIABLE=host[:port][,host[:port]...]")
        bindings.setdefault(name, []).extend(_host(h) for h in hosts.split(",") if h)
    return bindings


def allowed_hosts() -> list[Host]:
    listed = [_host(h) for h in re.split(r"[\s,;]+", os.environ.get(ALLOWED_HOSTS_ENV, "")) if h]
    return listed + [host for hosts in key_bindings().values() for host in hosts]


def _matches(host: str, port: int, allowed: list[Host]) -> bool:
    return any(host == name and (want is None or port == want) for name, want in allowed)


def endpoint(base_url: str) -> str:
    """A server's URL as the generation cache names it: scheme, host (lower case), port, and the path without a
    final slash; credentials, query and fragment are not part of it."""
    parts = urlsplit(base_url.strip())
    scheme = parts.scheme.lower()
    return f"{scheme}://{(parts.hostname or '').lower()}:{_port(parts)}{parts.path.rstrip('/')}"


def _port(parts) -> int:
    return parts.port or {"http": 80, "https": 443}.get(parts.scheme.lower(), 0)


def endpoint_of(base_url: str) -> tuple[str, int]:
    """(host, port) of a server URL this deployment may send requests to; ValueError otherwise."""
    parts = urlsplit(base_url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"generator.base_url must be an http(s) URL, got {base_url!r}")
    if parts.username or parts.password:
        raise ValueError(
            "generator.base_url carries credentials (user:key@host); put the key in an environment variable, "
            f"bind it to the host with {API_KEYS_ENV}, and name it in generator.api_key_env"
        )
    host, port = parts.hostname.lower(), _port(parts)
    if host not in LOOPBACK and not _matches(host, port, allowed_hosts()):
        raise ValueError(
            f"generator.base_url points at {host}:{port}, which this deployment does not allow: list it in "
            f"{ALLOWED_HOSTS_ENV} (or bind a key to it in {API_KEYS_ENV}) in the environment of the Dagster "
            "processes; loopback is always allowed"
        )
    return host, port


def api_key(variable: str, base_url: str) -> str | None:
    """The key to send to base_url: the variable's value when CA_API_KEYS binds it to that host, else None."""
    host, port = endpoint_of(base_url)
    if not variable or not _matches(host, port, key_bindings().get(variable, [])):
        return None
    return os.environ.get(variable) or None


def redact(message: str, secret: str | None) -> str:
    """message with every run of MIN_SECRET_RUN or more characters of the secret replaced by ***."""
    if not secret:
        return message
    if len(secret) < MIN_SECRET_RUN:
        return message.replace(secret, "***")
    grams = {secret[i : i + MIN_SECRET_RUN] for i in range(len(secret) - MIN_SECRET_RUN + 1)}
    out, i = [], 0
    while i < len(message):
        if message[i : i + MIN_SECRET_RUN] in grams:
            end = i + MIN_SECRET_RUN
            while end < len(message) and message[i : end + 1] in secret:
                end += 1
            out.append("***")
            i = end
        else:
            out.append(message[i])
            i += 1
    return "".join(out)
