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
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline.config import LABELS, ConfigError, Params
from pipeline.stance import registry
from pipeline.stance.base import StanceClassifier, check_labels

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

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> "LexiconStance":
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


@registry.register("lexicon")
def make_lexicon(params: Params) -> LexiconStance:
    cfg = params.get("stance.lexicon")
    return LexiconStance(
        favor=tuple(cfg["favor"]),
        against=tuple(cfg["against"]),
        aggression=tuple(cfg["aggression"]),
        negations=tuple(cfg["negations"]),
        agent_markers=tuple(cfg.get("agent_markers", ["by"])),
        window=int(cfg["window"]),
        negation_window=int(cfg["negation_window"]),
        neutral_bias=float(cfg["neutral_bias"]),
        temperature=float(cfg["temperature"]),
        target_cues=_target_cues(cfg.get("target_cues") or {}),
    )


def _target_cues(spec: dict) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    out = []
    for target, directions in sorted(spec.items()):
        for direction, words in sorted((directions or {}).items()):
            if direction not in ("favor", "against"):
                raise ConfigError(
                    f"params.yaml: stance.lexicon.target_cues.{target}.{direction}: direction must be favor or against"
                )
            out.append((str(target), str(direction), tuple(str(w).lower() for w in words)))
    return tuple(out)
