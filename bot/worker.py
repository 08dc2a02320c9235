"""The worker process (`tabe worker`): sends what nobody is waiting for. Nothing is queued for it yet."""

import asyncio
import logging
import signal

from sqlalchemy import text

from bot.settings import Settings
from store.db import Database

log = logging.getLogger(__name__)


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """Check the database, then wait for work until `stop` is set."""
    database = Database(settings.database_url)
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        log.warning("worker started; no outgoing messages are queued in this version, waiting to be stopped")
        await stop.wait()
    finally:
        database.dispose()
        log.warning("worker stopped")


def main(settings: Settings) -> None:
    """Run until SIGTERM (how platforms stop a process) or Ctrl-C."""

    async def until_signalled() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run(settings, stop)

    asyncio.run(until_signalled())
