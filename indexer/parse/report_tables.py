"""Tables of deliberations (annexed reports, articles) kept as tables in the record.

The sources write a table row as its cells joined by " | "; left in the text (which the
parsers flatten into paragraphs), these rows reach readers as "pipe soup"
(`| 2 698 113,97 | 8 421 989,00 |`).  `split_tables`, applied by a parser to a paragraph
before it flattens it, gives back the prose and the tables (title, header rows, body rows,
page) for `Deliberation.tables`; a table that continues on the next page without
repeating its header is kept as one table.
"""

from __future__ import annotations

import re

from ..model import ReportTable
from ..sources.tables import Table, find_tables, without_tables

_TITLE_MAX = 160
_BLANKS = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def split_tables(text: str, page: int | None, part: str) -> tuple[str, list[ReportTable]]:
    """(the text without its tables, the tables), pages told by form feeds in `text`."""
    if "|" not in text:
        return text, []
    prose: list[str] = []
    tables: list[ReportTable] = []
    open_table: ReportTable | None = None  # the last table, if nothing but blank lines follows it
    for i, chunk in enumerate(text.split("\f")):
        number = page + i if page is not None else None
        found = [t for t in find_tables(chunk) if t.rows]
        lines = chunk.split("\n")
        before_first = "\n".join(lines[: found[0].start]) if found else chunk
        for k, t in enumerate(found):
            continued = (k == 0 and open_table is not None and not t.header and not before_first.strip()
                         and t.columns == len(open_table.rows[0]))
            if continued:
                open_table.rows.extend(t.rows)
            else:
                tables.append(ReportTable(title=t.title, header=t.header, rows=t.rows, page=number, part=part))
        rest = without_tables(chunk)
        prose.append(rest)
        if found:
            after_last = "\n".join(lines[found[-1].end:])
            open_table = tables[-1] if not after_last.strip() else None
        elif chunk.strip():
            open_table = None
    cleaned = "\f".join(_BLANKS.sub("\n\n", p) for p in prose)
    return cleaned.strip("\n"), tables


def table_title(line: str) -> str:
    """The short line standing above a table as its title (« II. La reprise du résultat », « Total
    des crédits sollicités : »), or "" for a line of prose."""
    line = " ".join(line.split()).rstrip(" :")
    if not re.search(r"[^\W\d_]{2}", line) or len(line) > _TITLE_MAX or line.endswith((".", ";", ",")):
        return ""
    return line


def as_table(t: ReportTable) -> Table:
    """A record's table with the interface of `sources.tables.Table` (column names, rows as text, CSV)."""
    width = max((len(r) for r in [*t.header, *t.rows]), default=0)
    return Table(title=t.title, header=t.header, rows=t.rows, start=0, end=0, columns=width)


def table_lines(t: ReportTable) -> str:
    """A table as plain lines (one a row, cells named by their columns), for where no table can stand."""
    from ..sources.tables import row_texts

    return "\n".join(row_texts(as_table(t)))
