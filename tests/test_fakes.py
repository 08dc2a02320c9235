"""The fake providers answer the real clients: python-telegram-bot's Bot and twilio's Client over loopback."""

import asyncio
import json
import subprocess
import sys
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardMarkup
from telegram.error import Forbidden, InvalidToken, RetryAfter
from twilio.base.exceptions import TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.rest import Client
from twilio.rest.api.v2010.account.message import MessageInstance

from fake_telegram import FakeTelegram
from fake_twilio import FakeTwilio

CHAT = 6281234567
TO = "whatsapp:+6281234567890"
FROM = "whatsapp:+14155238886"


@pytest.fixture(scope="module")
def fake_telegram() -> Iterator[FakeTelegram]:
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def telegram_api(fake_telegram: FakeTelegram) -> FakeTelegram:
    fake_telegram.reset()
    return fake_telegram


@pytest.fixture(scope="module")
def fake_twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def twilio_api(fake_twilio: FakeTwilio) -> FakeTwilio:
    fake_twilio.reset()
    return fake_twilio


def with_bot(fake: FakeTelegram, use: Callable[[telegram.Bot], Awaitable[object]], token: str | None = None) -> object:
    async def run() -> object:
        async with telegram.Bot(token or fake.token, base_url=fake.base_url) as bot:
            return await use(bot)

    return asyncio.run(run())


def with_twilio(fake: FakeTwilio, use: Callable[[Client], Awaitable[object]], token: str | None = None) -> object:
    async def run() -> object:
        http_client = AsyncTwilioHttpClient()  # its aiohttp session needs the running loop
        client = Client(fake.account_sid, token or fake.auth_token, http_client=http_client)
        client.api.base_url = fake.base_url
        client.region = client.edge = None  # else a TWILIO_REGION/TWILIO_EDGE would rewrite the loopback host
        try:
            return await use(client)
        finally:
            await http_client.close()

    return asyncio.run(run())


def send(client: Client, to: str = TO, body: str = "Halo") -> Awaitable[MessageInstance]:
    return client.messages.create_async(to=to, from_=FROM, body=body)


# ---- Telegram ------------------------------------------------------------------------------------------


def test_get_me_answers_the_bot_user(telegram_api: FakeTelegram) -> None:
    me = with_bot(telegram_api, lambda bot: bot.get_me())
    assert isinstance(me, telegram.User)
    assert (me.is_bot, me.first_name, me.username) == (True, "TABE", "tabe_test_bot")
    assert me.can_join_groups is True and me.supports_inline_queries is False


def test_send_message_records_the_reply_keyboard(telegram_api: FakeTelegram) -> None:
    keyboard = ReplyKeyboardMarkup([["Ya", "Tidak"], ["Bantuan"]], one_time_keyboard=True, resize_keyboard=True)

    async def talk(bot: telegram.Bot) -> tuple[telegram.Message, telegram.Message]:
        first = await bot.send_message(CHAT, "Apakah data ini benar?", reply_markup=keyboard)
        return first, await bot.send_message(CHAT, "123")

    first, second = with_bot(telegram_api, talk)  # type: ignore[misc]
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == CHAT and first.chat.type == "private" and first.from_user.username == "tabe_test_bot"
    assert telegram_api.sent(CHAT) == ["Apakah data ini benar?", "123"]  # "123" stays a text, not a number
    (call, _) = telegram_api.calls_to("sendMessage")
    assert call.chat_id == CHAT
    assert call.params["reply_markup"] == keyboard.to_dict()


def test_send_message_echoes_an_inline_keyboard(telegram_api: FakeTelegram) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="yes")]])
    message = with_bot(telegram_api, lambda bot: bot.send_message(CHAT, "Lanjut?", reply_markup=keyboard))
    assert isinstance(message, telegram.Message) and message.reply_markup == keyboard


def test_set_webhook_shows_in_get_webhook_info(telegram_api: FakeTelegram) -> None:
    async def talk(bot: telegram.Bot) -> telegram.WebhookInfo:
        assert await bot.set_webhook(
            "https://tabe.example/telegram", secret_token="s3cret", allowed_updates=["message"]
        )
        return await bot.get_webhook_info()

    info = with_bot(telegram_api, talk)
    assert isinstance(info, telegram.WebhookInfo)
    assert (info.url, info.has_custom_certificate, info.pending_update_count) == (
        "https://tabe.example/telegram",
        False,
        0,
    )
    assert info.allowed_updates == ("message",)
    assert telegram_api.webhook["secret_token"] == "s3cret"
    with_bot(telegram_api, lambda bot: bot.delete_webhook())
    assert telegram_api.webhook == {}


def test_get_updates_long_polls_until_an_update_is_queued(telegram_api: FakeTelegram) -> None:
    update = {"message": {"message_id": 1, "date": 0, "chat": {"id": CHAT, "type": "private"}, "text": "halo"}}

    async def poll(bot: telegram.Bot) -> tuple[telegram.Update, ...]:
        asyncio.get_running_loop().call_later(0.2, telegram_api.queue_update, update)
        return await bot.get_updates(timeout=10)

    (received,) = with_bot(telegram_api, poll)  # type: ignore[misc]
    assert received.message.text == "halo"
    confirmed = with_bot(telegram_api, lambda bot: bot.get_updates(offset=received.update_id + 1, timeout=0))
    assert confirmed == ()


def test_blocked_chat_raises_forbidden(telegram_api: FakeTelegram) -> None:
    telegram_api.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        with_bot(telegram_api, lambda bot: bot.send_message(CHAT, "Halo"))
    assert telegram_api.sent(CHAT) == []


# PTB warns from inside RetryAfter itself: an int retry_after becomes a timedelta in its next major version.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_rate_limit_raises_retry_after(telegram_api: FakeTelegram) -> None:
    telegram_api.rate_limit_next(1)
    with pytest.raises(RetryAfter) as raised:
        with_bot(telegram_api, lambda bot: bot.send_message(CHAT, "Halo"))
    assert raised.value.retry_after in (3, timedelta(seconds=3))
    with_bot(telegram_api, lambda bot: bot.send_message(CHAT, "Halo lagi"))
    assert telegram_api.sent(CHAT) == ["Halo lagi"]
    assert telegram_api.too_many_requests == 1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_with_limits_enforced_the_31st_message_in_a_second_and_a_second_to_one_chat_get_429() -> None:
    async def send_fast(bot: telegram.Bot) -> list[str]:
        outcomes = []
        for chat in [*range(1, 31), 31, 1]:
            try:
                await bot.send_message(chat, "Halo")
                outcomes.append("ok")
            except RetryAfter as error:
                outcomes.append(f"retry after {error.retry_after}")
        return outcomes

    with FakeTelegram(enforce_limits=True) as fake:
        outcomes = with_bot(fake, send_fast)
        assert outcomes == ["ok"] * 30 + ["retry after 1", "retry after 1"]
        assert fake.too_many_requests == 2
        with urllib.request.urlopen(fake.origin + "/_fake/stats", timeout=5) as answer:
            assert json.load(answer)["too_many_requests"] == 2


def test_wrong_token_raises_invalid_token(telegram_api: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        with_bot(telegram_api, lambda bot: bot.get_me(), token="999:wrong")
    assert telegram_api.calls[-1].status == 401


def test_runs_as_a_separate_process() -> None:
    script = Path(__file__).with_name("fake_telegram.py")
    with subprocess.Popen([sys.executable, str(script), "--port", "0"], stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            base_url = process.stdout.readline().split()[0].split("=", 1)[1]  # "FAKE_TELEGRAM_BASE_URL=http://..."
            with urllib.request.urlopen(base_url.removesuffix("/bot") + "/_fake/stats", timeout=5) as answer:
                assert json.load(answer)["total"] == 0
        finally:
            process.terminate()


# ---- Twilio --------------------------------------------------------------------------------------------


def test_create_message_returns_a_message_instance(twilio_api: FakeTwilio) -> None:
    message = with_twilio(twilio_api, send)
    assert isinstance(message, MessageInstance)
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.to, message.from_, message.body, message.status) == (TO, FROM, "Halo", "queued")
    assert message.account_sid == twilio_api.account_sid and message.date_created is not None
    (recorded,) = twilio_api.messages
    assert (recorded.sid, recorded.to, recorded.body) == (message.sid, TO, "Halo")
    assert twilio_api.sent("+6281234567890") == ["Halo"]


def test_content_template_fields_are_recorded(twilio_api: FakeTwilio) -> None:
    variables = json.dumps({"1": "Siti"})

    async def use(client: Client) -> MessageInstance:
        return await client.messages.create_async(
            to=TO, from_=FROM, content_sid="HX" + "0" * 32, content_variables=variables, status_callback="https://x/s"
        )

    with_twilio(twilio_api, use)
    (recorded,) = twilio_api.messages
    assert (recorded.content_sid, recorded.content_variables, recorded.status_callback) == (
        "HX" + "0" * 32,
        variables,
        "https://x/s",
    )


def test_wrong_token_raises_401(twilio_api: FakeTwilio) -> None:
    with pytest.raises(TwilioRestException) as raised:
        with_twilio(twilio_api, send, token="wrong")
    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert twilio_api.messages == []


def test_rate_limit_raises_20429(twilio_api: FakeTwilio) -> None:
    twilio_api.rate_limit_next(1)
    with pytest.raises(TwilioRestException) as raised:
        with_twilio(twilio_api, send)
    assert (raised.value.status, raised.value.code) == (429, 20429)
    with_twilio(twilio_api, send)
    assert len(twilio_api.messages) == 1
    assert twilio_api.too_many_requests == 1


def test_with_limits_enforced_a_create_beyond_the_mps_gets_20429() -> None:
    async def send_fast(client: Client) -> list[int | None]:
        codes: list[int | None] = []
        for _ in range(4):
            try:
                await send(client)
                codes.append(None)
            except TwilioRestException as error:
                codes.append(error.code)
        return codes

    with FakeTwilio(enforce_limits=True, mps=3) as fake:
        assert with_twilio(fake, send_fast) == [None, None, None, 20429]
        with urllib.request.urlopen(fake.base_url + "/_fake/stats", timeout=5) as answer:
            assert json.load(answer) == {"requests": 4, "messages": 3, "too_many_requests": 1}


def test_number_not_on_whatsapp_raises_63003(twilio_api: FakeTwilio) -> None:
    twilio_api.not_on_whatsapp("+6281234567890")
    with pytest.raises(TwilioRestException) as raised:
        with_twilio(twilio_api, send)
    assert (raised.value.status, raised.value.code) == (400, 63003)
    assert [(request.status, request.code) for request in twilio_api.requests] == [(400, 63003)]
