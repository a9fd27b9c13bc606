"""Departmental verbatim minutes: "M. LE PRESIDENT.- …" turns, numbered reports,
vote blocks, vœux and deliberations.  (Being written.)"""

from __future__ import annotations

from ..model import Record
from ..sources import Document


def recognises(doc: Document) -> bool:
    return False


def parse(doc: Document) -> Record:
    raise NotImplementedError
