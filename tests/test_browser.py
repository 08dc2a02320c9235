"""The browser chat: in a real Chromium (a whole registration, a reload half way, a page that needs nothing
else, the owner's words shown as text), and its endpoint as the page's script uses it.

The owner's side is driven as a person would: typing into the box and pressing Enter, or clicking a
choice button. Each step waits for the bot's bubbles to grow, never for a fixed time.
"""

import os
import re
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.app import create_app
from bot.browser import COOKIE
from bot.settings import Settings
from browser import chromium, chromium_missing
from server import Server
from store.db import Database
from store.models import Business
from transcript import START, Clock

REPLY_SECONDS = 20  # a reply takes milliseconds; this only bounds a hang
POLL_SECONDS = 0.02  # WebDriverWait's default half second would be most of each step
REGISTRATION_NUMBER = re.compile(r"UMKM-\d{4}-\d{6}")
# locales/id: "Welcome back! Let's carry on where you left off."
WELCOME_BACK = "Selamat datang kembali! Mari lanjutkan dari yang terakhir."


class ChatPage:
    """The chat page as an owner sees it: bubbles to read, a box to type in, buttons to click."""

    def __init__(self, driver: WebDriver, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    def open(self) -> None:
        self.driver.get(self.base_url + "/")
        self.driver.find_element(By.ID, "text")  # the page is there, and its script ran after the box

    def bot_bubbles(self) -> list[str]:
        # One round trip for them all (one per bubble made each step slow as the chat grew); textContent,
        # as a bubble scrolled out of the log is still what the bot said.
        return self.driver.execute_script(
            "return Array.from(document.querySelectorAll('.bubble.bot'), bubble => bubble.textContent)")

    def say(self, text: str) -> str:
        """Type `text` and press Enter; the bot's answer to it."""
        return self._answer(lambda: self.driver.find_element(By.ID, "text").send_keys(text, Keys.ENTER))

    def pick(self, label: str) -> str:
        """Click the choice button labelled `label`; the bot's answer to it."""
        buttons = self.driver.find_elements(By.CSS_SELECTOR, "div.choices button")
        matching = [button for button in buttons if button.text.strip() == label]
        assert matching, f"no button {label!r} among {[button.text for button in buttons]}"
        return self._answer(matching[0].click)

    def _answer(self, send: Callable[[], None]) -> str:
        before = len(self.bot_bubbles())
        send()
        # All of one answer's bubbles (and its buttons) are drawn at once, so growth means it is complete.
        WebDriverWait(self.driver, REPLY_SECONDS, poll_frequency=POLL_SECONDS).until(
            lambda _driver: len(self.bot_bubbles()) > before)
        return "\n\n".join(self.bot_bubbles()[before:])


# The owner's side of a whole registration (as in tests/transcripts/registration_happy_path.txt, with
# the phone typed, as the browser vouches for no number): a button where the question offers one,
# else typed; and words the answer must contain.
Step = tuple[str, str, str]
TO_THE_NIK: list[Step] = [
    ("type", "halo", "Selamat datang di TABE"),
    ("click", "Daftarkan usaha saya", "Apakah Anda setuju?"),
    ("click", "Ya, saya setuju", "Pertanyaan 1 dari 13"),
    ("type", "Budi Santoso", "Pertanyaan 2 dari 13"),
    ("type", "6202 0541 0790 0001", "Pertanyaan 3 dari 13"),  # a Kotawaringin Timur NIK
]
AFTER_THE_NIK: list[Step] = [
    ("type", "0812-3456-7890", "Pertanyaan 4 dari 13"),
    ("type", "Warung Makan Bu Sari", "Pertanyaan 5 dari 13"),
    ("click", "Kuliner (makanan dan minuman)", "Pertanyaan 6 dari 13"),
    ("type", "Kotim", "Pertanyaan 7 dari 13"),
    ("click", "Baamang", "Pertanyaan 8 dari 13"),
    ("type", "Jl. Tjilik Riwut Km 5 No. 12, RT 03", "Pertanyaan 9 dari 13"),
    ("click", "Belum punya", "Pertanyaan 10 dari 13"),
    ("type", "2019", "Pertanyaan 11 dari 13"),
    ("type", "3 orang", "Pertanyaan 12 dari 13"),
    ("type", "Rp 15.000.000", "Pertanyaan 13 dari 13"),
    ("type", "2,5 jt", "Mohon periksa jawaban Anda"),
    ("click", "Ya, simpan", "Usaha Anda sudah terdaftar"),
]


def follow(chat: ChatPage, steps: list[Step]) -> str:
    """Take each step, checking the answer to it; the last answer."""
    answer = ""
    for action, words, expected in steps:
        answer = chat.pick(words) if action == "click" else chat.say(words)
        assert expected in answer, f"after {action} {words!r}, expected {expected!r} in:\n{answer}"
    return answer


@pytest.fixture
def chat(sqlite_database: Database) -> Iterator[ChatPage]:
    """The app on an empty registry, and a fresh Chromium on its chat page."""
    missing = chromium_missing()
    if missing and os.environ.get("TABE_REQUIRE_BROWSER"):
        pytest.fail(f"TABE_REQUIRE_BROWSER is set, but {missing}", pytrace=False)
    if missing:
        pytest.skip(missing)
    app = create_app(Settings(database_url=sqlite_database.url), sqlite_database, clock=Clock(START))
    with Server(app) as server, chromium() as driver:
        page = ChatPage(driver, server.base_url)
        page.open()
        yield page


def test_a_whole_registration_in_the_browser(chat: ChatPage, sqlite_database: Database) -> None:
    answer = follow(chat, TO_THE_NIK + AFTER_THE_NIK)

    number = REGISTRATION_NUMBER.search(answer)
    assert number, answer
    assert number.group() in chat.driver.find_element(By.ID, "log").text  # shown, not only in the DOM
    with Session(sqlite_database.engine) as session:
        assert session.scalar(select(func.count()).select_from(Business)) == 1
        assert session.scalar(select(Business.registration_number)) == number.group()


def test_a_reload_keeps_the_chat_where_it_was(chat: ChatPage) -> None:
    follow(chat, TO_THE_NIK)
    cookie = chat.driver.get_cookie(COOKIE)

    chat.driver.refresh()
    chat.driver.find_element(By.ID, "text")

    assert chat.driver.get_cookie(COOKIE) == cookie
    assert chat.bot_bubbles() == []  # the page starts empty; the chat itself lives on the server
    answer = chat.say("halo")
    assert WELCOME_BACK in answer and "Pertanyaan 3 dari 13" in answer, answer
    follow(chat, AFTER_THE_NIK[:1])


def test_the_page_loads_nothing_from_elsewhere_and_logs_no_errors(chat: ChatPage) -> None:
    chat.say("halo")  # so the script's own work (a fetch, drawing bubbles) is in the log too

    driver = chat.driver
    links = [element.get_dom_attribute("src") for element in driver.find_elements(By.CSS_SELECTOR, "script[src]")]
    links += [element.get_dom_attribute("href") for element in driver.find_elements(By.CSS_SELECTOR, "link[href]")]
    assert links, "expected the page's script and stylesheet"
    assert [link for link in links if urlsplit(link).scheme or urlsplit(link).netloc] == []
    loaded = driver.execute_script("return performance.getEntriesByType('resource').map(entry => entry.name)")
    assert [url for url in loaded if not url.startswith(chat.base_url + "/")] == []
    assert errors(driver) == []


def errors(driver: WebDriver) -> list[str]:
    """The console's errors, where this driver can read the console at all."""
    try:
        entries = driver.get_log("browser")
    except (AttributeError, WebDriverException):  # not every driver implements the log endpoint
        return []
    return [entry["message"] for entry in entries if entry["level"] == "SEVERE"]


def test_what_the_owner_types_is_shown_as_text(chat: ChatPage) -> None:
    chat.say("<img src=x onerror=alert(1)>")
    assert chat.driver.find_elements(By.CSS_SELECTOR, "#log img") == []
    assert "<img src=x onerror=alert(1)>" in chat.driver.find_element(By.ID, "log").text


@pytest.fixture
def page_client(sqlite_database: Database) -> Iterator[httpx.Client]:
    """The chat endpoint as the page's script uses it, with the cookie the page set."""
    with Server(create_app(Settings(database_url=sqlite_database.url), sqlite_database, clock=Clock(START))) as server, \
            httpx.Client(base_url=server.base_url) as client:
        client.get("/")
        yield client


def test_a_message_sent_again_with_its_id_is_answered_once(page_client: httpx.Client) -> None:
    first = page_client.post("/chat/messages", json={"id": "m1", "text": "halo"})
    again = page_client.post("/chat/messages", json={"id": "m1", "text": "halo"})
    assert "Selamat datang di TABE" in first.json()["replies"][0]["text"]
    assert again.json() == {"replies": []}


def test_each_visitor_has_their_own_chat(page_client: httpx.Client, sqlite_database: Database) -> None:
    page_client.post("/chat/messages", json={"id": "m1", "text": "daftar"})
    with httpx.Client(base_url=str(page_client.base_url)) as stranger:
        stranger.get("/")
        answer = stranger.post("/chat/messages", json={"id": "m1", "text": "halo"})  # the same id is theirs too
    assert "Menu utama" in answer.json()["replies"][-1]["text"]


@pytest.mark.parametrize("body", [b"{not json", b"[]", b'{"id": "m1"}', b'{"id": "a b", "text": "halo"}',
                                  b'{"id": "m1", "text": 5}'],
                         ids=["broken", "list", "no-text", "odd-id", "text-not-a-string"])
def test_a_malformed_message_gets_400(page_client: httpx.Client, body: bytes) -> None:
    response = page_client.post("/chat/messages", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_without_the_pages_cookie_a_message_is_refused(page_client: httpx.Client) -> None:
    page_client.cookies.clear()
    assert page_client.post("/chat/messages", json={"id": "m1", "text": "halo"}).status_code == 403
