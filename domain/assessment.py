"""The self-assessment's dimensions and levels (DOMAIN.md): below 40 Pemula, 40-59 Berkembang, 60-79 Mandiri,
80 and above Siap Naik Kelas."""

from enum import StrEnum

from domain.msgid import N_

MAX_POINTS = 3  # each item scores 0 to 3


class Dimension(StrEnum):
    LEGALITAS = "legalitas"
    KEUANGAN = "keuangan"
    PASAR = "pasar"
    DIGITAL = "digital"
    PRODUK = "produk"
    SDM = "sdm"

    @property
    def label(self) -> str:
        """The dimension in plain words, for "your weakest areas are …"."""
        return _DIMENSION_LABELS[self]


_DIMENSION_LABELS = {
    Dimension.LEGALITAS: N_("permits and legal standing"),
    Dimension.KEUANGAN: N_("bookkeeping and finance"),
    Dimension.PASAR: N_("sales and markets"),
    Dimension.DIGITAL: N_("selling and paying online"),
    Dimension.PRODUK: N_("product quality and packaging"),
    Dimension.SDM: N_("people and skills"),
}


class Level(StrEnum):
    PEMULA = "pemula"
    BERKEMBANG = "berkembang"
    MANDIRI = "mandiri"
    SIAP_NAIK_KELAS = "siap_naik_kelas"

    @property
    def label(self) -> str:
        return _LEVEL_LABELS[self]


_LEVEL_LABELS = {
    Level.PEMULA: N_("Pemula (starting out)"),
    Level.BERKEMBANG: N_("Berkembang (growing)"),
    Level.MANDIRI: N_("Mandiri (standing on its own)"),
    Level.SIAP_NAIK_KELAS: N_("Siap Naik Kelas (ready to move up a class)"),
}
LEVELS = tuple(Level)  # lowest first
# The lowest score of each level, highest first.
_LEVEL_FLOORS = ((80, Level.SIAP_NAIK_KELAS), (60, Level.MANDIRI), (40, Level.BERKEMBANG), (0, Level.PEMULA))



def level(value: float) -> Level:
    """The level of a score from 0 to 100."""
    return next(found for floor, found in _LEVEL_FLOORS if value >= floor)
