"""The officers' inbox (/admin/questions): the questions of the officer's scope and nobody else's, a question's
page with its thread and the owner's chat, a reply that goes out the way the chat allows, assigning, closing, and
owners' words shown as text."""

from datetime import timedelta

import pytest
from lxml import html
from selenium.webdriver.common.by import By
from sqlalchemy import select, update

from officer_dashboard import KAPUAS, KOTIM, NOW, add_business, add_training_place, browser_dashboard, logged_in
from store.db import Database
from store.models import Business, OutboxMessage, OwnerQuestion, QuestionMessage
from store.officers import PROVINCE

HOSTILE = "<script>alert(1)</script> %(x)s {contact} ' OR 1=1 --"


def ask(database: Database, kabupaten: str, text: str, *, channel: str = "telegram", address: str = "5001",
        heard: timedelta = timedelta(hours=1), at: timedelta = timedelta(hours=2)) -> int:
    """An owner's question from a chat last heard `heard` before NOW, asked `at` before NOW."""
    with database.transaction(NOW - heard) as registry:
        state = registry.open_conversation(channel, address)
        registry.save_conversation(state)
    with database.transaction(NOW - at) as registry:
        return registry.questions.ask(state.id, None, kabupaten, "perizinan", text)


def test_an_officer_sees_the_questions_of_their_scope_only(database: Database) -> None:
    kotim = ask(database, KOTIM, "Bagaimana cara mengurus izin usaha di Sampit?")
    kapuas = ask(database, KAPUAS, "Apakah ada pelatihan di Kuala Kapuas?", address="5002")
    with logged_in(database, KOTIM) as officer:
        page = html.fromstring(officer.client.get("/admin/questions").text)
        assert [row.get("id") for row in page.xpath("//table[@id='questions']/tbody/tr")] == [f"question-{kotim}"]
        assert officer.client.get(f"/admin/questions/{kapuas}").status_code == 404
        assert officer.post(f"/admin/questions/{kapuas}/reply", {"reply": "Ya"}).status_code == 404
        assert officer.client.get(f"/admin/questions?kabupaten={KAPUAS}").status_code == 403
    with logged_in(database, PROVINCE, "Provinsi") as officer:
        page = html.fromstring(officer.client.get(f"/admin/questions?kabupaten={KAPUAS}").text)
        assert [row.get("id") for row in page.xpath("//table[@id='questions']/tbody/tr")] == [f"question-{kapuas}"]


def test_a_question_without_a_reply_for_more_than_three_working_days_is_overdue(database: Database) -> None:
    late = ask(database, KOTIM, "Sudah seminggu belum dijawab", at=timedelta(days=7))  # NOW is a Friday
    fresh = ask(database, KOTIM, "Baru saja bertanya", address="5002")
    with logged_in(database, KOTIM) as officer:
        page = html.fromstring(officer.client.get("/admin/questions").text)
    assert page.xpath(f"//tr[@id='question-{late}']/@class") == ["overdue"]
    assert page.xpath(f"//tr[@id='question-{fresh}']/@class") == []


@pytest.mark.parametrize(("heard", "kind", "window", "went"), [
    (timedelta(hours=23), "question_reply", "WhatsApp mengizinkan balasan bebas selama 0 jam 50 menit lagi",
     "menunggu dikirim"),
    (timedelta(hours=25), "reply_waiting", "Lebih dari 24 jam sejak pemilik terakhir menulis",
     "menunggu pesan pemilik berikutnya · pemberitahuannya: menunggu dikirim"),
])
def test_a_reply_goes_out_as_whatsapps_24_hours_allow(database: Database, heard: timedelta, kind: str,
                                                       window: str, went: str) -> None:
    question_id = ask(database, KOTIM, "Kapan pelatihan kemasan?", channel="whatsapp",
                      address="whatsapp:+6281200000001", heard=heard)
    with logged_in(database, KOTIM) as officer:
        shown = html.fromstring(officer.client.get(f"/admin/questions/{question_id}").text)
        assert shown.xpath("string(//p[@id='window'])").startswith(window)
        sent = officer.post(f"/admin/questions/{question_id}/reply", {"reply": "Bulan Februari di Sampit."})
        assert sent.status_code == 303
        page = officer.client.get(sent.headers["location"]).text
    with database.engine.connect() as connection:
        rows = connection.execute(select(OutboxMessage.kind, OutboxMessage.text)).all()
    assert [row.kind for row in rows] == [kind]
    assert ("Bulan Februari di Sampit." in rows[0].text) is (kind == "question_reply")
    assert html.fromstring(page).xpath("string(//p[@id='sent'])").strip() != ""
    assert html.fromstring(page).xpath("//span[@class='went']/text()") == [went]


def test_a_held_reply_says_when_the_owner_saw_it(database: Database) -> None:
    question_id = ask(database, KOTIM, "Kapan pelatihan kemasan?", channel="whatsapp",
                      address="whatsapp:+6281200000001", heard=timedelta(hours=25))
    with logged_in(database, KOTIM) as officer:
        officer.post(f"/admin/questions/{question_id}/reply", {"reply": "Bulan Februari di Sampit."})
        with database.engine.begin() as connection:  # the notice went, and the owner wrote back
            connection.execute(update(OutboxMessage).values(status="delivered"))
            conversation_id = connection.scalar(select(OwnerQuestion.conversation_id))
        with database.transaction(NOW + timedelta(hours=1)) as registry:
            held = registry.questions.held_replies(conversation_id, None)
            registry.questions.shown([reply.message_id for reply in held])
        page = html.fromstring(officer.client.get(f"/admin/questions/{question_id}").text)
    [went] = page.xpath("//span[@class='went']/text()")
    assert went.startswith("ditampilkan saat pemilik menulis lagi, ") and went.endswith(" · pemberitahuannya: terkirim ke HP")


def test_owners_words_and_replies_are_shown_as_text(database: Database) -> None:
    question_id = ask(database, KOTIM, HOSTILE)
    with logged_in(database, KOTIM) as officer:
        officer.post(f"/admin/questions/{question_id}/reply", {"reply": HOSTILE})
        listed = officer.client.get("/admin/questions?status=answered").text
        shown = officer.client.get(f"/admin/questions/{question_id}").text
    for page in (listed, shown):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    with database.engine.connect() as connection:
        assert connection.scalar(select(OutboxMessage.text)).count(HOSTILE) == 1


def test_inserting_an_answer_of_the_knowledge_base_fills_the_reply(database: Database) -> None:
    question_id = ask(database, KOTIM, "Cara bikin NIB?")
    with database.transaction(NOW) as registry:
        entry = registry.knowledge.by_slug("nib-cara")
    assert entry is not None
    with logged_in(database, KOTIM) as officer:
        page = html.fromstring(officer.client.get(f"/admin/questions/{question_id}?insert={entry.id}").text)
    assert "oss.go.id" in page.xpath("string(//textarea[@id='reply-text'])")


def test_assigning_and_closing(database: Database) -> None:
    question_id = ask(database, KOTIM, "Mohon dibantu")
    with logged_in(database, KOTIM) as officer:
        page = html.fromstring(officer.client.get(f"/admin/questions/{question_id}").text)
        [me] = [option.get("value") for option in page.xpath("//select[@id='assign']/option") if option.get("value")]
        assert officer.post(f"/admin/questions/{question_id}/assign", {"officer": me}).status_code == 303
        assert officer.post(f"/admin/questions/{question_id}/assign", {"officer": "999"}).status_code == 400
        assert officer.post(f"/admin/questions/{question_id}/close").status_code == 303
    with database.engine.connect() as connection:
        question = connection.execute(select(OwnerQuestion)).one()
        assert connection.scalar(select(QuestionMessage.text)) == "Mohon dibantu"
    assert (question.assigned_officer_id, question.status, question.closed_why) == (int(me), "closed", "officer")


def test_the_inbox_in_chromium(database: Database) -> None:
    question_id = ask(database, KOTIM, "Bagaimana cara daftar merek?")
    with browser_dashboard(database, KOTIM) as browser:
        browser.open("/admin/questions")
        browser.wait_for(By.CSS_SELECTOR, f"#question-{question_id} a").click()
        browser.wait_for_path(f"/admin/questions/{question_id}")
        browser.wait_for(By.ID, "reply-text").send_keys("Silakan daftar di merek.dgip.go.id.")
        browser.driver.find_element(By.ID, "send").click()
        assert browser.wait_for(By.ID, "sent").text
        assert "Silakan daftar di merek.dgip.go.id." in browser.text()


def test_a_question_shows_the_owners_businesses_and_training(database: Database) -> None:
    business_id = add_business(database, owner="Siti Rahayu", name="Amplang Bu Siti", kabupaten=KOTIM)
    with database.engine.begin() as connection:
        owner_id = connection.scalar(select(Business.__table__.c.owner_id).where(Business.__table__.c.id == business_id))
    add_training_place(database, owner_id, KOTIM)
    with database.transaction(NOW) as registry:
        state = registry.open_conversation("telegram", "5001")
        registry.save_conversation(state)
        question_id = registry.questions.ask(state.id, owner_id, KOTIM, "pelatihan", "Kapan pelatihan halal mulai?")
    with logged_in(database, KOTIM) as officer:
        page = html.fromstring(officer.client.get(f"/admin/questions/{question_id}").text)
    assert page.xpath("//section[@id='owner']//p[@class='business']/a/text()") == ["Amplang Bu Siti"]
    [place] = page.xpath("//section[@id='owner']//table[@id='enrollments']/tbody/tr")
    assert [cell.text_content() for cell in place.xpath("td")][:2] == ["Sertifikasi Halal Gratis", "sampit-1"]
