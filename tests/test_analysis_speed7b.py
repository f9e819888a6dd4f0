"""Fast paths in target stance checked against the plain code they replaced."""
from discourse.analysis import target_stance as ts

TEXTS = [
    "", "...", "a", "It's Putin\u2019s; the U.S. \u0130stanbul \u212a test. ok\n\nnew",
    "dogs' bowls' x's \u2019s 's", "http://x.com a. b www.y.org/z c", "a.b.c!? ;; \n", "  word  ",
    "The U.S. and Putin\u2019s army. NATO's \"heroes\" lost; the article is fake news!",
    "Kyiv's 'so-called' allies?? They're NOT! 123 abc'def'gh",
]


def _tokenise_plain(text: str) -> ts._Tokens:
    """The token-at-a-time tokeniser ``_tokenise`` replaced, kept to test it against."""
    if "." in text:
        text = ts._ABBREV.sub(lambda m: m.group(1) + m.group(2) + "  ", text)
    if "http" in text or "www." in text:
        text = ts._URL.sub(lambda m: " " * len(m.group()), text)
    rows: list[tuple[str, str, str, int, int, int]] = []
    find = text.find
    sent = 0
    last_sent = -1
    end = 0
    for w in ts._TOKEN.findall(text):
        start = find(w, end)
        end = start + len(w)
        if w in ts._BREAKS:
            if last_sent == sent:
                sent += 1
            continue
        low = w.lower()
        if "'" in low or "\u2019" in low:
            low = low.replace("\u2019", "'")
            base = low[:-2] if low.endswith("'s") else (low[:-1] if low.endswith("s'") else low)
        else:
            base = low
        rows.append((low, base, w, start, end, sent))
        last_sent = sent
    return ts._Tokens(rows)




def test_tokenise_matches_token_at_a_time():
    for text in TEXTS:
        fast, plain = ts._tokenise(text), _tokenise_plain(text)
        for col in ("low", "base", "orig", "start", "end", "sent"):
            assert tuple(getattr(fast, col)) == tuple(getattr(plain, col)), (text, col)
        assert len(fast) == len(plain)
