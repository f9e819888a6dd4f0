"""Tables out to CSV and Parquet.

CSV files are opened in spreadsheets, and comment text is untrusted: a cell that starts with
``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would run as a formula, so it gets a leading
apostrophe. Numbers stay numbers (a negative score is not text). Parquet keeps the exact values.
"""
from __future__ import annotations

import logging
from pathlib import Path

# One implementation of formula neutralisation for every CSV the project writes.
from .safe_csv import neutralise_formulas, write_csv

log = logging.getLogger("discourse")

__all__ = ["neutralise_formulas", "write_csv", "write_tables"]


def _parquet_ready(frame):
    """Object columns holding mixed values become strings (Parquet needs one type per column)."""
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col].dropna()}
            if len(kinds) > 1 or (kinds and not kinds <= {str}):
                out[col] = out[col].map(lambda v: None if pd.isna(v) else str(v))
    return out


def write_tables(tables: dict, out_dir: str | Path, formats=("csv", "parquet")) -> list[Path]:
    """Write each table as ``NAME.csv`` and ``NAME.parquet`` in ``out_dir``; returns the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in tables.items():
        if frame is None:
            continue
        if "csv" in formats:
            written.append(write_csv(frame, out_dir / f"{name}.csv"))
        if "parquet" in formats:
            try:
                path = out_dir / f"{name}.parquet"
                _parquet_ready(frame).to_parquet(path, index=False)
                written.append(path)
            except ImportError:
                log.warning("pyarrow is not installed: Parquet files skipped")
                formats = tuple(f for f in formats if f != "parquet")
    return written
