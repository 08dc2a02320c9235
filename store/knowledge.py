"""The knowledge base: answers with the questions they answer, shipped with TABE and edited by officers.

The shipped entries (store/data/knowledge.yaml) are written by us from public facts; `tabe db upgrade` adds the
ones a registry does not have yet, and officers edit them from then on. Every change writes the entry's new version beside it (who, when, all of it) and an audit event, in the same
transaction, so an entry's history is whole. Retired entries stay, answered by nobody, until restored.
"""

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from domain.invalid import Invalid
from domain.msgid import N_
from domain.topics import TOPICS
from store.models import AuditEvent, KnowledgeEntry, KnowledgeEntryVersion, as_utc
from store.officers import actor_of

_entries = KnowledgeEntry.__table__
_versions = KnowledgeEntryVersion.__table__
_audit = AuditEvent.__table__
SHIPPED = "shipped"  # who changed an entry that came with TABE, as its history says
SHIPPED_FILE = Path(__file__).parent / "data" / "knowledge.yaml"
LANGUAGES = ("id", "en")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = frozenset({"contact", "hours"})  # filled from the settings where the answer is shown


@dataclass(frozen=True, slots=True)
class EntryContent:
    """What an entry says; the names are the knowledge_entries table's columns."""

    slug: str
    topic: str
    question: dict[str, str]
    answer: dict[str, str]
    variants: dict[str, list[str]] = field(default_factory=dict)
    kabupaten_code: str | None = None
    programme_codes: list[str] = field(default_factory=list)
    hands_over: bool = False
    source: str = ""

    def phrasings(self) -> list[str]:
        """Every way of asking it: its question and its variants, in every language."""
        return [*self.question.values(), *(variant for variants in self.variants.values() for variant in variants)]


class BadEntry(Invalid):
    """An entry that cannot be kept: which one, and why, in the catalogs' words."""


def check(content: EntryContent) -> EntryContent:
    """The entry, if it can be kept: a known topic, a question and answer in Bahasa Indonesia, known placeholders."""
    if content.topic not in TOPICS:
        raise BadEntry(N_("%(slug)s: choose one of the topics."), slug=content.slug)
    if not content.question.get("id", "").strip() or not content.answer.get("id", "").strip():
        raise BadEntry(N_("%(slug)s: it needs a question and an answer in Bahasa Indonesia."), slug=content.slug)
    if not {*content.question, *content.answer, *content.variants} <= set(LANGUAGES):
        raise BadEntry(N_("%(slug)s: the languages are Bahasa Indonesia (id) and English (en)."), slug=content.slug)
    unknown = {name for text in content.answer.values() for name in PLACEHOLDER.findall(text)} - PLACEHOLDERS
    if unknown:
        raise BadEntry(N_("%(slug)s: {%(name)s} is filled by nothing; only {contact} and {hours} are."),
                       slug=content.slug, name=sorted(unknown)[0])
    return content


def shipped_entries(path: Path = SHIPPED_FILE) -> list[EntryContent]:
    """The entries that come with TABE, checked."""
    import yaml  # noqa: PLC0415 - read once, by `tabe db upgrade`: the commands that do not read files do without it

    entries: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["entries"]
    contents = [check(EntryContent(
        slug=entry["slug"], topic=entry["topic"], question=entry["question"], answer=entry["answer"],
        variants=entry.get("variants", {}), kabupaten_code=entry.get("kabupaten"),
        programme_codes=list(entry.get("programmes", [])), hands_over=entry.get("then") == "officer",
        source=str(entry.get("source", "")).strip())) for entry in entries]
    slugs = [content.slug for content in contents]
    if len(set(slugs)) != len(slugs):
        raise BadEntry(N_("%(slug)s: two entries have this short name."),
                       slug=next(slug for slug in slugs if slugs.count(slug) > 1))
    return contents


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    content: EntryContent
    version: int
    updated_at: datetime
    updated_by: str
    retired: bool


@dataclass(frozen=True, slots=True)
class Version:
    version: int
    change: str
    content: EntryContent
    changed_at: datetime
    changed_by: str


_CONTENT_COLUMNS = tuple(_entries.c[name] for name in EntryContent.__slots__)  # type: ignore[attr-defined]
_ENTRY = select(_entries.c.id, *_CONTENT_COLUMNS, _entries.c.version, _entries.c.updated_at, _entries.c.updated_by,
                _entries.c.retired_at)


def _entry(row: Any) -> Entry:
    content = EntryContent(**{name: row._mapping[name] for name in EntryContent.__slots__})  # type: ignore[attr-defined]
    return Entry(row.id, content, row.version, as_utc(row.updated_at), row.updated_by, row.retired_at is not None)


class Knowledge:
    """The knowledge-base queries of one unit of work."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        self._connection = connection
        self.now = now

    def revision(self) -> tuple[int, int]:
        """Changes whenever any entry does: the number of entries and the sum of their versions."""
        count, versions = self._connection.execute(
            select(func.count(), func.coalesce(func.sum(_entries.c.version), 0))).one()
        return int(count), int(versions)

    def answering(self) -> list[Entry]:
        """The entries that answer owners: every one not retired."""
        rows = self._connection.execute(_ENTRY.where(_entries.c.retired_at.is_(None)).order_by(_entries.c.id))
        return [_entry(row) for row in rows]

    def every(self) -> list[Entry]:
        return [_entry(row) for row in self._connection.execute(_ENTRY.order_by(_entries.c.topic, _entries.c.slug))]

    def get(self, entry_id: int) -> Entry | None:
        row = self._connection.execute(_ENTRY.where(_entries.c.id == entry_id)).first()
        return _entry(row) if row is not None else None

    def by_slug(self, slug: str) -> Entry | None:
        row = self._connection.execute(_ENTRY.where(_entries.c.slug == slug)).first()
        return _entry(row) if row is not None else None

    def ship(self, contents: Sequence[EntryContent]) -> int:
        """Add the shipped entries not here yet (by slug); an entry already here, edited or not, stays as it is."""
        present = set(self._connection.execute(select(_entries.c.slug)).scalars())
        added = [content for content in contents if content.slug not in present]
        for content in added:
            self._insert(content, SHIPPED, None, SHIPPED)
        return len(added)

    def add(self, content: EntryContent, officer_id: int) -> int:
        entry_id = self._insert(content, actor_of(officer_id), officer_id, "added")
        self._audited(officer_id, "knowledge_added", entry_id)
        return entry_id

    def edit(self, entry_id: int, content: EntryContent, officer_id: int) -> bool:
        """Replace what an entry says; False when there is no such entry."""
        return self._change(entry_id, officer_id, "edited", asdict(content))

    def retire(self, entry_id: int, officer_id: int) -> bool:
        return self._change(entry_id, officer_id, "retired", {"retired_at": self.now})

    def restore(self, entry_id: int, officer_id: int) -> bool:
        return self._change(entry_id, officer_id, "restored", {"retired_at": None})

    def history(self, entry_id: int) -> list[Version]:
        """Every version of an entry, the newest first."""
        rows = self._connection.execute(
            select(_versions.c.version, _versions.c.change, _versions.c.content, _versions.c.changed_at,
                   _versions.c.changed_by)
            .where(_versions.c.entry_id == entry_id).order_by(_versions.c.version.desc()))
        return [Version(row.version, row.change, EntryContent(**row.content), as_utc(row.changed_at), row.changed_by)
                for row in rows]

    def _insert(self, content: EntryContent, actor: str, officer_id: int | None, change: str) -> int:
        entry_id = int(self._connection.execute(insert(_entries).values(
            **asdict(content), version=1, updated_at=self.now, updated_by=actor)).inserted_primary_key[0])
        self._keep_version(entry_id, 1, change, content, actor, officer_id)
        return entry_id

    def _change(self, entry_id: int, officer_id: int, change: str, values: dict[str, Any]) -> bool:
        entry = self.get(entry_id)
        if entry is None:
            return False
        actor, version = actor_of(officer_id), entry.version + 1
        self._connection.execute(update(_entries).where(_entries.c.id == entry_id).values(
            **values, version=version, updated_at=self.now, updated_by=actor))
        changed = self.get(entry_id)
        assert changed is not None
        self._keep_version(entry_id, version, change, changed.content, actor, officer_id)
        self._audited(officer_id, f"knowledge_{change}", entry_id)
        return True

    def _keep_version(self, entry_id: int, version: int, change: str, content: EntryContent, actor: str,
                      officer_id: int | None) -> None:
        self._connection.execute(insert(_versions).values(
            entry_id=entry_id, version=version, change=change, content=asdict(content), changed_at=self.now,
            changed_by=actor, officer_id=officer_id))

    def _audited(self, officer_id: int, action: str, entry_id: int) -> None:
        self._connection.execute(insert(_audit).values(at=self.now, actor=actor_of(officer_id), action=action,
                                                       subject=f"knowledge_entry:{entry_id}"))
