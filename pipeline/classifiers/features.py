"""Target-aware views of a stance unit, shared by the learned classifiers.

One sentence can carry different stances toward its two targets ("Russia's
invasion of Ukraine": against Russia, favor Ukraine), so a learned model
must see *which* mention it is judging. The helpers here mask the unit's own
target with one placeholder and the other target with another, so a model
learns "support for TARGET" from Ukraine rows and can apply it to Russia
rows: with five documents, cross-target transfer is the only way a rare
class such as favor-Russia (one document) can be learnt at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from pipeline.classifiers.base import AliasRows
from pipeline.nlp.mentions import MentionFinder
from pipeline.targets import Alias

TARGET_TOKEN = "TARGETX"
OTHER_TOKEN = "OTHERX"
_TOKEN = re.compile(r"\w+(?:[’'\-]\w+)*|[^\w\s]")


def finder_for(rows: AliasRows) -> MentionFinder:
    return MentionFinder([Alias(target=t, text=x, kind=k) for t, x, k in rows])


def unit_spans(units: pd.DataFrame) -> list[list[tuple[int, int]]]:
    """Sentence-relative (start, end) spans of each unit's own target mentions."""
    return [
        [(int(s), int(e)) for s, e in zip(starts, ends)]
        for starts, ends in zip(units["mention_starts"], units["mention_ends"])
    ]


def other_spans(text: str, own: Sequence[tuple[int, int]], finder: MentionFinder) -> list[tuple[int, int]]:
    """Spans of target aliases in the sentence that are not this unit's own mentions."""
    own_set = set(own)
    return [(m.start, m.end) for m in finder.find(text) if (m.start, m.end) not in own_set]


def replace_spans(text: str, replacements: Sequence[tuple[int, int, str]]) -> str:
    """Text with each (start, end) span replaced by its string (spans must not overlap)."""
    out, last = [], 0
    for start, end, new in sorted(replacements):
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return "".join(out)


def masked_texts(units: pd.DataFrame, finder: MentionFinder) -> list[str]:
    """Sentences with the unit's target as TARGET_TOKEN and the other target as OTHER_TOKEN."""
    texts = []
    for text, own in zip(units["text"], unit_spans(units)):
        reps = [(s, e, TARGET_TOKEN) for s, e in own]
        reps += [(s, e, OTHER_TOKEN) for s, e in other_spans(text, own, finder)]
        texts.append(replace_spans(text, reps))
    return texts


def tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


def window(tokens_: Sequence[str], size: int) -> list[str]:
    """Tokens within ``size`` of any target placeholder (placeholders kept, order kept)."""
    target = TARGET_TOKEN.lower()
    at = [i for i, t in enumerate(tokens_) if t == target]
    keep = sorted({j for i in at for j in range(max(0, i - size), min(len(tokens_), i + size + 1))})
    return [tokens_[j] for j in keep]


class ActorFinder:
    """Which non-target actors (Japan, China, the US, ...) a sentence names.

    Mirrors the gazetteer of pipeline.nlp.spacy_pipeline: acronyms in capitals match
    exactly, other names case-insensitively, always on whole words.
    """

    def __init__(self, actors: dict[str, Sequence[str]]):
        self.ids = sorted(actors)
        self._patterns = []
        for actor_id in self.ids:
            exact = [n for n in actors[actor_id] if n.isupper() or any(c.isdigit() for c in n)]
            loose = [n for n in actors[actor_id] if n not in exact]
            parts = []
            if exact:
                parts.append(re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, exact))})(?!\w)"))
            if loose:
                parts.append(re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, loose))})(?!\w)", re.IGNORECASE))
            self._patterns.append(parts)

    def indicators(self, texts: Iterable[str]) -> np.ndarray:
        """(n, n_actors) 0/1 matrix: does the sentence name the actor?"""
        return np.array(
            [[float(any(p.search(t) for p in parts)) for parts in self._patterns] for t in texts],
            dtype=float,
        ).reshape(-1, len(self.ids))
