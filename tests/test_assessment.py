"""The self-assessment flow beyond the transcripts: owners with several businesses, and what is kept."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update

from bot.sample import seed
from flows.conversation import Conversations
from flows.scoring import dimension_scores, score
from store.db import Database
from store.models import DIMENSION_COLUMNS, Assessment, Business
from store.training import Audience, ProgrammeRecord, SessionRecord, SignUp
from transcript import FIXED_START, Chat, Clock, long_date

WIB = timezone(timedelta(hours=7))


def _owner_with_two_businesses(database: Database) -> Chat:
    """Owner 1 with a food stall (kuliner) and a repair shop (jasa), chatting on Telegram."""
    seed(database, 1)
    with database.transaction(FIXED_START) as registry:
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


def test_each_retake_keeps_the_level_and_score_it_replaced(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    for answer in ("1", "2", "1"):  # Bengkel Motor three times: pemula, then better, then pemula again
        chat.say("penilaian")
        chat.say("bengkel motor")
        for _ in range(15):
            chat.say(answer)
    with database.engine.connect() as connection:
        kept = connection.execute(select(Assessment.level, Assessment.score, Assessment.previous_level,
                                         Assessment.previous_score).order_by(Assessment.id)).all()
    (first_level, first_score, *first_replaced), (second_level, second_score, *second_replaced), \
        (_, _, *third_replaced) = kept
    assert first_replaced == [None, None] and second_score > first_score
    assert second_replaced == [first_level, first_score] and third_replaced == [second_level, second_score]


def test_recommendations_teach_the_weakest_areas_and_are_open_to_the_owner(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    start = datetime(2027, 2, 9, 9, tzinfo=WIB)
    with database.transaction(FIXED_START) as registry:
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
    assert "- Pembukuan: Selasa, 9 Februari 2027, Aula" in result and "- Pemasaran Digital dan QRIS: " in result
    assert result.index("- Pembukuan: ") < result.index("- Pemasaran Digital")
    assert "Pembukuan di Kapuas" not in result  # open to Kapuas only


def _kept(database: Database) -> Assessment:
    """The latest assessment kept."""
    with database.engine.connect() as connection:
        return connection.execute(select(Assessment).order_by(Assessment.id.desc()).limit(1)).one()


def test_the_registered_nib_is_the_current_answer_kept_with_lanjut_or_changed(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    with database.transaction(FIXED_START) as registry:
        registry.session.execute(update(Business).where(Business.id == 1).values(nib="9120001234567"))
    chat.say("penilaian")
    asked = chat.say("1")  # Warung Soto
    assert "Pertanyaan 1 dari 16" in asked
    assert "Menurut data pendaftaran, usaha ini sudah punya NIB 9120001234567." in asked
    assert "(Jawaban sekarang: Sudah punya. Balas \"lanjut\" untuk tetap memakainya.)" in asked
    assert "Pertanyaan 2 dari 16" in chat.say("lanjut")
    assert "(Jawaban sekarang: Sudah punya." in chat.say("kembali")
    assert "Pertanyaan 2 dari 16" in chat.say("sedang proses")
    chat.say("kembali")
    assert "Usaha mana yang ingin Anda nilai?" in chat.say("kembali")
    # The same business again: the answer just changed stays, and the next open question follows.
    assert "Pertanyaan 2 dari 16" in chat.say("warung soto")
    chat.say("tidak berlaku")  # a ready-meal stall: no distribution permit
    for _ in range(14):
        chat.say("1")
    kept = _kept(database)
    assert kept.points["nib"] == 1 and "izin_edar" not in kept.points and len(kept.points) == 15


def test_a_business_registered_without_nib_is_shown_so_and_another_business_its_own(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    with database.transaction(FIXED_START) as registry:
        registry.session.execute(update(Business).where(Business.id == 1).values(nib="9120001234567"))
    chat.say("penilaian")
    asked = chat.say("bengkel motor")
    assert "Menurut data pendaftaran, usaha ini belum punya NIB." in asked and "(Jawaban sekarang: Belum punya." in asked
    chat.say("kembali")
    assert "sudah punya NIB 9120001234567" in chat.say("warung soto")  # picked another business: its NIB


def test_items_left_out_for_a_service_business_count_nowhere(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    chat.say("penilaian")
    chat.say("bengkel motor")
    halal = chat.say("lanjut")  # no NIB, as registered
    assert "Pertanyaan 2 dari 15" in halal and "4. Tidak berlaku" in halal
    chat.say("4")  # halal: not for a repair shop
    for _ in range(3, 11):  # the second answer of each: 1 or 2 points
        packaging = chat.say("2")
    assert "Pertanyaan 11 dari 15" in packaging and "5. Tidak berlaku" in packaging
    chat.say("tidak berlaku")
    for _ in range(12, 16):
        result = chat.say("2")
    assert "Penilaian mandiri Bengkel Motor: skor 38 dari 100" in result  # 15 points of the 13 items' 39
    kept = _kept(database)
    assert not {"halal", "kemasan", "izin_edar"} & set(kept.points) and len(kept.points) == 13
    assert kept.score == score(kept.points)
    expected = dimension_scores(kept.points)
    assert {dimension: getattr(kept, dimension) for dimension in DIMENSION_COLUMNS} == {
        dimension: expected[dimension] for dimension in DIMENSION_COLUMNS}
    assert kept.produk == 100 * 2 / 6  # the SOP and the capacity alone


def test_no_halal_or_packaging_advice_to_a_business_they_may_not_fit(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    chat.say("penilaian")
    chat.say("bengkel motor")
    # Full points but halal and packaging, both "Belum"/"Tanpa kemasan": those two areas are the weakest.
    for text in ["3", "1", "3", "4", "3", "4", "3", "4", "4", "3", "1", "4", "4", "4", "4"]:
        result = chat.say(text)
    assert "skor 86 dari 100" in result
    assert "Yang paling perlu dikuatkan: perizinan dan legalitas; mutu produk dan kemasan.\n" in result
    assert "Langkah berikutnya" not in result and "sertifikasi halal" not in result and "Pasang label" not in result
    assert "sertifikat halal wajib" not in result


def _programmes(database: Database) -> None:
    """Programmes teaching the books (keuangan) and selling online (digital), open to every business."""
    def at(month: int, day: int) -> datetime:
        return datetime(2027, month, day, 9, tzinfo=WIB)

    sessions = [("buku", "plk", at(3, 1), "Aula Jekan Raya", "62.71"), ("buku", "kps", at(2, 1), "Aula Kapuas", "62.03"),
                ("buku-kapuas", "kps-1", at(2, 10), "Aula Selat", "62.03"),
                ("buku-kapuas", "kps-2", at(1, 20), "Aula Kuala Kapuas", "62.03"),
                ("digital-1", "plk", at(1, 12), "Aula Digital", "62.71"),
                ("digital-2", "plk", at(1, 13), "Aula Penuh", "62.71"),
                ("digital-3", "kps", at(4, 6), "Aula Barito", "62.03")]
    with database.transaction(FIXED_START) as registry:
        registry.training.import_programmes(
            [ProgrammeRecord("buku", "Pembukuan", "-", "Diskop", ("keuangan",)),
             ProgrammeRecord("buku-kapuas", "Pembukuan Kapuas", "-", "Diskop", ("keuangan",)),
             *(ProgrammeRecord(f"digital-{n}", f"Digital {n}", "-", "Diskop", ("digital",)) for n in (1, 2, 3))],
            [SessionRecord(code, session, start, start + timedelta(hours=6), place, kabupaten,
                           0 if code == "digital-2" else 30, start - timedelta(days=1))
             for code, session, start, place, kabupaten in sessions])


def test_recommended_programmes_leave_out_places_held_and_show_the_nearest_session(database: Database) -> None:
    chat = _owner_with_two_businesses(database)
    _programmes(database)
    with database.transaction(FIXED_START) as registry:
        audience = Audience((("62.71", "mikro", "jasa"),))
        for code, waitlist in (("digital-1", False), ("digital-2", True)):
            session_id = registry.training.session_id(registry.training.programme_id(code) or 0, "plk") or 0
            assert registry.training.sign_up(session_id, 1, audience, waitlist=waitlist) is (
                SignUp.WAITLISTED if waitlist else SignUp.REGISTERED)
    chat.say("penilaian")
    chat.say("2")  # Bengkel Motor, in Palangka Raya: weakest in the books, then selling online
    for text in ["3", "3", "3", "1", "1", "1", "3", "4", "4", "1", "4", "4", "4", "4", "4"]:
        result = chat.say(text)
    lines = result.split("\n")
    first = lines.index("Pelatihan yang membantu untuk hal ini:")
    assert lines[first + 1:first + 4] == [
        # in its kabupaten, though a session elsewhere is sooner
        f"- Pembukuan: {long_date(datetime(2027, 3, 1, 9, tzinfo=WIB))}, Aula Jekan Raya",
        # none in its kabupaten: the soonest
        f"- Pembukuan Kapuas: {long_date(datetime(2027, 1, 20, 9, tzinfo=WIB))}, Aula Kuala Kapuas",
        # Digital 1 and 2, where the owner holds a seat and waits for one, are not recommended
        f"- Digital 3: {long_date(datetime(2027, 4, 6, 9, tzinfo=WIB))}, Aula Barito",
    ]
