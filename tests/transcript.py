"""Driving conversations as an owner would, and checking them against written transcripts.

A transcript is plain text: `> ` lines are what the owner sends, `< ` lines are words the bot's
answer to it must contain, `!< ` lines are words it must not contain, `@as ADDRESS` (first) picks
who is chatting (a phone number stands for a channel-verified sender), `@programmes FILE` loads
training programmes first (a file in tests/programmes/, or `sample` for the sample programmes),
`@wait N days` (or hours) moves the clock on, and `#` lines are notes.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.programme_file import apply_programmes, read_programme_file
from bot.render import as_plain_text
from flows.conversation import Conversations
from flows.messages import Inbound
from flows.parsing import Invalid, parse_phone
from store.db import Database

START = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)  # Jumat 09.00 WIB


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


class Chat:
    """One owner chatting with the bot."""

    def __init__(self, conversations: Conversations, address: str = "budi", channel: str = "terminal") -> None:
        self.conversations = conversations
        self.address = address
        self.channel = channel
        try:
            self.verified_phone: str | None = parse_phone(address)
        except Invalid:
            self.verified_phone = None

    def say(self, text: str, message_id: str | None = None) -> str:
        """Send one message; the bot's replies as the owner reads them in a text-only chat."""
        inbound = Inbound(self.channel, self.address, message_id or uuid.uuid4().hex, text,
                          verified_phone=self.verified_phone)
        return "\n\n".join(as_plain_text(reply) for reply in self.conversations.handle(inbound))


@dataclass
class Exchange:
    line: int
    says: str
    expected: list[str]
    unexpected: list[str]
    wait_before: timedelta = timedelta()


@dataclass
class Transcript:
    address: str
    programmes: Path | None
    exchanges: list[Exchange]


PROGRAMME_FILES = Path(__file__).parent / "programmes"
SAMPLE_PROGRAMMES = Path(__file__).parent.parent / "bot" / "sample_programmes.yaml"


def read_transcript(path: Path) -> Transcript:
    transcript, waiting = Transcript("budi", None, []), timedelta()
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if raw.startswith("@as "):
            transcript.address = raw.removeprefix("@as ").strip()
        elif raw.startswith("@programmes "):
            name = raw.removeprefix("@programmes ").strip()
            transcript.programmes = SAMPLE_PROGRAMMES if name == "sample" else PROGRAMME_FILES / name
        elif raw.startswith("@wait "):
            amount, unit = raw.removeprefix("@wait ").split()
            waiting += timedelta(**{unit.rstrip("s") + "s": int(amount)})
        elif raw.startswith(">"):
            transcript.exchanges.append(Exchange(number, raw[1:].removeprefix(" "), [], [], waiting))
            waiting = timedelta()
        elif raw.startswith("< "):
            transcript.exchanges[-1].expected.append(raw[2:])
        elif raw.startswith("!< "):
            transcript.exchanges[-1].unexpected.append(raw[3:])
        elif raw.strip() and not raw.startswith("#"):
            raise ValueError(f"{path.name}:{number}: cannot read {raw!r}")
    return transcript


def play(database: Database, path: Path, clock: Clock | None = None) -> None:
    """Send every owner line of the transcript on the conversation's own path and check each answer."""
    transcript = read_transcript(path)
    clock = clock or Clock()
    if transcript.programmes is not None:
        apply_programmes(database, *read_programme_file(transcript.programmes))
    check(path, Chat(Conversations(database, clock), transcript.address).say, clock.advance)


def check(path: Path, say: Callable[[str], str], wait: Callable[[timedelta], None] | None = None) -> None:
    """Send every owner line through `say` (any channel's) and check the answer it returns."""
    for exchange in read_transcript(path).exchanges:
        if exchange.wait_before:
            if wait is None:
                raise ValueError(f"{path.name}:{exchange.line}: this channel's test cannot move the clock")
            wait(exchange.wait_before)
        answer = say(exchange.says)
        for words in exchange.expected:
            assert words in answer, f"{path.name}:{exchange.line}: {words!r} not in the answer to {exchange.says!r}:\n{answer}"
        for words in exchange.unexpected:
            assert words not in answer, f"{path.name}:{exchange.line}: {words!r} in the answer to {exchange.says!r}:\n{answer}"
