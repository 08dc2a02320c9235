"""Finding the knowledge-base entry that answers an owner's own question, in the words owners write.

Each entry is known by the ways it is asked (its question and variants, in every language) and by its answers. A
message and every entry are reduced to the same terms: words in their standard spelling (`domain/data/
spellings.csv`: chat spellings and Banjar), without the words every question has ("gimana", "saya", "dong") and
those that only set the scene (greetings, the province's places, trades: "pagi min, sy jualan kue di Sampit"),
stemmed with Sastrawi ("pelatihannya" and "latih" are one term). A word of the message the knowledge base does
not know is taken as the known word it is in chat's own affixes ("ngurus" is "urus"), or as the closest known
word a letter in ten away ("sertifkat"). Entries are ranked by BM25 (bm25s) over all their words.

The first entry is the answer only when the ways it is asked hold most of the message's weight, each word
weighing by how few entries are asked with it (a word the knowledge base has never seen weighs most, an acronym
it has never seen twice as much: the message is about something it does not know); an entry asked with every
word of the message goes before one asked with some; a second entry as close makes the two a choice; anything
less is "not found", which is better than a wrong answer. A message of one word is answered by the entry most of
whose phrasings ask with it, and asked back when no entry is mostly about it.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from math import log

import bm25s
import numpy as np
from rapidfuzz import fuzz, process
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

from domain.regions import aliases, kabupaten_list, kecamatan_of
from domain.sectors import SECTOR_WORDS
from domain.text import clean
from domain.words import GOODBYE, GREETING, SALAM, THANKS, standard_spellings, words_for

# Words that say nothing about what is asked: question words, pronouns, particles, whom it is said to, and chat's
# shortenings of them.
_NOISE = frozenset("""
    a ada adalah agar akan aku an and apa apakah are atau bagaimana bagi bahwa bang be belum berapa bisa bisakah
    boleh bolehkah bro bu buat cara caranya dan dari deh di dia do does dong donk dulu gan gitu hai halo how i ibu in
    ingin ini is it itu ja juga kah kak kakak kalau kalo kami kan kapan ke kenapa kita kok lagi lah mana mas mau
    mbak me mengapa min minta mohon my nah nih of om on pak pakai pian punya sama saja saya sih siapa silakan sini
    sis sudah supaya tanya tentang terima the tidak to tolong untuk what when where which who why with ya yang you
    your kasih dengan pada oleh jadi kalian mereka sy nya sih kah aja cuma juga masih sampai cukup apa-apa gak
    kalau kayak bener benar katanya mulai dalam kenapa datang sudah belum bilang for get
    msh dlm dtg klo pd kl gw gue aj trs
    """.split())
_WORD = re.compile(r"[^\W_]+")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")  # "halalll": letters held down, not a double letter of the word
CLOSE_SPELLING = 88  # a word this close to one the knowledge base knows is that word ("sertifkat", not "tambang")
SHORTEST_FUZZY = 5  # shorter words are too close to too many others
ENOUGH_COVERED = 0.45  # the share of the message's weight the entry's phrasings must hold for it to be the answer
WHOLE = 0.999  # an entry asked with every word of the message (the share, up to rounding)
CLOSE_SECOND = 0.98  # a second entry scoring this share of the first makes the two a choice
# One word is answered by the entry most of whose phrasings ask with it ("nib"), unless a second is nearly as much
# about it; a word no entry is mostly about ("gratis") is asked back.
MOSTLY_ABOUT = 0.5
AS_MUCH_ABOUT = 0.9
UNKNOWN_WEIGHT = 1.2  # a word the knowledge base has never seen weighs this share of the rarest word's weight
# A word without vowels that the knowledge base has never seen is an acronym, the name of something it does not
# cover ("pln", "cpns", "pbb"): it weighs this many times as much as another word it has never seen.
UNKNOWN_ACRONYM = 2
_VOWELS = frozenset("aeiou")
_stemmer = StemmerFactory().create_stemmer()
# Chat's own affixes, tried on a word the knowledge base does not know: "ngurus" is "urus", "benerin" "bener".
_COLLOQUIAL_PREFIXES = (("nge", ""), ("ng", ""), ("ny", "s"), ("di", ""))
_COLLOQUIAL_SUFFIXES = ("innya", "in", "nya")


@lru_cache(maxsize=1)
def _context() -> frozenset[str]:
    """Words that set the scene rather than ask: greetings and thanks, and the names of the province's places
    ("di sampit", "pagi min"); a question about a place is still about what it asks of it."""
    places = [place.short_name for place in kabupaten_list()]
    places += [place.name for kabupaten in kabupaten_list() for place in kecamatan_of(kabupaten.code)]
    places += [alias for alias, _code in aliases()]
    social = [phrase for meaning in (GREETING, SALAM, THANKS, GOODBYE) for phrase in words_for(meaning)]
    trades = [phrase for phrases in SECTOR_WORDS.values() for phrase in phrases]
    return frozenset(word for name in (*places, *social, *trades) for word in _WORD.findall(name.casefold())
                     if len(word) >= 3)


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return str(_stemmer.stem(word)) or word


@lru_cache(maxsize=4096)  # the same message is read by the router and the search; the inventory regroups its texts
def _words(text: str) -> tuple[str, ...]:
    """The message's words in standard spelling, without noise: what it says, the scene included."""
    spellings = standard_spellings()
    return tuple(standard for word in _WORD.findall(_STRETCHED.sub(r"\1", clean(text).casefold()))
                 for standard in spellings.get(word, word).split()
                 if standard not in _NOISE and not standard.isdigit())


@lru_cache(maxsize=4096)
def terms(text: str) -> tuple[str, ...]:
    """The message's terms: its words without those that set the scene, stemmed."""
    stemmed = (_stem(word) if word.isalpha() else word for word in _words(text) if word not in _context())
    return tuple(term for term in stemmed if term not in _NOISE)  # "mempunyai" is "punya"


def forget_messages() -> None:
    """Forget the messages read so far (the words' stems are kept): what a message never seen before costs."""
    _words.cache_clear()
    terms.cache_clear()


@dataclass(frozen=True, slots=True)
class Hit:
    """One entry as a message finds it: its BM25 score, and how much of the message the ways it is asked cover."""

    entry_id: int
    score: float
    covered: float


@dataclass(frozen=True, slots=True)
class Finding:
    """What the knowledge base says to a message: the entry that answers it, two close ones, or nothing."""

    answer: int | None = None
    choices: tuple[int, ...] = ()

    @property
    def found(self) -> bool:
        return self.answer is not None or bool(self.choices)


class Index:
    """Every entry's words, ready to be searched; built once per state of the knowledge base."""

    def __init__(self, entries: Sequence[tuple[int, Sequence[str], Sequence[str]]]) -> None:
        """`entries`: each entry's id, the ways it is asked (its question and variants), and its answers."""
        self._ids = np.array([entry_id for entry_id, _, _ in entries], dtype=np.int64)
        documents, self._asked = [], []
        self._share: dict[int, dict[str, float]] = {}  # per entry: the share of its phrasings asked with each term
        for entry_id, phrasings, answers in entries:
            asked = [term for text in phrasings for term in terms(text)]
            documents.append([*asked, *(term for text in answers for term in terms(text))] or ["\u2205"])
            self._asked.append(frozenset(asked))
            with_term = Counter(term for text in phrasings for term in set(terms(text)))
            self._share[entry_id] = {term: count / len(phrasings) for term, count in with_term.items()}
        self._bm25 = bm25s.BM25()
        if documents:
            self._bm25.index(documents, show_progress=False)
        count = max(len(documents), 1)
        # A word weighs by how few entries are asked with it: the words of the answers rank, but do not decide.
        asked_in = Counter(term for asked in self._asked for term in asked)
        self._weight = {term: log(1 + count / asked_in.get(term, count)) for document in documents for term in document}
        self._unknown_weight = UNKNOWN_WEIGHT * log(1 + count)
        self._vocabulary = sorted(word for word in self._weight if len(word) >= SHORTEST_FUZZY)

    def _wanted(self, text: str) -> list[str]:
        """The message's terms as the knowledge base knows them, each once."""
        return list(dict.fromkeys(self._known(term) for term in terms(text)))

    def _search(self, wanted: list[str], limit: int = 3) -> list[Hit]:
        """The entries these terms find, best first."""
        if not wanted or not len(self._ids):
            return []
        scores = self._bm25.get_scores(wanted)
        total = sum(self._weight.get(term, self._unknown_weight * (1 if _VOWELS & set(term) else UNKNOWN_ACRONYM))
                    for term in wanted)
        hits = []
        for document in np.argsort(-scores)[:limit]:
            if scores[document] <= 0:
                break
            matched = sum(self._weight[term] for term in wanted if term in self._asked[document])
            hits.append(Hit(int(self._ids[document]), float(scores[document]), matched / total))
        return hits

    def find(self, text: str) -> Finding:
        """The entry that answers the message, two close ones to choose between, or none."""
        # An entry asked with every word of the message goes before one asked with only some of them.
        wanted = self._wanted(text)
        hits = sorted(self._search(wanted), key=lambda hit: hit.covered < WHOLE)
        if not hits or hits[0].covered < ENOUGH_COVERED:
            return Finding()
        if len(wanted) == 1 and len(set(_words(text))) == 1:  # "nib?", not "sertifikat tanah"
            return self._about(wanted[0], [hit for hit in hits if hit.covered >= ENOUGH_COVERED])
        close = [hit for hit in hits[1:] if hit.covered >= ENOUGH_COVERED and hit.score >= CLOSE_SECOND * hits[0].score
                 and (hit.covered >= WHOLE) == (hits[0].covered >= WHOLE)]
        if close:
            return Finding(choices=(hits[0].entry_id, close[0].entry_id))
        return Finding(answer=hits[0].entry_id)

    def _about(self, term: str, hits: list[Hit]) -> Finding:
        """A message of one word ("nib"): the entry most of whose phrasings ask with it, or the two it is most about
        to choose between. Their scores would differ only in the length of what the entries say."""
        shares = sorted(((self._share[hit.entry_id].get(term, 0.0), hit.entry_id) for hit in hits),
                        key=lambda share: -share[0])
        (first_share, first), *others = shares
        if others and (first_share < MOSTLY_ABOUT or others[0][0] >= AS_MUCH_ABOUT * first_share):
            return Finding(choices=(first, others[0][1]))
        return Finding(answer=first)

    def _known(self, term: str) -> str:
        """The term, the known word it is in chat's own affixes ("ngurus" is "urus"), or the known word it is a slip
        of ("sertifkat" is "sertifikat")."""
        if term in self._weight or not term.isalpha():
            return term
        for bare in _without_colloquial_affixes(term):
            if bare in self._weight:
                return bare
        if len(term) < SHORTEST_FUZZY or not self._vocabulary:
            return term
        closest = process.extractOne(term, self._vocabulary, scorer=fuzz.ratio, score_cutoff=CLOSE_SPELLING)
        return closest[0] if closest else term


def _without_colloquial_affixes(word: str) -> list[str]:
    """The word without a chat prefix or suffix, each stemmed: "ngurusnya" gives "urus"."""
    found = []
    for suffix in ("", *_COLLOQUIAL_SUFFIXES):
        stem = word.removesuffix(suffix) if suffix and word.endswith(suffix) else word if not suffix else None
        if stem is None:
            continue
        for prefix, instead in _COLLOQUIAL_PREFIXES:
            if stem.startswith(prefix) and len(stem) - len(prefix) >= 3:
                found.append(_stem(instead + stem[len(prefix):]))
        if suffix:
            found.append(_stem(stem))
    return found
