"""Municipal minutes: colon turns ("Monsieur MAHUET : …") and reported speech
("M. TANGUY demande pourquoi …").  (To be written.)"""

from __future__ import annotations

from ..model import Record
from ..sources import Document


def recognises(doc: Document) -> bool:
    return False


def parse(doc: Document) -> Record:
    raise NotImplementedError
