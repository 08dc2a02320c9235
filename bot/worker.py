"""The worker process (`tabe worker`): queues reminders, sends the outbox, and keeps house.

Every minute it queues the reminders that are due (each once: the outbox keys them); every tick it
claims the due outbox rows and sends them through the channels that are on (bot/delivery.py), batch after
batch until none is due; every hour it forgets old provider message ids, deletes unfinished answers
kept past their time (flows/retention.py), closes owners' questions quiet for a week and sends officers the
digest of the past hour's new questions (flows/inbox.py). On SIGTERM it finishes
the messages in hand, puts the rest of its batch back, and stops.
"""

import asyncio
import contextlib
import logging
import signal
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.channels import CHANNELS
from bot.delivery import Courier
from bot.settings import Settings
from flows.conversation import ABANDONED_AFTER
from flows.inbox import close_quiet_questions, queue_digests
from flows.notices import ask_again, queue_after_sessions, queue_reminders
from flows.retention import PURGE_BATCH, purge_unfinished
from store.db import Database
from store.models import utcnow

log = logging.getLogger(__name__)

TICK = 2.0  # seconds between looks at the outbox: how late a message nobody waits for may go
REMINDERS_EVERY = timedelta(minutes=1)  # reminders are due by the day: no need to look at every tick
HOUSEKEEPING_EVERY = timedelta(hours=1)
MESSAGE_IDS_KEPT = timedelta(days=7)

Clock = Callable[[], datetime]


async def run(settings: Settings, stop: asyncio.Event, clock: Clock = utcnow, tick: float = TICK) -> None:
    """Check the database, then work every tick until `stop` is set."""
    database = Database(settings.database_url)
    try:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        courier = Courier.for_settings(CHANNELS, settings, database, clock)
        log.warning("worker started; sending on %s", ", ".join(courier.channels) or "no channel (none is set up)")
        try:
            await _work(database, courier, stop, clock, tick)
        finally:
            await courier.close()
    finally:
        database.dispose()
        log.warning("worker stopped")


async def _work(database: Database, courier: Courier, stop: asyncio.Event, clock: Clock, tick: float) -> None:
    """The worker's loop: housekeeping when it is due, then a tick, then a wait that `stop` cuts short."""
    housekeeping_due = reminders_due = clock()
    while not stop.is_set():
        try:
            if clock() >= housekeeping_due:
                forgotten = await asyncio.to_thread(forget_old_message_ids, database, clock())
                log.info("forgot %s provider message ids", forgotten)
                purged = await asyncio.to_thread(purge_unfinished_answers, database, clock())
                log.info("deleted the unfinished answers of %s conversations", purged)
                closed, digests = await asyncio.to_thread(tend_questions, database, clock())
                log.info("closed %s quiet questions, queued %s digests for officers", closed, digests)
                housekeeping_due = clock() + HOUSEKEEPING_EVERY
            remind = clock() >= reminders_due
            if remind:
                reminders_due = clock() + REMINDERS_EVERY
            await work_once(database, courier, stop, clock, remind=remind)
        except* (SQLAlchemyError, TimeoutError) as failures:  # the registry is away or busy: the next tick tries again
            log.error("worker tick failed: %s", ", ".join(type(error).__name__ for error in failures.exceptions))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=tick)


async def work_once(database: Database, courier: Courier, stop: asyncio.Event, clock: Clock = utcnow, *,
                    remind: bool = True) -> Counter[str]:
    """Queue the reminders and follow-ups that are due (with `remind`), then send every due row; logs and returns
    the counts."""
    queued = await asyncio.to_thread(queue_due_reminders, database, clock()) if remind else 0
    if queued:
        log.info("queued %s reminders", queued)
    followed = await asyncio.to_thread(queue_due_follow_ups, database, clock()) if remind else 0
    if followed:
        log.info("queued %s follow-ups", followed)
    counts = await courier.send_due(stop)
    if counts:
        log.info("outbox: %s", ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())))
    return counts


def queue_due_reminders(database: Database, now: datetime | None = None) -> int:
    """Queue tomorrow's reminders, in a transaction of their own; how many were new."""
    with database.transaction(now) as registry:
        return queue_reminders(registry)


def queue_due_follow_ups(database: Database, now: datetime | None = None) -> int:
    """Queue the morning-after messages of yesterday's sessions and the follow-ups put off until now, in a
    transaction of their own; how many were new."""
    with database.transaction(now) as registry:
        return queue_after_sessions(registry) + ask_again(registry)


def forget_old_message_ids(database: Database, now: datetime | None = None) -> int:
    """Drop what is kept about messages once no provider will deliver them again; how many ids went.

    Providers redeliver within minutes or hours; a week later a message id only says that someone
    wrote, and when. Answers kept for another process's request are dropped once it is surely gone,
    and status callbacks, each applied to its outbox row when it came, after the same week.
    """
    with database.transaction(now) as registry:
        registry.purge_delivery_statuses(received_before=registry.now - MESSAGE_IDS_KEPT)
        return registry.purge_inbound(handled_before=registry.now - MESSAGE_IDS_KEPT,
                                      kept_replies_before=registry.now - ABANDONED_AFTER)


def tend_questions(database: Database, now: datetime | None = None) -> tuple[int, int]:
    """Close the questions quiet for a week and queue the officers' digests of the past hour, in a transaction."""
    with database.transaction(now) as registry:
        return close_quiet_questions(registry), queue_digests(registry)


def purge_unfinished_answers(database: Database, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete unfinished answers kept past their time, `batch` conversations a transaction; of how many in all."""
    purged = 0
    while True:
        with database.transaction(now) as registry:
            done = purge_unfinished(registry, batch)
        purged += done
        if done < batch:
            return purged


def main(settings: Settings, clock: Clock = utcnow, tick: float = TICK) -> None:
    """Run until SIGTERM (how platforms stop a process) or Ctrl-C."""

    async def until_signalled() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run(settings, stop, clock, tick)

    asyncio.run(until_signalled())
