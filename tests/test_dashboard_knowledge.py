"""The knowledge base in the dashboard: every officer reads it, provincial officers change it, each change is kept
in the entry's history and the audit trail, and the bot answers with what it says now."""

from lxml import html
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from flows.conversation import Conversations
from officer_dashboard import KOTIM, NOW, WAIT_SECONDS, add_officer, browser_dashboard, logged_in
from store.db import Database
from store.models import AuditEvent
from store.officers import PROVINCE
from transcript import Chat, Clock

NEW = {"slug": "pasar-murah", "topic": "pemasaran", "kabupaten": "", "question_id": "Kapan ada pasar murah UMKM?",
       "answer_id": "Pasar murah UMKM diadakan setiap bulan Ramadan di halaman kantor Dinas.",
       "variants_id": "jadwal pasar murah\nbazar ramadan umkm", "question_en": "", "answer_en": "",
       "variants_en": "", "programmes": "", "source": "Dinas Koperasi dan UKM"}


def entry_id(database: Database, slug: str) -> int:
    with database.transaction(NOW) as registry:
        entry = registry.knowledge.by_slug(slug)
    assert entry is not None
    return entry.id


def asked(database: Database, text: str) -> str:
    """What the bot answers an owner who asks `text` at the menu."""
    return Chat(Conversations(database, Clock(NOW)), "penanya").say(text)


def test_every_officer_reads_the_shipped_entries_and_only_provincial_officers_change_them(database: Database) -> None:
    nib = entry_id(database, "nib-cara")
    with logged_in(database, KOTIM) as officer:
        listed = html.fromstring(officer.client.get("/admin/knowledge").text)
        assert len(listed.xpath("//table[@id='entries']/tbody/tr")) >= 30
        assert listed.xpath("//a[@id='new-entry']") == []
        form = html.fromstring(officer.client.get(f"/admin/knowledge/{nib}").text)
        assert form.xpath("//textarea[@id='answer_id']/@disabled") == ["disabled"]
        assert officer.post(f"/admin/knowledge/{nib}", NEW).status_code == 403
        assert officer.post("/admin/knowledge/new", NEW).status_code == 403
        assert officer.post(f"/admin/knowledge/{nib}/retire").status_code == 403


def test_an_added_entry_answers_owners_and_its_history_and_audit_are_kept(database: Database) -> None:
    assert "pasar murah" not in asked(database, "kapan ada pasar murah umkm?").casefold()
    with logged_in(database, PROVINCE) as officer:
        added = officer.post("/admin/knowledge/new", NEW)
        assert added.status_code == 303
        new_id = int(added.headers["location"].rsplit("/", 1)[1])
        assert officer.post(f"/admin/knowledge/{new_id}", {**NEW, "answer_id": "Pasar murah pindah ke GOR."}).status_code == 303
        page = html.fromstring(officer.client.get(f"/admin/knowledge/{new_id}").text)
    assert [row.xpath("string(td[1])") for row in page.xpath("//section[@id='history']//tbody/tr")] == ["2", "1"]
    assert "Pasar murah pindah ke GOR." in asked(database, "kapan ada pasar murah umkm?")
    with database.engine.connect() as connection:
        actions = connection.scalars(select(AuditEvent.action).where(AuditEvent.subject == f"knowledge_entry:{new_id}"))
        assert list(actions) == ["knowledge_added", "knowledge_edited"]


def test_a_retired_entry_answers_nobody_until_restored(database: Database) -> None:
    merek = entry_id(database, "merek")
    assert "merek.dgip.go.id" in asked(database, "gimana cara daftar merek di djki?")
    with logged_in(database, PROVINCE) as officer:
        assert officer.post(f"/admin/knowledge/{merek}/retire").status_code == 303
        assert "merek.dgip.go.id" not in asked(database, "gimana cara daftar merek dagang di djki?")
        assert officer.post(f"/admin/knowledge/{merek}/restore").status_code == 303
    assert "merek.dgip.go.id" in asked(database, "cara daftar merek ke djki gimana?")


def test_a_form_with_a_problem_comes_back_as_typed_with_the_reason(database: Database) -> None:
    with logged_in(database, PROVINCE) as officer:
        bad_slug = officer.post("/admin/knowledge/new", {**NEW, "slug": "Pasar Murah!"})
        taken = officer.post("/admin/knowledge/new", {**NEW, "slug": "nib-cara"})
        placeholder = officer.post("/admin/knowledge/new", {**NEW, "answer_id": "Telepon {telepon}."})
    for response in (bad_slug, taken, placeholder):
        assert response.status_code == 400
        page = html.fromstring(response.text)
        assert page.xpath("string(//ul[@id='problems'])").strip()
        assert page.xpath("string(//input[@id='question_id']/@value)") == NEW["question_id"]


def test_a_new_entry_can_start_from_an_answered_question(database: Database) -> None:
    answering = add_officer(database, KOTIM, "Penjawab")
    with database.transaction(NOW) as registry:
        state = registry.open_conversation("telegram", "5001")
        registry.save_conversation(state)
        question_id = registry.questions.ask(state.id, None, KOTIM, "pemasaran", "Kapan ada pasar murah?")
        registry.questions.reply(question_id, answering, "Setiap Ramadan di kantor Dinas.", None, held=False)
    with logged_in(database, PROVINCE) as officer:
        page = html.fromstring(officer.client.get(f"/admin/knowledge/new?from_question={question_id}").text)
    assert page.xpath("string(//input[@id='question_id']/@value)") == "Kapan ada pasar murah?"
    assert page.xpath("string(//textarea[@id='answer_id'])") == "Setiap Ramadan di kantor Dinas."


def test_editing_an_entry_in_chromium(database: Database) -> None:
    pirt = entry_id(database, "pirt")
    with browser_dashboard(database, PROVINCE) as browser:
        browser.open(f"/admin/knowledge/{pirt}")
        answer = browser.wait_for(By.ID, "answer_id")
        answer.clear()
        answer.send_keys("SPP-IRT diurus lewat OSS; tanyakan jadwal penyuluhan ke Dinas Kesehatan.")
        save = browser.driver.find_element(By.ID, "save")
        save.click()
        # The page after saving is at the same path, with the same ids: wait until the one before is gone.
        WebDriverWait(browser.driver, WAIT_SECONDS).until(expected_conditions.staleness_of(save))
        browser.wait_for(By.ID, "history")
        assert "SPP-IRT diurus lewat OSS" in browser.text()
