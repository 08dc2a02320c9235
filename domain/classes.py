"""Business class by PP No. 7 Tahun 2021 Pasal 35: the higher of the class by capital and by sales."""

from enum import StrEnum

from domain.msgid import N_

MILIAR = 1_000_000_000
MONTHS_PER_YEAR = 12  # owners think in monthly turnover; PP 7/2021 classes by annual sales


class BusinessClass(StrEnum):
    MIKRO = "mikro"
    KECIL = "kecil"
    MENENGAH = "menengah"
    BESAR = "besar"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    BusinessClass.MIKRO: N_("Micro business (Usaha Mikro)"),
    BusinessClass.KECIL: N_("Small business (Usaha Kecil)"),
    BusinessClass.MENENGAH: N_("Medium business (Usaha Menengah)"),
    BusinessClass.BESAR: N_("Large business (Usaha Besar, not UMKM)"),
}

# Upper bounds, inclusive: (class, modal usaha excluding land and buildings, annual sales).
_CEILINGS = (
    (BusinessClass.MIKRO, 1 * MILIAR, 2 * MILIAR),
    (BusinessClass.KECIL, 5 * MILIAR, 15 * MILIAR),
    (BusinessClass.MENENGAH, 10 * MILIAR, 50 * MILIAR),
)
_ORDER = list(BusinessClass)
UMKM_CLASSES = (BusinessClass.MIKRO, BusinessClass.KECIL, BusinessClass.MENENGAH)  # above them is not UMKM


def _class_by(amount: int, column: int) -> BusinessClass:
    for ceiling in _CEILINGS:
        if amount <= ceiling[column]:
            return ceiling[0]
    return BusinessClass.BESAR


def classify(modal_usaha: int, annual_sales: int) -> BusinessClass:
    """The class of a business: whichever of its capital and its sales puts it higher."""
    return max(_class_by(modal_usaha, 1), _class_by(annual_sales, 2), key=_ORDER.index)


def classify_monthly(modal_usaha: int, monthly_turnover: int) -> tuple[BusinessClass, int]:
    """The class of a business whose owner gave its turnover per month, and the annual sales it was judged on."""
    annual = monthly_turnover * MONTHS_PER_YEAR
    return classify(modal_usaha, annual), annual


# Workers each class usually has, by BPS's count of people engaged (mikro 1-4, kecil 5-19, menengah 20-99):
# PP 7/2021 classes by money, so a count far above its class's is more likely a slip than a fact, and is asked.
MOST_WORKERS = {BusinessClass.MIKRO: 4, BusinessClass.KECIL: 19, BusinessClass.MENENGAH: 99}
UMKM_MOST_WORKERS = MOST_WORKERS[BusinessClass.MENENGAH]
