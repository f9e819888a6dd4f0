"""A decided comment's status in the static reports (HTML and Markdown)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_report import hostile_thread, make_tables

from discourse.moderation.queue import ReviewQueue, attach_statuses
from discourse.report import write_reports


def test_reports_show_the_moderators_decision(tmp_path):
    thread = hostile_thread("t1", 12, 3, hostile=False)
    tables = make_tables([thread])
    comments = tables["comments"]
    db = tmp_path / "triage.sqlite"
    assert attach_statuses(comments, db) is comments  # no queue there: unchanged, nothing created
    assert not db.exists()
    with ReviewQueue(db) as q:
        q.add(comments, mode="fast")
        q.decide("t1:c4", "reject", note="abuse", moderator="ann")
        q.decide("t1:c5", "defer", moderator="ann")
    tables["comments"] = attach_statuses(comments, db)
    assert tables["comments"].set_index("comment_id").loc[["c4", "c5", "c6"], "moderation"].tolist() == [
        "rejected", "deferred", "pending"]
    write_reports([thread], tables, tmp_path, quiet=True)
    html = (tmp_path / "t1.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "t1.md").read_text(encoding="utf-8")
    assert html.count("rejected by a moderator") == 1 and html.count("deferred by a moderator") == 1
    assert "pending by a moderator" not in html
    assert markdown.count("**rejected by a moderator**") == 1
