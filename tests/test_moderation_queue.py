"""The review queue: identity across grown and edited pages, decisions by many moderators at once,
the scoring mode, and the upgrade of a version-1 database."""
from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest

from discourse.moderation.identity import same_lines
from discourse.moderation.queue import Conflict, ReviewQueue
from discourse.readers import read_path

SAMPLE = Path(__file__).resolve().parent.parent / "threads/001_2a083d8a6e258254.txt"


def page_comments(tmp_path, text: str, name="page.txt") -> pd.DataFrame:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    thread = read_path(path, semantic=False)[0]
    rows = [{"thread_id": "t", "comment_id": c.comment_id, "author": c.author, "text": c.text,
             "parent_id": c.parent_id, "position": i, "triage_priority": 0.1, "triage_reasons": ""}
            for i, c in enumerate(thread.comments)]
    return pd.DataFrame(rows)


def by_text(q, fragment):
    return [r for r in q.items() if fragment in r["text"]]


def test_a_line_moving_from_text_to_header_does_not_requeue_a_decided_comment(tmp_path):
    base = SAMPLE.read_text(encoding="utf-8")
    old = page_comments(tmp_path, base + "\nNewcomer\n")
    grown = page_comments(tmp_path, base + "\nNewcomer\nThanks for the balanced report.\n")
    # the premise: the grown page moved "Newcomer" from Zaphod's text into a header
    assert old.text.iloc[-1].endswith("now).\nNewcomer") and grown.text.iloc[-2].endswith("now).")
    with ReviewQueue(tmp_path / "q.sqlite") as q:
        q.add(old)
        last = by_text(q, "byline now")[0]
        q.decide(last["fingerprint"], "reject", note="off topic", moderator="ann")
        again = q.add(grown)
        assert len(again["new"]) == 1 and again["moved"] == 1 and again["superseded"] == []
        assert [r["text"] for r in q.pending() if "byline" in r["text"]] == []
        entry = q.item(last["fingerprint"])
        assert entry["status"] == "rejected" and entry["text"].endswith("now).")
        # stable from here on: a third run finds it again, by its alias
        third = q.add(grown)
        assert third["new"] == [] and third["moved"] == 0
        assert q.statuses(grown)[-2] == "rejected"


def test_an_edited_comment_supersedes_its_stale_entry(tmp_path):
    base = SAMPLE.read_text(encoding="utf-8")
    first = page_comments(tmp_path, base + "\nNewcomer\nThanks for the balanced report.\n")
    edited = page_comments(tmp_path, base + "\nNewcomer\nThanks for nothing, you lying hacks.\n")
    with ReviewQueue(tmp_path / "q.sqlite") as q:
        q.add(first)
        stale = by_text(q, "balanced report")[0]
        out = q.add(edited)
        assert out["superseded"] == [stale["fingerprint"]] and len(out["new"]) == 1
        pending = [r for r in q.pending() if r["author"] == "Newcomer"]
        assert [r["text"] for r in pending] == ["Thanks for nothing, you lying hacks."]
        closed = q.item(stale["fingerprint"])
        assert closed["status"] == "superseded" and closed["superseded_by"] == out["new"][0]
        assert closed["closed_reason"].startswith("edited")
        with pytest.raises(Conflict, match="closed"):
            q.decide(stale["fingerprint"], "approve", moderator="ann", strict=True)
        assert [r["author"] for r in q.thread("t")].count("Newcomer") == 1


def test_same_lines_tells_a_moved_line_from_an_edit():
    assert same_lines("a\nb\nc", "b\nc")
    assert same_lines("Great  point", "great point\nBob")
    assert not same_lines("Great point", "Great point, idiot")
    assert not same_lines("", "x")


def frame(n, thread="t"):
    return pd.DataFrame({"thread_id": [thread] * n, "comment_id": [f"c{i}" for i in range(n)],
                         "author": [f"a{i}" for i in range(n)], "text": [f"comment number {i}" for i in range(n)],
                         "parent_id": [None] * n, "position": list(range(n)),
                         "triage_priority": [0.5] * n, "triage_reasons": [""] * n})


def test_scores_record_the_mode_that_made_them(tmp_path):
    with ReviewQueue(tmp_path / "q.sqlite") as q:
        q.add(frame(2), mode="full")
        fast = frame(2).assign(triage_priority=[0.2, 0.9])
        q.add(fast, mode="fast")
        top = q.items()[0]
        assert top["mode"] == "fast" and top["priority"] == 0.9
        modes = {s["mode"]: s for s in q.scores(top["fingerprint"])}
        assert modes["full"]["priority"] == 0.5 and modes["fast"]["priority"] == 0.9
        assert "no sentence embeddings" in modes["fast"]["model"]


def test_strict_decisions_conflict_and_defer_does_not_close(tmp_path):
    with ReviewQueue(tmp_path / "q.sqlite") as q:
        q.add(frame(1))
        fp = q.items()[0]["fingerprint"]
        first = q.decide(fp, "defer", note="ask legal", moderator="ann", strict=True)
        assert q.item(fp)["status"] == "deferred"
        q.decide(fp, "approve", moderator="bob", strict=True)  # deferred is not final
        with pytest.raises(Conflict, match="approved by bob"):
            q.decide(fp, "reject", moderator="cy", strict=True)
        with pytest.raises(Conflict):  # read before bob's decision
            q.decide(fp, "reject", moderator="cy", strict=True, seen=first["decision_id"])
        q.decide(fp, "reject", moderator="cy", strict=True, override=True)
        hist = q.history(fp)
        assert [(h["decision"], h["moderator"]) for h in hist] == [("defer", "ann"), ("approve", "bob"), ("reject", "cy")]
        assert hist[0]["note"] == "ask legal"


def test_many_moderators_at_once_neither_lose_nor_double_a_decision(tmp_path):
    db = tmp_path / "q.sqlite"
    with ReviewQueue(db) as q:
        q.add(frame(200))
        fps = [r["fingerprint"] for r in q.items()]
    wins, conflicts, errors = [], [], []

    def moderator(k):
        try:
            with ReviewQueue(db) as q:
                for fp in fps[k * 20:(k + 1) * 20]:  # own items
                    q.decide(fp, "approve", moderator=f"m{k}", strict=True)
                for fp in fps[-20:]:  # everyone races for the same last twenty
                    try:
                        q.decide(fp, "reject", moderator=f"m{k}", strict=True)
                        wins.append(fp)
                    except Conflict:
                        conflicts.append(fp)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(moderator, range(8)))
    assert not errors
    assert sorted(wins) == sorted(fps[-20:]) and len(conflicts) == 7 * 20
    con = sqlite3.connect(db)
    assert con.execute("SELECT COUNT(*) FROM decisions").fetchone()[0] == 160 + 20
    assert con.execute("SELECT COUNT(DISTINCT fingerprint) FROM decisions WHERE decision = 'reject'").fetchone()[0] == 20


def test_a_version_1_database_is_upgraded_keeping_decisions(tmp_path):
    db = tmp_path / "old.sqlite"
    con = sqlite3.connect(db)
    con.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE items (fingerprint TEXT PRIMARY KEY, thread_id TEXT NOT NULL, comment_id TEXT NOT NULL,
            author TEXT, text TEXT NOT NULL, priority REAL NOT NULL, reasons TEXT NOT NULL,
            first_seen TEXT NOT NULL, last_seen TEXT NOT NULL);
        CREATE TABLE decisions (id INTEGER PRIMARY KEY AUTOINCREMENT, fingerprint TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ('approve', 'reject')), note TEXT, decided_at TEXT NOT NULL);
        INSERT INTO items VALUES ('aaaaaaaaaa', 't', 'c0', 'x', 'hi', 0.4, '', '2026', '2026');
        INSERT INTO items VALUES ('bbbbbbbbbb', 't', 'c1', 'y', 'yo', 0.3, '', '2026', '2026');
        INSERT INTO decisions (fingerprint, decision, note, decided_at) VALUES ('aaaaaaaaaa', 'reject', 'n', '2026');
    """)
    con.close()
    with ReviewQueue(db) as q:
        assert q.item("aaaaaaaaaa")["status"] == "rejected" and q.item("bbbbbbbbbb")["status"] == "pending"
        assert q.history("aaaaaaaaaa")[0]["note"] == "n"
        q.decide("bbbbbbbbbb", "defer", moderator="ann")
        assert q.item("bbbbbbbbbb")["status"] == "deferred"


def test_decide_command_defers_and_records_the_command_line(tmp_path, capsys):
    from discourse.cli import main

    db = tmp_path / "q.sqlite"
    with ReviewQueue(db) as q:
        q.add(frame(1))
    assert main(["triage", "decide", "t:c0", "defer", "--note", "ask", "--db", str(db)]) == 0
    assert "deferred" in capsys.readouterr().out
    assert main(["triage", "decide", "t:c0", "approve", "--db", str(db)]) == 0  # deferred is not final
    assert main(["triage", "decide", "t:c0", "reject", "--db", str(db)]) == 1
    assert "--override" in capsys.readouterr().err
    with ReviewQueue(db) as q:
        assert [h["decision"] for h in q.history(q.resolve("t:c0")["fingerprint"])] == ["defer", "approve"]


NAMES = ["Newcomer", "Bob", "Alice Smith", "Reader", "JohnD", "Maria", "x_99", "Mr. T", "o'neil", "Nonsense", "Ha"]
REPLIES = ["Thanks for the balanced report.", "I agree.", "No way", "This is propaganda.", "Who pays for all this?"]


def grown_pair(rng) -> tuple[str, str]:
    """The sample page with a few comments, then with one or two more; the first may end on a
    name line (text of the last comment until a comment follows it)."""
    base = SAMPLE.read_text(encoding="utf-8")
    first = "".join(f"\n{rng.choice(NAMES)}\n{rng.choice(REPLIES)} (old {k})" for k in range(rng.randint(0, 3)))
    first += rng.choice(["", "\n" + rng.choice(NAMES)])
    more = "".join(f"\n{rng.choice(NAMES)}\n{rng.choice(REPLIES)} (new {k})" for k in range(rng.randint(1, 2)))
    return base + first + "\n", base + first + more + "\n"


def test_grown_pages_do_not_bring_decided_comments_back(tmp_path):
    import random

    rng = random.Random(7)
    for i in range(15):
        old_text, new_text = grown_pair(rng)
        old, new = page_comments(tmp_path, old_text), page_comments(tmp_path, new_text)
        with ReviewQueue(tmp_path / f"q{i}.sqlite") as q:
            q.add(old)
            for r in q.pending():
                q.decide(r["fingerprint"], "approve", moderator="ann")
            q.add(new)
            old_lines = {line for t in old.text for line in t.splitlines() if len(line) > 12}
            back = [r["text"] for r in q.pending() if set(r["text"].splitlines()) & old_lines]
            assert back == [], (old_text[-200:], new_text[-200:])
