"""Sending claimed outbox rows: each through its channel, at the channel's pace, and every outcome recorded.

A batch is claimed and committed first; then each chat's rows go out in order, the chats side by
side, and each row's outcome is committed as soon as it is known. What the provider refuses for
good (a blocked bot, an address that is not there) fails; what it asks to slow down for comes back
after the wait it names; a network failure, a timeout or a 5xx comes back after a growing wait,
until MAX_ATTEMPTS. A row is sent twice only when a send went through unbeknown to us: the worker
died, or lost the database, between the provider's answer and the commit (the claim goes stale
after CLAIM_TIMEOUT and the row is claimed again), or the answer itself was lost to a timeout (the
row is retried).
"""

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import aiohttp
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from twilio.base.exceptions import TwilioRestException, TwilioServiceException

from bot.settings import Settings
from bot.telegram import CHANNEL as TELEGRAM
from bot.telegram import as_seconds, build_application
from bot.whatsapp import CHANNEL as WHATSAPP
from bot.whatsapp import WhatsAppSender
from flows.messages import Reply
from store.db import Database
from store.models import utcnow
from store.outbox import Outgoing

log = logging.getLogger(__name__)

BATCH = 100  # rows claimed at once: at one per second per chat, well inside CLAIM_TIMEOUT
CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this belonged to a worker that died
SEND_WITHIN = timedelta(minutes=2)  # a batch's rows not started by then go back, long before their claim goes stale
SEND_TIMEOUT = 30.0  # seconds for one request to a provider
MAX_ATTEMPTS = 8  # for failures that may pass: about an hour of trying, with the waits below
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
TELEGRAM_PER_SECOND = 30  # the Bot API's limit for one bot, over all chats
TELEGRAM_CHAT_GAP = 1.0  # seconds between two messages to one chat
TWILIO_THROTTLED = 20429  # Twilio's "Too Many Requests"
TWILIO_UNSUBSCRIBED = 21610  # the recipient asked not to get messages: as good as a block


class Verdict(StrEnum):
    """What a provider's answer means for the row."""

    SENT = "sent"
    SLOW_DOWN = "slow down"  # the provider is throttling: try later, however many times
    RETRY = "retry"  # it may pass: try later, up to MAX_ATTEMPTS
    FAILED = "failed"  # refused for good
    BLOCKED = "blocked"  # refused for good because the owner does not want us there


@dataclass(frozen=True, slots=True)
class Outcome:
    """What sending one row came to: the provider's message id when sent, else what went wrong (never the text)."""

    verdict: Verdict
    detail: str
    wait: timedelta | None = None  # how long the provider asked us to wait; None: our own backoff


class Pacer:
    """Spaces one channel's sends: at most `per_second` in all, and one per `chat_gap` seconds to each chat.

    Start times are reserved rather than sends counted: each send takes the first moment free for
    the channel and for its chat, and its caller sleeps until then.
    """

    PRUNE_AT = 1000  # chats remembered before those whose gap has passed are forgotten

    def __init__(self, per_second: float, chat_gap: float = 0.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._gap = 1 / per_second
        self._chat_gap = chat_gap
        self._clock = clock
        self._next = 0.0
        self._next_for: dict[str, float] = {}
        self._paused_until = 0.0

    def reserve(self, chat: str) -> float:
        """Take the first free moment to send to this chat; the seconds from now until it."""
        now = self._clock()
        start = max(now, self._next, self._next_for.get(chat, 0.0))
        self._next = start + self._gap
        if self._chat_gap:
            if len(self._next_for) >= self.PRUNE_AT:
                self._next_for = {known: moment for known, moment in self._next_for.items() if moment > now}
            self._next_for[chat] = start + self._chat_gap
        return start - now

    def pause(self, seconds: float) -> None:
        """The provider asked us to slow down: nothing more goes for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused(self) -> bool:
        """Whether the provider's pause is still on."""
        return self._clock() < self._paused_until


class Sender(Protocol):
    """One channel's way out: sends a text to an address and says what came of it."""

    pacer: Pacer

    async def send(self, address: str, text: str) -> Outcome: ...

    async def close(self) -> None: ...


class TelegramSender:
    """The Bot API through python-telegram-bot, configured as the webhook's bot is."""

    def __init__(self, settings: Settings) -> None:
        self.bot = build_application(settings).bot
        self.pacer = Pacer(TELEGRAM_PER_SECOND, TELEGRAM_CHAT_GAP)

    async def send(self, address: str, text: str) -> Outcome:
        """Send a message to a chat id; Telegram's refusals classified."""
        try:
            await self.bot.initialize()  # getMe once; until it answers, each send asks again
            message = await self.bot.send_message(address, text)
        except RetryAfter as error:
            return Outcome(Verdict.SLOW_DOWN, "RetryAfter", timedelta(seconds=as_seconds(error.retry_after)))
        except Forbidden as error:  # blocked, or the account is gone: a private chat refuses only for good
            return Outcome(Verdict.BLOCKED, error.message)
        except BadRequest as error:  # chat not found, and any request Telegram will never take
            return Outcome(Verdict.FAILED, error.message)
        except TelegramError as error:  # network, timeouts, 5xx; the type only, as some of PTB's quote the token
            return Outcome(Verdict.RETRY, type(error).__name__)
        return Outcome(Verdict.SENT, str(message.message_id))

    async def close(self) -> None:
        """Close the bot's HTTP connections."""
        await self.bot.shutdown()


class WhatsAppOut:
    """Twilio's REST API through the existing WhatsAppSender, paced at TWILIO_MPS."""

    def __init__(self, settings: Settings) -> None:
        self.sender = WhatsAppSender(settings)
        self.pacer = Pacer(settings.twilio_mps)

    async def send(self, address: str, text: str) -> Outcome:
        """Send a free-text message to a "whatsapp:+62…" address; Twilio's refusals classified."""
        try:
            sid = await self.sender.send(address, Reply(text))
        except (TwilioRestException, TwilioServiceException) as error:
            return twilio_outcome(error.status, error.code)
        except (aiohttp.ClientError, OSError) as error:  # twilio's async client is aiohttp
            return Outcome(Verdict.RETRY, type(error).__name__)
        return Outcome(Verdict.SENT, sid)

    async def close(self) -> None:
        """Close the twilio client's aiohttp session."""
        await self.sender.close()


def twilio_outcome(status: int, code: int | None) -> Outcome:
    """Twilio's refusal classified: throttling waits, a 400 (not a WhatsApp number, 63003…) fails for good."""
    detail = f"Twilio {status} error {code}"
    if status == 429 or code == TWILIO_THROTTLED:
        return Outcome(Verdict.SLOW_DOWN, detail)
    if code == TWILIO_UNSUBSCRIBED:
        return Outcome(Verdict.BLOCKED, detail)
    if status == 400:
        return Outcome(Verdict.FAILED, detail)
    # 5xx, and 401/403/404: credentials or an account an operator can put right.
    return Outcome(Verdict.RETRY, detail)


def backoff(attempts: int) -> timedelta:
    """The wait before trying again after `attempts` tries: 30 s, doubling, at most an hour."""
    return min(FIRST_WAIT * 2 ** (attempts - 1), LONGEST_WAIT)


def claim(database: Database, channels: tuple[str, ...], now: datetime | None = None) -> list[Outgoing]:
    """Claim a batch of due rows for these channels, committed before anything is sent."""
    with database.transaction(now) as registry:
        return registry.outbox.claim(BATCH, channels, claimed_before=registry.now - CLAIM_TIMEOUT)


def record(database: Database, row: Outgoing, outcome: Outcome, now: datetime | None = None) -> str:
    """Commit what came of sending a row; the count it goes under: sent, retrying or failed."""
    with database.transaction(now) as registry:
        outbox = registry.outbox
        if outcome.verdict == Verdict.SENT:
            outbox.sent(row.id, row.channel, outcome.detail)
            return "sent"
        if outcome.verdict == Verdict.SLOW_DOWN:
            outbox.retry(row.id, outcome.detail, registry.now + (outcome.wait or backoff(row.attempts)))
            return "retrying"
        if outcome.verdict == Verdict.RETRY and row.attempts < MAX_ATTEMPTS:
            outbox.retry(row.id, outcome.detail, registry.now + backoff(row.attempts))
            return "retrying"
        if outcome.verdict == Verdict.BLOCKED:
            registry.set_blocked(row.channel, row.address, True)
        outbox.failed(row.id, outcome.detail)
        return "failed"


def release(database: Database, rows: Sequence[Outgoing], now: datetime | None = None) -> None:
    """Put claimed rows back untried."""
    with database.transaction(now) as registry:
        registry.outbox.release([row.id for row in rows])


class Courier:
    """Takes claimed rows to the senders of the channels that are on, and records what came of each."""

    def __init__(self, database: Database, senders: Mapping[str, Sender],
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.database = database
        self.senders = dict(senders)
        self.clock = clock

    @classmethod
    def for_settings(cls, settings: Settings, database: Database,
                     clock: Callable[[], datetime] = utcnow) -> "Courier":
        """A sender per channel whose settings are there; call it in the event loop (Twilio's client needs one)."""
        senders: dict[str, Sender] = {}
        if not settings.telegram_missing():
            senders[TELEGRAM] = TelegramSender(settings)
        if not settings.whatsapp_missing():
            senders[WHATSAPP] = WhatsAppOut(settings)
        return cls(database, senders, clock)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels that are on: only their rows are claimed."""
        return tuple(self.senders)

    async def close(self) -> None:
        """Close every sender's connections."""
        for sender in self.senders.values():
            await sender.close()

    async def send_due(self, stop: asyncio.Event) -> Counter[str]:
        """Claim and send batches until no row is due or `stop` is set; how many rows went which way."""
        counts: Counter[str] = Counter()
        while not stop.is_set():
            # A paused channel's rows stay pending: claiming them would only put them back.
            channels = tuple(channel for channel, sender in self.senders.items() if not sender.pacer.paused)
            rows = await asyncio.to_thread(claim, self.database, channels, self.clock()) if channels else []
            if not rows:
                break
            counts += await self.send(rows, stop)
        return counts

    async def send(self, rows: Sequence[Outgoing], stop: asyncio.Event) -> Counter[str]:
        """Send claimed rows: each chat's in order, the chats side by side."""
        chats: dict[tuple[str, str], list[Outgoing]] = {}
        for row in rows:
            chats.setdefault((row.channel, row.address), []).append(row)
        deadline = time.monotonic() + SEND_WITHIN.total_seconds()
        # Not a TaskGroup: when one chat fails (the registry went away), the others still finish the
        # row in hand rather than being cancelled mid-send with their outcome unrecorded.
        results = await asyncio.gather(*(self._send_chat(chat_rows, stop, deadline) for chat_rows in chats.values()),
                                       return_exceptions=True)
        counts: Counter[str] = Counter()
        for result in results:
            if isinstance(result, BaseException):
                raise result
            counts += result
        return counts

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
        delay = sender.pacer.reserve(row.address)
        if time.monotonic() + delay > deadline:
            return False
        if delay > 0:
            with contextlib.suppress(TimeoutError):  # the moment came; stopping ends the wait sooner
                await asyncio.wait_for(stop.wait(), delay)
        return not stop.is_set() and not sender.pacer.paused

    async def _send_one(self, sender: Sender, row: Outgoing) -> str:
        """Send a row and commit its outcome; the count it goes under."""
        try:
            async with asyncio.timeout(SEND_TIMEOUT):
                outcome = await sender.send(row.address, row.text)
        except TimeoutError:
            outcome = Outcome(Verdict.RETRY, "timed out")
        except Exception as error:  # noqa: BLE001 - a sender's surprise fails this row, not the worker, every time
            outcome = Outcome(Verdict.RETRY, type(error).__name__)
        if outcome.verdict == Verdict.SLOW_DOWN:
            sender.pacer.pause((outcome.wait or backoff(row.attempts)).total_seconds())
        counted = await asyncio.to_thread(record, self.database, row, outcome, self.clock())
        if counted != "sent":  # the row's id and the reason only: its text and address are personal data
            log.warning("outbox row %s on %s, attempt %s: %s (%s)", row.id, row.channel, row.attempts, counted,
                        outcome.detail)
        return counted
