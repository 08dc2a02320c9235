"""Replies as plain text, for channels without buttons: choices become a numbered list."""

from babel.lists import format_list

from domain.msgid import N_
from flows.i18n import Text
from flows.messages import Reply

LISTED_NUMBERS = 4  # beyond this, "a number from 1 to 14" reads better than every number, if none is missing


def as_plain_text(reply: Reply) -> str:
    """The reply's text, then "1. …" per choice and how to answer."""
    numbered = [(choice.number, choice.label) for choice in reply.choices if choice.number is not None]
    if not numbered:
        return reply.text
    t = Text(reply.language)
    lines = [reply.text, ""] + [f"{number}. {label}" for number, label in numbered]
    numbers = [number for number, _label in numbered]
    if len(numbers) == 1:  # an option the question offers besides typing, like "Belum punya"
        return "\n".join(lines)
    if len(numbers) > LISTED_NUMBERS and numbers == list(range(numbers[0], numbers[-1] + 1)):
        hint = t(N_("Reply with a number from %(first)s to %(last)s."), first=numbers[0], last=numbers[-1])
    else:
        hint = t(N_("Reply %(numbers)s."), numbers=format_list([str(n) for n in numbers], style="or", locale=t.language))
    return "\n".join([*lines, hint])
