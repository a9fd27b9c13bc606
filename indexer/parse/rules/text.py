"""Paragraphs and bullets, as every layout reads them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Para:
    page: int
    text: str


def _is_bullet(line: str) -> bool:
    """"- Madame X", "− Autorisation …", "• …", or a Symbol-font bullet (private-use character)."""
    return bool(line) and (line[0] in "-−–•▪►" or "\ue000" <= line[0] <= "\uf8ff")


def _unbullet(line: str) -> str:
    """"- Madame X" → "Madame X"."""
    while line and _is_bullet(line):
        line = line[1:].lstrip()
    return line.strip()
