"""What a question kind is: a name, a priority, when it applies, and how it answers.

Each module of `indexer.qa.kinds` declares its `KINDS`; the router (`indexer.qa.router`)
tries the kinds whose trigger matches the folded question, lowest priority first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from .common import Draft
    from .knowledge import Knowledge, RecordKnowledge

Handler = Callable[["Knowledge", str, "list[RecordKnowledge]"], "Draft | None"]


@dataclass(frozen=True)
class Kind:
    """One way of answering: `applies(q, kn)` on the folded question, then `answer(kn, q, rks)`."""

    name: str
    priority: int
    applies: Callable[[str, "Knowledge"], bool]
    answer: Handler
    specific: bool = False  # a kind about one precise fact: free kinds (who spoke, who is mentioned) step aside
    free: bool = False  # tried only when no specific kind applies
