"""The worker: housekeeping, tomorrow's reminders, and the outbox sent exactly once, in-process and as processes."""

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path
from time import monotonic as time_now
from time import sleep

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.channels import CHANNELS
from bot.delivery import Courier
from bot.sample import seed
from bot.settings import Settings
from bot.worker import forget_old_message_ids, purge_unfinished_answers, queue_due_reminders, work_once
from domain.channels import PUSH_CHANNELS
from domain.wib import WIB, in_wib
from fake_telegram import FakeTelegram
from flows.conversation import Conversations
from flows.engine import Turn
from flows.messages import Inbound
from flows.programme_file import save_programmes
from flows.retention import purged_notice
from server import TABE
from store.announcements import Cancelled, Segment
from store.db import Database
from store.models import (
    Conversation,
    DeliveryStatus,
    InboundMessage,
    OutboxMessage,
    Owner,
    TrainingSession,
    as_utc,
    utcnow,
)
from store.officers import PROVINCE
from store.training import ProgrammeRecord, SessionRecord, SignUp
from transcript import START, Chat, Clock


def test_message_ids_and_status_callbacks_are_forgotten_after_a_week_and_kept_answers_after_two_minutes(database: Database) -> None:
    clock = Clock()
    conversations = Conversations(database, clock)
    conversations.handle(Inbound("web", "budi", "old", "halo"))
    clock.advance(timedelta(days=6))
    conversations.handle(Inbound("web", "budi", "recent", "daftar"))
    with database.engine.begin() as connection:  # as if another process's request never collected it
        connection.execute(update(InboundMessage).where(InboundMessage.provider_message_id == "recent")
                           .values(replies=[{"text": "Apakah Anda setuju?"}]))

    for message_id, days_ago in (("SMold", 8), ("SMrecent", 6)):
        with database.transaction(START + timedelta(days=7, minutes=1) - timedelta(days=days_ago)) as registry:
            registry.record_delivery_status("whatsapp", message_id, "delivered", None)

    assert forget_old_message_ids(database, now=START + timedelta(days=7, minutes=1)) == 1
    with Session(database.engine) as session:
        kept = session.execute(select(InboundMessage.provider_message_id, InboundMessage.replies)).all()
        statuses = session.scalars(select(DeliveryStatus.provider_message_id)).all()
    assert [tuple(row) for row in kept] == [("recent", None)]
    assert statuses == ["SMrecent"]


# -- unfinished answers ------------------------------------------------------------------------------

PURGED_NOTICE = ("Jawaban pendaftaran Anda yang belum selesai sudah kami hapus setelah 90 hari, sesuai aturan data "
                 "pribadi. Silakan mulai lagi dengan \"daftar\".")
DRAFT = {"text": "Pelatihan QRIS gratis"}  # an officer's announcement being written: nobody's personal data


def _states(database: Database) -> dict[str, tuple[str, str, dict, datetime]]:
    with database.engine.connect() as connection:
        rows = connection.execute(select(Conversation.address, Conversation.flow, Conversation.step,
                                         Conversation.answers, Conversation.updated_at))
        return {row.address: (row.flow, row.step, row.answers, as_utc(row.updated_at)) for row in rows}


def test_unfinished_answers_are_deleted_after_90_days_idle_batch_by_batch_and_the_owner_is_told_once(
        database: Database) -> None:
    clock = Clock()
    conversations = Conversations(database, clock)
    for address in ("idle-1", "idle-2", "idle-3", "paused"):
        chat = Chat(conversations, address)
        for says in ("daftar", "ya", "Budi Santoso", "6202 0541 0790 0001"):  # a NIK among the answers
            chat.say(says)
    with database.transaction(clock()) as registry:  # an officer's draft beside a paused registration
        state = registry.open_conversation("terminal", "paused")
        state.answers["announce"], state.flow, state.step = dict(DRAFT), "announce", "audience"
        registry.save_conversation(state)
    clock.advance(timedelta(days=60))
    recent = Chat(conversations, "recent")
    recent.say("daftar")
    recent.say("ya")
    clock.advance(timedelta(days=30))
    assert purge_unfinished_answers(database, clock()) == 0  # 90 days to the minute: not yet

    clock.advance(timedelta(days=1))
    assert purge_unfinished_answers(database, clock(), batch=2) == 4
    assert purge_unfinished_answers(database, clock(), batch=2) == 0
    states = _states(database)
    purged = ("menu", "purged:registration")
    assert {address: states[address] for address in ("idle-1", "idle-2", "idle-3", "paused")} == {
        "idle-1": (*purged, {}, START), "idle-2": (*purged, {}, START), "idle-3": (*purged, {}, START),
        "paused": (*purged, {"announce": DRAFT}, START)}  # it has not moved: its time stays
    assert states["recent"][0] == "registration" and "consent" in states["recent"][2]["registration"]

    with database.transaction(clock()) as registry:
        turn = Turn(registry.open_conversation("terminal", "idle-1"), Inbound("terminal", "idle-1", "m1", "halo"),
                    registry)
        notice = purged_notice(turn)
        assert notice is not None and notice.text == PURGED_NOTICE
        assert purged_notice(turn) is None  # told once
        assert (turn.state.flow, turn.state.step) == ("menu", "start")
        recent_turn = Turn(registry.open_conversation("terminal", "recent"),
                           Inbound("terminal", "recent", "m2", "halo"), registry)
        assert purged_notice(recent_turn) is None
    returning = Chat(conversations, "idle-2")
    told = returning.say("halo")
    assert told.startswith(PURGED_NOTICE) and "Menu utama" in told
    assert PURGED_NOTICE not in returning.say("halo")
    assert "Apakah Anda setuju?" in returning.say("daftar")  # nothing of the old answers is left to resume


# -- reminders and the outbox -----------------------------------------------------------------------

CHAT = 4242
TICK = 0.2  # the worker processes' tick here: a few of them pass in a second
WORKER_AT = Path(__file__).parent / "worker_at.py"


QRIS = ProgrammeRecord("qris", "Pelatihan QRIS", "Pembayaran digital untuk UMKM.", "Dinas Koperasi dan UKM",
                       ("keuangan",))


def reminder_scene(database: Database, now: datetime, chat_id: int, days_ahead: int = 1) -> SessionRecord:
    """Owner 1, whose last chat is on Telegram, registered in a session that starts `days_ahead` days from now
    (WIB) at 10.00: the session, as imported."""
    seed(database, 1)
    starts_at = datetime.combine(in_wib(now).date() + timedelta(days=days_ahead), time(10), tzinfo=WIB)
    session = SessionRecord("qris", "palangka-1", starts_at, starts_at + timedelta(hours=3), "Aula Dinas Koperasi",
                            "62.71", 20, starts_at - timedelta(hours=12))
    with database.transaction(now) as registry:
        chat = registry.open_conversation("telegram", str(chat_id))
        chat.owner_id = 1
        registry.save_conversation(chat)
        registry.training.import_programmes([QRIS], [session])
    with database.engine.connect() as connection:
        session_id = connection.execute(select(TrainingSession.id)).scalar_one()
    with database.transaction(now) as registry:
        assert registry.training.sign_up(session_id, 1, registry.audience(1), waitlist=False) == SignUp.REGISTERED
    return session


def outbox_statuses(database: Database) -> list[str]:
    with database.engine.connect() as connection:
        return list(connection.execute(select(OutboxMessage.status).order_by(OutboxMessage.id)).scalars())


def telegram_settings(database: Database, fake: FakeTelegram) -> Settings:
    return Settings(database_url=database.url, telegram_bot_token=fake.token, telegram_api_base_url=fake.origin)


async def test_a_tick_queues_tomorrows_reminders_from_nine_and_sends_each_once(database: Database,
                                                                               fake_telegram: FakeTelegram) -> None:
    clock = Clock(START - timedelta(minutes=1))  # 08.59 WIB
    reminder_scene(database, clock(), CHAT)

    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter()
        clock.advance(timedelta(minutes=1))
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=1)
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter()
    finally:
        await courier.close()
    [reminder] = fake_telegram.sent(CHAT)
    assert "Pelatihan QRIS" in reminder and "Aula Dinas Koperasi" in reminder
    assert outbox_statuses(database) == ["sent"]


@pytest.mark.parametrize("answer", ["said no", "never asked"])
async def test_a_reminder_goes_to_an_owner_who_receives_no_announcements(database: Database,
                                                                         fake_telegram: FakeTelegram,
                                                                         answer: str) -> None:
    """A reminder is part of the training the owner signed up for, not an announcement: their consent is that."""
    clock = Clock(START)  # 09.00 WIB
    reminder_scene(database, clock(), CHAT)
    with database.transaction(clock()) as registry:
        if answer == "said no":
            assert registry.announcements.stop(1, "test")
        else:
            registry.session.execute(update(Owner).where(Owner.id == 1).values(announcements_accepted_at=None))
        assert not registry.announcements.receives(1)
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=1)
    finally:
        await courier.close()
    [reminder] = fake_telegram.sent(CHAT)
    assert reminder.startswith("Pengingat: besok") and "Pelatihan QRIS" in reminder


async def test_a_reminder_goes_a_week_before_too(database: Database, fake_telegram: FakeTelegram) -> None:
    clock = Clock(START)  # 09.00 WIB
    reminder_scene(database, clock(), CHAT, days_ahead=7)
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=1)
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter()
    finally:
        await courier.close()
    [reminder] = fake_telegram.sent(CHAT)
    assert reminder.startswith("Pengingat: seminggu lagi") and "Aula Dinas Koperasi" in reminder


async def test_a_session_moved_after_its_reminder_was_queued_is_sent_with_its_new_place(
        database: Database, fake_telegram: FakeTelegram) -> None:
    clock = Clock(START)  # 09.00 WIB
    session = reminder_scene(database, clock(), CHAT)
    assert queue_due_reminders(database, clock()) == 1
    with database.transaction(clock()) as registry:
        registry.training.import_programmes([QRIS], [replace(session, place="GOR Tuah Pahoe")])
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=1)
    finally:
        await courier.close()
    [reminder] = fake_telegram.sent(CHAT)
    assert "GOR Tuah Pahoe" in reminder and "Aula Dinas Koperasi" not in reminder


async def test_a_session_moved_tells_its_owners_once_per_change(database: Database,
                                                               fake_telegram: FakeTelegram) -> None:
    clock = Clock(START - timedelta(hours=2))  # before the reminders' hour: only the change goes
    session = reminder_scene(database, clock(), CHAT, days_ahead=3)
    moved = replace(session, place="GOR Tuah Pahoe")
    for again in (moved, moved):  # the same file imported twice is one change
        with database.transaction(clock()) as registry:
            save_programmes(registry, [QRIS], [again])
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=1)
    finally:
        await courier.close()
    [told] = fake_telegram.sent(CHAT)
    assert told.startswith("Pelatihan QRIS berubah") and "GOR Tuah Pahoe" in told


def waiting_in_line(database: Database, now: datetime, session: SessionRecord, chat_id: int) -> None:
    """Owner 2, on Telegram, on the waiting list of the reminder scene's session, made full at one seat."""
    seed(database, 1)
    with database.transaction(now) as registry:
        chat = registry.open_conversation("telegram", str(chat_id))
        chat.owner_id = 2
        registry.save_conversation(chat)
        registry.training.import_programmes([QRIS], [replace(session, capacity=1)])
        session_id = registry.session.execute(select(TrainingSession.id)).scalar_one()
        assert registry.training.sign_up(session_id, 2, registry.audience(2), waitlist=True) == SignUp.WAITLISTED


async def test_a_session_moved_tells_the_owners_waiting_for_a_seat_too(database: Database,
                                                                      fake_telegram: FakeTelegram) -> None:
    clock = Clock(START - timedelta(hours=2))
    session = reminder_scene(database, clock(), CHAT, days_ahead=3)
    waiting_in_line(database, clock(), session, CHAT + 1)
    with database.transaction(clock()) as registry:
        save_programmes(registry, [QRIS], [replace(session, capacity=1, starts_at=session.starts_at + timedelta(hours=1),
                                                   ends_at=session.ends_at + timedelta(hours=1))])
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=2)
    finally:
        await courier.close()
    for chat_id in (CHAT, CHAT + 1):
        [told] = fake_telegram.sent(chat_id)
        assert told.startswith("Pelatihan QRIS berubah") and "11.00" in told


async def test_a_cancelled_session_tells_its_owners_once_and_sends_nothing_more(database: Database,
                                                                                fake_telegram: FakeTelegram) -> None:
    clock = Clock(START)  # 09.00 WIB: tomorrow's reminder is queued, not yet sent
    session = reminder_scene(database, clock(), CHAT)
    waiting_in_line(database, clock(), session, CHAT + 1)
    assert queue_due_reminders(database, clock()) == 1
    cancelled = replace(session, capacity=1, cancelled=True)
    for again in (cancelled, cancelled):  # the same file imported twice cancels once
        with database.transaction(clock()) as registry:
            counts = save_programmes(registry, [QRIS], [again])
    assert counts.cancelled == []
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=2)
        clock.advance(timedelta(hours=3))
        assert queue_due_reminders(database, clock()) == 0
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter()
    finally:
        await courier.close()
    for chat_id in (CHAT, CHAT + 1):
        [told] = fake_telegram.sent(chat_id)
        assert told.startswith("Mohon maaf: Pelatihan QRIS") and "dibatalkan" in told
    assert outbox_statuses(database) == ["cancelled", "sent", "sent"]
    with database.transaction(clock()) as registry:
        assert registry.training.holding_places(registry.session.execute(select(TrainingSession.id)).scalar_one()) == []
        assert registry.training.upcoming_of(1) == [] and registry.training.open_programmes(registry.audience(1)) == []


def worker_environment(database: Database, fake: FakeTelegram) -> dict[str, str]:
    keep = {name: value for name, value in os.environ.items() if not name.startswith(("TELEGRAM_", "TWILIO_"))}
    return {**keep, "DATABASE_URL": database.url, "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.origin}


def wait_for(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time_now() + timeout
    while not condition():
        assert time_now() < deadline, f"waited {timeout} s for {what}"
        sleep(0.05)


@contextmanager
def worker_process(environment: dict[str, str], log: Path, command: list[str]) -> Iterator[subprocess.Popen[bytes]]:
    """A worker process logging to `log`; killed at the end if the test has not stopped it."""
    with log.open("a") as output:
        process = subprocess.Popen(command, env=environment, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=20)


async def test_an_announcement_for_later_is_not_sent_early_is_sent_once_and_a_cancelled_one_never(
        database: Database, fake_telegram: FakeTelegram) -> None:
    clock = Clock(START)  # 09.00 WIB
    seed(database, 1)
    with database.transaction(clock()) as registry:
        chat = registry.open_conversation("telegram", str(CHAT))
        chat.owner_id = 1
        registry.save_conversation(chat)
        at_eleven = clock() + timedelta(hours=2)
        registry.announcements.announce("Pasar murah jam 11", Segment(PROVINCE), PUSH_CHANNELS, "test",
                                        send_at=at_eleven)
        cancelled, _ = registry.announcements.announce("Dibatalkan", Segment(PROVINCE), PUSH_CHANNELS, "test",
                                                       send_at=at_eleven)
    courier = Courier.for_settings(CHANNELS, telegram_settings(database, fake_telegram), database, clock)
    try:
        clock.advance(timedelta(hours=1, minutes=59))
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter()
        with database.transaction(clock()) as registry:
            assert registry.announcements.cancel(cancelled, PROVINCE) is Cancelled.DONE
        clock.advance(timedelta(minutes=1))
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter(sent=1)
        clock.advance(timedelta(hours=1))
        assert await work_once(database, courier, asyncio.Event(), clock) == Counter()
    finally:
        await courier.close()
    [announcement] = fake_telegram.sent(CHAT)
    assert "Pasar murah jam 11" in announcement
    assert outbox_statuses(database) == ["sent", "cancelled"]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_reminder_is_sent_exactly_once_across_a_worker_restart(sqlite_database: Database,
                                                                fake_telegram: FakeTelegram, tmp_path: Path,
                                                                stop: signal.Signals) -> None:
    # The worker's day starts at 10.00 WIB, whenever the test runs: reminders go out from 09.00.
    began, ten = time_now(), datetime.combine(in_wib(utcnow()).date(), time(10), tzinfo=WIB)

    def worker_clock() -> datetime:
        return ten + timedelta(seconds=time_now() - began)

    def command() -> list[str]:
        return [sys.executable, str(WORKER_AT), str(worker_clock().timestamp()), str(TICK)]

    reminder_scene(sqlite_database, worker_clock(), CHAT)
    environment, log = worker_environment(sqlite_database, fake_telegram), tmp_path / "worker.log"
    with worker_process(environment, log, command()) as first:
        wait_for(lambda: fake_telegram.sent(CHAT), "the reminder")
        if stop == signal.SIGKILL:  # killed once the outcome is recorded: nothing is in flight
            wait_for(lambda: outbox_statuses(sqlite_database) == ["sent"], "the reminder recorded sent")
        first.send_signal(stop)
        first.wait(timeout=20)
    assert first.returncode == (0 if stop == signal.SIGTERM else -signal.SIGKILL), log.read_text()
    assert outbox_statuses(sqlite_database) == ["sent"]  # SIGTERM: the row in hand was finished

    with worker_process(environment, log, command()) as second:
        wait_for(lambda: log.read_text().count("forgot ") == 2, "the second worker's first tick")
        sleep(5 * TICK)
        second.terminate()
        second.wait(timeout=20)
    assert second.returncode == 0, log.read_text()
    assert len(fake_telegram.sent(CHAT)) == 1
    assert outbox_statuses(sqlite_database) == ["sent"]


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
def test_two_workers_on_postgresql_send_each_of_200_rows_exactly_once(database: Database,
                                                                      fake_telegram: FakeTelegram,
                                                                      tmp_path: Path) -> None:
    chats = range(1001, 1101)
    with database.transaction() as registry:
        for round_ in (1, 2):
            for chat in chats:
                registry.outbox.queue("seat", None, "telegram", str(chat), f"pesan {round_} untuk {chat}")
    environment = worker_environment(database, fake_telegram)
    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    with worker_process(environment, logs[0], [str(TABE), "worker"]) as one, \
            worker_process(environment, logs[1], [str(TABE), "worker"]) as two:
        wait_for(lambda: outbox_statuses(database) == ["sent"] * 200, "every row recorded sent", timeout=60)
        for worker in (one, two):
            worker.terminate()
            worker.wait(timeout=20)
    assert (one.returncode, two.returncode) == (0, 0)

    delivered = Counter((call.chat_id, call.params["text"]) for call in fake_telegram.calls_to("sendMessage")
                        if call.status == 200)
    assert delivered == Counter({(chat, f"pesan {round_} untuk {chat}"): 1 for chat in chats for round_ in (1, 2)})
    sent_by = [sum(int(count) for count in re.findall(r"outbox: .*?(\d+) sent", log.read_text())) for log in logs]
    assert sum(sent_by) == 200 and min(sent_by) > 0, f"both workers should have taken part: {sent_by}"
