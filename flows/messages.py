"""What travels between the channels and the flows, with no channel's details in it."""

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a user, as every channel hands it to the conversation."""

    channel: str
    address: str
    message_id: str
    text: str = ""
    verified_phone: str | None = None  # a number the channel itself vouches for
    attachment: str | None = None  # "photo", "sticker", "location", "voice", ... when no text came


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer the user may pick: the number they may type and the words on the button.

    A choice without a number is a button only; text channels leave it out, as the text
    itself says what to type.
    """

    number: int | None
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    """Text for the user, with the choices the channel renders as buttons or a numbered list."""

    text: str
    choices: tuple[Choice, ...] = field(default=())
    language: str = "id"  # the reader's, for the words a channel adds around the choices


def numbered(labels: Sequence[str]) -> tuple[Choice, ...]:
    """Choices numbered 1, 2, 3… in the order given."""
    return tuple(Choice(number, label) for number, label in enumerate(labels, start=1))
