"""Chatting with the bot in a terminal, on the same message path as every other channel."""

import re
import uuid
from collections.abc import Iterable
from typing import TextIO

from bot.render import as_plain_text
from domain.channels import TERMINAL as CHANNEL
from domain.invalid import Invalid
from domain.msgid import N_
from flows.conversation import Conversations
from flows.i18n import Text
from flows.messages import Inbound
from flows.parsing import is_mobile, parse_phone

PHONE_LIKE = re.compile(r"\+?[0-9][0-9 \-]{7,}")
MAX_IDENTITY = 100  # the longest chat address the registry keeps


def inbound_for(identity: str, text: str) -> Inbound:
    """A terminal line as an Inbound; a mobile-number identity stands in for a WhatsApp sender."""
    phone = chat_phone(identity)
    return Inbound(channel=CHANNEL, address=phone or identity, message_id=uuid.uuid4().hex,
                   text=text, verified_phone=phone)


def chat_phone(identity: str) -> str | None:
    """The identity as a mobile number in E.164 when it is written as one ("+62812…", "0812-…")."""
    if not PHONE_LIKE.fullmatch(identity):
        return None
    try:
        phone = parse_phone(identity)
    except Invalid:
        return None
    return phone if is_mobile(phone) else None


def chat(conversations: Conversations, identity: str, lines: Iterable[str], out: TextIO) -> None:
    """Send each line as a message and print the replies, until the lines run out."""
    t = Text()
    print(t(N_("Chatting as %(identity)s. Type \"halo\" to begin; Ctrl-D to leave."), identity=identity), file=out)
    print("\n> ", end="", file=out, flush=True)
    for line in lines:
        for reply in conversations.handle(inbound_for(identity, line.rstrip("\n"))):
            print(f"\n{as_plain_text(reply)}", file=out)
        print("\n> ", end="", file=out, flush=True)
    print("\n" + t(N_("Goodbye! To chat again as %(identity)s, run the same command."), identity=identity), file=out)
