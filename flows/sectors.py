"""The short menu of kinds of business owners pick from, and the KBLI category behind each."""

from dataclasses import dataclass

from flows.engine import Suggest, Turn
from flows.i18n import N_, Text
from flows.parsing import Invalid, parse_choice
from store.regions import normalise_name

OTHER = "lainnya"


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
    Sector(OTHER, N_("Other"), "-"),
)
_SECTOR_BY_KEY = {sector.key: sector for sector in SECTORS}
# What owners say their business does, for each group of the menu.
SECTOR_WORDS = {
    "kuliner": frozenset("makan makanan minum minuman kopi bakso soto mie kue roti warkop catering katering "
                         "kuliner jajanan snack gorengan nasi ayam sate pentol es jus rumah makan".split()),
    "fesyen": frozenset("batik tenun baju pakaian busana konveksi fashion fesyen kain sasirangan".split()),
    "kriya": frozenset("rotan anyaman purun ukiran ukir kerajinan souvenir manik getah nyatu kriya".split()),
    "warung": frozenset("warung toko kelontong sembako pulsa jual dagang grosir kios minimarket".split()),
    "jasa": frozenset("bengkel salon jahit penjahit laundry cukur pangkas servis service las fotokopi "
                      "rental cuci jasa".split()),
    "olahan": frozenset("kerupuk amplang keripik asin olahan madu abon terasi ikan tani".split()),
    "wisata": frozenset("homestay penginapan hotel wisata losmen guest house travel".split()),
}


def sector_labels(turn: Turn) -> list[str]:
    return [turn.text(sector.label) for sector in SECTORS]


def parse_sector(text: str, turn: Turn) -> str:
    """A sector by number or name, or by what the business does: "bakso", "bengkel motor", "laundry"."""
    labels = sector_labels(turn)
    try:
        return SECTORS[parse_choice(text, labels)].key
    except Invalid:
        words = set(normalise_name(text).split())
        found = [index for index, sector in enumerate(SECTORS) if words & SECTOR_WORDS.get(sector.key, frozenset())]
        if len(found) == 1:
            return SECTORS[found[0]].key
        if found:
            raise Suggest(N_("Which one do you mean? Reply with its number."), found) from None
        raise


def sector_words(key: str, text: Text) -> str:
    """A kind of business in words; a key the menu no longer has (an old announcement's), as it is."""
    sector = _SECTOR_BY_KEY.get(key)
    return text(sector.label) if sector is not None else key


def show_sector(key: str, turn: Turn) -> str:
    return sector_words(key, turn.text)


def kbli_of(key: str) -> str:
    return _SECTOR_BY_KEY[key].kbli


def is_other(key: str | None) -> bool:
    """"Lainnya": the owner describes the business in their own words."""
    return key == OTHER
