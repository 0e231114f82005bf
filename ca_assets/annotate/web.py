"""What every page of the annotation app shares: its response headers, the per-link rate limit, and the refusals
the app answers with (404 for anything not the caller's, 403 for a forged form, 413, 429, a closed study)."""

import threading
import time
from collections import defaultdict, deque

RATE_WINDOW_SECONDS, RATE_MAX_REQUESTS = 60, 120  # per link: a person clicks far less; a script is slowed down
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "Referrer-Policy": "no-referrer",  # the link's token must not leak to another site
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class RateLimit:
    def __init__(self):
        self._seen: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        cutoff = time.monotonic() - RATE_WINDOW_SECONDS
        with self._lock:
            seen = self._seen[key]
            while seen and seen[0] < cutoff:
                seen.popleft()
            if len(seen) >= RATE_MAX_REQUESTS:
                return False
            seen.append(time.monotonic())
            return True


class NotYours(Exception):
    """A request for something that is not this annotator's current step: answered 404, saying nothing more."""


class RateLimited(Exception):
    pass


class TooLarge(Exception):
    pass


class BadCsrf(Exception):
    pass


class StudyClosed(Exception):
    pass
