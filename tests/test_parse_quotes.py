"""Quoted and addressed replies far up a page without reply headers (discourse/parse/quotes.py and
ReplyLinker's plain-evidence pass)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from discourse.model import (
    LINK_EXPLICIT,
    LINK_INFERRED,
    LINK_ROOT,
    Article,
    Comment,
    Thread,
)
from discourse.parse.linking import ReplyLinker
from discourse.parse.quotes import quoted_passages

FILLER = [
    "Housing costs in the city keep rising and nobody at council seems to care.",
    "The transit plan was announced three years ago and still nothing has been built.",
    "My neighbourhood lost its only grocery store last spring.",
    "Property taxes went up again this year, by more than inflation.",
    "I moved here for work and I am still renting a basement flat.",
    "Cycling lanes would help but the winters are long here.",
    "The mayor promised a review of zoning rules before the election.",
    "Rents downtown are now higher than in most of the suburbs.",
]


def _thread(texts_authors, article="City council met on Tuesday to debate the housing plan."):
    comments = [Comment(comment_id=f"c{k}", text=t, author=a, position=k) for k, (t, a) in enumerate(texts_authors)]
    return Thread("t", "test", Article(title="Housing", text=article), comments)


def _filler(n, start=0):
    return [(FILLER[k % len(FILLER)] + f" Point {k}.", f"user{k + start}") for k in range(n)]


def test_passages_straight_curly_single_and_line_quotes():
    text = ("He said “the cat sat on the mat” and 'Wente's piece was right on the money' but didn't.\n"
            ">> The Donald was in full flight here\n\"an unclosed quote that goes on and on")
    assert quoted_passages(text) == [
        "the cat sat on the mat", "wente's piece was right on the money",
        "the donald was in full flight here", "an unclosed quote that goes on and on"]


def test_passages_skip_short_quotes_apostrophes_and_retweets():
    assert quoted_passages('It isn\'t "fake" and it\'s not "news" either') == []
    assert quoted_passages('"@CNN: breaking news from the city today" wow') == []
    assert quoted_passages('"@CNN: breaking news from the city today" wow', retweets=True) == [
        "cnn breaking news from the city today"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab '\"“”>\n:-(")), max_size=3000))
def test_passages_never_fail_and_stay_short(text):
    for p in quoted_passages(text):
        assert 4 <= len(p.split()) <= 12


def test_passages_bounded_on_hostile_lines():
    # the work is bounded by the first 4,000 characters; its cost is measured by benchmarks/bench_hostile.py
    for text in (" 'a" * 400_000, '"' * 1_000_000, ("\"" + "word " * 100) * 5000):
        assert all(4 <= len(p.split()) <= 12 for p in quoted_passages(text))


def test_quote_links_a_comment_far_above_the_window():
    source = ("The zoning review is a stalling tactic dressed up as consultation.", "Alice")
    texts = [source] + _filler(45) + [
        ('"a stalling tactic dressed up as consultation" -- no, it is the law requiring it.', "Bob")]
    t = _thread(texts)
    ReplyLinker(semantic=False).link(t)
    reply = t.comments[-1]
    assert reply.parent_id == "c0" and reply.link == LINK_INFERRED
    assert "quotes Alice" in reply.evidence and reply.confidence >= 0.8


def test_quote_of_the_article_stays_top_level():
    article = "The mayor said the zoning review is a stalling tactic dressed up as consultation by critics."
    texts = [("The zoning review is a stalling tactic dressed up as consultation.", "Alice")] + _filler(5) + [
        ('"a stalling tactic dressed up as consultation" says the mayor. Typical.', "Bob")]
    t = _thread(texts, article=article)
    ReplyLinker(semantic=False).link(t)
    assert t.comments[-1].link == LINK_ROOT


def test_a_passage_the_holder_itself_quotes_is_not_its_source():
    texts = [('Wow “a stalling tactic dressed up as consultation” from the columnist', "Alice")] + _filler(5) + [
        ('"a stalling tactic dressed up as consultation" is the line of the day', "Bob")]
    t = _thread(texts)
    ReplyLinker(semantic=False).link(t)
    assert not (t.comments[-1].evidence or "").startswith("quotes Alice")


def test_stock_phrase_in_many_comments_is_not_a_quote():
    phrase = "at the end of the day"
    texts = [(f"Well {phrase} we pay for it. {f}", f"u{k}") for k, f in enumerate(FILLER[:5])] + [
        (f'"{phrase}" is all they ever say.', "Bob")]
    t = _thread(texts)
    ReplyLinker(semantic=False).link(t)
    assert not (t.comments[-1].evidence or "").startswith("quotes")


def test_answer_to_a_comment_at_the_deepest_level_is_filed_in_its_sub_thread():
    texts = [("The zoning review is overdue.", "Alice"),
             ("Overdue, but the consultation costs millions and changes nothing at all.", "Bob"),
             ("Millions? The consultation budget was forty thousand dollars last year.", "Carol")] + _filler(40) + [
        ('"the consultation budget was forty thousand dollars" is simply false.', "Dan")]


    def linked(nest_levels):
        t = _thread(texts)
        t.comments[1].reply_to, t.comments[2].reply_to = "Alice", "Bob"  # reply headers
        linker = ReplyLinker(semantic=False)
        linker.nest_levels = nest_levels
        linker.link(t)
        assert [c.link for c in t.comments[1:3]] == [LINK_EXPLICIT, LINK_EXPLICIT]
        return t.comments[-1]

    reply = linked(2)
    assert reply.parent_id == "c1"  # Carol's comment is two levels deep: the answer goes to Bob's
    assert "quotes Carol" in reply.evidence and "sub-thread of Bob" in reply.evidence
    assert linked(0).parent_id == "c2"  # a site that nests without limit


def test_opening_with_a_name_answers_that_persons_latest_comment():
    texts = [("First thoughts on the housing plan from me.", "Lamont Cranston")] + _filler(20) + [
        ("Second thoughts: the plan ignores renters entirely.", "Lamont Cranston")] + _filler(40, start=50) + [
        ("Lamont Cranston: true enough, renters get nothing here.", "Erin")]
    t = _thread(texts)
    ReplyLinker(semantic=False).link(t)
    reply = t.comments[-1]
    assert reply.parent_id == "c21" and reply.link == LINK_INFERRED
    assert "addressing Lamont Cranston" in reply.evidence


@pytest.mark.parametrize("enabled", [True, False])
def test_plain_evidence_pass_can_be_switched_off(enabled):
    texts = [("The zoning review is a stalling tactic dressed up as consultation.", "Alice")] + _filler(45) + [
        ('"a stalling tactic dressed up as consultation" -- no.', "Bob")]
    t = _thread(texts)
    ReplyLinker(semantic=False, plain_evidence=enabled).link(t)
    assert (t.comments[-1].parent_id == "c0") is enabled


@pytest.mark.parametrize("opening, linked", [
    ("No they didn't.", True), ("Nope,", True), ("Not true:", True),
    ("No wonder", False), ("No one", False), ("Nobody", False)])
def test_contradicting_opening_answers_the_comment_it_resembles(opening, linked):
    claim = "The city council cancelled the light rail extension to the airport last week."
    texts = [(claim, "Alice")] + _filler(6) + [
        (f"{opening} the airport extension was never cancelled, it is funded.", "Bob")]
    t = _thread(texts, article="Budget talks continue at the legislature.")
    ReplyLinker(semantic=False).link(t)
    reply = t.comments[-1]
    assert (reply.parent_id == "c0") is linked
    if linked:
        assert "contradicting" in reply.evidence


def test_a_name_without_a_mark_is_not_addressing():
    texts = [("Prices are too high.", "Will")] + _filler(40) + [("Will this ever end? Rents keep rising.", "Erin")]
    t = _thread(texts)
    ReplyLinker(semantic=False).link(t)
    assert "addressing" not in (t.comments[-1].evidence or "")


def test_a_quotation_holding_quotation_marks_is_read_across_them():
    assert quoted_passages('"The other "rules" are the committee work, horse-trading, backroom deals') == [
        "the other rules are the committee work horse trading backroom",
        "rules are the committee work horse trading backroom"]
    assert quoted_passages('It isn\'t "fake" and it\'s not "news" either') == []  # short: a scare quote
