import json
import math

import pandas as pd
import pytest
from conftest import THREADS

from discourse.analysis.claims import (
    CLAIM_COLUMNS,
    COMPARE_COLUMNS,
    ClaimExtractor,
    compare_claims,
)
from discourse.analysis.units import text_units
from discourse.readers import read_threads
from discourse.resources import data_path


@pytest.fixture(scope="module")
def ex():
    return ClaimExtractor()


def one(ex, text, published=None, **match):
    found = ex.extract(text, published=published)
    for c in found:
        if all(c[k] == v for k, v in match.items()):
            return c
    raise AssertionError(f"no claim with {match} in {[(c['raw'], c['subject']) for c in found]}")


def units(*rows):
    """A units frame from (thread_id, comment_id, paragraph, text, published) tuples."""
    return pd.DataFrame(
        [{"thread_id": t, "comment_id": c, "paragraph": p, "author": None, "text": x, "published": d, "outlet": "o"}
         for t, c, p, x, d in rows])


# ---------------------------------------------------------------- extraction


def test_personnel_figure_with_source_scope_and_hedge(ex):
    c = one(ex, "Ukraine claimed that 414,680 Russian personnel taken out of action since the war broke out.",
            value=414680.0)
    assert c["subject"] == "russian personnel"
    assert c["unit"] == "people"
    assert c["attributed_to"] == "Ukraine"
    assert c["cumulative"] and "since the war broke out" in c["as_of"]
    assert c["hedged"] and "claimed" in c["hedge_terms"]
    assert c["raw"] == "414,680"
    assert c["evidence"].startswith('"414,680 Russian personnel"')


def test_month_period_resolved_against_published_date(ex):
    c = one(ex, "According to the head of the Ukrainian Air Force, Russia launched 500 drones in September, "
                "a record number.", published="2023-10-26", value=500.0)
    assert c["subject"] == "drone" and c["unit"] == "drones"
    assert c["attributed_to"] == "head of the Ukrainian Air Force"
    assert c["as_of"] == "in September" and c["period"] == "month" and c["date"] == "2023-09"
    assert not c["cumulative"]


def test_according_to_after_the_figure_and_last_24_hours(ex):
    c = one(ex, "In the last 24 hours alone, Russian anti-aircraft defense shot down 25 Ukrainian drones in "
                "the annexed regions, according to the Russian Ministry of Defense.", published="2023-10-01",
            value=25.0)
    assert c["subject"] == "ukrainian drone"
    assert c["attributed_to"] == "Russian Ministry of Defense"
    assert c["as_of"] == "In the last 24 hours" and c["period"] == "day" and c["date"] == "2023-10-01"
    assert c["action"] == "destroyed"
    # the 24 of "24 hours" is a period, not a claim
    assert all(x["value"] != 24 for x in ex.extract("In the last 24 hours, 25 drones were downed."))


@pytest.mark.parametrize("text", [
    "In 2022, Russia invaded. By 2023 the war had spread to the south.",
    "It started on February 24, 2022 at 11:43 in the morning.",
    "The 57th brigade fought on 24 February and in the 1990s.",
    "A TOR-M2 was hit, COVID-19 spread, call 555-123-4567.",
    "1. The first point is long enough to read.",
    "The report (ISBN 0123456789) is #3 on the list, No. 5 overall.",
])
def test_years_dates_times_ordinals_codes_are_not_figures(ex, text):
    assert ex.extract(text) == []


def test_a_four_digit_count_is_not_mistaken_for_a_year(ex):
    c = one(ex, "Factories produced 2000 drones last year.", published="2024-03-01", value=2000.0)
    assert c["subject"] == "drone" and c["as_of"] == "last year" and c["date"] == "2023"
    c = one(ex, "Ukraine claims to have destroyed 2239 unmanned aerial vehicles.", value=2239.0)
    assert c["subject"] == "unmanned aerial vehicle"


@pytest.mark.parametrize("text, value, low, high, unit, subject", [
    ("The city has 1.5 million people.", 1.5e6, 1.5e6, 1.5e6, "people", "people"),
    ("Polls show 38% of voters back him.", 38, 38, 38, "%", "voter back"),
    ("He said tens of thousands of civilians had been killed.", 20000, 20000, 99000, "people", "civilian"),
    ("Drone production has multiplied a hundred times in one year.", 100, 100, 100, "times", "drone production"),
    ("Dozens of drones hit the city.", 24, 24, 99, "drones", "drone"),
    ("Witnesses saw 5-10 tanks on the road.", 5, 5, 10, "tanks", "tank"),
    ("Between 20 and 30 soldiers died.", 20, 20, 30, "people", "soldier"),
    ("Ukraine would need $61 billion in aid.", 61e9, 61e9, 61e9, "USD", "aid"),
    ("Twenty-five soldiers were wounded.", 25, 25, 25, "people", "soldier"),
    ("Thousands of drones that can fly over 1,000km were built.", 2000, 2000, 9999, "drones", "drone"),
    ("The fire covered 200 square meters.", 200, 200, 200, "m2", "fire"),
])
def test_number_forms(ex, text, value, low, high, unit, subject):
    c = one(ex, text, value=float(value))
    assert (c["low"], c["high"], c["unit"], c["subject"]) == (low, high, unit, subject)


def test_hedges_and_qualifiers(ex):
    c = one(ex, "According to unverified figures, 900 troops died.", value=900.0)
    assert c["hedged"] and "unverified" in c["hedge_terms"]
    c = one(ex, "The figures could not be independently verified: about 300 troops died.", value=300.0)
    assert "could not be independently verified" in c["hedge_terms"] and c["qualifier"] == "approx"
    c = one(ex, "Russia reportedly lost 300 tanks.", value=300.0)
    assert c["hedged"] and c["hedge_terms"] == "reportedly"
    c = one(ex, "At least 12 civilians were killed.", value=12.0)
    assert c["qualifier"] == "at_least" and math.isinf(c["high"]) and "at least" in c["hedge_terms"]
    c = one(ex, "Up to 40 drones were launched.", value=40.0)
    assert c["qualifier"] == "at_most" and c["low"] == 0
    c = one(ex, "Russia lost 300 tanks.", value=300.0)
    assert not c["hedged"] and c["hedge_terms"] == "" and c["qualifier"] == "exact"


@pytest.mark.parametrize("text, source", [
    ("Officials said 40 drones were shot down overnight.", "Officials"),
    ("Russia's defence ministry says 30 Ukrainian drones were downed.", "Russia's defence ministry"),
    ("The General Staff of Ukraine said 1,200 Russian troops were killed in the past day.",
     "General Staff of Ukraine"),
    ("\u201cWe destroyed 12 tanks,\u201d said the ministry.", "ministry"),
    ("Over 400 people have died so far, the UN said.", "UN"),
    ("Ukraine\u2019s minister of strategic industries, Oleksander Kamyshin, has said 300 drones were built.",
     "Oleksander Kamyshin"),
    (("According to unverified figures released by the Ukrainian Defence Ministry, 172900 Russian personnel "
     "have so far been \u201cliquidated\u201d."), "Ukrainian Defence Ministry"),
    ("Ukraine claims it downed four drones launched by Russian forces overnight.", "Ukraine"),
    ("The casualties were 300 soldiers, as reported by the Kyiv Independent.", "Kyiv Independent"),
    ("Russia lost 300 tanks.", ""),
])
def test_attribution_forms(ex, text, source):
    found = ex.extract(text)
    assert found, text
    assert found[0]["attributed_to"] == source


def test_pronoun_and_quotation_speaker_resolution(ex):
    df = ex.transform(units(
        ("t", "", 0, "Defence minister Oleksii Reznikov said on Friday that talks would go on.", None),
        ("t", "", 1, "He said 300 tanks had been delivered.", None),
        ("t", "", 2, "According to its figures, 40 drones were downed.", None),
        ("t", "", 3, ("\u201cThe path is short. Production has multiplied a hundred times in one year. More than "
                     "200 companies began,\u201d the prime minister reported on Telegram."), None),
        ("u", "c1", -1, "He said 300 tanks had been delivered.", None),
    ))
    by_value = {(r.thread_id, r.value): r for r in df.itertuples()}
    assert by_value[("t", 300.0)].attributed_to == "Defence minister Oleksii Reznikov"
    assert by_value[("t", 40.0)].attributed_to == "Defence minister Oleksii Reznikov"
    assert by_value[("t", 100.0)].attributed_to == "prime minister"
    assert by_value[("t", 200.0)].attributed_to == "prime minister"
    # a comment's pronoun does not reach into the article
    assert by_value[("u", 300.0)].attributed_to == ""


def test_checkworthiness_has_reasons(ex):
    firm = one(ex, "The General Staff said 414,680 Russian personnel were killed since the invasion began.",
               value=414680.0)
    plan = one(ex, "Ukraine aims to produce 1 million drones next year.", value=1e6)
    assert 0 <= plan["checkworthy"] < firm["checkworthy"] <= 1
    assert "attributed to General Staff" in firm["reasons"]
    assert "plan or forecast" in plan["reasons"]


def test_transform_columns_and_empty_input(ex):
    empty = ex.transform(pd.DataFrame(columns=["thread_id", "comment_id", "paragraph", "text", "published",
                                               "outlet"]))
    assert list(empty.columns) == CLAIM_COLUMNS and len(empty) == 0
    none = ex.transform(units(("t", "", 0, "", None), ("t", "c", -1, None, None), ("t", "d", -1, "No figures.", None)))
    assert list(none.columns) == CLAIM_COLUMNS and len(none) == 0
    assert list(compare_claims(empty).columns) == COMPARE_COLUMNS
    assert list(compare_claims(None).columns) == COMPARE_COLUMNS


def test_evidence_offsets_point_into_the_text(ex):
    text = "Meanwhile, officials said 40 drones were shot down overnight."
    df = ex.transform(units(("t", "", 0, text, "2024-01-02")))
    r = df.iloc[0]
    assert text[r.start:r.end] == "40 drones"
    assert r.published == "2024-01-02" and r.comment_id == "" and r.paragraph == 0


def test_long_lines_are_safe(ex):
    """Megabyte lines without a full stop give nothing, and dense figures are all found (their cost
    is measured by ``benchmarks/bench_hostile.py``)."""
    for text in [("1,234," * 170_000)[:1_000_000], "7" * 1_000_000, "1." * 500_000, "1,2" * 330_000]:
        assert ex.extract(text) == [], text[:20]
    # dense figures: every token is a candidate number
    found = ex.extract("killed 12 soldiers, " * 10_000)
    assert len(found) == 10_000 and {c["subject"] for c in found} == {"soldier"}


def test_user_lexicon_replaces_the_packaged_one(tmp_path):
    lex = json.loads(data_path("lexicons", "claims.json").read_text(encoding="utf-8"))
    lex["hedges"].append("per unconfirmed accounts")
    p = tmp_path / "claims.json"
    p.write_text(json.dumps(lex), encoding="utf-8")
    c = ClaimExtractor(path=p).extract("Per unconfirmed accounts, 30 tanks were destroyed.")[0]
    assert "per unconfirmed accounts" in c["hedge_terms"]


# ---------------------------------------------------------------- comparison


def claims_frame(*rows):
    cols = ["thread_id", "comment_id", "value", "subject", "attributed_to", "date", "cumulative", "period",
            "as_of", "raw"]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows])


def test_growth_of_a_running_total_is_not_a_contradiction():
    df = claims_frame(
        ("t1", "", 172900.0, "russian personnel", "Ukrainian Defence Ministry", "2023-01-10", True, "cumulative",
         "so far", "172,900"),
        ("t2", "", 414680.0, "russian personnel", "Ukraine", "2024-01-12", True, "cumulative",
         "since the war broke out", "414,680"),
    )
    out = compare_claims(df)
    assert len(out) == 1
    r = out.iloc[0]
    assert r.relation == "different_dates"
    assert "12 months apart" in r.explanation and "can grow" in r.explanation
    assert (r.value_a, r.value_b) == (172900.0, 414680.0)


def test_a_running_total_that_shrinks_is_inconsistent():
    df = claims_frame(
        ("t1", "", 414680.0, "russian personnel", "A", "2024-01-12", True, "cumulative", "so far", "414,680"),
        ("t2", "", 172900.0, "russian personnel", "B", "2024-06-01", True, "cumulative", "so far", "172,900"),
    )
    assert compare_claims(df).iloc[0].relation == "inconsistent"


def test_same_date_same_scope_disagreement():
    df = claims_frame(
        ("t1", "", 25.0, "ukrainian drone", "Russian Ministry of Defense", "2023-10-01", False, "day", "", "25"),
        ("t2", "", 60.0, "drone", "Ukrainian Air Force", "2023-10-01", False, "day", "", "60"),
    )
    r = compare_claims(df).iloc[0]
    assert r.relation == "disagree" and "same date" in r.explanation


def test_undated_figures_in_one_article_can_disagree_but_not_across_articles():
    base = [("t1", "", 100.0, "tank", "", "", False, "", "", "100"),
            ("t1", "c9", 300.0, "tank", "", "", False, "", "", "300"),
            ("t2", "", 500.0, "tank", "", "", False, "", "", "500")]
    out = compare_claims(claims_frame(*base))
    rel = {(r.value_a, r.value_b): r.relation for r in out.itertuples()}
    assert rel[(100.0, 300.0)] == "disagree"
    assert rel[(100.0, 500.0)] == "different_dates" and rel[(300.0, 500.0)] == "different_dates"


def test_agreement_scope_and_subject_matching():
    df = claims_frame(
        ("t1", "", 414000.0, "casualty", "Kyiv", "", True, "cumulative", "since the invasion began", "over 414,000"),
        ("t1", "", 414680.0, "russian personnel", "Ukraine", "", True, "cumulative", "since", "414,680"),
        ("t1", "", 920.0, "loss to military personnel", "General Staff", "", False, "week", "in the week", "920"),
        ("t1", "", 5000.0, "ukrainian personnel", "Moscow", "", True, "cumulative", "so far", "5,000"),
    )
    df["low"] = df["value"]
    df["high"] = df["value"]
    df.loc[0, "high"] = math.inf  # "over 414,000"
    out = compare_claims(df)
    rel = {(r.value_a, r.value_b): r.relation for r in out.itertuples()}
    assert rel[(414000.0, 414680.0)] == "agree"
    assert rel[(414000.0, 920.0)] == "different_scope"
    # Russian and Ukrainian personnel are different quantities: never lined up
    assert not any(5000.0 in k and 414680.0 in k for k in rel)


# ---------------------------------------------------------------- golden: the sample threads


@pytest.fixture(scope="module")
def sample_claims(ex):
    threads = read_threads([str(THREADS)])
    return ex.transform(text_units(threads))


@pytest.mark.slow
def test_golden_personnel_losses_found_attributed_and_not_contradictory(sample_claims):
    c = sample_claims
    late = c[(c.value == 414680.0)]
    early = c[(c.value == 172900.0)]
    assert len(late) == 1 and len(early) == 1
    late, early = late.iloc[0], early.iloc[0]
    assert late.subject == early.subject == "russian personnel"
    assert late.attributed_to == "Ukraine" and early.attributed_to == "Ukrainian Defence Ministry"
    assert late.cumulative and early.cumulative
    assert "since the war broke out" in late.as_of and "since the start of Putin" in early.as_of
    assert early.hedged and "unverified" in early.hedge_terms
    assert late.comment_id == "" == early.comment_id
    out = compare_claims(c)
    pair = out[out.raw_a.isin(["414,680", "172900"]) & out.raw_b.isin(["414,680", "172900"])]
    assert len(pair) == 1
    assert pair.iloc[0].relation not in ("disagree", "inconsistent")
    assert "can grow" in pair.iloc[0].explanation
    assert not (out.relation == "disagree").any()


@pytest.mark.slow
def test_golden_other_sample_figures(sample_claims):
    c = sample_claims.set_index("raw")
    assert c.loc["25", "attributed_to"] == "Russian Ministry of Defense"
    assert c.loc["500", "as_of"] == "in September"
    assert c.loc["over 414,000", "subject"] == "casualty"
    assert (sample_claims.checkworthy.between(0, 1)).all()
    assert sample_claims.reasons.str.len().gt(0).all() and sample_claims.evidence.str.len().gt(0).all()


def test_claims_read_columns_and_dates_once_per_value_alike():
    """Columns are read as lists and published dates parsed once per value: a frame of several units
    gives what each unit gives alone, with or without the columns claims do not read."""
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
