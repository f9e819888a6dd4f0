"""Time stamps as data carries them: ISO strings, epoch seconds or milliseconds."""
from __future__ import annotations

import math

import numpy as np


def parse_times(values) -> np.ndarray:
    """Epoch seconds (float, NaN where missing or unreadable) from ISO strings or epoch numbers."""
    import pandas as pd

    out = np.full(len(values), np.nan)
    for i, v in enumerate(values):
        if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
            continue
        num = None
        if isinstance(v, (int, float, np.integer, np.floating)):
            num = float(v)
        else:
            s = str(v).strip()
            try:
                num = float(s)
            except ValueError:
                try:
                    ts = pd.Timestamp(s)
                except (ValueError, TypeError, OverflowError):
                    continue
                if ts is pd.NaT:
                    continue
                if ts.tzinfo is None:
                    ts = ts.tz_localize("UTC")
                out[i] = ts.timestamp()
                continue
        if num is not None and np.isfinite(num):
            out[i] = num / 1000.0 if abs(num) > 1e11 else num  # milliseconds since the epoch
    return out
