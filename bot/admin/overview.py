"""The overview: how many are registered, where, what kind, since when, how they assess, how programmes fill."""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.admin.access import officer_page
from bot.admin.pages import render
from store.logins import Viewer


@officer_page
async def show_overview(request: Request, viewer: Viewer) -> Response:
    """GET /admin: the overview of the viewer's scope."""
    return render(request, "overview.html", viewer)


routes = [Route("/", show_overview, methods=["GET"])]
