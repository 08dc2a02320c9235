"""Registering a business: consent, the owner, the business, its money, then review and save."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flows.classification import BusinessClass, classify
from flows.engine import Question, QuestionFlow, Suggest, Turn
from flows.i18n import N_
from flows.messages import Reply
from flows.parsing import (
    Ambiguous, Invalid, clean, mask_nik, parse_choice, parse_kabupaten, parse_kecamatan,
    parse_nib, parse_nik, parse_phone, parse_rupiah, parse_whole_number, parse_year,
    parse_yes_no,
)
from store.registry import NewRegistration
from store.regions import kabupaten_list, kecamatan_of, region

CONSENT_VERSION = "registration-v1"
MAX_NAME = 100
MAX_ADDRESS = 300


@dataclass(frozen=True)
class Sector:
    key: str
    label: str  # msgid
    kbli: str  # KBLI 2020 top-level category behind the menu entry


SECTORS = (
    Sector("kuliner", N_("Food and drink (kuliner)"), "I"),
    Sector("fesyen", N_("Fashion, tenun and batik"), "C"),
    Sector("kriya", N_("Crafts: rattan, purun weaving, carving"), "C"),
    Sector("warung", N_("Shop or kiosk (warung, toko)"), "G"),
    Sector("jasa", N_("Services: salon, repair shop, tailoring"), "S"),
    Sector("olahan", N_("Processed farm and fish products"), "C"),
    Sector("wisata", N_("Tourism and lodging"), "I"),
    Sector("lainnya", N_("Other"), "-"),
)
_SECTOR_BY_KEY = {sector.key: sector for sector in SECTORS}


def parse_consent(text: str, turn: Turn) -> str | bool:
    """Agreeing stores when it happened, the proof the law asks for; refusing stores False."""
    return turn.now.isoformat() if parse_yes_no(text) else False


def parse_person_name(text: str, _turn: Turn) -> str:
    return _parse_name(text, N_("Please write your full name, in letters."))


def parse_business_name(text: str, _turn: Turn) -> str:
    return _parse_name(text, N_("Please write the name of your business."))


def _parse_name(text: str, reason: str) -> str:
    name = clean(text)
    if not any(character.isalpha() for character in name):
        raise Invalid(reason)
    if len(name) > MAX_NAME:
        raise Invalid(N_("That is too long: at most %(limit)s characters, please."), limit=MAX_NAME)
    return name


def parse_owner_nik(text: str, turn: Turn) -> str:
    return parse_nik(text, today=turn.today)


def parse_business_phone(text: str, turn: Turn) -> str:
    """A number the channel vouches for is confirmed with "ya"; otherwise a number is typed."""
    known = turn.inbound.verified_phone
    if known and not any(character.isdigit() for character in text):
        if parse_yes_no(text):
            return known
        raise Invalid(N_("Then please type the phone number to use, for example 0812 3456 7890."))
    return parse_phone(text)


def phone_prompt(turn: Turn) -> str:
    if turn.inbound.verified_phone:
        return N_("Is %(phone)s the phone number of your business? Reply \"ya\" or type another number.")
    return N_("What is the phone number of your business?")


def phone_prompt_params(turn: Turn) -> dict[str, object]:
    return {"phone": turn.inbound.verified_phone or ""}


def business_class(answers: dict[str, Any]) -> tuple[BusinessClass, int]:
    """The class PP 7/2021 gives these answers, and the annual sales it was judged on."""
    annual = answers["turnover"] * 12
    return classify(answers["modal"], annual), annual


def sector_labels(turn: Turn) -> list[str]:
    return [turn.text(sector.label) for sector in SECTORS]


def parse_sector(text: str, turn: Turn) -> str:
    return SECTORS[parse_choice(text, sector_labels(turn))].key


def parse_sector_other(text: str, _turn: Turn) -> str:
    return _parse_name(text, N_("Please describe your kind of business in a few words."))


def kabupaten_labels(_turn: Turn) -> list[str]:
    return [place.short_name for place in kabupaten_list()]


def parse_business_kabupaten(text: str, _turn: Turn) -> str:
    try:
        return parse_kabupaten(text).code
    except Ambiguous as unclear:
        raise _suggest(unclear, kabupaten_list()) from None


def kecamatan_labels(turn: Turn) -> list[str]:
    kabupaten = turn.answers_of(Registration.name)["kabupaten"]
    return [place.name for place in kecamatan_of(kabupaten)]


def parse_business_kecamatan(text: str, turn: Turn) -> str:
    kabupaten = turn.answers_of(Registration.name)["kabupaten"]
    try:
        return parse_kecamatan(text, kabupaten).code
    except Ambiguous as unclear:
        raise _suggest(unclear, kecamatan_of(kabupaten)) from None


def _suggest(unclear: Ambiguous, places: tuple[Any, ...]) -> Suggest:
    codes = [place.code for place in places]
    indexes = [codes.index(candidate.code) for candidate in unclear.candidates if candidate.code in codes]
    return Suggest(N_("Which one do you mean? Reply with its number."), indexes)


def parse_address(text: str, _turn: Turn) -> str:
    address = clean(text)
    if sum(character.isalnum() for character in address) < 5:
        raise Invalid(N_("Please write the address: street, number, RT/RW or village."))
    if len(address) > MAX_ADDRESS:
        raise Invalid(N_("That is too long: at most %(limit)s characters, please."), limit=MAX_ADDRESS)
    return address


def parse_business_nib(text: str, _turn: Turn) -> str | None:
    return parse_nib(text)


def parse_year_started(text: str, turn: Turn) -> int:
    return parse_year(text, today=turn.today)


def parse_workers(text: str, _turn: Turn) -> int:
    return parse_whole_number(text, minimum=1, maximum=100_000)


def parse_amount(text: str, _turn: Turn) -> int:
    return parse_rupiah(text)


def show_place(code: str, _turn: Turn) -> str:
    return region(code).name


def show_sector(key: str, turn: Turn) -> str:
    return turn.text(_SECTOR_BY_KEY[key].label)


def show_nib(nib: str | None, turn: Turn) -> str:
    return nib or turn.text(N_("Not yet"))


def show_money(amount: int, turn: Turn) -> str:
    return turn.text.money(amount)


def show_number(value: int, turn: Turn) -> str:
    return turn.text.number(value)


def show_nik(nik: str, _turn: Turn) -> str:
    return mask_nik(nik)


def _is_other_sector(answers: dict[str, Any]) -> bool:
    return answers.get("sector") == "lainnya"


class Registration(QuestionFlow):
    """Register an owner's business in the registry."""

    name = "registration"
    review = True
    cancel_prompt = N_("Cancel the registration and delete the answers given so far?")
    cancelled_message = N_("Registration cancelled. Nothing was saved.")
    questions = (
        Question(
            "consent",
            N_("Before we start: the Dinas Koperasi dan UKM Provinsi Kalimantan Tengah will record "
               "your name, NIK, phone number and your business's details (place, NIB, capital, "
               "turnover) to register your business in the provincial UMKM registry and to offer "
               "you suitable programmes. This is based on your consent (UU No. 27 Tahun 2022 on "
               "personal data protection). Your data is kept while your business is registered and "
               "deleted when you ask. At any time you can see your data (\"data saya\"), correct it, "
               "or delete it (\"hapus data saya\").\n\nDo you agree?"),
            parse_consent,
            N_("Reply \"ya\" if you agree that your data is recorded for the registry, or \"tidak\". "
               "If you do not agree, nothing is stored."),
            choices=lambda turn: [turn.text(N_("Yes, I agree")), turn.text(N_("No"))],
            show=lambda _agreed, turn: turn.text(N_("Yes, I agree")),
            counted=False,
        ),
        Question("owner_name", N_("What is your full name (as on your KTP)?"), parse_person_name,
                 N_("Write your full name as it appears on your identity card (KTP)."),
                 title=N_("Owner's name")),
        Question("nik", N_("What is your NIK (the 16-digit number on your KTP)?"), parse_owner_nik,
                 N_("The NIK is the 16-digit number at the top of your KTP or on your family card (KK)."),
                 show=show_nik, title=N_("NIK")),
        Question("phone", phone_prompt, parse_business_phone,
                 N_("We use this number to contact you about your business. Write it like 0812 3456 7890."),
                 prompt_params=phone_prompt_params, title=N_("Phone number")),
        Question("business_name", N_("What is the name of your business?"), parse_business_name,
                 N_("The name customers know your business by, for example \"Warung Makan Bu Sari\"."),
                 title=N_("Business name")),
        Question("sector", N_("What kind of business is it?"), parse_sector,
                 N_("Pick the group that fits best; reply with its number."),
                 choices=sector_labels, show=show_sector, clears=("sector_other",), title=N_("Kind of business")),
        Question("sector_other", N_("Describe your kind of business in a few words."), parse_sector_other,
                 N_("For example \"sablon kaos\" or \"budidaya ikan\"."),
                 applies=_is_other_sector, title=N_("Kind of business, described")),
        Question("kabupaten", N_("In which kabupaten or kota is your business?"), parse_business_kabupaten,
                 N_("Type the name (for example \"Kotim\" or \"Palangka Raya\") or its number from the list."),
                 choices=kabupaten_labels, show=show_place, clears=("kecamatan",), title=N_("Kabupaten/kota")),
        Question("kecamatan", N_("In which kecamatan?"), parse_business_kecamatan,
                 N_("Type the name of the kecamatan or its number from the list."),
                 choices=kecamatan_labels, show=show_place, title=N_("Kecamatan")),
        Question("address", N_("What is the business's address (street, number, village)?"), parse_address,
                 N_("For example \"Jl. Tjilik Riwut Km 5 No. 12, RT 03\"."), title=N_("Address")),
        Question("nib", N_("What is your NIB (Nomor Induk Berusaha, 13 digits)? If you have none yet, reply \"belum punya\"."),
                 parse_business_nib,
                 N_("The NIB comes from OSS (oss.go.id). Many small businesses have none yet; that is fine, reply \"belum punya\"."),
                 choices=lambda turn: [turn.text(N_("Not yet"))], show=show_nib, title=N_("NIB")),
        Question("year_started", N_("In which year did the business start?"), parse_year_started,
                 N_("Write the year, for example 2019."), title=N_("Year started")),
        Question("workers", N_("How many people work in the business, yourself included?"), parse_workers,
                 N_("Count everyone who works in it, paid or not, yourself included. Write a number, for example 3."),
                 show=show_number, title=N_("Workers")),
        Question("modal", N_("How much capital (modal usaha) does the business have, not counting land and buildings?"),
                 parse_amount,
                 N_("Add up equipment, stock and cash for the business, without land and buildings. "
                    "For example \"15 juta\", \"2,5 jt\" or \"Rp 15.000.000\"."),
                 show=show_money, title=N_("Capital (modal usaha)")),
        Question("turnover", N_("On average, how much does the business sell in a month (omzet)?"),
                 parse_amount,
                 N_("Your sales in an ordinary month, before costs. For example \"3 juta\" or \"500rb\"."),
                 show=show_money, title=N_("Monthly turnover")),
    )

    def answered(self, turn: Turn, question: Question, value: Any) -> list[Reply] | None:
        """Refusing consent ends the registration with nothing stored."""
        if question.key == "consent" and value is False:
            self.leave(turn)
            return [Reply(turn.text(N_("That's all right. Nothing about you has been stored. "
                                       "Type \"menu\" whenever you want to start again.")))]
        return None

    def review_footer(self, turn: Turn) -> str:
        found, annual = business_class(turn.answers_of(self.name))
        return turn.text(N_("Business class: %(label)s (annual sales about %(annual)s)."),
                         label=turn.text(found.label), annual=turn.text.money(annual))

    def complete(self, turn: Turn) -> list[Reply]:
        """Save owner, consent and business together, and give the registration number."""
        answers = turn.answers_of(self.name)
        sector = _SECTOR_BY_KEY[answers["sector"]]
        found, annual = business_class(answers)
        business = turn.registry.register_business(turn.state.owner_id, NewRegistration(
            owner_name=answers["owner_name"],
            nik=answers["nik"],
            phone=answers["phone"],
            phone_verified=answers["phone"] == turn.inbound.verified_phone,
            business_name=answers["business_name"],
            sector=sector.key,
            sector_note=answers.get("sector_other"),
            kbli_category=sector.kbli,
            kabupaten_code=answers["kabupaten"],
            kecamatan_code=answers["kecamatan"],
            address=answers["address"],
            nib=answers["nib"],
            year_started=answers["year_started"],
            workers=answers["workers"],
            modal_usaha=answers["modal"],
            monthly_turnover=answers["turnover"],
            annual_turnover=annual,
            business_class=found.value,
            consent_version=CONSENT_VERSION,
            consent_answered_at=datetime.fromisoformat(answers["consent"]),
        ))
        turn.state.owner_id = business.owner_id
        self.leave(turn)
        return [Reply(turn.text(
            N_("Thank you! Your business is registered. Your registration number is %(number)s. "
               "Keep it for dealing with the Dinas."), number=business.registration_number))]
