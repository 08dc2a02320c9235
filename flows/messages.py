"""What travels between the channels and the flows, with no channel's details in it."""

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from domain.msgid import N_

# What came besides (or instead of) text, as channels name it in Inbound.attachment.
CONTACT = "contact"  # a shared phone contact; its number is the text
EDITED = "edited"  # an earlier message changed; the text is not a new answer
OLD_BUTTON = "old_button"  # a press on a button from an earlier message
PRESSED = "pressed"  # a press on a button or list row: the text is the choice's id (choice_id), not words
VOICE = "voice"
LOCATION = "location"
STICKER = "sticker"
MEDIA = "media"  # a photo, video, document or audio file
TOO_LONG = "too_long"  # text longer than LONGEST_TEXT, dropped unread

LONGEST_TEXT = 4096  # characters: the longest message Telegram or WhatsApp carries, far beyond any answer


# What a reply can expect besides text, for channels that can share the owner's own phone number.
PHONE = "phone"  # the answer is a phone number
IDENTITY = "identity"  # an owner who registered elsewhere may share their number to be recognised

SORRY = N_("Sorry, something went wrong on our side. Please send your last message again in a moment.")


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a user, as every channel hands it to the conversation."""

    channel: str
    address: str
    message_id: str
    text: str = ""
    verified_phone: str | None = None  # a number the channel itself vouches for
    attachment: str | None = None  # one of the names above

    def __post_init__(self) -> None:
        if len(self.text) > LONGEST_TEXT:
            # No answer is that long: the text goes no further (not cleaned, stored or locked over), the owner is told.
            object.__setattr__(self, "text", "")
            object.__setattr__(self, "attachment", TOO_LONG)
        # JSON can carry half an emoji (a lone surrogate) and NUL; neither can be stored or means anything.
        readable = self.text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
        object.__setattr__(self, "text", readable)


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
    expects: str | None = None  # PHONE or IDENTITY, for channels with a button that shares the phone


def numbered(labels: Sequence[str]) -> tuple[Choice, ...]:
    """Choices numbered 1, 2, 3… in the order given."""
    return tuple(Choice(number, label) for number, label in enumerate(labels, start=1))


def screen_key(choices: Sequence[Choice], language: str) -> str:
    """A short name for a set of choices in a language, the same wherever and whenever it is computed.

    Buttons carry it in their ids, so a press is known to belong to the choices on screen now or to
    earlier ones; and a provider's resource for a screen (a Twilio Content) is made once per key.
    """
    listed = "\x1f".join(f"{'' if choice.number is None else choice.number}\x1e{choice.label}" for choice in choices)
    return hashlib.sha256(f"{language}\x1d{listed}".encode()).hexdigest()[:12]


_CHOICE_ID = re.compile(r"[0-9a-f]{12}\.[0-9]{1,3}")


def choice_id(key: str, position: int) -> str:
    """The id a button or list row carries: its screen's key and its place (from 1) among the choices."""
    return f"{key}.{position}"


def is_choice_id(payload: str) -> bool:
    """Whether a press's payload is one of our choice ids, not (say) a template button's own payload."""
    return _CHOICE_ID.fullmatch(payload) is not None


def pressed_choice(pressed: str, key: str | None, choices: Sequence[Choice]) -> Choice | None:
    """The choice a press names, when it belongs to the screen `key`; None for a stale or unknown press."""
    screen, _dot, position = pressed.partition(".")
    if key is None or screen != key or not position.isascii() or not position.isdecimal():
        return None
    return choices[int(position) - 1] if 1 <= int(position) <= len(choices) else None


def shown_screen(replies: Sequence[Reply]) -> dict[str, Any] | None:
    """The choices a chat is left looking at: the last reply's that has any, with their key; None when none has."""
    for reply in reversed(replies):
        if reply.choices:
            return {"key": screen_key(reply.choices, reply.language),
                    "choices": [[choice.number, choice.label] for choice in reply.choices]}
    return None


def read_press(inbound: Inbound, screen: dict[str, Any] | None) -> Inbound:
    """A press as the words it stands for: its choice's number (or label, for a button only), exactly; a press on
    choices no longer shown is an old button. Any other message as it came."""
    if inbound.attachment != PRESSED:
        return inbound
    choices = [Choice(number, label) for number, label in screen["choices"]] if screen else []
    choice = pressed_choice(inbound.text, screen["key"] if screen else None, choices)
    if choice is None:
        return replace(inbound, text="", attachment=OLD_BUTTON)
    return replace(inbound, text=choice.label if choice.number is None else str(choice.number), attachment=None)


def reply_to_json(reply: Reply) -> dict[str, object]:
    """A reply as JSON, for keeping it until the request that waits for it collects it."""
    return {"text": reply.text, "choices": [[choice.number, choice.label] for choice in reply.choices],
            "language": reply.language, "expects": reply.expects}


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(data["text"], tuple(Choice(number, label) for number, label in data["choices"]), data["language"],
                 data["expects"])
