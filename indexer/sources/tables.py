"""Tables in clean page text, as tables: header, rows, cells.

The text path writes a table row as its cells joined by " | " (a tab-separated or
markdown row of the conversion); `find_tables` gives back the tables of a page
(consecutive rows), each with the title standing above it, its header rows (the
leading rows without figures), its body rows and its line span, so that a record
can keep them as tables, a page show them as HTML, a search index them row by row
(`row_texts`) and an export write them as CSV (`to_csv`) — and no pipe-separated
text need reach a reader (`without_tables`).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

_ROW = re.compile(r"(?:^|\s)\|(?:\s|$)")
_FIGURE = re.compile(r"^[-+−–]?\s?\d[\d\s  .,]*(?:\s?(?:€|%|k€|M€))?\*?$")
_TITLE_MAX = 200


@dataclass
class Table:
    title: str  # the caption or the line above the table ("" when none)
    header: list[list[str]]  # header rows (leading rows without figures), possibly several
    rows: list[list[str]]  # body rows, all `columns` wide
    start: int  # first line of the table in the page text (0-based)
    end: int  # line after its last one
    columns: int = 0

    def column_names(self) -> list[str]:
        """One name per column: its header cells joined ("BP 2025 (€) – Dépense"), or "colonne N"."""
        header = [list(row) for row in self.header]
        for row in header[:-1]:  # a cell spanning the columns to its right ("BP 2025" over Dépense, Recette)
            for i in range(1, len(row)):
                if not row[i] and row[i - 1] and header[-1][i]:
                    row[i] = row[i - 1]
        names = []
        for i in range(self.columns):
            parts: list[str] = []
            for row in header:
                cell = row[i] if i < len(row) else ""
                if cell and cell not in parts:
                    parts.append(cell)
            names.append(" – ".join(parts) or f"colonne {i + 1}")
        return names


def is_row(line: str) -> bool:
    return bool(_ROW.search(line))


def cells(line: str) -> list[str]:
    line = f" {line.strip()} "
    return [c.strip() for c in re.split(r"(?<=\s)\|(?=\s)", line)]


def _filled(row: list[str]) -> int:
    return sum(1 for c in row if c)


def _is_figure(cell: str) -> bool:
    return bool(_FIGURE.match(cell))


def find_tables(text: str) -> list[Table]:
    """The tables of a page: runs of consecutive table rows.  A run without any row of two
    filled cells is a caption ("Total des crédits … | | |"): a Table without rows."""
    lines = text.split("\n")
    tables: list[Table] = []
    i = 0
    while i < len(lines):
        if not is_row(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and is_row(lines[j]):
            j += 1
        tables.append(_table(lines, i, j))
        i = j
    return tables


def _table(lines: list[str], start: int, end: int) -> Table:
    grid = [cells(line) for line in lines[start:end]]
    caption: list[str] = []
    while grid and _filled(grid[0]) <= 1:  # caption rows above the table
        caption += [c for c in grid.pop(0) if c]
    if not grid:
        return Table(title=" ".join(caption), header=[], rows=[], start=start, end=end)
    width = max(len(r) for r in grid)
    grid = [r + [""] * (width - len(r)) for r in grid]
    while width > 1 and all(not r[0] for r in grid):  # an empty first column (indented rows)
        grid, width = [r[1:] for r in grid], width - 1
    while width > 1 and all(not r[-1] for r in grid):
        grid, width = [r[:-1] for r in grid], width - 1
    header_count = 0
    for row in grid[:-1]:
        filled = [c for c in row if c]
        if not filled or any(_is_figure(c) for c in filled):
            break
        header_count += 1
    if header_count == len(grid) - 1 and len(grid) > 2:
        header_count = 1  # a table of words only: the first row names the columns
    title = " ".join(caption)
    if not title:
        k = start - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        if k >= 0 and start - k <= 2 and not is_row(lines[k]) and len(lines[k].strip()) <= _TITLE_MAX:
            title = lines[k].strip()
    return Table(title=title, header=grid[:header_count], rows=grid[header_count:], start=start, end=end,
                 columns=width)


def to_csv(table: Table, delimiter: str = ";") -> str:
    """The table as CSV (header rows first); `;` by default, as French spreadsheets expect."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows(table.header)
    writer.writerows(table.rows)
    return out.getvalue()


def row_texts(table: Table) -> list[str]:
    """One line of plain text per body row, each cell named by its column
    ("Fonction : 2 ENSEIGNEMENT ; … – Dépense : 2 698 113,97"), empty cells left out."""
    names = table.column_names()
    return [" ; ".join(f"{name} : {cell}" for name, cell in zip(names, row) if cell)
            for row in table.rows if any(row)]


def without_tables(text: str) -> str:
    """The page text without its table rows (prose only; a caption stays as a plain line)."""
    lines = text.split("\n")
    starts = {t.start: t for t in find_tables(text)}
    out: list[str] = []
    i = 0
    while i < len(lines):
        table = starts.get(i)
        if table is None:
            out.append(lines[i])
            i += 1
            continue
        if table.title and not table.rows and not table.header:
            out.append(table.title)
        i = table.end
    return "\n".join(out)
