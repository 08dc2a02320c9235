"""The fake providers answer the real clients: python-telegram-bot's Bot and twilio's Client over loopback."""

import asyncio
import json
import subprocess
import sys
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager
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


def bot_for(fake: FakeTelegram, token: str | None = None) -> telegram.Bot:
    """PTB's Bot against the fake; `async with` it (which asks getMe) to use it."""
    return telegram.Bot(token or fake.token, base_url=fake.base_url)


@pytest.fixture
async def bot(telegram_api: FakeTelegram) -> AsyncIterator[telegram.Bot]:
    async with bot_for(telegram_api) as bot:
        yield bot


@asynccontextmanager
async def twilio_client(fake: FakeTwilio, token: str | None = None) -> AsyncIterator[Client]:
    """twilio's Client against the fake, on its async HTTP client, closed afterwards."""
    http_client = AsyncTwilioHttpClient()  # its aiohttp session needs the running loop
    client = Client(fake.account_sid, token or fake.auth_token, http_client=http_client)
    client.api.base_url = fake.base_url
    client.region = client.edge = None  # else a TWILIO_REGION/TWILIO_EDGE would rewrite the loopback host
    try:
        yield client
    finally:
        await http_client.close()


@pytest.fixture
async def twilio(twilio_api: FakeTwilio) -> AsyncIterator[Client]:
    async with twilio_client(twilio_api) as client:
        yield client


def send(client: Client, to: str = TO, body: str = "Halo") -> Awaitable[MessageInstance]:
    return client.messages.create_async(to=to, from_=FROM, body=body)


# ---- Telegram ------------------------------------------------------------------------------------------


async def test_get_me_answers_the_bot_user(bot: telegram.Bot) -> None:
    me = await bot.get_me()
    assert isinstance(me, telegram.User)
    assert (me.is_bot, me.first_name, me.username) == (True, "TABE", "tabe_test_bot")
    assert me.can_join_groups is True and me.supports_inline_queries is False


async def test_send_message_records_the_reply_keyboard(telegram_api: FakeTelegram, bot: telegram.Bot) -> None:
    keyboard = ReplyKeyboardMarkup([["Ya", "Tidak"], ["Bantuan"]], one_time_keyboard=True, resize_keyboard=True)
    first = await bot.send_message(CHAT, "Apakah data ini benar?", reply_markup=keyboard)
    second = await bot.send_message(CHAT, "123")
    assert (first.message_id, second.message_id) == (1, 2)
    assert first.chat.id == CHAT and first.chat.type == "private" and first.from_user.username == "tabe_test_bot"
    assert telegram_api.sent(CHAT) == ["Apakah data ini benar?", "123"]  # "123" stays a text, not a number
    (call, _) = telegram_api.calls_to("sendMessage")
    assert call.chat_id == CHAT
    assert call.params["reply_markup"] == keyboard.to_dict()


async def test_send_message_echoes_an_inline_keyboard(bot: telegram.Bot) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Ya", callback_data="yes")]])
    message = await bot.send_message(CHAT, "Lanjut?", reply_markup=keyboard)
    assert isinstance(message, telegram.Message) and message.reply_markup == keyboard


async def test_set_webhook_shows_in_get_webhook_info(telegram_api: FakeTelegram, bot: telegram.Bot) -> None:
    assert await bot.set_webhook("https://tabe.example/telegram", secret_token="s3cret", allowed_updates=["message"])
    info = await bot.get_webhook_info()
    assert isinstance(info, telegram.WebhookInfo)
    assert (info.url, info.has_custom_certificate, info.pending_update_count) == (
        "https://tabe.example/telegram",
        False,
        0,
    )
    assert info.allowed_updates == ("message",)
    assert telegram_api.webhook["secret_token"] == "s3cret"
    await bot.delete_webhook()
    assert telegram_api.webhook == {}


async def test_get_updates_long_polls_until_an_update_is_queued(telegram_api: FakeTelegram,
                                                                bot: telegram.Bot) -> None:
    update = {"message": {"message_id": 1, "date": 0, "chat": {"id": CHAT, "type": "private"}, "text": "halo"}}
    asyncio.get_running_loop().call_later(0.2, telegram_api.queue_update, update)
    (received,) = await bot.get_updates(timeout=10)
    assert received.message.text == "halo"
    assert await bot.get_updates(offset=received.update_id + 1, timeout=0) == ()


async def test_blocked_chat_raises_forbidden(telegram_api: FakeTelegram, bot: telegram.Bot) -> None:
    telegram_api.block(CHAT)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(CHAT, "Halo")
    assert telegram_api.sent(CHAT) == []


# PTB warns from inside RetryAfter itself: an int retry_after becomes a timedelta in its next major version.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_rate_limit_raises_retry_after(telegram_api: FakeTelegram, bot: telegram.Bot) -> None:
    telegram_api.rate_limit_next(1)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(CHAT, "Halo")
    assert raised.value.retry_after in (3, timedelta(seconds=3))
    await bot.send_message(CHAT, "Halo lagi")
    assert telegram_api.sent(CHAT) == ["Halo lagi"]
    assert telegram_api.too_many_requests == 1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_with_limits_enforced_the_31st_message_in_a_second_and_a_second_to_one_chat_get_429() -> None:
    with FakeTelegram(enforce_limits=True) as fake:
        outcomes = []
        async with bot_for(fake) as bot:
            for chat in [*range(1, 31), 31, 1]:
                try:
                    await bot.send_message(chat, "Halo")
                    outcomes.append("ok")
                except RetryAfter as error:
                    outcomes.append(f"retry after {error.retry_after}")
        assert outcomes == ["ok"] * 30 + ["retry after 1", "retry after 1"]
        assert fake.too_many_requests == 2
        with urllib.request.urlopen(fake.origin + "/_fake/stats", timeout=5) as answer:
            assert json.load(answer)["too_many_requests"] == 2


async def test_wrong_token_raises_invalid_token(telegram_api: FakeTelegram) -> None:
    with pytest.raises(InvalidToken):
        async with bot_for(telegram_api, token="999:wrong") as bot:
            await bot.get_me()
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


async def test_create_message_returns_a_message_instance(twilio_api: FakeTwilio, twilio: Client) -> None:
    message = await send(twilio)
    assert isinstance(message, MessageInstance)
    assert message.sid.startswith("SM") and len(message.sid) == 34
    assert (message.to, message.from_, message.body, message.status) == (TO, FROM, "Halo", "queued")
    assert message.account_sid == twilio_api.account_sid and message.date_created is not None
    (recorded,) = twilio_api.messages
    assert (recorded.sid, recorded.to, recorded.body) == (message.sid, TO, "Halo")
    assert twilio_api.sent("+6281234567890") == ["Halo"]


async def test_content_template_fields_are_recorded(twilio_api: FakeTwilio, twilio: Client) -> None:
    variables = json.dumps({"1": "Siti"})
    await twilio.messages.create_async(to=TO, from_=FROM, content_sid="HX" + "0" * 32, content_variables=variables,
                                       status_callback="https://x/s")
    (recorded,) = twilio_api.messages
    assert (recorded.content_sid, recorded.content_variables, recorded.status_callback) == (
        "HX" + "0" * 32,
        variables,
        "https://x/s",
    )


async def test_wrong_token_raises_401(twilio_api: FakeTwilio) -> None:
    with pytest.raises(TwilioRestException) as raised:
        async with twilio_client(twilio_api, token="wrong") as client:
            await send(client)
    assert (raised.value.status, raised.value.code) == (401, 20003)
    assert twilio_api.messages == []


async def test_rate_limit_raises_20429(twilio_api: FakeTwilio, twilio: Client) -> None:
    twilio_api.rate_limit_next(1)
    with pytest.raises(TwilioRestException) as raised:
        await send(twilio)
    assert (raised.value.status, raised.value.code) == (429, 20429)
    await send(twilio)
    assert len(twilio_api.messages) == 1
    assert twilio_api.too_many_requests == 1


async def test_with_limits_enforced_a_create_beyond_the_mps_gets_20429() -> None:
    with FakeTwilio(enforce_limits=True, mps=3) as fake:
        codes: list[int | None] = []
        async with twilio_client(fake) as client:
            for _ in range(4):
                try:
                    await send(client)
                    codes.append(None)
                except TwilioRestException as error:
                    codes.append(error.code)
        assert codes == [None, None, None, 20429]
        with urllib.request.urlopen(fake.base_url + "/_fake/stats", timeout=5) as answer:
            assert json.load(answer) == {"requests": 4, "messages": 3, "too_many_requests": 1}


async def test_number_not_on_whatsapp_raises_63003(twilio_api: FakeTwilio, twilio: Client) -> None:
    twilio_api.not_on_whatsapp("+6281234567890")
    with pytest.raises(TwilioRestException) as raised:
        await send(twilio)
    assert (raised.value.status, raised.value.code) == (400, 63003)
    assert [(request.status, request.code) for request in twilio_api.requests] == [(400, 63003)]
