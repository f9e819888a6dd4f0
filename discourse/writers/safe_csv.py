"""CSV output that is safe to open in a spreadsheet.

Comment text is written by strangers. A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab
or carriage return, which some spreadsheets skip before reading a formula) is run as a formula by
Excel, LibreOffice and Google Sheets when the CSV is opened: ``=HYPERLINK(...)`` or ``=cmd|...``
in a comment would become live. Prefixing such cells with an apostrophe makes the spreadsheet
show them as text (OWASP "CSV injection"). Numbers are left alone: a negative number is data,
not a formula. Leading white space and line breaks are looked through (`` =1+1``, ``"\n=1+1"``):
spreadsheets skip them too.

Rows end with CRLF (RFC 4180). Python's csv writer quotes a cell only when it holds a character of
the line terminator, so with a bare ``"\n"`` terminator a cell holding a lone carriage return
(``"Nice article\r=cmd|..."``) was written unquoted and read back as two rows, the second
starting with the formula. Every CSV the project writes goes through :func:`write_csv` or
:func:`to_csv`.
"""
from __future__ import annotations

from pathlib import Path

#: First characters that make a spreadsheet evaluate a cell (full-width forms included: some
#: spreadsheets normalise them).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Line end of every row: with CR in the terminator, any cell holding CR or LF is quoted.
LINE_END = "\r\n"


def neutralise_cell(value):
    """The value, with a leading apostrophe when it is a string a spreadsheet would evaluate."""
    if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES) or value.lstrip().startswith(FORMULA_PREFIXES)):
        return "'" + value
    return value


def neutralise_formulas(df):
    """A copy of ``df`` whose text cells (and column names) cannot be read as formulas."""
    from pandas.api import types

    out = df.copy()
    for i in range(out.shape[1]):
        series = out.iloc[:, i]
        if types.is_numeric_dtype(series) or types.is_datetime64_any_dtype(series):
            continue  # numbers and dates are data, never formulas
        if isinstance(series.dtype, types.CategoricalDtype):
            series = series.astype(object)
        out.isetitem(i, series.map(neutralise_cell))
    out.columns = [neutralise_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def write_csv(df, path) -> Path:
    """Write ``df`` as UTF-8 CSV (no index) with formulas neutralised; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    to_csv(df, path)
    return path


def to_csv(df, target) -> None:
    """Write ``df`` (no index) to a path or an open text stream, formulas neutralised, CRLF rows."""
    kwargs = {"encoding": "utf-8"} if isinstance(target, (str, Path)) else {}
    neutralise_formulas(df).to_csv(target, index=False, lineterminator=LINE_END, **kwargs)
