"""Possible-disinformation scores, triage priority, the SQLite review queue and its commands."""
from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pandas as pd
import pytest

from discourse.analysis.disinfo import DisinfoRisk
from discourse.analysis.triage import TriagePriority, incivility_signal
from discourse.cli import main
from discourse.config import load_config
from discourse.errors import InputError
from discourse.moderation.queue import ReviewQueue, fingerprints

SAMPLE = Path("threads/001_2a083d8a6e258254.txt")


def frame(**cols):
    n = len(next(iter(cols.values())))
    base = {"thread_id": ["t"] * n, "comment_id": [f"c{i}" for i in range(n)], "author": [f"a{i}" for i in range(n)],
            "parent_id": [None] * n}
    base.update(cols)
    return pd.DataFrame(base)


# -- config ---------------------------------------------------------------------------------------

def test_config_overrides_and_rejects_unknown_keys(tmp_path):
    user = tmp_path / "c.toml"
    user.write_text("[triage]\nincivility = 0.5\n", encoding="utf-8")
    cfg = load_config(user)
    assert cfg["triage"]["incivility"] == 0.5 and cfg["triage"]["disinfo"] == load_config()["triage"]["disinfo"]
    user.write_text("[triage]\nincivilty = 0.5\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown key"):
        load_config(user)
    user.write_text("[triage\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_config(user)


# -- disinformation risk ----------------------------------------------------------------------------

def test_press_cues_and_reasons():
    model = DisinfoRisk()
    comments = frame(text=["The Western media assured us this would never happen.", "Nice weather today."])
    out = model.transform(comments).set_index("comment_id")
    assert out.loc["c0", "disinfo_risk"] > 0.3
    assert "delegitimises the press: 'media assured us'" in out.loc["c0", "disinfo_reasons"]
    assert out.loc["c1", "disinfo_risk"] == 0 and out.loc["c1", "disinfo_reasons"] == ""


def test_thread_risk_rises_with_denials_under_the_claim():
    """The hand-set reply-stance pattern (used when no veracity head is packaged)."""
    model = DisinfoRisk()
    model.veracity = None

    def thread_risk(stances):
        c = frame(text=["BREAKING: unconfirmed reports of an explosion"] + ["reply"] * len(stances),
                  stance=["support"] + stances)
        c["parent_id"] = [None] + ["c0"] * len(stances)
        c["position"] = range(len(c))
        units = model.transform(c)
        return model.threads(units, c).iloc[0]

    calm = thread_risk(["comment", "support", "comment", "comment", "support"])
    doubted = thread_risk(["deny", "query", "deny", "comment", "query"])
    assert doubted.disinfo_risk > calm.disinfo_risk
    assert "replies lean toward denial" in doubted.disinfo_reasons
    assert "hedged" in calm.disinfo_reasons  # "unconfirmed" in the claim itself


# -- triage priority -------------------------------------------------------------------------------

def test_triage_reasons_for_each_signal():
    c = frame(
        text=["You are an idiot", "Buy now http://spam.example/x", "THIS IS ALL A LIE AND EVERYONE KNOWS IT",
              "I love this thoughtful piece", "What a stupid, hateful, awful reply"],
        incivility=[0.9, 0.0, 0.2, 0.0, 0.5], incivility_reasons=["insult aimed at a1: 'idiot'", "", "", "", ""],
        sentiment=[-0.5, 0.0, -0.3, 0.9, -0.9], disinfo_risk=[0, 0, 0.5, 0, 0],
        disinfo_reasons=["", "", "delegitimises the press: 'x'", "", ""],
    )
    c.loc[4, "parent_id"] = "c3"
    out = TriagePriority().transform(c).set_index("comment_id")
    assert "insult aimed at a1" in out.loc["c0", "triage_reasons"]
    assert "link to spam.example" in out.loc["c1", "triage_reasons"]
    assert "capital letters" in out.loc["c2", "triage_reasons"]
    assert out.loc["c3", "triage_priority"] == 0 and out.loc["c3", "triage_reasons"] == ""
    assert "reply much more negative than its parent (a3" in out.loc["c4", "triage_reasons"]
    assert out.triage_priority.between(0, 1).all()


def _kinds_frame():
    """A swear word aimed at no one (P(toxic) high, P(insult) low) and a condescending attack on the
    person answered (P(toxic) lower, all of it insult), as the incivility stage scores them."""
    c = frame(text=["Anyone can make crap products.", "Can you write in understandable English?", "Nice."],
              incivility=[0.87, 0.62, 0.02], incivility_kind=["obscene", "insult", ""],
              incivility_reasons=["profanity: 'crap'", "attack aimed at a0: 'Can you write'", ""],
              p_insult=[0.30, 0.60, 0.0], p_threat=[0.01, 0.0, 0.0], p_identity_attack=[0.07, 0.01, 0.0],
              p_obscene=[0.18, 0.0, 0.0])
    c.loc[1, "parent_id"] = "c0"
    return c


def test_triage_puts_an_attack_on_a_person_above_a_swear_word_aimed_at_no_one():
    out = TriagePriority().transform(_kinds_frame()).set_index("comment_id")
    assert out.loc["c1", "triage_priority"] > out.loc["c0", "triage_priority"] > out.loc["c2", "triage_priority"]
    assert out.loc["c1", "triage_reasons"].startswith(
        "incivility 0.62, insult / personal attack 0.60: attack aimed at a0: 'Can you write'")
    assert out.loc["c0", "triage_reasons"].startswith(
        "incivility 0.87, obscene, not aimed at a person or group: profanity: 'crap'")
    # the swear word still counts, at the untargeted discount
    w = load_config()["triage"]["incivility_untargeted"]
    assert out.loc["c0", "triage_priority"] == pytest.approx(max(0.30, w * 0.87), abs=1e-3)


def test_triage_without_kinds_or_kind_blind_counts_the_whole_probability(tmp_path):
    c = _kinds_frame()
    blind = c.drop(columns=["p_insult", "p_threat", "p_identity_attack", "p_obscene", "incivility_kind"])
    out = TriagePriority().transform(blind).set_index("comment_id")
    assert out.loc["c0", "triage_priority"] == pytest.approx(0.87) and out.loc["c0", "triage_reasons"].startswith(
        "incivility 0.87: profanity")
    user = tmp_path / "c.toml"
    user.write_text("[triage]\nincivility_untargeted = 1.0\n", encoding="utf-8")
    same = TriagePriority(config=load_config(user)).transform(c)
    assert same["triage_priority"].tolist() == out["triage_priority"].tolist()


def test_incivility_signal_names_the_kind_that_counted():
    assert incivility_signal(0.8, {}, 0.35) == (0.8, "")
    assert incivility_signal(0.7, {"insult": 0.1, "threat": 0.65, "identity_attack": 0.0}, 0.35) == (0.65, "threat 0.65")
    signal, kind = incivility_signal(0.9, {"insult": 0.2, "threat": 0.0, "identity_attack": 0.1}, 0.35)
    assert signal == pytest.approx(0.315) and kind == "not aimed at a person or group"
    assert incivility_signal(0.9, {"insult": 0.2, "threat": 0.0, "identity_attack": 0.1}, 0.35, "obscene")[1] == (
        "obscene, not aimed at a person or group")
    assert incivility_signal(0.5, {"insult": 0.45, "threat": 0.0, "identity_attack": 0.0}, 0.35, "insult") == (
        0.45, "insult / personal attack 0.45")


# -- the queue ---------------------------------------------------------------------------------------

def scored(texts, authors=None):
    c = frame(text=texts, triage_priority=[0.1 * (i + 1) for i in range(len(texts))],
              triage_reasons=[f"reason {i}" for i in range(len(texts))])
    if authors:
        c["author"] = authors
    return c


def test_fingerprints_are_stable_and_distinguish_repeats():
    a = fingerprints(scored(["same", "same", "other"], authors=["x", "x", "x"]))
    assert len(set(a)) == 3
    reordered = scored(["new first", "same", "same", "other"], authors=["y", "x", "x", "x"])
    reordered["comment_id"] = ["c9", "c0", "c1", "c2"]
    assert fingerprints(reordered)[1:] == a  # ids and positions may change, fingerprints do not


def test_queue_adds_only_new_and_keeps_decisions(tmp_path):
    db = tmp_path / "q.sqlite"
    with ReviewQueue(db) as q:
        first = q.add(scored(["one", "two", "three"]))
        assert len(first["new"]) == 3
        assert [r["text"] for r in q.pending()] == ["three", "two", "one"]
        q.decide("t:c2", "reject", note="abuse")
        again = q.add(scored(["one", "two", "three", "four"]))
        assert len(again["new"]) == 1 and again["decided"] == 1 and again["pending"] == 2
        assert "three" not in [r["text"] for r in q.pending()]
        with pytest.raises(InputError, match="already rejected"):
            q.decide("t:c2", "approve")
        assert q.decide("t:c2", "reject")["changed"] is False
        changed = q.decide("t:c2", "approve", override=True)
        assert changed["previous"] == "reject"
        fp = q.resolve("t:c2")["fingerprint"]
        assert [h["decision"] for h in q.history(fp)] == ["reject", "approve"]
        with pytest.raises(InputError, match="no queued comment"):
            q.decide("nothing-like-this", "approve")


def test_two_writers_at_once_do_not_corrupt(tmp_path):
    db = tmp_path / "q.sqlite"
    ReviewQueue(db).close()
    errors = []

    def worker(k):
        try:
            with ReviewQueue(db) as q:
                q.add(scored([f"text {k} {i}" for i in range(200)]))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM items").fetchone()[0] == 800


def test_not_a_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_text("this is not sqlite" * 100, encoding="utf-8")
    with pytest.raises(InputError, match="triage database"):
        ReviewQueue(bad)


# -- the command, on the sample thread ---------------------------------------------------------------

#: the three attacks of threads/001 (text fragment -> the kind its triage reason must name and quote)
INSULTS_001 = {"small child": "insult / personal attack", "understandable English": "insult / personal attack",
               "tarred and feathered": "threat"}


def assert_insults_top_with_reasons(rows):
    """The insults of threads/001 are the top three of its queue, each reason naming the kind of
    attack and quoting its evidence (the comments that only say "crap" rank below them)."""
    top = sorted(rows, key=lambda r: r["rank"])[:3]
    for fragment, kind in INSULTS_001.items():
        row = next((r for r in top if fragment in r["text"]), None)
        assert row is not None, (fragment, [(r["rank"], r["text"][:40], r["triage_reasons"]) for r in rows])
        assert f", {kind} " in row["triage_reasons"] and "'" in row["triage_reasons"], row["triage_reasons"]
    crap = [r for r in rows if "crap" in r["text"]]
    assert len(crap) == 2 and all("not aimed at a person or group" in r["triage_reasons"] for r in crap)


@pytest.mark.slow
def test_golden_thread_001_insults_top_the_full_triage_queue(tmp_path, capsys):
    """With every stage (sentence vectors, narratives, disinformation), as `discourse triage` runs."""
    import json

    db = tmp_path / "q.sqlite"
    assert main(["triage", str(SAMPLE), "--db", str(db), "--format", "json", "--top", "0"]) == 0
    assert_insults_top_with_reasons(json.loads(capsys.readouterr().out))


def test_triage_command_ranks_insults_and_queues_only_new(tmp_path, capsys):
    page = tmp_path / "thread.txt"
    shutil.copy(SAMPLE, page)
    db = tmp_path / "q.sqlite"
    assert main(["triage", str(page), "--db", str(db), "--format", "json", "--top", "0", "--fast"]) == 0
    out, err = capsys.readouterr()
    import json

    rows = json.loads(out)
    assert len(rows) == 9 and "9 new comments queued" in err
    rank = {r["text"][:30]: r["rank"] for r in rows}

    def rank_of(fragment):
        return next(r["rank"] for r in rows if fragment in r["text"])

    insults = [rank_of("small child"), rank_of("understandable English"), rank_of("tarred and feathered")]
    on_topic = [rank_of("We all know China"), rank_of("Impossible, the Western media")]
    assert max(insults) < min(on_topic), rank
    assert_insults_top_with_reasons(rows)

    page.write_text(page.read_text(encoding="utf-8") + "\nNewcomer\nThanks for the balanced report.\n",
                    encoding="utf-8")
    assert main(["triage", str(page), "--db", str(db), "--format", "json", "--fast"]) == 0
    out, err = capsys.readouterr()
    assert "1 new comment queued" in err and "9 already in the queue" in err
    assert next(r for r in json.loads(out) if r["new"])["text"] == "Thanks for the balanced report."

    first_id = rows[0]["id"]
    assert main(["triage", "decide", first_id, "reject", "--note", "insult", "--db", str(db)]) == 0
    assert main(["triage", "decide", first_id, "approve", "--db", str(db)]) == 1
    assert "--override" in capsys.readouterr().err
    assert main(["triage", str(page), "--db", str(db), "--format", "csv", "--fast", "-q"]) == 0
    assert first_id not in capsys.readouterr().out
