"""The self-assessment's arithmetic: score, level boundaries, weakest dimensions."""

import pytest

from domain.assessment import Dimension, Level, level
from flows.scoring import ITEMS, score, weakest


@pytest.mark.parametrize(("value", "expected"), [
    (0, Level.PEMULA), (39.9, Level.PEMULA), (40, Level.BERKEMBANG), (59.9, Level.BERKEMBANG),
    (60, Level.MANDIRI), (79.9, Level.MANDIRI), (80, Level.SIAP_NAIK_KELAS), (100, Level.SIAP_NAIK_KELAS),
])
def test_level_boundaries(value: float, expected: Level) -> None:
    assert level(value) is expected


def test_the_score_counts_only_the_items_answered() -> None:
    assert score({}) == 0
    assert score({"nib": 3, "halal": 0}) == 50
    assert score(dict.fromkeys((item.key for item in ITEMS if not item.food_only), 3)) == 100


def test_only_the_food_permit_is_for_food_businesses_alone() -> None:
    assert len(ITEMS) == 16
    assert [item.key for item in ITEMS if item.food_only] == ["izin_edar"]


def test_every_item_answers_from_fewest_points_to_most_within_zero_to_three() -> None:
    for item in ITEMS:
        points = [value for _label, value in item.answers]
        assert points == sorted(points) and points[0] == 0 and points[-1] == 3, item.key


def test_the_weakest_two_dimensions_by_share_of_their_points() -> None:
    points = {"nib": 3, "halal": 3, "pencatatan": 0, "uang_terpisah": 2, "online": 1, "non_tunai": 0,
              "tenaga_kerja": 2}
    assert weakest(points) == [Dimension.DIGITAL, Dimension.KEUANGAN]
