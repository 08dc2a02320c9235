"""The comparison bot of bench/webhook.py: the registration built the way most developers would build it.

python-telegram-bot v22's own tools, as its documentation and examples show them: an `Application` with a
`ConversationHandler` (one state per question, one `MessageHandler` per state), `PicklePersistence` for the
conversations, `user_data` and `bot_data`, `update.message.reply_text(...)` to answer (an HTTP call to the
Bot API's sendMessage), and a Starlette webhook that puts each update on `application.update_queue`, as in
PTB's "customwebhookbot" example (examples/customwebhookbot_starlette.py).

The same 17 steps and the same Indonesian questions as the TABE bot, with the validation that is cheap to
write: a NIK is 16 digits (and registered once), a phone looks like an Indonesian mobile number, years and
workers are numbers, amounts read "15 juta" and "2,5 jt", places and sectors come from the keyboards.

Two things are added for measuring and change nothing the bot does:
- the webhook waits until the update has been handled (a handler in a later group marks it done) before it
  answers, and answers with the text the Bot API received, so the load generator sees when and what the
  owner was answered (the example answers at once, and the owner would see the reply when sendMessage lands);
- `PicklePersistence` notes when it writes its file; `GET /_bench/stats` and a line printed at shutdown
  report those writes and the registrations held in memory.

Benchmark code, not product code: it is run only by bench/webhook.py (`--serve baseline`).
"""

import asyncio
import hmac
import json
import pickle
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import KeyboardButton, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    Application,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    PicklePersistence,
    TypeHandler,
    filters,
)

from domain.regions import kabupaten_list, kecamatan_of

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
STATS_PREFIX = "BENCH_STATS "  # the line printed at shutdown, for bench/webhook.py to read
QUESTIONS = 13

(MENU, CONSENT, NAME, NIK, PHONE, BUSINESS, SECTOR, KABUPATEN, KECAMATAN, ADDRESS, NIB, YEAR, WORKERS, CAPITAL,
 TURNOVER, CONFIRM) = range(16)

MENU_TEXT = "Menu utama. Apa yang ingin Anda lakukan?"
WELCOME = "Halo! Selamat datang di TABE, layanan UMKM Kalimantan Tengah.\n\n" + MENU_TEXT
REGISTER = "Daftarkan usaha saya"
CONSENT_TEXT = (
    "Sebelum mulai: Dinas Koperasi dan UKM Provinsi Kalimantan Tengah akan mencatat nama, NIK, nomor HP, dan data "
    "usaha Anda (lokasi, NIB, modal, omzet) untuk mendaftarkan usaha Anda di pendataan UMKM provinsi. Dasarnya "
    "adalah persetujuan Anda (UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi). Data disimpan selama usaha "
    "Anda terdaftar dan dihapus bila Anda minta. Kapan saja Anda bisa melihat data Anda (\"data saya\"), "
    "memperbaikinya (\"ubah data\"), atau menghapusnya (\"hapus data saya\").\n\nApakah Anda setuju?"
)
AGREE, SAVE = "Ya, saya setuju", "Ya, simpan"
SECTORS = ("Kuliner (makanan dan minuman)", "Fesyen, tenun dan batik", "Kriya: rotan, anyaman purun, ukiran",
           "Warung dan toko", "Jasa: salon, bengkel, jahit", "Olahan hasil tani dan ikan", "Wisata dan penginapan",
           "Lainnya")
NO_NIB = "Belum punya"
PROMPTS = {
    NAME: "Siapa nama lengkap Anda (sesuai KTP)?",
    NIK: "Berapa NIK Anda (16 angka di KTP)?",
    PHONE: "Berapa nomor HP usaha Anda?",
    BUSINESS: "Apa nama usaha Anda?",
    SECTOR: "Apa jenis usaha Anda?",
    KABUPATEN: "Di kabupaten atau kota mana usaha Anda?",
    KECAMATAN: "Di kecamatan mana?",
    ADDRESS: "Di mana alamat usaha Anda (jalan, nomor, desa/kelurahan)?",
    NIB: "Berapa NIB (Nomor Induk Berusaha, 13 angka) usaha Anda? Bila belum punya, balas \"belum punya\".",
    YEAR: "Tahun berapa usaha ini mulai berjalan?",
    WORKERS: "Berapa orang yang bekerja di usaha ini, termasuk Anda?",
    CAPITAL: "Berapa modal usaha Anda, tidak termasuk tanah dan bangunan?",
    TURNOVER: "Rata-rata berapa omzet (hasil penjualan) usaha Anda per bulan?",
}
KABUPATEN_BY_NAME = {region.short_name: region for region in kabupaten_list()}
MILIAR = 1_000_000_000
UNITS = {"rb": 1_000, "ribu": 1_000, "jt": 1_000_000, "juta": 1_000_000, "m": MILIAR, "miliar": MILIAR}
AMOUNT = re.compile(r"^(?:rp\.?\s*)?([\d.,]+)\s*(rb|ribu|jt|juta|m|miliar)?\b", re.IGNORECASE)
PHONE_NUMBER = re.compile(r"^(?:\+?62|0)8\d{7,11}$")


class CountingPicklePersistence(PicklePersistence):
    """PicklePersistence that notes when it wrote its file, and for how long."""

    writes: list[tuple[float, float]] = []  # (Unix time, seconds) of each write of the whole file

    def _dump_singlefile(self) -> None:
        started = time.perf_counter()
        super()._dump_singlefile()
        CountingPicklePersistence.writes.append((time.time(), time.perf_counter() - started))


Context = ContextTypes.DEFAULT_TYPE
Handler = Callable[[Update, Context], Awaitable[int]]
_answered: dict[int, str] = {}  # update_id -> the text the Bot API received, for the webhook's answer


def keyboard(labels: list[str] | tuple[str, ...], per_row: int = 1) -> ReplyKeyboardMarkup:
    rows = [[KeyboardButton(label) for label in labels[start:start + per_row]]
            for start in range(0, len(labels), per_row)]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)


async def reply(update: Update, text: str, markup: ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None) -> None:
    assert update.message is not None
    sent = await update.message.reply_text(text, reply_markup=markup or ReplyKeyboardRemove())
    _answered[update.update_id] = sent.text or ""


async def ask(update: Update, state: int, markup: ReplyKeyboardMarkup | None = None, problem: str = "") -> int:
    """Ask question `state` (again, after `problem` when the answer was not usable); stay in or move to it."""
    number = state - NAME + 1
    text = f"Pertanyaan {number} dari {QUESTIONS}\n{PROMPTS[state]}"
    await reply(update, f"{problem}\n\n{text}" if problem else text, markup)
    return state


def text_of(update: Update) -> str:
    assert update.message is not None and update.message.text is not None
    return update.message.text.strip()


async def start(update: Update, _context: Context) -> int:
    await reply(update, WELCOME, keyboard([REGISTER, "English", "Bantuan"]))
    return MENU


async def menu(update: Update, _context: Context) -> int:
    await reply(update, CONSENT_TEXT, keyboard([AGREE, "Tidak"], per_row=2))
    return CONSENT


async def consent(update: Update, context: Context) -> int:
    assert context.user_data is not None
    context.user_data.clear()
    context.user_data["consent_at"] = time.time()
    return await ask(update, NAME)


def answer(key: str, parse: Callable[[str, Context], object], next_state: int,
           next_markup: Callable[[Context], ReplyKeyboardMarkup | None] = lambda _context: None) -> Handler:
    """The handler of one question: parse the answer into user_data[key] and ask the next question, or ask again."""

    async def handle(update: Update, context: Context) -> int:
        assert context.user_data is not None
        try:
            context.user_data[key] = parse(text_of(update), context)
        except ValueError as problem:
            current = next_state - 1
            return await ask(update, current, _markups[current](context), str(problem))
        if next_state == CONFIRM:
            await reply(update, summary(context.user_data), keyboard([SAVE, "Ubah"], per_row=2))
            return CONFIRM
        return await ask(update, next_state, next_markup(context))

    return handle


def parse_name(text: str, _context: Context) -> str:
    if len(text) < 3 or any(character.isdigit() for character in text):
        raise ValueError("Nama itu sepertinya belum lengkap.")
    return text


def parse_nik(text: str, context: Context) -> str:
    digits = re.sub(r"[\s.-]", "", text)
    if not (len(digits) == 16 and digits.isdigit() and digits.startswith("62")):
        raise ValueError("NIK terdiri dari 16 angka dan, di Kalimantan Tengah, diawali 62.")
    if digits in context.bot_data.setdefault("niks", set()):
        raise ValueError("NIK itu sudah terdaftar.")
    return digits


def parse_phone(text: str, _context: Context) -> str:
    digits = re.sub(r"[\s().-]", "", text)
    if not PHONE_NUMBER.match(digits):
        raise ValueError("Nomor HP itu tidak dikenali, misalnya 0812 3456 7890.")
    return "+62" + digits.lstrip("+").removeprefix("62").removeprefix("0")


def parse_choice(labels: Callable[[Context], list[str] | tuple[str, ...]]) -> Callable[[str, Context], str]:
    def parse(text: str, context: Context) -> str:
        for label in labels(context):
            if label.casefold() == text.casefold():
                return label
        raise ValueError("Silakan pilih salah satu tombol.")

    return parse


def kecamatan_labels(context: Context) -> list[str]:
    assert context.user_data is not None
    return [region.name for region in kecamatan_of(KABUPATEN_BY_NAME[context.user_data["kabupaten"]].code)]


def parse_nib(text: str, _context: Context) -> str | None:
    if text.casefold() == NO_NIB.casefold():
        return None
    if not (len(text) == 13 and text.isdigit()):
        raise ValueError("NIB terdiri dari 13 angka.")
    return text


def parse_year(text: str, _context: Context) -> int:
    if not (text.isdigit() and 1900 <= int(text) <= date.today().year):
        raise ValueError("Tuliskan tahunnya dengan 4 angka, misalnya 2019.")
    return int(text)


def parse_workers(text: str, _context: Context) -> int:
    if not (text.isdigit() and 1 <= int(text) <= 100_000):
        raise ValueError("Tuliskan jumlah orangnya dengan angka, misalnya 3.")
    return int(text)


def parse_amount(text: str, _context: Context) -> int:
    match = AMOUNT.match(text.strip())
    if match is None:
        raise ValueError("Tuliskan jumlahnya, misalnya 15 juta atau Rp 2.500.000.")
    number, unit = match.groups()
    if unit:  # "2,5 jt": the comma is the decimal point
        value = float(number.replace(".", "").replace(",", ".")) * UNITS[unit.lower()]
    else:  # "2.500.000": dots group thousands
        value = float(number.replace(".", "").replace(",", "."))
    return int(value)


def business_class(capital: int, monthly_turnover: int) -> str:
    """PP No. 7 Tahun 2021: the higher of the class by capital and the class by yearly sales."""
    ceilings = (("Usaha Mikro", MILIAR, 2 * MILIAR), ("Usaha Kecil", 5 * MILIAR, 15 * MILIAR),
                ("Usaha Menengah", 10 * MILIAR, 50 * MILIAR))
    by_capital = next((index for index, ceiling in enumerate(ceilings) if capital <= ceiling[1]), 3)
    by_sales = next((index for index, ceiling in enumerate(ceilings) if monthly_turnover * 12 <= ceiling[2]), 3)
    return (*(name for name, _capital, _sales in ceilings), "Usaha Besar")[max(by_capital, by_sales)]


def rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def summary(data: dict[str, Any]) -> str:
    masked = data["nik"][:4] + "*" * 10 + data["nik"][-2:]
    kabupaten = KABUPATEN_BY_NAME[data["kabupaten"]].name
    lines = [f"1. Nama pemilik: {data['name']}", f"2. NIK: {masked}", f"3. Nomor HP: {data['phone']}",
             f"4. Nama usaha: {data['business']}", f"5. Jenis usaha: {data['sector']}",
             f"6. Kabupaten/kota: {kabupaten}", f"7. Kecamatan: {data['kecamatan']}", f"8. Alamat: {data['address']}",
             f"9. NIB: {data['nib'] or NO_NIB}", f"10. Tahun mulai: {data['year']}",
             f"11. Tenaga kerja: {data['workers']}", f"12. Modal usaha: {rupiah(data['capital'])}",
             f"13. Omzet per bulan: {rupiah(data['turnover'])}"]
    return ("Mohon periksa jawaban Anda:\n\n" + "\n".join(lines) + "\n\n"
            f"Klasifikasi usaha: {business_class(data['capital'], data['turnover'])}, dari modal "
            f"{rupiah(data['capital'])} dan omzet setahun sekitar {rupiah(data['turnover'] * 12)} (dipakai yang "
            "menghasilkan kelas lebih tinggi).\n\nBalas \"ya\" untuk menyimpan, atau \"ubah\" dan nomornya untuk "
            "mengubah jawaban (misalnya \"ubah 3\").")


async def save(update: Update, context: Context) -> int:
    """Keep the registration in bot_data (persisted with the rest) and give it a number."""
    assert context.user_data is not None
    data = dict(context.user_data)
    if data["nik"] in context.bot_data.setdefault("niks", set()):
        await reply(update, "NIK itu sudah terdaftar.\n\n" + MENU_TEXT)
        return ConversationHandler.END
    registrations: list[dict[str, Any]] = context.bot_data.setdefault("registrations", [])
    registrations.append(data)
    context.bot_data["niks"].add(data["nik"])
    code = KABUPATEN_BY_NAME[data["kabupaten"]].code.replace(".", "-")
    number = f"UMKM-{code}-{len(registrations):06d}"
    data["number"] = number
    context.user_data.clear()
    await reply(update, f"Terima kasih! Usaha Anda sudah terdaftar. Nomor pendaftaran Anda {number}. Simpan nomor "
                        f"ini untuk urusan dengan Dinas.\n\n{MENU_TEXT}",
                keyboard(["Daftarkan usaha lain", "Data saya", "Ubah data saya", "Hapus data saya", "English",
                          "Bantuan"]))
    return ConversationHandler.END


async def cancel(update: Update, context: Context) -> int:
    assert context.user_data is not None
    context.user_data.clear()
    await reply(update, "Pendaftaran dibatalkan.\n\n" + MENU_TEXT, keyboard([REGISTER]))
    return ConversationHandler.END


# The keyboard each question shows: needed again when an answer is refused and the question repeated.
_markups: dict[int, Callable[[Context], ReplyKeyboardMarkup | None]] = {
    **{state: (lambda _context: None) for state in PROMPTS},
    PHONE: lambda _context: ReplyKeyboardMarkup([[KeyboardButton("Bagikan nomor HP saya", request_contact=True)]],
                                                 resize_keyboard=True, one_time_keyboard=True),
    SECTOR: lambda _context: keyboard(SECTORS),
    KABUPATEN: lambda _context: keyboard(list(KABUPATEN_BY_NAME)),
    KECAMATAN: lambda context: keyboard(kecamatan_labels(context)),
    NIB: lambda _context: keyboard([NO_NIB]),
}


def conversation() -> ConversationHandler[Context]:
    """One state per question, one MessageHandler per state; persisted under the name "registration"."""
    texts = filters.TEXT & ~filters.COMMAND

    def on(state: int, key: str, parse: Callable[[str, Context], object]) -> list[MessageHandler[Context, int]]:
        return [MessageHandler(texts, answer(key, parse, state + 1, _markups.get(state + 1, lambda _context: None)))]

    return ConversationHandler(
        entry_points=[CommandHandler("start", start)],
        states={
            MENU: [MessageHandler(filters.Regex(f"^{REGISTER}$"), menu)],
            CONSENT: [MessageHandler(filters.Regex(f"^{AGREE}$"), consent)],
            NAME: on(NAME, "name", parse_name),
            NIK: on(NIK, "nik", parse_nik),
            PHONE: on(PHONE, "phone", parse_phone),
            BUSINESS: on(BUSINESS, "business", lambda text, _context: text),
            SECTOR: on(SECTOR, "sector", parse_choice(lambda _context: SECTORS)),
            KABUPATEN: on(KABUPATEN, "kabupaten", parse_choice(lambda _context: list(KABUPATEN_BY_NAME))),
            KECAMATAN: on(KECAMATAN, "kecamatan", parse_choice(kecamatan_labels)),
            ADDRESS: on(ADDRESS, "address", lambda text, _context: text),
            NIB: on(NIB, "nib", parse_nib),
            YEAR: on(YEAR, "year", parse_year),
            WORKERS: on(WORKERS, "workers", parse_workers),
            CAPITAL: on(CAPITAL, "capital", parse_amount),
            TURNOVER: on(TURNOVER, "turnover", parse_amount),
            CONFIRM: [MessageHandler(filters.Regex(f"^{SAVE}$"), save)],
        },
        fallbacks=[CommandHandler("batal", cancel)],
        name="registration",
        persistent=True,
    )


def build_application(token: str, api_base_url: str, pickle_path: str, concurrent: bool) -> Application:
    application = (
        Application.builder()
        .token(token)
        .base_url(f"{api_base_url}/bot")
        .updater(None)  # the webhook below feeds the updates, as in PTB's customwebhookbot example
        .persistence(CountingPicklePersistence(filepath=pickle_path))  # default update_interval: 60 s
        .concurrent_updates(concurrent)
        .build()
    )
    application.add_handler(conversation())
    return application


def create_app(token: str, api_base_url: str, secret: str, pickle_path: str, concurrent: bool) -> Starlette:
    """The Starlette webhook of PTB's customwebhookbot example, around the ConversationHandler bot."""
    application = build_application(token, api_base_url, pickle_path, concurrent)
    pending: dict[int, asyncio.Future[None]] = {}

    async def handled(update: Update, _context: Context) -> None:
        # Group 1 runs after the conversation's handler (group 0) has finished, replies sent.
        future = pending.pop(update.update_id, None)
        if future is not None and not future.done():
            future.set_result(None)

    application.add_handler(TypeHandler(Update, handled), group=1)

    async def telegram(request: Request) -> Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, "").encode(), secret.encode()):
            return PlainTextResponse("forbidden", status_code=403)
        update = Update.de_json(data=await request.json(), bot=application.bot)
        done = pending[update.update_id] = asyncio.get_running_loop().create_future()
        await application.update_queue.put(update)
        await done  # measuring only: answer once the owner has been answered (see the module docstring)
        return PlainTextResponse(_answered.pop(update.update_id, ""))

    def counts() -> dict[str, object]:
        return {"pickle_writes": CountingPicklePersistence.writes,
                "registrations": len(application.bot_data.get("registrations", []))}

    async def stats(_request: Request) -> Response:
        return JSONResponse(counts())

    async def health(_request: Request) -> Response:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with application:  # initialize (getMe, load the pickle) ... shutdown (flush the pickle)
            await application.start()
            yield
            await application.stop()  # updates the persistence one last time
        print(STATS_PREFIX + json.dumps(counts()), flush=True)  # after shutdown() flushed the pickle file

    return Starlette(routes=[Route("/telegram/webhook", telegram, methods=["POST"]),
                             Route("/_bench/stats", stats, methods=["GET"]),
                             Route("/healthz", health, methods=["GET"])],
                     lifespan=lifespan)


def pickled_registrations(pickle_path: str) -> int:
    """How many registrations the pickle file on disk holds now (0 when it was never written)."""

    class _Reader(pickle.Unpickler):
        def persistent_load(self, _pid: object) -> None:  # PTB stores the Bot as a persistent id
            return None

    try:
        with open(pickle_path, "rb") as file:
            data = _Reader(file).load()
    except FileNotFoundError:
        return 0
    return len(data.get("bot_data", {}).get("registrations", []))

