"""The worker process (`tabe worker`): sends what nobody is waiting for (nothing is queued for it yet), and keeps house."""

import asyncio
import contextlib
import logging
import signal
from datetime import datetime, timedelta

from sqlalchemy import text

from bot.settings import Settings
from flows.conversation import ABANDONED_AFTER
from store.db import Database

log = logging.getLogger(__name__)

HOUSEKEEPING_EVERY = timedelta(hours=1)
MESSAGE_IDS_KEPT = timedelta(days=7)


async def run(settings: Settings, stop: asyncio.Event) -> None:
    """Check the database, then do the housekeeping every hour until `stop` is set."""
    database = Database(settings.database_url)
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        log.warning("worker started; no outgoing messages are queued in this version, only housekeeping")
        while not stop.is_set():
            forgotten = await asyncio.to_thread(forget_old_message_ids, database)
            log.info("forgot %s provider message ids", forgotten)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=HOUSEKEEPING_EVERY.total_seconds())
    finally:
        database.dispose()
        log.warning("worker stopped")


def forget_old_message_ids(database: Database, now: datetime | None = None) -> int:
    """Drop what is kept about handled messages once no provider will deliver them again; how many went.

    Providers redeliver within minutes or hours; a week later a message id only says that someone
    wrote, and when. Answers kept for another process's request are dropped once it is surely gone.
    """
    with database.transaction(now) as registry:
        return registry.purge_inbound(handled_before=registry.now - MESSAGE_IDS_KEPT,
                                      kept_replies_before=registry.now - ABANDONED_AFTER)


def main(settings: Settings) -> None:
    """Run until SIGTERM (how platforms stop a process) or Ctrl-C."""

    async def until_signalled() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run(settings, stop)

    asyncio.run(until_signalled())
