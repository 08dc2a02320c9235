"""Telegram updates as the conversation reads them, and replies as Telegram shows them."""

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from telegram import Bot, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError, TimedOut

import telegram_updates as tg
from bot.app import create_app
from bot.delivery import Verdict
from bot.telegram import inbound_from_update, outcome_of, render
from fake_telegram import FakeTelegram
from flows.i18n import Text
from flows.messages import CONTACT, EDITED, LOCATION, MEDIA, OLD_BUTTON, SORRY, STICKER, VOICE, Choice, Inbound, Reply
from flows.programme_file import apply_programmes, read_programme_file
from server import Server
from store.db import Database
from store.models import Conversation, Owner
from telegram_user import SECRET, TelegramUser, telegram_settings
from transcript import FIXED_START, START, Clock, check, read_transcript, speakers

CHAT = 123456789
OTHER_CHAT = 987654321  # a colleague officer's Telegram, in transcripts with `@colleague`
BOT = Bot("123:TEST")
TRANSCRIPTS = Path(__file__).parent / "transcripts"


def _read(data: dict[str, Any]) -> Inbound | None:
    return inbound_from_update(Update.de_json(data, BOT))


@pytest.mark.parametrize(("data", "text", "attachment", "verified_phone"), [
    (tg.text(CHAT, "halo"), "halo", None, None),
    (tg.text(CHAT, "/start"), "/start", None, None),
    (tg.text(CHAT, "/start@tabe_test_bot ref-brosur"), "/start", None, None),
    (tg.text(CHAT, "/daftar@tabe_test_bot"), "/daftar", None, None),
    (tg.contact(CHAT, "6281234567890"), "+6281234567890", CONTACT, "+6281234567890"),
    (tg.contact(CHAT, "+62 812-3456-7890", own=False), "+6281234567890", CONTACT, None),
    (tg.contact(CHAT, "99912345678"), "", CONTACT, None),  # no country's number: not shown, not vouched for
    (tg.photo(CHAT), "", MEDIA, None),
    (tg.photo(CHAT, caption="Warung Bu Sari"), "Warung Bu Sari", MEDIA, None),
    (tg.sticker(CHAT), "", STICKER, None),
    (tg.location(CHAT), "", LOCATION, None),
    (tg.voice(CHAT), "", VOICE, None),
    (tg.edited(CHAT, "Budi"), "", EDITED, None),
    (tg.button_press(CHAT), "", OLD_BUTTON, None),
], ids=["text", "start", "start-deep-link", "command-with-bot-name", "own-contact", "someone-elses-contact",
        "no-number-contact", "photo", "photo-with-caption", "sticker", "location", "voice", "edited", "old-button"])
def test_an_update_becomes_an_inbound(data: dict[str, Any], text: str, attachment: str | None,
                                      verified_phone: str | None) -> None:
    inbound = _read(data)
    assert inbound is not None
    assert (inbound.channel, inbound.address, inbound.message_id) == ("telegram", str(CHAT), str(data["update_id"]))
    assert (inbound.text, inbound.attachment, inbound.verified_phone) == (text, attachment, verified_phone)


@pytest.mark.parametrize("data", [tg.group_text(CHAT, "halo"), tg.membership(CHAT, "kicked")], ids=["group", "member"])
def test_what_is_not_a_private_message_is_not_an_inbound(data: dict[str, Any]) -> None:
    assert _read(data) is None


def test_choices_become_a_keyboard_that_goes_away_after_use() -> None:
    text, markup = render(Reply("Apakah Anda setuju?", (Choice(1, "Ya, saya setuju"), Choice(2, "Tidak"))))
    assert text == "Apakah Anda setuju?"
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert [[button.text for button in row] for row in markup.keyboard] == [["Ya, saya setuju", "Tidak"]]
    assert markup.one_time_keyboard and markup.resize_keyboard


def test_long_labels_sit_one_to_a_row_and_button_only_choices_are_kept() -> None:
    _text, markup = render(Reply("NIB?", (Choice(None, "Belum punya NIB sama sekali"),)))
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert [[button.text for button in row] for row in markup.keyboard] == [["Belum punya NIB sama sekali"]]


def test_the_phone_question_offers_to_share_the_contact() -> None:
    _text, markup = render(Reply("Nomor HP?", expects="phone"))
    assert isinstance(markup, ReplyKeyboardMarkup)
    [[button]] = markup.keyboard
    assert button.request_contact and button.text == "Bagikan nomor HP saya"
    _text, english = render(Reply("Phone?", expects="phone", language="en"))
    assert isinstance(english, ReplyKeyboardMarkup) and english.keyboard[0][0].text == "Share my phone number"


def test_a_stranger_is_offered_to_share_their_number_below_the_choices() -> None:
    _text, markup = render(Reply("Menu utama.", (Choice(1, "Daftarkan usaha saya"),), expects="identity"))
    assert isinstance(markup, ReplyKeyboardMarkup)
    assert [[(b.text, bool(b.request_contact)) for b in row] for row in markup.keyboard] == [
        [("Daftarkan usaha saya", False)], [("Sudah pernah mendaftar? Bagikan nomor HP saya", True)]]


def test_a_reply_without_choices_clears_an_earlier_keyboard() -> None:
    assert isinstance(render(Reply("Siapa nama Anda?"))[1], ReplyKeyboardRemove)


@pytest.fixture
def telegram(database: Database, fake_telegram: FakeTelegram) -> Iterator[TelegramUser]:
    app = create_app(telegram_settings(database, fake_telegram), database, clock=Clock(START))
    with Server(app) as server, httpx.Client(base_url=server.base_url) as client:
        yield TelegramUser(client, fake_telegram, CHAT)


TELEGRAM_TRANSCRIPTS = sorted((TRANSCRIPTS / "telegram").glob("*.txt"))


@pytest.mark.parametrize("path", TELEGRAM_TRANSCRIPTS, ids=[path.stem for path in TELEGRAM_TRANSCRIPTS])
def test_transcript_over_telegram(database: Database, fake_telegram: FakeTelegram, path: Path) -> None:
    """Every transcript under transcripts/telegram, through the real webhook, buttons as the owner sees them; a
    colleague officer chats through it too, from another chat."""
    transcript = read_transcript(path)
    clock = Clock(START if transcript.programmes is None else FIXED_START)
    if transcript.programmes is not None:
        apply_programmes(database, *read_programme_file(transcript.programmes))
    app = create_app(telegram_settings(database, fake_telegram), database, clock=clock)
    with Server(app) as server, httpx.Client(base_url=server.base_url) as client:
        # The colleague chats through the same fake Telegram and webhook, from a second chat.
        others = speakers(database, transcript, clock(), str(CHAT),
                          lambda telegram_id: TelegramUser(client, fake_telegram, int(telegram_id)).say,
                          colleague_id=str(OTHER_CHAT))
        check(path, TelegramUser(client, fake_telegram, CHAT).say, clock.advance, start=clock(), others=others)


def test_a_whole_registration_over_telegram_keeps_the_shared_number_as_verified(telegram: TelegramUser,
                                                                               database: Database) -> None:
    check(TRANSCRIPTS / "telegram" / "registration.txt", telegram.say)
    with Session(database.engine) as session:
        owner = session.scalars(select(Owner)).one()
    assert (owner.phone, owner.phone_verified) == ("+6281234567890", True)


def test_the_server_asks_telegram_who_it_is_at_start(telegram: TelegramUser) -> None:
    assert [call.method for call in telegram.fake.calls][:1] == ["getMe"]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"], ids=["none", "empty", "wrong", "longer"])
def test_a_forged_update_is_refused(telegram: TelegramUser, secret: str | None) -> None:
    assert telegram.post(tg.text(CHAT, "halo"), secret=secret).status_code == 403


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'"halo"', b"{}", b'{"update_id": "1"}',
                                  b'{"update_id": 1, "message": {"text": "no chat"}}', "halo".encode("utf-16")],
                         ids=["broken", "list", "string", "no-id", "id-not-a-number", "message-without-chat", "utf16"])
def test_a_malformed_update_gets_400(telegram: TelegramUser, body: bytes) -> None:
    assert telegram.post(body).status_code == 400


def test_a_redelivered_update_is_answered_once_and_changes_nothing_twice(telegram: TelegramUser,
                                                                       database: Database) -> None:
    telegram.say("halo")
    register = tg.text(CHAT, "1")  # at the menu, "1" registers; at the consent question, it agrees
    assert "Apakah Anda setuju?" in telegram.send(register)[0]
    assert telegram.send(register) == []
    with Session(database.engine) as session:
        conversation = session.scalars(select(Conversation)).one()
    assert (conversation.flow, conversation.step) == ("registration", "consent")


@pytest.mark.parametrize(("update", "words"), [
    (tg.photo(CHAT), "hanya bisa membaca pesan teks"),
    (tg.sticker(CHAT), "Stiker"),
    (tg.location(CHAT), "lokasi"),
    (tg.voice(CHAT), "pesan suara"),
    (tg.edited(CHAT, "Budi"), "mengubah pesan sebelumnya"),
    (tg.button_press(CHAT), "Tombol itu milik pesan sebelumnya"),
], ids=["photo", "sticker", "location", "voice", "edited", "old-button"])
def test_what_is_not_an_answer_gets_a_kind_word_and_the_question_again(telegram: TelegramUser,
                                                                      update: dict[str, Any], words: str) -> None:
    [message] = telegram.send(update)
    assert words in message and "Menu utama" in message


def test_a_stale_button_press_stops_its_spinner(telegram: TelegramUser) -> None:
    telegram.send(tg.button_press(CHAT))
    assert [call.params["callback_query_id"] for call in telegram.fake.calls_to("answerCallbackQuery")] == [
        "4382bfdwdsb323b2d9"]


def test_blocking_and_unblocking_the_bot_is_recorded(telegram: TelegramUser, database: Database) -> None:
    telegram.say("halo")
    assert telegram.send(tg.membership(CHAT, "kicked")) == []
    assert _conversation(database).blocked_at is not None
    telegram.send(tg.membership(CHAT, "member"))
    assert _conversation(database).blocked_at is None


def test_group_chats_are_left_alone(telegram: TelegramUser, database: Database) -> None:
    assert telegram.send(tg.group_text(CHAT, "halo")) == []
    with Session(database.engine) as session:
        assert session.scalars(select(Conversation)).all() == []


def _conversation(database: Database) -> Conversation:
    with Session(database.engine) as session:
        return session.scalars(select(Conversation)).one()


def test_when_handling_fails_telegram_is_asked_to_send_the_update_again(
        database: Database, fake_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(telegram_settings(database, fake_telegram), database, clock=Clock(START))
    conversations = app.state.mailboxes.conversations
    real = conversations.handle_waiting

    def registry_down(*_args: object) -> dict[str, list[Reply]]:
        raise OperationalError("SELECT", {}, Exception("the registry is down"))

    with Server(app) as server, httpx.Client(base_url=server.base_url) as client:
        telegram = TelegramUser(client, fake_telegram, CHAT)
        update = tg.text(CHAT, "halo")
        monkeypatch.setattr(conversations, "handle_waiting", registry_down)
        assert telegram.post(update).status_code == 503
        monkeypatch.setattr(conversations, "handle_waiting", real)
        [answer] = telegram.send(update)  # Telegram's redelivery of the same update
    assert "Selamat datang di TABE" in answer
    assert fake_telegram.sent(CHAT) == []  # no apology while Telegram is still going to resend


# -- what the Bot API's refusals mean, for replies and outbox rows alike ---------------------------


# Each error is made in the test: PTB warns from inside RetryAfter itself (an int retry_after becomes a
# timedelta in its next major version), and a warning at collection would escape the mark.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize(("error", "verdict", "detail", "wait"), [
    (partial(RetryAfter, 7), Verdict.SLOW_DOWN, "RetryAfter", timedelta(seconds=7)),
    (partial(Forbidden, "Forbidden: bot was blocked by the user"), Verdict.UNREACHABLE,
     "Forbidden: bot was blocked by the user", None),
    (partial(BadRequest, "Chat not found"), Verdict.UNREACHABLE, "Chat not found", None),
    (partial(BadRequest, "Message is too long"), Verdict.FAILED, "Message is too long", None),
    (TimedOut, Verdict.RETRY, "TimedOut", None),
    (partial(NetworkError, "httpx.ConnectError: 123:TOKEN"), Verdict.RETRY, "NetworkError", None),
    (InvalidToken, Verdict.RETRY, "InvalidToken", None),
], ids=["flood-wait", "blocked", "no-such-chat", "refused", "timeout", "network", "token"])
def test_a_refusal_is_read_once_for_replies_and_outbox_rows(error: Callable[[], TelegramError], verdict: Verdict,
                                                           detail: str, wait: timedelta | None) -> None:
    outcome = outcome_of(error())
    assert (outcome.verdict, outcome.detail, outcome.wait) == (verdict, detail, wait)


def _wait_for(condition: Callable[[], object], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_a_reply_telegram_asks_to_slow_down_for_goes_once_the_wait_is_over(database: Database,
                                                                          fake_telegram: FakeTelegram) -> None:
    fake_telegram.rate_limit_next(1, retry_after=1)
    fake_telegram.queue_update(tg.text(CHAT, "halo"))
    with Server(create_app(telegram_settings(database, fake_telegram), database, polling=True, clock=Clock(START))):
        _wait_for(lambda: fake_telegram.sent(CHAT))
    [answer] = fake_telegram.sent(CHAT)
    assert "Selamat datang di TABE" in answer and fake_telegram.too_many_requests == 1


def test_a_polled_update_that_cannot_be_handled_gets_an_apology(database: Database, fake_telegram: FakeTelegram,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(telegram_settings(database, fake_telegram), database, polling=True, clock=Clock(START))

    def registry_down(*_args: object) -> dict[str, list[Reply]]:
        raise OperationalError("SELECT", {}, Exception("the registry is down"))

    monkeypatch.setattr(app.state.mailboxes.conversations, "handle_waiting", registry_down)
    fake_telegram.queue_update(tg.text(CHAT, "halo"))  # polled, it will not come again
    with Server(app):
        _wait_for(lambda: fake_telegram.sent(CHAT))
    assert fake_telegram.sent(CHAT) == [Text()(SORRY)]
