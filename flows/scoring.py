"""The self-assessment's arithmetic (DOMAIN.md): points per answer, the score, the level, the weakest dimensions.

Each item scores 0-3; items that do not apply (a food permit for a business that sells no food)
are left out. Score = 100 x points / (3 x items answered). Levels: below 40 Pemula, 40-59
Berkembang, 60-79 Mandiri, 80 and above Siap Naik Kelas.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from domain.assessment import MAX_POINTS, Dimension
from domain.msgid import N_


@dataclass(frozen=True, slots=True)
class Item:
    """One question of the assessment and the points each of its answers is worth."""

    key: str
    dimension: Dimension
    question: str  # msgid
    answers: tuple[tuple[str, int], ...]  # (msgid, points), from the fewest points to the most
    advice: str  # msgid: one concrete next step for a business short of full points here
    food_only: bool = False


ITEMS: tuple[Item, ...] = (
    Item("nib", Dimension.LEGALITAS, N_("Does the business have an NIB from OSS?"),
         ((N_("Not yet"), 0), (N_("Being processed"), 1), (N_("Yes, it has one"), 3)),
         N_("Get your NIB for free at oss.go.id; the Serbu NIB programme helps you through it.")),
    Item("izin_edar", Dimension.LEGALITAS, N_("Does your food product have a distribution permit?"),
         ((N_("Not yet"), 0), (N_("SPP-IRT"), 2), (N_("BPOM MD"), 3)),
         N_("Register your food product for an SPP-IRT at your kabupaten's Dinas Kesehatan."), food_only=True),
    Item("halal", Dimension.LEGALITAS, N_("Do your products have a halal certificate?"),
         ((N_("Not yet"), 0), (N_("Registering now"), 1), (N_("Yes, certified"), 3)),
         N_("Apply for halal certification; it is free for micro businesses through the SEHATI programme.")),
    Item("merek", Dimension.LEGALITAS, N_("Is your brand registered at DJKI?"),
         ((N_("Not yet"), 0), (N_("Applied"), 2), (N_("Registered"), 3)),
         N_("Register your brand at DJKI (merek.dgip.go.id) so nobody can copy it.")),
    Item("pencatatan", Dimension.KEUANGAN, N_("Do you keep the business's books?"),
         ((N_("No"), 0), (N_("Sometimes"), 1), (N_("Regularly, by hand"), 2),
          (N_("In an app or spreadsheet, with a monthly profit and loss"), 3)),
         N_("Write down every sale and expense each day, and add them up into a simple profit and loss each month.")),
    Item("uang_terpisah", Dimension.KEUANGAN, N_("Is the business's money kept apart from the family's?"),
         ((N_("No"), 0), (N_("Partly"), 2), (N_("In its own bank account"), 3)),
         N_("Open a bank account for the business and keep its money apart from the family's.")),
    Item("pembiayaan", Dimension.KEUANGAN, N_("Have you used formal financing (KUR, a bank, a cooperative)?"),
         ((N_("No, and I do not know how"), 0), (N_("I am interested"), 1), (N_("I have applied"), 2),
          (N_("I have or had one, paid on time"), 3)),
         N_("Ask a bank about KUR: it needs a business running for 6 months and an NIB or a business letter from the village.")),
    Item("omzet_tren", Dimension.PASAR, N_("How are your sales compared with last year?"),
         ((N_("Down"), 0), (N_("The same"), 1), (N_("Up"), 3)),
         N_("Note which products sell best and offer them to your regular customers first.")),
    Item("wilayah", Dimension.PASAR, N_("Where do you sell?"),
         ((N_("In my village"), 0), (N_("In my kabupaten"), 1), (N_("In other kabupaten or provinces"), 2),
          (N_("Outside Kalimantan, or abroad"), 3)),
         N_("Place your products in souvenir shops and join fairs such as the Palangka Raya Fair.")),
    Item("online", Dimension.DIGITAL, N_("Do you sell online?"),
         ((N_("No"), 0), (N_("On WhatsApp"), 1), (N_("Active on social media"), 2),
          (N_("On a marketplace or website"), 3)),
         N_("Open a business account on social media or a marketplace and post photos of your products.")),
    Item("non_tunai", Dimension.DIGITAL, N_("How do customers pay you?"),
         ((N_("Cash only"), 0), (N_("Bank transfer too"), 2), (N_("QRIS too"), 3)),
         N_("Ask your bank for a QRIS code so customers can pay without cash.")),
    Item("kemasan", Dimension.PRODUK, N_("How are your products packed and labelled?"),
         ((N_("No packaging"), 0), (N_("Plain packaging"), 1), (N_("A label with ingredients and expiry date"), 2),
          (N_("A full label with brand and barcode"), 3)),
         N_("Put a label on your products with the name, ingredients and expiry date.")),
    Item("sop", Dimension.PRODUK, N_("Do you have quality standards or an SOP?"),
         ((N_("No"), 0), (N_("Yes, not written down"), 1), (N_("A written SOP"), 2),
          (N_("A written SOP, and tests or certification"), 3)),
         N_("Write down the steps of your work (an SOP) so every product comes out the same.")),
    Item("kapasitas", Dimension.PRODUK, N_("Could you fill twice your usual orders within a week?"),
         ((N_("No"), 0), (N_("With difficulty"), 1), (N_("With extra workers"), 2), (N_("Yes, we could"), 3)),
         N_("Plan where extra materials and helpers would come from for a large order.")),
    Item("tenaga_kerja", Dimension.SDM, N_("Who works in the business?"),
         ((N_("Only me"), 0), (N_("Unpaid family"), 1), (N_("1 to 4 paid workers"), 2),
          (N_("5 or more, or workers with BPJS Ketenagakerjaan"), 3)),
         N_("Register your workers with BPJS Ketenagakerjaan.")),
    Item("pelatihan", Dimension.SDM, N_("How many trainings have you attended in the last 2 years?"),
         ((N_("None"), 0), (N_("One"), 1), (N_("Two or more"), 2), (N_("Two or more, with a certificate"), 3)),
         N_("Join a training of the Dinas: type \"program\" to see those open to you.")),
)


def score(points: Mapping[str, int]) -> float:
    """100 x points / (3 x items answered); 0 before any answer."""
    if not points:
        return 0.0
    return 100 * sum(points.values()) / (MAX_POINTS * len(points))


def shown_score(value: float) -> int:
    """A score as shown: rounded down, so 59.9 reads 59 and matches its level, Berkembang."""
    return math.floor(value)


def _points_by_dimension(points: Mapping[str, int]) -> dict[Dimension, list[int]]:
    by_key = {item.key: item for item in ITEMS}
    shares: dict[Dimension, list[int]] = {}
    for key, value in points.items():
        shares.setdefault(by_key[key].dimension, []).append(value)
    return shares


def dimension_scores(points: Mapping[str, int]) -> dict[str, float]:
    """Each answered dimension's share of its possible points, 0 to 100, as the dashboard averages them."""
    return {dimension.value: 100 * sum(values) / (MAX_POINTS * len(values))
            for dimension, values in _points_by_dimension(points).items()}


def weakest(points: Mapping[str, int], count: int = 2) -> list[Dimension]:
    """The dimensions with the smallest share of their possible points, ties in the order DOMAIN.md lists
    them; a dimension with full points is nobody's weakness."""
    shares = _points_by_dimension(points)
    order = list(Dimension)
    short = [dimension for dimension, values in shares.items() if sum(values) < MAX_POINTS * len(values)]
    ranked = sorted(short, key=lambda dimension: (sum(shares[dimension]) / len(shares[dimension]),
                                                  order.index(dimension)))
    return ranked[:count]
