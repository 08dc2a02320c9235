"""The words users read: gettext catalogs from locales/, and money and dates formatted by Babel."""

import gettext
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

import locales
from domain.msgid import N_
from domain.wib import in_wib

LOCALES = Path(locales.__file__).resolve().parent
DOMAIN = "messages"
DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")
_BABEL_LOCALES = {"id": "id_ID", "en": "en_ID"}


@cache
def catalog(language: str) -> gettext.NullTranslations:
    """The compiled catalog of a language, as gettext and Jinja2 use it."""
    found = Translations.load(str(LOCALES), [language], DOMAIN)
    if not isinstance(found, Translations):  # Babel falls back to English msgids silently
        raise FileNotFoundError(f"no compiled catalog for {language!r} in {LOCALES}: run `make catalogs`")
    return found


class Text:
    """Everything language-specific about what one owner reads."""

    def __init__(self, language: str = DEFAULT_LANGUAGE) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE
        self._catalog = catalog(self.language)
        self._locale = _BABEL_LOCALES[self.language]

    def __call__(self, message: str, **params: object) -> str:
        """Translate a msgid and fill its %(name)s placeholders."""
        translated = self._catalog.gettext(message)
        return translated % params if params else translated

    def money(self, amount: int) -> str:
        """Rupiah as people write it: Rp2.500.000."""
        return format_currency(amount, "IDR", format="¤#,##0", locale=self._locale,
                               currency_digits=False).replace("IDR", "Rp")

    def number(self, value: int) -> str:
        return format_decimal(value, locale=self._locale)

    def date(self, day: date) -> str:
        """A date with its weekday: Senin, 25 Juli 2022."""
        return format_date(day, "EEEE, d MMMM y", locale=self._locale)

    def join(self, items: list[str]) -> str:
        """"a, b dan c", as the language lists things."""
        return format_list(items, locale=self._locale)

    def time(self, moment: datetime) -> str:
        """The time of day in WIB: 09.00."""
        return format_time(in_wib(moment), "HH.mm", locale=self._locale)

    def moment(self, moment: datetime) -> str:
        """A moment in WIB as people read it: Selasa, 3 Februari 2026 pukul 09.00 WIB."""
        return self(N_("%(date)s at %(time)s WIB"), date=self.date(in_wib(moment).date()), time=self.time(moment))
