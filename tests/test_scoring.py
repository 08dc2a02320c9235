"""The self-assessment's items and arithmetic: the words owners answer with, score, levels, weakest dimensions."""

import pytest

from domain.assessment import Dimension, Level, level
from domain.invalid import Invalid
from domain.sectors import SECTOR_KEYS
from flows.assessment import NOT_APPLICABLE, NOT_APPLICABLE_LABEL, offers_not_applicable, points_of, read_answer
from flows.engine import Suggest
from flows.i18n import Text
from flows.scoring import ITEM_BY_KEY, ITEMS, dimension_scores, score, weakest

ID = Text("id")


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


def test_every_answer_has_the_words_owners_use_for_it() -> None:
    for item in ITEMS:
        assert len(item.words) == len(item.answers) and all(item.words), item.key


def test_the_weakest_two_dimensions_by_share_of_their_points() -> None:
    points = {"nib": 3, "halal": 3, "pencatatan": 0, "uang_terpisah": 2, "online": 1, "non_tunai": 0,
              "tenaga_kerja": 2}
    assert weakest(points) == [Dimension.DIGITAL, Dimension.KEUANGAN]


# Which sectors are offered "Tidak berlaku" where: halal is for food, packaging for those who sell goods, and the
# food permit (asked of food businesses only) not for ready meals.
@pytest.mark.parametrize(("key", "sectors"), [
    ("halal", {"fesyen", "kriya", "warung", "jasa", "wisata", "lainnya"}),
    ("kemasan", {"jasa", "wisata", "lainnya"}),
    ("izin_edar", {"kuliner"}),
    *((item.key, set()) for item in ITEMS if item.key not in ("halal", "kemasan", "izin_edar")),
])
def test_tidak_berlaku_is_offered_where_an_item_may_not_fit_the_sector(key: str, sectors: set[str]) -> None:
    assert {sector for sector in SECTOR_KEYS if offers_not_applicable(ITEM_BY_KEY[key], sector)} == sectors


def test_items_left_out_count_neither_in_the_score_nor_in_their_dimension() -> None:
    # A bag maker: halal "tidak berlaku"; the food permit, answered before the business was changed, is not asked.
    answers = {"_sector": "kriya", "nib": 2, "halal": NOT_APPLICABLE, "izin_edar": 2, "merek": 0, "pencatatan": 3,
               "kemasan": 1}
    points = points_of(answers)
    assert points == {"nib": 3, "merek": 0, "pencatatan": 3, "kemasan": 1}
    assert score(points) == 100 * 7 / 12
    assert dimension_scores(points) == {"legalitas": 50, "keuangan": 100, "produk": 100 / 3}
    assert points_of({**answers, "_sector": "olahan"})["izin_edar"] == 3  # a food business is asked it


def _labels(key: str, sector: str | None) -> list[str]:
    item = ITEM_BY_KEY[key]
    labels = [ID(label) for label, _points in item.answers]
    return labels + [ID(NOT_APPLICABLE_LABEL)] if offers_not_applicable(item, sector) else labels


# What owners type at each item, and the answer it is (its index), or the answers it is asked back between (a
# tuple). Banjar: "kada" (tidak), "balum" (belum), "inggih" (ya), "kawa" (bisa).
EVERYDAY_ANSWERS = [
    ("nib", "blm", 0), ("nib", "belum", 0), ("nib", "kada punya", 0), ("nib", "ga ada", 0),
    ("nib", "lagi diurus", 1), ("nib", "masih proses", 1),
    ("nib", "udah", 2), ("nib", "sudah", 2), ("nib", "inggih", 2), ("nib", "udahhh punya", 2), ("nib", "ada", 2),
    ("nib", "belum, lagi proses", (0, 1)),
    ("izin_edar", "blm", 0), ("izin_edar", "pirt", 1), ("izin_edar", "SPP-IRT", 1), ("izin_edar", "udah, pirt", 1),
    ("izin_edar", "bpom", 2), ("izin_edar", "udah", (1, 2)), ("izin_edar", "tidak berlaku", NOT_APPLICABLE),
    ("halal", "balum", 0), ("halal", "sedang daftar", 1), ("halal", "udah", 2),
    ("halal", "ga berlaku", NOT_APPLICABLE), ("halal", "bukan usaha makanan", NOT_APPLICABLE),
    ("halal", "ga perlu", NOT_APPLICABLE), ("halal", "sudah halal", 2), ("halal", "belum halal", 0),
    ("halal", "produk sy kan halal semua", (0, 2)),  # halal, but is it certified?
    ("merek", "blm", 0), ("merek", "udah diajukan", 1), ("merek", "sudah terdaftar", 2), ("merek", "belum terdaftar", 0),
    ("pencatatan", "ga pernah", 0), ("pencatatan", "gak pernah", 0), ("pencatatan", "kadang2", 1),
    ("pencatatan", "kadang-kadang", 1), ("pencatatan", "pake buku", 2), ("pencatatan", "pakai buku", 2),
    ("pencatatan", "dicatat di buku", 2), ("pencatatan", "pakai excel", 3), ("pencatatan", "ga pake buku", 0),
    ("pencatatan", "kadang pake buku", (1, 2)), ("pencatatan", "tidak, pakai buku", (0, 2)),
    ("pencatatan", "iya", (2, 3)),
    ("uang_terpisah", "masih campur", 0), ("uang_terpisah", "kadang2", 1), ("uang_terpisah", "rekening sendiri", 2),
    ("uang_terpisah", "tidak terpisah", 0), ("uang_terpisah", "udah", (1, 2)),
    ("pembiayaan", "ga pernah", 0), ("pembiayaan", "gak tau", 0), ("pembiayaan", "berminat", 1),
    ("pembiayaan", "lagi mengajukan", 2), ("pembiayaan", "udah pernah, lancar", 3), ("pembiayaan", "pernah", (2, 3)),
    ("omzet_tren", "turun", 0), ("omzet_tren", "sama aja", 1), ("omzet_tren", "naik dikit", 2),
    ("omzet_tren", "naik", 2),
    ("wilayah", "sekitar rumah", 0), ("wilayah", "dalam kota", 1), ("wilayah", "luar kota", 2),
    ("wilayah", "sampai ke jawa", 3), ("wilayah", "ekspor", 3),
    ("online", "blm", 0), ("online", "cuma wa", 1), ("online", "jual di fb", 2), ("online", "ig", 2),
    ("online", "tiktok shop", 3), ("online", "shopee & ig", 3), ("online", "shopee dan instagram", 3),  # the furthest online
    ("non_tunai", "tunai", 0), ("non_tunai", "cash", 0), ("non_tunai", "kontan", 0), ("non_tunai", "transfer aja", 1), ("non_tunai", "qris", 2),
    # each answer includes those before it ("QRIS too"): naming several means the highest
    ("non_tunai", "cash, transfer sama qris", 2), ("non_tunai", "belum pakai qris, cuma tunai", 0),
    ("kemasan", "ga dikemas", 0), ("kemasan", "plastik biasa", 1), ("kemasan", "ada label", 2),
    ("kemasan", "tidak ada label", 0), ("kemasan", "label lengkap", 3), ("kemasan", "tidak berlaku", NOT_APPLICABLE),
    ("sop", "ga ada", 0), ("sop", "tidak tertulis", 1), ("sop", "sop tertulis", 2), ("sop", "uji lab", 3),
    ("sop", "ada", (1, 2)),
    ("kapasitas", "ga sanggup", 0), ("kapasitas", "kada kawa", 0), ("kapasitas", "agak susah", 1),
    ("kapasitas", "tambah orang", 2), ("kapasitas", "bisa", 3), ("kapasitas", "bisa, tambah orang", (2, 3)),
    ("tenaga_kerja", "sendiri", 0), ("tenaga_kerja", "saya sendiri, tidak ada karyawan", 0),
    ("tenaga_kerja", "keluarga", 1), ("tenaga_kerja", "keluarga tidak digaji", 1), ("tenaga_kerja", "2 orang digaji", 2),
    ("tenaga_kerja", "ada 6 karyawan", 3), ("tenaga_kerja", "saya dan 1 pegawai", 2),
    ("tenaga_kerja", "ada bpjs", 3), ("tenaga_kerja", "sendiri sama istri", (0, 1)),
    ("pelatihan", "belum pernah", 0), ("pelatihan", "ga pernah", 0), ("pelatihan", "sekali", 1),
    ("pelatihan", "2 kali", 2), ("pelatihan", "3x", 2), ("pelatihan", "1 kali", 1), ("pelatihan", "dapat sertifikat", 3), ("pelatihan", "pernah", (1, 2, 3)),
]
# The sector each item is read for: one where "Tidak berlaku" is offered wherever it can be.
_SECTOR = {"izin_edar": "kuliner", "halal": "kriya", "kemasan": "jasa"}


def test_every_item_is_read_in_everyday_words() -> None:
    assert {key for key, _text, _expected in EVERYDAY_ANSWERS} == {item.key for item in ITEMS}


@pytest.mark.parametrize(("key", "text", "expected"), EVERYDAY_ANSWERS,
                         ids=[f"{key}:{text}" for key, text, _expected in EVERYDAY_ANSWERS])
def test_everyday_answers(key: str, text: str, expected: int | str | tuple[int, ...]) -> None:
    item, labels = ITEM_BY_KEY[key], _labels(key, _SECTOR.get(key, "kuliner"))
    if isinstance(expected, tuple):
        with pytest.raises(Suggest) as asked:
            read_answer(item, text, labels)
        assert asked.value.indexes == expected
    else:
        assert read_answer(item, text, labels) == expected


def test_labels_and_numbers_are_read_before_the_owners_words() -> None:
    item = ITEM_BY_KEY["pencatatan"]
    labels = _labels("pencatatan", "kuliner")
    assert [read_answer(item, label, labels) for label in labels] == [0, 1, 2, 3]
    assert read_answer(item, "Rutin ditulis tangan", labels) == 2
    assert read_answer(ITEM_BY_KEY["halal"], "Tidak berlaku", _labels("halal", "kriya")) == NOT_APPLICABLE


def test_tidak_berlaku_where_it_is_not_offered_is_refused_with_a_reason() -> None:
    halal = ITEM_BY_KEY["halal"]
    with pytest.raises(Invalid) as refused:
        read_answer(halal, "tidak berlaku", _labels("halal", "kuliner"))
    assert refused.value.reason == "This question fits every business like yours; please pick the answer closest to it."
    with pytest.raises(Invalid) as refused:
        read_answer(halal, "pagi bu", _labels("halal", "kuliner"))
    assert refused.value.params == {"count": 3}
