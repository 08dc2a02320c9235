"""Telegram through python-telegram-bot: updates in (webhook or polling), replies out with keyboards."""

import asyncio
import contextlib
import hmac
import json
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import timedelta
from functools import lru_cache, partial

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
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
from telegram.error import Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.mailbox import Mailboxes
from bot.render import as_plain_text
from bot.settings import Settings
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
from store.db import Database

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
UPDATE_TYPES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
SEND_ATTEMPTS = 3
LONGEST_WAIT = 10.0  # seconds; a reply the owner waits for is not held back longer than this
SHORT_LABEL = 16  # choices this short sit two to a keyboard row
POLL_TIMEOUT = 30
RETRY_START = 10  # seconds between attempts to reach the Bot API at start
MAX_MESSAGE = 4096  # the Bot API's longest text
PARAGRAPH = "\n\n"


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
        phone = _e164(message.contact.phone_number)
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


def _e164(phone_number: str) -> str | None:
    """Telegram gives a contact's number as digits, usually without the "+"."""
    digits = "".join(character for character in phone_number if character.isdigit())
    return f"+{digits}" if 8 <= len(digits) <= 15 else None


Markup = ReplyKeyboardMarkup | ReplyKeyboardRemove


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


def as_messages(replies: list[Reply]) -> list[tuple[str, Markup | None]]:
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
    messages: list[tuple[str, Markup | None]] = []
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


@dataclass
class _WebhookAnswer:
    """What the webhook's response carries: the turn's message, or that handling failed (Telegram resends)."""

    messages: list[tuple[str, Markup | None]] = field(default_factory=list)
    failed: bool = False


# The reply to a webhook update can ride back in the webhook's own response, as a Bot API method
# call; the request being handled puts its answer here for the handler to fill.
_IN_RESPONSE: ContextVar[_WebhookAnswer | None] = ContextVar("telegram_response", default=None)


class TelegramChannel:
    """Telegram's door: the webhook, polling for local use, and replies in order."""

    def __init__(self, settings: Settings, database: Database, mailboxes: Mailboxes) -> None:
        self.settings = settings
        self.database = database
        self.mailboxes = mailboxes
        self.application = build_application(settings)
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._starting: asyncio.Task[None] | None = None
        self.ready = False  # until the Bot API has answered getMe

    async def start(self) -> None:
        """Introduce the bot to the Bot API (getMe); while it cannot be reached, keep trying in the background.

        The other channels need not wait for Telegram: the server starts, and Telegram's webhook
        answers 503 (Telegram delivers the update again later) until the bot is ready.
        """
        if not await self._initialize():
            self._starting = asyncio.create_task(self._keep_initializing())

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
        if self._starting is not None:
            self._starting.cancel()
        if self.ready:
            await self.application.shutdown()

    async def webhook(self, request: Request) -> Response:
        """POST /telegram/webhook: a secret-token-checked update; the reply goes back in the response."""
        secret = self.settings.telegram_webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        update = _parse_update(await request.body(), self.application.bot)
        if update is None:
            return PlainTextResponse("malformed update", status_code=400)
        if not self.ready:
            return PlainTextResponse("not ready: the Bot API cannot be reached", status_code=503)
        answer = _WebhookAnswer()
        token = _IN_RESPONSE.set(answer)
        try:
            await self.application.process_update(update)
        finally:
            _IN_RESPONSE.reset(token)
        if answer.failed:  # nothing was kept: Telegram delivers the update again later
            return PlainTextResponse("try again later", status_code=503)
        if not answer.messages or update.effective_chat is None:
            return PlainTextResponse("ok")
        [(text, markup)] = answer.messages
        method: dict[str, object] = {"method": "sendMessage", "chat_id": update.effective_chat.id, "text": text}
        if markup is not None:
            method["reply_markup"] = _as_json(markup)
        return JSONResponse(method)

    async def poll(self) -> None:
        """Fetch updates with getUpdates and process them like webhook ones, until cancelled."""
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
                await self.application.process_update(update)

    async def _on_update(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand a private message to its chat's mailbox; note a chat that blocked or unblocked us."""
        if update.callback_query is not None:
            with contextlib.suppress(TelegramError):  # a late or resent press can no longer be answered
                await update.callback_query.answer()  # stops the spinner on the stale button
        if update.my_chat_member is not None:
            await self._note_membership(update)
            return
        inbound = inbound_from_update(update)
        if inbound is None:
            return
        answer = _IN_RESPONSE.get()
        handling = self.mailboxes.handle(inbound, sequence=update.update_id, after=partial(self._deliver, answer))
        if answer is None:
            await handling  # polling: a failure goes to the error handler, which apologises
            return
        try:
            await handling
        except Exception as error:  # noqa: BLE001 - answered with 503 so that Telegram resends it
            log.error("Telegram update %s failed: %s", update.update_id, type(error).__name__)
            answer.failed = True

    async def _deliver(self, answer: _WebhookAnswer | None, inbound: Inbound, replies: list[Reply],
                       with_others: bool) -> None:
        """In the webhook's response when the turn fits one message, else through the Bot API, in order.

        A burst of one chat's messages answered together goes through the API, one after the other:
        separate webhook responses could be read by Telegram in any order.
        """
        messages = as_messages(replies)
        if answer is not None and len(messages) == 1 and not with_others:
            answer.messages.extend(messages)
            return
        for text, markup in messages:
            try:
                await self._send_one(inbound.address, text, markup)
            except Forbidden:
                await asyncio.to_thread(self._set_blocked, inbound.address, True)
                return

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

    async def _send_one(self, chat_id: str, text: str, markup: Markup | None) -> None:
        for attempt in range(1, SEND_ATTEMPTS + 1):
            try:
                await self.application.bot.send_message(chat_id, text, reply_markup=markup)
                return
            except RetryAfter as error:
                wait = as_seconds(error.retry_after)
                if attempt == SEND_ATTEMPTS or wait > LONGEST_WAIT:
                    raise
                await asyncio.sleep(wait)
            except NetworkError:
                if attempt == SEND_ATTEMPTS:
                    raise
                await asyncio.sleep(0.5 * attempt)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log what failed, never the message itself (it may hold a NIK), and tell the owner."""
        log.error("Telegram update %s failed: %s", getattr(update, "update_id", "?"), type(context.error).__name__)
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None or isinstance(context.error, Forbidden):
            return
        try:
            await self.application.bot.send_message(chat.id, Text()(SORRY))
        except TelegramError:
            pass


def _parse_update(body: bytes, bot: Bot) -> Update | None:
    """The update in a webhook body; None when it is not one (anything PTB cannot read is malformed)."""
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return None
        return Update.de_json(data, bot)
    except Exception:  # noqa: BLE001 - a body PTB cannot build an Update from is the sender's fault
        return None


def as_seconds(value: int | timedelta) -> float:
    """A Bot API time period in seconds: PTB gives an int or, once PTB_TIMEDELTA is set, a timedelta."""
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
