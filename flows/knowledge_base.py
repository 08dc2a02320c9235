"""The knowledge base as the conversations use it: the index of the registry's entries, and an entry's answer as
the owner reads it.

Each process keeps the index of the entries it last saw, and builds it again when any entry changes.
"""

from collections import OrderedDict
from dataclasses import dataclass

from domain.msgid import N_
from flows.engine import Office, Turn
from flows.i18n import Text
from flows.knowledge import Finding, Index
from store.knowledge import PLACEHOLDER, Entry

_KEPT_INDEXES = 4  # registries one process serves at once: one, except in the tests
_GENERAL_CONTACT = N_("the office of the Dinas Koperasi dan UKM in your kabupaten or kota")
_GENERAL_HOURS = N_("Monday to Friday during office hours")


@dataclass(frozen=True)
class Searchable:
    """The registry's answering entries and their index, as of one revision."""

    index: Index
    entries: dict[int, Entry]

    def find(self, text: str, kabupaten_code: str | None) -> Finding:
        """The entry for the message; an entry about another kabupaten/kota does not answer this owner."""
        finding = self.index.find(text)
        fits = [entry_id for entry_id in (finding.answer, *finding.choices)
                if entry_id is not None and self.entries[entry_id].content.kabupaten_code in (None, kabupaten_code)]
        if finding.answer is not None:
            return Finding(answer=fits[0]) if fits else Finding()
        return Finding(choices=tuple(fits)) if len(fits) == 2 else Finding(answer=fits[0]) if fits else Finding()


_indexes: OrderedDict[tuple[object, ...], Searchable] = OrderedDict()


def searchable(turn: Turn) -> Searchable:
    """The index of the registry's entries, built again only when an entry changed."""
    knowledge = turn.registry.knowledge
    key = (turn.registry.identity, *knowledge.revision())
    found = _indexes.get(key)
    if found is None:
        entries = {entry.id: entry for entry in knowledge.answering()}
        found = Searchable(Index([(entry.id, entry.content.phrasings(), list(entry.content.answer.values()))
                                  for entry in entries.values()]), entries)
        _indexes[key] = found
        while len(_indexes) > _KEPT_INDEXES:
            _indexes.popitem(last=False)
    _indexes.move_to_end(key)
    return found


def answer_text(turn: Turn, entry: Entry) -> str:
    """The entry's answer in the owner's language (else Bahasa Indonesia), the office's contact and hours filled."""
    return fill(entry.content.answer.get(turn.text.language) or entry.content.answer["id"], turn.text, turn.office)


def question_text(turn: Turn, entry: Entry) -> str:
    return entry.content.question.get(turn.text.language) or entry.content.question["id"]


def fill(text: str, t: Text, office: Office) -> str:
    """An answer with the office's contact and hours in place of {contact} and {hours}."""
    values = {"contact": office.contact or t(_GENERAL_CONTACT), "hours": office.hours or t(_GENERAL_HOURS)}
    return PLACEHOLDER.sub(lambda found: values.get(found[1], found[0]), text)
