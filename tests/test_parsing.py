import re
import unicodedata
from collections.abc import Callable
from datetime import date

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.invalid import Ambiguous, Invalid
from domain.places import parse_kabupaten, parse_kecamatan
from domain.text import clean
from domain.words import NO, NONE, YES, words_for
from flows.parsing import (
    ascii_digits,
    display_phone,
    looks_like_nik,
    parse_choice,
    parse_monthly_rupiah,
    parse_nib,
    parse_nik,
    parse_phone,
    parse_rupiah,
    parse_whole_number,
    parse_year,
    parse_yes_no,
    refuse_nik,
    vouched_phone,
)
from hostile_input import NUMBER_SIGNS, WORDS, digits_shown, written_niks

TODAY = date(2024, 6, 1)
VALID_MALE_NIK = "6202051708850001"  # Baamang, Kotim; born 17-08-1985
VALID_FEMALE_NIK = "6271015708850002"  # Pahandut, Palangka Raya; day 57 = 17 + 40


# --- clean -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("  Ya  ", "Ya"),
        ("Kota\t\n  Besi", "Kota Besi"),
        ("ya\x00\x07", "ya"),
        ("Sam\u200bpit", "Sampit"),
        ("Rp\u00a02.500.000", "Rp 2.500.000"),
        ("\uff11\uff12", "12"),
        ("", ""),
    ],
)
def test_clean(text: str, cleaned: str) -> None:
    assert clean(text) == cleaned


# --- yes / no --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["ya", "Ya", "YA!", "iya", "iyaaa", "y", "yes", "betul", "benar", "ok", "Oke.", "setuju",
     "boleh", "sudah", "ya, setuju", "Saya setuju", "👍"],
)
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize(
    "text",
    ["tidak", "Tidak.", "tdk", "gak", "nggak", "ga", "enggak", "no", "n", "bukan", "jangan",
     "belum", "tidak setuju", "saya tidak setuju", "gak mau", "👎"],
)
def test_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["", "mungkin", "ya tapi tidak", "???", "saya"])
def test_neither_yes_nor_no(text: str) -> None:
    with pytest.raises(Invalid):
        parse_yes_no(text)


# --- whole numbers ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("1.200", 1200), ("12 orang", 12), ("0", 0), (" 7. ", 7), ("ada 3 orang", 3)],
)
def test_whole_number(text: str, number: int) -> None:
    assert parse_whole_number(text) == number


@pytest.mark.parametrize(
    ("text", "minimum", "maximum", "reason_part"),
    [
        ("dua tiga", 0, None, "digits"),
        ("dua puluh dua belas", 0, None, "digits"),
        ("", 0, None, "digits"),
        ("12 atau 13", 0, None, "one number"),
        ("1,5", 0, None, "whole"),
        ("-3", 0, None, "at least"),
        ("0", 1, None, "at least"),
        ("101", 0, 100, "at most"),
        ("9" * 40, 0, None, "too large"),
        ("9" * 40, 0, 10, "at most"),
    ],
)
def test_whole_number_rejected(text: str, minimum: int, maximum: int | None, reason_part: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_whole_number(text, minimum=minimum, maximum=maximum)
    assert reason_part in rejected.value.reason


def test_whole_number_bounds_are_given_as_params() -> None:
    with pytest.raises(Invalid) as rejected:
        parse_whole_number("101", maximum=100)
    assert rejected.value.params == {"maximum": 100}


# --- rupiah ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("2,5 jt", 2_500_000),
        ("2,5jt", 2_500_000),
        ("2.5 juta", 2_500_000),
        ("Rp 2.500.000", 2_500_000),
        ("Rp2.500.000,00", 2_500_000),
        ("Rp. 2.500.000,-", 2_500_000),
        ("2.500.000", 2_500_000),
        ("2500000", 2_500_000),
        ("500rb", 500_000),
        ("500 ribu", 500_000),
        ("500k", 500_000),
        ("1,2 miliar", 1_200_000_000),
        ("1,2 M", 1_200_000_000),
        ("1 milyar", 1_000_000_000),
        ("2 juta 500 ribu", 2_500_000),
        ("sekitar 5 jt", 5_000_000),
        ("modal awal 20 juta", 20_000_000),  # the question's own words before the amount
        ("modalnya kira-kira 50 juta lah pak", 50_000_000),  # and words after it that change nothing
        ("around 5 million", 5_000_000),
        ("2.500.000 rupiah", 2_500_000),
        ("0", 0),
    ],
)
def test_rupiah(text: str, amount: int) -> None:
    assert parse_rupiah(text) == amount


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [
        ("dua tiga juta", "in digits, for example 2 juta"),
        ("satu koma lima", "in digits, for example 2 juta"),
        ("dua juta lima ratus", "only the amount"),
        ("dua sampai tiga juta", "range"),
        ("minus dua juta", "negative"),
        ("", "in digits"),
        ("-500.000", "negative"),
        ("minus 2 juta", "negative"),
        ("2-3 juta", "range"),
        ("2 atau 3 juta", "range"),
        ("2,5", "whole rupiah"),
        ("5 jt per bulan", "only the amount"),
        ("2 juta 500", "only the amount"),
        ("1" * 30, "too large"),
    ],
)
def test_rupiah_rejected(text: str, reason_part: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_rupiah(text)
    assert reason_part in rejected.value.reason


@given(st.integers(min_value=0, max_value=10**13))
def test_rupiah_round_trips_through_babel_formatting(amount: int) -> None:
    assert parse_rupiah(format_currency(amount, "IDR", locale="id_ID")) == amount



# --- year ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "year"), [("2015", 2015), ("tahun 2015", 2015), ("1900", 1900), ("2024", 2024)])
def test_year(text: str, year: int) -> None:
    assert parse_year(text, today=TODAY) == year


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [("2025", "not come yet"), ("1899", "1900 or later"), ("15", "4 digits"), ("lama", "4 digits"),
     ("2015 atau 2016", "4 digits")],
)
def test_year_rejected(text: str, reason_part: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_year(text, today=TODAY)
    assert reason_part in rejected.value.reason % rejected.value.params


# --- choice ----------------------------------------------------------------------------------

NIB_OPTIONS = ["Belum", "Sedang proses", "Sudah"]
SOP_OPTIONS = ["Tidak", "Tidak tertulis", "SOP tertulis", "SOP + uji/sertifikasi"]


@pytest.mark.parametrize(
    ("text", "options", "index"),
    [
        ("2", NIB_OPTIONS, 1),
        ("2.", NIB_OPTIONS, 1),
        ("no 2", NIB_OPTIONS, 1),
        ("No. 3", NIB_OPTIONS, 2),
        ("SUDAH", NIB_OPTIONS, 2),
        ("sedang proses!", NIB_OPTIONS, 1),
        ("sed", NIB_OPTIONS, 1),
        ("sedang prosess", NIB_OPTIONS, 1),
        ("sudah punya", NIB_OPTIONS, 2),
        ("tidak", SOP_OPTIONS, 0),
        ("sop + uji / sertifikasi", SOP_OPTIONS, 3),
        ("❷", NIB_OPTIONS, 1),
        ("٢", NIB_OPTIONS, 1),
        ("２", NIB_OPTIONS, 1),
        ("no. ➌", NIB_OPTIONS, 2),
        ("dua", NIB_OPTIONS, 1),  # a choice's number in words
        ("Tiga", NIB_OPTIONS, 2),
    ],
)
def test_choice(text: str, options: list[str], index: int) -> None:
    assert parse_choice(text, options) == index


@pytest.mark.parametrize(
    ("text", "options"),
    [("0", NIB_OPTIONS), ("4", NIB_OPTIONS), ("empat", NIB_OPTIONS), ("entahlah", NIB_OPTIONS), ("", NIB_OPTIONS),
     ("sop", SOP_OPTIONS), ("tertulis", SOP_OPTIONS)],
)
def test_choice_rejected_asks_for_a_number(text: str, options: list[str]) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_choice(text, options)
    assert rejected.value.params == {"count": len(options)}


@pytest.mark.parametrize("options", [NIB_OPTIONS, SOP_OPTIONS])
def test_every_number_sign_picks_the_option_it_shows_or_asks_for_a_number(options: list[str]) -> None:
    for sign in NUMBER_SIGNS:
        shown = digits_shown(sign)
        expected = int(shown) - 1 if shown is not None and 1 <= int(shown) <= len(options) else None
        try:
            picked: int | None = parse_choice(sign, options)
        except Invalid as rejected:
            assert rejected.params == {"count": len(options)}, sign
            picked = None
        assert picked == expected, f"U+{ord(sign):04X}"


def test_ascii_digits_reads_each_sign_as_the_digit_it_shows() -> None:
    for sign in NUMBER_SIGNS:
        shown = unicodedata.digit(sign, None)
        assert ascii_digits(f"no {sign}.") == (f"no {shown}." if shown is not None else f"no {sign}."), f"U+{ord(sign):04X}"


NUMBER_QUESTIONS: list[tuple[str, Callable[[str], object], str, object]] = [
    # (question, its parser, an answer written in ASCII digits, what it means)
    ("workers", parse_whole_number, "3", 3),
    ("turnover", parse_rupiah, "2 juta", 2_000_000),
    ("year", lambda text: parse_year(text, today=date(2026, 11, 27)), "2020", 2020),
    ("NIK", lambda text: parse_nik(text, today=date(2026, 11, 27)), "6202054101900001", "6202054101900001"),
    ("NIB", parse_nib, "9120001234567", "9120001234567"),
    ("phone", parse_phone, "0812-3456-7890", "+6281234567890"),
]


@pytest.mark.parametrize(("question", "parse", "written", "meant"), NUMBER_QUESTIONS,
                         ids=[row[0] for row in NUMBER_QUESTIONS])
def test_every_question_that_takes_a_number_reads_the_digits_of_every_script(
        question: str, parse: Callable[[str], object], written: str, meant: object) -> None:
    """The same answer in each script's own digits ("٢ juta", "२०२०", "０８１２…") means the same thing."""
    zeros = {chr(point - int(unicodedata.digit(sign))) for sign in NUMBER_SIGNS if unicodedata.category(sign) == "Nd"
             for point in [ord(sign)]}
    for zero in sorted(zeros):
        local = "".join(chr(ord(zero) + int(c)) if c.isdigit() else c for c in written)
        assert parse(local) == meant, f"{question}: {local!r} (digits from U+{ord(zero):04X})"


# --- kabupaten -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Kotim", "62.02"),
        ("Sampit", "62.02"),
        ("P. Raya", "62.71"),
        ("palangkaraya", "62.71"),
        ("palangka raya", "62.71"),
        ("Kota Palangkaraya", "62.71"),
        ("kab. kapuas", "62.03"),
        ("Kabupaten Kapuas", "62.03"),
        ("Kab Katingan", "62.06"),
        ("kota waringin timur", "62.02"),
        ("kotawarigin timur", "62.02"),
        ("KOTAWARINGIN BARAT", "62.01"),
        ("bartim", "62.13"),
        ("di Sampit", "62.02"),
        ("1", "62.01"),
        ("14", "62.71"),
    ],
)
def test_kabupaten(text: str, code: str) -> None:
    assert parse_kabupaten(text).code == code


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("kotawaringin", ("62.01", "62.02")),
        ("barito", ("62.04", "62.05", "62.13")),
        ("Kab. Barito", ("62.04", "62.05", "62.13")),
    ],
)
def test_kabupaten_ambiguous(text: str, codes: tuple[str, ...]) -> None:
    with pytest.raises(Ambiguous) as ambiguous:
        parse_kabupaten(text)
    assert tuple(place.code for place in ambiguous.value.candidates) == codes


@pytest.mark.parametrize("text", ["", "Jakarta", "kalteng", "0", "15", "xyzzy"])
def test_kabupaten_not_found(text: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_kabupaten(text)
    assert not isinstance(rejected.value, Ambiguous)


# --- kecamatan -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "kabupaten_code", "code"),
    [
        ("Baamang", "62.02", "62.02.05"),
        ("baamang", "62.02", "62.02.05"),
        ("Kec. Baamang", "62.02", "62.02.05"),
        ("baamng", "62.02", "62.02.05"),
        ("Kota Besi", "62.02", "62.02.01"),
        ("Cempaga", "62.02", "62.02.02"),
        ("mb ketapang", "62.02", "62.02.06"),
        ("Dusel", "62.04", "62.04.06"),
        ("Dusun Selatan", "62.04", "62.04.06"),
        ("gunung bintang awai", "62.04", "62.04.05"),
        ("Pahandut", "62.71", "62.71.01"),
        ("2", "62.02", "62.02.02"),
    ],
)
def test_kecamatan(text: str, kabupaten_code: str, code: str) -> None:
    assert parse_kecamatan(text, kabupaten_code).code == code


def test_kecamatan_ambiguous() -> None:
    with pytest.raises(Ambiguous) as ambiguous:
        parse_kecamatan("mentaya hilir", "62.02")
    assert [place.code for place in ambiguous.value.candidates] == ["62.02.07", "62.02.08"]


@pytest.mark.parametrize(
    ("text", "kabupaten_code", "params"),
    [
        ("Baamang", "62.03",
         {"kecamatan": "Baamang", "other": "Kabupaten Kotawaringin Timur", "kabupaten": "Kabupaten Kapuas"}),
        ("Dusel", "62.02",
         {"kecamatan": "Dusun Selatan", "other": "Kabupaten Barito Selatan",
          "kabupaten": "Kabupaten Kotawaringin Timur"}),
        ("baamng", "62.71",
         {"kecamatan": "Baamang", "other": "Kabupaten Kotawaringin Timur", "kabupaten": "Kota Palangkaraya"}),
    ],
)
def test_kecamatan_of_another_kabupaten_is_rejected(text: str, kabupaten_code: str, params: dict[str, str]) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_kecamatan(text, kabupaten_code)
    assert "not in" in rejected.value.reason
    assert rejected.value.params == params


@pytest.mark.parametrize(
    ("text", "kabupaten_code"), [("", "62.02"), ("xyzzy", "62.02"), ("18", "62.02"), ("0", "62.04")]
)
def test_kecamatan_not_found(text: str, kabupaten_code: str) -> None:
    with pytest.raises(Invalid):
        parse_kecamatan(text, kabupaten_code)


# --- NIK -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "nik"),
    [
        (VALID_MALE_NIK, VALID_MALE_NIK),
        (VALID_FEMALE_NIK, VALID_FEMALE_NIK),
        ("6202 0517 0885 0001", VALID_MALE_NIK),
        ("62.02.05.170885.0001", VALID_MALE_NIK),
        ("6202-0517-0885-0001", VALID_MALE_NIK),
        ("6202052902000001", "6202052902000001"),  # 29-02-2000 exists
        ("6202051708300001", "6202051708300001"),  # year 30: 1930, as 2030 is still to come
    ],
)
def test_nik(text: str, nik: str) -> None:
    assert parse_nik(text, today=TODAY) == nik


@pytest.mark.parametrize(
    ("text", "today", "reason_part"),
    [
        ("62020517088500O1", TODAY, "only digits"),
        ("NIK istri 6202051708850001", TODAY, "only digits"),  # whose? not a lead-in
        ("", TODAY, "16 digits"),
        ("620205170885001", TODAY, "this one has 15"),
        ("62020517088500011", TODAY, "this one has 17"),
        ("6202051713850001", TODAY, "birth month"),
        ("6202053208850001", TODAY, "birth day"),
        ("6202057208850001", TODAY, "birth day"),
        ("6202050008850001", TODAY, "birth day"),
        ("6202053102850001", TODAY, "does not exist"),
        ("6202052902010001", TODAY, "does not exist"),
        ("6202051708850000", TODAY, "0000"),
        ("6202052902000001", date(2000, 1, 15), "future"),
        ("9902051708850001", TODAY, "region code"),
    ],
)
def test_nik_rejected(text: str, today: date, reason_part: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_nik(text, today=today)
    assert reason_part in rejected.value.reason % rejected.value.params


def test_nik_never_appears_in_the_rejection() -> None:
    nik = "6202051708850000"
    with pytest.raises(Invalid) as rejected:
        parse_nik(nik, today=TODAY)
    assert nik not in str(rejected.value)
    assert nik not in repr(rejected.value.params)
    assert rejected.value.__cause__ is None and rejected.value.__context__ is None


def test_nik_from_another_province_is_accepted() -> None:
    assert parse_nik("3171011708450001", today=TODAY) == "3171011708450001"


@settings(max_examples=300)
@given(written=written_niks(), before=WORDS, after=WORDS)
def test_free_text_holding_any_valid_nik_is_refused_without_echoing_it(written: tuple[str, str], before: str,
                                                                        after: str) -> None:
    nik, typed = written
    assert parse_nik(typed, today=TODAY) == nik  # what the NIK question takes is what free text refuses
    with pytest.raises(Invalid) as rejected:
        refuse_nik(clean(f"{before} {typed}{after}"))
    assert rejected.value.params == {} and "NIK" in rejected.value.reason
    assert nik not in str(rejected.value) and rejected.value.__context__ is None


@pytest.mark.parametrize("text", [
    "Jl. Tjilik Riwut Km 5 No. 12, RT 03/RW 04", "Ruko Blok A-15 No. 3, 73111, HP 0812-3456-7890",
    "Siti Aminah", "Warung 99", "620205170885000",  # fifteen digits are no NIK
])
def test_free_text_without_a_nik_is_let_through(text: str) -> None:
    refuse_nik(text)


@pytest.mark.parametrize(("text", "nik_shaped"), [
    (VALID_MALE_NIK, True), (" 6202 0517 0885 0001 ", True), ("6202.0517.0885.0001", True),
    ("6202-0517-0885-0001", True), ("6202999999999999", True),  # shaped as one, whether or not it can be one
    ("620205170885000", False), ("62020517088500012", False), ("NIK 6202051708850001", False),
    ("0812-3456-7890", False), ("", False),
])
def test_a_nik_is_sixteen_digits_however_grouped(text: str, nik_shaped: bool) -> None:
    assert looks_like_nik(text) is nik_shaped


# --- NIB -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "nib"),
    [
        ("1234567890123", "1234567890123"),
        ("1234 5678 90123", "1234567890123"),
        ("1.234.567.890.123", "1234567890123"),
        ("belum punya", None),
        ("Belum", None),
        ("tidak ada", None),
        ("tdk punya", None),
        ("blm", None),
        ("-", None),
        ("no", None),
        ("masih proses", None),  # being made: none yet
        ("lagi diurus", None),
        ("NIB sy 1234567890123", "1234567890123"),
    ],
)
def test_nib(text: str, nib: str | None) -> None:
    assert parse_nib(text) == nib


@pytest.mark.parametrize(("text", "reason_part"), [("12345", "this one has 5"), ("ada", "13-digit"), ("", "13-digit"),
                                                   ("12345678901ab", "13-digit")])
def test_nib_rejected(text: str, reason_part: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_nib(text)
    assert reason_part in rejected.value.reason % rejected.value.params


# --- phone -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("0812 3456 7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("(0536) 3221234", "+625363221234"),
        # Words around the number are not read as letters on a keypad ("pak" is not 725).
        ("0812 5101 2233 pak", "+6281251012233"),
        ("nomor hp saya 0812 5101 2233 pak, itu juga ada WA nya", "+6281251012233"),
    ],
)
def test_phone(text: str, e164: str) -> None:
    assert parse_phone(text) == e164


@pytest.mark.parametrize(
    ("text", "reason_part"),
    [("+65 8123 4567", "Indonesian"), ("+6581234567", "Indonesian"), ("0812", "complete"), ("telepon", "for example"),
     ("", "for example")],
)
def test_phone_rejected(text: str, reason_part: str) -> None:
    with pytest.raises(Invalid) as rejected:
        parse_phone(text)
    assert reason_part in rejected.value.reason


PHONE_LIKE = st.one_of(
    st.from_regex(r"(\+62 ?|62|0)?8[1-9][0-9]{7,10}", fullmatch=True),
    st.text(alphabet="0123456789+-() ", max_size=25),
    st.text(),
)


@given(PHONE_LIKE)
def test_parse_phone_is_idempotent(text: str) -> None:
    try:
        e164 = parse_phone(text)
    except Invalid:
        return
    assert parse_phone(e164) == e164


@pytest.mark.parametrize(("number", "vouched"), [
    ("+6281234567890", "+6281234567890"), ("6281234567890", "+6281234567890"), ("+62 812-3456-7890", "+6281234567890"),
    ("+14155238886", "+14155238886"), ("+1", None), ("+abc", None), ("+99912345678", None), ("+0000", None), ("", None),
    ("+٦٢٨١٢٣٤٥٦٧٨٩٠", "+6281234567890"), ("+❻❷❽", None),
])
def test_only_a_real_number_is_vouched_for(number: str, vouched: str | None) -> None:
    assert vouched_phone(number) == vouched


@given(st.one_of(PHONE_LIKE, st.text(), st.text().map(lambda text: "+" + text)))
def test_a_vouched_phone_is_e164_and_can_be_shown(number: str) -> None:
    vouched = vouched_phone(number)
    if vouched is not None:
        assert re.fullmatch(r"\+[1-9][0-9]{6,14}", vouched) and vouched_phone(vouched) == vouched
        assert display_phone(vouched)


# --- no parser raises anything but Invalid ---------------------------------------------------

PARSERS: dict[str, Callable[[str], object]] = {
    "clean": clean,
    "yes_no": parse_yes_no,
    "whole_number": parse_whole_number,
    "bounded_whole_number": lambda text: parse_whole_number(text, minimum=1, maximum=50),
    "rupiah": parse_rupiah,
    "monthly_rupiah": parse_monthly_rupiah,
    "year": lambda text: parse_year(text, today=TODAY),
    "choice": lambda text: parse_choice(text, SOP_OPTIONS),
    "kabupaten": parse_kabupaten,
    "kecamatan": lambda text: parse_kecamatan(text, "62.02"),
    "nik": lambda text: parse_nik(text, today=TODAY),
    "nib": parse_nib,
    "phone": parse_phone,
    "no_nik": refuse_nik,
    "vouched_phone": vouched_phone,
}

HOSTILE_TEXTS = [
    "",
    " ",
    "\x00\x01\x1b[31m\x7f",
    "\u200b\u200e\ufeff",
    "'; DROP TABLE umkm; --",
    "<script>alert(1)</script>",
    "🙏🏽👍🏽🇮🇩",
    "٣٤٥",
    "9" * 5000,
    "1." * 2500,
    "a" * 5000,
    "Rp" + "0" * 5000,
    "kotawaringin " * 400,
    "\ud800",
    "﷽" * 100,
]


def _accepts_or_rejects_kindly(parse: Callable[[str], object], text: str) -> None:
    try:
        parse(text)
    except Invalid as rejected:
        # Every reason must be fillable from its own params, as the translator will do.
        assert isinstance(rejected.reason % rejected.params, str)


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
@pytest.mark.parametrize("parser_name", sorted(PARSERS))
def test_parsers_survive_hostile_text(parser_name: str, text: str) -> None:
    _accepts_or_rejects_kindly(PARSERS[parser_name], text)


@pytest.mark.parametrize("parser_name", sorted(PARSERS))
@settings(max_examples=150, deadline=None)
@given(text=st.text())
def test_parsers_raise_only_invalid(parser_name: str, text: str) -> None:
    _accepts_or_rejects_kindly(PARSERS[parser_name], text)


@settings(max_examples=50, deadline=None)
@given(text=st.text(min_size=1000, max_size=6000))
def test_parsers_raise_only_invalid_on_long_text(text: str) -> None:
    for parse in PARSERS.values():
        _accepts_or_rejects_kindly(parse, text)


# --- how people write counts, years, NIKs and monthly amounts ------------------------------

@pytest.mark.parametrize(("text", "expected"), [("dua", 2), ("tiga orang", 3), ("sepuluh", 10), ("Lima", 5)])
def test_small_counts_in_words(text: str, expected: int) -> None:
    assert parse_whole_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("dua belas", 12), ("sebelas", 11), ("dua puluh lima", 25), ("seratus", 100), ("lima belas orang", 15),
    ("seratus dua puluh", 120), ("seribu dua ratus", 1200), ("Tiga Puluh", 30), ("twenty five", 25), ("twelve", 12),
    ("dua balas", 12), ("ampat", 4),  # Banjar
])
def test_compound_counts_in_words(text: str, expected: int) -> None:
    assert parse_whole_number(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("dua ribu lima belas", 2015), ("dua belas tahun lalu", 2012),
    ("3 tahun lalu", 2021), ("sejak 2 thn yg lalu", 2022), ("dua tahun yang lalu", 2022), ("sejak 2015", 2015),
])
def test_years_ago(text: str, expected: int) -> None:
    assert parse_year(text, today=TODAY) == expected


@pytest.mark.parametrize("text", [f"NIK {VALID_MALE_NIK}", f"nik: {VALID_MALE_NIK}", f"No. KTP {VALID_MALE_NIK}",
                                  f"nik sy {VALID_MALE_NIK}", f"ini kak {VALID_MALE_NIK}"])
def test_nik_with_its_label(text: str) -> None:
    assert parse_nik(text, today=TODAY) == VALID_MALE_NIK


@pytest.mark.parametrize(("text", "expected"), [
    ("15 juta", 15_000_000), ("15 juta per bulan", 15_000_000), ("15jt/bln", 15_000_000),
    ("15 juta sebulan", 15_000_000), ("180 juta setahun", 15_000_000), ("100 juta per tahun", 8_333_333),
    ("lima belas juta sebulan", 15_000_000), ("seratus delapan puluh juta setahun", 15_000_000),
    ("sebulan rata rata 20 juta kotornya", 20_000_000), ("sekitar 20jt lah", 20_000_000),
])
def test_monthly_rupiah(text: str, expected: int) -> None:
    assert parse_monthly_rupiah(text) == expected


@pytest.mark.parametrize(("e164", "shown"), [("+6281234567890", "0812-3456-7890"), ("+6281377778888", "0813-7777-8888")])
def test_display_phone(e164: str, shown: str) -> None:
    assert display_phone(e164) == shown
    assert parse_phone(shown) == e164


# --- Banjar, Ngaju and chat words; amounts in words -------------------------------------------

@pytest.mark.parametrize(("text", "meant"), [
    ("inggih", True), ("Inggih, ulun setuju", True), ("ih", True), ("iih", True), ("Ihh", True), ("bujur", True), ("banar", True), ("handak", True), ("hakun", True),
    ("ulun handak bedaftar", True), ("unda setuju", True), ("iyoh", True), ("yoi", True), ("huum", True),
    ("gw setuju", True), ("oce", True),
    ("kada", False), ("kada hakun", False), ("ulun kada handak", False), ("kadada", False), ("balum", False),
    ("hindai", False), ("gaada", False), ("kagak", False), ("sy tidak setuju", False), ("❌", False),
])
def test_yes_no_in_banjar_ngaju_and_chat(text: str, meant: bool) -> None:
    assert parse_yes_no(text) is meant


@pytest.mark.parametrize("text", ["ih tapi kada", "inggih tapi kada hakun", "ok gaada", "ulun"])
def test_yes_no_still_asks_when_unsure(text: str) -> None:
    with pytest.raises(Invalid):
        parse_yes_no(text)


@pytest.mark.parametrize("text", [
    "kada punya", "kadada", "Kadada ai", "balum punya", "nda ada", "gapunya", "takda", "hindai", "ulun kada punya",
    "kosong", "nihil",
])
def test_nib_none_yet_in_banjar_ngaju_and_chat(text: str) -> None:
    assert parse_nib(text) is None


def test_every_yes_no_and_none_word_is_read() -> None:
    """Each phrase our word lists give for yes, no or none answers a yes/no question, alone or after "saya"/"ulun"."""
    for phrase in words_for(YES):
        assert parse_yes_no(phrase) is True, phrase
        assert parse_yes_no(f"ulun {phrase}") is True, phrase
    for phrase in words_for(NO) | words_for(NONE):
        assert parse_yes_no(phrase) is False, phrase
        assert parse_yes_no(f"saya {phrase}") is False, phrase
        assert parse_nib(phrase) is None, phrase


@pytest.mark.parametrize(("text", "amount"), [
    ("dua juta lima ratus ribu", 2_500_000),
    ("lima belas juta", 15_000_000),
    ("seratus ribu", 100_000),
    ("setengah juta", 500_000),
    ("satu setengah juta", 1_500_000),
    ("sejuta", 1_000_000),
    ("sejuta lima ratus ribu", 1_500_000),
    ("dua ratus lima puluh ribu", 250_000),
    ("lima puluh ribu", 50_000),
    ("delapan ratus ribu", 800_000),
    ("sembilan juta", 9_000_000),
    ("satu koma lima juta", 1_500_000),
    ("dua koma dua lima juta", 2_250_000),
    ("2 juta lima ratus ribu", 2_500_000),
    ("tiga juta rupiah", 3_000_000),
    ("Rp dua juta", 2_000_000),
    ("dua juta", 2_000_000),
    ("sekitar lima juta", 5_000_000),
    ("dua jutaan", 2_000_000),
    ("lima ratus rb", 500_000),
    ("semiliar", 1_000_000_000),
    ("talu ratus ribu", 300_000),  # Banjar
    ("two million", 2_000_000),
    ("two million five hundred thousand", 2_500_000),
    ("two hundred and fifty thousand", 250_000),
])
def test_rupiah_in_words(text: str, amount: int) -> None:
    assert parse_rupiah(text) == amount
