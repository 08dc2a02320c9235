"""The registry from a page: units of work run off the event loop, reading or writing."""

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from domain.wib import in_wib
from store.db import Database
from store.registry import Registry

T = TypeVar("T")


def database_of(request: Request) -> Database:
    return request.app.state.database


def today_of(request: Request) -> date:
    """Today, the WIB calendar day by the app's clock."""
    return in_wib(request.app.state.clock()).date()


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
