"""An owner's Telegram as the tests drive it: updates posted to the webhook, and what the owner sees."""

from typing import Any

import httpx

import telegram_updates as tg
from bot.settings import Settings
from fake_telegram import FakeTelegram
from store.db import Database

SECRET = "s3cret-Token_for-webhooks"


class TelegramUser:
    """One owner's Telegram, as the Bot API relays it to the webhook, and what they see back."""

    def __init__(self, client: httpx.Client, fake: FakeTelegram, chat_id: int) -> None:
        self.client = client
        self.fake = fake
        self.chat_id = chat_id

    def post(self, body: bytes | dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        if isinstance(body, dict):
            return self.client.post("/telegram/webhook", json=body, headers=headers)
        return self.client.post("/telegram/webhook", content=body, headers=headers | {"content-type": "application/json"})

    def send(self, update: dict[str, Any]) -> list[str]:
        """Deliver an update; the messages the owner then sees: the webhook's answer and any sent through the API."""
        before = len(self.fake.calls_to("sendMessage"))
        response = self.post(update)
        assert response.status_code == 200, response.text
        messages = [_shown(call.params) for call in self.fake.calls_to("sendMessage")[before:]]
        if response.headers["content-type"].startswith("application/json"):
            method = response.json()
            assert method["method"] == "sendMessage" and method["chat_id"] == self.chat_id
            messages.append(_shown(method))
        return messages

    def say(self, text: str) -> str:
        if text.startswith("[kontak "):
            return "\n\n".join(self.send(tg.contact(self.chat_id, text.removeprefix("[kontak ").rstrip("]"))))
        return "\n\n".join(self.send(tg.text(self.chat_id, text)))


def _shown(method: dict[str, Any]) -> str:
    """A sendMessage as the owner sees it: the text, then each keyboard row as [button] [button]."""
    rows = (method.get("reply_markup") or {}).get("keyboard", [])
    buttons = [" ".join(f"[{button['text']}]" for button in row) for row in rows]
    return "\n".join([method["text"], *buttons])


def telegram_settings(database: Database, fake: FakeTelegram) -> Settings:
    return Settings(database_url=database.url, telegram_bot_token=fake.token, telegram_webhook_secret=SECRET,
                    telegram_api_base_url=fake.origin)
