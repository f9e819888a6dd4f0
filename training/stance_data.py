"""Labelled target-stance and reply-stance examples from ``../shared/data``, one shape for all.

Target stance: (source, group, text, target, label) rows from VAST (NYT comments toward free-text
topics), SemEval-2016 Task 6 (tweets toward five public issues) and RUW (war tweets toward Russia
and toward Ukraine); labels favor / against / none. Reply stance: (source, thread, reply, parent,
label) rows from RumourEval 2017 (Twitter threads) and the Reddit agreement pairs.
"""
from __future__ import annotations

import csv
import html
import json
import re
from dataclasses import dataclass

from training.common import shared

VAST_LABELS = {"0": "against", "1": "favor", "2": "none"}  # con / pro / neutral
_SEMST = re.compile(r"\s*#SemST\b", re.IGNORECASE)  # the task's own tag, on every tweet: not stance


@dataclass(frozen=True)
class TargetExample:
    source: str   # vast-train, vast-dev, vast-test, semeval, ruw
    group: str    # what must stay on one side of a split (post, tweet id, target)
    text: str
    target: str
    label: str    # favor / against / none


def _rows(*parts: str) -> list[dict]:
    with open(shared(*parts), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def vast(split: str) -> list[TargetExample]:
    out = []
    for r in _rows("vast", f"vast_{split}.csv"):
        group = r.get("arc_id") or r["post"][:80]
        out.append(TargetExample(f"vast-{split}", f"vast:{group}", r["post"], r["topic_str"], VAST_LABELS[r["label"]]))
    return out


def semeval() -> list[TargetExample]:
    return [TargetExample("semeval", f"semeval:{r['id']}", _SEMST.sub("", r["text"]).strip(), r["target"],
                          r["stance"].lower())
            for r in _rows("semeval2016_task6_train", "semeval2016_task6_train.csv")]


def ruw() -> list[TargetExample]:
    out = []
    for r in _rows("ruw_train", "ruw_train.csv"):
        for target, col in (("Russia", "stance_russia"), ("Ukraine", "stance_ukraine")):
            out.append(TargetExample("ruw", r["id"], r["text"], target, r[col].lower()))
    return out


def target_examples() -> list[TargetExample]:
    return vast("train") + vast("dev") + vast("test") + semeval() + ruw()


@dataclass(frozen=True)
class ReplyExample:
    source: str   # rumoureval, reddit
    thread: str
    text: str
    parent: str   # "" where the post answers nothing (a source tweet)
    label: str    # support / deny / query / comment


REDDIT_LABELS = {"agree": "support", "disagree": "deny", "neutral": "comment"}


def rumoureval() -> list[ReplyExample]:
    folder = shared("rumoureval2017-traindev")
    ids = (folder / "post_id.txt").read_text().split()
    codes = (folder / "post_label.txt").read_text().split()
    name_of = {int(v): k for k, v in json.loads((folder / "stanceCategory.json").read_text()).items()}
    posts = json.loads((folder / "posts.json").read_text(encoding="utf-8"))
    structures = json.loads((folder / "structures.json").read_text(encoding="utf-8"))
    parent_of, thread_of = {}, {}

    def walk(tree, parent, root):
        for pid, sub in (tree or {}).items():
            parent_of[pid], thread_of[pid] = parent, root
            if isinstance(sub, dict):
                walk(sub, pid, root)

    for root, tree in structures.items():
        walk(tree, None, root)

    def text(pid):
        p = posts.get(pid)
        if p is None:
            return ""
        return html.unescape(p["text"] if isinstance(p, dict) else str(p))

    out = []
    for pid, code in zip(ids, codes):
        if pid not in posts:
            continue
        parent = parent_of.get(pid)
        while parent is not None and parent not in posts:  # a missing post: answer its ancestor
            parent = parent_of.get(parent)
        out.append(ReplyExample("rumoureval", thread_of.get(pid, pid), text(pid),
                                text(parent) if parent else "", name_of[int(code)]))
    return out


def reddit() -> list[ReplyExample]:
    return [ReplyExample("reddit", f"reddit:{r['id']}", r["response_text"], r["quote_text"],
                         REDDIT_LABELS[r["relation"]])
            for r in _rows("reply_stance_reddit_agreement", "reddit_quote_response_agreement.csv")]
