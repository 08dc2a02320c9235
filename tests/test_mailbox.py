"""One owner's messages one at a time, in the order they sent them; different owners side by side.

The messages travel the real Telegram webhook. While the test holds the owner's conversation lock
(as a slow earlier message would), a burst of a whole registration arrives in scrambled order; once
the lock is released each must be answered exactly once, as if the owner had sent them one by one:
in Telegram's update_id order, also when two server processes share the burst.
"""

import asyncio
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

import telegram_updates as tg
from bot.app import create_app
from bot.mailbox import Mailboxes
from bot.telegram import CHANNEL, SECRET_HEADER
from fake_telegram import FakeTelegram
from flows.conversation import ABANDONED_AFTER, Conversations, Waiting
from flows.messages import Inbound, Reply
from server import Server, serving
from store.db import Database
from store.models import Business, InboundMessage
from telegram_user import SECRET, telegram_settings
from transcript import START, Clock

CHAT = 424242
# Each message with words its answer holds only when every earlier one was answered before it.
REGISTRATION = [
    ("Daftarkan usaha saya", "Apakah Anda setuju?"), ("Ya, saya setuju", "Pertanyaan 1 dari 13"),
    ("Budi Santoso", "Pertanyaan 2 dari 13"), ("6202 0541 0790 0001", "Pertanyaan 3 dari 13"),
    ("0812 3456 7890", "Pertanyaan 4 dari 13"), ("Warung Makan Bu Sari", "Pertanyaan 5 dari 13"),
    ("Kuliner (makanan dan minuman)", "Pertanyaan 6 dari 13"), ("Kotawaringin Timur", "Pertanyaan 7 dari 13"),
    ("Baamang", "Pertanyaan 8 dari 13"), ("Jl. Tjilik Riwut Km 5 No. 12, RT 03", "Pertanyaan 9 dari 13"),
    ("Belum punya", "Pertanyaan 10 dari 13"), ("2019", "Pertanyaan 11 dari 13"), ("3", "Pertanyaan 12 dari 13"),
    ("15 juta", "Pertanyaan 13 dari 13"), ("2,5 jt", "Mohon periksa jawaban Anda"),
    ("Ya, simpan", "Usaha Anda sudah terdaftar"),
]
BURST = REGISTRATION + [("data saya", "Warung Makan Bu Sari")] * (50 - len(REGISTRATION))


@contextmanager
def conversation_locked(database: Database, address: str, channel: str = CHANNEL) -> Iterator[Callable[[], None]]:
    """Hold a chat's conversation lock, as a transaction busy with an earlier message would; yields the release."""
    connection = database.engine.connect()
    transaction = connection.begin()  # on SQLite this is BEGIN IMMEDIATE: the write lock itself
    _lock_row(connection, channel, address)
    try:
        yield transaction.commit
    finally:
        if transaction.is_active:
            transaction.rollback()
        connection.close()


def _lock_row(connection: Connection, channel: str, address: str) -> None:
    connection.execute(text("SELECT id FROM conversations WHERE channel = :channel AND address = :address FOR UPDATE"
                            if connection.dialect.name == "postgresql" else
                            "SELECT id FROM conversations WHERE channel = :channel AND address = :address"),
                       {"channel": channel, "address": address})


async def _deliver(urls: list[str], updates: list[dict[str, Any]], release: Callable[[], None],
                   all_queued: Callable[[], bool]) -> list[httpx.Response]:
    """Post every update at once (update i to urls[i % len(urls)]); release the lock once all have arrived."""
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=100)) as client:
        posts = [asyncio.create_task(client.post(urls[i % len(urls)] + "/telegram/webhook", json=update,
                                                 headers={SECRET_HEADER: SECRET}))
                 for i, update in enumerate(updates)]
        deadline = time.monotonic() + 30
        while not all_queued() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        release()
        return list(await asyncio.gather(*posts))


def _check_handled_in_order(database: Database, fake: FakeTelegram, responses: list[httpx.Response],
                            shown_in_order: bool = True) -> None:
    """Every message answered once, each with the answer its place in the owner's order gives.

    Answered together, the burst's answers go through the Bot API one after the other (separate
    webhook responses could be read in any order), so the owner's chat is what the fake received.
    Where two processes shared the burst, each sends its own requests' answers: every answer is
    there once, and each says what only handling in order can say, but the two streams interleave.
    """
    assert [response.status_code for response in responses] == [200] * len(BURST)
    seen = fake.sent(CHAT)[-len(BURST):]
    if shown_in_order:
        for (words, expected), answer in zip(BURST, seen, strict=True):
            assert expected in answer, (words, answer)
    for words, expected in REGISTRATION:
        assert sum(expected in answer for answer in seen) == 1, (words, expected, seen)
    with Session(database.engine) as session:
        [business] = session.scalars(select(Business)).all()
        handled = session.scalars(select(func.count()).select_from(InboundMessage)
                                  .where(InboundMessage.handled_at.is_not(None))).one()
    assert (business.name, business.registration_number) == ("Warung Makan Bu Sari", "UMKM-6202-000001")
    assert handled == len(BURST) + 1  # and the "halo" before


def _scrambled_burst() -> list[tuple[dict[str, Any], str]]:
    burst = [(tg.text(CHAT, words), expected) for words, expected in BURST]
    random.Random(3).shuffle(burst)  # arrival order is not the order the owner sent them in
    return burst


async def test_fifty_messages_at_once_from_one_owner_are_handled_once_each_in_order(
        database: Database, fake_telegram: FakeTelegram) -> None:
    app = create_app(telegram_settings(database, fake_telegram), database, clock=Clock(START))
    mailboxes = app.state.mailboxes
    with Server(app) as server:
        httpx.post(server.base_url + "/telegram/webhook", json=tg.text(CHAT, "halo"), headers={SECRET_HEADER: SECRET})
        burst = _scrambled_burst()
        with conversation_locked(database, str(CHAT)) as release:
            responses = await _deliver([server.base_url], [update for update, _ in burst], release,
                                       lambda: mailboxes.waiting(CHANNEL, str(CHAT)) == len(burst))
    _check_handled_in_order(database, fake_telegram, responses)


async def test_another_owner_is_answered_while_one_waits(database: Database, fake_telegram: FakeTelegram) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: owners queue for it, for a millisecond each")
    app = create_app(telegram_settings(database, fake_telegram), database, clock=Clock(START))
    with Server(app) as server:
        async with httpx.AsyncClient(base_url=server.base_url, headers={SECRET_HEADER: SECRET}) as http:
            await http.post("/telegram/webhook", json=tg.text(CHAT, "halo"))
            with conversation_locked(database, str(CHAT)) as release:
                waiting = asyncio.create_task(http.post("/telegram/webhook", json=tg.text(CHAT, "data saya")))
                other = await http.post("/telegram/webhook", json=tg.text(CHAT + 1, "halo"))
                still_waiting = not waiting.done()
                release()
                waited = await waiting
    assert other.status_code == 200 and "Selamat datang" in other.json()["text"]
    assert still_waiting and waited.status_code == 200


async def test_two_server_processes_share_one_owners_burst_in_order(database: Database, fake_telegram: FakeTelegram,
                                                                  tmp_path: Path) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("several server processes are the PostgreSQL deployment")
    settings = telegram_settings(database, fake_telegram)
    environment = {**os.environ, "DATABASE_URL": database.url, "TELEGRAM_BOT_TOKEN": settings.telegram_bot_token,
                   "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_API_BASE_URL": settings.telegram_api_base_url}
    with serving(environment, tmp_path / "first.log") as first, serving(environment, tmp_path / "second.log") as second:
        httpx.post(first + "/telegram/webhook", json=tg.text(CHAT, "halo"), headers={SECRET_HEADER: SECRET})
        burst = _scrambled_burst()
        with conversation_locked(database, str(CHAT)) as release:
            # Both processes write their share as waiting while the lock is held: count them in the registry.
            responses = await _deliver([first, second], [update for update, _ in burst], release,
                                       lambda: _waiting_rows(database) == len(burst))
    _check_handled_in_order(database, fake_telegram, responses, shown_in_order=False)


def _waiting_rows(database: Database) -> int:
    with Session(database.engine) as session:
        return session.scalars(select(func.count()).select_from(InboundMessage)
                               .where(InboundMessage.handled_at.is_(None))).one()


@pytest.fixture
def mailboxes(database: Database) -> Mailboxes:
    """The mailboxes of one server process, on its own clock."""
    return Mailboxes(Conversations(database, Clock()))


async def test_a_message_delivered_again_while_its_first_delivery_waits_is_answered_on_the_latest(
        database: Database, mailboxes: Mailboxes) -> None:
    """A provider resends when it gave up waiting: the answer goes where it is now read, once."""
    first = Inbound("web", "budi", "m1", "halo")
    _open_conversation(database, "web", "budi")
    with conversation_locked(database, "budi", channel="web") as release:
        abandoned = asyncio.create_task(mailboxes.handle(first))
        resent = asyncio.create_task(mailboxes.handle(first))
        while mailboxes.waiting("web", "budi") < 2:
            await asyncio.sleep(0.01)
        release()
        assert await abandoned == []
        assert "Selamat datang di TABE" in (await resent)[0].text


async def test_a_request_that_stopped_waiting_leaves_the_chat_working(database: Database,
                                                                     mailboxes: Mailboxes) -> None:
    _open_conversation(database, "web", "budi")
    with conversation_locked(database, "budi", channel="web") as release:
        gone = asyncio.create_task(mailboxes.handle(Inbound("web", "budi", "m1", "halo")))
        while mailboxes.waiting("web", "budi") < 1:
            await asyncio.sleep(0.01)
        gone.cancel()  # its client went away while the chat was busy
        release()
        await asyncio.sleep(0.2)
        answer = await asyncio.wait_for(mailboxes.handle(Inbound("web", "budi", "m2", "daftar")), timeout=20)
    assert "Apakah Anda setuju?" in answer[-1].text


async def test_a_message_whose_handling_failed_is_not_answered_again_behind_the_owners_back(
        mailboxes: Mailboxes, monkeypatch: pytest.MonkeyPatch) -> None:
    """The owner was told to send it again; the failed one must not also count when they do."""
    conversations = mailboxes.conversations
    await mailboxes.handle(Inbound("web", "budi", "m1", "halo"))
    real = conversations.handle_waiting

    def registry_down(*_args: object) -> dict[str, list[Reply]]:
        raise OperationalError("SELECT", {}, Exception("the registry is down"))

    monkeypatch.setattr(conversations, "handle_waiting", registry_down)
    with pytest.raises(OperationalError):
        await mailboxes.handle(Inbound("web", "budi", "m2", "1"))  # "1": register
    monkeypatch.setattr(conversations, "handle_waiting", real)
    answer = await mailboxes.handle(Inbound("web", "budi", "m3", "1"))  # sent again
    assert "Apakah Anda setuju?" in answer[-1].text  # the consent is asked, not taken as given


def test_a_message_left_waiting_by_a_request_that_is_gone_is_dropped(database: Database) -> None:
    if database.engine.dialect.name == "sqlite":
        pytest.skip("only where waiting messages are shared rows")
    clock = Clock()
    conversations = Conversations(database, clock)
    conversations.handle(Inbound("web", "budi", "m1", "halo"))
    assert conversations.queue(Waiting(Inbound("web", "budi", "m2", "1"), 2))  # and then its process died
    clock.advance(ABANDONED_AFTER + timedelta(seconds=1))
    answer = conversations.handle(Inbound("web", "budi", "m3", "1"))
    assert "Apakah Anda setuju?" in answer[-1].text
    assert conversations.handle(Inbound("web", "budi", "m2", "1")) == []  # counted as handled


def _open_conversation(database: Database, channel: str, address: str) -> None:
    Conversations(database, Clock()).handle(Inbound(channel, address, f"open-{address}", ""))
