"""Logging in with a one-time link, and out.

Chat apps open links to show a preview, so following a link only shows a button: the link is used
when the officer presses it (a POST), never by a preview's GET.
"""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dashboard.access import SESSION_TOKEN, officer_page
from dashboard.pages import render
from dashboard.work import read, write
from store.logins import Viewer


async def how_to_log_in(request: Request) -> Response:
    """GET /admin/login: how an officer gets a link (write "masuk" to the bot)."""
    return render(request, "login.html")


async def login_link(request: Request) -> Response:
    """GET /admin/login/{token}: a button that uses the link, or why the link no longer works."""
    token = request.path_params["token"]
    officer = await read(request, lambda registry: registry.logins.link_officer(token))
    if officer is None:
        return render(request, "login_gone.html", status_code=410)
    return render(request, "login_link.html", officer=officer)


def same_origin(request: Request) -> bool:
    """Whether the browser says the request comes from the dashboard's own page, not from another site's form.

    The button's form has no CSRF token (there is no session yet), so another site's form could otherwise log
    an officer into the sender's session. Browsers say where a request comes from in Sec-Fetch-Site, older ones
    in Origin; a request with neither is no browser's cross-site form.
    """
    fetched_from = request.headers.get("sec-fetch-site")
    if fetched_from is not None:
        return fetched_from == "same-origin"
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.url.netloc}"


async def use_login_link(request: Request) -> Response:
    """POST /admin/login/{token}: use the link once, open a session, and go to the overview."""
    if not same_origin(request):
        raise HTTPException(403)
    token = request.path_params["token"]
    session_token = await write(request, lambda registry: registry.logins.use_link(token))
    if session_token is None:
        return render(request, "login_gone.html", status_code=410)
    request.session.clear()
    request.session[SESSION_TOKEN] = session_token
    return RedirectResponse("/admin/", status_code=303)


@officer_page
async def log_out(request: Request, viewer: Viewer) -> Response:
    """POST /admin/logout: end the session here and in the registry."""
    await write(request, lambda registry: registry.logins.end(viewer))
    request.session.clear()
    return RedirectResponse("/admin/login", status_code=303)


routes = [
    Route("/login", how_to_log_in, methods=["GET"]),
    Route("/login/{token}", login_link, methods=["GET"]),
    Route("/login/{token}", use_login_link, methods=["POST"]),
    Route("/logout", log_out, methods=["POST"]),
]
