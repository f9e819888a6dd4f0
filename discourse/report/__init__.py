"""Reports: per-thread pages, the index and cross-group comparisons, drawn from analysis tables.

The pipeline hands over a dict of DataFrames (``comments``, ``threads``, ``targets``, ``topics``,
``frames``, ``narratives``, ``claims``, ``claim_comparison``, optionally ``sentences``) and the
threads. Any table may be missing or empty; the page then says "not available" for that part.
Pages are self-contained (inline CSS, plots as data: URIs, no scripts, a strict
Content-Security-Policy) and every input string is escaped, so a hostile comment stays text.
Importing this package is light: matplotlib and pandas load only when something is drawn or
read, so CSV writers can use :mod:`discourse.report.safe_csv` freely.
"""
from .compare import compare
from .manifest import apply_manifest, load_manifest
from .reports import write_reports
from .safe_csv import neutralise_formulas, write_csv
from .summary import extractive_summary

__all__ = [
    "apply_manifest", "compare", "extractive_summary", "load_manifest", "neutralise_formulas",
    "write_csv", "write_reports",
]
