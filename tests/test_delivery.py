"""Sending the outbox (bot/delivery.py): the real PTB and twilio clients against the fakes, every outcome recorded.

Each test queues rows at a clock that stands still unless the test moves it, and sends them with a
fresh Courier, as a worker would on its next tick.
"""

import asyncio
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from bot.channels import CHANNELS
from bot.delivery import CLAIM_TIMEOUT, MAX_ATTEMPTS, Courier, Outcome, Pacer, Verdict, backoff, claim
from bot.sample import seed
from bot.settings import Settings
from domain.channels import PUSH_CHANNELS, within_window
from domain.outbox import ANNOUNCEMENT, NO_TEMPLATE
from fake_telegram import FakeTelegram
from fake_twilio import FakeTwilio
from flows.notices import announcement_text
from store.announcements import Segment
from store.db import Database
from store.follow_ups import Kind
from store.models import Business, Conversation, OutboxMessage, as_utc
from store.officers import PROVINCE
from store.outbox import Outgoing
from transcript import START, Clock
from whatsapp_phone import PUBLIC, SENDER, whatsapp_settings

CHAT = 4242
_outbox = OutboxMessage.__table__


def telegram_settings(database: Database, fake: FakeTelegram) -> Settings:
    return Settings(database_url=database.url, telegram_bot_token=fake.token, telegram_api_base_url=fake.origin)


def queue(database: Database, channel: str, address: str, text: str, now: datetime = START) -> int:
    """Queue a row due now; its id."""
    with database.transaction(now) as registry:
        registry.outbox.queue("seat", None, channel, address, text)
    with database.engine.connect() as connection:
        return connection.execute(select(_outbox.c.id).order_by(_outbox.c.id.desc()).limit(1)).scalar_one()


def row(database: Database, message_id: int) -> dict[str, Any]:
    with database.engine.connect() as connection:
        found = dict(connection.execute(select(_outbox).where(_outbox.c.id == message_id)).mappings().one())
    found["due_at"] = as_utc(found["due_at"])  # SQLite reads it back naive
    return found


async def send_due(database: Database, settings: Settings, clock: Clock) -> Counter[str]:
    """One worker tick's sending, with a fresh Courier (and so fresh pacers)."""
    courier = Courier.for_settings(CHANNELS, settings, database, clock)
    try:
        return await courier.send_due(asyncio.Event())
    finally:
        await courier.close()


def link_chat(database: Database, chat_id: int | str, channel: str = "telegram", at: datetime = START) -> None:
    """A chat the bot has talked with, last written in at `at`, so that blocking can be recorded on it."""
    with database.transaction(at) as registry:
        registry.save_conversation(registry.open_conversation(channel, str(chat_id)))


# -- Telegram -------------------------------------------------------------------------------------


async def test_a_due_row_goes_to_its_chat_once_and_is_recorded_sent(database: Database,
                                                                   fake_telegram: FakeTelegram) -> None:
    message_id = queue(database, "telegram", str(CHAT), "Pengingat: besok pelatihan QRIS.")
    settings = telegram_settings(database, fake_telegram)

    assert await send_due(database, settings, Clock()) == Counter(sent=1)
    assert await send_due(database, settings, Clock()) == Counter()  # nothing is due any more
    assert fake_telegram.sent(CHAT) == ["Pengingat: besok pelatihan QRIS."]
    sent = row(database, message_id)
    assert (sent["status"], sent["attempts"], sent["provider_message_id"]) == ("sent", 1, "1")
    assert sent["sent_at"] is not None and sent["claimed_at"] is None


async def test_a_blocked_chat_fails_the_row_and_records_the_block(database: Database,
                                                                  fake_telegram: FakeTelegram) -> None:
    link_chat(database, CHAT)
    fake_telegram.block(CHAT)
    message_id = queue(database, "telegram", str(CHAT), "Kursi untuk Anda.")

    assert await send_due(database, telegram_settings(database, fake_telegram), Clock()) == Counter(failed=1)
    failed = row(database, message_id)
    assert (failed["status"], failed["error"]) == ("failed", "Forbidden: bot was blocked by the user")
    with database.engine.connect() as connection:
        assert connection.execute(select(Conversation.blocked_at)).scalar_one() is not None


def blocked_at(database: Database, channel: str, address: str) -> datetime | None:
    with database.engine.connect() as connection:
        return connection.execute(select(Conversation.blocked_at).where(Conversation.channel == channel,
                                                                       Conversation.address == address)).scalar_one()


async def test_a_chat_that_does_not_exist_fails_for_good_and_is_marked_unreachable(database: Database,
                                                                                  fake_telegram: FakeTelegram) -> None:
    link_chat(database, "@no_such_chat")
    link_chat(database, CHAT)
    message_id = queue(database, "telegram", "@no_such_chat", "Kursi untuk Anda.")

    assert await send_due(database, telegram_settings(database, fake_telegram), Clock()) == Counter(failed=1)
    assert row(database, message_id)["error"] == "Chat not found"
    assert blocked_at(database, "telegram", "@no_such_chat") is not None
    assert blocked_at(database, "telegram", str(CHAT)) is None


async def test_a_message_telegram_refuses_fails_alone_and_blocks_nothing(database: Database,
                                                                        fake_telegram: FakeTelegram) -> None:
    link_chat(database, CHAT)
    message_id = queue(database, "telegram", str(CHAT), "x" * 5000)

    assert await send_due(database, telegram_settings(database, fake_telegram), Clock()) == Counter(failed=1)
    assert row(database, message_id)["error"] == "Message is too long"
    assert blocked_at(database, "telegram", str(CHAT)) is None


async def test_a_flood_wait_puts_the_row_back_for_that_long_then_it_is_sent_once(database: Database,
                                                                                 fake_telegram: FakeTelegram) -> None:
    fake_telegram.rate_limit_next(1, retry_after=7)
    message_id = queue(database, "telegram", str(CHAT), "Pengingat.")
    settings, clock = telegram_settings(database, fake_telegram), Clock()

    assert await send_due(database, settings, clock) == Counter(retrying=1)
    waiting = row(database, message_id)
    assert (waiting["status"], waiting["due_at"], waiting["error"]) == ("pending", START + timedelta(seconds=7),
                                                                        "RetryAfter")
    clock.advance(timedelta(seconds=6))
    assert await send_due(database, settings, clock) == Counter()
    clock.advance(timedelta(seconds=1))
    assert await send_due(database, settings, clock) == Counter(sent=1)
    assert fake_telegram.sent(CHAT) == ["Pengingat."]
    assert row(database, message_id)["attempts"] == 2


async def test_while_the_bot_api_cannot_be_reached_the_row_waits_longer_each_time_then_fails(
        database: Database) -> None:
    with FakeTelegram() as fake:
        settings = telegram_settings(database, fake)
    message_id = queue(database, "telegram", str(CHAT), "Pengingat.")  # the fake has stopped: nothing listens
    clock = Clock()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS):
        assert await send_due(database, settings, clock) == Counter(retrying=1)
        waiting = row(database, message_id)
        assert (waiting["status"], waiting["attempts"], waiting["error"]) == ("pending", attempt, "NetworkError")
        waits.append(waiting["due_at"] - clock.now)
        clock.now = waiting["due_at"]
    assert [wait.total_seconds() for wait in waits] == [30, 60, 120, 240, 480, 960, 1920]
    assert await send_due(database, settings, clock) == Counter(failed=1)
    assert row(database, message_id)["attempts"] == MAX_ATTEMPTS


async def test_a_row_retried_after_a_network_failure_is_sent_when_the_bot_api_is_back(
        database: Database, fake_telegram: FakeTelegram) -> None:
    with FakeTelegram() as gone:
        unreachable = telegram_settings(database, gone)
    message_id = queue(database, "telegram", str(CHAT), "Pengingat.")
    clock = Clock()
    assert await send_due(database, unreachable, clock) == Counter(retrying=1)
    clock.advance(backoff(1))
    assert await send_due(database, telegram_settings(database, fake_telegram), clock) == Counter(sent=1)
    assert fake_telegram.sent(CHAT) == ["Pengingat."]
    assert row(database, message_id)["attempts"] == 2


# -- WhatsApp ------------------------------------------------------------------------------------


@pytest.fixture
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio(account_sid="AC" + "0" * 32, auth_token="secret-token") as fake:
        yield fake


TEMPLATE = "HX" + "5" * 32


def whatsapp_out(database: Database, fake: FakeTwilio, **changes: str) -> Settings:
    return whatsapp_settings(database, twilio_api_base_url=fake.base_url, **changes)


async def test_a_whatsapp_row_goes_through_twilio_with_its_status_callback(database: Database,
                                                                           fake_twilio: FakeTwilio) -> None:
    link_chat(database, SENDER, "whatsapp")
    message_id = queue(database, "whatsapp", SENDER, "Pengingat: besok pelatihan QRIS.")

    assert await send_due(database, whatsapp_out(database, fake_twilio), Clock()) == Counter(sent=1)
    [message] = fake_twilio.messages
    assert (message.to, message.from_, message.body) == (SENDER, "whatsapp:+14155238886",
                                                         "Pengingat: besok pelatihan QRIS.")
    assert message.status_callback == PUBLIC + "/whatsapp/status"
    assert row(database, message_id)["provider_message_id"] == message.sid


@pytest.mark.parametrize(("heard", "template"), [
    (timedelta(hours=23, minutes=49), False), (timedelta(hours=23, minutes=51), True), (timedelta(days=3), True),
    (None, True)], ids=["inside", "at-the-margin", "days-ago", "never"])
async def test_outside_whatsapps_24_hours_the_approved_template_carries_the_text(database: Database,
                                                                                  fake_twilio: FakeTwilio,
                                                                                  heard: timedelta | None,
                                                                                  template: bool) -> None:
    clock = Clock(START + timedelta(days=5))
    if heard is not None:
        link_chat(database, SENDER, "whatsapp", at=clock.now - heard)
    queue(database, "whatsapp", SENDER, "Pelatihan QRIS dibuka.", now=clock.now)

    settings = whatsapp_out(database, fake_twilio, twilio_announcement_content_sid=TEMPLATE)
    assert await send_due(database, settings, clock) == Counter(sent=1)
    [message] = fake_twilio.messages
    if template:
        assert (message.body, message.content_sid) == (None, TEMPLATE)
        assert json.loads(message.content_variables or "") == {"1": "Pelatihan QRIS dibuka."}
    else:
        assert (message.body, message.content_sid, message.content_variables) == ("Pelatihan QRIS dibuka.", None,
                                                                                  None)


async def test_outside_the_24_hours_without_a_template_the_row_fails_at_once(database: Database,
                                                                             fake_twilio: FakeTwilio) -> None:
    message_id = queue(database, "whatsapp", SENDER, "Pelatihan QRIS dibuka.")

    assert await send_due(database, whatsapp_out(database, fake_twilio), Clock()) == Counter(failed=1)
    assert fake_twilio.requests == []
    assert row(database, message_id)["error"] == NO_TEMPLATE


@pytest.mark.parametrize(("heard", "template"), [(timedelta(hours=1), False), (timedelta(days=3), True)],
                         ids=["inside", "days-ago"])
async def test_a_surveys_first_question_outside_the_24_hours_goes_as_the_approved_template(
        database: Database, fake_twilio: FakeTwilio, heard: timedelta, template: bool) -> None:
    clock = Clock(START + timedelta(days=5))
    seed(database, 1)
    with database.engine.begin() as connection:
        connection.execute(delete(Conversation))  # the sample's chat: the owner's WhatsApp is SENDER
        business = connection.scalar(select(Business.name))
    link_chat(database, SENDER, "whatsapp", at=clock.now - heard)
    with database.engine.begin() as connection:
        connection.execute(update(Conversation).values(owner_id=1))
    with database.transaction(clock.now) as registry:
        assert registry.follow_ups.start_survey(Kind.UPDATE, Segment(PROVINCE), PUSH_CHANNELS, "test")[1] == 1

    settings = whatsapp_out(database, fake_twilio, twilio_announcement_content_sid=TEMPLATE)
    assert await send_due(database, settings, clock) == Counter(sent=1)
    [message] = fake_twilio.messages
    first_question = message.body if not template else json.loads(message.content_variables or "")["1"]
    assert message.content_sid == (TEMPLATE if template else None)
    assert first_question.startswith(f"Dinas Koperasi dan UKM sedang memperbarui data {business}.")
    assert "Apakah usaha ini masih berjalan?" in first_question and "1. Ya" in first_question


@pytest.mark.parametrize("channel", ["telegram", "whatsapp"])
async def test_an_announcement_goes_out_in_its_frame_in_the_owners_language(
        database: Database, fake_telegram: FakeTelegram, fake_twilio: FakeTwilio, channel: str) -> None:
    address = str(CHAT) if channel == "telegram" else SENDER
    link_chat(database, address, channel)
    with database.transaction(START) as registry:
        registry.outbox.queue(ANNOUNCEMENT, None, channel, address, "Pelatihan QRIS dibuka.")
    with database.engine.begin() as connection:
        connection.execute(update(OutboxMessage).values(language="en"))
    settings = replace(whatsapp_out(database, fake_twilio), telegram_bot_token=fake_telegram.token,
                       telegram_api_base_url=fake_telegram.origin)

    assert await send_due(database, settings, Clock()) == Counter(sent=1)
    [text] = fake_telegram.sent(CHAT) if channel == "telegram" else fake_twilio.sent(SENDER)
    assert text == announcement_text("Pelatihan QRIS dibuka.", "en")
    assert text.startswith("Announcement from the Dinas Koperasi dan UKM")


@pytest.mark.parametrize(("code", "message"), [
    (63003, "Channel could not find To address"), (21610, "Attempt to send to unsubscribed recipient"),
    (21211, "The 'To' number is not a valid phone number."), (21614, "'To' number is not a valid mobile number")])
async def test_a_number_that_cannot_be_reached_fails_for_good_and_is_marked(
        database: Database, fake_twilio: FakeTwilio, code: int, message: str) -> None:
    link_chat(database, SENDER, "whatsapp")
    fake_twilio.refuse(SENDER, code, message)
    message_id = queue(database, "whatsapp", SENDER, "Pengingat.")

    assert await send_due(database, whatsapp_out(database, fake_twilio), Clock()) == Counter(failed=1)
    assert row(database, message_id)["error"] == f"Twilio 400 error {code}"
    assert blocked_at(database, "whatsapp", SENDER) is not None


async def test_a_message_twilio_refuses_fails_alone_and_blocks_nothing(database: Database,
                                                                       fake_twilio: FakeTwilio) -> None:
    link_chat(database, SENDER, "whatsapp")
    fake_twilio.refuse(SENDER, 21617, "The concatenated message body exceeds the 1600 character limit.")
    message_id = queue(database, "whatsapp", SENDER, "Pengingat.")

    assert await send_due(database, whatsapp_out(database, fake_twilio), Clock()) == Counter(failed=1)
    assert row(database, message_id)["error"] == "Twilio 400 error 21617"
    assert blocked_at(database, "whatsapp", SENDER) is None


async def test_twilio_throttling_puts_the_row_back_after_a_backoff(database: Database, fake_twilio: FakeTwilio) -> None:
    link_chat(database, SENDER, "whatsapp")
    fake_twilio.rate_limit_next(1)
    message_id = queue(database, "whatsapp", SENDER, "Pengingat.")
    settings, clock = whatsapp_out(database, fake_twilio), Clock()

    assert await send_due(database, settings, clock) == Counter(retrying=1)
    assert row(database, message_id)["due_at"] == START + backoff(1)
    assert fake_twilio.too_many_requests == 1
    clock.advance(backoff(1))
    assert await send_due(database, settings, clock) == Counter(sent=1)
    assert fake_twilio.sent(SENDER) == ["Pengingat."]


# -- the providers' limits ------------------------------------------------------------------------


async def test_with_the_limits_enforced_our_pace_draws_not_one_429(database: Database) -> None:
    chats = [str(chat) for chat in range(1, 61)] + [str(chat) for chat in range(1, 11)]  # ten chats get two
    numbers = [f"whatsapp:+62812000000{number:02d}" for number in range(25)]
    with database.transaction(START) as registry:
        for number in numbers:
            registry.save_conversation(registry.open_conversation("whatsapp", number))
        for chat in chats:
            registry.outbox.queue("seat", None, "telegram", chat, f"Pesan untuk {chat}.")
        for number in numbers:
            registry.outbox.queue("seat", None, "whatsapp", number, "Pesan.")
    with FakeTelegram(enforce_limits=True) as telegram, \
            FakeTwilio(account_sid="AC" + "0" * 32, auth_token="secret-token", enforce_limits=True) as twilio:
        settings = replace(whatsapp_out(database, twilio), telegram_bot_token=telegram.token,
                           telegram_api_base_url=telegram.origin)
        assert await send_due(database, settings, Clock()) == Counter(sent=len(chats) + len(numbers))
        assert (telegram.too_many_requests, twilio.too_many_requests) == (0, 0)
        assert len(twilio.messages) == len(numbers)


# -- what is claimed, and what goes back ----------------------------------------------------------


async def test_rows_of_a_channel_that_is_off_stay_pending(database: Database, fake_telegram: FakeTelegram) -> None:
    message_id = queue(database, "whatsapp", SENDER, "Pengingat.")
    assert await send_due(database, telegram_settings(database, fake_telegram), Clock()) == Counter()
    assert (row(database, message_id)["status"], row(database, message_id)["attempts"]) == ("pending", 0)


async def test_a_worker_stopping_puts_its_claimed_rows_back_untried(database: Database,
                                                                   fake_telegram: FakeTelegram) -> None:
    ids = [queue(database, "telegram", str(chat), "Pengingat.") for chat in (1, 2, 3)]
    stop = asyncio.Event()
    stop.set()

    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, Clock())
    try:
        assert await courier.send(claim(database, courier.channels, START), stop) == Counter({"put back": 3})
    finally:
        await courier.close()
    assert fake_telegram.sent(1) == []
    assert [(row(database, message_id)["status"], row(database, message_id)["attempts"]) for message_id in ids] == [
        ("pending", 0)] * 3


async def test_a_stop_midway_finishes_the_row_in_hand_and_puts_the_rest_back(database: Database,
                                                                            fake_telegram: FakeTelegram) -> None:
    ids = [queue(database, "telegram", str(CHAT), f"Pesan {number}.") for number in (1, 2, 3)]

    stop = asyncio.Event()
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, Clock())
    try:
        sending = asyncio.create_task(courier.send_due(stop))
        while not fake_telegram.sent(CHAT):  # the next waits a second for its turn in this chat
            await asyncio.sleep(0.01)
        stop.set()
        assert await sending == Counter({"sent": 1, "put back": 2})
    finally:
        await courier.close()
    assert fake_telegram.sent(CHAT) == ["Pesan 1."]
    assert [row(database, message_id)["status"] for message_id in ids] == ["sent", "pending", "pending"]


async def test_a_row_claimed_by_a_worker_that_died_is_sent_once_its_claim_is_stale(database: Database,
                                                                                  fake_telegram: FakeTelegram) -> None:
    # The one window for a second copy: a worker that sent and died before recording it.
    message_id = queue(database, "telegram", str(CHAT), "Pengingat.")
    assert len(claim(database, ("telegram",), START)) == 1  # and the worker dies
    settings, clock = telegram_settings(database, fake_telegram), Clock()
    clock.advance(CLAIM_TIMEOUT)
    assert await send_due(database, settings, clock) == Counter()
    clock.advance(timedelta(seconds=1))
    assert await send_due(database, settings, clock) == Counter(sent=1)
    assert row(database, message_id)["attempts"] == 2


# -- who carried each message, and how ----------------------------------------------------------------


class FakeSender:
    """A Sender of `provider`'s that takes every row; with `window`, as WhatsApp's do: free text inside the 24 hours,
    else the template. An address named in `refusing` is refused for good."""

    def __init__(self, provider: str, clock: Clock, *, window: bool, refusing: str = "") -> None:
        self.provider, self.clock, self.window, self.refusing = provider, clock, window, refusing
        self.pacer = Pacer(1000)

    async def send(self, row: Outgoing, _text: str) -> Outcome:
        if row.address == self.refusing:
            return Outcome(Verdict.FAILED, "refused")
        template = self.window and not within_window(row.heard_at, self.clock())
        return Outcome(Verdict.SENT, f"{self.provider}-{row.id}", template=template)

    async def close(self) -> None:
        pass


async def test_each_row_sent_records_its_sender_s_provider_and_whether_it_went_as_the_template(
        database: Database) -> None:
    clock = Clock()
    link_chat(database, "whatsapp:+628111", "whatsapp", at=START - timedelta(hours=1))  # inside the 24 hours
    link_chat(database, "whatsapp:+628222", "whatsapp", at=START - timedelta(days=2))  # outside
    link_chat(database, "whatsapp:+628333", "whatsapp", at=START - timedelta(days=2))
    link_chat(database, CHAT, at=START - timedelta(days=2))  # Telegram has no window
    ids = {address: queue(database, channel, address, "Kabar") for channel, address in (
        ("whatsapp", "whatsapp:+628111"), ("whatsapp", "whatsapp:+628222"), ("whatsapp", "whatsapp:+628333"),
        ("telegram", str(CHAT)))}
    senders = {"whatsapp": FakeSender("cloud", clock, window=True, refusing="whatsapp:+628333"),
               "telegram": FakeSender("telegram", clock, window=False)}
    courier = Courier(database, senders, clock)
    try:
        assert await courier.send_due(asyncio.Event()) == Counter(sent=3, failed=1)
    finally:
        await courier.close()

    recorded = {address: (row(database, message_id)["provider"], row(database, message_id)["template"])
                for address, message_id in ids.items()}
    assert recorded == {"whatsapp:+628111": ("cloud", False), "whatsapp:+628222": ("cloud", True),
                        "whatsapp:+628333": (None, None),  # never sent: nobody carried it
                        str(CHAT): ("telegram", False)}


# -- pacing and backoff ---------------------------------------------------------------------------


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def reserve(pacer: Pacer, *chats: str) -> list[float]:
    """The delays the pacer gives these sends, taken one after the other."""
    return [await pacer.reserve(chat) for chat in chats]


async def test_one_chat_gets_one_message_a_second() -> None:
    pacer = Pacer(30, chat_gap=1.0, clock=Ticks())
    assert await reserve(pacer, *["42"] * 4) == [0, 1, 2, 3]


async def test_many_chats_get_at_most_the_channels_rate() -> None:
    pacer = Pacer(30, chat_gap=1.0, clock=Ticks())
    delays = await reserve(pacer, *(str(chat) for chat in range(61)))
    assert delays[0] == 0 and delays[-1] == pytest.approx(2.0)
    assert all(later - earlier == pytest.approx(1 / 30) for earlier, later in pairwise(delays))


async def test_a_moment_passed_is_not_waited_for_and_chats_remembered_are_forgotten_once_past() -> None:
    ticks = Ticks()
    pacer = Pacer(10, chat_gap=1.0, clock=ticks)
    await reserve(pacer, *(str(chat) for chat in range(Pacer.PRUNE_AT)))
    ticks.now += 1000
    assert await reserve(pacer, "0", "0") == [0, 1.0]
    assert len(pacer._next_for) == 1


async def test_a_slot_missed_lets_its_chat_take_the_next_one_at_once() -> None:
    ticks = Ticks()
    pacer = Pacer(10, chat_gap=1.0, clock=ticks)
    assert await reserve(pacer, "42") == [0]
    ticks.now += 0.5  # the worker was busy: the send did not go
    pacer.missed("42")
    assert await reserve(pacer, "42", "7") == pytest.approx([0, 0.1])


async def test_whatsapp_pace_has_no_gap_per_chat() -> None:
    pacer = Pacer(10, clock=Ticks())
    assert await reserve(pacer, SENDER, SENDER, SENDER) == pytest.approx([0, 0.1, 0.2])


async def test_shared_slots_are_taken_in_blocks_as_the_registry_hands_them_out() -> None:
    ticks, asked = Ticks(), []

    def registry(count: int, spacing: float) -> list[float]:  # another worker holds the next half second
        asked.append(count)
        return [0.5 + sum(asked[:-1]) * spacing + slot * spacing for slot in range(count)]

    pacer = Pacer(20, clock=ticks, shared=registry)
    assert await reserve(pacer, *(str(chat) for chat in range(6))) == pytest.approx([0.5, 0.55, 0.6, 0.65, 0.7, 0.75])
    assert asked == [1] * 6  # one send waiting at a time: no slot taken that nobody uses

    together = await asyncio.gather(*(pacer.reserve(str(chat)) for chat in range(10)))
    assert sorted(together) == pytest.approx([0.5 + 0.05 * slot for slot in range(6, 16)])
    assert asked[6:] == [1, 4, 4, 1]  # the first alone, then as many as wait, up to a fifth of a second's slots


def test_a_pause_holds_the_channel_for_as_long_as_asked() -> None:
    ticks = Ticks()
    pacer = Pacer(30, clock=ticks)
    pacer.pause(3)
    assert pacer.paused
    ticks.now += 3
    assert not pacer.paused


def test_backoff_doubles_from_30_seconds_up_to_an_hour() -> None:
    assert [backoff(attempts).total_seconds() for attempts in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
