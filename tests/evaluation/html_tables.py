"""Reads an HTML table as a user does: its header row and, per row, the text of each cell."""

from __future__ import annotations

from html.parser import HTMLParser


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self._depth = 0
        self._cell: list[str] | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []
        elif tag == "span" and self._cell is not None:
            hidden = "visually-hidden" in (dict(attrs).get("class") or "")
            self._hidden += 1 if hidden or self._hidden else 0

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "span" and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if self._cell is not None and not self._hidden:
            self._cell.append(data)


def visible_tables(html: str) -> list[list[list[str]]]:
    """Every table of the page, as rows of cell texts; visually hidden text left out."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def table_records(html: str, first_header: str) -> list[dict[str, str]]:
    """The rows of the table whose first column header is `first_header`, each as
    {column header: cell text}."""
    for table in visible_tables(html):
        if table and table[0] and table[0][0] == first_header:
            headers = table[0]
            return [dict(zip(headers, row, strict=False)) for row in table[1:]]
    raise AssertionError(f"aucun tableau ne commence par « {first_header} »")


def table_by_headers(html: str, first_header: str) -> dict[str, dict[str, str]]:
    """The same table as {row header (first column): {column header: cell text}}."""
    return {row[first_header]: row for row in table_records(html, first_header)}
