"""Property tests for the page parser: whatever the page, no line is lost and nothing crashes."""

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discourse.parse import account_lines, parse_page

WORDS = ["the", "war", "drones", "Russia", "Ukraine", "media", "you", "said", "no", "is", "not", "China",
         "production", "Kyiv", "claims", "report", "I", "think", "that", "really", "why", "what"]
names = st.one_of(
    st.from_regex(r"[A-Z][a-z]{2,8}[A-Z][a-z]{2,8}", fullmatch=True),
    st.from_regex(r"[a-z]{3,8}[0-9]{1,4}", fullmatch=True),
    st.builds(lambda a, b: f"{a} {b}", st.sampled_from(["Lamont", "Logic", "Broom", "live"]),
              st.sampled_from(["Cranston", "Is Missing", "closet doors closing...", "in ottawa -love the Leafs"])),
)
sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=25).map(
    lambda ws: " ".join(ws).capitalize() + st_end(ws))


def st_end(ws):
    return "." if len(ws) % 3 else "?"


chrome = st.sampled_from(["Reply", "Share", "Report", "Reply · 12 likes", "6 days ago", "Feb 2, 2016 11:43 AM",
                          "Load more comments", "2h", "Like · Reply"])


@st.composite
def pages(draw):
    lines = [draw(sentences) for _ in range(draw(st.integers(1, 6)))]
    lines.append("")
    people = draw(st.lists(names, min_size=1, max_size=6, unique=True))
    for k in range(draw(st.integers(0, 12))):
        lines.append(draw(st.sampled_from(people)))
        if k and draw(st.booleans()):
            lines.append(draw(st.sampled_from(people)))
        if draw(st.booleans()):
            lines.append(draw(chrome))
        lines.extend(draw(sentences) for _ in range(draw(st.integers(1, 3))))
        if draw(st.booleans()):
            lines.append(draw(chrome))
    return "\n".join(lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_generated_pages_lose_nothing(text):
    thread = parse_page(text, semantic=False)
    assert account_lines(text, thread) == []
    for c in thread.comments:
        assert c.link in ("explicit", "inferred", "root")
        assert 0.0 <= c.confidence <= 1.0
        assert c.parent_id is None or c.parent_id in thread.by_id()


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=string.printable + "äöü—“”‘’·•…\u2028", max_size=600))
def test_arbitrary_text_never_crashes_and_loses_nothing(text):
    thread = parse_page(text, semantic=False)
    assert account_lines(text, thread) == []
