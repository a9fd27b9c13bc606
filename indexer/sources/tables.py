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
_YEAR = re.compile(r"^(?:19|20)\d\d$")


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
    """A table row (cells joined by " | "); the search runs only on a line holding a pipe (most do not)."""
    return "|" in line and _ROW.search(line) is not None


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
        if not filled or any(_is_figure(c) and not _YEAR.match(c) for c in filled):  # « 2024 » names a column
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
    ("Fonction : 2 ENSEIGNEMENT ; … – Dépense : 2 698 113,97"), empty cells left out, a cell
    of a column without a header bare ("Recettes N ; 1 727 118,65")."""
    names = [name if any(name in row for row in table.header) or " – " in name else "" for name in table.column_names()]
    return [" ; ".join(f"{name} : {cell}" if name else cell for name, cell in zip(names, row) if cell)
            for row in table.rows if any(row)]


def without_tables(text: str) -> str:
    """The page text without its table rows (prose only; a caption stays as a plain line)."""
    return _tables_replaced(text, lambda table: [])


def _tables_replaced(text: str, lines_of) -> str:  # noqa: ANN001 - Table -> list[str]
    """`text` with each table's lines replaced by `lines_of(table)` (a caption alone stays)."""
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
        out += lines_of(table)
        i = table.end
    return "\n".join(out)


# -- tables from the layout of a PDF page ----------------------------------------------
#
# A PDF has no table rows: a reader gives lines of text, and the characters' boxes.  A line
# holding amounts (« 1 727 118,65 », « 320 € », « 12,5 % ») whose words stand in blocks far
# apart is a table row; the lines just above such rows whose words stand apart the same way
# are its header; a line of words between two rows stays in the table (a label wrapped over
# two lines, a sub-heading).  Columns are the x-spans the body rows' cells share; each cell
# goes to the column it overlaps most; the rows are written with " | " between cells, as the
# text sources write them, so that one rule (`find_tables`) reads every table.

_AMOUNT = re.compile(r"(?<![\w.,])[-+−–]?\d{1,3}(?:[ \u00a0\u202f]\d{3})*(?:,\d+)?\s?(?:€|%|k€|M€)?(?![\w])")
_STRONG_AMOUNT = re.compile(r"\d,\d{2}\b|\d\s?(?:€|%)|\d[ \u00a0\u202f]\d{3}\b")
#: a gap between two characters wider than this many font heights separates two cells
CELL_GAP = 1.2
#: lines above the first row read as its header, at most
HEADER_LINES = 4

Box = tuple[float, float, float]  # left, right, height of one character


def looks_like_row(line: str) -> bool:
    """A line that may be a table row: it holds an amount written as amounts are."""
    return bool(_STRONG_AMOUNT.search(line))


def split_cells(line: str, boxes: list[Box | None]) -> list[tuple[str, float, float]]:
    """The cells of one line from its characters' boxes: (text, left, right), split where
    the gap between two characters is wider than `CELL_GAP` character heights.  Only the
    characters next to a space (and the line's ends) need a box."""
    cells: list[tuple[str, float, float]] = []
    text, left, right, last_h = "", None, None, 0.0
    spaced = False  # a space stands before this character: a gap may open there
    for ch, box in zip(line, boxes):
        if ch.isspace():
            if text:
                text += " "
            spaced = True
            continue
        gap_here, spaced = spaced, False
        if box is None:  # a character inside a word: only the words' ends are measured
            if left is not None:
                text += ch
            continue
        x0, x1, h = box
        h = h or last_h or 10.0
        if gap_here and left is not None and right is not None and x0 - right > CELL_GAP * max(h, last_h):
            cells.append((" ".join(text.split()), left, right))
            text, left = "", None
        if left is None:
            left = x0
        text += ch
        right, last_h = max(x1, right or x1), h
    if text.strip() and left is not None and right is not None:
        cells.append((" ".join(text.split()), left, right))
    return cells


def _columns(rows: list[list[tuple[str, float, float]]]) -> list[tuple[float, float]]:
    """x-spans shared by the cells of the body rows (overlapping spans merged), left to right."""
    spans = sorted((c[1], c[2]) for row in rows for c in row)
    out: list[list[float]] = []
    for x0, x1 in spans:
        if out and x0 <= out[-1][1]:
            out[-1][1] = max(out[-1][1], x1)
        else:
            out.append([x0, x1])
    return [(a, b) for a, b in out]


def _place(row: list[tuple[str, float, float]], columns: list[tuple[float, float]]) -> list[str]:
    out = [""] * len(columns)
    for text, x0, x1 in row:
        best = max(range(len(columns)), key=lambda i: (min(x1, columns[i][1]) - max(x0, columns[i][0]),
                                                       -abs((x0 + x1) / 2 - sum(columns[i]) / 2)))
        out[best] = f"{out[best]} {text}".strip()
    return out


def layout_rows(lines: list[str], boxes_of) -> list[tuple[int, str]]:  # noqa: ANN001 - boxes_of(i) -> list[Box | None] | None
    """The page's lines, as (index of the line, its text), with its tables written as rows of
    cells (" | " between them); lines merged into a neighbouring row are left out.

    `boxes_of(i)` gives the boxes of line i's characters (None when unknown); it is asked
    only for the lines near a line that holds amounts."""
    candidates = [i for i, line in enumerate(lines) if looks_like_row(line)]
    # a row has another within a few lines: an amount alone in prose is not measured
    candidates = [c for k, c in enumerate(candidates)
                  if (k and c - candidates[k - 1] <= 5) or (k + 1 < len(candidates) and candidates[k + 1] - c <= 5)]
    if len(candidates) < 2:
        return list(enumerate(lines))
    cells: dict[int, list[tuple[str, float, float]]] = {}
    heights: dict[int, float] = {}

    def cells_of(i: int) -> list[tuple[str, float, float]]:
        if i not in cells:
            boxes = boxes_of(i) if lines[i].strip() else None
            cells[i] = split_cells(lines[i], boxes) if boxes else []
            heights[i] = max((b[2] for b in boxes or [] if b), default=10.0)
        return cells[i]

    rows = [i for i in candidates if len(cells_of(i)) >= 2]
    out = list(lines)

    def between_ok(a: int, b: int) -> bool:
        """The lines between rows a and b belong to the table: notes in a column right of the
        labels (« 2 abstentions » under VOTE), or a label wrapped over lines; a line of words at
        the labels' margin that runs into neither (« Vote : pour à l'unanimité ») ends it."""
        if not _near(lines, a, b):
            return False
        margin, height = cells_of(a)[0][1], _height(a)
        label_b = cells_of(b)[0][0] if cells_of(b) else ""
        for k in range(a + 1, b):
            text = lines[k].strip()
            if not text:
                continue
            found = cells_of(k)
            if not found:
                return False
            if found[0][1] > margin + 2 * height:
                continue
            label_a = cells_of(a)[0][0]
            if not (_continues(text, label_b) or _continues(label_a, text) or cells_of(b)[0][1] > margin + 2 * height):
                return False
        return True

    def _height(a: int) -> float:
        cells_of(a)
        return heights[a]

    i = 0
    while i < len(rows):
        block = [rows[i]]
        while i + 1 < len(rows) and between_ok(block[-1], rows[i + 1]):
            i += 1
            block.append(rows[i])
        i += 1
        k = block[-1] + 1  # rows after the last amount: « Excédents capitalisés (1068) 0 », « Total | - »
        while k < len(lines) and k - block[-1] <= 2:
            if lines[k].strip():
                found = cells_of(k)
                if len(found) < 2 or not _is_figure(found[-1][0]) and found[-1][0] not in "-–":
                    break
                block.append(k)
            k += 1
        if len(block) < 2:
            continue
        first, last = block[0], block[-1]
        body = [cells_of(k) for k in block]
        columns = _columns(body)
        if len(columns) < 2 or all(not re.search(r"\w", row[0][0]) for row in body):
            continue  # one column, or a list of bullets (« - Contribution fiscalisée : 32 849 € »)
        above = first - 1
        if (above >= 0 and lines[above].strip() and not looks_like_row(lines[above]) and cells_of(first)
                and len(cells_of(above)) == 1 and cells_of(above)[0][2] < cells_of(first)[1][1]
                and _continues(lines[above].strip(), cells_of(first)[0][0])):
            first = above  # « Union nationale » / « des combattants | 320 € … »: a label wrapped above the first row
        header: list[int] = []
        k = first - 1
        while k >= 0 and len(header) < HEADER_LINES and first - k <= HEADER_LINES + 1:
            if not lines[k].strip():
                k -= 1
                continue
            if looks_like_row(lines[k]) or len(cells_of(k)) < 2:
                break
            header.insert(0, k)
            k -= 1
        grid = {k: _place(cells_of(k), columns) for k in header}
        wrapped = None
        if header and _continues(" ".join(c for c in grid[header[-1]] if c), lines[first].strip()):
            wrapped = header.pop()  # a label wrapped above the first row (« Union nationale des »), not a header
        for k in range(first, last + 1):
            if not lines[k].strip():
                continue
            grid[k] = _place(cells_of(k), columns) if cells_of(k) else [lines[k].strip()] + [""] * (len(columns) - 1)
        _merge_wrapped_labels(grid, sorted(k for k in grid if k not in header))
        if wrapped is not None and wrapped in grid:  # not taken by the first row after all: a header
            header.append(wrapped)
        for k in sorted(grid):
            out[k] = " | ".join(grid[k]) + (" |" if sum(1 for c in grid[k] if c) == 1 else "")
        for k in range(header[0] if header else first, last + 1):
            if k not in grid:
                out[k] = None  # merged into a neighbour, or a blank line inside the table
    return [(k, line) for k, line in enumerate(out) if line is not None]


#: a line of words longer than this between two rows is prose: two tables, not one
_LABEL_MAX = 60


def _near(lines: list[str], a: int, b: int) -> bool:
    """Two rows of one table: at most four short lines of words (or blank lines) between them."""
    between = [ln.strip() for ln in lines[a + 1:b] if ln.strip()]
    return b - a <= 6 and len(between) <= 4 and all(len(ln) <= _LABEL_MAX and not ln.endswith(":") for ln in between)


_CONNECTOR = re.compile(r"(?:^|\s)(?:de|des|du|d['’]|la|le|les|l['’]|et|à|au|aux|en|par|pour|sur|avec)$", re.I)


def _continues(label: str, nxt: str) -> bool:
    """A label wrapped onto the next line: it ends on a connector word (« Union nationale des »)
    or the next line starts in lower case (« combattants », « d'élèves »)."""
    return bool(_CONNECTOR.search(label)) or nxt[:1].islower() or label.endswith("-")


def _words_only(row: list[str]) -> bool:
    return any(row) and not any(_is_figure(c) for c in row if c)


def _merge_wrapped_labels(grid: dict[int, list[str]], order: list[int]) -> None:
    """Labels wrapped over several lines join their row: a row whose first cell is empty takes
    the lines of words just above and below it; a row takes the line of words above it that
    runs into its label (« Union nationale des » / « combattants | 320 € … »)."""
    for pos, k in enumerate(order):
        if k not in grid or not any(_is_figure(c) for c in grid[k][1:] if c):
            continue
        parts = []
        empty = not grid[k][0]
        above = order[pos - 1] if pos > 0 else None
        if above in grid and _words_only(grid[above]):
            label = " ".join(c for c in grid[above] if c)
            if empty or _continues(label, grid[k][0]):
                parts.append(label)
                del grid[above]
        if grid[k][0]:
            parts.append(grid[k][0])
        below = order[pos + 1] if pos + 1 < len(order) else None
        if below in grid and _words_only(grid[below]) and not grid[below][-1]:
            label = " ".join(c for c in grid[below] if c)
            if empty or (parts and _continues(parts[-1], label)):
                parts.append(label)
                del grid[below]
        grid[k][0] = " ".join(parts)


def plain_rows(text: str) -> str:
    """The text with each table row as a line of plain text, its cells named by their columns
    (for a passage that cannot hold a table: no « | » reaches a reader)."""
    if "|" not in text:
        return text
    return _tables_replaced(text, row_texts)
