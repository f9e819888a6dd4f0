"""What target stance is taken toward (targets and their aliases) and what marks it (cues)."""
from __future__ import annotations

from dataclasses import dataclass, field

FAVOR, AGAINST, NONE = "favor", "against", "none"
ARTICLE = "article"


@dataclass
class Target:
    key: str
    label: str
    source: str  # "pack", "user", "salient"
    aliases: list[str] = field(default_factory=list)
    case_sensitive: list[str] = field(default_factory=list)
    opponents: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Cue:
    kind: str
    role: str  # pred / obj / mod / loaded
    weight: float
    pattern: str
    effects: tuple[tuple[str, int], ...] = ()  # loaded cues: (target key, +1/-1)
    alias_for: frozenset = frozenset()
    needs_victim: bool = False
    polarity: int = 0  # generic cues: +1 favor / -1 against
    harm: bool = False


@dataclass(frozen=True)
class _Mention:
    target: str


@dataclass(frozen=True)
class _Place:
    """A town of a side: not a mention, but the victim of violence reported there."""

    target: str


def _sign(stance: str) -> int:
    return 1 if stance == FAVOR else -1


def surface_forms(name: str) -> list[str]:
    """A user-named target's aliases: the name, its plural and common adjective/demonym forms
    ("Israel" -> "Israeli(s)", "Serbia" -> "Serbian(s)"), so mentions in running text are found."""
    name = " ".join(name.split())
    if not name:
        return []
    forms = {name, name + "s"}
    low = name.lower()
    if low.endswith("a"):
        forms |= {name + "n", name + "ns"}
    elif low.endswith("e"):
        forms |= {name[:-1] + "ian", name[:-1] + "ians", name + "an", name + "ans"}
    elif low.endswith("y"):
        forms |= {name[:-1] + "ian", name[:-1] + "ians"}
    else:
        forms |= {name + "i", name + "is", name + "ian", name + "ians", name + "ese"}
    return sorted(forms)

