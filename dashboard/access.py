"""Who is asking: the dashboard session behind the signed cookie, its scope, and its forms' CSRF token.

The cookie (Starlette's SessionMiddleware: signed, HttpOnly, SameSite=Strict, Secure over https)
carries only a random session token; the registry says whether that session is still open and whose
it is, so logging out or removing an officer shuts the door at once.
"""

import hmac
from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from dashboard.work import read
from store.logins import Viewer
from store.officers import PROVINCE

SESSION_TOKEN = "session"  # the key of the session token in the signed cookie
CSRF_FIELD = "csrf"  # every form's hidden field
LOGIN_PATH = "/admin/login"

Page = Callable[[Request, Viewer], Awaitable[Response]]


LARGEST_ID = 999_999_999  # the largest id a path or form may name; the registry's ids stay far below it


class RowId(Convertor[int]):
    """A row's id in a path, `{name:id}`: at most nine digits, so a longer number is simply not found (404)
    rather than a number the id columns (a PostgreSQL integer, SQLite's 64 bits) refuse."""

    regex = "[0-9]{1,9}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", RowId())


async def viewer_of(request: Request) -> Viewer | None:
    """The officer whose open session the cookie names, if any."""
    token = request.session.get(SESSION_TOKEN)
    if not isinstance(token, str):
        return None
    return await read(request, lambda registry: registry.logins.viewer(token))


def officer_page(handler: Page) -> Callable[[Request], Awaitable[Response]]:
    """Let only a logged-in officer in; a form must also carry their session's CSRF token.

    Without a session a page sends the browser to the login page, and anything else is refused (403).
    """
    @wraps(handler)
    async def endpoint(request: Request) -> Response:
        viewer = await viewer_of(request)
        if viewer is None:
            if request.method == "GET":
                return RedirectResponse(LOGIN_PATH, status_code=303)
            raise HTTPException(403)
        if request.method == "POST":
            form = await request.form()
            sent = form.get(CSRF_FIELD)
            if not isinstance(sent, str) or not hmac.compare_digest(sent, viewer.csrf_token):
                raise HTTPException(403)
        return await handler(request, viewer)
    return endpoint


def in_scope(viewer: Viewer, kabupaten_code: str | None) -> bool:
    """Whether a kabupaten/kota is the viewer's to see (a provincial officer sees every one)."""
    return viewer.scope == PROVINCE or kabupaten_code == viewer.scope


def require_scope(viewer: Viewer, kabupaten_code: str | None) -> None:
    """Refuse (403) a kabupaten/kota the viewer asked for by name that is not theirs."""
    if kabupaten_code and not in_scope(viewer, kabupaten_code):
        raise HTTPException(403)
