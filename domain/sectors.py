"""The short menu of kinds of business owners pick from, the KBLI category behind each, and the words owners use
for them."""

from dataclasses import dataclass

from domain.msgid import N_

OTHER = "lainnya"
FOOD_SECTORS = frozenset({"kuliner", "olahan"})  # they sell food: asked about food permits, told about halal


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
SECTOR_KEYS = tuple(sector.key for sector in SECTORS)
SECTOR_BY_KEY = {sector.key: sector for sector in SECTORS}
# What owners say their business does, for each group of the menu; a phrase of several words ("warung makan")
# outweighs its words ("warung" alone is a shop).
SECTOR_WORDS = {
    "kuliner": frozenset("makan makanan minum minuman kopi bakso soto mie kue roti warkop catering katering "
                         "kuliner jajanan snack gorengan nasi ayam sate pentol es jus".split())
    | {"rumah makan", "warung makan", "warung mkn", "rumah mkn", "warung kopi", "kedai kopi"},
    "fesyen": frozenset("batik tenun baju pakaian busana konveksi fashion fesyen kain sasirangan".split()),
    "kriya": frozenset("rotan anyaman purun ukiran ukir kerajinan souvenir manik getah nyatu kriya".split()),
    "warung": frozenset("warung toko kelontong sembako pulsa jual dagang grosir kios minimarket".split()),
    "jasa": frozenset("bengkel salon jahit penjahit laundry cukur pangkas servis service las fotokopi "
                      "rental cuci jasa".split()),
    "olahan": frozenset("kerupuk amplang keripik asin olahan madu abon terasi ikan tani".split()),
    "wisata": frozenset("homestay penginapan hotel wisata losmen travel".split()) | {"guest house"},
    # Farming itself is none of the groups above: "budidaya ikan" is farming fish, or processing it?
    OTHER: frozenset("budidaya ternak peternakan kebun perkebunan tambak sawit karet".split()),
}
_LONGEST_PHRASE = max(len(phrase.split()) for phrases in SECTOR_WORDS.values() for phrase in phrases)


def sectors_named(words: list[str]) -> tuple[list[str], int]:
    """The sectors these words name, in menu order, and how many of the words name none (a sentence has many);
    the longest phrase at each place counts, so "warung makan" is food, not a shop."""
    named: set[str] = set()
    unnamed = 0
    position = 0
    while position < len(words):
        for length in range(min(_LONGEST_PHRASE, len(words) - position), 0, -1):
            phrase = " ".join(words[position:position + length])
            keys = {key for key, phrases in SECTOR_WORDS.items() if phrase in phrases}
            if keys:
                named |= keys
                position += length
                break
        else:
            unnamed += 1
            position += 1
    return [sector.key for sector in SECTORS if sector.key in named], unnamed


def kbli_of(key: str) -> str:
    return SECTOR_BY_KEY[key].kbli


def is_other(key: str | None) -> bool:
    """"Lainnya": the owner describes the business in their own words."""
    return key == OTHER
