"""The SQLAlchemy dialects the registry runs on, by name: both spell "insert unless the key is there"
through their own insert()."""

from types import ModuleType

from sqlalchemy.dialects import postgresql, sqlite

DIALECTS: dict[str, ModuleType] = {"postgresql": postgresql, "sqlite": sqlite}
