"""The token layer: Unicode words with offsets, sentences, languages, one tokenisation per text."""
from hypothesis import given
from hypothesis import strategies as st

from discourse.analysis.pipeline import analyze
from discourse.model import Article, Comment, Thread
from discourse.tokens import TokenLayer, Tokenizer, detect_language, stop_words


def test_words_of_any_script_with_offsets():
    tok = Tokenizer()
    doc = tok("Київ заявив: «п'ять» дронів. Zürich isn't far — ΕΛΛΑΔΑ!")
    assert doc.words == ["Київ", "заявив", "п'ять", "дронів", "Zürich", "isn't", "far", "ΕΛΛΑΔΑ"]
    assert all(doc.text[s:e] == w for (s, e), w in zip(doc.spans, doc.words))
    assert len(doc.sents) == 2


@given(st.text(max_size=300))
def test_spans_always_index_the_text(text):
    doc = Tokenizer()(text)
    assert all(0 <= s < e <= len(text) for s, e in doc.spans)
    assert all(0 <= s < e <= len(text) for s, e in doc.sents)
    assert [text[s:e] for s, e in doc.spans] == doc.words


def test_language_guesses():
    assert detect_language("The government said the talks would go on.") == "en"
    assert detect_language("Die Regierung hat gesagt, dass die Gespräche nicht weitergehen.") == "de"
    assert detect_language("Правительство заявило, что переговоры будут продолжены.") == "ru"
    assert detect_language("Уряд заявив, що переговори триватимуть і надалі.") == "uk"
    assert detect_language("Η κυβέρνηση είπε") == "greek"
    assert detect_language("123 !!!") == "und"
    assert "und" in stop_words("de") and not stop_words("greek")


def test_each_distinct_text_is_tokenised_once():
    tok = Tokenizer()
    assert tok("Same text.") is tok("Same text.")


def test_layer_follows_the_units():
    import pandas as pd

    units = pd.DataFrame({"thread_id": ["t", "t"], "comment_id": ["", "c1"], "paragraph": [0, -1],
                          "text": ["Para one. Para two.", "Ein Kommentar, der nicht englisch ist und das zeigt."]})
    layer = TokenLayer.build(units)
    assert [d.lang for d in layer.docs] == ["en", "de"]
    assert layer.keys[1] == ("t", "c1", -1) and layer.languages()["de"] == 1


def test_non_english_comments_get_tokens_sentences_and_a_reason_per_stage():
    thread = Thread(thread_id="t1", source="test", article=Article(title="Title", text="An article about roads."),
                    comments=[Comment(comment_id="ru", author="A", text="Это неправда. Дороги плохие."),
                              Comment(comment_id="uk", author="B", text="Це неправда, дороги погані."),
                              Comment(comment_id="de", author="C", text="Das ist nicht wahr. Die Straßen sind schlecht."),
                              Comment(comment_id="en", author="D", text="Roads are fine.")])
    result = analyze([thread], use_embeddings=False, stages=["sentiment", "stance", "incivility", "threads"])
    c = result["comments"].set_index("comment_id")
    assert c.loc["ru", "language"] == "ru" and c.loc["uk", "language"] == "uk" and c.loc["de", "language"] == "de"
    for cid in ("ru", "uk", "de"):
        note = c.loc[cid, "language_note"]
        assert note.startswith(f"not analysed for {cid}") and "sentiment" in note and "incivility" in note
    assert c.loc["en", "language_note"] == ""
    doc = result.tokens.docs[[k[1] for k in result.tokens.keys].index("ru")]
    assert len(doc.sents) == 2 and doc.words[:2] == ["Это", "неправда"]
    assert any("'ru'" in n for n in result.notes)
