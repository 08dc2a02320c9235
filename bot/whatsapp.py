"""WhatsApp through Twilio: signed webhooks in, TwiML replies back, the REST API for the rest."""

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from twilio.twiml.messaging_response import MessagingResponse

from bot.mailbox import Mailboxes
from bot.render import as_plain_text
from bot.settings import Settings
from domain.channels import WHATSAPP as CHANNEL
from flows.i18n import Text
from flows.messages import LOCATION, MEDIA, SORRY, STICKER, VOICE, Inbound, Reply
from store.db import Database

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/whatsapp/webhook"
STATUS_PATH = "/whatsapp/status"
SIGNATURE_HEADER = "X-Twilio-Signature"
ADDRESS_PREFIX = "whatsapp:"
MAX_FIELD = 4096  # longer than any field Twilio sends; a bigger one is not Twilio's
# Twilio's errors for a number that cannot be reached: 21211 invalid To number, 21610 unsubscribed
# (replied STOP), 21614 not a mobile number, 63003 not on WhatsApp, 63014 blocked by the user,
# 63024 invalid recipient. Sending there again is pointless, so the chat is marked blocked.
UNREACHABLE = frozenset({21211, 21610, 21614, 63003, 63014, 63024})
FAILED_STATUSES = ("failed", "undelivered")


def inbound_from_form(form: FormData) -> Inbound | None:
    """A Twilio WhatsApp message as the conversation reads it; None when it is not one.

    The sender's number is the WhatsApp account itself, so it counts as a verified phone.
    """
    sender = form.get("From")
    message_sid = form.get("MessageSid")
    if not isinstance(sender, str) or not sender.startswith(ADDRESS_PREFIX + "+") or not isinstance(message_sid, str):
        return None
    if not message_sid or len(message_sid) > 64 or len(sender) > len(ADDRESS_PREFIX) + 16:  # E.164: 15 digits
        return None
    text = form.get("ButtonText") or form.get("Body") or ""
    return Inbound(CHANNEL, sender, message_sid, str(text), verified_phone=sender.removeprefix(ADDRESS_PREFIX),
                   attachment=_attachment(form))


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
        if not isinstance(message_sid, str) or not isinstance(status, str) or not message_sid or not status:
            return PlainTextResponse("malformed status", status_code=400)
        error_code, to = form.get("ErrorCode"), form.get("To")
        try:
            await asyncio.to_thread(self._record_status, message_sid[:100], status[:20],
                                    str(error_code)[:20] if error_code else None,
                                    to if isinstance(to, str) and to.startswith(ADDRESS_PREFIX + "+") else None)
        except Exception as error:  # noqa: BLE001 - Twilio sends the callback again after a 5xx
            log.error("WhatsApp status %s not recorded: %s", message_sid[:100], type(error).__name__)
            return PlainTextResponse("try again later", status_code=503)
        return Response(status_code=204)

    def _record_status(self, message_sid: str, status: str, error_code: str | None, to: str | None) -> None:
        with self.database.transaction() as registry:
            registry.record_delivery_status(CHANNEL, message_sid, status, error_code)
            if to is not None and status in FAILED_STATUSES and _code(error_code) in UNREACHABLE:
                registry.set_blocked(CHANNEL, to, True)

    async def _signed_form(self, request: Request) -> FormData | Response:
        """The request's form when Twilio signed it for our public address: 403 unsigned, 400 unreadable."""
        signature = request.headers.get(SIGNATURE_HEADER)
        if not signature:
            return PlainTextResponse("forbidden", status_code=403)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
            return PlainTextResponse("expected a form", status_code=400)
        try:
            form = await request.form(max_files=0, max_fields=100)
        except Exception:  # noqa: BLE001 - whatever the parser rejects is a malformed body
            return PlainTextResponse("malformed form", status_code=400)
        # Behind a TLS proxy the request reaches us as http://internal-host/…; Twilio signed the
        # public address it was given, which is PUBLIC_BASE_URL.
        url = self.settings.public_base_url + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        if not self.validator.validate(url, {name: str(value) for name, value in form.items()}, signature):
            return PlainTextResponse("forbidden", status_code=403)
        if any(not isinstance(value, str) or len(value) > MAX_FIELD for value in form.values()):
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
    """Sends messages nobody is waiting for through Twilio's REST API, with its async client."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.http_client = EncodedFormClient()  # opens an aiohttp session: make it inside the loop
        self.client = Client(settings.twilio_account_sid, settings.twilio_auth_token, http_client=self.http_client)
        self.client.api.base_url = settings.twilio_api_base_url
        # A region or edge (also from TWILIO_REGION/TWILIO_EDGE) rewrites the host name, which would
        # undo TWILIO_API_BASE_URL.
        self.client.region = self.client.edge = None

    async def send(self, address: str, reply: Reply) -> str:
        """Send one reply to a "whatsapp:+62…" address as free text (inside WhatsApp's 24 hours); Twilio's SID."""
        return await self._create(address, body=as_plain_text(reply))

    async def send_template(self, address: str, content_sid: str, text: str) -> str:
        """Send an approved template whose one variable is `text` (outside WhatsApp's 24 hours); Twilio's SID."""
        return await self._create(address, content_sid=content_sid, content_variables=json.dumps({"1": text}))

    async def _create(self, address: str, **content: str) -> str:
        message = await self.client.messages.create_async(
            from_=_whatsapp_address(self.settings.twilio_whatsapp_from), to=address,
            status_callback=self.settings.public_base_url + STATUS_PATH, **content,
        )
        return message.sid

    async def close(self) -> None:
        await self.http_client.close()


def _whatsapp_address(number: str) -> str:
    """TWILIO_WHATSAPP_FROM may be written with or without its "whatsapp:" prefix."""
    return number if number.startswith(ADDRESS_PREFIX) else ADDRESS_PREFIX + number


def _code(error_code: str | None) -> int | None:
    """Twilio's error code as a number; None when there is none or it is not one."""
    return int(error_code) if error_code is not None and error_code.isdigit() else None
