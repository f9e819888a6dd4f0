"""Target stance: the issue's examples, attribution rules, configuration and robustness."""
from __future__ import annotations

import pandas as pd
import pytest

from discourse.analysis.target_stance import (
    COLUMNS,
    TargetStance,
    aggregate_targets,
    surface_forms,
)


@pytest.fixture(scope="module")
def model():
    return TargetStance(salient_entities=0, article_target=False)


def frame(*texts, thread="t1", authors=None):
    return pd.DataFrame({
        "thread_id": thread,
        "comment_id": [f"c{i}" for i in range(len(texts))],
        "parent_id": None,
        "author": authors or [f"a{i}" for i in range(len(texts))],
        "text": list(texts),
    })


def stance_of(model, text, target):
    out = model.transform(frame(text))
    rows = out[out["target"] == target]
    return rows.iloc[0]["stance"] if len(rows) else None


def test_sarcasm_is_against(model):
    out = model.transform(frame("Great job NATO, another brilliant success."))
    row = out[out["target"] == "NATO/the West"].iloc[0]
    assert row["stance"] == "against" and row["score"] < 0
    assert "sarcasm" in row["evidence"]


def test_kiev_regime_is_against_ukraine_without_sentiment(model):
    assert stance_of(model, "The Kiev regime announced new measures today.", "Ukraine") == "against"


def test_putins_media_is_against_russia(model):
    text = "No they didn't. More likely is that Putin's media told you that western media is reporting that."
    assert stance_of(model, text, "Russia") == "against"


def test_kiev_alone_is_weak(model):
    out = model.transform(frame("Kiev is the capital and has about three million inhabitants."))
    row = out[out["target"] == "Ukraine"].iloc[0]
    assert row["stance"] == "none" and abs(row["score"]) < 0.3


def test_stance_bearing_alias_without_the_name(model):
    assert stance_of(model, "The orcs shelled a maternity ward.", "Russia") == "against"


def test_attribution_victim_and_labels(model):
    out = model.transform(frame("Russia invaded Ukraine and committed atrocities in Bucha.",
                                "Let's hope Russia crushes these Nazis quickly.",
                                "Zelensky is a corrupt clown."))
    got = {(r.comment_id, r.target): r.stance for r in out.itertuples()}
    assert got[("c0", "Russia")] == "against" and got[("c0", "Ukraine")] == "favor"
    assert got[("c1", "Russia")] != "against"  # the Nazis are the object, not Russia
    assert got[("c2", "Ukraine")] == "against"


def test_negation_and_scare_quotes(model):
    assert stance_of(model, "Russia is not a terrorist state.", "Russia") == "favor"
    assert stance_of(model, "Russia 'liberated' Bakhmut by reducing it to rubble.", "Russia") == "against"
    assert stance_of(model, "Russia liberated Mariupol.", "Russia") == "favor"


def test_neutral_mention_gives_none_row(model):
    out = model.transform(frame("Zelenskyy met Biden in Washington to discuss aid."))
    assert set(out["stance"]) == {"none"}
    assert {"Ukraine", "NATO/the West"} <= set(out["target"])


def test_user_target_gets_aliases_and_generic_cues():
    m = TargetStance(domain=None, targets=["Israel", "NATO"], salient_entities=0, article_target=False)
    out = m.transform(frame("The Israeli government is corrupt.", "I support NATO."))
    got = {(r.comment_id, r.target): r.stance for r in out.itertuples()}
    assert got[("c0", "Israel")] == "against"
    assert got[("c1", "NATO")] == "favor"
    assert "Israelis" in surface_forms("Israel") and "Serbian" in surface_forms("Serbia")


def test_user_target_resolves_to_pack_target():
    m = TargetStance(targets=["the West", "Kremlin"], salient_entities=0)
    assert "the West" not in m.targets and "Kremlin" not in m.targets  # aliases of pack targets


def test_salient_entities_per_thread():
    m = TargetStance(salient_entities=2, article_target=False)
    texts = ["Kamyshin said drone output will rise.", "I doubt Kamyshin knows the numbers.",
             "The Stockholm forum was busy. Kamyshin spoke at Stockholm.", "Nothing to add.",
             "Stockholm is nice in spring."]
    assert m.salient(texts) == ["Kamyshin", "Stockholm"]
    out = m.transform(frame(*texts))
    assert {"Kamyshin", "Stockholm"} <= set(out["target"])
    assert set(out.loc[out["target"] == "Kamyshin", "source"]) == {"salient"}
    # Author names and sentence-initial common words are not entities; pack aliases are not either.
    assert m.salient(["Zaphod: The war.", "The Russia thing. Zaphod again."], exclude={"Zaphod"}) == []


def test_article_target_for_top_level_comments():
    m = TargetStance(salient_entities=0)
    df = frame("This article is propaganda.", "Well said, exactly right.")
    df.loc[1, "parent_id"] = "c0"  # a reply does not answer the article
    out = m.transform(df)
    art = out[out["target"] == "article"]
    assert list(art["comment_id"]) == ["c0"] and art.iloc[0]["stance"] == "against"


def test_aggregation_by_author_thread_outlet(model):
    df = pd.concat([frame("Slava Ukraini!", "Russia is a terrorist state.", "The Kiev regime lies.",
                          authors=["ann", "ann", "bob"]).assign(outlet="X"),
                    frame("Ukraine will win.", thread="t2", authors=["bob"]).assign(outlet="Y")], ignore_index=True)
    out = model.transform(df)
    by_author = aggregate_targets(out, df, by="author")
    row = by_author[(by_author["author"] == "ann") & (by_author["target"] == "Ukraine")].iloc[0]
    assert row["favor"] == 1 and row["net"] == 1.0
    bob = by_author[(by_author["author"] == "bob") & (by_author["target"] == "Ukraine")].iloc[0]
    assert bob["n"] == 2 and bob["favor"] == 1 and bob["against"] == 1 and bob["net"] == 0.0
    by_thread = aggregate_targets(out, df, by="thread_id")
    assert set(by_thread["thread_id"]) == {"t1", "t2"}
    by_outlet = aggregate_targets(out, df, by="outlet")
    assert set(by_outlet["outlet"]) == {"X", "Y"}
    assert abs(by_outlet[["favor_share", "against_share", "none_share"]].sum(axis=1) - 1).max() < 0.01


def test_empty_input(model):
    out = model.transform(pd.DataFrame(columns=["thread_id", "comment_id", "text"]))
    assert list(out.columns) == COLUMNS and len(out) == 0
    assert len(aggregate_targets(out, None, by="author")) == 0
    assert len(model.transform(frame("", "   "))) == 0


def test_article_paragraphs_have_empty_comment_id(model):
    df = pd.DataFrame({"thread_id": ["t"], "comment_id": [""], "text": ["Russia invaded Ukraine in 2022."]})
    out = model.transform(df)
    assert set(out["comment_id"]) == {""} and "article" not in set(out["target"])


def test_megabyte_line_is_fast():
    m = TargetStance(salient_entities=3)
    line = ("Russia 'liberated' the town, the Kiev regime says, yeah right, NATO is a joke and Putin's "
            "media lies about civilians \"so called\" ") * 8000
    line = line[:1_000_000] + " x" + "a" * 50_000 + "'" * 1000 + '"' * 1000
    out = m.transform(frame(line, "Russia is winning."))  # its cost is measured by benchmarks/bench_hostile.py
    assert {"Russia", "Ukraine"} <= set(out["target"])


def test_evidence_quotes_the_text(model):
    out = model.transform(frame("Russia is a terrorist state and Putin is a war criminal."))
    ev = out[out["target"] == "Russia"].iloc[0]["evidence"]
    assert "'terrorist state'" in ev and "'war criminal'" in ev


def _example(cue) -> tuple[str, str, str]:
    """A sentence in which ``cue`` should fire, the target it should reach and the stance."""
    phrase = cue.pattern.replace("*", "")
    if cue.role == "loaded":
        key, sign = cue.effects[0]
        mention = "" if key in cue.alias_for else {"russia": "Russia", "ukraine": "Ukraine",
                                                   "nato": "NATO", "western_media": "the BBC"}[key] + " and "
        return f"{mention}{phrase} here.", key, "favor" if sign > 0 else "against"
    stance = "favor" if cue.polarity > 0 else "against"
    if cue.role == "obj":
        return f"We {phrase} Blefuscu.", "Blefuscu", stance
    victim = " civilians" if cue.needs_victim else ""
    return f"Blefuscu is {phrase}{victim}.", "Blefuscu", stance


def test_every_cue_entry_can_fire():
    m = TargetStance(targets=["Blefuscu"], salient_entities=0, article_target=False)
    labels = {k: t.label for k, t in m.targets.items()}
    entries = m.cue_entries()
    assert len(entries) > 300
    failures = []
    texts, expect = [], []
    for cue in entries:
        text, target, stance = _example(cue)
        texts.append(text)
        expect.append((labels.get(target, target), stance, cue.pattern))
    out = m.transform(frame(*texts))
    got = {(r.comment_id, r.target): r.stance for r in out.itertuples()}
    scores = {(r.comment_id, r.target): r.score for r in out.itertuples()}
    for i, (target, stance, pattern) in enumerate(expect):
        if entries[i].weight < m.threshold:  # a weak cue ("Kiev") only nudges the score
            if (scores.get((f"c{i}", target), 0) > 0) != (stance == "favor") or scores.get((f"c{i}", target)) == 0:
                failures.append((pattern, texts[i], scores.get((f"c{i}", target))))
            continue
        if got.get((f"c{i}", target)) != stance:
            failures.append((pattern, texts[i], got.get((f"c{i}", target))))
    assert not failures, failures[:20]


def test_user_files_replace_packaged_ones(tmp_path):
    pack = tmp_path / "pack.json"
    pack.write_text('{"targets": {"cats": {"label": "Cats", "aliases": ["cat", "cats"]}},'
                    ' "cues": [{"kind": "loaded label", "stance": {"cats": "against"}, "alias": ["cats"],'
                    ' "weight": 1.5, "patterns": ["furballs"]}]}', encoding="utf-8")
    m = TargetStance(path=pack, salient_entities=0, article_target=False)
    out = m.transform(frame("Those furballs again.", "Cats are brave."))
    got = {(r.comment_id, r.target): r.stance for r in out.itertuples()}
    assert got == {("c0", "Cats"): "against", ("c1", "Cats"): "favor"}


def test_embeddings_with_a_fake_encoder():
    import numpy as np

    from discourse.embeddings import Embedder

    class Fake:
        def encode(self, texts, **kw):
            return np.array([[1.0 if "win" in t.lower() else 0.1, 0.5, 0.2] for t in texts])

    emb = Embedder(model=Fake(), use_disk_cache=False)
    m = TargetStance(salient_entities=0, article_target=False, use_embeddings=True, embedder=emb)
    out = m.transform(frame("Russia will win this war.", "Ukraine exists."))
    assert emb.encoded > 0
    assert "resembles" in out[out["comment_id"] == "c0"].iloc[0]["evidence"] or len(out) == 2
