"""WhatsApp through Twilio: signed webhooks in, TwiML replies back, and the worker's outbox rows out through the
REST API; what Twilio's errors mean is read here once (UNREACHABLE, `twilio_outcome`)."""

import asyncio
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
from twilio.twiml.messaging_response import MessagingResponse

from bot.bodies import TooLarge, bounded
from bot.delivery import Outcome, Pacer, PacerFor, Verdict
from bot.mailbox import Mailboxes
from bot.render import as_plain_text
from bot.settings import TWILIO, Settings, unchosen
from domain.channels import LABELS, within_window
from domain.channels import WHATSAPP as CHANNEL
from domain.outbox import NO_TEMPLATE
from flows.i18n import Text
from flows.messages import LOCATION, MEDIA, SORRY, STICKER, VOICE, Inbound, Reply
from flows.parsing import vouched_phone
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


def inbound_from_form(form: FormData) -> Inbound | None:
    """A Twilio WhatsApp message as the conversation reads it; None when it is not one.

    The sender's number is the WhatsApp account itself, so it counts as a verified phone, when it is a real one.
    """
    sender = form.get("From")
    message_sid = form.get("MessageSid")
    if not isinstance(sender, str) or not _ADDRESS.fullmatch(sender) or not isinstance(message_sid, str) \
            or not _SID.fullmatch(message_sid):
        return None
    text = form.get("ButtonText") or form.get(TEXT_FIELD) or ""
    return Inbound(CHANNEL, sender, message_sid, str(text),
                   verified_phone=vouched_phone(sender.removeprefix(ADDRESS_PREFIX)), attachment=_attachment(form))


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


class WhatsAppChannel:
    """WhatsApp's door: checks every request's signature, replies in the webhook's response."""

    def __init__(self, settings: Settings, database: Database, mailboxes: Mailboxes) -> None:
        self.settings = settings
        self.database = database
        self.mailboxes = mailboxes
        self.validator = RequestValidator(settings.twilio_auth_token)

    def routes(self) -> list[Route]:
        return [Route(WEBHOOK_PATH, self.webhook, methods=["POST"]), Route(STATUS_PATH, self.status, methods=["POST"])]

    async def start(self, polling: bool) -> None:
        """Nothing to start: Twilio only calls webhooks, so there is no polling either."""

    async def stop(self) -> None:
        """Nothing to stop."""

    async def webhook(self, request: Request) -> Response:
        """POST /whatsapp/webhook: a signed message, answered with TwiML once it is handled."""
        form = await self._signed_form(request)
        if isinstance(form, Response):
            return form
        inbound = inbound_from_form(form)
        if inbound is None:
            return PlainTextResponse("malformed message", status_code=400)
        try:
            replies = await self.mailboxes.handle(inbound)
        except Exception as error:  # noqa: BLE001 - the owner hears we failed; Twilio is not left with a 500
            log.error("WhatsApp message %s failed: %s", inbound.message_id, type(error).__name__)
            replies = [Reply(Text()(SORRY))]
        return Response(twiml(replies), media_type="application/xml")

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
    """twilio's aiohttp client, handing aiohttp the form already encoded.

    Given a dict, aiohttp builds a FormData, and with it a multipart writer and its uuid4 boundary,
    for every request: a third of a worker's time per WhatsApp message. Twilio's request already says
    it is a urlencoded form.
    """

    async def request(self, method: str, url: str, params: dict[str, object] | None = None,
                      data: dict[str, object] | None = None, headers: dict[str, str] | None = None,
                      auth: tuple[str, str] | None = None, timeout: float | None = None,
                      allow_redirects: bool = False) -> TwilioResponse:
        encoded: Any = urlencode(data, doseq=True) if data else None
        return await super().request(method, url, params, encoded, headers, auth, timeout, allow_redirects)


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
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=self.http_client)
        self.client.api.base_url = settings.twilio_api_base_url
        # A region or edge (also from TWILIO_REGION/TWILIO_EDGE) rewrites the host name, which would
        # undo TWILIO_API_BASE_URL.
        self.client.region = self.client.edge = None
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
