"""WhatsApp's buttons and lists as a transcript reads and presses them, whichever provider carried them.

The options are read back from what the provider's fake received, as `bot.whatsapp_screens.Option`s. An
interactive message reads as its body, then a line per button or list row: `[title]`, and after a
list row's title its description, where it has one. A transcript line `> [title]` presses the option
with that title (or that full label, its description) on the latest interactive message; `> [title]^`
presses it on the one before, as an owner scrolling up would.
"""

import re
from dataclasses import dataclass

from bot.whatsapp_screens import Option

_PRESS = re.compile(r"\[(?P<label>.+)\](?P<earlier>\^?)")


@dataclass(frozen=True, slots=True)
class Press:
    """A transcript's press: which option, and how many interactive messages back (0: the latest)."""

    label: str
    back: int


def view(body: str, options: list[Option]) -> str:
    """The message as the transcript reads it."""
    return "\n".join([body, *(f"[{option.title}]" + (f" {option.description}" if option.description else "")
                              for option in options)])


def press_of(says: str) -> Press | None:
    """The press a transcript line asks for; None when it is typed text."""
    match = _PRESS.fullmatch(says.strip())
    return None if match is None else Press(match["label"], 1 if match["earlier"] else 0)


def chosen(press: Press, screens: list[list[Option]]) -> Option:
    """The option pressed, on the interactive message it names among those received, oldest first."""
    if len(screens) <= press.back:
        raise AssertionError(f"no interactive message to press {press.label!r} on")
    options = screens[-1 - press.back]
    for option in options:
        if press.label in (option.title, option.description):
            return option
    raise AssertionError(f"no option {press.label!r} among {[option.title for option in options]}")
