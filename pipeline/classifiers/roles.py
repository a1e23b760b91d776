"""Role-aware stance cues: who acts on whom, over tokens (spec v2 rules 1, 3, 7, 8, 9).

The seed lexicon counts cue words near a mention; it cannot tell "aid to Ukraine" from "aid from Ukraine", fires on
"13th-largest import partner", and reads "the Japan-Russia war in 1904" as aggression. Here each cue is bound to the
unit's target through its role in a short token pattern (``pipeline.classifiers.tokens``):

- acts of aggression (rule 1): the target as agent ("Russia's invasion", "invasion ... by Russia", "Russia
  invaded", "Russian-occupied") is ``against``; as victim ("aggression against Ukraine", "annexed Crimea",
  "Ukraine's occupied territories") ``favor``. "War" and "attack" need an explicit agent or a target as victim.
- aid (rule 7): the target as recipient ("aid to", "support for", "supporting Ukraine", "$1.8 billion to Ukraine",
  "Ukraine's reconstruction"); praised aid and bare aid are separate signals (guide v1 labels bare aid neutral).
- measures (rule 8): sanctions, condemnation, expulsion aimed at the target, split by the sentence's framing:
  endorsed or too weak (against), harmful or best lifted (favor), bare (no signal, but a flag for context).
- treatment and engagement (rule 9): cooperation or engagement with the target praised (favor) or framed as futile,
  naive, weak or soft (against); bare cooperation is a flag.
- evaluative words about the target in its own clause (rules 1, 4), with negation ("not ready") and the author's
  distance (quotes, "so-called", "claimed": rule 2, guide R8) taken into account.

``role_signals`` returns every signal; ``RoleStance`` sums them into favor / against votes (no training).
Registered as ``roles`` (params ``classifiers.roles``), with the neutral bias chosen inside the training folds.
No trained dependency parser with verifiable provenance is installed, so the rules read a flat token view
(``pipeline.classifiers.tokens``).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import Field
from scipy.special import softmax

from pipeline.classifiers import cues
from pipeline.classifiers.base import AliasRows, ClassifierContext, StanceClassifier, check_labels
from pipeline.classifiers.features import finder_for, other_spans, unit_spans
from pipeline.classifiers.role_rules import (
    SIGNAL_NAMES,
    Signals,
    aggression,
    aid,
    engagement,
    measures,
    negated,
    summed_votes,
)
from pipeline.classifiers.selection import NestedSelect
from pipeline.classifiers.tokens import SentenceView, view
from pipeline.nlp.mentions import MentionFinder
from pipeline.paths import LABELS
from pipeline.plugins import classifiers


def _evaluative(
    v: SentenceView, s: Signals, target: str, used: set[int], extra: Mapping[str, float], window: int = 10
) -> None:
    """Evaluative words in the target's clause, nearest-mention attribution, negation and distance."""
    own, other = v.own(), v.other()
    favor_words, against_words = set(cues.EVAL_FAVOR), set(cues.EVAL_AGAINST)
    relational: set[str] = set()
    for cue_target, direction, words in cues.TARGET_CUES:
        if cue_target == target:
            (favor_words if direction == "favor" else against_words).update(words)
            (against_words if direction == "favor" else favor_words).difference_update(words)
            relational |= words
    for i, word in enumerate(v.words):
        if v.kind(i) != "word" or i in used:
            continue
        polarity = 1.0 if word in favor_words else -1.0 if word in against_words else float(extra.get(word, 0.0))
        if polarity == 0.0:
            continue
        near = [j for j in own if v.same_clause(i, j) and abs(j - i) <= window]
        if not near:
            continue
        distance = min(abs(j - i) for j in near)
        if word not in relational and any(abs(j - i) < distance and v.same_clause(i, j) for j in other):
            continue  # the cue is closer to the other target ("reunification of Crimea with Russia" is both's)
        weight = 1.0 - distance / (window + 1)
        if v.quoted[i] and not any(v.quoted[j] for j in near):
            weight *= 0.3  # scare quotes: the speaker's word (guide R8b)
        if set(v.words[max(0, i - 3) : i]) & cues.DISTANCE:
            weight *= 0.3
        if negated(v, i):
            polarity = -polarity
        if polarity > 0:
            s.eval_favor += weight * polarity
        else:
            s.eval_against += weight * -polarity


def _flags(v: SentenceView, s: Signals, alias_kinds: Sequence[str]) -> None:
    words = v.words
    own = v.own()
    s.historical = float(
        "historical" in alias_kinds
        or "world" in words
        and "war" in words
        or any(w.isdigit() and len(w) == 4 and 1800 <= int(w) < 1991 for w in words)
    )
    s.statistic = float(any(ch.isdigit() for w in words for ch in w) and bool(set(words) & cues.STATISTIC_WORDS))
    s.reported = float(bool(set(words) & cues.REPORTING))
    s.euphemism = float(
        any(
            v.text(j + 1) in cues.EUPHEMISM_HEADS or v.text(j - 2) in cues.EUPHEMISM_HEADS and v.text(j - 1) == "in"
            for j in own
        )
    )
    # "Japan-Russia trade", "Ukraine-Japan relations", "Russian-Ukrainian conflict": a pair of names
    s.bilateral_name = float(
        any(v.text(j - 1) == "-" and v.capital(j - 2) or v.text(j + 1) == "-" and v.capital(j + 2) for j in own)
    )


def role_signals(
    v: SentenceView, target: str, alias_kinds: Sequence[str] = (), opinion: Mapping[str, float] | None = None
) -> Signals:
    """Every role signal of the unit whose own mentions are marked in ``v``."""
    s = Signals()
    _flags(v, s, alias_kinds)
    aggression(v, s, historical=bool(s.historical))
    used = aid(v, s) | measures(v, s) | engagement(v, s)
    used |= {i for i, w in enumerate(v.words) if w in cues.LOADED_ACTS | cues.WEAK_ACTS}
    _evaluative(v, s, target, used, opinion or {})
    return s


@functools.lru_cache(maxsize=8)
def _finder(aliases: AliasRows) -> MentionFinder:
    return finder_for(aliases)


def _unit_signals(
    text: str,
    own: tuple[tuple[int, int], ...],
    target: str,
    kinds: tuple[str, ...],
    aliases: AliasRows,
    opinion: tuple[tuple[str, float], ...],
) -> tuple[float, ...]:
    """Signals of one unit (``signal_table`` memoises them)."""
    v = view(text, own, other_spans(text, list(own), _finder(aliases)))
    return tuple(asdict(role_signals(v, target, kinds, dict(opinion))).values())


_MEMO: dict[tuple, dict[tuple, tuple[float, ...]]] = {}
_MEMO_LIMIT = 1 << 16


def forget_signals() -> None:
    """Empty the memo of unit signals (benchmarks time each variant from a cold start)."""
    _MEMO.clear()


def signal_table(units: pd.DataFrame, aliases: AliasRows, opinion: tuple[tuple[str, float], ...] = ()) -> pd.DataFrame:
    """One row of role signals per unit (columns ``SIGNAL_NAMES``), in unit order.

    Memoised per unit content (nested cross-validation asks for the same unit many times), under one entry per
    alias table and opinion words, so a lookup hashes the unit, not the alias table; at most ``_MEMO_LIMIT``
    units are kept, so labelling a large corpus does not grow it without bound."""
    memo = _MEMO.setdefault((tuple(aliases), tuple(opinion)), {})
    kinds = units["alias_kinds"].tolist() if "alias_kinds" in units else [()] * len(units)
    rows = []
    for text, own, target, k in zip(units["text"].tolist(), unit_spans(units), units["target"].tolist(), kinds):
        key = (text, tuple(own), target, tuple(k))
        found = memo.get(key)
        if found is None:
            if len(memo) >= _MEMO_LIMIT:
                memo.clear()
            found = memo[key] = _unit_signals(text, key[1], target, key[3], aliases, opinion)
        rows.append(found)
    return pd.DataFrame(rows, columns=list(SIGNAL_NAMES), index=units.index, dtype=float)


def vote_logits(signals: pd.DataFrame, aid_is_favor: bool, neutral_bias: float) -> np.ndarray:
    """(n, 3) logits in LABELS order from summed votes and a fixed neutral logit."""
    favor, against = summed_votes(lambda name: signals[name].to_numpy(dtype=float), aid_is_favor)
    return np.column_stack([against, favor, np.full(len(signals), float(neutral_bias))]).reshape(-1, len(LABELS))


class RoleStance(StanceClassifier):
    """Role-aware rules, no training: favor / against votes of ``role_signals`` against a neutral logit.

    ``aid_is_favor`` follows the label definition: True for spec v2 (rule 7: bare aid is favor for the
    recipient), False for guide v1 (§3.7: a record of aid is neutral). It is set from the gold's spec version
    (``ClassifierContext.label_spec``), never fit.
    """

    needs_labels = False

    def __init__(self, aliases: AliasRows = (), aid_is_favor: bool = True, neutral_bias: float = 0.5):
        self.aliases = aliases
        self.aid_is_favor = aid_is_favor
        self.neutral_bias = neutral_bias

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> RoleStance:
        if labels is not None:
            check_labels(labels)
        self.classes_ = np.asarray(LABELS)
        return self

    def signals(self, units: pd.DataFrame) -> pd.DataFrame:
        """One row of role signals per unit: what fired, so every label can be explained."""
        return signal_table(units, self.aliases)

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        return softmax(vote_logits(self.signals(units), self.aid_is_favor, self.neutral_bias), axis=1)


@classifiers.register("roles")
def roles(
    *, neutral_bias: Annotated[Sequence[float], Field(min_length=1)] = (0.2, 0.35, 0.5, 0.8), context: ClassifierContext
) -> StanceClassifier:
    """Settings: ``classifiers.roles``. ``neutral_bias``: the neutral logit, or several candidates, of which
    the one with the best leave-one-document-out mean macro-F1 over the training documents is used
    (``NestedSelect``: under the evaluate stage's own leave-one-document-out loop the choice never sees the
    held-out document). One value needs no gold labels at all."""
    aid_is_favor = context.label_spec == "v2"
    rules = [RoleStance(context.aliases, aid_is_favor=aid_is_favor, neutral_bias=b) for b in neutral_bias]
    if len(rules) == 1:
        return rules[0]
    return NestedSelect(tuple((f"neutral_bias={b}", rule) for b, rule in zip(neutral_bias, rules)))
