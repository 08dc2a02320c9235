"""Registering a business: consent, the owner, the business, its money, then review and save."""

import hashlib
import re
from datetime import datetime
from typing import Any

from domain.classes import MONTHS_PER_YEAR, MOST_WORKERS, UMKM_MOST_WORKERS, BusinessClass, classify, classify_monthly
from domain.invalid import Invalid, Phrase
from domain.msgid import N_
from domain.sectors import is_other, kbli_of, sectors_named
from domain.text import clean, normalise_name
from flows.announcement_consent import announcement_consent, owes_an_answer
from flows.engine import Answers, Doubt, Question, QuestionFlow, Turn
from flows.messages import IDENTITY, PHONE, Reply
from flows.parsing import (
    choice_number,
    display_phone,
    parse_monthly_rupiah,
    parse_nib,
    parse_nik,
    parse_phone,
    parse_rupiah,
    parse_whole_number,
    parse_year,
    parse_yes_no,
    refuse_nik,
)
from flows.places import (
    kabupaten_labels,
    kecamatan_labels,
    parse_business_kabupaten,
    parse_business_kecamatan,
    show_place,
)
from flows.sectors import parse_sector, sector_labels, show_sector
from flows.utterance import Said
from store.models import Business, Owner
from store.registrations import mask_nik
from store.registry import BusinessDetails, NikTaken, OwnerDetails

# Registration only: receiving announcements is a purpose of its own, asked for separately.
CONSENT_TEXT = N_(
    "Before we start: the Dinas Koperasi dan UKM Provinsi Kalimantan Tengah will record your name, "
    "NIK, phone number and your business's details (place, NIB, capital, turnover) to register your "
    "business in the provincial UMKM registry. This is based on your consent (UU No. 27 Tahun 2022 on "
    "personal data protection). Your data is kept while your business is registered and deleted when "
    "you ask. At any time you can see your data (\"data saya\"), correct it (\"ubah data\"), or delete "
    "it (\"hapus data saya\").\n\nDo you agree?"
)
MAX_NAME = 100
MAX_ADDRESS = 300
_CODE_LIKE = re.compile(r"[<>{}\[\]\\|`=^~$*;]|--")  # nobody's name or street has these
SMALLEST_AMOUNT = 10_000  # below this an owner has nearly always left off "ribu" or "juta"
MILLION = 1_000_000
MILLIONS_BELOW = 1_000  # a capital written as a bare number below this is in millions ("15": Rp15 juta)
FAR_APART = 100  # a year's sales this many times the capital, or this share of it, is more likely a slip
SENTENCE = 2  # this many words naming no kind of business: the kind was read from a sentence, so it is confirmed
_OLDEST_LIKELY_YEAR = 1950  # a worker count from here to this year is more likely a year
NOTHING_REGISTERED = N_("We have no registered data about you yet.")
TRAINING_NEEDS_REGISTERING = N_("Training is for registered businesses: type \"daftar\" to register yours first.")
NIK_TAKEN = N_("This NIK is already registered for someone else. If it is yours, please contact the "
               "Dinas Koperasi dan UKM to get your registration back.")
KNOWN_OWNER = "_known_owner"  # set in the answers when a registered owner adds a business
VERIFIED_PHONE = "_verified_phone"  # a number known to be the owner's: stored so, or vouched for when given
# The answers that are the businesses table's columns under the same name.
BUSINESS_COLUMNS = ("sector", "sector_note", "kabupaten_code", "kecamatan_code", "address", "nib",
                    "year_started", "workers", "modal_usaha", "monthly_turnover")


# -- reading the answers ---------------------------------------------------------------------

# A condition after the answer that asks only what the consent text already promises: "setuju, tp data sy jgn
# disebar ya". It is left out so the answer before it decides; any other condition ("tapi jangan simpan NIK")
# stays, and a yes with a "jangan" after it is asked again.
_PROMISED_CONDITION = re.compile(
    r"[\s,.;]*(?<![a-z])(?:tapi|tp|tpi|tetapi|asal|asalkan|yang penting|yg penting|but)\s+"
    r"(?:(?:data|datanya|data2)(?:\s+(?:saya|sy|aku|ulun|gw|kami|pribadi))?\s+)?"
    r"(?:(?:jangan|jgn|jngn|tidak|tdk|gak|ga|nggak|ngga|kada)\s+(?:boleh\s+|sampai\s+|sampe\s+)?"
    r"(?:di)?(?:sebar|sebarkan|sebarin|sebarluaskan|bagikan|bagiin|jual|salahgunakan|salahgunain|bocorkan|bocor)"
    r"(?:\s+(?:ke\s+orang\s+lain|kemana-mana|ke\s+mana-mana))?"
    r"|(?:di)?rahasiakan|dijaga|aman|(?:don't|do\s+not)\s+(?:share|sell|spread))"
    r"(?:\s+(?:ya+|kak|ka|pak|bu|dong|lho|loh|it|them|please))*[\s.!🙏]*$")


def parse_consent(text: str, turn: Turn) -> dict[str, str] | bool:
    """Agreeing keeps the proof the law asks for: when, and which text in which language; refusing is False."""
    if not parse_yes_no(_PROMISED_CONDITION.sub("", clean(text).casefold())):
        return False
    return {"at": turn.now.isoformat(), "version": consent_version(turn)}


def consent_version(turn: Turn) -> str:
    """Names the exact consent text the owner read: its language and a digest of its words."""
    shown = turn.text(CONSENT_TEXT)
    return f"registration-{turn.text.language}-{hashlib.sha256(shown.encode()).hexdigest()[:12]}"


_NAME_INTRO = re.compile(r"^(?:nama\s+(?:saya|sy|aku|ulun)|nama(?:nya)?|saya|sy|aku|ulun|unda|my name is|i am)\s*:?\s+",
                         re.IGNORECASE)
_TRAILING_SIGNS = re.compile(r"[^\w.')\"]+$")  # "Sri Wahyuni 🙏": the emoji is said to us, not part of the name
_HONORIFIC = re.compile(r"^(?:bu|ibu|pak|bapak|bpk|kak|mas|mbak|bang|om|tante|haji|hj\.?|h\.)\s+", re.IGNORECASE)


def parse_person_name(text: str, _turn: Turn) -> str:
    """A full name, without "nama saya" or "Bu" before it; all-lower or all-upper becomes Title Case."""
    name = _parse_name(_TRAILING_SIGNS.sub("", _HONORIFIC.sub("", _NAME_INTRO.sub("", clean(text)))),
                       N_("Please write your full name, in letters."))
    return name.title() if name in (name.lower(), name.upper()) else name


class NikTakenHere(Invalid):
    """A NIK another owner registered; it may be this owner's own, from another channel: share the number."""

    expects = IDENTITY


def parse_owner_nik(text: str, turn: Turn) -> str:
    """A valid NIK that no other registered owner has."""
    nik = parse_nik(text, today=turn.today)
    if turn.registry.nik_belongs_to_another_owner(nik, turn.state.owner_id):
        raise NikTakenHere(NIK_TAKEN)
    return nik


def parse_business_name(text: str, _turn: Turn) -> str:
    return _parse_name(text, N_("Please write the name of your business."))


def parse_sector_note(text: str, _turn: Turn) -> str:
    return _parse_name(text, N_("Please describe your kind of business in a few words."))


def _parse_name(text: str, reason: str) -> str:
    name = _plain(text)
    if sum(character.isalpha() for character in name) < 2:
        raise Invalid(reason)
    if len(name) > MAX_NAME:
        raise Invalid(N_("That is too long: at most %(limit)s characters, please."), limit=MAX_NAME)
    return name


def _plain(text: str) -> str:
    """Free text as people write names and addresses; code-like signs are asked to be left out, a NIK refused."""
    cleaned = clean(text)
    if _CODE_LIKE.search(cleaned):
        raise Invalid(N_("Please write it with letters and numbers, without signs such as < > ; = or --."))
    refuse_nik(cleaned)
    return cleaned


def parse_business_phone(text: str, turn: Turn) -> str:
    """A number the channel vouches for is confirmed with "ya"; otherwise a number is typed."""
    known = turn.inbound.verified_phone
    if known and not any(character.isdigit() for character in text):
        try:
            confirmed = parse_yes_no(text)
        except Invalid:
            confirmed = False
        if confirmed or _THIS_NUMBER.fullmatch(clean(text).casefold()):
            return known
        raise Invalid(N_("Reply \"ya\" to use %(phone)s, or type the phone number to use, for example "
                         "0812 3456 7890."), phone=display_phone(known))
    return parse_phone(text)


# "pakai nomor ini aja": the number shown, in the owner's words (a question about it is no answer).
_THIS_NUMBER = re.compile(r"(?:(?:pakai|pake|pk|gunakan|use)\s+)?(?:nomor|nomer|no|nmr|number|yang|yg)\s+(?:ini|ni|this|itu)"
                          r"(?:\s+(?:aja|saja|ja|kak|ya|one))*")


def phone_prompt(turn: Turn) -> str:
    if turn.inbound.verified_phone:
        return N_("Is %(phone)s the phone number of your business? Reply \"ya\" or type another number.")
    return N_("What is the phone number of your business?")


def phone_prompt_params(turn: Turn) -> dict[str, object]:
    return {"phone": display_phone(turn.inbound.verified_phone) if turn.inbound.verified_phone else ""}


def parse_address(text: str, _turn: Turn) -> str:
    address = _plain(text)
    if sum(character.isalnum() for character in address) < 5:
        raise Invalid(N_("Please write the address: street, number, RT/RW or village."))
    if len(address) > MAX_ADDRESS:
        raise Invalid(N_("That is too long: at most %(limit)s characters, please."), limit=MAX_ADDRESS)
    return address


def parse_business_nib(text: str, _turn: Turn) -> str | None:
    return parse_nib(text)


def parse_year_started(text: str, turn: Turn) -> int:
    return parse_year(text, today=turn.today)


# The words of a worker count: the owner alone ("sy sendiri aja", Banjar "ulun haja"), the two or three of them
# ("berdua", "bertiga"), no employees ("ga ada karyawan"), the owner and employees ("saya + 2 karyawan").
_ALONE = frozenset({"sendiri", "sendirian", "haja", "myself", "alone"})
_ONLY = frozenset({"cuma", "hanya", "just", "only"})
_OWNER = frozenset({"saya", "sy", "aku", "ulun", "gw", "me", "i"}) | _ONLY
_AROUND_A_COUNT = frozenset({"aja", "saja", "ja", "kok", "sih", "kak", "bu", "pak", "ya", "orang", "org", "yg",
                             "kerja", "bekerja"})
_TOGETHER = {"berdua": 2, "bertiga": 3, "berempat": 4, "berlima": 5, "berenam": 6, "bertujuh": 7, "berdelapan": 8,
             "bersembilan": 9, "bersepuluh": 10, "badua": 2, "batiga": 3}  # Banjar writes ba- for ber-
_WORKERS = frozenset({"karyawan", "pekerja", "pegawai", "buruh", "employee", "employees", "staff", "staf"})
_COUNTED_WORKERS = re.compile(r"[0-9]+\s*(?:orang\s+)?(?:karyawan|pekerja|pegawai|buruh|anak buah|employees?|staff?)"
                              r"(?![a-z])")  # "2 karyawan": the employees, the owner not among them
_NO_WORKERS = re.compile(r"(?<![a-z])(?:tanpa|no)\s+(?:karyawan|pekerja|pegawai|employees?|staff?)(?![a-z])")
_WORKER_RANGE = re.compile(r"(?<![0-9])([0-9]{1,3})\s*(?:-|–|s/d|sd|sampai|atau|to|or)\s*([0-9]{1,3})(?![0-9])")
_PLUS = re.compile(r"\+|(?<![a-z])(?:dan|sama|plus|tambah|ditambah|and)(?![a-z])")
_OWNER_AND = re.compile(r"(?<![a-z])(?:saya|sy|aku|ulun)\s*(?:\+|dan|sama|plus|tambah|ditambah)\s*", re.IGNORECASE)
_AND_OWNER = re.compile(r"\s*(?:\+|dan|sama|plus|tambah|ditambah)\s*(?:saya|sy|aku|ulun)(?![a-z])", re.IGNORECASE)
_MONEY_WORDS = re.compile(r"(?<![a-z])(?:rp|rupiah|juta|jt|ribu|rb|miliar|milyar|million|thousand)(?![a-z])|[0-9](?:jt|rb|k)(?![a-z])")


def parse_workers(text: str, _turn: Turn) -> int:
    """The people who work in the business, the owner counted: "3 orang", "sendiri", "berdua sama istri", "saya + 2
    karyawan", "ga ada karyawan"; of a range ("2-3 orang"), the higher (confirmed: see doubt_workers)."""
    words = clean(text).casefold()
    if _MONEY_WORDS.search(words):
        raise Invalid(N_("That looks like an amount of money. How many people work in the business? For example 3."))
    said = Said(text)
    told = [word for word in said.words if word not in _AROUND_A_COUNT]
    if told and all(word in _ALONE or word in _OWNER for word in told) and (_ALONE | _ONLY).intersection(told):
        return 1
    together = next((_TOGETHER[word] for word in said.words if word in _TOGETHER), None)
    if together is not None and not any(character.isdigit() for character in words):
        return together  # "berdua sama istri": the two of them
    if _WORKERS.intersection(said.words) and said.says_none_yet or _NO_WORKERS.search(words):
        return 1  # no employees: only the owner
    range_ = _WORKER_RANGE.search(words)
    if range_:
        return parse_whole_number(range_[2], minimum=1, maximum=100_000)
    count = parse_whole_number(_OWNER_AND.sub(" ", _AND_OWNER.sub(" ", text)), minimum=1, maximum=100_000)
    owner_too = _OWNER.intersection(said.words) and _COUNTED_WORKERS.search(words) and _PLUS.search(words)
    return count + 1 if owner_too else count


def parse_capital(text: str, turn: Turn) -> int:
    """The capital; a bare number under a thousand ("15") is millions, confirmed by doubt_capital."""
    amount = parse_rupiah(text)
    if _in_millions(text, amount):
        return amount * MILLION
    return _plausible(amount, turn)


def _in_millions(text: str, amount: int) -> bool:
    """"15" for a business's capital: nobody has Rp15, everybody has heard "15 juta" said as "15"."""
    return 0 < amount < MILLIONS_BELOW and clean(text).isdigit()


def parse_monthly_turnover(text: str, turn: Turn) -> int:
    return _plausible(parse_monthly_rupiah(text), turn)


def _plausible(amount: int, turn: Turn) -> int:
    """Nothing, or at least Rp10.000: "2021" or "15" are slips, not amounts."""
    if 0 < amount < SMALLEST_AMOUNT:
        raise Invalid(N_("Only %(amount)s? Please write the whole amount, for example \"15 juta\" or "
                         "\"500rb\"."), amount=turn.text.money(amount))
    return amount


# -- answers to confirm before keeping -------------------------------------------------------

def doubt_sector(typed: str, key: str, turn: Turn) -> Doubt | None:
    """A kind of business inferred from a sentence ("sy jualan kue sama es di depan sekolah") rather than picked
    or named ("anyaman purun", "bengkel motor")."""
    if choice_number(typed) is not None:
        return None
    _named, unnamed = sectors_named(normalise_name(typed).split())
    if unnamed < SENTENCE or normalise_name(typed) in (normalise_name(label) for label in sector_labels(turn)):
        return None
    return Doubt(Phrase(N_("From what you wrote, I would put the business under \"%(sector)s\". Is that right?"),
                        {"sector": show_sector(key, turn)}))


def doubt_capital(typed: str, capital: int, turn: Turn) -> Doubt | None:
    """A bare number read as millions is asked about: "15" is Rp15 juta?"""
    if not _in_millions(typed, parse_rupiah(typed)):
        return None
    return Doubt(Phrase(N_("Do you mean %(amount)s?"), {"amount": turn.text.money(capital)}))


def doubt_workers(typed: str, workers: int, turn: Turn) -> Doubt | None:
    """A range ("2-3 orang"), a count that looks like a year, or more people than any UMKM has."""
    if _WORKER_RANGE.search(clean(typed).casefold()):
        return Doubt(Phrase(N_("I will write down %(count)s people, the higher of the two. Is that right?"),
                            {"count": turn.text.number(workers)}))
    if _OLDEST_LIKELY_YEAR <= workers <= turn.today.year:
        return Doubt(Phrase(N_("%(count)s people? That looks like a year. Do %(count)s people really work in the "
                               "business?"), {"count": turn.text.number(workers)}))
    if workers > UMKM_MOST_WORKERS:
        return Doubt(Phrase(N_("%(count)s people work in the business? That is more than a UMKM usually has (at most "
                               "%(most)s). Is that right?"), {"count": turn.text.number(workers), "most": UMKM_MOST_WORKERS}))
    return None


def doubt_year_started(_typed: str, year: int, turn: Turn) -> Doubt | None:
    """A business that started before its owner was born (the year of birth is in the NIK)."""
    nik = turn.answers.get("nik") or _registered_nik(turn)
    if nik is None:
        return None
    born = _birth_year(nik, turn.today.year)
    if year >= born:
        return None
    return Doubt(Phrase(N_("The business started in %(year)s, before you were born (%(born)s, from your NIK)? If it "
                           "was handed down in the family, that is fine. Is %(year)s right?"),
                        {"year": year, "born": born}))


def doubt_turnover(_typed: str, turnover: int, turn: Turn) -> Doubt | None:
    """Sales far from the capital, or more workers than the class the money gives usually has."""
    answers = turn.answers
    capital, workers = answers.get("modal_usaha"), answers.get("workers")
    if capital is None:
        return None
    found = classify(capital, turnover * MONTHS_PER_YEAR)
    most = MOST_WORKERS.get(found)
    if workers is not None and most is not None and workers > most:
        return Doubt(Phrase(N_("With this capital and turnover the business is a %(label)s, which usually has at most "
                               "%(most)s workers, but you said %(workers)s. Is the number of workers right?"),
                            {"label": turn.text(found.label), "most": most, "workers": turn.text.number(workers)}),
                     revisit="workers")
    annual = turnover * MONTHS_PER_YEAR
    if capital > 0 and turnover > 0 and not capital / FAR_APART <= annual <= capital * FAR_APART:
        return Doubt(Phrase(N_("Sales of %(turnover)s a month with a capital of %(capital)s is unusual. Is the monthly "
                               "turnover right?"), {"turnover": turn.text.money(turnover),
                                                   "capital": turn.text.money(capital)}))
    return None


def _registered_nik(turn: Turn) -> str | None:
    owner_id = turn.state.owner_id
    owner = turn.registry.owner_profile(owner_id) if owner_id is not None else None
    return owner.nik if owner is not None else None


def _birth_year(nik: str, this_year: int) -> int:
    """The year of birth in a NIK (digits 11-12): this century's, unless that is still to come."""
    two_digits = int(nik[10:12])
    return 2000 + two_digits if 2000 + two_digits <= this_year else 1900 + two_digits


# -- showing the answers ---------------------------------------------------------------------

def show_nib(nib: str | None, turn: Turn) -> str:
    return nib or turn.text(N_("Not yet"))


def show_money(amount: int, turn: Turn) -> str:
    return turn.text.money(amount)


def show_number(value: int, turn: Turn) -> str:
    return turn.text.number(value)


def show_nik(nik: str, _turn: Turn) -> str:
    return mask_nik(nik)


def show_phone(phone: str, _turn: Turn) -> str:
    return display_phone(phone)


# -- between answers and the registry --------------------------------------------------------

def business_class(answers: Answers) -> tuple[BusinessClass, int]:
    """The class PP 7/2021 gives these answers, and the annual sales it was judged on."""
    return classify_monthly(answers["modal_usaha"], answers["monthly_turnover"])


def owner_details(answers: Answers, turn: Turn) -> OwnerDetails:
    phone = answers["phone"]
    verified = phone in (turn.inbound.verified_phone, answers.get(VERIFIED_PHONE))
    return OwnerDetails(name=answers["owner_name"], nik=answers["nik"], phone=phone, phone_verified=verified)


def business_details(answers: Answers) -> BusinessDetails:
    found, annual = business_class(answers)
    columns = {column: answers.get(column) for column in BUSINESS_COLUMNS}
    if not _is_other_sector(answers):
        columns["sector_note"] = None  # a note belongs only to "Lainnya"
    return BusinessDetails(
        name=answers["business_name"],
        kbli_category=kbli_of(answers["sector"]),
        annual_turnover=annual,
        business_class=found.value,
        **columns,
    )


def answers_from(owner: Owner, business: Business) -> Answers:
    """A saved registration as the answers that would have made it."""
    answers: Answers = {
        "owner_name": owner.name, "nik": owner.nik, "phone": owner.phone, "business_name": business.name,
        VERIFIED_PHONE: owner.phone if owner.phone_verified else None,
        **{column: getattr(business, column) for column in BUSINESS_COLUMNS},
    }
    if answers["sector_note"] is None:
        del answers["sector_note"]  # only "Lainnya" has one
    return answers


def _is_new_owner(answers: Answers) -> bool:
    return not answers.get(KNOWN_OWNER)


def _is_other_sector(answers: Answers) -> bool:
    return is_other(answers.get("sector"))


class Registration(QuestionFlow):
    """Register an owner's business in the registry."""

    name = "registration"
    review = True
    cancel_prompt = N_("Cancel the registration and delete the answers given so far?")
    cancelled_message = N_("Registration cancelled. Nothing was saved.")
    questions = (
        Question(
            "consent",
            CONSENT_TEXT,
            parse_consent,
            N_("Reply \"ya\" if you agree that your data is recorded for the registry, or \"tidak\". "
               "If you do not agree, nothing is stored."),
            choices=lambda turn: [turn.text(N_("Yes, I agree")), turn.text(N_("No"))],
            show=lambda _agreed, turn: turn.text(N_("Yes, I agree")),
            applies=_is_new_owner,
            counted=False,
        ),
        Question("owner_name", N_("What is your full name (as on your KTP)?"), parse_person_name,
                 N_("Write your full name as it appears on your identity card (KTP)."),
                 applies=_is_new_owner, title=N_("Owner's name"), free_text=True),
        Question("nik", N_("What is your NIK (the 16-digit number on your KTP)?"), parse_owner_nik,
                 N_("The NIK is the 16-digit number at the top of your KTP or on your family card (KK)."),
                 applies=_is_new_owner, show=show_nik, title=N_("NIK")),
        Question("phone", phone_prompt, parse_business_phone,
                 N_("We use this number to contact you about your business. Write it like 0812 3456 7890."),
                 prompt_params=phone_prompt_params, applies=_is_new_owner, show=show_phone,
                 title=N_("Phone number"), expects=PHONE),
        Question("business_name", N_("What is the name of your business?"), parse_business_name,
                 N_("The name customers know your business by, for example \"Warung Makan Bu Sari\"."),
                 title=N_("Business name"), free_text=True),
        Question("sector", N_("What kind of business is it?"), parse_sector,
                 N_("Pick the group that fits best; reply with its number."),
                 choices=sector_labels, show=show_sector, clears=("sector_note",), title=N_("Kind of business"),
                 doubt=doubt_sector),
        Question("sector_note", N_("Describe your kind of business in a few words."), parse_sector_note,
                 N_("For example \"sablon kaos\" or \"budidaya ikan\"."),
                 applies=_is_other_sector, title=N_("Kind of business, described"), free_text=True),
        Question("kabupaten_code", N_("In which kabupaten or kota is your business?"), parse_business_kabupaten,
                 N_("Type the name (for example \"Kotim\" or \"Palangka Raya\") or its number from the list."),
                 choices=kabupaten_labels, show=show_place, clears=("kecamatan_code",), title=N_("Kabupaten/kota")),
        Question("kecamatan_code", N_("In which kecamatan?"), parse_business_kecamatan,
                 N_("Type the name of the kecamatan or its number from the list."),
                 choices=kecamatan_labels, show=show_place, title=N_("Kecamatan")),
        Question("address", N_("What is the business's address (street, number, village)?"), parse_address,
                 N_("For example \"Jl. Tjilik Riwut Km 5 No. 12, RT 03\"."), title=N_("Address"), free_text=True),
        Question("nib", N_("What is your NIB (Nomor Induk Berusaha, 13 digits)? If you have none yet, reply \"belum punya\"."),
                 parse_business_nib,
                 N_("The NIB comes from OSS (oss.go.id). Many small businesses have none yet; that is fine, reply \"belum punya\"."),
                 choices=lambda turn: [turn.text(N_("Not yet"))], show=show_nib, title=N_("NIB")),
        Question("year_started", N_("In which year did the business start?"), parse_year_started,
                 N_("Write the year, for example 2019."), title=N_("Year started"), doubt=doubt_year_started),
        Question("workers", N_("How many people work in the business, yourself included?"), parse_workers,
                 N_("Count everyone who works in it, paid or not, yourself included. Write a number, for example 3."),
                 show=show_number, title=N_("Workers"), doubt=doubt_workers),
        Question("modal_usaha", N_("How much capital (modal usaha) does the business have, not counting land and buildings?"),
                 parse_capital,
                 N_("Add up equipment, stock and cash for the business, without land and buildings. "
                    "For example \"15 juta\", \"2,5 jt\" or \"Rp 15.000.000\"."),
                 show=show_money, title=N_("Capital (modal usaha)"), doubt=doubt_capital),
        Question("monthly_turnover", N_("On average, how much does the business sell in a month (omzet)?"),
                 parse_monthly_turnover,
                 N_("Your sales in an ordinary month, before costs. For example \"3 juta\" or \"500rb\"."),
                 show=show_money, title=N_("Monthly turnover"), doubt=doubt_turnover),
    )

    def start(self, turn: Turn) -> list[Reply]:
        """A registered owner adding a business is not asked who they are again."""
        answers = turn.answers_of(self.name)
        if turn.state.owner_id is None:
            answers.pop(KNOWN_OWNER, None)  # erased since: who they are is needed again
        elif not answers:
            answers[KNOWN_OWNER] = True
        return super().start(turn)

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Remember a phone the channel vouched for when it was given; refusing consent ends it all."""
        if question.key == "phone" and value == turn.inbound.verified_phone:
            # A shared contact is vouched for only in its own message, not in the one that saves.
            turn.answers_of(self.name)[VERIFIED_PHONE] = value
        if question.key == "consent" and value is False:
            self.leave(turn)
            return [Reply(turn.text(N_("That's all right. Nothing about you has been stored. "
                                       "You can register at any time from the menu.")))]
        return None

    def review_footer(self, turn: Turn) -> str:
        answers = turn.answers
        found, annual = business_class(answers)
        return turn.text(N_("Business class: %(label)s, from its capital of %(modal)s and annual sales of about "
                            "%(annual)s (whichever gives the higher class counts)."),
                         label=turn.text(found.label), modal=turn.text.money(answers["modal_usaha"]),
                         annual=turn.text.money(annual))

    def complete(self, turn: Turn) -> list[Reply]:
        """Save the owner (if new) with their consent, and the business; give its number; ask about announcements
        if the owner never answered."""
        answers = turn.answers_of(self.name)
        owner_id = turn.state.owner_id
        if owner_id is None and not _is_new_owner(answers):
            # Erased from elsewhere since this registration began: start() asks who they are again.
            return [Reply(turn.text(N_("We need a few details about you again before saving."))), *self.start(turn)]
        if owner_id is None:
            consent = answers["consent"]
            try:
                owner_id = turn.registry.register_owner(owner_details(answers, turn), consent["version"],
                                                        datetime.fromisoformat(consent["at"]))
            except NikTaken:  # registered by someone else since it was checked
                del answers["nik"]
                return [Reply(turn.text(NIK_TAKEN)), *self.start(turn)]
        business = turn.registry.register_business(owner_id, business_details(answers))
        turn.state.owner_id = owner_id
        self.leave(turn)
        registered = Reply(turn.text(
            N_("Thank you! Your business is registered. Your registration number is %(number)s. "
               "Keep it for dealing with the Dinas."), number=business.registration_number))
        # Receiving announcements is asked apart, once the registration it does not depend on is saved.
        return [registered, *announcement_consent.start(turn)] if owes_an_answer(turn) else [registered]
