"""The self-assessment flow beyond the transcripts: owners with several businesses, and what is kept."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update

from bot.sample import seed
from flows.conversation import Conversations
from store.db import Database
from store.models import Assessment, Business
from store.training import ProgrammeRecord, SessionRecord
from transcript import Chat, Clock

WIB = timezone(timedelta(hours=7))


def _owner_with_two_businesses(database: Database) -> Chat:
    """Owner 1 with a food stall (kuliner) and a repair shop (jasa), chatting on Telegram."""
    seed(database, 1)
    with database.transaction() as registry:
        registry.session.execute(update(Business).where(Business.id == 1).values(name="Warung Soto", sector="kuliner"))
        registry.session.execute(insert(Business).values(
            owner_id=1, registration_number="UMKM-6271-999999", name="Bengkel Motor", sector="jasa",
            kbli_category="S", kabupaten_code="62.71", kecamatan_code="62.71.01", address="Jl. Damang", nib=None,
            year_started=2015, workers=2, modal_usaha=10_000_000, monthly_turnover=5_000_000,
            annual_turnover=60_000_000, business_class="mikro", registered_at=datetime(2026, 1, 1, tzinfo=timezone.utc)))
        state = registry.open_conversation("telegram", "5001")
        state.owner_id = 1
        registry.save_conversation(state)
    return Chat(Conversations(database, Clock()), "5001", channel="telegram")


def test_an_owner_with_two_businesses_picks_one_and_the_food_question_follows_it(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    asked = chat.say("penilaian")
    assert "Usaha mana yang ingin Anda nilai?" in asked and "Bengkel Motor (UMKM-6271-999999)" in asked
    assert "Pertanyaan 1 dari 15" in chat.say("bengkel motor")
    for _ in range(15):
        answer = chat.say("1")
    assert "Penilaian mandiri Bengkel Motor: skor 0 dari 100, tingkat Pemula." in answer
    assert "sertifikat halal wajib" not in answer

    chat.say("penilaian")
    assert "Pertanyaan 1 dari 16" in chat.say("1")  # Warung Soto, listed first
    for _ in range(16):
        answer = chat.say("2")
    assert "Penilaian mandiri Warung Soto" in answer and "sertifikat halal wajib" in answer
    assert "naik dari" not in answer  # the first assessment of this business: nothing to compare with

    with database.engine.connect() as connection:
        kept = connection.execute(select(Assessment.business_id, Assessment.level).order_by(Assessment.id)).all()
    assert [tuple(row) for row in kept] == [(2, "pemula"), (1, "berkembang")]


def test_recommendations_teach_the_weakest_areas_and_are_open_to_the_owner(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    start = datetime(2027, 2, 9, 9, tzinfo=WIB)
    with database.transaction() as registry:
        registry.training.import_programmes(
            [ProgrammeRecord("qris", "Pemasaran Digital dan QRIS", "-", "Diskop", ("digital",)),
             ProgrammeRecord("bukukas", "Pembukuan", "-", "Diskop", ("keuangan",)),
             ProgrammeRecord("bukukas-kapuas", "Pembukuan di Kapuas", "-", "Diskop", ("keuangan",),
                             kabupaten_codes=("62.03",))],
            [SessionRecord(code, "s1", start, start + timedelta(hours=6), "Aula", "62.71", 30,
                           start - timedelta(days=1)) for code in ("qris", "bukukas", "bukukas-kapuas")])
    chat.say("penilaian")
    chat.say("2")  # Bengkel Motor: 15 questions
    # Full points everywhere but the books and money (items 4-6) and paying online (item 10).
    answers = ["3", "3", "3", "1", "1", "1", "3", "4", "4", "1", "4", "4", "4", "4", "4"]
    for text in answers:
        result = chat.say(text)
    assert "Yang paling perlu dikuatkan: pencatatan dan keuangan; penjualan dan pembayaran digital." in result
    assert "- Pembukuan (" in result and "- Pemasaran Digital dan QRIS (" in result
    assert result.index("- Pembukuan (") < result.index("- Pemasaran Digital")
    assert "Pembukuan di Kapuas" not in result  # open to Kapuas only
