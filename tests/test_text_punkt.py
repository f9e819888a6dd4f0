"""Our sentence splitter is NLTK's Punkt made faster: the spans must be exactly Punkt's."""
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.tokenize.punkt import PunktSentenceTokenizer

from discourse.text import _punkt, sentence_spans

_PLAIN = PunktSentenceTokenizer(_punkt()._params)

TRICKY = [
    'He said "No." Then (she left.) Next!', "Wait... what?! Really?? Yes!!!", "U.S. troops. Mr. Smith went.",
    "It costs 3.5 m. 1. First point", "end.\u201d Next one", "A. B. Clark arrived. e.g. this. i.e. that.",
    "see https://bbc.com/news. Then more", "no. of items. No. 5 is here", "((nested.)) [x.] {y.} Done.",
    "Ellipsis\u2026 and more. --dash. Yes.", "a" * 5000 + ". B" * 200,
]


def test_tricky_texts_split_as_punkt_does():
    for text in TRICKY:
        assert list(_punkt().span_tokenize(text)) == list(_PLAIN.span_tokenize(text)), text


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["Word", "word", "U.S.", "Mr.", "3.5", ".", "!", "?", "...", '"', ")", "(",
                                 "\u201d", "--", "e.g.", "No.", "J.", "x", " ", "  ", "\t", ":", ";", ","]),
                max_size=30))
def test_random_token_soup_splits_as_punkt_does(parts):
    text = " ".join(parts)
    assert list(_punkt().span_tokenize(text)) == list(_PLAIN.span_tokenize(text))


def test_one_megabyte_line():
    text = ("word. " * 200_000)[:1_000_000]
    spans = sentence_spans(text)  # its cost is measured by benchmarks/bench_hostile.py
    assert spans and all(text[a:b].strip() for a, b in spans) and spans[-1][1] <= len(text)
