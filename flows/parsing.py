"""Parsers for the owners' answers, shared by every conversation.

Each parser takes the raw text of a chat message and returns a value or raises Invalid, whose
`reason` is an English msgid (translated for the owner) and never contains what the owner typed.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

import phonenumbers
from stdnum.exceptions import ValidationError
from stdnum.id import nik as stdnum_nik

from domain.invalid import Invalid
from domain.msgid import N_
from domain.names import Names, closest, numbered_answer
from domain.text import clean, normalise_name


def _has_digit(text: str) -> bool:
    return re.search(r"[0-9]", text) is not None


# ---------------------------------------------------------------------------------------------
# Yes / no

_YES_WORDS = frozenset({
    "ya", "iya", "iy", "y", "yes", "yup", "betul", "benar", "bener", "ok", "oke", "okey", "okay",
    "setuju", "boleh", "sudah", "udah", "sdh", "mau", "tentu", "siap", "baik", "baiklah", "sip",
    "👍", "✅",
})
_NO_WORDS = frozenset({
    "tidak", "tdk", "tak", "gak", "ga", "gk", "nggak", "ngga", "enggak", "engga", "ndak", "nda",
    "no", "n", "nope", "bukan", "jangan", "belum", "blm", "blum", "salah", "batal",
    "👎", "❌",
})
# Words an owner may put before the answer itself: "saya setuju", "saya tidak setuju".
_LEADING_FILLERS = frozenset({"saya", "sy", "aku", "kami"})

_ANSWER_WORD = re.compile(r"[a-z]+|[👍👎✅❌]")
_REPEATED_LETTER = re.compile(r"(.)\1+")


def _squeeze(word: str) -> str:
    # Chat spelling stretches words ("iyaaa", "okee", "gakk"); compare with repeats folded.
    return _REPEATED_LETTER.sub(r"\1", word)


_SQUEEZED_YES = frozenset(_squeeze(word) for word in _YES_WORDS)
_SQUEEZED_NO = frozenset(_squeeze(word) for word in _NO_WORDS)


def _answer_words(text: str) -> list[str]:
    words = [_squeeze(word) for word in _ANSWER_WORD.findall(clean(text).casefold())]
    while words and words[0] in _LEADING_FILLERS:
        words.pop(0)
    return words


def parse_yes_no(text: str) -> bool:
    """True for ya/iya/setuju/…, False for tidak/gak/belum/…; the first word decides."""
    words = _answer_words(text)
    if words and words[0] in _SQUEEZED_NO:
        # Whatever follows a leading "tidak" is what it negates: "tidak setuju".
        return False
    if words and words[0] in _SQUEEZED_YES and not _SQUEEZED_NO.intersection(words[1:]):
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


# Small counts are often written out: "dua orang", "sepuluh".
_NUMBER_WORDS = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7,
    "delapan": 8, "sembilan": 9, "sepuluh": 10, "sebelas": 11,
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_NUMBER_WORD = re.compile(rf"(?<![a-z])({'|'.join(sorted(_NUMBER_WORDS, key=len, reverse=True))})(?![a-z])")


_COMPOUND_NUMBER = re.compile(r"(?<![a-z])(?:belas|puluh|ratus|ribu|juta|teen|ty|hundred|thousand|million)(?![a-z])")  # "dua belas" is not 2: ask for digits


def _with_number_words_as_digits(text: str) -> str:
    """ "dua orang" -> "2 orang", used only where the text has no digits and no compound number."""
    if _has_digit(text) or _COMPOUND_NUMBER.search(text.casefold()):
        return text
    return _NUMBER_WORD.sub(lambda word: str(_NUMBER_WORDS[word.group(1)]), text.casefold())


def parse_whole_number(text: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    """A count such as "12", "1.200", "12 orang" or "dua", within minimum..maximum."""
    cleaned = _with_number_words_as_digits(number_text(text))
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
    r"(?<![a-z])(?:sekitar|kira-kira|kira2|kurang lebih|kurleb|rata-rata|rata2)(?![a-z])|±|\+-"
)
# "Rp2.500.000,-" is the usual way to write a round amount; a sentence may end with a full stop.
_AMOUNT_SUFFIX = re.compile(r"(?:[.,]-|[.!?]+)$")
_NEGATIVE_AMOUNT = re.compile(r"^[-\u2212\u2013]|(?<![a-z])minus(?![a-z])")
_RANGE = re.compile(r"[0-9a-z]\s*(?:[-\u2212\u2013\u2014~/]|s/d|(?<![a-z])(?:sampai|hingga|atau)(?![a-z]))\s*[0-9]")
_MAX_RUPIAH = 10**15


_AMOUNT_LABEL = re.compile(r"^(?:omzet|omset|modal|modal usaha|penjualan|sales|turnover|capital)\s*:?\s*")
_ROUGHLY_SUFFIX = re.compile(r"(?<=[a-z0-9])\s*-?\s*an(?![a-z])")  # "5 jt-an", "300 rb an": about that much


def _amount_text(text: str) -> str:
    """The answer without currency marks, a leading label, and words like "sekitar" that do not change the amount."""
    lowered = _AMOUNT_LABEL.sub("", number_text(text).casefold())
    without_marks = _APPROXIMATION.sub(" ", _CURRENCY_MARK.sub(" ", _ROUGHLY_SUFFIX.sub("", lowered)))
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
MONTHS_PER_YEAR = 12


def parse_monthly_rupiah(text: str) -> int:
    """A monthly amount: "15 juta", "15 jt/bln", "15 juta sebulan", or a yearly one divided by 12."""
    lowered = number_text(text).casefold()
    if _PER_DAY_OR_WEEK.search(lowered):
        # Days worked in a month vary too much to multiply for the owner.
        raise Invalid(N_("Please give the amount for a whole month, for example \"15 juta\"."))
    if _PER_YEAR.search(lowered):
        return round(parse_rupiah(_PER_YEAR.sub("", lowered)) / MONTHS_PER_YEAR)
    return parse_rupiah(_PER_MONTH.sub("", lowered))


_FOUR_DIGITS = re.compile(r"(?<![0-9])[0-9]{4}(?![0-9])")
_YEARS_AGO = re.compile(r"(?<![0-9])([0-9]{1,2})\s*(?:tahun|thn|th|years?)\s*(?:yang\s*|yg\s*)?(?:lalu|ll|ago)")
_THIS_YEAR = re.compile(r"(?<![a-z])(?:tahun ini|thn ini|this year|baru)(?![a-z])")
_LAST_YEAR = re.compile(r"(?<![a-z])(?:tahun lalu|thn lalu|tahun kemarin|thn kemarin|tahun kemaren|last year)(?![a-z])")
_OLDEST_YEAR = 1900


def parse_year(text: str, *, today: date) -> int:
    """A four-digit year from 1900 up to this year: "2015", "sejak 2015", "3 tahun lalu"."""
    cleaned = _with_number_words_as_digits(number_text(text)).casefold()
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
    """The number of a choice when that is all the text says: "2", "2.", "no. 2", "❷"; None otherwise."""
    return numbered_answer(_choice_query(text))


def _choice_query(text: str) -> str:
    return normalise_name(number_text(text))


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
_NIK_LABEL = re.compile(r"^(?:no\.?\s*)?(?:nik|ktp)\s*:?\s*", re.IGNORECASE)  # "NIK 6202…", "No. KTP: 6202…"
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
    digits = _DIGIT_GROUP_SEPARATORS.sub("", _NIK_LABEL.sub("", number_text(text)))
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


def refuse_nik(text: str) -> None:
    """Raise Invalid when free text (a name, an address) holds a NIK: it is kept only where it is asked and masked."""
    if _NIK_DIGITS.search(ascii_digits(text)):
        raise Invalid(N_("That looks like a NIK. To keep it safe, please write your NIK only where it is asked."))


_NIB_LENGTH = 13
_NONE_YET_WORDS = _SQUEEZED_NO | {"kosong", "nihil", "none", "not"}
_ONLY_DASHES = re.compile(r"[-\u2212\u2013\u2014]+")
_NOT_A_NIB = N_("Please write the 13-digit NIB, or \"belum punya\" if you have none yet.")


def parse_nib(text: str) -> str | None:
    """A 13-digit NIB, or None when the owner has none yet ("belum punya", "tidak ada", "-")."""
    cleaned = number_text(text)
    if not _has_digit(cleaned):
        words = _answer_words(cleaned)
        if _ONLY_DASHES.fullmatch(cleaned) or (words and words[0] in _NONE_YET_WORDS):
            return None
        raise Invalid(_NOT_A_NIB)
    digits = _DIGIT_GROUP_SEPARATORS.sub("", cleaned)
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
