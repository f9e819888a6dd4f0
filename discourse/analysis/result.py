"""What a run produces: :class:`Analysis`, a mapping of table name to DataFrame.

It also keeps the threads, the text units with their token layer, the articles' text, notes for
people and each stage's time, so reports and later stages find everything in one place.
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ..model import Thread


@dataclass(eq=False)
class Analysis(Mapping):
    """Tables by name (``analysis["comments"]``, ``list(analysis)``, ``len(analysis)``), plus the
    run's threads, text units, token layer, article texts, notes and stage timings."""

    threads: list[Thread]
    tables: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    units: object = None  # article paragraphs and comments (see units.text_units)
    articles: dict[str, str] = field(default_factory=dict)
    tokens: object = None  # the token layer of the units (see discourse.tokens.TokenLayer)

    def __getitem__(self, name: str):
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    @property
    def comments(self):
        return self.tables["comments"]
