"""Chatting with the bot in a terminal, on the same message path as every other channel."""

import uuid
from collections.abc import Iterable
from typing import TextIO

from bot.render import as_plain_text
from flows.conversation import Conversations
from flows.i18n import N_, Text
from flows.messages import Inbound
from flows.parsing import Invalid, parse_phone

CHANNEL = "terminal"


def inbound_for(identity: str, text: str) -> Inbound:
    """A terminal line as an Inbound; a phone-number identity stands in for a WhatsApp sender."""
    try:
        phone: str | None = parse_phone(identity)
    except Invalid:
        phone = None
    return Inbound(channel=CHANNEL, address=phone or identity, message_id=uuid.uuid4().hex,
                   text=text, verified_phone=phone)


def chat(conversations: Conversations, identity: str, lines: Iterable[str], out: TextIO) -> None:
    """Send each line as a message and print the replies, until the lines run out."""
    t = Text()
    print(t(N_("Chatting as %(identity)s. Type \"halo\" to begin; Ctrl-D to leave."), identity=identity), file=out)
    print("\n> ", end="", file=out, flush=True)
    for line in lines:
        for reply in conversations.handle(inbound_for(identity, line.rstrip("\n"))):
            print(f"\n{as_plain_text(reply)}", file=out)
        print("\n> ", end="", file=out, flush=True)
    print("\n" + t(N_("Goodbye! Your answers are kept: chat again as %(identity)s to carry on."), identity=identity), file=out)
