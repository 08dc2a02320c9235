"""The words understood at every step: each command's canonical word, the messages that say it, and the words
of an owner's own question that it answers (the way forward the bot can offer today)."""

from dataclasses import dataclass

from rapidfuzz import fuzz

from domain.words import REGISTER, words_for
from flows.utterance import squeeze

CLOSE_ENOUGH = 80  # a misspelling one letter in five off ("jadwl", "progam") is still the command
SHORTEST_MISSPELT = 4  # below this every short word is "close" to some command
TIE = 5  # commands this close to the best one are as likely: the owner is asked which


@dataclass(frozen=True)
class Command:
    """A command: the word the owner is told to type, the messages that are it, the question words it serves."""

    word: str
    phrases: frozenset[str]
    topics: frozenset[str] = frozenset()  # a question mentioning one of these is served by this command
    pairs: frozenset[tuple[str, str]] = frozenset()  # two words side by side that outweigh any one word
    officer: bool = False  # understood only from an active officer
    misspellable: bool = True  # a near miss counts ("/start" and "?" do not have near misses)


def _command(word: str, phrases: str, topics: str = "", **flags: bool) -> Command:
    """A command from its phrases ("a|b") and topics: words, and pairs of words written "sudah+daftar"."""
    single = frozenset(topic for topic in topics.split() if "+" not in topic)
    pairs = frozenset((first, second) for first, _, second in (topic.partition("+") for topic in topics.split())
                      if second)
    return Command(word, frozenset({word, *phrases.split("|")} - {""}), single, pairs, **flags)


MENU, BACK, CANCEL, HELP, START = "menu", "kembali", "batal", "bantuan", "/start"
MY_DATA, ERASE, REGISTER_BUSINESS, CORRECT = "data saya", "hapus data saya", "daftar", "ubah data"
ASSESS, PROGRAMMES, SCHEDULE = "penilaian", "program", "jadwal"
ENGLISH, INDONESIAN = "bahasa en", "bahasa id"
STOP, RESUME, STOP_ANNOUNCEMENTS = "berhenti", "mulai", "berhenti pengumuman"
ANNOUNCE, REPORT, LOG_IN = "umumkan", "laporan", "masuk"
CANCEL_ANNOUNCEMENT = "batalkan pengumuman"  # with its number: "batalkan 12", read by flows/reading.py
ASK, MY_QUESTIONS, QUESTIONS, ANSWER = "tanya", "pertanyaan saya", "pertanyaan", "jawab"

COMMANDS: tuple[Command, ...] = (
    _command(MENU, "/menu|menu utama|main menu|mnu"),
    _command(BACK, "/kembali|balik|back|/back|sebelumnya"),
    _command(CANCEL, "/batal|batalkan|cancel|/cancel|gak jadi|ga jadi|gk jadi|nggak jadi|tidak jadi|tdk jadi|kada jadi"),
    _command(HELP, "/bantuan|tolong|help|/help|?|bingung", misspellable=False),
    _command(START, "start", misspellable=False),
    _command(MY_DATA, "/data|lihat data saya|my data|data ulun|cek data saya|lihat data",
             "data sudah+daftar udah+daftar sdh+daftar dah+daftar"),  # "saya sudah daftar kemarin ya?"
    _command(ERASE, "/hapus|hapus data|delete my data|hapus data ulun", "hapus menghapus"),
    _command(REGISTER_BUSINESS, "/daftar|daftar usaha|mendaftar|daftarkan usaha|register|daftar umkm|"
             + "|".join(words_for(REGISTER)), "daftar mendaftar registrasi register bedaftar"),
    _command(CORRECT, "/ubah|perbaiki data|koreksi data|ganti data|correct my data|ubah data saya",
             "ubah ganti koreksi perbaiki mengubah"),
    _command(ASSESS, "/penilaian|penilaian mandiri|nilai usaha|nilai usaha saya|self-assessment|assessment",
             "penilaian nilai skor naik kelas level"),
    _command(PROGRAMMES, "/program|pelatihan|program pelatihan|training|programmes|programs",
             "program pelatihan training workshop kursus bimtek ada+pelatihan ada+program ada+training"),
    _command(SCHEDULE, "/jadwal|jadwal saya|jadwal pelatihan|schedule|my schedule",
             "jadwal schedule tempatnya kapan+pelatihan kapan+pelatihannya"),  # the schedule says when and where
    _command(ENGLISH, "bahasa inggris|english|language en|/en"),
    _command(INDONESIAN, "bahasa indonesia|indonesia|language id|/id"),
    _command(STOP, "/berhenti|stop|unsubscribe"),
    _command(STOP_ANNOUNCEMENTS, "stop pengumuman|jangan kirim pengumuman"),
    _command(RESUME, "/mulai|subscribe|mulai pengumuman"),
    _command(ASK, "/tanya|tanya petugas|tanya dinas|ajukan pertanyaan|bertanya|ask|ask a question|/ask"),
    _command(MY_QUESTIONS, "/pertanyaan|pertanyaanku|pertanyaan ulun|status pertanyaan|my questions",
             "pertanyaan+saya pertanyaan+sy pertanyaanku"),
    _command(QUESTIONS, "/pertanyaan_masuk|pertanyaan masuk|questions|inbox", officer=True),
    _command(ANNOUNCE, "/umumkan|pengumuman|announce|/announce", "pengumuman umumkan", officer=True),
    _command(REPORT, "/laporan|report|/report", officer=True),
    _command(LOG_IN, "/masuk|login|/login|masuk dasbor|dasbor|dashboard", officer=True),
)
# What owners ask about that no command serves yet: a question about these is not a question about registering
# ("gimana cara daftar merek?"), and is answered honestly as one this chat cannot answer yet.
UNSERVED_TOPICS = frozenset(
    "merek djki haki halal nib oss bpom pirt spp-irt izin sertifikat kur pinjaman kredit modal bank qris "
    "marketplace shopee tokopedia pajak npwp bantuan blt banpres hibah biaya gratis bayar harga ongkos aman "
    "disebar".split())
_BY_PHRASE = {squeeze(phrase): command for command in COMMANDS for phrase in command.phrases}


def commands_for(officer: bool) -> tuple[Command, ...]:
    return tuple(command for command in COMMANDS if officer or not command.officer)


def exact_command(bare: str, officer: bool) -> Command | None:
    """The command this whole message is, word for word."""
    command = _BY_PHRASE.get(" ".join(squeeze(word) for word in bare.split()))
    return command if command is not None and (officer or not command.officer) else None


def close_commands(bare: str, officer: bool) -> tuple[Command, ...]:
    """The commands this message is a near miss of, the closest first (several when equally close)."""
    if len(bare.replace(" ", "")) < SHORTEST_MISSPELT:
        return ()
    scored: dict[Command, float] = {}
    for command in commands_for(officer):
        if command.misspellable:
            scored[command] = max(fuzz.ratio(bare, phrase) for phrase in command.phrases)
    best = max(scored.values(), default=0.0)
    if best < CLOSE_ENOUGH:
        return ()
    return tuple(sorted((command for command, score in scored.items() if score >= best - TIE),
                        key=lambda command: -scored[command]))


def serving(words: tuple[str, ...], officer: bool) -> Command | None:
    """The command that answers an owner's question with these words, or None: none does, or it is about something
    else."""
    if any(word in UNSERVED_TOPICS or word.removesuffix("nya") in UNSERVED_TOPICS for word in words):
        return None
    candidates = commands_for(officer)
    # The first word with a topic decides ("jadwal pelatihan saya?" asks for the schedule); where it begins a pair,
    # the pair does ("saya sudah daftar kemarin?" asks what was registered, not how to register).
    for word, after in zip(words, (*words[1:], ""), strict=True):
        paired = next((command for command in candidates if (word, after) in command.pairs), None)
        if paired is not None:
            return paired
        for command in candidates:
            if any(word == topic or (len(topic) >= 4 and word.startswith(topic)) for topic in command.topics):
                return command
    return None
