"""The SQLAlchemy dialects the registry runs on, by name: both spell "insert unless the key is there"
through their own insert(); and the SQL that each spells its own way."""

from types import ModuleType
from typing import Any

from sqlalchemy import Float
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

DIALECTS: dict[str, ModuleType] = {"postgresql": postgresql, "sqlite": sqlite}


class hours_between(FunctionElement[float]):  # noqa: N801 - an SQL function, named as SQL's are
    """The hours from the first moment to the second (both columns of times), to the second, computed by the
    database."""

    type = Float()
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_between_on_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"(ROUND((julianday({end}) - julianday({start})) * 86400) / 3600.0)"


@compiles(hours_between, "postgresql")
def _hours_between_on_postgresql(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"(ROUND(EXTRACT(EPOCH FROM ({end} - {start}))) / 3600.0)"
