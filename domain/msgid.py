"""The marker of a msgid: words a user reads, extracted into the catalogs and translated where they are shown."""


def N_(message: str) -> str:
    """Mark a msgid for extraction where it is defined; it is translated where it is shown."""
    return message
