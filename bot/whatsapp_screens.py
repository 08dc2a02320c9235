"""A reply's choices as WhatsApp shows them: reply buttons, a list, or (when neither fits) the numbered text.

WhatsApp's own limits, the same through Twilio's Content API and Meta's Cloud API: up to 3 reply
buttons with titles of at most 20 characters, or a list of up to 10 rows with titles of at most 24
and descriptions of at most 72, under a body of at most 1,024 characters. Each button and row
carries its choice's id (flows.messages.choice_id), so a press is read as exactly that choice.
Both providers render a `Screen`; neither decides what it holds.
"""

from dataclasses import dataclass

from domain.msgid import N_
from flows.i18n import Text
from flows.messages import Reply, choice_id, screen_key

MOST_BUTTONS = 3
BUTTON_TITLE = 20
MOST_ROWS = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20  # the words on the button that opens the list
BODY = 1024
ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Option:
    """One button or list row: the choice's id, its title, and the full label where the title had to be cut."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class Screen:
    """A reply as WhatsApp's interactive message: reply buttons, or a list opened by `button`."""

    key: str  # the choices' screen_key: one Twilio Content per key and language
    body: str
    options: tuple[Option, ...]
    button: str = ""  # empty for reply buttons; the list's opening button otherwise
    language: str = "id"

    @property
    def is_list(self) -> bool:
        return bool(self.button)


def shortened(words: str, most: int) -> str:
    """The words, cut to `most` characters with an ellipsis when they are longer."""
    return words if len(words) <= most else words[:most - 1].rstrip() + ELLIPSIS


def screen(reply: Reply) -> Screen | None:
    """The reply as buttons (up to 3 short labels) or a list (up to 10); None when it goes as numbered text."""
    choices = reply.choices
    if len(choices) < 1 or len(choices) > MOST_ROWS or len(reply.text) > BODY or not reply.text.strip():
        return None
    key = screen_key(choices, reply.language)
    labels = [choice.label for choice in choices]
    if len(choices) <= MOST_BUTTONS and all(len(label) <= BUTTON_TITLE for label in labels) \
            and len(set(labels)) == len(labels):
        options = tuple(Option(choice_id(key, position), label) for position, label in enumerate(labels, start=1))
        return Screen(key, reply.text, options, language=reply.language)
    options = tuple(
        Option(choice_id(key, position), shortened(label, ROW_TITLE),
               shortened(label, ROW_DESCRIPTION) if len(label) > ROW_TITLE else "")
        for position, label in enumerate(labels, start=1))
    button = shortened(Text(reply.language)(N_("Choose")), LIST_BUTTON)
    return Screen(key, reply.text, options, button, reply.language)
