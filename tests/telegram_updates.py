"""Telegram Update JSON as the Bot API delivers it, for the webhook and polling tests."""

import itertools
from typing import Any

BOT_ID = 7000000001
_update_ids = itertools.count(100000001)
_message_ids = itertools.count(1)
DATE = 1795000000  # 2026-11-18, a Unix time as Telegram sends it


def user(chat_id: int, first_name: str = "Sari") -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "id"}


def private_chat(chat_id: int, first_name: str = "Sari") -> dict[str, Any]:
    return {"id": chat_id, "first_name": first_name, "type": "private"}


def _message(chat_id: int, **content: Any) -> dict[str, Any]:
    return {"message_id": next(_message_ids), "from": user(chat_id), "chat": private_chat(chat_id), "date": DATE,
            **content}


def update(**kinds: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), **kinds}


def text(chat_id: int, words: str) -> dict[str, Any]:
    content: dict[str, Any] = {"text": words}
    if words.startswith("/"):
        length = len(words.split()[0])
        content["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return update(message=_message(chat_id, **content))


def contact(chat_id: int, phone_number: str, own: bool = True) -> dict[str, Any]:
    shared = {"phone_number": phone_number, "first_name": "Sari"}
    if own:
        shared["user_id"] = chat_id
    return update(message=_message(chat_id, contact=shared))


def photo(chat_id: int, caption: str | None = None) -> dict[str, Any]:
    sizes = [{"file_id": "AgACAgUAAxkBAAI", "file_unique_id": "AQADzL0xG", "width": 90, "height": 67,
              "file_size": 1204}]
    return update(message=_message(chat_id, photo=sizes, **({"caption": caption} if caption else {})))


def sticker(chat_id: int) -> dict[str, Any]:
    return update(message=_message(chat_id, sticker={
        "file_id": "CAACAgIAAxkBAAI", "file_unique_id": "AgADGgADwDZPEw", "type": "regular", "width": 512,
        "height": 512, "is_animated": False, "is_video": False, "emoji": "\U0001f44d"}))


def location(chat_id: int) -> dict[str, Any]:
    return update(message=_message(chat_id, location={"latitude": -2.2136, "longitude": 113.9108}))


def voice(chat_id: int) -> dict[str, Any]:
    return update(message=_message(chat_id, voice={
        "file_id": "AwACAgUAAxkBAAI", "file_unique_id": "AgADtQ8AAq", "duration": 3, "mime_type": "audio/ogg"}))


def edited(chat_id: int, words: str) -> dict[str, Any]:
    message = _message(chat_id, text=words)
    message["edit_date"] = DATE + 60
    return update(edited_message=message)


def button_press(chat_id: int, data: str = "old") -> dict[str, Any]:
    bot_message = {"message_id": next(_message_ids), "date": DATE, "chat": private_chat(chat_id), "text": "Pilih:",
                   "from": {"id": BOT_ID, "is_bot": True, "first_name": "TABE", "username": "tabe_test_bot"}}
    return update(callback_query={"id": "4382bfdwdsb323b2d9", "from": user(chat_id), "chat_instance": "-1234567",
                                  "message": bot_message, "data": data})


def membership(chat_id: int, status: str) -> dict[str, Any]:
    """my_chat_member: the user blocked the bot ("kicked") or started it again ("member")."""
    old, new = ("member", "kicked") if status == "kicked" else ("kicked", "member")
    return update(my_chat_member={"chat": private_chat(chat_id), "from": user(chat_id), "date": DATE,
                                  "old_chat_member": _bot_member(old), "new_chat_member": _bot_member(new)})


def _bot_member(status: str) -> dict[str, Any]:
    bot_user = {"id": BOT_ID, "is_bot": True, "first_name": "TABE", "username": "tabe_test_bot"}
    return {"status": status, "user": bot_user, **({"until_date": 0} if status == "kicked" else {})}


def group_text(chat_id: int, words: str) -> dict[str, Any]:
    message = _message(chat_id, text=words)
    message["chat"] = {"id": -1001234567890, "title": "UMKM Sampit", "type": "supergroup"}
    return update(message=message)
