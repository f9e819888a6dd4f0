"""Finding the comment blocks of a page by their shape, whatever the site.

A comment section is a run of elements built from one template: the same tag and class words
(``li.comment``, ``div.thing.comment``, ``article.message``, ``td.default``), each holding a
name, often a time, and a stretch of text. Elements are grouped by a *signature* (tag plus the
class words that do not vary between comments: numbers, depth, odd/even, by-author and state
words are dropped) and each group is scored by how much it looks like a list of comments. The
best group gives the blocks; what is inside a block that belongs to a block nested in it (a
reply) is not part of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from discourse.readers.html.dom import attrs_text, hidden, is_ancestor, is_element

#: Class or id words naming a comment-like role (several languages, as sites name them).
ROLE = re.compile(
    r"comment|reply|replies|message|post|thing|entry|answer|response|review|discussion|"
    r"talk|cmt|kommentar|коммент|beitrag|bbs|thread|item|note", re.IGNORECASE)
#: Strong role words (a group whose signature holds one is very likely the comments).
STRONG_ROLE = re.compile(r"comment|reply|replies|kommentar|коммент|cmt|message|answer", re.IGNORECASE)
#: Class words that differ between comments of one template.
STATE = re.compile(
    r"\d|author|^by|^thread-|depth|level|odd|even|^alt|parent|collaps|^new$|unread|highlight|first|last|"
    r"selected|active|deleted|hidden|moderat|^own|mine|^js-|^is-|^has-|vote|liked|poster|"
    r"^ng-|^lb|open|closed|^op$|staff|admin|guest|anon|online|offline", re.IGNORECASE)
#: Words marking an element that holds a person's name.
AUTHOR_WORDS = re.compile(
    r"author|user|name|nick|poster|byline|(?:^|\s)fn(?:\s|$)|login|member|usr|avtor|commenter|"
    r"hnuser|profile|signature-name|from|(?:^|\s)by(?:\s|$)", re.IGNORECASE)
#: Substrings one of which every AUTHOR_WORDS match holds (a cheap test before the pattern).
_AUTHOR_HINTS = ("author", "user", "name", "nick", "poster", "byline", "fn", "login", "member", "usr", "avtor",
                 "commenter", "profile", "from", "by")
NOT_AUTHOR = re.compile(r"avatar|photo|pic|img|says|date|time|reply|title|anchor|karma|rating|label|"
                        r"count|status|role|rank|level|badge|group|banner|signature|quote", re.IGNORECASE)
USER_HREF = re.compile(r"user|profile|member|author|/u/|/~|showuser|people|account|/id/|users?\?id|blogger\.com/profile", re.IGNORECASE)
TIME_WORDS = re.compile(r"date|time|ago|when|posted|published|stamp|datum|zeit|дата|время|meta|(?:^|[\s_-])age(?:$|[\s_-])", re.IGNORECASE)
#: Class words of a comment's header, footer and controls (left out of its text when the block
#: has no element holding the text alone).
CONTROL_WORDS = re.compile(
    r"author|meta|header|heading|footer|reply|avatar|actions|tools|controls|buttons|vote|rating|says|"
    r"permalink|share|like|report|edit|karma|score|signature|toolbar|menu|links|flag|badge|userinfo|"
    r"user-info|byline|vcard|respond|comhead|reactions|attribution", re.IGNORECASE)
#: Controls are short; a longer element is never dropped as one.
MAX_CONTROL_CHARS = 200
_MONTH = (r"(?:jan|feb|m[aä]r|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz]|janv|févr|avr|juil|août|déc|ene|abr|"
          r"ago|dic|gen|янв|фев|мар|апр|ма[яй]|июн|июл|авг|сен|окт|ноя|дек)")
DATEISH = re.compile(
    r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}|\b\d{1,2}:\d{2}\b|\bago\b|\bvor\s+\d|"
    r"\b" + _MONTH + r"[a-zäéûа-я]*\.?\s+\d|\d\.?\s+" + _MONTH + r"|назад|"
    r"\b(?:yesterday|today|gestern|heute|вчера|сегодня)\b", re.IGNORECASE)
BODY_WORDS = re.compile(
    r"body|content|text|message|usertext|commtext|(?:^|\s)md(?:\s|$)|comment-?text|post-?text|bbwrapper|"
    r"msg|description|entry-content|comment_text|comment__message", re.IGNORECASE)
NOT_BODY = re.compile(r"author|meta|header|heading|footer|reply|avatar|sig(?:nature)?\b|title|info|vcard|"
                      r"actions|tools|controls|buttons|byline|rating|vote", re.IGNORECASE)


#: Members of a group examined when scoring it (evenly spread over the group).
MAX_SCORED = 150
#: Tags a comment block can have.
BLOCK_CANDIDATES = {"div", "li", "article", "section", "tr", "td", "dd", "dl", "table", "tbody", "aside", "form",
                    "details", "ol", "ul", "blockquote", "header", "main", "footer"}


@dataclass
class Block:
    """One comment found on the page."""

    el: object  # the template element
    nested: list = field(default_factory=list)  # blocks found inside it (replies), left out of it
    author_el: object | None = None
    time_el: object | None = None
    body_el: object | None = None


def signature(el) -> str | None:
    """Tag and stable class words of ``el``; None for elements that cannot be comment blocks."""
    if not is_element(el) or el.tag not in BLOCK_CANDIDATES:
        return None
    tokens = (el.get("class") or "").lower().split()
    keep = {t for t in tokens if not STATE.search(t)}
    keep = {t for t in keep if "--" not in t or t.split("--")[0] not in keep}  # BEM modifiers
    if keep:
        return el.tag + "." + ".".join(sorted(keep))
    ident = (el.get("id") or "").lower()
    if ident and re.search(r"\d", ident) and ROLE.search(ident):
        return el.tag + "#" + re.sub(r"[\d_-]+", "-", ident).strip("-")
    parent = el.getparent()
    if parent is not None and is_element(parent) and (parent.get("class") or "").strip():
        ptok = sorted(t for t in parent.get("class").lower().split() if not STATE.search(t))
        if ptok:
            return f"{parent.tag}.{'.'.join(ptok)}>{el.tag}"
    return None


def visible_lengths(root) -> dict:
    """Length of the visible text under each element (one bottom-up pass)."""
    lengths: dict = {}
    order = []
    stack = [root]
    while stack:
        el = stack.pop()
        if not is_element(el):
            continue
        order.append(el)
        stack.extend(el)
    for el in reversed(order):
        if hidden(el) and el is not root:
            lengths[el] = 0
            continue
        n = len((el.text or "").strip())
        for child in el:
            if is_element(child):
                n += lengths.get(child, 0)
            n += len((child.tail or "").strip())
        lengths[el] = n
    return lengths


def own_elements(el, nested_set):
    """``el`` and its descendants, leaving out the subtrees of nested blocks (document order)."""
    stack = [el]
    while stack:
        node = stack.pop()
        if not is_element(node) or (node is not el and node in nested_set):
            continue
        yield node
        stack.extend(reversed(list(node)))


def find_author(el, nested_set):
    """The innermost element naming the comment's author, or None."""
    best, best_strength, names = None, 0, {}
    for node in own_elements(el, nested_set):
        if node is el or not (node.attrib or node.tag == "cite") or hidden(node):
            continue  # (an element without attributes can only name someone as a <cite>)
        words = attrs_text(node) + " " + (node.get("itemprop") or "") + " " + (node.get("rel") or "")
        by_class = any(w in words for w in _AUTHOR_HINTS) and AUTHOR_WORDS.search(words) \
            and not NOT_AUTHOR.search(attrs_text(node))
        by_href = node.tag == "a" and USER_HREF.search(node.get("href") or "")
        by_tag = node.tag == "cite" and node.getparent() is not None and node.getparent().tag != "blockquote"
        if not (by_class or by_href or by_tag):
            continue
        if _in_quote(node, el):
            continue
        if len(node.text_content()) > 300 or len(" ".join(node.text_content().split())) > 100:
            continue  # holds more than a name
        text = name_text(node)
        names[node] = text
        if not (2 <= len(text) <= 80) or len(text.split()) > 8 or not any(ch.isalpha() for ch in text):
            continue
        strength = 3 if (node.get("itemprop") or "").lower() in ("name", "author", "creator") else 2 if by_class else 1
        if best is not None and is_ancestor(best, node):
            # the innermost element holding the name, not a badge set after it
            outer = re.sub(r"^(?:by|von|par|от)\s+", "", names[best], flags=re.IGNORECASE)
            if strength > best_strength or (strength == best_strength and (
                    outer.startswith(text) or (node.tag == "a" and best.tag != "a"))):
                best, best_strength = node, strength
            continue
        if best is None or strength > best_strength:  # a named element beats a bare profile link
            best, best_strength = node, strength
    return best


def name_text(node) -> str:
    """The first line of an element's text: a name, without a badge or "says" set below it."""
    from discourse.readers.html.dom import render

    lines = render(node).split("\n")
    return " ".join(lines[0].split()) if lines else ""


def find_time(el, nested_set):
    for node in own_elements(el, nested_set):
        if node is el or not (node.attrib or node.tag == "time") or hidden(node):
            continue
        if node.tag == "time":
            return node
        if TIME_WORDS.search(attrs_text(node)):
            text = " ".join(node.text_content().split())
            if 0 < len(text) <= 60 and (DATEISH.search(text) or node.get("title") or node.get("datetime")):
                return node
    return None


def control_elements(block: Block, body) -> set:
    """Header, footer and control elements of a block (outside ``body``), to leave out of its text."""
    nested = set(block.nested)
    out = {x for x in (block.author_el, block.time_el) if x is not None}
    for node in own_elements(block.el, nested):
        if node is block.el or node is body:
            continue
        control = node.tag in ("form", "button", "menu", "nav") or (
            CONTROL_WORDS.search(attrs_text(node)) and not _in_quote(node, block.el)
            and len(" ".join(node.text_content().split())) <= MAX_CONTROL_CHARS)
        if control and (body is None or not is_ancestor(node, body)):
            out.add(node)
    return out


def _in_quote(node, stop) -> bool:
    cur = node.getparent()
    while cur is not None and cur is not stop:
        if cur.tag == "blockquote" or "quote" in (cur.get("class") or "").lower():
            return True
        cur = cur.getparent()
    return False


def group_elements(root) -> dict[str, list]:
    groups: dict[str, list] = {}
    body = root.find("body")
    for el in (body if body is not None else root).iter():
        if not is_element(el) or hidden(el):
            continue
        sig = signature(el)
        if sig:
            groups.setdefault(sig, []).append(el)
            family = role_family(el)
            if family and family != sig:
                groups.setdefault(family, []).append(el)
    return groups


def role_family(el) -> str | None:
    """Tag and role words only (``li~comment``): one template shown in several states
    (Slashdot's ``comment oneline`` / ``comment full``) is one group."""
    words = sorted(t for t in (el.get("class") or "").lower().split() if ROLE.search(t) and not STATE.search(t))
    return f"{el.tag}~{'.'.join(words)}" if words else None


def nested_members(members: list) -> dict:
    """For each member, the members nested directly inside it (not inside another member)."""
    member_set = set(members)
    inside: dict = {m: [] for m in members}
    for m in members:
        cur = m.getparent()
        while cur is not None:
            if cur in member_set:
                inside[cur].append(m)
                break
            cur = cur.getparent()
    return inside


def score_group(sig: str, members: list, lengths: dict) -> float:
    """How much a group looks like a list of comments (0 when it cannot be one)."""
    if len(members) < 2 and not STRONG_ROLE.search(sig):
        return 0.0
    inside = nested_members(members)
    own = {m: lengths.get(m, 0) - sum(lengths.get(n, 0) for n in inside[m]) for m in members}
    texts = sorted(own.values())
    median = texts[len(texts) // 2]
    if median < 8:
        return 0.0  # cheap test first: most groups of a page are short repeated chrome
    sample = members[:: max(1, len(members) // MAX_SCORED)][:MAX_SCORED]
    total, with_author = 0.0, 0
    for m in sample:
        nested = set(inside[m])
        author = find_author(m, nested)
        has_time = find_time(m, nested) is not None
        with_author += author is not None
        words = own[m] - (len(name_text(author)) if author is not None else 0)
        member = (1.0 if author is not None else 0.0) + (0.5 if has_time else 0.0) + 2 * min(words, 400) / 400
        total += member if author is not None and words >= 15 else 0.25 * member
    if with_author < 0.5 * len(sample):
        return 0.0
    total *= len(members) / len(sample)
    if median > 6000:
        total *= 0.2  # a container of many comments, not one
    if STRONG_ROLE.search(sig):
        total *= 1.6
    elif ROLE.search(sig):
        total *= 1.2
    return total


def find_blocks(root) -> list[Block]:
    """The comment blocks of the page in document order (empty when none are recognisable).

    The best-scoring group gives the blocks. A second template joins it when it is a comment
    template too and each of its blocks and of the first keeps a name and words of its own once
    the other's blocks are taken out: answers with comments under them (Stack Exchange), posts
    with replies in another template. A template that only wraps or splits the first one's
    comments (``li.comment`` around ``div.comment-body``) leaves one side empty and stays out.
    """
    lengths = visible_lengths(root)
    scored, seen = [], set()
    for sig, members in group_elements(root).items():
        key = tuple(id(m) for m in members)
        if key in seen:
            continue  # a template's family holding the same elements
        seen.add(key)
        score = score_group(sig, members, lengths)
        if score > 0:
            scored.append((score, sig, members))
    if not scored:
        return []
    scored.sort(key=lambda x: -x[0])
    best_score, _, best = scored[0]
    chosen = set(best)
    for score, sig, members in scored[1:12]:
        if score < 0.2 * best_score or not STRONG_ROLE.search(sig) or chosen & set(members):
            continue
        union = sorted(chosen | set(members), key=_doc_order(root))
        if _keeps_own_content(union, members, lengths) and _keeps_own_content(union, best, lengths):
            chosen |= set(members)
    return make_blocks(sorted(chosen, key=_doc_order(root)))


def _doc_order(root):
    order = {el: k for k, el in enumerate(root.iter())}
    return lambda el: order.get(el, 0)


def _keeps_own_content(union: list, group: list, lengths: dict) -> bool:
    """Whether most of ``group`` keep an author and 15+ characters of their own within ``union``."""
    inside = nested_members(union)
    good = 0
    for m in group:
        nested = set(inside[m])
        author = find_author(m, nested)
        own = lengths.get(m, 0) - sum(lengths.get(n, 0) for n in nested)
        good += author is not None and own - len(name_text(author)) >= 15
    return good >= 0.8 * len(group)


def make_blocks(members: list) -> list[Block]:
    inside = nested_members(members)
    blocks = []
    for m in members:
        nested = set(inside[m])
        blocks.append(Block(el=m, nested=inside[m], author_el=find_author(m, nested), time_el=find_time(m, nested)))
    return blocks


def find_body(block: Block):
    """The element holding the comment's own words: the longest body-like element that holds
    neither the author nor the time; None when the block has none (its text is then used)."""
    nested = set(block.nested)
    best, best_len = None, 0
    skip = [x for x in (block.author_el, block.time_el) if x is not None]
    for node in own_elements(block.el, nested):
        if node is block.el or hidden(node):
            continue
        words = attrs_text(node) + " " + (node.get("itemprop") or "")
        if not BODY_WORDS.search(words) or NOT_BODY.search(attrs_text(node)):
            continue
        if any(s is node or is_ancestor(node, s) for s in skip):
            continue
        if any(n is node or is_ancestor(node, n) for n in nested):
            continue
        size = len(" ".join(node.text_content().split()))
        if size > best_len:
            best, best_len = node, size
    return best
