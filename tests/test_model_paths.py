"""``model._frame`` builds a frame from column lists that equals one built from row tuples."""
import math

import pandas as pd

from discourse.model import _frame


def test_frames_from_column_lists_equal_frames_from_rows():
    columns = ["s", "none", "some_none", "i", "i_none", "f", "b", "mixed", "ts"]
    rows = [("a", None, "x", 1, 1, 0.5, True, 1, "2024-01-01T00:00:00"),
            ("b", None, None, 2, None, math.nan, False, "two", None),
            ("c\u2019", None, "", -3, 3, 1e300, True, 3.5, 1_700_000_000)]
    for part in (rows, rows[:1], rows[1:2], []):
        pd.testing.assert_frame_equal(_frame(part, columns), pd.DataFrame(part, columns=columns), check_exact=True)
