"""The one way to say "this input is wrong": a msgid and its parameters, and the field it is about."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from domain.regions import Region


class Translate(Protocol):
    """What puts a msgid into words: flows.i18n.Text for a language, `english` for the msgid as it stands."""

    def __call__(self, message: str, /, **params: object) -> str: ...


def english(message: str, /, **params: object) -> str:
    """A msgid in English, as it is written, its placeholders filled: what the command line prints."""
    return message % params if params else message


@dataclass(frozen=True)
class Phrase:
    """Words inside a message, translated with it: a msgid given as another msgid's parameter ("a programme",
    "A or B"), with parameters of its own."""

    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)

    def in_(self, translate: Translate) -> str:
        return _said(translate, self.msgid, self.params)


class Invalid(ValueError):
    """A rejected answer in a chat, value in an officer's form, or line of a programme file.

    `reason` is an English gettext msgid marked with N_, `params` fill its %(name)s placeholders (a Phrase among
    them is translated too), `field` names the form field it is about, where there is one. What an owner typed is
    never among the params (a NIK); an officer's own file or form may be quoted back.
    """

    expects: str | None = None  # what a channel with a button for it may offer instead (see Reply.expects)

    def __init__(self, reason: str, *, field: str | None = None, **params: object) -> None:
        # Only the msgid goes to ValueError: the message must never echo the owner's text (a NIK).
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.params = params

    def in_(self, translate: Translate) -> str:
        """What is wrong, in the words of `translate` (a Text, or `english`)."""
        return _said(translate, self.reason, self.params)


class Ambiguous(Invalid):
    """Two or more places are equally close: `candidates` are their Region objects, best first."""

    def __init__(self, reason: str, candidates: Sequence[Region], **params: object) -> None:
        super().__init__(reason, **params)
        self.candidates: tuple[Region, ...] = tuple(candidates)


def _said(translate: Translate, msgid: str, params: Mapping[str, object]) -> str:
    return translate(msgid, **{name: value.in_(translate) if isinstance(value, Phrase) else value
                               for name, value in params.items()})
