"""A small archive index: four Pierrefonds sessions from 2015 to 2024 (../shared), built once.

Chosen for what an archive shows and one session does not: votes on agenda items without a
deliberation number (2015, 2017, 2020), numbered deliberations (2024), and one councillor
under several spellings (« M ichel LEBLANC », « R onan TANGUY », « Carine » / « Karine DUTEIL »,
« RIBERO » for Romain RIBEIRO).  Tests using it are skipped when ../shared is absent.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIERREFONDS = ROOT.parent / "shared" / "corpus-multi" / "pierrefonds"
FILES = ("compte-rendu-14-12-2015.pdf", "compte-rendu-23-08-2017.pdf", "compte-rendu-08-09-2020.pdf",
         "20241210-PV.pdf")
OLD_SESSION = "compte-rendu-14-12-2015"
PDF_SESSION = "20241210-pv"


def available() -> bool:
    return all((PIERREFONDS / name).is_file() for name in FILES)


@functools.lru_cache(maxsize=1)
def archive_home() -> Path:
    from indexer.index import index_paths

    home = Path(tempfile.mkdtemp(prefix="minutes-archive-"))
    summary = index_paths([PIERREFONDS / name for name in FILES], home=home)
    assert not summary.errors, summary.errors
    return home
