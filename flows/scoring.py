"""The self-assessment's items (DOMAIN.md), the words owners answer them with, and its arithmetic: points per answer,
the score, the level, the weakest dimensions.

Each item scores 0-3; items that do not apply (a food permit for a business that sells no food, or one the owner
calls "tidak berlaku") are left out. Score = 100 x points / (3 x items answered). Levels: below 40 Pemula, 40-59
Berkembang, 60-79 Mandiri, 80 and above Siap Naik Kelas.
"""

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from domain.assessment import MAX_POINTS, Dimension
from domain.msgid import N_
from domain.sectors import FOOD_SECTORS, OTHER, SECTOR_KEYS
from domain.words import NO, NONE, YES, words_for

_WORD = re.compile(r"[0-9a-z]+")
_REPEATED_LETTER = re.compile(r"([a-z])\1+")


def _words(text: str) -> tuple[str, ...]:
    """The words of a text, folded as owners' spelling varies: "Udahhh" and "udah" alike."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return tuple(_REPEATED_LETTER.sub(r"\1", word) for word in _WORD.findall(folded))


NOT_FOOD = frozenset(SECTOR_KEYS) - FOOD_SECTORS
NO_GOODS = frozenset({"jasa", "wisata", OTHER})  # may sell no product of their own to pack or label


@dataclass(frozen=True, slots=True)
class Counted:
    """How a number in an answer names one: "6 karyawan", "2x"."""

    units: frozenset[str]  # the words a number counts ("orang", "kali")
    answers: tuple[tuple[int, int], ...]  # (fewest, answer index): from this many on, that answer, fewest first


@dataclass(frozen=True, slots=True)
class Item:
    """One question of the assessment, the points each of its answers is worth and the words owners use for them."""

    key: str
    dimension: Dimension
    question: str  # msgid
    answers: tuple[tuple[str, int], ...]  # (msgid, points), from the fewest points to the most
    advice: str  # msgid: one concrete next step for a business short of full points here
    words: tuple[tuple[str, ...], ...]  # for each answer, what owners type for it (see `named_answers`)
    food_only: bool = False  # asked only of businesses that sell food
    may_not_apply: frozenset[str] = frozenset()  # sectors offered "Tidak berlaku", and given no advice here
    adds_up: bool = False  # each answer includes the ones before it ("QRIS too"): naming several means the highest
    counted: Counted | None = None


# Of the everyday yes and no words (domain/words.py), those that agree or refuse rather than say how the business
# stands ("mau", "boleh", "ok"), and "batal", a command: none of them answers an item.
_NOT_ANSWERS = frozenset({"mau", "handak", "hakun", "boleh", "blh", "setuju", "siap", "baik", "baiklah", "ok", "oke",
                          "okeh", "okey", "okay", "oce", "sip", "batal", "salah", "jangan", "jgn"})
_YES = (*sorted(words_for(YES) - _NOT_ANSWERS), "ada", "punya")
_NO = (*sorted((words_for(NO) | words_for(NONE)) - _NOT_ANSWERS), "ga ada", "gak ada", "nggak ada", "ngga ada",
       "blm punya", "ga punya", "gak punya", "nggak punya")
_NEVER = ("ga pernah", "gak pernah", "nggak pernah", "tidak pernah", "tdk pernah", "belum pernah", "blm pernah",
          "kada pernah")
_IN_PROGRESS = ("proses", "sedang proses", "lagi proses", "masih proses", "diproses", "diurus", "lagi diurus",
                "sedang diurus", "lagi urus", "lagi ngurus", "menunggu", "nunggu", "daftar", "lagi daftar",
                "sedang daftar", "mendaftar", "sedang mendaftar")
_SOMETIMES = ("kadang", "kadang2", "kadang kadang", "kdg", "kdng", "jarang", "sesekali", "sekali sekali")
# "Tidak berlaku", in the words of an owner whose business the question does not fit.
NOT_APPLICABLE_WORDS = ("tidak berlaku", "tdk berlaku", "ga berlaku", "gak berlaku", "nggak berlaku", "n a",
                        "tidak relevan", "ga relevan", "bukan usaha makanan", "bukan makanan", "bukan pangan",
                        "tidak jual makanan", "ga jual makanan", "gak jual makanan", "ga ada hubungannya",
                        "tidak perlu", "ga perlu", "gak perlu", "nggak perlu")
# Words that deny what follows them closely: "belum pakai qris" names no QRIS.
_DENIALS = frozenset(word for phrase in words_for(NO) - _NOT_ANSWERS for word in _words(phrase))
_DENIAL_REACH = 2  # "tidak ada label": a denial one or two words before


ITEMS: tuple[Item, ...] = (
    Item("nib", Dimension.LEGALITAS, N_("Does the business have an NIB from OSS?"),
         ((N_("Not yet"), 0), (N_("Being processed"), 1), (N_("Yes, it has one"), 3)),
         N_("Get your NIB for free at oss.go.id; the Serbu NIB programme helps you through it."),
         (_NO, _IN_PROGRESS, (*_YES, "sudah punya", "udah punya", "ada nib"))),
    Item("izin_edar", Dimension.LEGALITAS, N_("Does your food product have a distribution permit?"),
         ((N_("Not yet"), 0), (N_("SPP-IRT"), 2), (N_("BPOM MD"), 3)),
         N_("Register your food product for an SPP-IRT at your kabupaten's Dinas Kesehatan."),
         # "sudah" names both permits: which one is asked back
         (_NO, (*_YES, "pirt", "p irt", "spp irt", "sppirt", "irt"), (*_YES, "bpom", "bpom md", "md", "pom")),
         food_only=True, may_not_apply=frozenset({"kuliner"})),  # ready meals need no distribution permit
    Item("halal", Dimension.LEGALITAS, N_("Do your products have a halal certificate?"),
         ((N_("Not yet"), 0), (N_("Registering now"), 1), (N_("Yes, certified"), 3)),
         N_("Apply for halal certification; it is free for micro businesses through the SEHATI programme."),
         # "halal" alone says what the products are, not whether they are certified: asked back
         ((*_NO, "halal", "produk halal"), _IN_PROGRESS,
          (*_YES, "halal", "produk halal", "bersertifikat", "sertifikat", "ada sertifikat", "sudah halal")),
         may_not_apply=NOT_FOOD),
    Item("merek", Dimension.LEGALITAS, N_("Is your brand registered at DJKI?"),
         ((N_("Not yet"), 0), (N_("Applied"), 2), (N_("Registered"), 3)),
         N_("Register your brand at DJKI (merek.dgip.go.id) so nobody can copy it."),
         (_NO, (*_IN_PROGRESS, "diajukan", "sudah diajukan", "udah diajukan", "sdh diajukan", "mengajukan", "ngajuin"),
          (*_YES, "terdaftar", "sudah terdaftar", "haki", "hak merek"))),
    Item("pencatatan", Dimension.KEUANGAN, N_("Do you keep the business's books?"),
         ((N_("No"), 0), (N_("Sometimes"), 1), (N_("Regularly, by hand"), 2),
          (N_("In an app or spreadsheet, with a monthly profit and loss"), 3)),
         N_("Write down every sale and expense each day, and add them up into a simple profit and loss each month."),
         ((*_NO, *_NEVER, "ga dicatat", "tidak dicatat", "ga nyatat", "diingat aja", "di kepala"),
          (*_SOMETIMES, "kalau ingat", "kadang dicatat"),
          ("ya", "iya", "ada", "rutin", "buku", "pake buku", "pakai buku", "dicatat di buku", "catat di buku",
           "buku kas", "buku tulis", "ditulis", "tulis tangan", "manual", "nota", "tiap hari", "setiap hari"),
          ("ya", "iya", "ada", "excel", "pake excel", "pakai excel", "spreadsheet", "google sheet", "aplikasi",
           "pakai aplikasi", "app", "apk", "bukuwarung", "buku warung", "bukukas", "siapik", "si apik", "laba rugi",
           "laporan keuangan", "komputer", "laptop", "catat di hp"))),
    Item("uang_terpisah", Dimension.KEUANGAN, N_("Is the business's money kept apart from the family's?"),
         ((N_("No"), 0), (N_("Partly"), 2), (N_("In its own bank account"), 3)),
         N_("Open a bank account for the business and keep its money apart from the family's."),
         ((*_NO, "campur", "dicampur", "masih campur", "jadi satu", "satu dompet"),
          (*_SOMETIMES, "ya", "iya", "sudah", "udah", "sebagian", "lumayan", "sedikit", "agak"),
          ("ya", "iya", "sudah", "udah", "rekening", "rekening sendiri", "rekening usaha", "rekening khusus",
           "terpisah", "pisah", "dipisah", "sudah dipisah", "udah dipisah"))),
    Item("pembiayaan", Dimension.KEUANGAN, N_("Have you used formal financing (KUR, a bank, a cooperative)?"),
         ((N_("No, and I do not know how"), 0), (N_("I am interested"), 1), (N_("I have applied"), 2),
          (N_("I have or had one, paid on time"), 3)),
         N_("Ask a bank about KUR: it needs a business running for 6 months and an NIB or a business letter from the village."),
         ((*_NO, *_NEVER, "tidak tahu", "tdk tahu", "ga tau", "gak tau", "nggak tau", "ga tahu", "kada tahu"),
          ("mau", "berminat", "minat", "tertarik", "pengen", "pingin", "ingin", "handak"),
          ("pernah", "sudah", "udah", "mengajukan", "ngajuin", "ngajukan", "sudah mengajukan", "lagi mengajukan",
           "sedang mengajukan", "diajukan"),
          ("pernah", "sudah", "udah", "ada", "punya", "lancar", "sedang kur", "lagi kur", "pakai kur", "pake kur",
           "ada pinjaman", "lagi pinjam", "sedang pinjam", "sudah lunas", "lunas"))),
    Item("omzet_tren", Dimension.PASAR, N_("How are your sales compared with last year?"),
         ((N_("Down"), 0), (N_("The same"), 1), (N_("Up"), 3)),
         N_("Note which products sell best and offer them to your regular customers first."),
         (("turun", "menurun", "turun dikit", "berkurang", "sepi", "anjlok", "lebih sepi"),
          ("sama", "sama aja", "sama saja", "stabil", "biasa aja", "biasa saja", "segitu aja", "gitu gitu aja",
           "begitu aja", "tetap sama"),
          ("naik", "naik dikit", "naik sedikit", "meningkat", "bertambah", "tambah", "lebih ramai", "lebih rame",
           "ramai", "rame", "laris", "lebih laku"))),
    Item("wilayah", Dimension.PASAR, N_("Where do you sell?"),
         ((N_("In my village"), 0), (N_("In my kabupaten"), 1), (N_("In other kabupaten or provinces"), 2),
          (N_("Outside Kalimantan, or abroad"), 3)),
         N_("Place your products in souvenir shops and join fairs such as the Palangka Raya Fair."),
         (("desa", "di desa", "kampung", "sekitar rumah", "sekitar sini", "tetangga", "lingkungan", "kelurahan"),
          ("kabupaten", "sekabupaten", "satu kabupaten", "kota", "dalam kota", "sekota"),
          ("antar kabupaten", "luar kabupaten", "kabupaten lain", "kota lain", "luar kota", "provinsi", "kalteng",
           "se kalteng", "kalimantan tengah", "antar provinsi", "provinsi lain", "kalsel", "banjarmasin"),
          ("luar kalimantan", "jawa", "jakarta", "surabaya", "nasional", "seluruh indonesia", "ekspor",
           "luar negeri", "malaysia"))),
    Item("online", Dimension.DIGITAL, N_("Do you sell online?"),
         ((N_("No"), 0), (N_("On WhatsApp"), 1), (N_("Active on social media"), 2),
          (N_("On a marketplace or website"), 3)),
         N_("Open a business account on social media or a marketplace and post photos of your products."),
         ((*_NO, "offline", "jual langsung", "langsung aja"),
          ("wa", "whatsapp", "wasap", "watsap", "wa bisnis", "status wa", "cuma wa"),
          ("fb", "facebook", "ig", "instagram", "tiktok", "medsos", "media sosial", "sosmed", "sosial media"),
          ("shopee", "tokopedia", "tokped", "lazada", "bukalapak", "blibli", "tiktok shop", "marketplace",
           "website", "web", "toko online", "gofood", "grabfood", "shopeefood")),
         adds_up=True),  # "shopee & ig": the furthest online the owner sells
    Item("non_tunai", Dimension.DIGITAL, N_("How do customers pay you?"),
         ((N_("Cash only"), 0), (N_("Bank transfer too"), 2), (N_("QRIS too"), 3)),
         N_("Ask your bank for a QRIS code so customers can pay without cash."),
         (("tunai", "cash", "kes", "kontan", "uang tunai", "tunai aja", "cash aja", "cuma tunai", "cuma cash"),
          ("transfer", "tf", "trf", "transfer bank", "transfer aja", "rekening", "m banking", "mbanking", "brimo",
           "ovo", "gopay", "shopeepay", "e wallet"),
          ("qris", "qr", "scan qr", "scan barcode", "kode qr")),
         adds_up=True),
    Item("kemasan", Dimension.PRODUK, N_("How are your products packed and labelled?"),
         ((N_("No packaging"), 0), (N_("Plain packaging"), 1), (N_("A label with ingredients and expiry date"), 2),
          (N_("A full label with brand and barcode"), 3)),
         N_("Put a label on your products with the name, ingredients and expiry date."),
         ((*_NO, "tanpa kemasan", "tidak dikemas", "ga dikemas", "curah"),
          ("polos", "kemasan polos", "plastik", "plastik biasa", "bungkus", "dibungkus", "kemasan biasa", "mika",
           "kardus", "besek"),
          ("label", "ada label", "stiker", "komposisi", "kedaluwarsa", "kadaluarsa", "kadaluwarsa", "expired"),
          ("label lengkap", "barcode", "lengkap", "ada barcode")),
         may_not_apply=NO_GOODS),
    Item("sop", Dimension.PRODUK, N_("Do you have quality standards or an SOP?"),
         ((N_("No"), 0), (N_("Yes, not written down"), 1), (N_("A written SOP"), 2),
          (N_("A written SOP, and tests or certification"), 3)),
         N_("Write down the steps of your work (an SOP) so every product comes out the same."),
         (_NO,
          ("ya", "iya", "ada", "tidak tertulis", "tdk tertulis", "ga tertulis", "gak tertulis", "belum tertulis",
           "di kepala", "hafal", "kebiasaan", "ikut kebiasaan"),
          ("ya", "iya", "ada", "tertulis", "sop tertulis", "ada sop", "ditulis", "sop"),
          ("sertifikat", "bersertifikat", "uji lab", "diuji", "sni", "iso"))),
    Item("kapasitas", Dimension.PRODUK, N_("Could you fill twice your usual orders within a week?"),
         ((N_("No"), 0), (N_("With difficulty"), 1), (N_("With extra workers"), 2), (N_("Yes, we could"), 3)),
         N_("Plan where extra materials and helpers would come from for a large order."),
         ((*_NO, "tidak sanggup", "ga sanggup", "gak sanggup", "tidak bisa", "ga bisa", "gak bisa", "nggak bisa",
           "kada kawa", "ga kuat", "tidak kuat"),
          ("sulit", "susah", "agak susah", "agak sulit", "berat", "kewalahan", "mungkin", "kurang tahu"),
          ("tambah orang", "tambah tenaga", "tambah pekerja", "tambah karyawan", "cari orang", "minta bantu",
           "dibantu", "dengan bantuan", "lembur"),
          (*_YES, "bisa", "sanggup", "siap", "kawa", "pasti bisa", "bisa banget", "tentu", "bisa aja"))),
    Item("tenaga_kerja", Dimension.SDM, N_("Who works in the business?"),
         ((N_("Only me"), 0), (N_("Unpaid family"), 1), (N_("1 to 4 paid workers"), 2),
          (N_("5 or more, or workers with BPJS Ketenagakerjaan"), 3)),
         N_("Register your workers with BPJS Ketenagakerjaan."),
         (("sendiri", "saya sendiri", "sendirian", "cuma saya", "saya aja", "aku aja", "aku sendiri", "ulun haja"),
          ("keluarga", "dibantu keluarga", "sama keluarga", "istri", "suami", "anak", "saudara", "ortu",
           "orang tua", "bini", "keluarga tidak digaji", "keluarga ga digaji"),
          ("karyawan", "pegawai", "pekerja", "digaji", "gaji", "tukang", "anak buah", "satu orang", "dua orang",
           "tiga orang", "empat orang"),
          ("bpjs", "bpjs tk", "bpjs ketenagakerjaan", "lima orang", "lebih dari 5", "lebih dari lima",
           "banyak karyawan")),
         counted=Counted(frozenset({"orang", "karyawan", "pegawai", "pekerja", "tukang"}), ((1, 2), (5, 3)))),
    Item("pelatihan", Dimension.SDM, N_("How many trainings have you attended in the last 2 years?"),
         ((N_("None"), 0), (N_("One"), 1), (N_("Two or more"), 2), (N_("Two or more, with a certificate"), 3)),
         N_("Join a training of the Dinas: type \"program\" to see those open to you."),
         ((*_NO, *_NEVER),
          ("pernah", "sekali", "satu kali", "sekali aja"),
          ("pernah", "dua kali", "tiga kali", "beberapa kali", "sering", "berkali kali", "lebih dari sekali"),
          ("pernah", "sertifikat", "bersertifikat", "dapat sertifikat", "ada sertifikat")),
         counted=Counted(frozenset({"kali", "x"}), ((0, 0), (1, 1), (2, 2)))),
)
ITEM_BY_KEY = {item.key: item for item in ITEMS}

_CLAUSE_BREAK = re.compile(r"[,;!?\n]|\.(?:\s|$)")  # a denial reaches no further than its clause
@cache
def _phrases(item: Item) -> tuple[tuple[tuple[str, ...], int], ...]:
    """Each phrase of the item's words with the choice it names; "Tidak berlaku" is the choice after the answers."""
    named = [(phrase, index) for index, phrases in enumerate(item.words) for phrase in phrases]
    named += [(phrase, len(item.answers)) for phrase in NOT_APPLICABLE_WORDS]
    # An emoji has no words to match: it is no phrase here.
    return tuple((_words(phrase), index) for phrase, index in named if _words(phrase))


_COUNT = re.compile(r"([0-9]{1,6})([a-z]*)")  # "2", "2x"; a longer number counts nobody's workers


def _counts(counted: Counted, words: tuple[str, ...]) -> list[tuple[int, int, int]]:
    """Each number of the units counted ("6 karyawan", "2x") as (first word, end, the answer it names)."""
    found = []
    for start, word in enumerate(words):
        number = _COUNT.fullmatch(word)
        if number is None:
            continue
        glued = number[2] in counted.units
        if glued or (not number[2] and start + 1 < len(words) and words[start + 1] in counted.units):
            named = [index for fewest, index in counted.answers if int(number[1]) >= fewest]
            if named:
                found.append((start, start + (1 if glued else 2), named[-1]))
    return found


def named_answers(item: Item, text: str) -> set[int]:
    """The choices the owner's words name: answers by index, and len(item.answers) for "tidak berlaku".

    A phrase inside a longer one found there counts only as the longer one ("ga pernah", not "pernah"), and a phrase
    one or two words after a denial in the same clause names nothing ("belum pakai qris"); a number names the answer
    its count falls in, where the item counts ("6 karyawan"). Words that fit one answer alone decide over words that
    fit several ("udah pernah, lancar" is the answer "lancar" names); words that each fit several name those they
    all fit.
    """
    found: dict[tuple[int, int], set[int]] = {}  # (first word, end) over the whole text -> the choices named there
    offset = 0
    for clause in _CLAUSE_BREAK.split(text):
        words = _words(clause)
        spans = [(start, start + len(phrase), index) for phrase, index in _phrases(item)
                 for start in range(len(words) - len(phrase) + 1) if words[start:start + len(phrase)] == phrase]
        if item.counted is not None:
            spans += _counts(item.counted, words)
        for start, end, index in spans:
            if not _DENIALS & set(words[max(start - _DENIAL_REACH, 0):start]):
                found.setdefault((offset + start, offset + end), set()).add(index)
        offset += len(words)
    named = [choices for (start, end), choices in found.items()
             if not any(other_start <= start and end <= other_end and other_end - other_start > end - start
                        for other_start, other_end in found)]
    alone = set().union(*(choices for choices in named if len(choices) == 1))
    if alone or not named:
        return alone
    return set.intersection(*named) or set().union(*named)


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
