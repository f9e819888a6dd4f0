"""Golden tests on the sample threads in threads/ (see issue 2's acceptance list)."""

import pytest

from discourse.parse import account_lines, parse_page
from tests.conftest import thread_file

EXPECTED_AUTHORS = ["Thuban", "TaiwanIsNotChina", "JJE", "Zaphod", "TaiwanIsNotChina", "TaiwanIsNotChina",
                    "Zaphod", "ClippetyClop", "Zaphod"]


@pytest.fixture(scope="module", params=[pytest.param(True, marks=pytest.mark.slow), False], ids=["semantic", "fast"])
def stockholm(request):
    path = thread_file("001")
    return parse_page(path.read_text(encoding="utf-8"), source=str(path), semantic=request.param)


def by_start(thread, start):
    return next(c for c in thread.comments if c.text.startswith(start))


def test_stockholm_comments_and_authors(stockholm):
    assert [c.author for c in stockholm.comments] == EXPECTED_AUTHORS
    assert stockholm.article.published == "2023-10-26"
    jje = by_start(stockholm, "We all know China")
    assert "No prize for guessing which one." in jje.text.split("\n")
    assert len(jje.text.split("\n")) == 4
    clip = by_start(stockholm, "No they didn't")
    assert clip.text.endswith("Maybe ask a nearby small child to help you out with the biglier words.")
    assert "It was quite clear." in clip.text
    taiwan = by_start(stockholm, "More power to them")
    assert taiwan.text.endswith("https://www.bbc.com/news/world-europe-67078089")


def test_stockholm_header_replies(stockholm):
    zaphod_to_taiwan = by_start(stockholm, "I have no idea")
    assert zaphod_to_taiwan.reply_to == "TaiwanIsNotChina"
    assert zaphod_to_taiwan.link == "explicit"
    parent = stockholm.by_id()[zaphod_to_taiwan.parent_id]
    assert parent.text.startswith("I know you would like surrender")  # the one addressed to Zaphod
    zaphod_to_clip = by_start(stockholm, "Err, no")
    assert zaphod_to_clip.reply_to == "ClippetyClop"
    assert stockholm.by_id()[zaphod_to_clip.parent_id].author == "ClippetyClop"


def test_stockholm_implicit_replies(stockholm, request):
    if "fast" in request.node.callspec.id:
        pytest.skip("--fast trades this inference (it needs sentence embeddings) for speed")
    jje = by_start(stockholm, "We all know China")
    assert jje.parent_id is not None
    assert stockholm.by_id()[jje.parent_id].text.startswith("More power to them")
    assert jje.link == "inferred" and 0 < jje.confidence <= 1
    assert by_start(stockholm, "Impossible, the Western media").parent_id is None


def test_stockholm_rebuttal_far_above(stockholm):
    # The score alone keeps it top-level; the opening contradiction ("No they didn't") makes it
    # an answer, and Thuban's comment (seven above) is the one it resembles.
    clip = by_start(stockholm, "No they didn't")
    assert clip.parent_id is not None and stockholm.by_id()[clip.parent_id].author == "Thuban"
    assert "contradicting" in clip.evidence


def test_stockholm_nothing_lost(stockholm_text, stockholm):
    assert account_lines(stockholm_text, stockholm) == []


@pytest.mark.parametrize("prefix", ["000", "002", "003", "004"])
def test_articles_without_comments(prefix):
    path = thread_file(prefix)
    text = path.read_text(encoding="utf-8")
    thread = parse_page(text, source=str(path), semantic=False)
    assert thread.comments == []
    assert thread.article.title
    assert account_lines(text, thread) == []
    removed = {r.text: r.reason for r in thread.article.removed}
    for r in removed:
        assert r not in thread.article.text.split("\n")
    if prefix == "000":
        assert any(t.startswith("READ MORE:") for t in removed)
    if prefix == "003":
        assert thread.article.outlet == "express.co.uk"
        assert thread.article.title.startswith("Putin reels as Ukraine uses kamikaze drones")
        assert any(t.startswith("JUST IN:") for t in removed)
        assert "source: express.co.uk" not in thread.article.text
    if prefix == "004":
        assert "ua en ru" in removed
        assert thread.article.title.startswith("Recent strikes on targets deep within Russia")
        assert any("(Getty Images)" in t for t in removed)
        # section headings stay in the article
        assert "Drone attacks on infrastructure objects in Russia" in thread.article.text.split("\n")
