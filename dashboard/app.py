"""The dashboard as one Starlette app, mounted at /admin by bot/app.py."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboard import (
    announcements,
    exports,
    knowledge,
    login,
    overview,
    problems,
    programmes,
    progress,
    questions,
    registrations,
    surveys,
)
from dashboard.access import viewer_of
from dashboard.pages import STATIC, render
from store.db import Database
from store.logins import SESSION_LIFETIME

PATH = "/admin"
COOKIE = "tabe_admin"
# Pages hold personal data: never cached, never framed, and no script but our own files (an owner's name that
# slipped past escaping still could not run); login links never leak through a Referer.
HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", b"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                 b"img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"),
]


class SecurityHeaders:
    """Add HEADERS to every response of the dashboard."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)
        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


async def _refused(request: Request, error: Exception) -> Response:
    """An error as a page in the dashboard's words: never a stack trace, never the framework's English."""
    status = error.status_code if isinstance(error, HTTPException) else 500
    viewer = await viewer_of(request) if status != 500 else None
    return render(request, "error.html", viewer, status_code=status, status=status)


class RegistrySignedSessions:
    """Starlette's signed-cookie sessions, keyed with the registry's own cookie key, read at the first request:
    the server must start (and say it is unhealthy) even when the database is not there yet."""

    def __init__(self, app: ASGIApp, database: Database, **options: Any) -> None:  # noqa: ANN401 - SessionMiddleware's
        self.app, self.database, self.options = app, database, options
        self.sessions: SessionMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.sessions is None:
            key = await run_in_threadpool(self._key)
            self.sessions = SessionMiddleware(self.app, secret_key=key, **self.options)
        await self.sessions(scope, receive, send)

    def _key(self) -> str:
        with self.database.transaction() as registry:
            return registry.logins.cookie_key()


def create_dashboard(database: Database, clock: Callable[[], datetime], secure_cookie: bool,
                     template_category: str) -> Starlette:
    """The dashboard app on this registry, reading `clock` as now; its cookie is signed with the registry's own key.
    `template_category` is the category of WhatsApp's approved template (settings'), which previews name."""
    routes = [*login.routes, *overview.routes, *registrations.routes, *exports.routes, *programmes.routes,
              *announcements.routes, *surveys.routes, *questions.routes, *knowledge.routes, *problems.routes, *progress.routes, Mount("/static", StaticFiles(directory=STATIC), name="admin_static")]
    middleware = [Middleware(SecurityHeaders),
                  Middleware(RegistrySignedSessions, database=database, session_cookie=COOKIE, path=PATH,
                             max_age=int(SESSION_LIFETIME.total_seconds()), same_site="strict",
                             https_only=secure_cookie)]
    app = Starlette(routes=routes, middleware=middleware,
                    exception_handlers={HTTPException: _refused, Exception: _refused})
    app.state.database = database
    app.state.clock = clock
    app.state.template_category = template_category
    return app
