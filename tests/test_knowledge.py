"""Finding the entry that answers an owner's own question: the terms a message is reduced to, the decision
between an answer, a choice and "not found", and the evaluation set's targets."""

import pytest
from answer_set import (
    NOT_FOUND_AT_LEAST,
    TOP_ONE_AT_LEAST,
    WRONG_AT_MOST,
    describe,
    load_questions,
    score,
    shipped_index,
)

from domain.invalid import english
from domain.topics import TOPICS
from flows.knowledge import Index, terms
from store.knowledge import BadEntry, EntryContent, check, shipped_entries


@pytest.mark.parametrize(("text", "expected"), [
    ("Gimana cara bikin NIB?", ["nib"]),  # question words go, and "bikin" ("buat") says no more than "cara"
    ("pagi min, sy jualan kue di Sampit", []),  # greetings, whom it is said to, trades and places set the scene
    ("halalll dong", ["halal"]),  # letters held down
    ("ulun handak baisi qris", ["qris"]),  # Banjar: "ulun" is "saya", "handak" "mau", "baisi" "mempunyai"
    ("pelatihannya gratis kah?", ["latih", "gratis"]),  # stemmed
    ("daftar pirt", ["daftar", "spp", "irt"]),  # "pirt" is SPP-IRT
    ("", []),
])
def test_a_message_is_reduced_to_the_terms_that_say_what_it_asks(text: str, expected: list[str]) -> None:
    assert list(terms(text)) == expected


ENTRIES = [
    (1, ["bagaimana cara membuat nib", "cara daftar oss"], ["NIB dibuat gratis di oss.go.id."]),
    (2, ["apakah sertifikat halal gratis", "daftar halal self declare"], ["SEHATI gratis untuk usaha mikro."]),
    (3, ["apakah pelatihan gratis", "ikut pelatihan bayar tidak"], ["Pelatihan Dinas gratis."]),
]


@pytest.mark.parametrize(("text", "answer", "choices"), [
    ("cara bikin nib gmn?", 1, ()),
    ("sertifkat halal gratis kah?", 2, ()),  # a slip of one letter in ten is the word
    ("ngurus nib dimana", 1, ()),  # "ngurus" is "urus" only where the knowledge base knows it; "nib" decides
    ("gratis gak?", None, (3, 2)),  # one word that two entries are asked with: asked which
    ("harga sawit hari ini berapa?", None, ()),  # nothing the knowledge base knows
    ("izin tambang emas gimana?", None, ()),  # "izin" alone is not enough of the question
])
def test_an_answer_a_choice_or_nothing(text: str, answer: int | None, choices: tuple[int, ...]) -> None:
    finding = Index(ENTRIES).find(text)
    assert (finding.answer, finding.choices) == (answer, choices)


NIB_ENTRIES = [
    (1, ["cara membuat nib", "nib itu apa", "syarat daftar nib"], ["NIB dibuat gratis di oss.go.id."]),
    (2, ["nomor nib hilang", "lupa password oss", "ganti email akun oss"], ["Masuk ke oss.go.id, pilih lupa kata sandi."]),
    (3, ["nomor telepon kantor dinas", "jam buka kantor dinas", "alamat kantor dinas"], ["Jl. Tjilik Riwut."]),
    (4, ["apakah pelatihan gratis", "jadwal pelatihan"], ["Pelatihan Dinas gratis."]),
]


@pytest.mark.parametrize(("text", "answer", "choices"), [
    ("nib?", 1, ()),  # one word: the entry most of whose phrasings ask with it, not the other that mentions it
    ("nomor telepon kantor dinas berapa?", 3, ()),
    ("nomor telepon pln berapa?", None, ()),  # a short word never seen is the name of something else
])
def test_one_word_and_names_it_does_not_know(text: str, answer: int | None, choices: tuple[int, ...]) -> None:
    finding = Index(NIB_ENTRIES).find(text)
    assert (finding.answer, finding.choices) == (answer, choices)


def test_an_empty_knowledge_base_finds_nothing() -> None:
    assert not Index([]).find("cara bikin nib").found


def test_the_shipped_entries_are_enough_and_each_is_checked() -> None:
    entries = shipped_entries()
    assert len(entries) >= 30
    assert {entry.topic for entry in entries} <= set(TOPICS)
    assert all(entry.answer.get("en") and entry.question.get("en") and entry.source for entry in entries)


@pytest.mark.parametrize(("content", "reason"), [
    (EntryContent("x", "cuaca", {"id": "?"}, {"id": "!"}), "x: choose one of the topics."),
    (EntryContent("x", "lainnya", {"en": "?"}, {"en": "!"}), "x: it needs a question and an answer in Bahasa Indonesia."),
    (EntryContent("x", "lainnya", {"id": "?"}, {"id": "Hubungi {phone}"}),
     "x: {phone} is filled by nothing; only {contact} and {hours} are."),
    (EntryContent("x", "lainnya", {"id": "?", "jv": "?"}, {"id": "!"}),
     "x: the languages are Bahasa Indonesia (id) and English (en)."),
])
def test_an_entry_that_cannot_be_kept_says_why(content: EntryContent, reason: str) -> None:
    with pytest.raises(BadEntry) as refused:
        check(content)
    assert refused.value.in_(english) == reason


def test_the_evaluation_set_meets_the_issues_targets() -> None:
    index, entries = shipped_index()
    questions = load_questions()
    assert sum(asked.entry is not None for asked in questions) >= 150
    assert sum(asked.entry is None for asked in questions) >= 30
    assert {asked.entry for asked in questions if asked.entry} <= {entry.slug for entry in entries}
    report = score(questions, index, entries)
    misses = "\n".join(describe(scored) for scored in report.misses)
    assert report.top_one >= TOP_ONE_AT_LEAST, misses
    assert report.wrong <= WRONG_AT_MOST, misses
    assert report.not_found >= NOT_FOUND_AT_LEAST, misses
