"""The web server: every channel's webhook, the browser chat, the officers' dashboard and the health check."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.browser import MESSAGES_PATH, STATIC, BrowserChannel
from bot.channels import CHANNELS, Door
from bot.mailbox import Mailboxes
from bot.settings import Settings
from dashboard.app import PATH as DASHBOARD_PATH
from dashboard.app import create_dashboard
from flows.conversation import Conversations
from store.db import Database
from store.migrate import current_revision, head_revision
from store.models import utcnow

log = logging.getLogger(__name__)


def open_channels(settings: Settings, database: Database, mailboxes: Mailboxes) -> dict[str, Door]:
    """The doors of the channels whose settings are there, by channel name; the others are off."""
    return {channel.CHANNEL: channel.door(settings, database, mailboxes)
            for channel in CHANNELS if not channel.missing(settings)}


def describe(settings: Settings) -> list[str]:
    """One line per channel saying whether it is on, and if not, what it still needs; then what the channels on add."""
    lines = []
    for channel in CHANNELS:
        missing = channel.missing(settings)
        lines.append(f"{channel.TITLE}: " + ("on" if not missing else f"off (set {', '.join(missing)} to turn it on)"))
    return lines + [f"{channel.TITLE}: {caveat}" for channel in CHANNELS if not channel.missing(settings)
                    for caveat in channel.caveats(settings)]


def create_app(settings: Settings, database: Database | None = None, polling: bool = False,
               clock: Callable[[], datetime] = utcnow) -> Starlette:
    """The ASGI app; it opens the channels, and the database unless given one, for its lifetime.

    `clock` is what every door reads as now (the chats and the dashboard alike): tests move it by hand.
    """
    owns_database = database is None
    database = database or Database(settings.database_url)
    mailboxes = Mailboxes(Conversations(database, clock, dashboard_url=settings.dashboard_url,
                                             office=settings.office))
    secure_cookie = settings.public_base_url.startswith("https://")
    browser = BrowserChannel(mailboxes, secure_cookie=secure_cookie)
    channels = open_channels(settings, database, mailboxes)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for line in describe(settings):
            log.warning(line)
        for door in channels.values():
            await door.start(polling)
        try:
            yield
        finally:
            for door in channels.values():
                await door.stop()
            if owns_database:
                database.dispose()

    head = head_revision()

    async def healthz(_request: Request) -> Response:
        """GET /healthz: 200 when the database answers and is migrated to this code's schema, else 503."""
        try:
            revision = await asyncio.to_thread(_schema_revision, database)
        except Exception as error:  # noqa: BLE001 - any failure to reach the database is "unhealthy"
            log.error("health check failed: %r", error)
            return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
        if revision != head:
            return JSONResponse({"status": "unavailable", "database": f"schema {revision}, expected {head}"},
                                status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/", browser.chat_page, methods=["GET"]),
        Route(MESSAGES_PATH, browser.message, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount(DASHBOARD_PATH, create_dashboard(database, clock, secure_cookie=secure_cookie,
                                               template_category=settings.whatsapp_template_category)),
        *(route for door in channels.values() for route in door.routes()),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.mailboxes = mailboxes  # every door's, for the tests to reach the conversations behind them
    app.state.channels = channels
    return app


def _schema_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return current_revision(connection)
