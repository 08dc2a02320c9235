import csv

import pytest

from domain.words import (
    GOODBYE,
    GREETING,
    LANGUAGES,
    LATER,
    MEANINGS,
    NO,
    NONE,
    NOW,
    OK,
    REGISTER,
    SALAM,
    SORRY,
    THANKS,
    WANT,
    WORDS_CSV,
    YES,
    I,
    words_for,
)


def _rows() -> list[dict[str, str]]:
    with WORDS_CSV.open(encoding="utf-8", newline="") as csv_file:
        return list(csv.DictReader(csv_file))


def test_the_word_list_loads_with_its_columns() -> None:
    with WORDS_CSV.open(encoding="utf-8", newline="") as csv_file:
        assert next(csv.reader(csv_file)) == ["phrase", "meaning", "language", "source"]
    assert len(_rows()) > 100


def test_every_row_has_a_known_meaning_a_known_language_and_a_source() -> None:
    for row in _rows():
        assert row["meaning"] in MEANINGS, row
        assert row["language"] in LANGUAGES, row
        assert len(row["source"].strip()) > 10, row


def test_phrases_are_stored_casefolded_and_tidy() -> None:
    for row in _rows():
        phrase = row["phrase"]
        assert phrase == phrase.casefold() == " ".join(phrase.split()) != "", row


def test_no_row_is_written_twice() -> None:
    keys = [(row["phrase"], row["meaning"], row["language"]) for row in _rows()]
    assert len(keys) == len(set(keys))


def test_no_phrase_means_both_yes_and_no() -> None:
    assert words_for(YES).isdisjoint(words_for(NO) | words_for(NONE))


def test_the_words_before_an_answer_are_never_an_answer() -> None:
    assert words_for(I).isdisjoint(words_for(YES) | words_for(NO) | words_for(NONE))


def test_every_meaning_has_words_and_the_constants_name_them() -> None:
    constants = {YES, NO, NONE, I, WANT, REGISTER, THANKS, GREETING, SALAM, OK, GOODBYE, SORRY, LATER, NOW}
    assert constants == MEANINGS == {row["meaning"] for row in _rows()}
    assert all(words_for(meaning) for meaning in MEANINGS)


@pytest.mark.parametrize(("meaning", "phrases"), [
    (YES, {"ya", "iya", "inggih", "ih", "bujur", "iyoh", "👍"}),
    (NO, {"tidak", "gak", "kada", "balum", "hindai", "❌"}),
    (NONE, {"belum punya", "kadada", "kada punya", "gaada"}),
    (I, {"saya", "sy", "ulun", "unda"}),
    (WANT, {"mau", "pengen", "handak", "hakun"}),
    (REGISTER, {"daftar", "bedaftar", "badaftar"}),
    (THANKS, {"terima kasih", "makasih", "tq", "thx", "🙏"}),
    (GREETING, {"halo", "selamat pagi", "apa habar", "salamat hanjewu"}),
    (SALAM, {"assalamualaikum", "asalamualaikum", "samlekom"}),
    (OK, {"ok", "oke", "sip", "ayujak", "keleh"}),
    (GOODBYE, {"dadah", "bye", "sampai jumpa"}),
    (SORRY, {"maaf", "maap", "sorry"}),
])
def test_words_for_a_meaning_gives_its_phrases_in_every_language(meaning: str, phrases: set[str]) -> None:
    assert phrases <= words_for(meaning)


def test_an_unknown_meaning_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        words_for("maybe")


def test_a_sentence_mentioning_asw_is_not_a_salam() -> None:
    """ "asw" is an insult in the chat lexicon we follow (asu, "dog"), so it is no salam shorthand."""
    assert "asw" not in words_for(SALAM)
