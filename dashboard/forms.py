"""What officers typed into a form or a query, as text the registry can hold."""


def typed_text(value: object) -> str:
    """A form's or query's value as text: "" for none (or for a file), and without NULs, which no officer types
    and PostgreSQL refuses in text."""
    return value.replace("\x00", "") if isinstance(value, str) else ""
