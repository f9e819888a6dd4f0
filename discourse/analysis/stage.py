"""The contract every analysis stage keeps, and the context a run hands it.

A stage is a small object with a ``name``, what it ``requires`` (tables and columns an earlier
stage must have written), what it can ``use`` when present (with the reduced mode it falls back
to otherwise, in ``reduced``), what it ``provides``, and ``run(ctx)``. The
:class:`~discourse.analysis.pipeline.Analyzer` orders stages from these declarations, refuses a
selection that starves a stage, and tells the user which stages run reduced.

Requirements are written ``"table"`` (the table must exist) or ``"table.column"`` (the column
must be in it), e.g. ``"comments.stance"``. The ``comments`` table with the thread columns
(``thread_id, comment_id, parent_id, author, depth, position, text, …``) exists before any
stage runs, as do the text units (article paragraphs and comments) and their token layer.

A custom stage (see the README)::

    class Shouting(Stage):
        name = "shouting"
        requires = ("comments.text",)
        provides = ("comments.shouting",)

        def run(self, ctx):
            text = ctx.comments["text"].fillna("")
            ctx.add_columns(ctx.comments[["thread_id", "comment_id"]].assign(
                shouting=text.str.count(r"[A-Z]") / text.str.len().clip(lower=1)))

    analyze(threads, stages=[*DEFAULT_STAGES, Shouting()])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..model import FRAME_COLUMNS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from .result import Analysis

#: the ``comments`` columns every run starts with (from :func:`discourse.model.threads_to_frame`)
BASE_COLUMNS = FRAME_COLUMNS


class Stage:
    """One named analysis step. Subclasses set the class attributes and implement :meth:`run`."""

    #: unique name, used by ``--skip`` and in progress messages
    name: str = ""
    #: tables or ``table.column`` entries that must exist before the stage can run
    requires: tuple[str, ...] = ()
    #: entries read when present; without them the stage runs in its ``reduced`` mode
    uses: tuple[str, ...] = ()
    #: what the stage runs like without its ``uses`` (shown to the user when that happens)
    reduced: str = ""
    #: tables or ``table.column`` entries the stage adds
    provides: tuple[str, ...] = ()
    #: whether the stage reads sentence vectors (the run encodes texts up front only if one does)
    needs_embeddings: bool = False
    #: languages the stage's resources cover; other text gets a note instead of a score
    languages: tuple[str, ...] = ("en",)

    def run(self, ctx: RunContext) -> None:  # pragma: no cover - every stage overrides it
        raise NotImplementedError

    def texts_to_encode(self, ctx: RunContext) -> list[str]:
        """Texts whose vectors this stage will ask the encoder for (encoded once, up front)."""
        return []

    def __repr__(self) -> str:
        return f"<stage {self.name}>"


@dataclass
class RunContext:
    """What one run hands every stage: the analysis being built and the run's settings.

    Nothing here is global: the encoder, the configuration and every switch are passed in, so two
    runs with different settings in one process do not see each other.
    """

    analysis: Analysis
    embedder: Any = None
    config: dict = field(default_factory=dict)
    targets: list[str] | None = None
    domain: str | None = "russia_ukraine"
    use_embeddings: bool = True
    seed: int = 42
    quiet: bool = True
    options: dict = field(default_factory=dict)

    # -- shortcuts to the analysis ---------------------------------------------------------------
    @property
    def tables(self) -> dict:
        return self.analysis.tables

    @property
    def comments(self) -> pd.DataFrame:
        return self.analysis.tables["comments"]

    @property
    def units(self):
        return self.analysis.units

    @property
    def articles(self) -> dict[str, str]:
        return self.analysis.articles

    @property
    def tokens(self):
        """The token layer of every unit (see :mod:`discourse.tokens`)."""
        return self.analysis.tokens

    def encoder(self):
        """The run's one sentence encoder, or None under ``--fast``."""
        return self.embedder if self.use_embeddings else None

    def has(self, entry: str) -> bool:
        """Whether ``"table"`` or ``"table.column"`` is present in the analysis."""
        table, _, column = entry.partition(".")
        frame = self.analysis.tables.get(table)
        if frame is None:
            return False
        return not column or column in frame.columns

    def add_columns(self, extra: pd.DataFrame) -> None:
        """Add ``extra``'s columns to ``comments`` by (thread_id, comment_id), replacing older ones."""
        self.analysis.tables["comments"] = merge_columns(self.comments, extra)

    def note(self, text: str) -> None:
        """A note for people (printed by the CLI, kept in the report)."""
        if text not in self.analysis.notes:
            self.analysis.notes.append(text)


def merge_columns(comments: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    """``comments`` with ``extra``'s columns joined on (thread_id, comment_id); ``extra`` wins."""
    keys = ["thread_id", "comment_id"]
    new = [c for c in extra.columns if c not in keys]
    base = comments.drop(columns=[c for c in new if c in comments.columns])
    return base.merge(extra[keys + new], on=keys, how="left")
