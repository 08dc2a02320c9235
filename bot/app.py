"""The web server: every channel's webhook, the browser chat, the officers' dashboard and the health check."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import telegram, whatsapp
from bot.browser import MESSAGES_PATH, STATIC, BrowserChannel
from bot.mailbox import Mailboxes
from bot.settings import Settings
from bot.telegram import TelegramChannel
from bot.whatsapp import WhatsAppChannel
from dashboard.app import PATH as DASHBOARD_PATH
from dashboard.app import create_dashboard
from flows.conversation import Conversations
from store.db import Database
from store.migrate import current_revision, head_revision
from store.models import utcnow

log = logging.getLogger(__name__)


@dataclass
class Channels:
    """The doors this server opens; a channel whose settings are missing stays None (off)."""

    browser: BrowserChannel
    telegram: TelegramChannel | None
    whatsapp: WhatsAppChannel | None


def open_channels(settings: Settings, database: Database, conversations: Conversations) -> Channels:
    mailboxes = Mailboxes(conversations)
    telegram_on = not settings.telegram_missing()
    whatsapp_on = not settings.whatsapp_missing()
    return Channels(
        browser=BrowserChannel(mailboxes, secure_cookie=settings.public_base_url.startswith("https://")),
        telegram=TelegramChannel(settings, database, mailboxes) if telegram_on else None,
        whatsapp=WhatsAppChannel(settings, database, mailboxes) if whatsapp_on else None,
    )


def describe(settings: Settings) -> list[str]:
    """One line per channel saying whether it is on, and if not, what it still needs."""
    lines = []
    for name, missing in (("Telegram", settings.telegram_missing()), ("WhatsApp", settings.whatsapp_missing())):
        lines.append(f"{name}: " + ("on" if not missing else f"off (set {', '.join(missing)} to turn it on)"))
    if not settings.telegram_missing() and not settings.telegram_webhook_secret:
        lines.append("Telegram: TELEGRAM_WEBHOOK_SECRET is not set, so the webhook refuses every update "
                     "(use `tabe serve --polling` locally)")
    return lines


def create_app(settings: Settings, database: Database | None = None, polling: bool = False,
               clock: Callable[[], datetime] = utcnow) -> Starlette:
    """The ASGI app; it opens the channels, and the database unless given one, for its lifetime.

    `clock` is what every door reads as now (the chats and the dashboard alike): tests move it by hand.
    """
    owns_database = database is None
    database = database or Database(settings.database_url)
    channels = open_channels(settings, database, Conversations(database, clock, dashboard_url=settings.dashboard_url))

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        for line in describe(settings):
            log.warning(line)
        polling_task = None
        if channels.telegram is not None:
            await channels.telegram.start()
            if polling:
                polling_task = asyncio.create_task(channels.telegram.poll())
        try:
            yield
        finally:
            if polling_task is not None:
                polling_task.cancel()
            if channels.telegram is not None:
                await channels.telegram.stop()
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
        Route("/", channels.browser.chat_page, methods=["GET"]),
        Route(MESSAGES_PATH, channels.browser.message, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Mount(DASHBOARD_PATH, create_dashboard(database, clock, secure_cookie=settings.public_base_url.startswith("https://"))),
    ]
    if channels.telegram is not None:
        routes.append(Route(telegram.WEBHOOK_PATH, channels.telegram.webhook, methods=["POST"]))
    if channels.whatsapp is not None:
        routes.append(Route(whatsapp.WEBHOOK_PATH, channels.whatsapp.webhook, methods=["POST"]))
        routes.append(Route(whatsapp.STATUS_PATH, channels.whatsapp.status, methods=["POST"]))
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.channels = channels
    return app


def _schema_revision(database: Database) -> str | None:
    with database.engine.connect() as connection:
        return current_revision(connection)
