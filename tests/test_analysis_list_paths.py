"""The list-based paths of disinfo and coordination give what the pandas-based ones gave.

``_plain_threads`` is ``DisinfoRisk.threads`` as it was before it walked row lists (pandas
frames per thread); the screened phrase matcher is compared with the matcher it screens for.
"""
import math

import numpy as np
import pandas as pd

from discourse.analysis.disinfo import (
    _LINK_OR_HANDLE,
    THREAD_COLUMNS,
    DisinfoRisk,
    _noisy_or,
    _Screened,
    clip,
)
from discourse.text import PhraseMatcher


def _plain_threads(self, unit_risk, comments, articles: dict[str, str] | None = None,
            published: dict[str, str] | None = None):
    """disinfo.DisinfoRisk.threads as it was: pandas frames per thread."""
    import pandas as pd

    from discourse.times import parse_times

    w = self.weights
    rows = []
    articles = articles or {}
    risk_of = dict(zip(zip(unit_risk["thread_id"].tolist(), unit_risk["comment_id"].tolist()),
                       zip(unit_risk["disinfo_risk"].tolist(), unit_risk["disinfo_reasons"].tolist())))
    groups = dict(tuple(comments.groupby("thread_id"))) if len(comments) else {}
    thread_ids = list(dict.fromkeys(list(articles) + list(groups)))
    for tid in thread_ids:
        g = groups.get(tid)
        article_text = (articles.get(tid) or "").strip()
        parts: list[tuple[float, str]] = []
        art_risk, art_reasons = risk_of.get((tid, ""), (0.0, ""))
        if art_risk:
            parts.append((w["thread_article_weight"] * art_risk, f"article: {art_reasons.split('; ')[0]}"))
        claim_text, responses = article_text, g
        stamp = (published or {}).get(tid) or ""
        source_time = parse_times([stamp])[0] if ("T" in stamp or ":" in stamp) else math.nan
        if g is not None and len(g) and not article_text:
            roots = g[g["parent_id"].isna() | (g["parent_id"] == "")]
            first = roots.sort_values("position").iloc[0] if len(roots) else g.iloc[0]
            claim_text = first["text"] or ""
            responses = g[g["comment_id"] != first["comment_id"]]
            if "timestamp" in g and not pd.isna(first["timestamp"]) and first["timestamp"]:
                source_time = parse_times([first["timestamp"]])[0]
        hedge, quote = self.hedge_cues(claim_text)
        if hedge:
            parts.append((w["hedged_claim"] * hedge, f"the claim is hedged: '{clip(quote)}'"))
        share, n_resp, deny_level = 0.0, 0, 0.0
        if responses is not None and len(responses) and "stance" in responses:
            stances = responses["stance"].dropna()
            n_resp = len(stances)
            if n_resp:
                share = float(stances.isin(["deny", "query"]).mean())
                # how strongly the replies deny, from the model's probabilities when present
                # (smoother than counting labels on a dozen replies), else the label share
                if "p_deny" in responses and responses["p_deny"].notna().any():
                    deny_level = float(responses["p_deny"].astype(float).mean())
                else:
                    deny_level = float((stances == "deny").mean())
            base = w["stance_pattern_baseline"]
            if n_resp >= w["stance_pattern_min_replies"] and deny_level > base:
                excess = min((deny_level - base) / (w["stance_pattern_full"] - base), 1.0)
                n_deny = int((stances == "deny").sum())
                n_query = int((stances == "query").sum())
                parts.append((w["stance_pattern_weight"] * excess,
                              (f"replies lean toward denial (mean deny probability {deny_level:.2f}; "
                              f"{n_deny} of {n_resp} replies deny, {n_query} question it)")))
        negation_share, spread, contested = math.nan, math.nan, math.nan
        if responses is not None and len(responses):
            times = parse_times(responses["timestamp"].tolist()) if "timestamp" in responses \
                else np.full(len(responses), np.nan)
            texts = [t if isinstance(t, str) else "" for t in responses["text"].tolist()]
            c = self.contested(texts, times.tolist(), source_time)
            negation_share, spread, contested = c["share"], c["spread"], c["score"]
            if c["replies"] >= w["contested_min_replies"]:
                how = f"{c['negating']} of {c['replies']} replies contain a negation"
                if c["example"]:
                    how += f", e.g. '{clip(c['example'][0], 60)}' ({c['example'][1]})"
                if spread:
                    how += f"; reply times spread {spread:.2f} (log seconds)"
                parts.append((w["contested_weight"] * contested, f"replies push back on the claim: {how}"))
        if g is not None and len(g):
            risks = sorted((risk_of.get((tid, c), (0.0, ""))[0], c) for c in g["comment_id"].tolist())[::-1]
            top = risks[: int(w["thread_top_comments"])]
            mean_top = float(np.mean([r for r, _ in top])) if top else 0.0
            if mean_top:
                first_reason = risk_of[(tid, top[0][1])][1].split("; ")[0]
                parts.append((w["thread_comment_weight"] * mean_top,
                              f"riskiest comments (mean {mean_top:.2f}), e.g. {top[0][1]}: {first_reason}"))
        risk, reasons = _noisy_or(parts, w["min_contribution"])
        rows.append((tid, risk, reasons, art_risk, round(share, 4), round(deny_level, 4), n_resp,
                     round(negation_share, 4), round(spread, 4), round(contested, 4)))
    return pd.DataFrame(rows, columns=THREAD_COLUMNS)


def _comments():
    rng = np.random.default_rng(3)
    rows = []
    replies = ["Not true at all", "This never happened", "no", "Source?", "media lies again", "ok",
               "they don\u2019t want you to know", "@nobody https://x.com/not", "", "I heard it was staged"]
    for t in range(7):
        for k in range(int(rng.integers(1, 9))):
            rows.append({
                "thread_id": f"t{t}", "comment_id": f"c{t}_{k}",
                "parent_id": None if k in (0, 3) else ("" if k == 4 else f"c{t}_0"),
                "position": int(rng.integers(0, 4)),  # ties: the first root is chosen as before
                "text": ("unconfirmed: reportedly 40 dead" if k == 0 else "staged?" if k in (3, 4)
                         else replies[int(rng.integers(len(replies)))]),  # (a root without text fails)
                "stance": [None, "deny", "query", "support", "comment", "deny"][int(rng.integers(6))],
                "p_deny": float(rng.random()) if t != 2 and rng.random() < 0.8 else math.nan,
                "timestamp": None if t == 3 else f"2024-01-0{1 + k % 3}T10:{k:02d}:00",
            })
    rows.append(dict(rows[0], thread_id=None, comment_id="orphan"))
    return pd.DataFrame(rows)


def test_threads_from_row_lists_equal_the_frame_version():
    model = DisinfoRisk()
    comments = _comments()
    articles = {"t0": "Officials say the bridge collapsed.", "t1": "", "t5": "Unverified: sources say",
                "t9": "An article with no comments"}
    units = model.transform(comments, articles=articles)
    published = {"t0": "2024-01-01T09:00:00", "t5": "2024-01-01"}
    for arts, pub in ((articles, published), (None, None), ({}, {})):
        fast = model.threads(units, comments, arts, published=pub)
        plain = _plain_threads(model, units, comments, arts, published=pub)
        pd.testing.assert_frame_equal(fast, plain, check_exact=True)
    for drop in (["stance"], ["p_deny"], ["timestamp"], ["stance", "p_deny", "timestamp"]):
        c = comments.drop(columns=drop)
        pd.testing.assert_frame_equal(model.threads(units, c, articles), _plain_threads(model, units, c, articles),
                                      check_exact=True)
    empty = comments.iloc[:0]
    pd.testing.assert_frame_equal(model.threads(units, empty, articles), _plain_threads(model, units, empty, articles),
                                  check_exact=True)


def test_screened_phrases_find_what_the_matcher_finds():
    phrases = ["media lies", "fake news", "they don't want you to know", "cover-up", "msm", "i heard", "do"]
    screened, plain = _Screened(phrases), PhraseMatcher(phrases)
    texts = ["The MEDIA lies!", "fake  news", "They don\u2019t want you to know", "cover up", "coverup",
             "msm.", "amsm", "I heard", "do", "don't", "They do not want you to know", "", "medialies",
             "news fake", "Ich habe — MSM", "İ heard"]
    for text in texts:
        assert screened.find(text) == plain.find(text), text
    assert screened.possible("Coverup") and not screened.find("Coverup")  # a screen, not a match


def test_negation_skips_the_link_pass_only_when_nothing_would_go():
    model = DisinfoRisk()
    for text in ["not @now", "no www.x.org", "HTTP://not.com never", "fine", "Didn\u2019t", "@ no", "http no"]:
        lower = text.lower().replace("\u2019", "'")
        m = model._negation.search(_LINK_OR_HANDLE.sub(" ", lower))
        assert model.negation(text) == (m.group() if m else "")


def _normalise_plain(text):
    import re
    import unicodedata

    if text is None or (isinstance(text, float) and math.isnan(text)):
        return ""
    t = unicodedata.normalize("NFKC", str(text)).casefold()
    t = re.sub(r"(?:https?://|www\.)\S*", " ", t, flags=re.IGNORECASE)
    t = re.sub(r"@\w+", " ", t)
    return re.sub(r"[\W_]+", " ", t).strip()


def test_normalise_skips_only_passes_that_would_find_nothing():
    from discourse.analysis.coordination import normalise

    for text in ["HTTP://x.org/a b", "ＨＴＴＰＳ://x", "ſee www.Y.com", "WWW.x", "mail me@x.org", "＠handle hi",
                 "plain text", "", None, math.nan, 42, "htTp:/not a link", "ẞtraße @ß"]:
        assert normalise(text) == _normalise_plain(text), text


def test_coordination_shortcut_for_unique_texts_changes_nothing(monkeypatch):
    from discourse.analysis import coordination
    from discourse.analysis.coordination import Coordination

    base = ["the same slogan pasted by many accounts today", "a quite different comment about the war",
            "the same slogan pasted by many accounts today!", "another unrelated long enough comment here",
            "short", "the same slogan pasted by many account today"]
    n = 40
    frame = pd.DataFrame({
        "thread_id": [f"t{i % 3}" for i in range(n)], "comment_id": [f"c{i}" for i in range(n)],
        "author": [None if i % 7 == 0 else f"a{i % 5}" for i in range(n)],
        "text": [base[i % len(base)] if i % 4 else f"unique comment number {i} with enough words" for i in range(n)],
        "position": list(range(n)), "timestamp": [1_700_000_000 + 30 * i for i in range(n)],
    })
    model = Coordination(use_embeddings=False)
    fast = model.transform(frame)
    assert (fast["exact_duplicates"] > 0).any() and (fast["burst_size"] > 0).any()
    monkeypatch.setattr(coordination, "_SHORTCUT", False)
    pd.testing.assert_frame_equal(fast, model.transform(frame), check_exact=True)


def test_triage_link_search_is_skipped_only_where_no_link_can_be():
    from discourse.analysis.triage import _URL, TriagePriority

    texts = ["see HTTPS://X.COM/a", "WwW.example.org", "htt\u017f://x.org", "www.x", "http:/x", "://x", "plain",
             "Www .x", "\u1e9e://x", "link:https://a.b/c?d=e and more words here"]
    model = TriagePriority(site_hosts=("a.b",))
    for text in texts:
        if _URL.findall(text):
            assert "://" in text or "www." in text.lower(), text
        assert isinstance(model.spam_parts(text), list)


def test_claims_read_columns_and_dates_once_per_value_alike():
    from discourse.analysis.claims import ClaimExtractor

    texts = ["Officials said 40 people died on 3 March.", "The ministry reported 1,200 soldiers killed.",
             "no figures here", "", "Over 300 homes were destroyed, the mayor said.", "  ",
             "According to Reuters, 12 drones were shot down."]
    published = ["2024-03-05", "2024-03-05T10:00:00", None, math.nan, " 2023-12 ", "2024-03-05", "garbage"]
    units = pd.DataFrame({"thread_id": [f"t{i % 2}" for i in range(len(texts))],
                          "comment_id": [f"c{i}" for i in range(len(texts))], "paragraph": -1, "author": "a",
                          "text": texts, "published": published, "outlet": ["o", None, "o", "o", "p", "o", "o"]})
    model = ClaimExtractor()
    whole = model.transform(units)
    assert len(whole) >= 3
    alone = pd.concat([model.transform(units.iloc[[i]]) for i in range(len(units))], ignore_index=True)
    pd.testing.assert_frame_equal(whole, alone.astype(whole.dtypes.to_dict()), check_exact=True)
    bare = model.transform(units.drop(columns=["paragraph", "author"]))
    pd.testing.assert_frame_equal(whole, bare, check_exact=True)


def test_frames_from_column_lists_equal_frames_from_rows():
    from discourse.model import _frame

    columns = ["s", "none", "some_none", "i", "i_none", "f", "b", "mixed", "ts"]
    rows = [("a", None, "x", 1, 1, 0.5, True, 1, "2024-01-01T00:00:00"),
            ("b", None, None, 2, None, math.nan, False, "two", None),
            ("c\u2019", None, "", -3, 3, 1e300, True, 3.5, 1_700_000_000)]
    for part in (rows, rows[:1], rows[1:2], []):
        pd.testing.assert_frame_equal(_frame(part, columns), pd.DataFrame(part, columns=columns), check_exact=True)


def test_thread_table_from_row_lists_equals_the_groupby_version():
    from discourse.analysis.pipeline import STANCES, thread_table
    from discourse.model import Article, Comment, Thread

    threads = [Thread(thread_id=f"t{k}", source="s", article=Article(title="T", text="a b c", outlet="o"),
                      comments=[Comment(comment_id=f"c{k}{i}", author=None if i == 2 else f"a{i % 2}", text="x")
                                for i in range(k)]) for k in range(4)]
    comments = pd.DataFrame({
        "thread_id": ["t1", "t2", "t2", "t3", "t3", "t3", None],
        "author": ["a0", "a1", None, "a0", "a0", "a1", "z"],
        "depth": [0, 0, 1, 0, 2, 1, 5],
        "sentiment": [0.1, -0.3, math.nan, 0.2, 0.7, -0.1, 1.0],
        "stance": ["deny", "query", None, "comment", "deny", "deny", "deny"],
    })

    def plain(threads, comments):
        rows = []
        by_thread = {tid: g for tid, g in comments.groupby("thread_id")} if not comments.empty else {}
        for t in threads:
            g = by_thread.get(t.thread_id)
            n = 0 if g is None else len(g)
            row = {"thread_id": t.thread_id, "title": t.article.title, "outlet": t.article.outlet,
                   "published": t.article.published, "url": t.article.url, "source": t.source, "comments": n,
                   "authors": 0 if g is None else int(g["author"].dropna().nunique()),
                   "max_depth": 0 if g is None else int(g["depth"].max()),
                   "article_words": len(t.article.text.split())}
            row["sentiment_mean"] = float(g["sentiment"].mean()) if n and "sentiment" in g else None
            for s in STANCES:
                row[s] = float((g["stance"] == s).mean()) if n and "stance" in g else None
            rows.append(row)
        return pd.DataFrame(rows)

    for frame in (comments, comments.drop(columns=["sentiment", "stance"]), comments.astype({"depth": float}),
                  comments.iloc[:0]):
        pd.testing.assert_frame_equal(thread_table(threads, frame), plain(threads, frame), check_exact=True)


def test_best_rows_from_column_lists_match_records():
    from discourse.analysis.disinfo import _best_per_unit

    frame = pd.DataFrame({
        "thread_id": ["t", "t", "t", "u", "u"], "comment_id": ["", "c1", "c1", "c2", "c2"],
        "narrative": ["n1", "n2", None, "n3", "n4"], "subnarrative": [None, "s", "s2", math.nan, ""],
        "score": [0.5, 0.7, 0.9, 0.1, 0.1], "paragraph": [0, -1, -1, -1, -1], "raw": [1, None, 3.5, "x", "y"],
        "evidence": pd.array(["a", None, "c", "d", "e"], dtype="str"), "other": [object(), 1, 2, 3, 4],
    })
    for by in ("score", None):
        want = _best_per_unit(frame, by=by)
        got = _best_per_unit(frame, by=by, columns=("narrative", "subnarrative", "score", "raw", "evidence", "nope"))
        assert list(got) == list(want)
        for key, row in got.items():
            assert set(row) == {"thread_id", "comment_id", "narrative", "subnarrative", "score", "raw", "evidence"}
            for col, value in row.items():
                expected = want[key][col]
                assert type(value) is type(expected), (col, value, expected)
                both_nan = isinstance(value, float) and math.isnan(value) and math.isnan(expected)
                assert value == expected or both_nan, (col, value, expected)


def test_triage_numbers_read_in_one_pass_as_one_by_one():
    from discourse.analysis.triage import _num, _nums

    for values in ([0.5, math.nan, -0.0, math.inf, 1e-300], [1, 0, -7, 2**60], ["0.5", None, "x", 3, math.nan],
                   [True, False]):
        column = pd.Series(values)
        assert _nums(column) == [_num(v) for v in values]
        assert all(type(v) is float for v in _nums(column))
    assert _nums(pd.Series([0.25, None], dtype="Float64")) == [0.25, 0.0]


def test_normalise_ascii_byte_pass_equals_the_regex():
    from discourse.analysis.coordination import normalise

    for code in range(128):
        c = chr(code)
        for text in (c, "a" + c + "b", c * 3 + "x", "x" + c, "Ab_9" + c + " z", "_" + c + "_"):
            assert normalise(text) == _normalise_plain(text), repr(text)


def test_pruned_pairs_exact_when_vectors_live_almost_in_the_head():
    from discourse.analysis.coordination import _dense_pairs, _dense_pairs_direct

    rng = np.random.default_rng(1)
    basis = rng.normal(size=(60, 384))
    low = rng.normal(size=(2300, 60)) @ basis  # rank 60: the rest is only the tiny noise below
    low[1200:] = low[:1100] + rng.normal(scale=0.3, size=(1100, 1)) * rng.normal(size=(1100, 60)) @ basis / 8
    vectors = (low + rng.normal(scale=1e-4, size=low.shape)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    full = _dense_pairs_direct(vectors, 0.92)
    assert len(full) > 100
    assert [p[:2] for p in _dense_pairs(vectors, 0.92)] == [p[:2] for p in full]
