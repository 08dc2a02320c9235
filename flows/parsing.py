"""Parsers for the owners' answers, shared by every conversation.

Each parser takes the raw text of a chat message and returns a value or raises Invalid, whose
`reason` is an English msgid (translated for the owner) and never contains what the owner typed.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from decimal import Decimal

import phonenumbers
from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from domain.classes import MONTHS_PER_YEAR
from domain.invalid import Invalid
from domain.msgid import N_
from domain.names import Names, closest, numbered_answer
from domain.text import clean, normalise_name
from domain.words import NO, NONE, YES, I, words_for


def _has_digit(text: str) -> bool:
    return re.search(r"[0-9]", text) is not None


# ---------------------------------------------------------------------------------------------
# Yes / no


def _symbols(phrases: frozenset[str]) -> set[str]:
    """The phrases that are signs rather than words: 👍, ❌."""
    return {phrase for phrase in phrases if not re.search(r"[a-z]", phrase)}


_YES_WORDS = words_for(YES)
_NO_WORDS = words_for(NO) | words_for(NONE)  # "kadada", "gaada": having none of it answers no
# Words an owner may put before the answer itself: "saya setuju", "ulun handak", "sy tidak setuju".
_LEADING_FILLERS = words_for(I)

# An answer is read as words and the symbols our word lists hold (👍, ❌), whatever else surrounds them.
_ANSWER_WORD = re.compile(
    "|".join(["[a-z]+", *map(re.escape, sorted(_symbols(_YES_WORDS | _NO_WORDS), key=len, reverse=True))])
)
_REPEATED_LETTER = re.compile(r"(.)\1+")


def _squeeze(word: str) -> str:
    # Chat spelling stretches words ("iyaaa", "okee", "gakk"); compare with repeats folded.
    return _REPEATED_LETTER.sub(r"\1", word)


def _phrase_words(phrases: frozenset[str]) -> frozenset[tuple[str, ...]]:
    """Each phrase as the squeezed words an answer is compared with: "kada punya" -> ("kada", "punya")."""
    return frozenset(tuple(_squeeze(word) for word in _ANSWER_WORD.findall(phrase)) for phrase in phrases)


_YES_PHRASES = _phrase_words(_YES_WORDS)
_NO_PHRASES = _phrase_words(_NO_WORDS)
_NEGATIONS = frozenset(phrase[0] for phrase in _NO_PHRASES)
_FILLERS = frozenset(phrase[0] for phrase in _phrase_words(_LEADING_FILLERS))


def _answer_words(text: str) -> list[str]:
    words = [_squeeze(word) for word in _ANSWER_WORD.findall(clean(text).casefold())]
    while words and words[0] in _FILLERS:
        words.pop(0)
    return words


def _leading_phrase(words: list[str], phrases: frozenset[tuple[str, ...]]) -> int:
    """How many of the first words make one of the phrases (the longest one); 0 when none does."""
    return max((len(phrase) for phrase in phrases if tuple(words[:len(phrase)]) == phrase), default=0)


def parse_yes_no(text: str) -> bool:
    """True for ya/iya/setuju/ih/…, False for tidak/gak/belum/kada/…; the first words decide."""
    words = _answer_words(text)
    if _leading_phrase(words, _NO_PHRASES):
        # Whatever follows a leading "tidak" is what it negates: "tidak setuju", "kada hakun".
        return False
    said_yes = _leading_phrase(words, _YES_PHRASES)
    if said_yes and not _NEGATIONS.intersection(words[said_yes:]):
        return True
    # "ya tapi tidak" and anything unrecognised: better to ask again than to guess.
    raise Invalid(N_("Please answer ya or tidak."))


# ---------------------------------------------------------------------------------------------
# Numbers and money

_TOO_LARGE = N_("That number is too large; please check it.")
# Enough for Rp1.000 triliun; anything longer is a typing slip, and int() of huge text is slow.
_MAX_SIGNIFICANT_DIGITS = 16

_NUMBER_TOKEN = re.compile(r"[0-9]++(?:[.,][0-9]++)*+")
_THOUSANDS_GROUPED = {
    ".": re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+"),
    ",": re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+"),
}
_MINUS_BEFORE_NUMBER = re.compile(r"(?<![0-9])[-\u2212\u2013]\s?[0-9]")


def _too_many_digits(digits: str) -> bool:
    return len(digits.lstrip("0")) > _MAX_SIGNIFICANT_DIGITS


def _grouped_value(token: str) -> int | None:
    """1.200 or 1,200 (thousands groups) or 1200 -> 1200; None when the token has decimals."""
    if token.isdigit():
        return _int_from_digits(token)
    for separator, pattern in _THOUSANDS_GROUPED.items():
        if pattern.fullmatch(token):
            return _int_from_digits(token.replace(separator, ""))
    return None


def _int_from_digits(digits: str) -> int:
    # Leading zeros would otherwise count towards Python's limit on int() of long strings.
    return int(digits.lstrip("0") or "0")


# Numbers written out, as owners dictate them: "lima belas orang", "dua juta lima ratus ribu", "setengah juta".
# Banjar: ampat, anam, sambilan, sapuluh in both detik.com/kalimantan/budaya/d-7934499 and
# planetdialek.blogspot.com/2011/12/bahasa-banjar.html; talu, dalapan, balas, pulu in detik; lapan, saratus, saribu,
# sajuta in planetdialek. Detik's "sasai" (one) and "huluk" (zero) are in no other list, so they are left out.
_DIGIT_WORDS = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9,
    "talu": 3, "ampat": 4, "anam": 6, "dalapan": 8, "lapan": 8, "sambilan": 9,  # Banjar
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
}
_TEENS_AFTER_DIGIT = frozenset({"belas", "balas"})  # "dua belas" is 12; Banjar "dua balas"
_TENS_AFTER_DIGIT = frozenset({"puluh", "pulu"})  # "dua puluh" is 20; Banjar "dua pulu"
_HUNDREDS_AFTER_DIGIT = frozenset({"ratus", "hundred"})
_TENS_WORDS = {  # a number from 10 to 19 in one word
    "sepuluh": 10, "sebelas": 11, "sapuluh": 10,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_ENGLISH_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                 "ninety": 90}
_ONE_HUNDRED = frozenset({"seratus", "saratus"})
_SCALES = {"ribu": 10**3, "juta": 10**6, "miliar": 10**9, "milyar": 10**9, "triliun": 10**12, "trilyun": 10**12,
           "thousand": 10**3, "million": 10**6, "billion": 10**9}
_ONE_OF_SCALE = {"seribu": 10**3, "sejuta": 10**6, "semiliar": 10**9, "semilyar": 10**9, "setriliun": 10**12,
                 "saribu": 10**3, "sajuta": 10**6}
_SCALE_UNITS = {10**3: "ribu", 10**6: "juta", 10**9: "miliar", 10**12: "triliun"}  # as _UNIT_MULTIPLIERS reads them
_HALF = "setengah"
_DECIMAL_POINTS = frozenset({"koma", "point"})  # "satu koma lima juta"
_AND = "and"  # "two hundred and fifty"
_NUMBER_VOCABULARY = frozenset({
    *_DIGIT_WORDS, *_TEENS_AFTER_DIGIT, *_TENS_AFTER_DIGIT, *_HUNDREDS_AFTER_DIGIT, *_TENS_WORDS, *_ENGLISH_TENS,
    *_ONE_HUNDRED, *_SCALES, *_ONE_OF_SCALE, _HALF, *_DECIMAL_POINTS, _AND,
})
_LETTERS = re.compile(r"[a-z]+")

# One part of a written-out number: its value (None for a bare "juta" after digits) and the scale after it.
_Term = tuple[Decimal | None, int | None]


def _word(words: Sequence[str], at: int) -> str:
    """words[at], or "" past the end."""
    return words[at] if at < len(words) else ""


def _below_hundred(words: Sequence[str], at: int) -> tuple[int, int] | None:
    """The number below 100 written from words[at] ("lima belas", "dua puluh satu", "twenty one") and where it ends."""
    word = _word(words, at)
    if word in _TENS_WORDS:
        return _TENS_WORDS[word], at + 1
    if word in _ENGLISH_TENS:
        unit = _DIGIT_WORDS.get(_word(words, at + 1), 0)
        return (_ENGLISH_TENS[word] + unit, at + 2) if unit else (_ENGLISH_TENS[word], at + 1)
    if word not in _DIGIT_WORDS:
        return None
    digit = _DIGIT_WORDS[word]
    if digit and _word(words, at + 1) in _TEENS_AFTER_DIGIT:
        return 10 + digit, at + 2
    if digit and _word(words, at + 1) in _TENS_AFTER_DIGIT:
        unit = _DIGIT_WORDS.get(_word(words, at + 2), 0)
        return (10 * digit + unit, at + 3) if unit else (10 * digit, at + 2)
    return digit, at + 1


def _below_thousand(words: Sequence[str], at: int) -> tuple[int, int] | None:
    """The number below 1000 written from words[at] ("dua ratus lima puluh", "seratus") and where it ends."""
    word = _word(words, at)
    if word in _ONE_HUNDRED:
        hundreds, at = 100, at + 1
    elif _DIGIT_WORDS.get(word) and _word(words, at + 1) in _HUNDREDS_AFTER_DIGIT:
        hundreds, at = 100 * _DIGIT_WORDS[word], at + 2
    else:
        return _below_hundred(words, at)
    rest = _below_hundred(words, at + 1 if _word(words, at) == _AND else at)
    return (hundreds + rest[0], rest[1]) if rest else (hundreds, at)


def _term(words: Sequence[str], at: int) -> tuple[_Term, int] | None:
    """One part of a written-out number from words[at] ("lima ratus ribu", "satu koma lima juta") and where it ends."""
    if _word(words, at) in _ONE_OF_SCALE:
        return (Decimal(1), _ONE_OF_SCALE[_word(words, at)]), at + 1
    group = _below_thousand(words, at)
    value, end = (Decimal(group[0]), group[1]) if group else (None, at)
    with_fraction = end
    if _word(words, end) == _HALF:
        value, with_fraction = (value or Decimal(0)) + Decimal("0.5"), end + 1
    elif value is not None and _word(words, end) in _DECIMAL_POINTS:
        decimals = ""
        while _word(words, end + 1 + len(decimals)) in _DIGIT_WORDS:
            decimals += str(_DIGIT_WORDS[_word(words, end + 1 + len(decimals))])
        if decimals:
            value, with_fraction = Decimal(f"{value}.{decimals}"), end + 1 + len(decimals)
    scale = _SCALES.get(_word(words, with_fraction))
    if scale is not None:
        return (value, scale), with_fraction + 1
    if value is None or with_fraction != end:
        return None  # a fraction only goes with its scale: "setengah juta", never "satu koma lima" alone
    return (value, None), end


def _spelled_terms(words: Sequence[str]) -> list[_Term] | None:
    """The parts of the one number these words write out, all of them; None when they are not exactly one number."""
    terms: list[_Term] = []
    at = 0
    while at < len(words):
        found = _term(words, at)
        if found is None or (terms and found[0][0] is None):
            return None
        term, at = found
        terms.append(term)
        if term[1] is None:
            break  # a group without a scale ends the number: "dua juta lima ratus"
    return terms if at == len(words) else None


def _decimal_text(value: Decimal) -> str:
    """A value the Indonesian way, as _decimal_number reads it: "0,5" before "juta" is a half."""
    return format(value.normalize(), "f").replace(".", ",")


def _as_amount(terms: list[_Term]) -> str:
    """The parts as digits and units, for the amount parser to judge: "2 juta 500 ribu", "0,5 juta"."""
    parts: list[str] = []
    for value, scale in terms:
        if value is not None:
            parts.append(_decimal_text(value))
        if scale is not None:
            parts.append(_SCALE_UNITS[scale])
    return " ".join(parts)


def _as_count(terms: list[_Term]) -> str | None:
    """The whole number the parts make ("seribu dua ratus" -> "1200"); None when they make no whole number."""
    total = Decimal(0)
    previous_scale: int | None = None
    for value, scale in terms:
        if value is None or (scale is not None and previous_scale is not None and scale >= previous_scale):
            return None
        total += value * (scale or 1)
        previous_scale = scale
    return str(int(total)) if total == total.to_integral_value() else None


def _number_word_runs(text: str) -> Iterator[tuple[int, int, list[str]]]:
    """Each run of number words with only spaces between them, where it starts and ends in the text, and its words."""
    run: list[re.Match[str]] = []
    for match in _LETTERS.finditer(text):
        if match.group() in _NUMBER_VOCABULARY and run and text[run[-1].end():match.start()].isspace():
            run.append(match)
            continue
        if run:
            yield run[0].start(), run[-1].end(), [word.group() for word in run]
        run = [match] if match.group() in _NUMBER_VOCABULARY else []
    if run:
        yield run[0].start(), run[-1].end(), [word.group() for word in run]


def _with_spelled_numbers(text: str, render: Callable[[list[_Term]], str | None]) -> str:
    """The text casefolded, each number written out in words rendered in digits; words that are not one number stay."""
    lowered = text.casefold()
    pieces: list[str] = []
    kept_until = 0
    for start, end, words in _number_word_runs(lowered):
        terms = _spelled_terms(words)
        rendered = render(terms) if terms else None
        if rendered is not None:
            pieces += [lowered[kept_until:start], rendered]
            kept_until = end
    return "".join([*pieces, lowered[kept_until:]])


def parse_whole_number(text: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A count such as "12", "1.200", "12 orang", "dua" or "lima belas", within minimum..maximum."""
    cleaned = _with_spelled_numbers(number_text(text), _as_count)
    tokens = _NUMBER_TOKEN.findall(cleaned)
    if not tokens:
        raise Invalid(N_("Please answer with a number in digits, for example 12."))
    if len(tokens) > 1:
        raise Invalid(N_("Please write just one number."))
    token = tokens[0]
    if _too_many_digits(re.sub(r"[.,]", "", token)):
        if maximum is not None:
            raise Invalid(N_("The number must be at most %(maximum)s."), maximum=maximum)
        raise Invalid(_TOO_LARGE)
    value = _grouped_value(token)
    if value is None:
        raise Invalid(N_("Please write a whole number, without decimals."))
    if _MINUS_BEFORE_NUMBER.search(cleaned):
        value = -value
    if value < minimum:
        raise Invalid(N_("The number must be at least %(minimum)s."), minimum=minimum)
    if maximum is not None and value > maximum:
        raise Invalid(N_("The number must be at most %(maximum)s."), maximum=maximum)
    return value


_UNIT_MULTIPLIERS: dict[str, int] = {
    "k": 10**3, "rb": 10**3, "rbu": 10**3, "ribu": 10**3, "ribuan": 10**3, "rebu": 10**3,
    "jt": 10**6, "jta": 10**6, "juta": 10**6, "jutaan": 10**6,
    # In Indonesian "M" is miliar, as in "Rp1 M".
    "m": 10**9, "miliar": 10**9, "milyar": 10**9, "miliaran": 10**9, "milyaran": 10**9,
    "t": 10**12, "triliun": 10**12, "trilyun": 10**12,
    "thousand": 10**3, "million": 10**6, "millions": 10**6, "billion": 10**9,
}
_UNITS = "|".join(sorted(_UNIT_MULTIPLIERS, key=len, reverse=True))
# Possessive quantifiers keep a long run of digits from being re-split by backtracking.
_AMOUNT_TERM = re.compile(rf"\s*+([0-9]++(?:[.,][0-9]++)*+)\s*+(?:({_UNITS})(?![a-z]))?\s*+")
_CURRENCY_MARK = re.compile(r"(?<![a-z])(?:rupiah|idr|rp)(?![a-z])\.?")
_APPROXIMATION = re.compile(
    r"(?<![a-z])(?:sekitar|kira-kira|kira2|kurang lebih|kurleb|rata-rata|rata2|rata rata|around|about|roughly|"
    r"approximately)"
    r"(?![a-z])|±|\+-"
)
# "Rp2.500.000,-" is the usual way to write a round amount; a sentence may end with a full stop.
_AMOUNT_SUFFIX = re.compile(r"(?:[.,]-|[.!?]+)$")
_NEGATIVE_AMOUNT = re.compile(r"^[-\u2212\u2013]|(?<![a-z])minus(?![a-z])")
_RANGE = re.compile(r"[0-9a-z]\s*(?:[-\u2212\u2013\u2014~/]|s/d|(?<![a-z])(?:sampai|hingga|atau)(?![a-z]))\s*[0-9]")
_MAX_RUPIAH = 10**15


# "modal awal 20 juta", "omzet sy: 3 jt": the question's own words before the amount.
_AMOUNT_LABEL = re.compile(r"^(?:(?:omzetnya|omzet|omsetnya|omset|modalnya|modal|awal|usaha|penjualan|sales|turnover|"
                           r"capital|saya|sy|ulun|my)(?![a-z])\s*:?\s*)+")
# Words after the amount that change nothing: "50 juta lah pak", "20 juta kotornya" (sales before costs, as asked).
_AMOUNT_TAIL = re.compile(r"(?:[\s,]+(?:lah|pak|bu|kak|ya|aja|saja|deh|kok|kotor|kotornya|gross))+[.!]*$")
_ROUGHLY_SUFFIX = re.compile(r"(?<=[a-z0-9])\s*-?\s*an(?![a-z])")  # "5 jt-an", "300 rb an": about that much


def _amount_text(text: str) -> str:
    """The answer without currency marks, a leading label, and words like "sekitar" that do not change the amount."""
    lowered = _AMOUNT_TAIL.sub("", _AMOUNT_LABEL.sub("", number_text(text).casefold()))
    # Words first: the "-an" of "5 jt-an" would otherwise cut "delapan" short.
    spelled = _with_spelled_numbers(lowered, _as_amount)
    without_marks = _APPROXIMATION.sub(" ", _CURRENCY_MARK.sub(" ", _ROUGHLY_SUFFIX.sub("", spelled)))
    return _AMOUNT_SUFFIX.sub("", " ".join(without_marks.split()))


def _decimal_number(token: str, *, has_unit: bool) -> Decimal | None:
    """Read one written number the Indonesian way: "." groups thousands, "," marks decimals.

    A lone separator followed by exactly three digits groups thousands ("2.500", and "2,500" when
    no unit follows, because fractions of a rupiah do not exist); "2.5 juta" is two and a half.
    """
    grouped = _grouped_value(token)
    if grouped is not None and not ("," in token and has_unit and token.count(",") == 1):
        return Decimal(grouped)
    decimal_mark = max(".,", key=token.rfind)
    whole, _, fraction = token.rpartition(decimal_mark)
    whole_value = _grouped_value(whole)
    if whole_value is None or not fraction.isdigit():
        return None
    return Decimal(f"{whole_value}.{fraction}")


def _amount_terms(amount_text: str) -> list[tuple[Decimal, int | None]]:
    """Split "2 juta 500 ribu" into (2, 10**6), (500, 10**3); raise Invalid if anything is left."""
    unreadable = Invalid(N_("Please write only the amount, for example 2.500.000 or 2,5 juta."))
    terms: list[tuple[Decimal, int | None]] = []
    position = 0
    while position < len(amount_text):
        match = _AMOUNT_TERM.match(amount_text, position)
        if match is None:
            raise unreadable
        token, unit = match.groups()
        if _too_many_digits(re.sub(r"[.,]", "", token)):
            raise Invalid(_TOO_LARGE)
        number = _decimal_number(token, has_unit=unit is not None)
        if number is None:
            raise unreadable
        terms.append((number, _UNIT_MULTIPLIERS[unit] if unit else None))
        position = match.end()
    if len(terms) > 1 and not _units_strictly_descend(terms):
        # "2 juta 500" could mean 2.000.500 or 2.500.000: ask rather than guess.
        raise unreadable
    return terms


def _units_strictly_descend(terms: list[tuple[Decimal, int | None]]) -> bool:
    multipliers = [multiplier for _, multiplier in terms if multiplier is not None]
    return len(multipliers) == len(terms) and multipliers == sorted(set(multipliers), reverse=True)


def parse_rupiah(text: str) -> int:
    """An amount in whole rupiah: "2,5 jt", "Rp2.500.000", "500rb", "1,2 M", "2 juta 500 ribu"."""
    amount_text = _amount_text(text)
    if not _has_digit(amount_text):
        raise Invalid(N_("Please write the amount in digits, for example 2 juta or 2.500.000."))
    if _NEGATIVE_AMOUNT.search(amount_text):
        raise Invalid(N_("The amount cannot be negative."))
    if _RANGE.search(amount_text):
        raise Invalid(N_("Please write one amount, not a range."))
    total = sum((number * (multiplier or 1) for number, multiplier in _amount_terms(amount_text)), Decimal(0))
    if total > _MAX_RUPIAH:
        raise Invalid(_TOO_LARGE)
    if total != total.to_integral_value():
        raise Invalid(N_("Please write a whole rupiah amount, for example 2.500.000."))
    return int(total)


_PER = r"\s*(?:/|per|tiap|setiap|a|each)\s*"
_PER_MONTH = re.compile(rf"(?:{_PER}(?:bulan|bln|bl|month)|\s*sebulan)\.?$")
_PER_YEAR = re.compile(rf"(?:{_PER}(?:tahun|thn|th|year)|\s*setahun)\.?$")
_PER_DAY_OR_WEEK = re.compile(rf"{_PER}(?:hari|hr|minggu|mgg|day|week)(?![a-z])|(?<![a-z])(?:sehari|seminggu|harian|mingguan)(?![a-z])")
_MONTH_FIRST = re.compile(r"^(?:sebulan|per\s*bulan|tiap\s*bulan|setiap\s*bulan)\s+")  # "sebulan 20 juta"


def parse_monthly_rupiah(text: str) -> int:
    """A monthly amount: "15 juta", "15 jt/bln", "15 juta sebulan", or a yearly one divided by 12."""
    lowered = number_text(text).casefold()
    if _PER_DAY_OR_WEEK.search(lowered):
        # Days worked in a month vary too much to multiply for the owner.
        raise Invalid(N_("Please give the amount for a whole month, for example \"15 juta\"."))
    if _PER_YEAR.search(lowered):
        return round(parse_rupiah(_PER_YEAR.sub("", lowered)) / MONTHS_PER_YEAR)
    return parse_rupiah(_PER_MONTH.sub("", _MONTH_FIRST.sub("", lowered)))


_FOUR_DIGITS = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")
_YEARS_AGO = re.compile(r"(?<![0-9])([0-9]{1,2})\s*(?:tahun|thn|th|years?)\s*(?:yang\s*|yg\s*)?(?:lalu|ll|ago)")
_THIS_YEAR = re.compile(r"(?<![a-z])(?:tahun ini|thn ini|this year|baru)(?![a-z])")
_LAST_YEAR = re.compile(r"(?<![a-z])(?:tahun lalu|thn lalu|tahun kemarin|thn kemarin|tahun kemaren|last year)(?![a-z])")
_OLDEST_YEAR = 1900


def parse_year(text: str, *, today: date) -> int:
    """A four-digit year from 1900 up to this year: "2015", "sejak 2015", "3 tahun lalu"."""
    cleaned = _with_spelled_numbers(number_text(text), _as_count)
    if not _FOUR_DIGITS.search(cleaned):
        ago = _YEARS_AGO.search(cleaned)
        if ago:
            return today.year - int(ago.group(1))
        if _LAST_YEAR.search(cleaned):
            return today.year - 1
        if _THIS_YEAR.search(cleaned):
            return today.year
    years = _FOUR_DIGITS.findall(cleaned)
    if len(years) != 1:
        raise Invalid(N_("Please write the year with 4 digits, for example 2015."))
    year = int(years[0])
    if year > today.year:
        raise Invalid(N_("%(year)s has not come yet; please check the year."), year=year)
    if year < _OLDEST_YEAR:
        raise Invalid(N_("Please check the year; it should be %(minimum)s or later."), minimum=_OLDEST_YEAR)
    return year


# ---------------------------------------------------------------------------------------------
# Choosing among options

def ascii_digits(text: str) -> str:
    """Every sign that shows one digit, in any script ("٣", "३", "❸"), as that ASCII digit; the rest as it is.

    Python's isdigit() says yes to "❶" and "²", which int() refuses: digits are read here, once, for every
    question that takes a number (through `number_text`) and every choice. NFKC (in `clean`) already made
    "１", "²" and "①" plain digits.
    """
    if text.isascii():
        return text
    return "".join(character if character.isascii() else _digit_shown(character) for character in text)


def number_text(text: str) -> str:
    """What the parsers of numbers read: the text cleaned, every digit sign an ASCII digit ("٢ juta" is "2 juta")."""
    return ascii_digits(clean(text))


def _digit_shown(character: str) -> str:
    digit = unicodedata.digit(character, None)
    return character if digit is None else str(digit)


def choice_number(text: str) -> int | None:
    """The number of a choice when that is all the text says: "2", "2.", "no. 2", "❷", "lima"; None otherwise."""
    return numbered_answer(_choice_query(text))


def _choice_query(text: str) -> str:
    """The text as choices are compared with it; a number in words alone is its figure ("satu" is "1")."""
    query = normalise_name(number_text(text))
    terms = _spelled_terms(query.split())
    count = _as_count(terms) if terms else None
    return count if count is not None else query


def parse_choice(text: str, options: Sequence[str]) -> int:
    """The 0-based index of the option chosen by its number ("2", "no. 2", "❷") or by its name."""
    pick_a_number = Invalid(N_("Please answer with a number from 1 to %(count)s."), count=len(options))
    query = _choice_query(text)
    number = numbered_answer(query)
    if number is not None:
        if 1 <= number <= len(options):
            return number - 1
        raise pick_a_number
    found = closest([query], [Names(loose=(normalise_name(option),)) for option in options])
    if len(found) != 1:
        raise pick_a_number
    return found[0]


# ---------------------------------------------------------------------------------------------
# Identity and contact numbers

_DIGIT_GROUP_SEPARATORS = re.compile(r"[\s.\-]")  # "6202 0541 ...", "9120.0012.34567"
# Words before a number that was asked for: "NIK 6202…", "No. KTP: 6202…", "nik sy 6201…", "ini kak 6211…".
_NUMBER_LEAD_IN = re.compile(r"^(?:(?:no|nomor|nomer|nmr|nik|niknya|ktp|nib|nibnya|sy|saya|ulun|aku|punya|ini|itu|"
                             r"kak|ka|pak|bu|nya|yaitu|adalah|ya)(?![a-z])[\s.:,]*)+", re.IGNORECASE)
_NIK_LENGTH = 16
_WOMEN_DAY_OFFSET = 40


def _birth_day(day_field: int) -> int | None:
    """The day of the month from the NIK's day field: women have 40 added (41 to 71)."""
    if 1 <= day_field <= 31:
        return day_field
    if 1 <= day_field - _WOMEN_DAY_OFFSET <= 31:
        return day_field - _WOMEN_DAY_OFFSET
    return None


def _check_birth_date_is_past(day: int, month: int, two_digit_year: int, today: date) -> None:
    """Reject a date that does not exist, or that is after today in both possible centuries."""
    possible: list[date] = []
    for century in (2000, 1900):
        try:
            possible.append(date(century + two_digit_year, month, day))
        except ValueError:
            continue
    if not possible:
        raise Invalid(N_("The birth date in this NIK does not exist; please check digits 7 to 12."))
    if all(born > today for born in possible):
        raise Invalid(N_("The birth date in this NIK is in the future; please check digits 7 to 12."))


def _check_nik_birth_date(digits: str, today: date) -> None:
    day = _birth_day(int(digits[6:8]))
    if day is None:
        raise Invalid(N_("Digits 7 and 8 of a NIK are the birth day: 01 to 31, or 41 to 71 for women."))
    month = int(digits[8:10])
    if not 1 <= month <= 12:
        raise Invalid(N_("Digits 9 and 10 of a NIK are the birth month, 01 to 12."))
    _check_birth_date_is_past(day, month, int(digits[10:12]), today)


def parse_nik(text: str, *, today: date) -> str:
    """A 16-digit NIK, checked for shape, birth date, serial and a known region code.

    The region of issue is never compared with where the owner says the business is.
    """
    digits = _DIGIT_GROUP_SEPARATORS.sub("", _NUMBER_LEAD_IN.sub("", number_text(text)))
    if not digits:
        raise Invalid(N_("Please type the 16 digits of your NIK."))
    if not digits.isascii() or not digits.isdigit():
        raise Invalid(N_("A NIK has only digits; please leave out letters and other signs."))
    if len(digits) != _NIK_LENGTH:
        raise Invalid(N_("A NIK has 16 digits; this one has %(length)s."), length=len(digits))
    _check_nik_birth_date(digits, today)
    if digits.endswith("0000"):
        raise Invalid(N_("The last 4 digits of a NIK are never 0000; please check them."))
    try:
        stdnum_nik.validate(digits)
    except ValidationError:
        # Our own checks ran first, so what is left is an unknown province/kabupaten code.
        raise Invalid(N_("The first 4 digits of this NIK are not a known region code; please check them.")) from None
    return digits


# Sixteen digits however they are grouped, as parse_nik reads them; any longer run holds sixteen too.
_NIK_DIGITS = re.compile(r"[0-9](?:[\s.\-]*[0-9]){15}")


def looks_like_nik(text: str) -> bool:
    """Whether text is sixteen digits, however grouped: what parse_nik would read as a NIK, right or wrong."""
    return _NIK_DIGITS.fullmatch(ascii_digits(text.strip())) is not None


def refuse_nik(text: str) -> None:
    """Raise Invalid when free text (a name, an address) holds a NIK: it is kept only where it is asked and masked."""
    if _NIK_DIGITS.search(ascii_digits(text)):
        raise Invalid(N_("That looks like a NIK. To keep it safe, please write your NIK only where it is asked."))


_NIB_LENGTH = 13
_ONLY_DASHES = re.compile(r"[-\u2212\u2013\u2014]+")
_BEING_MADE = re.compile(r"(?:masih|sedang|lagi|dalam)\s+(?:proses|diproses|diurus|ngurus|mengurus)(?:\s+\w+)*",
                         re.IGNORECASE)  # an NIB being made: none yet
_NOT_A_NIB = N_("Please write the 13-digit NIB, or \"belum punya\" if you have none yet.")


def parse_nib(text: str) -> str | None:
    """A 13-digit NIB, or None when the owner has none yet ("belum punya", "tidak ada", "kadada", "-", "masih
    proses")."""
    cleaned = number_text(text)
    if not _has_digit(cleaned):
        words = _answer_words(cleaned)
        if _ONLY_DASHES.fullmatch(cleaned) or _leading_phrase(words, _NO_PHRASES) or _BEING_MADE.fullmatch(cleaned):
            return None
        raise Invalid(_NOT_A_NIB)
    digits = _DIGIT_GROUP_SEPARATORS.sub("", _NUMBER_LEAD_IN.sub("", cleaned))  # "NIB sy 9120…"
    if not digits.isascii() or not digits.isdigit():
        raise Invalid(_NOT_A_NIB)
    if len(digits) != _NIB_LENGTH:
        raise Invalid(N_("An NIB has 13 digits; this one has %(length)s."), length=len(digits))
    return digits


_INDONESIA_COUNTRY_CODE = 62
_LONGEST_NATIONAL_NUMBER = 12  # digits after the leading 0: "0812-3456-78901" is as long as they come
_MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})
_ACCEPTED_PHONE_TYPES = _MOBILE_TYPES | {phonenumbers.PhoneNumberType.FIXED_LINE}  # a shop's landline too


def parse_phone(text: str) -> str:
    """An Indonesian mobile or landline number in E.164: "0812-3456-7890" -> "+6281234567890"."""
    cleaned = number_text(text)
    if not _has_digit(cleaned):
        raise Invalid(N_("Please write a phone number, for example 0812-3456-7890."))
    if _LETTERS.search(cleaned.casefold()):  # words around it ("0812 5101 2233 pak"): letters are no digits here
        found = [match.raw_string for match in phonenumbers.PhoneNumberMatcher(
            cleaned, "ID", leniency=phonenumbers.Leniency.POSSIBLE)]
        cleaned = found[0] if len(found) == 1 else cleaned
    incomplete = Invalid(N_("That phone number does not look complete; please check it."))
    try:
        number = phonenumbers.parse(cleaned, "ID")
    except phonenumbers.NumberParseException:
        raise incomplete from None
    if number.country_code != _INDONESIA_COUNTRY_CODE:
        raise Invalid(N_("Please give an Indonesian phone number, starting with 08 or +62."))
    if cleaned.startswith("62"):
        # "62812…" is a number written the international way with its "+" left off.
        with contextlib.suppress(phonenumbers.NumberParseException):
            international = phonenumbers.parse("+" + cleaned, "ID")
            if _usable(international):
                number = international
    if not _usable(number):
        if len(phonenumbers.national_significant_number(number)) > _LONGEST_NATIONAL_NUMBER:
            raise Invalid(N_("That phone number has too many digits; please check it."))
        raise incomplete
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _usable(number: phonenumbers.PhoneNumber) -> bool:
    return phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in _ACCEPTED_PHONE_TYPES


def vouched_phone(number: str) -> str | None:
    """A number a channel vouches for as its user's ("+6281…", or Telegram's "6281…"), in E.164; None unless real.

    Only a number that exists is vouched for: anything else ("+1", "+abc") would be shown, matched and
    confirmed as the owner's phone.
    """
    try:
        parsed = phonenumbers.parse("+" + number.removeprefix("+"))
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) \
        if phonenumbers.is_valid_number(parsed) else None


def is_mobile(e164: str) -> bool:
    """Whether a number reaches a mobile phone, as chat apps need."""
    return phonenumbers.number_type(phonenumbers.parse(e164)) in _MOBILE_TYPES


def display_phone(e164: str) -> str:
    """A stored number the way Indonesians write it: "+6281234567890" -> "0812-3456-7890"."""
    return phonenumbers.format_number(phonenumbers.parse(e164, "ID"), phonenumbers.PhoneNumberFormat.NATIONAL)
