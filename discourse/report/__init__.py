"""Reports: per-thread pages, the index and cross-group comparisons, drawn from analysis tables.

The pipeline hands over a dict of DataFrames (``comments``, ``threads``, ``targets``, ``topics``,
``frames``, ``narratives``, ``claims``, ``claim_comparison``, optionally ``sentences``) and the
threads. Any table may be missing or empty; the page then says "not available" for that part.
Pages are self-contained (inline CSS, plots as data: URIs, no scripts, a strict
Content-Security-Policy) and every input string is escaped, so a hostile comment stays text.
Importing this package is light: matplotlib and pandas load only when something is drawn or
read. Input metadata (``manifest.csv``) is read in :mod:`discourse.readers.manifest`; CSV is written by
:mod:`discourse.writers.safe_csv`.
"""
from .compare import compare
from .reports import write_reports
from .summary import extractive_summary

__all__ = ["compare", "extractive_summary", "write_reports"]
