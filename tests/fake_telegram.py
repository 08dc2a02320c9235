"""A fake Telegram Bot API on loopback, for tests and benchmarks.

The real python-telegram-bot client talks to it over HTTP and gets answers shaped like Telegram's:

    with FakeTelegram() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.base_url)
        await bot.send_message(42, "Halo")
        assert fake.sent(42) == ["Halo"]

As a separate process (for benchmarks), printing its base URL once it listens:

    .venv/bin/python tests/fake_telegram.py --port 8081 [--token TOKEN] [--enforce-limits]

There, `GET /_fake/stats` counts the calls per method and the 429s answered, and `POST /_fake/updates` (a JSON
update) queues an update for getUpdates.

With `enforce_limits` (`--enforce-limits`) it holds a bot to Telegram's limits as a benchmark must: a
sendMessage that would make more than 30 accepted in any one second, or a second to one chat within a
second, is answered 429 "Too Many Requests: retry after N". Off by default, so tests run at full speed.

How PTB v22 sends a request (telegram/request/_requestdata.py, _httpxrequest.py): always POST, as
`application/x-www-form-urlencoded` (multipart when a file is uploaded), never as a JSON body. Each field is
`RequestParameter.json_value`: strings go as they are, anything else (int, bool, list, dict such as
reply_markup) is `json.dumps`-ed. So "42" is a chat id of 42, but a text "42" must stay a string: fields
that are always strings are kept raw, every other field is JSON-decoded when it parses.

How PTB reads an error: by the HTTP status, not by "ok"/"error_code": 403 → Forbidden, 401 and 404 →
InvalidToken (an unknown method too), 400 → BadRequest, 409 → Conflict; any answer whose "parameters"
holds "retry_after" raises RetryAfter whatever the status.

Deliberate differences from Telegram: webhook URLs are not checked (Telegram wants HTTPS on 443/80/88/8443),
texts are echoed as sent (Telegram strips HTML/Markdown and adds entities), every chat is a private chat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server import BackgroundApp

DEFAULT_TOKEN = "123456789:AAE-fake-token-for-loopback-tests-only"
BOT_FIRST_NAME = "TABE"
BOT_USERNAME = "tabe_test_bot"
MAX_TEXT_LENGTH = 4096
PER_SECOND = 30  # sendMessage calls a bot may make in any one second, over all chats
CHAT_GAP = 1.0  # seconds between two messages to one chat

# Fields that are strings in the Bot API: PTB sends them unencoded, so JSON-decoding them would turn a
# text such as "123" or "true" into a number or a boolean.
_STRING_FIELDS = frozenset(
    {
        "text", "caption", "url", "secret_token", "parse_mode", "callback_query_id", "action", "ip_address",
        "business_connection_id", "message_effect_id", "language_code", "description", "short_description",
        "name", "title", "query", "emoji",
    }
)  # fmt: skip

Reply = tuple[int, dict[str, Any]]
Handler = Callable[[dict[str, Any]], Reply | Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Call:
    """One request the fake answered: the Bot API method, its decoded parameters, and the HTTP status."""

    method: str
    chat_id: int | str | None
    params: dict[str, Any]
    status: int


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A multipart file part, kept whole so a test can look at it."""

    filename: str | None
    content_type: str | None
    content: bytes


def _ok(result: Any, description: str | None = None) -> Reply:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return 200, body


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> Reply:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


def _json_response(status: int, body: dict[str, Any]) -> Response:
    # Compact separators and a plain Response: this is the hot path of the throughput benchmark.
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(content, status_code=status, media_type="application/json")


def _decode_field(name: str, value: str) -> Any:
    if name in _STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # a string such as "@channel" that PTB sent as it is


async def read_params(request: Request) -> dict[str, Any]:
    """The request's parameters, decoded as Telegram does: query string, then a JSON, form or multipart body."""
    params: dict[str, Any] = {key: _decode_field(key, value) for key, value in request.query_params.items()}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    params[key] = UploadedFile(value.filename, value.content_type, await value.read())
                else:
                    params[key] = _decode_field(key, value)
        return params
    body = await request.body()
    if not body:
        return params
    if content_type.startswith("application/json"):
        params.update(json.loads(body))  # JSON bodies carry native values: nothing to decode
    else:
        params.update((key, _decode_field(key, value)) for key, value in parse_qsl(body.decode(), True))
    return params


def _bot_id(token: str) -> int:
    prefix = token.split(":", 1)[0]
    return int(prefix) if prefix.isdigit() else 123456789


class FakeTelegram(BackgroundApp):
    """A fake Bot API server: records every call, answers like Telegram, and fails on request.

    Thread-safe: the server runs in its own thread and event loop; tests read and steer it from theirs.
    """

    def __init__(self, token: str = DEFAULT_TOKEN, host: str = "127.0.0.1", port: int = 0,
                 enforce_limits: bool = False) -> None:
        self.token = token
        self.enforce_limits = enforce_limits
        super().__init__(host, port)
        self.bot_user: dict[str, Any] = {
            "id": _bot_id(token),
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
        }
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._message_ids: defaultdict[int | str, int] = defaultdict(int)
        self._first_names: dict[int | str, str] = {}
        self._blocked: set[int | str] = set()
        self._rate_limited = 0
        self._retry_after = 3
        self._accepted_at: deque[float] = deque()  # sendMessage calls accepted within the last second
        self._last_to: dict[int | str, float] = {}
        self._too_many = 0
        self._webhook: dict[str, Any] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._commands: list[dict[str, Any]] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._arrived: asyncio.Event | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "sendMessage": self._send_message,
                "sendChatAction": self._send_chat_action,
                "answerCallbackQuery": self._answer_callback_query,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "getUpdates": self._get_updates,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
            }.items()
        }
        self.app = Starlette(
            routes=[
                Route("/_fake/stats", self._stats, methods=["GET"]),
                Route("/_fake/updates", self._queue_update_endpoint, methods=["POST"]),
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            ]
        )

    # ---- running -------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The value for PTB's `base_url` (PTB appends the token, then `/method`)."""
        return f"{self.origin}/bot"

    # ---- what happened -------------------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every call answered so far, in order (a copy)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls of one Bot API method, e.g. "sendMessage"."""
        return [call for call in self.calls if call.method == method]

    def sent(self, chat_id: int | str) -> list[str]:
        """The texts delivered to a chat (refused sendMessage calls are not delivered)."""
        return [
            call.params["text"]
            for call in self.calls
            if call.method == "sendMessage" and call.status == 200 and str(call.chat_id) == str(chat_id)
        ]

    @property
    def too_many_requests(self) -> int:
        """How many sendMessage calls were answered 429, asked for or over the limits."""
        with self._lock:
            return self._too_many

    @property
    def webhook(self) -> dict[str, Any]:
        """What setWebhook stored (url, secret_token, allowed_updates, ...); empty when none is set."""
        with self._lock:
            return dict(self._webhook)

    def reset(self) -> None:
        """Forget the calls, failures and queued updates; keep the webhook and message ids."""
        with self._lock:
            self._calls.clear()
            self._blocked.clear()
            self._rate_limited = 0
            self._updates.clear()
            self._accepted_at.clear()
            self._last_to.clear()
            self._too_many = 0

    # ---- steering ------------------------------------------------------------------------------------

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sendMessage and sendChatAction to this chat answer 403."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def rate_limit_next(self, count: int, retry_after: int = 3) -> None:
        """Answer the next `count` sendMessage calls with 429 "Too Many Requests: retry after N"."""
        with self._lock:
            self._rate_limited = count
            self._retry_after = retry_after

    def queue_update(self, update: dict[str, Any]) -> int:
        """Queue an update for getUpdates (an update_id is added if missing); returns its update_id."""
        update = dict(update)
        with self._lock:
            update_id = int(update.setdefault("update_id", self._next_update_id))
            self._next_update_id = max(self._next_update_id, update_id + 1)
            self._remember_first_name(update)
            self._updates.append(update)
            loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_pollers)
        return update_id

    def _remember_first_name(self, update: dict[str, Any]) -> None:
        # So that sendMessage answers with the chat the owner wrote from, as Telegram would.
        message = update.get("message") or update.get("edited_message") or {}
        chat = message.get("chat") or {}
        if "id" in chat and "first_name" in chat:
            self._first_names[chat["id"]] = chat["first_name"]

    # ---- HTTP ----------------------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        try:
            params = await read_params(request)
        except ValueError:
            return _json_response(*_error(400, "Bad Request: can't parse request body"))
        entry = self._methods.get(request.path_params["method"].lower())
        name = entry[0] if entry else request.path_params["method"]
        if request.path_params["token"] != self.token:
            status, body = _error(401, "Unauthorized")
        elif entry is None:
            status, body = _error(404, "Not Found: method not found")
        else:
            answer = entry[1](params)
            status, body = await answer if isinstance(answer, Awaitable) else answer
        call = Call(name, params.get("chat_id"), params, status)
        with self._lock:
            self._calls.append(call)
        return _json_response(status, body)

    async def _stats(self, request: Request) -> Response:
        with self._lock:
            counts = Counter(call.method for call in self._calls)
            pending = len(self._updates)
            too_many = self._too_many
        return _json_response(200, {"calls": dict(counts), "total": sum(counts.values()), "pending_updates": pending,
                                    "too_many_requests": too_many})

    async def _queue_update_endpoint(self, request: Request) -> Response:
        update_id = self.queue_update(json.loads(await request.body()))
        return _json_response(200, {"ok": True, "result": update_id})

    # ---- Bot API methods -----------------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any]) -> Reply:
        return _ok(
            {
                **self.bot_user,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
                "can_connect_to_business": False,
                "has_main_web_app": False,
                "has_topics_enabled": False,
                "allows_users_to_create_topics": False,
            }
        )

    def _send_message(self, params: dict[str, Any]) -> Reply:
        chat_id, text = params.get("chat_id"), params.get("text")
        refused = self._check_chat(chat_id)
        if refused:
            return refused
        if text is None or not str(text).strip():
            return _error(400, "Bad Request: message text is empty")
        if len(str(text)) > MAX_TEXT_LENGTH:
            return _error(400, "Bad Request: message is too long")
        with self._lock:
            now = time.monotonic()
            wait: float | None = None
            if self._rate_limited > 0:
                self._rate_limited -= 1
                wait = self._retry_after
            elif self.enforce_limits:
                wait = self._over_limits(chat_id, now)
            if wait is not None:
                self._too_many += 1
                seconds = max(1, math.ceil(wait))
                return _error(429, f"Too Many Requests: retry after {seconds}", {"retry_after": seconds})
            if chat_id in self._blocked:
                return _error(403, "Forbidden: bot was blocked by the user")
            self._accepted(chat_id, now)
            self._message_ids[chat_id] += 1
            message_id = self._message_ids[chat_id]
            first_name = self._first_names.get(chat_id, "Pengguna")
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": {"id": chat_id, "first_name": first_name, "type": "private"},
            "date": int(time.time()),
            "text": str(text),
        }
        markup = params.get("reply_markup")
        # Telegram returns only inline keyboards in Message.reply_markup (PTB parses it as
        # InlineKeyboardMarkup and would fail on a reply keyboard); the others are recorded in `calls`.
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return _ok(message)

    def _over_limits(self, chat_id: int | str, now: float) -> float | None:
        """Seconds until a message to this chat would be within the limits; None when it is now. Under the lock."""
        while self._accepted_at and self._accepted_at[0] <= now - 1:
            self._accepted_at.popleft()
        if len(self._accepted_at) >= PER_SECOND:
            return self._accepted_at[0] + 1 - now
        last = self._last_to.get(chat_id)
        if last is not None and now - last < CHAT_GAP:
            return last + CHAT_GAP - now
        return None

    def _accepted(self, chat_id: int | str, now: float) -> None:
        """Count an accepted message against the limits. Under the lock."""
        if not self.enforce_limits:
            return
        self._accepted_at.append(now)
        if len(self._last_to) > 10_000:  # a broadcast's chats, forgotten once their second is over
            self._last_to = {chat: moment for chat, moment in self._last_to.items() if now - moment < CHAT_GAP}
        self._last_to[chat_id] = now

    def _check_chat(self, chat_id: Any) -> Reply | None:
        if chat_id is None or chat_id == "":
            return _error(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            return _error(400, "Bad Request: chat not found")  # usernames of channels/groups: none exist here
        return None

    def _send_chat_action(self, params: dict[str, Any]) -> Reply:
        chat_id = params.get("chat_id")
        refused = self._check_chat(chat_id)
        if refused:
            return refused
        if not params.get("action"):
            return _error(400, "Bad Request: action is empty")
        with self._lock:
            if chat_id in self._blocked:
                return _error(403, "Forbidden: bot was blocked by the user")
        return _ok(True)

    def _answer_callback_query(self, params: dict[str, Any]) -> Reply:
        if not params.get("callback_query_id"):
            return _error(400, "Bad Request: QUERY_ID_INVALID")
        return _ok(True)

    def _set_webhook(self, params: dict[str, Any]) -> Reply:
        url = params.get("url", "")
        if not url:
            return self._delete_webhook(params)
        webhook = {
            "url": url,
            "has_custom_certificate": "certificate" in params,
            "max_connections": int(params.get("max_connections") or 40),
        }
        for key in ("ip_address", "allowed_updates", "secret_token"):
            if params.get(key) is not None:
                webhook[key] = params[key]
        with self._lock:
            self._webhook = webhook
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return _ok(True, "Webhook was set")

    def _delete_webhook(self, params: dict[str, Any]) -> Reply:
        with self._lock:
            had_webhook = bool(self._webhook)
            self._webhook = {}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return _ok(True, "Webhook was deleted" if had_webhook else "Webhook is already deleted")

    def _get_webhook_info(self, params: dict[str, Any]) -> Reply:
        with self._lock:
            webhook = dict(self._webhook)
            pending = len(self._updates)
        info: dict[str, Any] = {"url": webhook.get("url", ""), "has_custom_certificate": False}
        info.update({key: value for key, value in webhook.items() if key != "secret_token"})  # never shown
        info["pending_update_count"] = pending
        return _ok(info)

    async def _get_updates(self, params: dict[str, Any]) -> Reply:
        with self._lock:
            if self._webhook:
                return _error(409, "Conflict: can't use getUpdates method while webhook is active; "
                                   "use deleteWebhook to delete the webhook first")  # fmt: skip
            self._loop = asyncio.get_running_loop()
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(params.get("timeout") or 0), 0.0)
        while True:
            arrived = self._arrival()  # taken before looking, so an update queued meanwhile still wakes us
            updates = self._take_updates(offset, limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self.stopping:
                return _ok(updates)
            try:
                await asyncio.wait_for(arrived.wait(), min(remaining, 0.5))  # 0.5: notice a stop() soon
            except TimeoutError:
                pass

    def _arrival(self) -> asyncio.Event:
        if self._arrived is None:
            self._arrived = asyncio.Event()
        return self._arrived

    def _wake_pollers(self) -> None:
        arrived, self._arrived = self._arrived, None
        if arrived is not None:
            arrived.set()

    def _take_updates(self, offset: int, limit: int) -> list[dict[str, Any]]:
        with self._lock:
            if offset > 0:  # confirms, and so forgets, every update before `offset`
                self._updates = [update for update in self._updates if update["update_id"] >= offset]
            elif offset < 0:  # only the last -offset updates; Telegram forgets the earlier ones
                self._updates = self._updates[offset:]
            return self._updates[:limit]

    def _set_my_commands(self, params: dict[str, Any]) -> Reply:
        with self._lock:
            self._commands = list(params.get("commands") or [])
        return _ok(True)

    def _get_my_commands(self, params: dict[str, Any]) -> Reply:
        with self._lock:
            return _ok(list(self._commands))

    def _delete_my_commands(self, params: dict[str, Any]) -> Reply:
        with self._lock:
            self._commands = []
        return _ok(True)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the fake Telegram Bot API until interrupted.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--enforce-limits", action="store_true", help="answer 429 beyond 30/s and 1/s per chat")
    args = parser.parse_args()
    FakeTelegram(token=args.token, host=args.host, port=args.port, enforce_limits=args.enforce_limits) \
        .serve_until_interrupted(lambda fake: f"FAKE_TELEGRAM_BASE_URL={fake.base_url} TOKEN={fake.token}")


if __name__ == "__main__":
    main()
