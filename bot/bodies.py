"""Request bodies read with a bound: one bigger than any message an owner can send is refused, not read whole."""

from starlette.requests import Request
from starlette.types import Message

# Bytes. A message of Telegram's or WhatsApp's longest, written in four-byte emoji and percent-encoded
# or JSON-escaped, with everything a provider sends around it, is a small part of this.
LARGEST_BODY = 1024 * 1024


class TooLarge(Exception):
    """The body is (or says it is) bigger than the bound: answered 413, before anything is parsed or locked."""


def bounded(request: Request, limit: int = LARGEST_BODY) -> Request:
    """The same request, its body readable only up to `limit` bytes; reading past it raises TooLarge.

    A Content-Length above the bound is refused at once; a body without one (chunked) is counted as
    it arrives, so no more than `limit` bytes are ever held.
    """
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdecimal() and int(declared) > limit:
        raise TooLarge
    received = 0

    async def receive() -> Message:
        nonlocal received
        message = await request.receive()
        received += len(message.get("body", b""))
        if received > limit:
            raise TooLarge
        return message

    return Request(request.scope, receive)
