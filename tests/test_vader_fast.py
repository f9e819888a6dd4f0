"""FastVader must give exactly VADER's scores: it is an optimisation, not a new model."""
from hypothesis import given, settings
from hypothesis import strategies as st
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from discourse.analysis.vader_fast import FastVader

_ORIGINAL = SentimentIntensityAnalyzer()
_FAST = FastVader()

CASES = [
    "", "   ", "Great job!!!", "This is NOT good at all.", "I don't love it, but it is okay :)",
    "It was kind of good", "It was sort of bad", "never so happy", "never this bad", "without doubt the best",
    "That movie was the shit", "Yeah right, brilliant reporting", "He is the bomb!!", "kiss of death for them",
    "The food is to die for", "no good, no love, no or nor hate", "at least it is not the least bad",
    "VERY GOOD but very BAD", "😀 lovely 😡 awful", "I ❤️ this", "hardly great, barely fine, extremely awful",
    "Is it true that NATO lied about the war??", "What a disaster?!?!", "isn't horrible, wasn't great, ain't bad",
    "The Kiev regime confirmed the casualties.", "Sadly, Putin is winning the war :(",
]

_WORDS = ["good", "bad", "not", "never", "so", "this", "but", "very", "kind", "of", "no", "least", "at",
          "GREAT", "awful", "the", "shit", "don't", "without", "doubt", "sort", "yeah", "right", "😀", ":)",
          "love", "hate", "!", "?", "extremely", "barely", "nor", "or", "Happy", "sad.",
          # words of multi-word idioms and boosters (the idiom check is skipped without them)
          "bomb", "kiss", "death", "die", "for", "to", "cut", "me", "some", "slack", "hand", "BAD", "..."]


def test_known_cases_match_vader():
    for text in CASES:
        assert _FAST.polarity_scores(text) == _ORIGINAL.polarity_scores(text), text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=14), st.text(max_size=12))
def test_random_word_sequences_match_vader(words, noise):
    text = " ".join(words) + " " + noise
    assert _FAST.polarity_scores(text) == _ORIGINAL.polarity_scores(text)


def _as_tuple(scores):
    return scores["compound"], scores["pos"], scores["neg"], scores["neu"]


def test_known_cases_tuple_is_vader_bit_for_bit():
    for text in CASES + ["least good", "at least good", "very least good", "NOT GREAT!!! ok???? fine"]:
        # repr tells 0.0 from -0.0, which == does not
        assert repr(_FAST.scores(text)) == repr(_as_tuple(_ORIGINAL.polarity_scores(text))), text


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS + ["least", "LEAST", "NO", "Never", "So", "isn't", "!!!", "???"]),
                max_size=14), st.text(max_size=12))
def test_random_word_sequences_tuple_is_vader_bit_for_bit(words, noise):
    text = " ".join(words) + " " + noise
    assert repr(_FAST.scores(text)) == repr(_as_tuple(_ORIGINAL.polarity_scores(text)))
