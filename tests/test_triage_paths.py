"""Triage's shortcuts: the link search skipped only where no link can be, and numbers read in one
pass as one by one."""
import math

import pandas as pd

from discourse.analysis.triage import _URL, TriagePriority, _num, _nums


def test_triage_link_search_is_skipped_only_where_no_link_can_be():
    texts = ["see HTTPS://X.COM/a", "WwW.example.org", "htt\u017f://x.org", "www.x", "http:/x", "://x", "plain",
             "Www .x", "\u1e9e://x", "link:https://a.b/c?d=e and more words here"]
    model = TriagePriority(site_hosts=("a.b",))
    for text in texts:
        if _URL.findall(text):
            assert "://" in text or "www." in text.lower(), text
        assert isinstance(model.spam_parts(text), list)
    assert model.spam_parts("see HTTPS://X.COM/a") and not model.spam_parts("plain")


def test_triage_numbers_read_in_one_pass_as_one_by_one():
    for values in ([0.5, math.nan, -0.0, math.inf, 1e-300], [1, 0, -7, 2**60], ["0.5", None, "x", 3, math.nan],
                   [True, False]):
        column = pd.Series(values)
        assert _nums(column) == [_num(v) for v in values]
        assert all(type(v) is float for v in _nums(column))
    assert _nums(pd.Series([0.25, None], dtype="Float64")) == [0.25, 0.0]
