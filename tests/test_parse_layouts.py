"""Layout rules the segmenter must get right whatever the site: chrome, headers, blank lines."""

import pytest

from discourse.parse import account_lines, parse_page

ARTICLE = ("Drone output rises\n"
           "Ukraine says it will build far more drones this year, its minister said on Wednesday.\n"
           "Officials gave no figures for the current output.\n\n")


def page(comments, count=True):
    lines = ["42 Comments", "Sort by: Oldest"] if count else []
    for author, stamp, header, text in comments:
        lines.append(author)
        if stamp:
            lines.append(stamp)
        if header:
            lines.append(header)
        lines.extend(text.split("\n"))
        lines.append("Like · Reply · Share")
    return ARTICLE + "\n".join(lines) + "\n"


def test_timestamp_between_author_and_reply_header():
    text = page([
        ("Scrimbro 2 - Electric Boogaloo", "Feb 9, 2016 11:26 AM", None, ">> The minister was in full flight here."),
        ("MRichards", "Feb 9, 2016 1:23 PM", "Scrimbro 2 - Electric Boogaloo", "The same thought came to me."),
        ("Mark Shore", "Feb 9, 2016 2:03 PM", "Scrimbro 2 - Electric Boogaloo", "I was never a fan of this.\nStill, fair."),
        ("live in ottawa -love the Leafs", "Feb 9, 2016 3:00 PM", None, "Nobody builds drones that fast."),
        ("MRichards", "Feb 9, 2016 3:30 PM", "live in ottawa -love the Leafs", "They do if they must."),
    ])
    thread = parse_page(text, semantic=False)
    assert [c.author for c in thread.comments] == [
        "Scrimbro 2 - Electric Boogaloo", "MRichards", "Mark Shore", "live in ottawa -love the Leafs", "MRichards"]
    assert [c.reply_to for c in thread.comments] == [
        None, "Scrimbro 2 - Electric Boogaloo", "Scrimbro 2 - Electric Boogaloo", None, "live in ottawa -love the Leafs"]
    assert thread.comments[2].text == "I was never a fan of this.\nStill, fair."
    assert thread.comments[4].parent_id == thread.comments[3].comment_id
    assert thread.comments[0].timestamp == "Feb 9, 2016 11:26 AM"
    assert account_lines(text, thread) == []
    reasons = {r.text: r.reason for r in thread.article.removed}
    assert reasons["Like · Reply · Share"].startswith("comments:")
    assert "42 Comments" in reasons and "Sort by: Oldest" in reasons


def test_headline_and_no_comment_section():
    thread = parse_page(ARTICLE, semantic=False)
    assert thread.article.title == "Drone output rises"
    assert thread.comments == []
    assert len(thread.article.paragraphs()) == 2


def test_placeholder_authors_and_stock_phrases():
    lines = [
        "[removed]", "This comment has been deleted",
        "GuaranteedEtern", "That is not what he said.", "Good to know.",
        "Thomas Darcy McGee", "Good to know.",
        "GuaranteedEtern", "Thomas Darcy McGee", "Sure it is.",
    ]
    text = ARTICLE + "\n".join(lines) + "\n"
    thread = parse_page(text, semantic=False)
    assert [c.author for c in thread.comments] == ["[removed]", "GuaranteedEtern", "Thomas Darcy McGee", "GuaranteedEtern"]
    assert thread.comments[1].text == "That is not what he said.\nGood to know."
    assert thread.comments[3].reply_to == "Thomas Darcy McGee"
    assert thread.comments[3].parent_id == thread.comments[2].comment_id


COMMENTS_TAIL = "\n\nAlice\nThey came from the east.\nBob\nNo they did not.\n"


@pytest.mark.parametrize("page", [
    # the outlet (reuters.com) is part of the url: both taken from one line
    "Drones over the port\nSource: https://www.reuters.com/world/drones-2023\nThe navy saw three drones.\n"
    "It said more." + COMMENTS_TAIL,
    "date 2023-10-26 Drones over the port\nOutlet: reuters.com\nURL: https://www.reuters.com/x\n"
    "The navy saw three drones.\nIt said more." + COMMENTS_TAIL,
    # a quoted lede after "date ...": its first sentence stands in as the title and stays in the text
    'date 2023-10-26 "By the end of this year," he said. "It would be dozens of thousands a month."\n',
    'date 2023-10-26 "We found a model." More.\nDrones have played a central role.' + COMMENTS_TAIL,
])
def test_account_lines_finds_metadata_lines(page):
    thread = parse_page(page, semantic=False)
    assert account_lines(page, thread) == []


def test_account_lines_still_reports_a_lost_line():
    page = 'date 2023-10-26 "We found a model." More.\nDrones have played a central role.' + COMMENTS_TAIL
    thread = parse_page(page, semantic=False)
    thread.article.text = thread.article.text.replace('"We found a model." More.', "")
    thread.comments[1].text = ""
    assert account_lines(page, thread) == ['date 2023-10-26 "We found a model." More.', "No they did not."]


SITE_PAGE = """Skip to content
Home World Subscribe
Drones over the port
The navy saw three drones over the port on Tuesday night. It said more would follow.

3 Comments
Thuban 2 hours ago
Impossible, the Western media assured us of the opposite.
I saw it 2 hours ago
TaiwanIsNotChina · 12 points · 1 hour ago
Thuban
More power to them.
Mary Ann Smith • 3h
Guess it is a good thing.

© 2024 Daily Planet. All rights reserved.
Privacy Policy | Terms of Use | Contact Us
We use cookies to improve your experience. By using our site you accept our cookie policy.
"""


def test_name_and_time_on_one_line_and_site_furniture():
    thread = parse_page(SITE_PAGE, semantic=False)
    got = [(c.author, c.timestamp, c.reply_to, c.text) for c in thread.comments]
    assert got == [
        ("Thuban", "2 hours ago", None,
         "Impossible, the Western media assured us of the opposite.\nI saw it 2 hours ago"),
        ("TaiwanIsNotChina", "1 hour ago", "Thuban", "More power to them."),
        ("Mary Ann Smith", "3h", None, "Guess it is a good thing."),
    ]
    assert thread.article.title == "Drones over the port"
    reasons = {r.text: r.reason for r in thread.article.removed}
    assert reasons["Home World Subscribe"] == "article: site navigation"
    assert reasons["Skip to content"] == "article: skip link or menu"
    assert reasons["© 2024 Daily Planet. All rights reserved."] == "comments: site footer (copyright)"
    assert reasons["Privacy Policy | Terms of Use | Contact Us"] == "comments: site footer links"
    assert reasons[SITE_PAGE.splitlines()[-1]] == "comments: cookie notice"
    assert reasons["· 12 points · 1 hour ago"] == "comments: timestamp on the author line"
    assert account_lines(SITE_PAGE, thread) == []


def test_a_sentence_ending_in_a_time_is_not_an_author_line():
    page = "Title\nThe article.\n\nAnna\nI read it in the paper 2 days ago\nBen\nSo did I.\n"
    thread = parse_page(page, semantic=False)
    assert [(c.author, c.text) for c in thread.comments] == [
        ("Anna", "I read it in the paper 2 days ago"), ("Ben", "So did I.")]


def test_deleted_author_with_removed_text_is_one_comment():
    page = ("Title\nThe article.\n\nAnna\nFirst point here.\n[deleted]\n[removed]\nBen\nSecond point.\n"
            "[deleted]\n[deleted]\nCara\nThird point.\n")
    thread = parse_page(page, semantic=False)
    assert [(c.author, c.text) for c in thread.comments] == [
        ("Anna", "First point here."), ("[deleted]", "[removed]"), ("Ben", "Second point."),
        ("[deleted]", "[deleted]"), ("Cara", "Third point.")]


def test_a_long_name_with_its_time_is_found_once_the_page_shows_it():
    page = ("Title\nThe article text here.\n\n2 Comments\nScrimbro 2 - Electric Boogaloo 2 weeks ago\nFirst comment.\n"
            "Reply\nAnna 2 weeks ago\nSecond comment.\nReply\nScrimbro 2 - Electric Boogaloo 1 week ago\n"
            "Third comment.\nReply\n")
    thread = parse_page(page, semantic=False)
    assert [(c.author, c.timestamp, c.text) for c in thread.comments] == [
        ("Scrimbro 2 - Electric Boogaloo", "2 weeks ago", "First comment."),
        ("Anna", "2 weeks ago", "Second comment."),
        ("Scrimbro 2 - Electric Boogaloo", "1 week ago", "Third comment.")]
    assert account_lines(page, thread) == []
