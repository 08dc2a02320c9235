"""Telegram through python-telegram-bot: updates in (webhook or polling), replies out with keyboards, and the
worker's outbox rows out; what the Bot API's refusals mean is read once, for both (`outcome_of`)."""

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import aiohttp
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import (
    Bot,
    ChatMember,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from bot.bodies import TooLarge, bounded
from bot.delivery import SEND_TIMEOUT, Outcome, Pacer, PacerFor, Verdict
from bot.mailbox import Mailboxes
from bot.render import as_plain_text
from bot.settings import Settings
from domain.channels import LABELS
from domain.channels import TELEGRAM as CHANNEL
from domain.msgid import N_
from flows.i18n import Text
from flows.messages import (
    CONTACT,
    EDITED,
    IDENTITY,
    LOCATION,
    MEDIA,
    OLD_BUTTON,
    PHONE,
    SORRY,
    STICKER,
    VOICE,
    Inbound,
    Reply,
)
from flows.parsing import vouched_phone
from store.db import Database
from store.outbox import Outgoing

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATE_TYPES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
TITLE = LABELS[CHANNEL]
SEND_ATTEMPTS = 3  # for a reply the owner waits for; an outbox row is tried again later (bot/delivery.py)
LONGEST_WAIT = 10.0  # seconds; a reply the owner waits for is not held back longer than this
SHORT_LABEL = 16  # choices this short sit two to a keyboard row
POLL_TIMEOUT = 30
RETRY_START = 10  # seconds between attempts to reach the Bot API at start
MAX_MESSAGE = 4096  # the Bot API's longest text
PARAGRAPH = "\n\n"
CHAT_GAP = 1.05  # seconds between two outbox messages to one chat: Telegram allows one a second
CONNECTIONS = 100  # the worker's connections to the Bot API at once


def build_application(settings: Settings) -> Application:
    """A PTB Application that only processes updates we hand it: no Updater, no polling of its own."""
    api = settings.telegram_api_base_url
    return (
        Application.builder()
        .token(settings.telegram_bot_token)
        .base_url(f"{api}/bot")
        .base_file_url(f"{api}/file/bot")
        .updater(None)
        .build()
    )


def inbound_from_update(update: Update) -> Inbound | None:
    """An update as the conversation reads it; None for updates that are not a private message."""
    message = update.message or update.edited_message
    query = update.callback_query
    chat = update.effective_chat
    if chat is None or chat.type != chat.PRIVATE or (message is None and query is None):
        return None
    inbound = Inbound(CHANNEL, str(chat.id), str(update.update_id))
    if query is not None:
        return replace(inbound, attachment=OLD_BUTTON)  # we send no inline buttons: any press is a stale one
    assert message is not None
    if update.edited_message is not None:
        return replace(inbound, attachment=EDITED)
    return _read_message(inbound, message)


def _read_message(inbound: Inbound, message: Message) -> Inbound:
    if message.text is not None:
        return replace(inbound, text=_command_without_bot_name(message))
    if message.contact is not None:
        phone = vouched_phone(message.contact.phone_number)
        own = message.from_user is not None and message.contact.user_id == message.from_user.id
        return replace(inbound, text=phone or "", verified_phone=phone if own else None, attachment=CONTACT)
    if message.sticker is not None:
        return replace(inbound, attachment=STICKER)
    if message.location is not None or message.venue is not None:
        return replace(inbound, attachment=LOCATION)
    if message.voice is not None or message.video_note is not None:
        return replace(inbound, attachment=VOICE)
    return replace(inbound, text=message.caption or "", attachment=MEDIA)


def _command_without_bot_name(message: Message) -> str:
    """"/start@tabe_bot payload" -> "/start": the deep-link payload is not an answer."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            command = text[: entity.length].split("@", 1)[0]
            return command if command == "/start" else command + text[entity.length:]
    return text


Markup = ReplyKeyboardMarkup | ReplyKeyboardRemove
Sendable = tuple[str, Markup | None]  # a message's text, and its keyboard if it has one


def render(reply: Reply) -> tuple[str, Markup]:
    """The reply's text, with its choices as a keyboard; a phone question also offers the contact."""
    return reply.text, _keyboard(tuple(choice.label for choice in reply.choices), reply.expects, reply.language)


@lru_cache(maxsize=4096)  # bounded: programme and session names make keyboards without end
def _keyboard(labels: tuple[str, ...], expects: str | None, language: str) -> Markup:
    # The common keyboards recur (the menu, yes/no, the sectors, the kabupaten…): each is built once.
    rows: list[list[KeyboardButton]] = []
    per_row = 2 if labels and max(map(len, labels)) <= SHORT_LABEL else 1
    for start in range(0, len(labels), per_row):
        rows.append([KeyboardButton(label) for label in labels[start:start + per_row]])
    t = Text(language)
    if expects == PHONE:
        rows.insert(0, [KeyboardButton(t(N_("Share my phone number")), request_contact=True)])
    elif expects == IDENTITY:
        rows.append([KeyboardButton(t(N_("Registered before? Share my phone number")), request_contact=True)])
    if not rows:
        return ReplyKeyboardRemove()
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


@lru_cache(maxsize=4096)  # as many as the keyboards it turns into JSON
def _as_json(markup: Markup) -> dict[str, object]:
    return markup.to_dict()


def as_messages(replies: list[Reply]) -> list[Sendable]:
    """A turn's replies as few Telegram messages as fit: texts joined, the last reply's keyboard at the end.

    One message per turn is one request less, and on a slow connection one notification instead of two.
    An earlier reply's choices, if any, are listed as text, since only the last message has a keyboard.
    """
    if not replies:
        return []
    *earlier, last = replies
    texts = [as_plain_text(reply) for reply in earlier]
    last_text, markup = render(last)
    texts.append(last_text)
    messages: list[Sendable] = []
    joined = texts[0]
    for text in texts[1:]:
        if len(joined) + len(PARAGRAPH) + len(text) > MAX_MESSAGE:
            messages.append((joined, None))
            joined = text
        else:
            joined += PARAGRAPH + text
    messages.append((joined, markup))
    return messages


async def register_webhook(settings: Settings) -> None:
    """Tell Telegram where to deliver updates, which ones, and the secret to sign them with."""
    async with build_application(settings).bot as bot:
        await bot.set_webhook(url=settings.public_base_url + WEBHOOK_PATH, secret_token=settings.telegram_webhook_secret,
                              allowed_updates=UPDATE_TYPES)


class TelegramChannel:
    """Telegram's door: the webhook, polling for local use, and replies in order."""

    def __init__(self, settings: Settings, database: Database, mailboxes: Mailboxes) -> None:
        self.settings = settings
        self.database = database
        self.mailboxes = mailboxes
        self.application = build_application(settings)
        self._starting: asyncio.Task[None] | None = None
        self._polling: asyncio.Task[None] | None = None
        self.ready = False  # until the Bot API has answered getMe

    def routes(self) -> list[Route]:
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"])]

    async def start(self, polling: bool) -> None:
        """Introduce the bot to the Bot API (getMe); while it cannot be reached, keep trying in the background.

        The other channels need not wait for Telegram: the server starts, and Telegram's webhook
        answers 503 (Telegram delivers the update again later) until the bot is ready. With
        `polling`, updates are fetched from the Bot API instead (local use, without a public address).
        """
        if not await self._initialize():
            self._starting = asyncio.create_task(self._keep_initializing())
        if polling:
            self._polling = asyncio.create_task(self.poll())

    async def _initialize(self) -> bool:
        try:
            await self.application.initialize()
        except TelegramError as error:
            # The type only: some of PTB's errors quote the token.
            log.error("Telegram: the Bot API does not answer yet (%s); retrying every %s s", type(error).__name__,
                      RETRY_START)
            return False
        self.ready = True
        return True

    async def _keep_initializing(self) -> None:
        while True:
            await asyncio.sleep(RETRY_START)
            if await self._initialize():
                log.warning("Telegram: the Bot API answers now")
                return

    async def stop(self) -> None:
        for task in (self._polling, self._starting):
            if task is not None:
                task.cancel()
        if self.ready:
            await self.application.shutdown()

    async def webhook(self, request: Request) -> Response:
        """POST /telegram/webhook: a secret-token-checked update; the reply goes back in the response."""
        secret = self.settings.telegram_webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await bounded(request).body()
        except TooLarge:
            return PlainTextResponse("too large for an update", status_code=413)
        update = _parse_update(body, self.application.bot)
        if update is None:
            return PlainTextResponse("malformed update", status_code=400)
        if not self.ready:
            return PlainTextResponse("not ready: the Bot API cannot be reached", status_code=503)
        try:
            answer = await self.handle(update, answer_in_response=True)
        except Exception as error:  # noqa: BLE001 - nothing was kept: 503, and Telegram delivers the update again
            log.error("Telegram update %s failed: %s", update.update_id, type(error).__name__)
            return PlainTextResponse("try again later", status_code=503)
        chat = update.effective_chat
        if answer is None or chat is None:
            return PlainTextResponse("ok")
        text, markup = answer
        # The reply to a webhook update can ride back in the webhook's own response, as a Bot API method call.
        method: dict[str, object] = {"method": "sendMessage", "chat_id": chat.id, "text": text}
        if markup is not None:
            method["reply_markup"] = _as_json(markup)
        return JSONResponse(method)

    async def poll(self) -> None:
        """Fetch updates with getUpdates and handle them like webhook ones, until cancelled."""
        while not self.ready:
            await asyncio.sleep(1)
        bot = self.application.bot
        await bot.delete_webhook()
        offset = None
        while True:
            try:
                updates = await bot.get_updates(offset=offset, timeout=POLL_TIMEOUT, allowed_updates=UPDATE_TYPES,
                                                read_timeout=POLL_TIMEOUT + 10)
            except NetworkError as error:
                log.warning("Telegram polling failed, retrying: %s", error)
                await asyncio.sleep(3)
                continue
            for update in updates:
                offset = update.update_id + 1
                try:
                    await self.handle(update, answer_in_response=False)
                except Exception as error:  # noqa: BLE001 - a polled update does not come again: say we failed
                    await self._apologise(update, error)

    async def handle(self, update: Update, answer_in_response: bool) -> Sendable | None:
        """Hand a private message to its chat's mailbox, or note a chat that blocked or unblocked us.

        With `answer_in_response` (a webhook's update), the reply is returned, for the response to
        carry, when it fits one message; anything else goes through the Bot API. Raises when the
        update could not be handled.
        """
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # a late or resent press can no longer be answered
                await update.callback_query.answer()  # stops the spinner on the stale button
        if update.my_chat_member is not None:
            await self._note_membership(update)
            return None
        inbound = inbound_from_update(update)
        if inbound is None:
            return None
        in_response: list[Sendable] = []

        async def deliver(inbound: Inbound, replies: list[Reply], with_others: bool) -> None:
            """Keep the turn's one message for the response, or send the turn through the Bot API, in order.

            A burst of one chat's messages answered together goes through the API, one after the
            other: separate webhook responses could be read by Telegram in any order.
            """
            messages = as_messages(replies)
            if answer_in_response and len(messages) == 1 and not with_others:
                in_response.extend(messages)
                return
            for text, markup in messages:
                if not await self._send_reply(inbound.address, text, markup):
                    await asyncio.to_thread(self._set_blocked, inbound.address, True)
                    return

        await self.mailboxes.handle(inbound, sequence=update.update_id, after=deliver)
        return in_response[0] if in_response else None

    async def _note_membership(self, update: Update) -> None:
        member = update.my_chat_member
        assert member is not None
        if member.chat.type != member.chat.PRIVATE:
            return
        blocked = member.new_chat_member.status == ChatMember.BANNED
        await asyncio.to_thread(self._set_blocked, str(member.chat.id), blocked)

    def _set_blocked(self, address: str, blocked: bool) -> None:
        with self.database.transaction() as registry:
            registry.set_blocked(CHANNEL, address, blocked)

    async def _send_reply(self, chat_id: str, text: str, markup: Markup | None) -> bool:
        """Send one message of a turn, again after a short wait when that may help; False: the owner is unreachable.

        What the Bot API's refusal means is `outcome_of`'s, as for an outbox row; but the owner is
        waiting, so a reply is tried only SEND_ATTEMPTS times, none later than LONGEST_WAIT.
        """
        attempt = 0
        while True:
            attempt += 1
            try:
                await self.application.bot.send_message(chat_id, text, reply_markup=markup)
                return True
            except TelegramError as error:
                outcome = outcome_of(error)
                if outcome.verdict == Verdict.UNREACHABLE:
                    return False
                wait = outcome.wait.total_seconds() if outcome.wait is not None else 0.5 * attempt
                if outcome.verdict == Verdict.FAILED or attempt == SEND_ATTEMPTS or wait > LONGEST_WAIT:
                    raise
                await asyncio.sleep(wait)

    async def _apologise(self, update: Update, error: Exception) -> None:
        """Log what failed, never the message itself (it may hold a NIK), and tell the owner."""
        log.error("Telegram update %s failed: %s", update.update_id, type(error).__name__)
        chat = update.effective_chat
        if chat is None:
            return
        with contextlib.suppress(TelegramError):
            await self.application.bot.send_message(chat.id, Text()(SORRY))


def _parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body; None when it is not one (anything PTB cannot read is malformed)."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not _is_id(data.get("update_id")):
            return None
        update = Update.de_json(data, bot)
    except Exception:  # noqa: BLE001 - a body PTB cannot build an Update from is the sender's fault
        return None
    return update if _typed_as_the_bot_api_sends(update) else None


# The Bot API's ids "fit a double-precision float": a bigger number, or true/false, is no id it sent.
_ID_BOUND = 2**53


def _is_id(value: object) -> bool:
    return type(value) is int and -_ID_BOUND < value < _ID_BOUND


def _typed_as_the_bot_api_sends(update: Update) -> bool:
    """Whether each field we read has the Bot API's type: PTB builds its objects from JSON values of any type."""
    chat, message = update.effective_chat, update.message or update.edited_message
    query, member = update.callback_query, update.my_chat_member
    return ((chat is None or (_is_id(chat.id) and isinstance(chat.type, str)))
            and (message is None or _message_typed(message))
            and (query is None or isinstance(query.id, str))
            and (member is None or (member.chat is not None and member.new_chat_member is not None
                                    and isinstance(member.new_chat_member.status, str))))


def _message_typed(message: Message) -> bool:
    contact, sender = message.contact, message.from_user
    return (isinstance(message.text, str | None) and isinstance(message.caption, str | None)
            and all(isinstance(entity.type, str) and _is_id(entity.offset) and _is_id(entity.length)
                    for entity in message.entities)
            and (contact is None or (isinstance(contact.phone_number, str)
                                     and (contact.user_id is None or _is_id(contact.user_id))))
            and (sender is None or _is_id(sender.id)))


def as_seconds(value: int | timedelta) -> float:
    """A Bot API time period in seconds: PTB gives an int or, once PTB_TIMEDELTA is set, a timedelta."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def outcome_of(error: TelegramError) -> Outcome:
    """What a Bot API refusal means, for a reply and an outbox row alike."""
    if isinstance(error, RetryAfter):
        return Outcome(Verdict.SLOW_DOWN, "RetryAfter", timedelta(seconds=as_seconds(error.retry_after)))
    if isinstance(error, Forbidden):  # blocked, or the account is gone: a private chat refuses only for good
        return Outcome(Verdict.UNREACHABLE, error.message)
    if isinstance(error, BadRequest):  # an unknown chat is gone for good; any other, this message will never go
        unknown_chat = "chat not found" in error.message.lower()
        return Outcome(Verdict.UNREACHABLE if unknown_chat else Verdict.FAILED, error.message)
    # Network, timeouts, 5xx: they may pass. The type only, as some of PTB's errors quote the token.
    return Outcome(Verdict.RETRY, type(error).__name__)


# -- the outbox: messages nobody is waiting for, sent by the worker ---------------------------------

FORM_HEADERS = {"User-Agent": BaseRequest.USER_AGENT, "Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """PTB's requests over aiohttp rather than httpx, whose connection pool costs milliseconds a request under load.

    The worker's bot only sends text, so files are not supported.
    """

    def __init__(self, connections: int = CONNECTIONS) -> None:
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        return SEND_TIMEOUT

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=self._connections),
                                                  timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT))

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         *_timeouts: Any, **_named_timeouts: Any) -> tuple[int, bytes]:
        """POST the request's fields as a form, as PTB's own request does; the status and the body."""
        if self._session is None or self._session.closed:
            raise RuntimeError("this AiohttpRequest is not initialized")
        if request_data is not None and request_data.contains_files:
            raise NotImplementedError("the worker sends no files")
        try:
            # Encoded here: given a dict, aiohttp builds a multipart writer (and a uuid4) per request.
            form = urlencode(request_data.json_parameters) if request_data else None
            async with self._session.request(method, url, data=form, headers=FORM_HEADERS) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp.{type(error).__name__}") from error


class TextBot(Bot):
    """A Bot that reads back only the id of a message it sent: building PTB's Message from each answer took
    half a millisecond, a quarter of the worker's time per message."""

    async def send_text(self, chat_id: str, text: str) -> str:
        """sendMessage, with Bot's own handling of Telegram's errors; the message's id."""
        answer = await self._post("sendMessage", {"chat_id": chat_id, "text": text})
        return str(answer["message_id"])


class TelegramSender:
    """The worker's way out to the Bot API, through python-telegram-bot on aiohttp."""

    provider = CHANNEL

    def __init__(self, settings: Settings, pacer: Pacer) -> None:
        self.bot = TextBot(settings.telegram_bot_token, base_url=f"{settings.telegram_api_base_url}/bot",
                           request=AiohttpRequest())
        self.pacer = pacer
        self._starting = asyncio.Lock()

    async def send(self, row: Outgoing, text: str) -> Outcome:
        """Send a message to a chat id; a refusal read by `outcome_of`."""
        try:
            async with self._starting:  # getMe once, not once per send waiting; until it answers, each send asks
                await self.bot.initialize()
            message_id = await self.bot.send_text(row.address, text)
        except TelegramError as error:
            return outcome_of(error)
        return Outcome(Verdict.SENT, message_id)

    async def close(self) -> None:
        """Close the bot's HTTP connections."""
        await self.bot.shutdown()


# -- what every channel module offers (bot/channels.py) ---------------------------------------------


def missing(settings: Settings) -> list[str]:
    """The settings Telegram still needs to be on; none when it is on."""
    return [] if settings.telegram_bot_token else ["TELEGRAM_BOT_TOKEN"]


def caveats(settings: Settings) -> list[str]:
    """What the server should say about Telegram's settings, once it is on."""
    if settings.telegram_webhook_secret:
        return []
    return ["TELEGRAM_WEBHOOK_SECRET is not set, so the webhook refuses every update "
            "(use `tabe serve --polling` locally)"]


def door(settings: Settings, database: Database, mailboxes: Mailboxes) -> TelegramChannel:
    return TelegramChannel(settings, database, mailboxes)


def outbox_sender(settings: Settings, pacer: PacerFor, _clock: Callable[[], datetime]) -> TelegramSender:
    """The worker's sender: at TELEGRAM_MPS over all chats, and one message a second to each."""
    return TelegramSender(settings, pacer(settings.telegram_mps, CHAT_GAP))
