"""WhatsApp through Meta's Cloud API: signed webhooks in, replies and the worker's outbox rows out through the
Graph API; what Meta's errors mean is read here once (`cloud_outcome`).

The channel is WhatsApp's own (domain.channels.WHATSAPP) and an owner's address is "whatsapp:+62…"
as through Twilio, so an owner is the same owner whichever provider carried the message;
WHATSAPP_PROVIDER turns one provider on and the other off. Unlike Twilio's, the webhook's answer
carries no reply: replies go through the Graph API, in order, once the conversation has answered.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.bodies import TooLarge, bounded
from bot.delivery import SEND_TIMEOUT, Outcome, Pacer, PacerFor, Verdict
from bot.mailbox import Mailboxes
from bot.render import as_plain_text
from bot.settings import CLOUD_API, Settings, unchosen
from bot.whatsapp import ADDRESS_PREFIX, FAILED_STATUSES
from bot.whatsapp_screens import Screen, screen
from domain.channels import LABELS, within_window
from domain.channels import WHATSAPP as CHANNEL
from domain.outbox import NO_TEMPLATE
from flows.i18n import Text
from flows.messages import LOCATION, MEDIA, PRESSED, SORRY, STICKER, VOICE, Inbound, Reply
from flows.parsing import vouched_phone
from store.db import Database
from store.models import utcnow
from store.outbox import Outgoing

log = logging.getLogger(__name__)

TITLE = f"{LABELS[CHANNEL]} (Cloud API)"
WEBHOOK_PATH = "/whatsapp/cloud/webhook"
SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
NOTIFICATION_OBJECT = "whatsapp_business_account"
MESSAGES_FIELD = "messages"
MAX_FIELD = 4096  # longer than any field Meta sends but the owner's own text; a bigger one is not Meta's
_NUMBER = re.compile(r"[0-9]{1,15}")  # a WhatsApp id: the number in E.164 without its "+"
_MESSAGE_ID = re.compile(r"[A-Za-z0-9._=+/-]{1,100}")  # Meta's "wamid.HBgN…" ids, within what the registry keeps
_STATUS = re.compile(r"[a-z_]{1,20}")  # "sent", "delivered", "read", "failed"
MEDIA_TYPES = frozenset({"image", "video", "document"})  # these may carry a caption: the owner's words
# What an attachment is to the conversation, by Meta's message type, as the Twilio door reads the same messages.
ATTACHMENTS = {"location": LOCATION, "audio": VOICE, "sticker": STICKER, **dict.fromkeys(MEDIA_TYPES, MEDIA)}
PRESS_TYPES = ("button_reply", "list_reply")  # an interactive message's reply buttons and list rows
OUTSIDE_WINDOW = 131047  # more than 24 hours since the owner last wrote: only a template goes
# Meta's errors for a number that cannot be reached: 131026 undeliverable (not on WhatsApp, an old
# app, or the owner has not accepted WhatsApp's terms), 131050 the owner stopped our marketing
# messages. Sending there again is pointless, so the chat is marked blocked.
UNREACHABLE = frozenset({131026, 131050})
# Throughput: 130429 the number's messages per second, 131056 too many to one owner at once,
# 80007 the business account's rate, 4 the app's calls.
THROTTLED = frozenset({130429, 131056, 80007, 4})
# Errors that pass on their own or by an operator's hand: 2 a service down, 190 an expired token,
# 131000 something went wrong at Meta, 131016 a service unavailable.
TEMPORARY = frozenset({2, 190, 131000, 131016})
# A template's parameter may hold no newline or tab nor more than three spaces in a row (error 132018).
_NOT_IN_PARAMETER = re.compile(r"\s*[\r\n\t]\s*| {4,}")


class Malformed(ValueError):
    """A body that is not a notification as Meta sends it: answered 400."""


@dataclass(frozen=True, slots=True)
class Status:
    """A delivery report on a message we sent: its id, Meta's status, the owner's address, the error's code."""

    message_id: str
    status: str
    address: str
    error_code: int | None


@dataclass(frozen=True, slots=True)
class Notification:
    """What one webhook call carries for our business number: owners' messages and delivery reports, in order."""

    messages: list[Inbound]
    statuses: list[Status]


def signed(body: bytes, signature: str, app_secret: str) -> bool:
    """Whether the body carries Meta's signature: "sha256=" and the hex HMAC-SHA256 of the raw body under the app
    secret."""
    expected = SIGNATURE_PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(signature.encode(), expected.encode())


def read_notification(body: bytes, phone_number_id: str) -> Notification:
    """The messages and statuses a webhook body carries for our number; Malformed unless it is in Meta's shape.

    Every change is read, so a wrong one anywhere refuses the whole body; only those for our number
    (one app can serve several) are kept.
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested deeper than anything Meta sends
        raise Malformed from None
    notification = _mapping(data)
    if notification.get("object") != NOTIFICATION_OBJECT:
        raise Malformed
    messages: list[Inbound] = []
    statuses: list[Status] = []
    for entry in _sequence(notification.get("entry")):
        for change in _sequence(_mapping(entry).get("changes")):
            change = _mapping(change)
            field, value = _text(change.get("field")), _mapping(change.get("value"))
            if field != MESSAGES_FIELD:
                continue
            metadata = _mapping(value.get("metadata"))
            read = [_inbound(_mapping(message)) for message in _sequence(value.get("messages", []))]
            reported = [_status(_mapping(status)) for status in _sequence(value.get("statuses", []))]
            if _text(metadata.get("phone_number_id")) == phone_number_id:
                messages += read
                statuses += reported
    return Notification(messages, statuses)


def _mapping(value: object) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Malformed
    return value


def _sequence(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise Malformed
    return value


def _text(value: object, most: int | None = MAX_FIELD) -> str:
    """A string of at most `most` characters (of any length with None: the owner's own words)."""
    if not isinstance(value, str) or (most is not None and len(value) > most):
        raise Malformed
    return value


def _matching(value: object, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise Malformed
    return value


def _address(number: object) -> str:
    """A WhatsApp id ("6281…") as the owner's address, the one Twilio gives them: "whatsapp:+6281…"."""
    return f"{ADDRESS_PREFIX}+{_matching(number, _NUMBER)}"


def _inbound(message: dict[str, Any]) -> Inbound:
    """An owner's message as the conversation reads it. The sender is the WhatsApp account itself, so its number
    counts as a verified phone, when it is a real one."""
    address = _address(message.get("from"))
    message_id = _matching(message.get("id"), _MESSAGE_ID)
    kind = _text(message.get("type"), 40)
    text, attachment = _content(kind, message)
    return Inbound(CHANNEL, address, message_id, text, verified_phone=vouched_phone(address.removeprefix(ADDRESS_PREFIX)),
                   attachment=attachment)


def _content(kind: str, message: dict[str, Any]) -> tuple[str, str | None]:
    """A message's text and what came besides, by its type, as the Twilio door reads the same messages."""
    if kind == "text":
        return _text(_mapping(message.get("text")).get("body"), most=None), None
    if kind == "button":  # a template's quick reply: its words
        return _text(_mapping(message.get("button")).get("text")), None
    if kind == "interactive":
        interactive = _mapping(message.get("interactive"))
        pressed = _text(interactive.get("type"), 40)
        if pressed in PRESS_TYPES:
            return _text(_mapping(interactive.get(pressed)).get("id"), 256), PRESSED
        return "", MEDIA
    if kind in ATTACHMENTS:
        content = _mapping(message.get(kind))  # what the attachment is (its id, where it is) is not read, only its kind
        return ("", ATTACHMENTS[kind]) if kind not in MEDIA_TYPES else (_text(content.get("caption", "")), MEDIA)
    return "", MEDIA  # contacts, reactions, orders, and what WhatsApp calls "unsupported": nothing to read


def _status(status: dict[str, Any]) -> Status:
    errors = _sequence(status.get("errors", []))
    code = _mapping(errors[0]).get("code") if errors else None
    if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
        raise Malformed
    return Status(_matching(status.get("id"), _MESSAGE_ID), _matching(status.get("status"), _STATUS),
                  _address(status.get("recipient_id")), code)


# -- what goes out: the Graph API's messages ------------------------------------------------------------


def text_content(text: str) -> dict[str, object]:
    return {"type": "text", "text": {"body": text, "preview_url": False}}


def interactive_content(shown: Screen) -> dict[str, object]:
    """A screen as the Cloud API's interactive message: reply buttons, or a list of one section's rows."""
    if shown.is_list:
        rows = [{"id": option.id, "title": option.title, **({"description": option.description}
                                                               if option.description else {})}
                for option in shown.options]
        action: dict[str, object] = {"button": shown.button, "sections": [{"rows": rows}]}
    else:
        action = {"buttons": [{"type": "reply", "reply": {"id": option.id, "title": option.title}}
                              for option in shown.options]}
    return {"type": "interactive",
            "interactive": {"type": "list" if shown.is_list else "button", "body": {"text": shown.body},
                            "action": action}}


def template_content(name: str, language: str, text: str) -> dict[str, object]:
    """The approved template, the text its one body parameter, made a single line as Meta requires of one."""
    parameter = _NOT_IN_PARAMETER.sub(" ", text).strip()
    return {"type": "template", "template": {
        "name": name, "language": {"code": language},
        "components": [{"type": "body", "parameters": [{"type": "text", "text": parameter}]}]}}


class CloudError(Exception):
    """The Graph API refused a message: its HTTP status and Meta's error code (None when it sent none)."""

    def __init__(self, status: int, code: int | None) -> None:
        super().__init__(f"Cloud API {status} error {code}")
        self.status = status
        self.code = code


class GraphApi:
    """The Graph API's messages endpoint for our business number, on one aiohttp session: make it inside the loop."""

    def __init__(self, settings: Settings) -> None:
        self.url = f"{settings.whatsapp_cloud_api_base_url}/{settings.whatsapp_cloud_phone_number_id}/messages"
        self.session = aiohttp.ClientSession(
            headers={"Authorization": f"Bearer {settings.whatsapp_cloud_access_token}",
                     "Content-Type": "application/json"},
            timeout=aiohttp.ClientTimeout(total=SEND_TIMEOUT))

    async def send(self, address: str, content: dict[str, object]) -> str:
        """Send a message to a "whatsapp:+62…" address; its id (the wamid), or CloudError with Meta's refusal."""
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual",
                   "to": address.removeprefix(ADDRESS_PREFIX + "+"), **content}
        async with self.session.post(self.url, data=json.dumps(payload, separators=(",", ":"))) as response:
            status, body = response.status, await response.read()
        try:
            answer = json.loads(body)
            if status == 200:
                return str(answer["messages"][0]["id"])
            code = answer["error"]["code"]
        except (ValueError, LookupError, TypeError):
            raise CloudError(status, None) from None
        raise CloudError(status, code if isinstance(code, int) else None)

    async def close(self) -> None:
        await self.session.close()


def cloud_outcome(status: int, code: int | None) -> Outcome:
    """Meta's refusal classified: throttling waits, an unreachable number is marked, what may pass is tried again,
    any other 4xx fails."""
    detail = f"Cloud API {status} error {code}"
    if status == 429 or code in THROTTLED:
        return Outcome(Verdict.SLOW_DOWN, detail)
    if code in UNREACHABLE:
        return Outcome(Verdict.UNREACHABLE, detail)
    if 400 <= status < 500 and code not in TEMPORARY:
        return Outcome(Verdict.FAILED, detail)
    return Outcome(Verdict.RETRY, detail)  # 5xx, an expired token, an answer that was not Meta's


# -- the door ---------------------------------------------------------------------------------------


class CloudChannel:
    """The Cloud API's door: answers Meta's verification, checks every notification's signature, replies through
    the Graph API."""

    def __init__(self, settings: Settings, database: Database, mailboxes: Mailboxes) -> None:
        self.settings = settings
        self.database = database
        self.mailboxes = mailboxes
        self.graph: GraphApi | None = None  # its session needs the server's loop: made at start

    def routes(self) -> list[Route]:
        return [Route(WEBHOOK_PATH, self.verify, methods=["GET"]), Route(WEBHOOK_PATH, self.webhook, methods=["POST"])]

    async def start(self, polling: bool) -> None:
        """Open the Graph API's session; there is no polling: Meta only calls the webhook."""
        self.graph = GraphApi(self.settings)

    async def stop(self) -> None:
        if self.graph is not None:
            await self.graph.close()

    async def verify(self, request: Request) -> Response:
        """GET /whatsapp/cloud/webhook: Meta checks the address is ours; we echo its challenge for our verify token."""
        params = request.query_params
        token = params.get("hub.verify_token", "")
        if params.get("hub.mode") != "subscribe" \
                or not hmac.compare_digest(token.encode(), self.settings.whatsapp_cloud_verify_token.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        return PlainTextResponse(params.get("hub.challenge", ""))

    async def webhook(self, request: Request) -> Response:
        """POST /whatsapp/cloud/webhook: a signed notification; 200 once its statuses are kept and its messages
        answered (Meta delivers it again after anything else)."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return PlainTextResponse("forbidden", status_code=403)
        try:
            body = await bounded(request).body()
        except TooLarge:
            return PlainTextResponse("too large for a notification", status_code=413)
        if not signed(body, signature, self.settings.whatsapp_cloud_app_secret):
            return PlainTextResponse("forbidden", status_code=403)
        try:
            notification = read_notification(body, self.settings.whatsapp_cloud_phone_number_id)
        except Malformed:
            return PlainTextResponse("malformed notification", status_code=400)
        if notification.statuses:
            try:
                await asyncio.to_thread(self._record_statuses, notification.statuses)
            except Exception as error:  # noqa: BLE001 - Meta sends the notification again after a 5xx
                log.error("WhatsApp Cloud API statuses not recorded: %s", type(error).__name__)
                return PlainTextResponse("try again later", status_code=503)
        chats: dict[str, list[Inbound]] = {}
        for inbound in notification.messages:
            chats.setdefault(inbound.address, []).append(inbound)
        await asyncio.gather(*(self._answer_chat(messages) for messages in chats.values()))
        return PlainTextResponse("ok")

    def _record_statuses(self, statuses: list[Status]) -> None:
        with self.database.transaction() as registry:
            for status in statuses:
                error_code = None if status.error_code is None else str(status.error_code)
                registry.record_delivery_status(CHANNEL, status.message_id, status.status, error_code)
                if status.status in FAILED_STATUSES and status.error_code in UNREACHABLE:
                    registry.set_blocked(CHANNEL, status.address, True)

    async def _answer_chat(self, messages: list[Inbound]) -> None:
        """One owner's messages of a notification, in the order Meta gave them."""
        for inbound in messages:
            try:
                await self.mailboxes.handle(inbound, after=self._deliver)
            except Exception as error:  # noqa: BLE001 - the owner hears we failed; Meta is not left with a 500
                log.error("WhatsApp Cloud API message %s failed: %s", inbound.message_id, type(error).__name__)
                await self._deliver(inbound, [Reply(Text()(SORRY))], False)

    async def _deliver(self, inbound: Inbound, replies: list[Reply], _with_others: bool) -> None:
        """Send a turn's replies through the Graph API, one after the other; a refusal ends the turn, logged by its
        code only (never the text or the number)."""
        for reply in replies:
            try:
                await self._send_reply(inbound.address, reply)
            except CloudError as error:
                log.error("WhatsApp Cloud API reply to message %s refused: %s", inbound.message_id, error)
                if error.code in UNREACHABLE:
                    await asyncio.to_thread(self._set_blocked, inbound.address)
                return
            except (aiohttp.ClientError, OSError) as error:
                log.error("WhatsApp Cloud API reply to message %s not sent: %s", inbound.message_id,
                          type(error).__name__)
                return

    async def _send_reply(self, address: str, reply: Reply) -> None:
        """One reply, as buttons or a list where it can be; buttons or a list Meta refuses for good go as the
        numbered text, which says the same."""
        assert self.graph is not None
        shown = screen(reply)
        if shown is None:
            await self.graph.send(address, text_content(as_plain_text(reply)))
            return
        try:
            await self.graph.send(address, interactive_content(shown))
        except CloudError as error:
            if cloud_outcome(error.status, error.code).verdict != Verdict.FAILED:
                raise
            log.warning("WhatsApp Cloud API refused a screen (%s): sent as numbered text", error)
            await self.graph.send(address, text_content(as_plain_text(reply)))

    def _set_blocked(self, address: str) -> None:
        with self.database.transaction() as registry:
            registry.set_blocked(CHANNEL, address, True)


# -- the worker's way out -----------------------------------------------------------------------------


class CloudSender:
    """The worker's way out to the Graph API: free text inside WhatsApp's 24 hours, else the approved template."""

    provider = CLOUD_API

    def __init__(self, settings: Settings, pacer: Pacer, clock: Callable[[], datetime] = utcnow) -> None:
        self.template = settings.whatsapp_cloud_template_name
        self.language = settings.whatsapp_cloud_template_language
        self.pacer = pacer
        self.clock = clock
        self.graph = GraphApi(settings)  # opens an aiohttp session: make it inside the loop
        if not self.template:
            log.warning("WHATSAPP_CLOUD_TEMPLATE_NAME is not set: WhatsApp messages to owners who have not "
                        "written in the last 24 hours will fail")

    async def send(self, row: Outgoing, text: str) -> Outcome:
        """Send to a "whatsapp:+62…" address; a refusal read by `cloud_outcome`.

        Meta's clock may say the 24 hours are over where ours does not (OUTSIDE_WINDOW): then the
        template goes at once, as it would have a little later.
        """
        try:
            if within_window(row.heard_at, self.clock()):
                try:
                    return Outcome(Verdict.SENT, await self.graph.send(row.address, text_content(text)))
                except CloudError as error:
                    if error.code != OUTSIDE_WINDOW or not self.template:
                        raise
            elif not self.template:
                return Outcome(Verdict.FAILED, NO_TEMPLATE)
            sent = await self.graph.send(row.address, template_content(self.template, self.language, text))
            return Outcome(Verdict.SENT, sent, template=True)
        except CloudError as error:
            return cloud_outcome(error.status, error.code)
        except (aiohttp.ClientError, OSError) as error:
            return Outcome(Verdict.RETRY, type(error).__name__)

    async def close(self) -> None:
        """Close the Graph API's aiohttp session."""
        await self.graph.close()


# -- what every channel module offers (bot/channels.py) ---------------------------------------------


def missing(settings: Settings) -> list[str]:
    """The settings the Cloud API still needs to be on; none when it is on. It must be WHATSAPP_PROVIDER's choice."""
    needed = {"WHATSAPP_CLOUD_PHONE_NUMBER_ID": settings.whatsapp_cloud_phone_number_id,
              "WHATSAPP_CLOUD_ACCESS_TOKEN": settings.whatsapp_cloud_access_token,
              "WHATSAPP_CLOUD_APP_SECRET": settings.whatsapp_cloud_app_secret,
              "WHATSAPP_CLOUD_VERIFY_TOKEN": settings.whatsapp_cloud_verify_token}
    return unchosen(settings, CLOUD_API) + [name for name, value in needed.items() if not value]


def caveats(_settings: Settings) -> list[str]:
    """Nothing more to say once the Cloud API is on: its settings are all needed."""
    return []


def door(settings: Settings, database: Database, mailboxes: Mailboxes) -> CloudChannel:
    return CloudChannel(settings, database, mailboxes)


def outbox_sender(settings: Settings, pacer: PacerFor, clock: Callable[[], datetime]) -> CloudSender:
    """The worker's sender, at WHATSAPP_CLOUD_MPS: Meta paces a business number as a whole; its limit per owner
    allows a burst far beyond what one owner is sent at once, so there is no gap per chat."""
    return CloudSender(settings, pacer(settings.whatsapp_cloud_mps, 0.0), clock)
