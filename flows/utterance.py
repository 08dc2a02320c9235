"""What a message is by its words alone, whatever is being asked: a question of the owner's own, a social
message, and the bare words of a command ("saya mau daftar dong" says "daftar")."""

import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property

from domain.text import clean
from domain.words import GOODBYE, GREETING, NONE, OK, SALAM, SORRY, THANKS, WANT, I, words_for

# Social meanings, the strongest first: "assalamualaikum, makasih" is answered with the salam.
SOCIAL_MEANINGS = (SALAM, THANKS, GREETING, GOODBYE, SORRY, OK)
EMOJI = "emoji"  # a message of emoji and signs only
# Words around what is meant that change nothing: whom it is said to, and softening particles.
_AROUND = frozenset(
    "kak ka kakak bu ibu pak bapak bpk min admin mas mbak bang gan om tante dek sis bro pian ya yaa yah iya dong donk "
    "deh nih sih aja ajah saja lah kok please pls plis banyak sekali bgt banget semua".split())
_QUESTION_WORDS = frozenset(
    "gimana bagaimana bgmn gmn gmna apa apakah apkah apa2 kapan kpn dimana mana berapa brp brapa siapa kenapa "
    "knp mengapa bisakah bolehkah adakah kah cara how what when where why which can could is are do does".split())
_SHORT_QUESTION = 3  # words
_LONG_REQUEST = 5  # words: "hai, sy Rina dari Sampit, mau daftar usaha kue" asks for something; "mau daftar" is bare
_ABOUT_NOTHING = frozenset("ini itu cara caranya terus trus lalu jadi maksud maksudnya gitu begitu gini".split())
_HOW = frozenset("gimana bagaimana bgmn gmn gmna caranya".split())  # "cara daftar gmn kak": asked, wherever it stands
_ASKING_PHRASES = ("mau tanya", "mau nanya", "boleh tanya", "numpang tanya", "minta info", "mohon info", "info dong",
                   "bisa dibantu", "bisa bantu", "tolong bantu", "bisa tolong", "maksudnya", "ada gak", "ada nggak",
                   "ada tidak")
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_REPEATED_LETTER = re.compile(r"([a-z])\1+")
_LAUGHTER = re.compile(r"(?:wk)+w?|(?:ha)+h?|(?:he)+h?|(?:hi)+h?|xixi+")


def squeeze(word: str) -> str:
    """Chat spelling stretches words ("makasiiih", "okee"): compared with repeated letters folded."""
    return _REPEATED_LETTER.sub(r"\1", word)


def _squeezed(phrases: frozenset[str]) -> frozenset[str]:
    return frozenset(" ".join(squeeze(word) for word in phrase.split()) for phrase in phrases)


_SOCIAL_PHRASES = {meaning: _squeezed(words_for(meaning)) for meaning in SOCIAL_MEANINGS}
_NONE_PHRASES = tuple(tuple(phrase.split()) for phrase in _squeezed(words_for(NONE)))
_WANT_WORDS = _squeezed(words_for(WANT))
_WANTING = _squeezed(words_for(I)) | _WANT_WORDS | {"tolong", "minta", "mohon"}
_AROUND_SQUEEZED = _squeezed(_AROUND)


@dataclass(frozen=True)
class Said:
    """One message's words, read once for every question the reader asks of them."""

    text: str

    @cached_property
    def words(self) -> tuple[str, ...]:
        return tuple(squeeze(word) for word in _WORD.findall(clean(self.text).casefold()))

    @cached_property
    def is_question(self) -> bool:
        """Asked rather than answered: ends with "?", starts with a question word, or asks for help or news."""
        stripped = clean(self.text).rstrip(" .!🙏")
        if stripped.endswith("?") and len(self.words) >= 2:
            return True
        lowered = " ".join(self.words)
        return bool(self.words) and (self.words[0] in _QUESTION_WORDS and len(self.words) >= 2
                                     or len(self.words) >= 2 and bool(_HOW.intersection(self.words))
                                     or any(phrase in lowered for phrase in _ASKING_PHRASES)
                                     or len(self.words) >= _LONG_REQUEST and bool(_WANT_WORDS.intersection(self.words)))

    @cached_property
    def says_none_yet(self) -> bool:
        """Starts by saying there is none yet: "blm ada nama", "belum punya", "kadada"."""
        return any(self.words[:len(phrase)] == phrase for phrase in _NONE_PHRASES)

    @cached_property
    def asks_how_this_works(self) -> bool:
        """A short question of question words only ("apa ini?", "gimana caranya?", "terus gimana?"): how this chat
        works, not a question about anything named."""
        return self.is_question and len(self.words) <= _SHORT_QUESTION and all(
            word in _QUESTION_WORDS or word in _AROUND_SQUEEZED or word in _ABOUT_NOTHING for word in self.words)

    @cached_property
    def social(self) -> str | None:
        """The social meaning of a message that is nothing else (thanks, a greeting, "ok", emoji), or None."""
        if not self.words:  # emoji and signs only: "👍" is an ok, any other emoji a friendly sign, "!!" nothing
            signs = set(clean(self.text).replace(" ", ""))
            emoji = any(unicodedata.category(sign) == "So" for sign in signs)
            return next((meaning for meaning in SOCIAL_MEANINGS if signs & _SOCIAL_PHRASES[meaning]),
                        EMOJI if emoji else None)
        found = _social_meanings(list(self.words))
        if found is None:
            return None
        # Laughter alone ("wkwk") is a friendly sign, as 😂 is.
        return next((meaning for meaning in SOCIAL_MEANINGS if meaning in found), EMOJI)

    @cached_property
    def bare(self) -> str:
        """The words of what is wanted, without "saya mau" before or "dong, kak" after: "saya mau daftar dong" is
        "daftar"; slashes and signs kept, so "/daftar" and "?" stay themselves."""
        words = clean(self.text).casefold().strip(" .!,🙏").split()
        while len(words) > 1 and squeeze(words[0].strip(",")) in _WANTING:
            words.pop(0)
        while len(words) > 1 and squeeze(words[-1].strip(",.!")) in _AROUND_SQUEEZED:
            words.pop()
        return " ".join(word.strip(",") for word in words)


def _social_meanings(words: list[str]) -> set[str] | None:
    """The meanings when the words are social phrases, laughter and words around them only; None otherwise."""
    found: set[str] = set()
    laughed = False
    position = 0
    while position < len(words):
        for length in (3, 2, 1):
            phrase = " ".join(words[position:position + length])
            meaning = next((meaning for meaning, phrases in _SOCIAL_PHRASES.items() if phrase in phrases), None)
            if meaning is not None and len(words[position:position + length]) == length:
                found.add(meaning)
                position += length
                break
        else:
            word = words[position]
            if word not in _AROUND_SQUEEZED and not _LAUGHTER.fullmatch(word):
                return None
            laughed = laughed or word not in _AROUND_SQUEEZED
            position += 1
    return found if found or laughed else None
