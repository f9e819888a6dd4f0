"""Text from strangers made safe to show: control, bidirectional and invisible characters made visible.

Comment text and author names are untrusted. Shown raw,

* an escape sequence (``"eve\\x1b[2J\\x1b[H"``) clears or rewrites the terminal of whoever runs
  ``discourse triage`` or ``parse --format table``;
* a bidirectional override or isolate (U+202A-U+202E, U+2066-U+2069) reorders the rest of the line
  in a report, so a moderator reads something other than what was written ("Trojan Source");
* zero-width characters (U+200B, U+2060, U+FEFF, ...) hide inside words and make two names look
  the same.

Each such character is replaced by a visible marker, ``[U+202E]``. Zero-width joiner and
non-joiner (U+200C, U+200D) are kept: emoji sequences and several scripts need them.
"""
from __future__ import annotations

import re

_HIDDEN = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u115f\u1160\u180e\u200b\u200e\u200f\u2028\u2029"
           "\u202a-\u202e\u2060-\u2064\u2066-\u2069\u206a-\u206f\u3164\ufeff\ufff9-\ufffb")
#: For HTML and Markdown: tab, line feed and carriage return are layout and stay.
_HIDDEN_IN_PAGES = re.compile(f"[{_HIDDEN}]")
#: For one terminal line: every control character, layout ones included.
_HIDDEN_IN_TERMINAL = re.compile(f"[{_HIDDEN}\t\n\r]")


def _marker(m: re.Match) -> str:
    return f"[U+{ord(m.group()):04X}]"


def visible(text: str) -> str:
    """``text`` for an HTML or Markdown page: hidden and reordering characters shown as ``[U+XXXX]``."""
    return _HIDDEN_IN_PAGES.sub(_marker, text)


def terminal(value) -> str:
    """``value`` as text for one line of terminal output: every control character shown as ``[U+XXXX]``."""
    return _HIDDEN_IN_TERMINAL.sub(_marker, "" if value is None else str(value))
