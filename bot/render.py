"""Replies as plain text, for channels without buttons: choices become a numbered list."""

from babel.lists import format_list

from flows.i18n import N_, Text
from flows.messages import Reply

LISTED_NUMBERS = 4  # beyond this, "a number from 1 to 14" reads better than every number


def as_plain_text(reply: Reply) -> str:
    """The reply's text, then "1. …" per choice and how to answer."""
    if not reply.choices:
        return reply.text
    t = Text(reply.language)
    lines = [reply.text, ""] + [f"{choice.number}. {choice.label}" for choice in reply.choices]
    numbers = [str(choice.number) for choice in reply.choices]
    if len(numbers) == 1:
        hint = t(N_("Reply %(number)s."), number=numbers[0])
    elif len(numbers) <= LISTED_NUMBERS:
        hint = t(N_("Reply %(numbers)s."), numbers=format_list(numbers, style="or", locale=t.language))
    else:
        hint = t(N_("Reply with a number from %(first)s to %(last)s."), first=numbers[0], last=numbers[-1])
    return "\n".join([*lines, hint])
