"""Sending claimed outbox rows: each through its channel, at the channel's pace, and every outcome recorded.

Here are the pacing, the ledger of outcomes and the courier; each channel's module (bot/channels.py
lists them) brings its sender, which says what its provider's answer means (a Verdict).

A batch, sized to what the channels can send in a few seconds, is claimed and committed first;
then each chat's rows go out in order, the chats side by side, and their outcomes are committed
together: at most FLUSH_EVERY of them, at most FLUSH_WITHIN seconds after the first. What the
provider refuses for good fails, and an owner it says cannot be reached (a blocked bot, an
unknown chat, a number not on WhatsApp) is marked so; what it asks to slow down for comes back
after the wait it names; a network failure, a timeout or a 5xx comes back after a growing wait,
until MAX_ATTEMPTS. A row is sent twice only when a send went through unbeknown to us: the
worker died, or lost the database, between the provider's answer and the commit of its outcome
(the claim goes stale after CLAIM_TIMEOUT and the row is claimed again), or the answer itself
was lost to a timeout (the row is retried). Those are the rows in flight, never more than a
batch's sends under way and FLUSH_EVERY outcomes.

Pace: on SQLite the one worker spaces its own sends; on PostgreSQL the workers share each
channel's slots through the registry (store/pace.py), so that together they keep its rate.
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter, deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from bot.render import as_plain_text
from bot.settings import Settings
from domain.outbox import ANNOUNCEMENT, TIMED_OUT
from flows.i18n import Text
from flows.notices import announcement_text, session_text
from flows.router import FOLLOW_UP_FLOWS
from store import pace
from store.db import Database
from store.models import utcnow
from store.officers import PROVINCE
from store.outbox import Outgoing

log = logging.getLogger(__name__)

BATCH = 100  # the fewest rows claimed at once
LARGEST_BATCH = 2000  # the most, when the channels are that fast
BATCH_SECONDS = 2.0  # a batch is what the channels can send in this long
CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this belonged to a worker that died
SEND_WITHIN = timedelta(minutes=2)  # a batch's rows not started by then go back, long before their claim goes stale
SEND_TIMEOUT = 30.0  # seconds for one request to a provider
STOP_CHECK = 0.1  # a send waiting longer than this for its moment is woken by stopping
FLUSH_EVERY = 100  # outcomes committed together...
FLUSH_WITHIN = 0.2  # ...or this many seconds after the first of them, whichever comes first
MAX_ATTEMPTS = 8  # for failures that may pass: about an hour of trying, with the waits below
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# Sends leave on schedule, or up to LATE after it; aiming a little below a provider's limit keeps
# a late one from landing in the same second of its sliding window as the limit's worth after it.
PACE = 0.975
LATE = 0.01  # seconds after its slot a send may still go: then no second holds more than the limit
SHARED_BLOCK = 0.2  # seconds of a channel's slots a worker reserves at a time on PostgreSQL


class Verdict(StrEnum):
    """What a provider's answer means for the row."""

    SENT = "sent"
    SLOW_DOWN = "slow down"  # the provider is throttling: try later, however many times
    RETRY = "retry"  # it may pass: try later, up to MAX_ATTEMPTS
    FAILED = "failed"  # refused for good
    UNREACHABLE = "unreachable"  # refused for good because the owner cannot be reached there: nothing more goes


@dataclass(frozen=True, slots=True)
class Outcome:
    """What sending one row came to: the provider's message id when sent, else what went wrong (never the text)."""

    verdict: Verdict
    detail: str
    wait: timedelta | None = None  # how long the provider asked us to wait; None: our own backoff
    template: bool = False  # sent as the approved template (outside WhatsApp's 24 hours), not as free text


class Pacer:
    """Spaces one channel's sends: at most `per_second` in all, and one per `chat_gap` seconds to each chat.

    Start times are reserved rather than sends counted: each send takes the first slot free for the
    channel at or after its chat's next moment, and its caller sleeps until then. The slots are this
    process's own, evenly spaced, or with `shared`, blocks taken from the registry that every worker
    takes from; a slot passed unused is lost, so the channel never goes faster than its rate.

    A provider counts a request when it reaches it, which can be any time before its answer comes
    back: a first request slowed by its connection, a busy moment on either side. So with `limit`,
    each send also holds one of `limit` places from its start until a second after its answer, and
    a chat's next send waits `chat_gap` from the answer: then no second at the provider can hold
    more than `limit` requests, nor two to one chat, however the requests were delayed on the way.
    """

    PRUNE_AT = 1000  # chats remembered before those whose gap has passed are forgotten

    def __init__(self, per_second: float, chat_gap: float = 0.0, clock: Callable[[], float] = time.monotonic,
                 shared: Callable[[int, float], list[float]] | None = None, limit: int | None = None) -> None:
        self._gap = 1 / per_second
        self._places = asyncio.Semaphore(limit) if limit else None
        self._chat_gap = chat_gap
        self._clock = clock
        self._shared = shared
        self._block = max(1, round(per_second * SHARED_BLOCK))
        self._next = 0.0
        self._slots: deque[float] = deque()
        self._refilling = asyncio.Lock()
        self._waiting = 0
        self._next_for: dict[str, float] = {}
        self._prune_at = self.PRUNE_AT
        self._paused_until = 0.0

    async def reserve(self, chat: str) -> float:
        """Take the first free moment to send to this chat; the seconds from now until it."""
        earliest = max(self._clock(), self._next_for.get(chat, 0.0))
        start = await self._shared_slot(earliest) if self._shared else self._own_slot(earliest)
        now = self._clock()
        if self._chat_gap:
            if len(self._next_for) >= self._prune_at:
                self._next_for = {known: moment for known, moment in self._next_for.items() if moment > now}
                # When most are still ahead (a fast broadcast), wait until there are twice as many again.
                self._prune_at = max(self.PRUNE_AT, 2 * len(self._next_for))
            self._next_for[chat] = start + self._chat_gap
        return max(start - now, 0.0)

    @contextlib.asynccontextmanager
    async def holding_place(self, chat: str) -> AsyncIterator[None]:
        """Around one send: a place among the provider's `limit` a second, given back a second after the answer."""
        if self._places is not None:
            await self._places.acquire()
        try:
            yield
        finally:
            if self._places is not None:
                asyncio.get_running_loop().call_later(1.0, self._places.release)
            if self._chat_gap:
                self._next_for[chat] = max(self._next_for.get(chat, 0.0), self._clock() + self._chat_gap)

    def _own_slot(self, earliest: float) -> float:
        start = max(earliest, self._next)
        self._next = start + self._gap
        return start

    async def _shared_slot(self, earliest: float) -> float:
        assert self._shared is not None
        self._waiting += 1
        try:
            async with self._refilling:
                while True:
                    while self._slots and self._slots[0] < earliest:
                        self._slots.popleft()
                    if self._slots:
                        return self._slots.popleft()
                    # As many slots as there are sends waiting, up to a block: slots nobody takes are lost.
                    offsets = await asyncio.to_thread(self._shared, min(self._waiting, self._block), self._gap)
                    base = self._clock()
                    self._slots.extend(base + offset for offset in offsets)
        finally:
            self._waiting -= 1

    def missed(self, chat: str) -> None:
        """A send was too late for its slot and did not go: its chat may have the next one."""
        if chat in self._next_for:
            self._next_for[chat] = self._clock()  # its last send was a chat gap before the slot missed, or more

    def pause(self, seconds: float) -> None:
        """The provider asked us to slow down: nothing more goes for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused(self) -> bool:
        """Whether the provider's pause is still on."""
        return self._clock() < self._paused_until

    @property
    def per_second(self) -> float:
        return 1 / self._gap


def shared_slots(database: Database, channel: str) -> Callable[[int, float], list[float]]:
    """The registry's slots of a channel, as a Pacer takes them: `count` slots `spacing` apart, in seconds from now."""

    def take(count: int, spacing: float) -> list[float]:
        with database.engine.begin() as connection:
            return pace.reserve(connection, channel, count, spacing)

    return take


class Sender(Protocol):
    """One channel's way out: sends a row's text to its address and says what came of it."""

    pacer: Pacer
    provider: str  # who carries the channel's messages ("telegram", "twilio", "cloud"), as reports count them

    async def send(self, row: Outgoing, text: str) -> Outcome: ...

    async def close(self) -> None: ...


# A channel's pacer, as the courier makes it: at most `per_second` sends, `chat_gap` seconds apart to one chat.
PacerFor = Callable[[int, float], Pacer]


class Outbound(Protocol):
    """A channel module (bot/channels.py lists them) as the courier sees it: its name, its settings, its sender."""

    CHANNEL: str

    def missing(self, settings: Settings) -> list[str]: ...

    def outbox_sender(self, settings: Settings, pacer: PacerFor, clock: Callable[[], datetime]) -> Sender: ...


def message_text(row: Outgoing) -> str:
    """What the owner reads: an announcement's words in its frame, or a message about a session from the session
    as it is now, in the owner's language; else the row's text."""
    if row.kind in FOLLOW_UP_FLOWS:  # a follow-up's first question, from its flow
        return as_plain_text(FOLLOW_UP_FLOWS[row.kind].invitation(Text(row.language), row.business or row.session))
    if row.session is not None:
        return session_text(row.kind, row.session, row.language)
    return announcement_text(row.text, row.language, row.scope or PROVINCE) if row.kind == ANNOUNCEMENT else row.text


def backoff(attempts: int) -> timedelta:
    """The wait before trying again after `attempts` tries: 30 s, doubling, at most an hour."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


@dataclass(frozen=True, slots=True)
class Settled:
    """A row's outcome, and what it comes to, until it is committed."""

    row: Outgoing
    outcome: Outcome
    provider: str  # who carried it (its sender's), as the row records once sent
    count: str  # sent, retrying or failed
    due_at: datetime | None = None  # when a row coming back is tried again


def settle(row: Outgoing, outcome: Outcome, provider: str, now: datetime) -> Settled:
    """What an outcome of `provider`'s comes to for its row: sent, back at `due_at`, or failed."""
    if outcome.verdict == Verdict.SENT:
        return Settled(row, outcome, provider, "sent")
    if outcome.verdict == Verdict.SLOW_DOWN:
        return Settled(row, outcome, provider, "retrying", now + (outcome.wait or backoff(row.attempts)))
    if outcome.verdict == Verdict.RETRY and row.attempts < MAX_ATTEMPTS:
        return Settled(row, outcome, provider, "retrying", now + backoff(row.attempts))
    return Settled(row, outcome, provider, "failed")


def commit(database: Database, outcomes: Sequence[Settled], now: datetime | None = None) -> None:
    """Commit rows' outcomes together: the sent ones in one statement (with who carried each, and how), the rest
    (few) one by one."""
    with database.transaction(now) as registry:
        outbox = registry.outbox
        outbox.sent([(settled.row.id, settled.row.channel, settled.outcome.detail, settled.provider,
                      settled.outcome.template) for settled in outcomes if settled.count == "sent"])
        for settled in outcomes:
            row, outcome = settled.row, settled.outcome
            if settled.due_at is not None:
                outbox.retry(row.id, outcome.detail, settled.due_at)
            elif settled.count == "failed":
                if outcome.verdict == Verdict.UNREACHABLE:
                    registry.set_blocked(row.channel, row.address, True)
                outbox.failed(row.id, outcome.detail)


class Ledger:
    """Outcomes waiting to be committed together; a commit that fails keeps them for the next."""

    def __init__(self, database: Database, clock: Callable[[], datetime]) -> None:
        self.database = database
        self.clock = clock
        self._pending: list[Settled] = []
        self._committing = asyncio.Lock()
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: set[asyncio.Task[None]] = set()

    async def add(self, settled: Settled) -> None:
        """Keep an outcome; commit when FLUSH_EVERY wait, or FLUSH_WITHIN seconds after the first."""
        self._pending.append(settled)
        if len(self._pending) >= FLUSH_EVERY:
            await self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(FLUSH_WITHIN, self._flush_in_background)

    async def flush(self) -> None:
        """Commit every outcome waiting."""
        async with self._committing:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            outcomes, self._pending = self._pending, []
            if not outcomes:
                return
            try:
                await asyncio.to_thread(commit, self.database, outcomes, self.clock())
            except BaseException:
                self._pending[:0] = outcomes
                raise

    def _flush_in_background(self) -> None:
        self._timer = None
        task = asyncio.create_task(self._flush_quietly())
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _flush_quietly(self) -> None:
        try:
            await self.flush()
        except Exception as error:  # noqa: BLE001 - kept for the batch's own flush, which raises it
            log.error("outcomes not committed yet: %s", type(error).__name__)

    async def close(self) -> None:
        """Commit what waits, after any commit under way; what cannot be goes again once its claim is stale."""
        await asyncio.gather(*self._flushing)
        try:
            await self.flush()
        except Exception as error:  # noqa: BLE001 - stopping anyway: the rows are in flight, as after a crash
            log.error("%s outcomes not committed: %s", len(self._pending), type(error).__name__)


def claim(database: Database, channels: tuple[str, ...], now: datetime | None = None,
          limit: int = BATCH) -> list[Outgoing]:
    """Claim a batch of due rows for these channels, committed before anything is sent."""
    with database.transaction(now) as registry:
        return registry.claim_outbox(limit, channels, claimed_before=registry.now - CLAIM_TIMEOUT)


def release(database: Database, rows: Sequence[Outgoing], now: datetime | None = None) -> None:
    """Put claimed rows back untried."""
    with database.transaction(now) as registry:
        registry.outbox.release([row.id for row in rows])


async def all_finished(counting: Iterable[Awaitable[Counter[str]]]) -> Counter[str]:
    """Run these side by side until every one has finished, then raise the first failure or add up their counts.

    Not a TaskGroup: when one fails (the registry went away), the others still finish the row in
    hand rather than being cancelled mid-send with their outcome unrecorded.
    """
    counts: Counter[str] = Counter()
    for result in await asyncio.gather(*counting, return_exceptions=True):
        if isinstance(result, BaseException):
            raise result
        counts += result
    return counts


class Courier:
    """Takes claimed rows to the senders of the channels that are on, and records what came of each."""

    def __init__(self, database: Database, senders: Mapping[str, Sender],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.senders = dict(senders)
        self.clock = clock
        self.ledger = Ledger(database, clock)

    @classmethod
    def for_settings(cls, channels: Iterable[Outbound], settings: Settings, database: Database,
                     clock: Callable[[], datetime] = utcnow) -> "Courier":
        """A sender for each of `channels` whose settings are there; call it in the event loop (Twilio's client needs one)."""

        def pacer_for(channel: str) -> PacerFor:
            # Several workers share a PostgreSQL registry; on SQLite there is one.
            shared = shared_slots(database, channel) if database.engine.dialect.name == "postgresql" else None
            return lambda per_second, chat_gap: Pacer(per_second * PACE, chat_gap, shared=shared, limit=per_second)

        return cls(database, {channel.CHANNEL: channel.outbox_sender(settings, pacer_for(channel.CHANNEL), clock)
                              for channel in channels if not channel.missing(settings)}, clock)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels that are on: only their rows are claimed."""
        return tuple(self.senders)

    async def close(self) -> None:
        """Commit the outcomes waiting and close every sender's connections."""
        await self.ledger.close()
        for sender in self.senders.values():
            await sender.close()

    async def send_due(self, stop: asyncio.Event) -> Counter[str]:
        """Send every due row, each channel on its own, until none is due or `stop` is set; how many went which way.

        Channels never wait for each other: a batch of WhatsApp rows at 10 a second must not hold
        back the next batch of Telegram rows, which go three times as fast.
        """
        return await all_finished(self._drain(channel, sender, stop) for channel, sender in self.senders.items())

    async def _drain(self, channel: str, sender: Sender, stop: asyncio.Event) -> Counter[str]:
        """Claim and send one channel's batches, each what the channel can send in BATCH_SECONDS."""
        counts: Counter[str] = Counter()
        size = min(max(round(sender.pacer.per_second * BATCH_SECONDS), BATCH), LARGEST_BATCH)
        # A paused channel's rows stay pending: claiming them would only put them back.
        while not stop.is_set() and not sender.pacer.paused:
            rows = await asyncio.to_thread(claim, self.database, (channel,), self.clock(), size)
            if not rows:
                break
            counts += await self.send(rows, stop)
        return counts

    async def send(self, rows: Sequence[Outgoing], stop: asyncio.Event) -> Counter[str]:
        """Send claimed rows: each chat's in order, the chats side by side; every outcome committed on return."""
        chats: dict[tuple[str, str], list[Outgoing]] = {}
        for row in rows:
            chats.setdefault((row.channel, row.address), []).append(row)
        deadline = time.monotonic() + SEND_WITHIN.total_seconds()
        try:
            return await all_finished(self._send_chat(chat_rows, stop, deadline) for chat_rows in chats.values())
        finally:
            await self.ledger.flush()

    async def _send_chat(self, rows: list[Outgoing], stop: asyncio.Event, deadline: float) -> Counter[str]:
        """One chat's rows, one after the other; those not started in time go back untried."""
        counts: Counter[str] = Counter()
        sender = self.senders[rows[0].channel]
        for position, row in enumerate(rows):
            if not await self._turn(sender, row, stop, deadline):
                await asyncio.to_thread(release, self.database, rows[position:], self.clock())
                counts["put back"] += len(rows) - position
                break
            counts[await self._send_one(sender, row)] += 1
        return counts

    async def _turn(self, sender: Sender, row: Outgoing, stop: asyncio.Event, deadline: float) -> bool:
        """Wait for the row's moment; False when it should go back instead: stopping, paused, or too late."""
        while True:
            delay = await sender.pacer.reserve(row.address)
            moment = time.monotonic() + delay
            if moment > deadline:
                return False
            if delay > STOP_CHECK:
                with contextlib.suppress(TimeoutError):  # the moment came; stopping ends the wait sooner
                    await asyncio.wait_for(stop.wait(), delay)
            elif delay > 0:  # too short to be worth a task that stopping could end
                await asyncio.sleep(delay)
            if stop.is_set() or sender.pacer.paused:
                return False
            if time.monotonic() - moment <= LATE:
                return True
            # The process was busy past the slot: sent now, it would crowd the sends due after it.
            sender.pacer.missed(row.address)

    async def _send_one(self, sender: Sender, row: Outgoing) -> str:
        """Send a row and hand its outcome to the ledger; the count it goes under."""
        try:
            async with sender.pacer.holding_place(row.address), asyncio.timeout(SEND_TIMEOUT):
                outcome = await sender.send(row, message_text(row))
        except TimeoutError:
            outcome = Outcome(Verdict.RETRY, TIMED_OUT)
        except Exception as error:  # noqa: BLE001 - a sender's surprise fails this row, not the worker, every time
            outcome = Outcome(Verdict.RETRY, type(error).__name__)
        if outcome.verdict == Verdict.SLOW_DOWN:
            sender.pacer.pause((outcome.wait or backoff(row.attempts)).total_seconds())
        settled = settle(row, outcome, sender.provider, self.clock())
        if settled.count != "sent":  # the row's id and the reason only: its text and address are personal data
            log.warning("outbox row %s on %s, attempt %s: %s (%s)", row.id, row.channel, row.attempts, settled.count,
                        outcome.detail)
        await self.ledger.add(settled)
        return settled.count
