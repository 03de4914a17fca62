"""Sessions, CSRF tokens, the login rate limit and the security headers of `pipeline serve`.

Pure Python, no web framework: app.py asks these questions of each request. Sessions are kept in
the server's memory (a restart logs everyone out); the cookie holds only a random token.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

SESSION_COOKIE = "pipeline_session"
SESSION_SECONDS = 12 * 3600
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
PREVIEW_CSP = (
    "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)
"""The edition preview: its own inline styles, no script at all (sandbox without allow-scripts)."""
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}
LOGIN_FAILURES = 5
LOGIN_WINDOW = 60.0


@dataclass
class Session:
    user: str
    csrf: str
    expires: float
    stamp: str = ""
    """The user's password hash at login: a new password (`users add --replace`) ends it."""


@dataclass
class SessionStore:
    """token → session; tokens are 256-bit random, compared by dictionary lookup of the token."""

    clock: Callable[[], float] = time.monotonic
    _sessions: dict[str, Session] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, user: str, stamp: str = "") -> str:
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions[token] = Session(
                user, secrets.token_urlsafe(32), self.clock() + SESSION_SECONDS, stamp
            )
        return token

    def get(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session is not None and session.expires < self.clock():
                del self._sessions[token]
                return None
            return session

    def end(self, token: str | None) -> None:
        with self._lock:
            self._sessions.pop(token or "", None)

    def end_user(self, user: str) -> None:
        """Log out every session of a user (removed or changed while the server runs)."""
        with self._lock:
            for token in [t for t, s in self._sessions.items() if s.user == user]:
                del self._sessions[token]


def csrf_ok(session: Session, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(session.csrf.encode(), (given or "").encode())


def same_origin(origin: str | None, referer: str | None, scheme: str, host: str) -> bool:
    """Whether a state-changing request comes from our own pages.

    Browsers send ``Origin`` with every POST; ``Referer`` stands in when a proxy strips it. A
    request with neither is refused: no page of ours sends one like that.
    """
    expected = f"{scheme}://{host}".lower()
    if origin and origin != "null":
        return origin.lower().rstrip("/") == expected
    if referer:
        parts = urlsplit(referer)
        return f"{parts.scheme}://{parts.netloc}".lower() == expected
    return False


@dataclass
class RateLimit:
    """At most `LOGIN_FAILURES` failed logins per `LOGIN_WINDOW` seconds per address and per
    user name; beyond that, login answers 429 without looking at the password."""

    clock: Callable[[], float] = time.monotonic
    failures: int = LOGIN_FAILURES
    window: float = LOGIN_WINDOW
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, address: str, name: str) -> bool:
        now = self.clock()
        with self._lock:
            keys = (f"ip:{address}", f"user:{name.lower()}")
            return any(len(self._recent(key, now)) >= self.failures for key in keys)

    def failed(self, address: str, name: str) -> None:
        now = self.clock()
        with self._lock:
            for key in (f"ip:{address}", f"user:{name.lower()}"):
                self._recent(key, now).append(now)
            if len(self._seen) > 10_000:  # forget quiet keys so the table cannot grow forever
                for key in [k for k, v in self._seen.items() if not self._recent(k, now)]:
                    del self._seen[key]
