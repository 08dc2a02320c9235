"""The browser chat: a page served by the same app, on the same message path as every channel."""

import logging
import re
import secrets
from functools import cache
from html import escape
from pathlib import Path
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from bot.bodies import TooLarge, bounded
from bot.mailbox import Mailboxes
from domain.channels import BROWSER as CHANNEL
from domain.msgid import N_
from flows.i18n import Text
from flows.messages import Inbound, reply_to_json

log = logging.getLogger(__name__)

COOKIE = "tabe_chat"
MESSAGES_PATH = "/chat/messages"
STATIC = Path(__file__).parent / "static"
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{22,43}")
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{1,48}")
COOKIE_AGE = 60 * 60 * 24 * 90  # a trial chat resumes for three months, like any other channel's

# The page's own words; the conversation's words come with each reply.
PAGE_WORDS = {
    "title": N_("TABE: chat with the UMKM service"),
    "heading": N_("TABE, the UMKM service of Kalimantan Tengah"),
    "intro": N_("This is the same bot as on WhatsApp and Telegram. Type \"halo\" to begin."),
    "placeholder": N_("Type a message"),
    "send": N_("Send"),
    "retrying": N_("No connection. Trying again…"),
}


@cache
def page(language: str = "id") -> str:
    """The chat page in the reader's language, its words escaped for HTML."""
    t = Text(language)
    words = {name: escape(t(msgid)) for name, msgid in PAGE_WORDS.items()}
    return Template((STATIC / "chat.html").read_text(encoding="utf-8")).substitute(
        language=escape(language), messages_path=MESSAGES_PATH, **words)


class BrowserChannel:
    """The page and the endpoint its script posts each message to."""

    def __init__(self, mailboxes: Mailboxes, secure_cookie: bool) -> None:
        self.mailboxes = mailboxes
        self.secure_cookie = secure_cookie  # served over HTTPS: the cookie, which is the chat, never travels in clear

    async def chat_page(self, request: Request) -> Response:
        """GET /: the chat page; a new visitor gets a cookie naming their chat."""
        response = HTMLResponse(page())
        if not _COOKIE_VALUE.fullmatch(request.cookies.get(COOKIE, "")):
            response.set_cookie(COOKIE, secrets.token_urlsafe(24), max_age=COOKIE_AGE, httponly=True,
                                samesite="lax", secure=self.secure_cookie)
        return response

    async def message(self, request: Request) -> Response:
        """POST /chat/messages: {"id", "text"} in, {"replies": [...]} out; a resent id gets no replies."""
        chat = request.cookies.get(COOKIE, "")
        if not _COOKIE_VALUE.fullmatch(chat):
            return JSONResponse({"error": "open the chat page first"}, status_code=403)
        try:
            body = await bounded(request).json()
        except TooLarge:
            return JSONResponse({"error": "too large for a message"}, status_code=413)
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            body = None
        message_id = body.get("id") if isinstance(body, dict) else None
        text = body.get("text") if isinstance(body, dict) else None
        # A text of any length is the owner's: one too long to answer is told so kindly (see Inbound).
        if not isinstance(message_id, str) or not _MESSAGE_ID.fullmatch(message_id) or not isinstance(text, str):
            return JSONResponse({"error": "expected {\"id\": …, \"text\": …}"}, status_code=400)
        # The id is the page's own; scoped to the chat, no visitor can spend another's.
        inbound = Inbound(CHANNEL, f"{CHANNEL}-{chat}", f"{chat}:{message_id}", text)
        try:
            replies = await self.mailboxes.handle(inbound)
        except Exception as error:  # noqa: BLE001 - the page sends the same id again, which is safe
            log.error("browser message failed: %s", type(error).__name__)
            return JSONResponse({"error": "try again"}, status_code=503)
        return JSONResponse({"replies": [reply_to_json(reply) for reply in replies]})
