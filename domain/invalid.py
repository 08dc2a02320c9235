"""The one way to say "this input is wrong": a msgid and its parameters, and the field it is about."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from domain.regions import Region


class Invalid(ValueError):
    """A rejected answer or form value.

    `reason` is an English gettext msgid marked with N_, `params` fill its %(name)s placeholders, `field`
    names the form field it is about, where there is one. It never holds what was typed (a NIK).
    """

    expects: str | None = None  # what a channel with a button for it may offer instead (see Reply.expects)

    def __init__(self, reason: str, *, field: str | None = None, **params: object) -> None:
        # Only the msgid goes to ValueError: the message must never echo the owner's text (a NIK).
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.params = params


class Ambiguous(Invalid):
    """Two or more places are equally close: `candidates` are their Region objects, best first."""

    def __init__(self, reason: str, candidates: Sequence[Region], **params: object) -> None:
        super().__init__(reason, **params)
        self.candidates: tuple[Region, ...] = tuple(candidates)
