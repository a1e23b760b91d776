"""A transparent, target-aware lexicon classifier (tuned on the guide alone).

For each mention of the target, evaluative cues within a token window vote
favor or against, weighted by distance; a negation just before a cue turns
it half-way the other way. Acts of aggression ("invasion", "annexation")
are role-aware: the target before the act, or after "by", is its agent
(against); the target after the act is its victim (favor). So "Russia's
invasion of Ukraine" is against Russia and favor Ukraine. Some words cut
differently per target (guide: "reunification" of Crimea is favor Russia
and against Ukraine); ``target_cues`` lists them per target. The votes and
a neutral bias become probabilities through a softmax.

A mention is always its own token, so "Russian-occupied" reads as the
target followed by "occupied" (guide §3.6).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from pipeline.classifiers.base import StanceClassifier, check_labels
from pipeline.params import NonNegativeInt, PositiveInt, PositiveNumber
from pipeline.paths import LABELS
from pipeline.plugins import classifiers

_TOKEN = re.compile(r"\w+(?:[’'\-]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Votes:
    favor: float
    against: float
    cues: tuple[str, ...]


class LexiconStance(StanceClassifier):
    needs_labels = False

    def __init__(
        self,
        favor: Sequence[str] = (),
        against: Sequence[str] = (),
        aggression: Sequence[str] = (),
        negations: Sequence[str] = (),
        agent_markers: Sequence[str] = ("by",),
        window: int = 8,
        negation_window: int = 3,
        neutral_bias: float = 1.0,
        temperature: float = 1.0,
        target_cues: tuple[tuple[str, str, tuple[str, ...]], ...] = (),
    ):
        self.favor = favor
        self.against = against
        self.aggression = aggression
        self.negations = negations
        self.agent_markers = agent_markers
        self.window = window
        self.negation_window = negation_window
        self.neutral_bias = neutral_bias
        self.temperature = temperature
        self.target_cues = target_cues

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> LexiconStance:
        if labels is not None:
            check_labels(labels)
        self.classes_ = np.asarray(LABELS)
        return self

    def votes(self, text: str, starts: Sequence[int], ends: Sequence[int], target: str | None = None) -> Votes:
        """Favor and against votes for the target mentioned at the given spans."""
        spans = sorted(zip(starts, ends))
        tokens = _tokens(text, spans)
        at_target = [i for i, (_, s, e) in enumerate(tokens) if any(s < me and e > ms for ms, me in spans)]
        if not at_target:
            return Votes(0.0, 0.0, ())
        favor, against, aggression = set(self.favor), set(self.against), set(self.aggression)
        for cue_target, direction, words in self.target_cues:
            if cue_target == target:
                chosen, other = (favor, against) if direction == "favor" else (against, favor)
                chosen.update(words)
                other.difference_update(words)
                aggression.difference_update(words)
        negations, agents = set(self.negations), set(self.agent_markers)
        f = a = 0.0
        cues: list[str] = []
        for i, (tok, _, _) in enumerate(tokens):
            if i in at_target or tok not in favor | against | aggression:
                continue
            distance = min(abs(i - j) for j in at_target)
            if distance > self.window:
                continue
            weight = 1.0 - distance / (self.window + 1)
            if tok in aggression:
                before = [j for j in at_target if j < i]
                after = [j for j in at_target if j > i]
                by_after = after and any(tokens[k][0] in agents for k in range(i + 1, min(after)))
                is_agent = bool(before) and (not after or i - max(before) <= min(after) - i) or by_after
                polarity = -1.0 if is_agent else 1.0
            else:
                polarity = 1.0 if tok in favor else -1.0
                lo = max(0, i - self.negation_window)
                if any(t in negations or t.endswith("n't") for t, _, _ in tokens[lo:i]):
                    polarity *= -0.5
            cues.append(f"{tok}{'+' if polarity > 0 else '-'}")
            if polarity > 0:
                f += weight * polarity
            else:
                a += weight * -polarity
        return Votes(f, a, tuple(cues))

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        logits = np.empty((len(units), len(LABELS)))
        for row, (text, starts, ends, target) in enumerate(
            zip(units["text"], units["mention_starts"], units["mention_ends"], units["target"])
        ):
            v = self.votes(text, starts, ends, target)
            logits[row] = [v.against, v.favor, self.neutral_bias]  # LABELS order
        z = logits / self.temperature
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)


def _tokens(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Lower-cased tokens with offsets; each mention span is one token of its own, so a
    hyphen compound ("Russian-occupied", "Japan-Russia") cannot hide the mention or a cue."""
    out, last = [], 0
    for start, end in [*spans, (len(text), len(text))]:
        if start < last:
            continue
        out += [(m.group(0).lower(), last + m.start(), last + m.end()) for m in _TOKEN.finditer(text[last:start])]
        if end > start:
            out.append((text[start:end].lower(), start, end))
        last = end
    return out


@classifiers.register("lexicon")
def lexicon(
    *,
    favor: Sequence[str],
    against: Sequence[str],
    aggression: Sequence[str],
    negations: Sequence[str],
    agent_markers: Sequence[str] = ("by",),
    window: PositiveInt,
    negation_window: NonNegativeInt,
    neutral_bias: float,
    temperature: PositiveNumber,
    target_cues: Mapping[str, Mapping[Literal["favor", "against"], Sequence[str]]] | None = None,
) -> LexiconStance:
    """Settings: ``classifiers.lexicon``; cue lists are revised from the annotation guide only."""
    return LexiconStance(
        favor=tuple(favor),
        against=tuple(against),
        aggression=tuple(aggression),
        negations=tuple(negations),
        agent_markers=tuple(agent_markers),
        window=window,
        negation_window=negation_window,
        neutral_bias=neutral_bias,
        temperature=temperature,
        target_cues=tuple(
            (target, direction, tuple(w.lower() for w in words))
            for target, directions in sorted((target_cues or {}).items())
            for direction, words in sorted(directions.items())
        ),
    )
