"""The web application over the review queue: Starlette, Jinja2 templates, plain forms.

Every page needs a logged-in moderator (a session cookie: HttpOnly, SameSite=Strict, Secure off
loopback); every state-changing form carries the session's CSRF token; the API under ``/api``
takes ``Authorization: Bearer TOKEN`` only. Every response carries a strict Content-Security-Policy
(scripts and styles from this server's ``/static`` only, nothing inline) and, except the static
files, ``Cache-Control: no-store``.
"""
from __future__ import annotations

import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse, RedirectResponse
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from ..moderation.queue import ReviewQueue
from .auth import Users

HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "discourse_session"
LOGIN_COOKIE = "discourse_login"

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class Store:
    """One queue and one accounts connection per worker thread, on the same database file."""

    def __init__(self, db: Path):
        self.db = Path(db)
        ReviewQueue(self.db).close()  # creates or upgrades the tables once
        Users(self.db).close()
        self._local = threading.local()

    @property
    def queue(self) -> ReviewQueue:
        if not hasattr(self._local, "queue"):
            self._local.queue = ReviewQueue(self.db, create=False)
        return self._local.queue

    @property
    def users(self) -> Users:
        if not hasattr(self._local, "users"):
            self._local.users = Users(self.db)
        return self._local.users


class SecurityHeaders:
    """Adds the headers above to every response, and ``no-store`` to all but the static files."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() != b"cache-control"]
                headers += HEADERS
                headers.append((b"cache-control", b"private, max-age=300" if static else b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]"]


def create_app(db: str | Path, secure_cookies: bool = False, allowed_hosts: list[str] | None = None) -> Starlette:
    """The application over the queue database ``db`` (created if missing). ``allowed_hosts``
    limits the Host header (on loopback: against DNS rebinding from a web page)."""
    from . import api, pages

    store = Store(Path(db))
    routes = [
        *pages.routes(),
        *api.routes(),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={404: _not_found})
    app.state.store = store
    app.state.secure_cookies = secure_cookies
    app.state.login_failures = {}  # name -> times of recent failed log-ins
    app.add_middleware(SecurityHeaders)
    if allowed_hosts:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts)
    return app


async def _not_found(request, exc):
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": "not found"}, status_code=404)
    from .pages import user_or_none

    if await user_or_none(request) is None:  # nothing tells a stranger what exists
        return RedirectResponse("/login", status_code=303)
    from .pages import render

    return render(request, "message.html", {"title": "Not found", "message": "There is no such page or item."},
                  status=404)
