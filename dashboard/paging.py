"""The dashboard's paged lists, one way: the page asked for in a link (`?page=2`), and where that page is."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from math import ceil
from urllib.parse import urlencode

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


@dataclass(frozen=True)
class Pager:
    """One page of a list, `size` rows a page: which page it is, of how many, the rows before it, and the pages
    its links (dashboard/templates/_pager.html) offer."""

    number: int
    pages: int
    size: int
    query: Mapping[str, str] = field(default_factory=dict)  # the list's other parameters, which its page links keep

    @classmethod
    def over(cls, asked: int, total: int, size: int, query: Mapping[str, str] | None = None) -> "Pager":
        """The page asked for of a list of `total` rows; past the end, the last."""
        pages = max(1, ceil(total / size))
        return cls(min(asked, pages), pages, size, query or {})

    def seen(self, rows: int) -> "Pager":
        """This page of a list that is not counted, having read `rows` (its page and one row more, if there is one):
        its pages are those up to this one, and one more while there are older rows."""
        return replace(self, pages=self.number + 1) if rows > self.size else self

    @property
    def offset(self) -> int:
        """The rows on the pages before this one."""
        return (self.number - 1) * self.size

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.pages else None

    def around(self) -> list[int | None]:
        """The page numbers to link: the first, the last, two either side of this one; None for a gap."""
        shown = sorted({1, self.pages, *range(max(1, self.number - 2), min(self.pages, self.number + 2) + 1)})
        with_gaps: list[int | None] = []
        for number in shown:
            if with_gaps and number - (with_gaps[-1] or 0) > 1:
                with_gaps.append(None)
            with_gaps.append(number)
        return with_gaps

    def link(self, number: int) -> str:
        """Another page of the list: the same path, with the same parameters."""
        return "?" + urlencode({**self.query, "page": number})
