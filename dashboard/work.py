"""The registry from a page: units of work run off the event loop, reading or writing."""

from collections.abc import Callable
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from store.db import Database
from store.registry import Registry

T = TypeVar("T")


def database_of(request: Request) -> Database:
    return request.app.state.database


async def read(request: Request, work: Callable[[Registry], T]) -> T:
    """`work` on a read-only snapshot of the registry, which never waits for the chats' writes."""
    def run() -> T:
        with database_of(request).reading(request.app.state.clock()) as registry:
            return work(registry)
    return await run_in_threadpool(run)


async def write(request: Request, work: Callable[[Registry], T]) -> T:
    """`work` in one transaction: it commits as a whole, or not at all."""
    def run() -> T:
        with database_of(request).transaction(request.app.state.clock()) as registry:
            return work(registry)
    return await run_in_threadpool(run)
