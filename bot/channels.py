"""The chat channels of providers: the server opens their doors (bot/app.py), the worker sends through them.

Each is one module (bot/telegram.py, bot/whatsapp.py, bot/whatsapp_cloud.py) offering the same few
names, `Channel` below; adding a channel is one more such module and its entry in CHANNELS. WhatsApp's
two providers are two modules of one channel, and WHATSAPP_PROVIDER turns exactly one of them on. The browser and terminal chats
are not here: they need no settings, and nobody can be written to first on them.
"""

from typing import Protocol

from starlette.routing import Route

from bot import telegram, whatsapp, whatsapp_cloud
from bot.delivery import Outbound
from bot.mailbox import Mailboxes
from bot.settings import Settings
from store.db import Database


class Door(Protocol):
    """A channel's side of the web server: its webhooks, and what it does as the server starts and stops."""

    def routes(self) -> list[Route]: ...

    async def start(self, polling: bool) -> None: ...

    async def stop(self) -> None: ...


class Channel(Outbound, Protocol):
    """A channel module: the courier's part (CHANNEL, its name in domain.channels; missing; outbox_sender), and
    the server's."""

    TITLE: str  # the channel's name as the server's lines at start write it

    def caveats(self, settings: Settings) -> list[str]: ...

    def door(self, settings: Settings, database: Database, mailboxes: Mailboxes) -> Door: ...


CHANNELS: tuple[Channel, ...] = (telegram, whatsapp, whatsapp_cloud)
