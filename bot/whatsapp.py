"""WhatsApp through Twilio: signed webhooks in, replies back (TwiML, or the REST API with buttons and lists made as
Content resources), and the worker's outbox rows out through the REST API; what Twilio's errors mean is read here
once (UNREACHABLE, `twilio_outcome`)."""

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import aiohttp
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.rest.content.v1.content import ContentList
from twilio.twiml.messaging_response import MessagingResponse

from bot.bodies import TooLarge, bounded
from bot.delivery import Outcome, Pacer, PacerFor, Verdict
from bot.mailbox import Mailboxes
from bot.render import as_plain_text
from bot.settings import TWILIO, Settings, unchosen
from bot.whatsapp_screens import Screen, screen
from domain.channels import LABELS, within_window
from domain.channels import WHATSAPP as CHANNEL
from domain.outbox import NO_TEMPLATE
from flows.i18n import Text
from flows.messages import LOCATION, MEDIA, PRESSED, SORRY, STICKER, VOICE, Inbound, Reply, is_choice_id
from flows.parsing import vouched_phone
from store import contents
from store.db import Database
from store.models import utcnow
from store.outbox import Outgoing

log = logging.getLogger(__name__)

TITLE = LABELS[CHANNEL]
WEBHOOK_PATH = "/whatsapp/webhook"
STATUS_PATH = "/whatsapp/status"
SIGNATURE_HEADER = "X-Twilio-Signature"
ADDRESS_PREFIX = "whatsapp:"
MAX_FIELD = 4096  # longer than any field Twilio sends; a bigger one is not Twilio's
TEXT_FIELD = "Body"  # the owner's own words, however long: a text too long to answer is told so kindly
_ADDRESS = re.compile(r"whatsapp:\+[0-9]{1,15}")  # E.164: a "+" and at most 15 digits
_SID = re.compile(r"[A-Za-z0-9]{1,64}")  # Twilio's ids: "SM" and 32 hex digits
_STATUS = re.compile(r"[a-z_]{1,20}")  # "sent", "delivered", "partially_delivered"…
# Twilio's errors for a number that cannot be reached: 21211 invalid To number, 21610 unsubscribed
# (replied STOP), 21614 not a mobile number, 63003 not on WhatsApp, 63014 blocked by the user,
# 63024 invalid recipient. Sending there again is pointless, so the chat is marked blocked.
UNREACHABLE = frozenset({21211, 21610, 21614, 63003, 63014, 63024})
THROTTLED = 20429  # Twilio's "Too Many Requests"
FAILED_STATUSES = ("failed", "undelivered")
QUICK_REPLY = "twilio/quick-reply"
LIST_PICKER = "twilio/list-picker"
BODY_VARIABLE = "{{1}}"  # a screen's words go as its variable: a Content holds only the choices, never an owner's data


def inbound_from_form(form: FormData) -> Inbound | None:
    """A Twilio WhatsApp message as the conversation reads it; None when it is not one.

    The sender's number is the WhatsApp account itself, so it counts as a verified phone, when it is a real one.
    """
    sender = form.get("From")
    message_sid = form.get("MessageSid")
    if not isinstance(sender, str) or not _ADDRESS.fullmatch(sender) or not isinstance(message_sid, str) \
            or not _SID.fullmatch(message_sid):
        return None
    verified_phone = vouched_phone(sender.removeprefix(ADDRESS_PREFIX))
    pressed = form.get("ButtonPayload") or form.get("ListId")  # a quick reply's or a list row's id: a choice_id
    if isinstance(pressed, str) and is_choice_id(pressed):
        return Inbound(CHANNEL, sender, message_sid, str(pressed), verified_phone=verified_phone, attachment=PRESSED)
    text = form.get("ButtonText") or form.get(TEXT_FIELD) or ""  # a template's button carries only its words
    return Inbound(CHANNEL, sender, message_sid, str(text), verified_phone=verified_phone, attachment=_attachment(form))


def _attachment(form: FormData) -> str | None:
    if form.get("Latitude") and form.get("Longitude"):
        return LOCATION
    if str(form.get("NumMedia") or "0") == "0":
        return None
    content_type = str(form.get("MediaContentType0") or "")
    if content_type.startswith("audio/"):
        return VOICE
    if content_type == "image/webp":  # how WhatsApp stickers arrive
        return STICKER
    return MEDIA


def twiml(replies: list[Reply]) -> str:
    """The replies as TwiML messages, the answer Twilio sends on to WhatsApp."""
    response = MessagingResponse()
    for reply in replies:
        response.message(as_plain_text(reply))
    return str(response)


def content_request(shown: Screen) -> dict[str, Any]:
    """The Content API's resource for a screen: its choices as quick replies or a list, its words a variable."""
    if shown.is_list:
        items = [{"id": option.id, "item": option.title, "description": option.description or option.title}
                 for option in shown.options]
        kind = {LIST_PICKER: {"body": BODY_VARIABLE, "button": shown.button, "items": items}}
    else:
        actions = [{"id": option.id, "title": option.title} for option in shown.options]
        kind = {QUICK_REPLY: {"body": BODY_VARIABLE, "actions": actions}}
    return {"language": shown.language, "variables": {"1": "TABE"}, "types": kind}


def content_key(request: dict[str, Any]) -> str:
    """A Content resource's exact content (language, body, choices) as the registry keeps it."""
    return hashlib.sha256(json.dumps(request, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class Screens:
    """The Content resources of the screens of choices: made through the Content API on first need and kept in the
    registry by their exact content, so each distinct screen is made once, whichever process needs it first."""

    def __init__(self, client: Client, database: Database) -> None:
        self.client = client
        self.database = database
        # By the screen's key (its language and choices, which are all its resource holds), so a reply whose screen
        # was seen before in this process costs no encoding and hashing of the resource.
        self._known: dict[str, str] = {}

    async def content_sid(self, shown: Screen) -> str | None:
        """The screen's Content resource, made now if there is none yet; None when it cannot be made."""
        if shown.key not in self._known:
            request = content_request(shown)
            key = content_key(request)
            sid = await asyncio.to_thread(self._kept, key)
            if sid is None:
                try:
                    made = await self.client.content.v1.contents.create_async(
                        ContentList.ContentCreateRequest({"friendly_name": f"tabe_{key[:20]}", **request}))
                except (TwilioRestException, TwilioServiceException, aiohttp.ClientError, OSError) as error:
                    # The screen's words are not in the request, but its choices may name a business: not logged.
                    log.warning("Twilio Content for a screen of %s choices not made (%s): sent as numbered text",
                                len(shown.options), _failure(error))
                    return None
                sid = await asyncio.to_thread(self._keep, key, str(made.sid))
            self._known[shown.key] = sid
        return self._known[shown.key]

    def _kept(self, key: str) -> str | None:
        with self.database.engine.connect() as connection:
            return contents.content_sid(connection, key)

    def _keep(self, key: str, sid: str) -> str:
        with self.database.engine.begin() as connection:
            return contents.keep(connection, key, sid, utcnow())


class Replies:
    """Replies the owner waits for, through the REST API when one has choices to press (TwiML cannot carry a
    Content resource), else in the webhook's TwiML; in order, and what cannot go this way goes in the TwiML."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.sender_address = _whatsapp_address(settings.twilio_whatsapp_from)
        self.http_client = EncodedFormClient()  # opens an aiohttp session: make it inside the loop
        self.client = twilio_client(settings, self.http_client)
        self.screens = Screens(self.client, database)

    async def send(self, address: str, replies: list[Reply]) -> list[Reply]:
        """Send the replies when any has choices to press; the ones left for the webhook's TwiML."""
        shown = [screen(reply) for reply in replies]
        if not any(shown):
            return replies
        for position, (reply, screen_shown) in enumerate(zip(replies, shown, strict=True)):
            sid = await self.screens.content_sid(screen_shown) if screen_shown else None
            content = {"content_sid": sid, "content_variables": json.dumps({"1": reply.text})} if sid \
                else {"body": as_plain_text(reply)}
            try:
                await self.client.messages.create_async(from_=self.sender_address, to=address, **content)
            except (TwilioRestException, TwilioServiceException, aiohttp.ClientError, OSError) as error:
                log.warning("a reply did not go through Twilio's REST API (%s): it and those after it go as TwiML",
                            _failure(error))
                return replies[position:]
        return []

    async def close(self) -> None:
        await self.http_client.close()


class WhatsAppChannel:
    """WhatsApp's door: checks every request's signature, replies in the webhook's response or, with choices to
    press, through the REST API."""

    def __init__(self, settings: Settings, database: Database, mailboxes: Mailboxes) -> None:
        self.settings = settings
        self.database = database
        self.mailboxes = mailboxes
        self.validator = RequestValidator(settings.twilio_auth_token)
        self.replies: Replies | None = None

    def routes(self) -> list[Route]:
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"]), Route(STATUS_PATH, self.status, methods=["POST"])]

    async def start(self, polling: bool) -> None:
        """Open the REST client for replies with choices; Twilio only calls webhooks, so there is no polling."""
        self.replies = Replies(self.settings, self.database)

    async def stop(self) -> None:
        """Close the REST client."""
        if self.replies is not None:
            await self.replies.close()

    async def webhook(self, request: Request) -> Response:
        """POST /whatsapp/webhook: a signed message, answered once it is handled, in TwiML what did not go before."""
        form = await self._signed_form(request)
        if isinstance(form, Response):
            return form
        inbound = inbound_from_form(form)
        if inbound is None:
            return PlainTextResponse("malformed message", status_code=400)
        left: list[Reply] = []

        async def send(_inbound: Inbound, replies: list[Reply], _batched: bool) -> None:
            # Before the chat's next message is answered, so replies with buttons keep their order.
            left[:] = replies if self.replies is None else await self.replies.send(inbound.address, replies)

        try:
            await self.mailboxes.handle(inbound, after=send)
        except Exception as error:  # noqa: BLE001 - the owner hears we failed; Twilio is not left with a 500
            log.error("WhatsApp message %s failed: %s", inbound.message_id, type(error).__name__)
            left = [Reply(Text()(SORRY))]
        return Response(twiml(left), media_type="application/xml")

    async def status(self, request: Request) -> Response:
        """POST /whatsapp/status: a signed delivery report, kept with the message it is about."""
        form = await self._signed_form(request)
        if isinstance(form, Response):
            return form
        message_sid, status = form.get("MessageSid"), form.get("MessageStatus")
        if not isinstance(message_sid, str) or not _SID.fullmatch(message_sid) or not isinstance(status, str) \
                or not _STATUS.fullmatch(status):
            return PlainTextResponse("malformed status", status_code=400)
        error_code, to = _code(form.get("ErrorCode")), form.get("To")
        try:
            await asyncio.to_thread(self._record_status, message_sid, status, error_code,
                                    to if isinstance(to, str) and _ADDRESS.fullmatch(to) else None)
        except Exception as error:  # noqa: BLE001 - Twilio sends the callback again after a 5xx
            log.error("WhatsApp status %s not recorded: %s", message_sid[:100], type(error).__name__)
            return PlainTextResponse("try again later", status_code=503)
        return Response(status_code=204)

    def _record_status(self, message_sid: str, status: str, error_code: int | None, to: str | None) -> None:
        with self.database.transaction() as registry:
            registry.record_delivery_status(CHANNEL, message_sid, status, None if error_code is None else str(error_code))
            if to is not None and status in FAILED_STATUSES and error_code in UNREACHABLE:
                registry.set_blocked(CHANNEL, to, True)

    async def _signed_form(self, request: Request) -> FormData | Response:
        """The request's form when Twilio signed it for our public address: 403 unsigned, 400 unreadable, 413 huge."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return PlainTextResponse("forbidden", status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return PlainTextResponse("expected a form", status_code=400)
        try:
            form = await bounded(request).form(max_files=0, max_fields=100)
        except TooLarge:
            return PlainTextResponse("too large for a message", status_code=413)
        except Exception:  # noqa: BLE001 - whatever the parser rejects is a malformed body
            return PlainTextResponse("malformed form", status_code=400)
        # Behind a TLS proxy the request reaches us as http://internal-host/…; Twilio signed the
        # public address it was given, which is PUBLIC_BASE_URL.
        url = self.settings.public_base_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        if not self.validator.validate(url, {name: str(value) for name, value in form.items()}, signature):
            return PlainTextResponse("forbidden", status_code=403)
        if any(not isinstance(value, str) or (len(value) > MAX_FIELD and name != TEXT_FIELD)
               for name, value in form.items()):
            return PlainTextResponse("malformed form", status_code=400)
        return form


class EncodedFormClient(AsyncTwilioHttpClient):
    """twilio's aiohttp client, handing aiohttp the body already encoded, as the request's content type says.

    Given a dict, aiohttp builds a FormData, and with it a multipart writer and its uuid4 boundary,
    for every request: a third of a worker's time per WhatsApp message. Twilio's request already says
    it is a urlencoded form, or, for the Content API, JSON (which twilio's async client would send as a form).
    """

    async def request(self, method: str, url: str, params: dict[str, object] | None = None,
                      data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                      auth: tuple[str, str] | None = None, timeout: float | None = None,
                      allow_redirects: bool = False) -> TwilioResponse:
        encoded: Any = None
        if data and (headers or {}).get("Content-Type") == "application/json":
            encoded = json.dumps(_without_nulls(data))  # the request names every content type, all but one null
        elif data:
            encoded = urlencode(data, doseq=True)
        return await super().request(method, url, params, encoded, headers, auth, timeout, allow_redirects)


def _without_nulls(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _without_nulls(value) for key, value in data.items() if value is not None}
    if isinstance(data, list):
        return [_without_nulls(value) for value in data]
    return data


def twilio_client(settings: Settings, http_client: EncodedFormClient) -> Client:
    """The twilio client on our aiohttp client, at the configured addresses of the Messages and Content APIs."""
    client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=http_client)
    client.api.base_url = settings.twilio_api_base_url
    client.content.base_url = settings.twilio_content_api_base_url
    # A region or edge (also from TWILIO_REGION/TWILIO_EDGE) rewrites the host name, which would
    # undo TWILIO_API_BASE_URL.
    client.region = client.edge = None
    return client


class WhatsAppSender:
    """The worker's way out to Twilio's REST API, with its async client: free text inside WhatsApp's 24 hours, else
    the approved template."""

    provider = TWILIO

    def __init__(self, settings: Settings, pacer: Pacer, clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.template = settings.twilio_announcement_content_sid
        self.pacer = pacer
        self.clock = clock
        self.http_client = EncodedFormClient()  # opens an aiohttp session: make it inside the loop
        self.client = twilio_client(settings, self.http_client)
        if not self.template:
            log.warning("TWILIO_ANNOUNCEMENT_CONTENT_SID is not set: WhatsApp messages to owners who have not "
                        "written in the last 24 hours will fail")

    async def send(self, row: Outgoing, text: str) -> Outcome:
        """Send to a "whatsapp:+62…" address; a refusal read by `twilio_outcome`."""
        template = False
        if within_window(row.heard_at, self.clock()):
            content = {"body": text}
        elif self.template:
            content = {"content_sid": self.template, "content_variables": json.dumps({"1": text})}
            template = True
        else:
            return Outcome(Verdict.FAILED, NO_TEMPLATE)
        try:
            message = await self.client.messages.create_async(
                from_=_whatsapp_address(self.settings.twilio_whatsapp_from), to=row.address,
                status_callback=self.settings.public_base_url + STATUS_PATH, **content,
            )
        except (TwilioRestException, TwilioServiceException) as error:
            return twilio_outcome(error.status, error.code)
        except (aiohttp.ClientError, OSError) as error:  # twilio's async client is aiohttp
            return Outcome(Verdict.RETRY, type(error).__name__)
        return Outcome(Verdict.SENT, message.sid, template=template)

    async def close(self) -> None:
        """Close the twilio client's aiohttp session."""
        await self.http_client.close()


def twilio_outcome(status: int, code: int | None) -> Outcome:
    """Twilio's refusal classified: throttling waits, an unreachable number is marked, any other 400 fails."""
    detail = f"Twilio {status} error {code}"
    if status == 429 or code == THROTTLED:
        return Outcome(Verdict.SLOW_DOWN, detail)
    if code in UNREACHABLE:
        return Outcome(Verdict.UNREACHABLE, detail)
    if status == 400:
        return Outcome(Verdict.FAILED, detail)
    # 5xx, and 401/403/404: credentials or an account an operator can put right.
    return Outcome(Verdict.RETRY, detail)


def _failure(error: Exception) -> str:
    """What went wrong with a request to Twilio, in words that hold no personal data."""
    if isinstance(error, (TwilioRestException, TwilioServiceException)):
        return f"Twilio {error.status} error {error.code}"
    return type(error).__name__


def _whatsapp_address(number: str) -> str:
    """TWILIO_WHATSAPP_FROM may be written with or without its "whatsapp:" prefix."""
    return number if number.startswith(ADDRESS_PREFIX) else ADDRESS_PREFIX + number


def _code(error_code: object) -> int | None:
    """Twilio's error code as a number; None when there is none or it is not one."""
    # isdigit() also says yes to "²" and "❶", which int() refuses; Twilio's codes have five digits.
    if not isinstance(error_code, str) or not error_code.isascii() or not error_code.isdecimal() or len(error_code) > 9:
        return None
    return int(error_code)


# -- what every channel module offers (bot/channels.py) ---------------------------------------------


def missing(settings: Settings) -> list[str]:
    """The settings WhatsApp through Twilio still needs to be on; none when it is on. It must be WHATSAPP_PROVIDER's
    choice; the signature check needs the public address."""
    needed = {"TWILIO_ACCOUNT_SID": settings.twilio_account_sid, "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
              "TWILIO_WHATSAPP_FROM": settings.twilio_whatsapp_from, "PUBLIC_BASE_URL": settings.public_base_url}
    return unchosen(settings, TWILIO) + [name for name, value in needed.items() if not value]


def caveats(_settings: Settings) -> list[str]:
    """Nothing more to say once WhatsApp is on: its settings are all needed."""
    return []


def door(settings: Settings, database: Database, mailboxes: Mailboxes) -> WhatsAppChannel:
    return WhatsAppChannel(settings, database, mailboxes)


def outbox_sender(settings: Settings, pacer: PacerFor, clock: Callable[[], datetime]) -> WhatsAppSender:
    """The worker's sender, at TWILIO_MPS: Twilio paces a sender as a whole, with no gap per chat."""
    return WhatsAppSender(settings, pacer(settings.twilio_mps, 0.0), clock)
