"""Page numbers as typed in a link (`?page=2`), read one way for every paged list of the dashboard."""

LAST_PAGE = 999_999_999  # nine digits: far past any list's end, and far from what int() or an OFFSET refuses


def page_number(typed: str | None) -> int | None:
    """The page asked for, 1 when none is; None when what was typed is no page number (0, "dua", "²", 10 digits)."""
    if typed is None:
        return 1
    digits = typed.strip()
    # isdecimal, not isdigit: "²" is a digit, yet int() refuses it.
    if not digits.isdecimal() or len(digits) > len(str(LAST_PAGE)) or int(digits) < 1:
        return None
    return int(digits)
