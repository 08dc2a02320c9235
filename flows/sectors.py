"""The kind of business: the sector question's choices, reading and showing."""

from domain.invalid import Invalid
from domain.msgid import N_
from domain.sectors import SECTOR_BY_KEY, SECTOR_KEYS, SECTORS, sectors_named
from domain.text import normalise_name
from flows.engine import Suggest, Turn
from flows.i18n import Text
from flows.parsing import parse_choice


def sector_labels(turn: Turn) -> list[str]:
    return [turn.text(sector.label) for sector in SECTORS]


def parse_sector(text: str, turn: Turn) -> str:
    """A sector by number or name, or by what the business does: "bakso", "bengkel motor", "laundry"."""
    labels = sector_labels(turn)
    try:
        return SECTORS[parse_choice(text, labels)].key
    except Invalid:
        keys, _unnamed = sectors_named(normalise_name(text).split())
        found = [SECTOR_KEYS.index(key) for key in keys]
        if len(found) == 1:
            return SECTORS[found[0]].key
        if found:
            raise Suggest(N_("Which one do you mean? Reply with its number."), found) from None
        raise


def sector_words(key: str, text: Text) -> str:
    """A kind of business in words; a key the menu no longer has (an old announcement's), as it is."""
    sector = SECTOR_BY_KEY.get(key)
    return text(sector.label) if sector is not None else key


def show_sector(key: str, turn: Turn) -> str:
    return sector_words(key, turn.text)
