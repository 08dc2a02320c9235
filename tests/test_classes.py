"""Business class by PP 7/2021 at exactly its boundaries."""

import pytest

from domain.classes import MILIAR, BusinessClass, classify

JUTA = 1_000_000


@pytest.mark.parametrize(("modal", "annual_sales", "expected"), [
    (0, 0, BusinessClass.MIKRO),
    (1 * MILIAR, 0, BusinessClass.MIKRO),
    (1 * MILIAR + 1, 0, BusinessClass.KECIL),
    (0, 2 * MILIAR, BusinessClass.MIKRO),
    (0, 2 * MILIAR + 1, BusinessClass.KECIL),
    (5 * MILIAR, 0, BusinessClass.KECIL),
    (5 * MILIAR + 1, 0, BusinessClass.MENENGAH),
    (0, 15 * MILIAR, BusinessClass.KECIL),
    (0, 15 * MILIAR + 1, BusinessClass.MENENGAH),
    (10 * MILIAR, 0, BusinessClass.MENENGAH),
    (10 * MILIAR + 1, 0, BusinessClass.BESAR),
    (0, 50 * MILIAR, BusinessClass.MENENGAH),
    (0, 50 * MILIAR + 1, BusinessClass.BESAR),
    # the higher of the two measures decides, whichever it is
    (15 * JUTA, 16 * MILIAR, BusinessClass.MENENGAH),
    (6 * MILIAR, 30 * JUTA, BusinessClass.MENENGAH),
    (2 * MILIAR, 3 * MILIAR, BusinessClass.KECIL),
])
def test_classify(modal: int, annual_sales: int, expected: BusinessClass) -> None:
    assert classify(modal, annual_sales) is expected
