"""A linear classifier on target-aware features (scikit-learn pipeline).

Features, all computed relative to the unit's own target:

- word n-grams in a token window around the target, with the target masked
  as one placeholder and the other target as another (pipeline.classifiers.features),
  and tokens in a negation's scope prefixed ``neg_`` ("not support" differs
  from "support");
- the guide's evaluative and framing cues: which cues the lexicon classifier
  found near the target, with their polarity for this target ("invasion-"
  when the target is the aggressor, "invasion+" when it is the victim), so
  the regression learns how much each cue weighs; the lexicon's favor /
  against votes; how many negations the sentence has;
- which other actors co-occur (Japan, China, the US, ...), whether the other
  target is in the sentence, and the alias kinds of the mention (historical,
  territory, ...).

A multinomial logistic regression with balanced class weights sits on top,
so the rare classes (favor Russia, against Ukraine) are not drowned out.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from pipeline.classifiers.base import (
    ActorRows,
    AliasRows,
    ClassifierContext,
    StanceClassifier,
    align_proba,
    check_labels,
)
from pipeline.classifiers.features import TARGET_TOKEN, ActorFinder, finder_for, masked_texts, tokens, window
from pipeline.classifiers.lexicon import LexiconStance
from pipeline.params import PositiveInt, PositiveNumber
from pipeline.paths import LABELS
from pipeline.plugins import classifiers
from pipeline.targets import ALIAS_KINDS

_KINDS = sorted(ALIAS_KINDS)


class MaskedContext(TransformerMixin, BaseEstimator):
    """Units -> masked text of the target's window (``window`` tokens each side), with
    tokens in a negation's scope marked by a ``neg_`` prefix."""

    def __init__(
        self, aliases: AliasRows = (), window: int = 6, negations: Sequence[str] = (), negation_scope: int = 3
    ):
        self.aliases = aliases
        self.window = window
        self.negations = negations
        self.negation_scope = negation_scope

    def fit(self, units: pd.DataFrame, y: object = None) -> MaskedContext:
        return self

    def transform(self, units: pd.DataFrame) -> list[str]:
        out = []
        for text in masked_texts(units, finder_for(self.aliases)):
            toks = self._mark_negation(tokens(text))
            out.append(" ".join(window(toks, self.window)))
        return out

    def _mark_negation(self, toks: list[str]) -> list[str]:
        negations, marked, scope = set(self.negations), [], 0
        for tok in toks:
            if tok in negations or tok.endswith("n't"):
                marked.append(tok)
                scope = self.negation_scope
            elif scope and tok.isalpha() and tok != TARGET_TOKEN.lower():
                marked.append(f"neg_{tok}")
                scope -= 1
            else:
                marked.append(tok)
                scope = 0 if tok in {".", ";", ",", ":"} else scope
        return marked


class CueTokens(TransformerMixin, BaseEstimator):
    """Units -> the lexicon's cues for the unit's target as words ("support+ invasion-")."""

    def __init__(self, lexicon: LexiconStance | None = None):
        self.lexicon = lexicon

    def fit(self, units: pd.DataFrame, y: object = None) -> CueTokens:
        return self

    def transform(self, units: pd.DataFrame) -> list[str]:
        lexicon = self.lexicon if self.lexicon is not None else LexiconStance()
        return [
            " ".join(lexicon.votes(text, list(starts), list(ends), target).cues)
            for text, starts, ends, target in zip(
                units["text"], units["mention_starts"], units["mention_ends"], units["target"]
            )
        ]


class CueCounts(TransformerMixin, BaseEstimator):
    """Units -> dense features: lexicon votes, negations near the target, co-occurring
    actors, other target present, alias kinds, and (optionally) which target it is."""

    def __init__(
        self,
        lexicon: LexiconStance | None = None,
        actors: ActorRows = (),
        targets: tuple[str, ...] = (),
        use_target: bool = False,
    ):
        self.lexicon = lexicon
        self.actors = actors
        self.targets = targets
        self.use_target = use_target

    def fit(self, units: pd.DataFrame, y: object = None) -> CueCounts:
        return self

    def transform(self, units: pd.DataFrame) -> np.ndarray:
        lexicon = self.lexicon if self.lexicon is not None else LexiconStance()
        negations = set(lexicon.negations)
        rows = []
        for text, starts, ends, target in zip(
            units["text"], units["mention_starts"], units["mention_ends"], units["target"]
        ):
            votes = lexicon.votes(text, list(starts), list(ends), target)
            toks = tokens(text)
            n_neg = sum(t in negations or t.endswith("n't") for t in toks)
            rows.append([votes.favor, votes.against, len(votes.cues), n_neg])
        cues = np.asarray(rows, dtype=float).reshape(-1, 4)
        actors = ActorFinder({a: names for a, names in self.actors}).indicators(units["text"])
        other = np.array([[float(len(o) > 0)] for o in units["other_targets"]]).reshape(-1, 1)
        kinds = np.array([[float(k in set(ks)) for k in _KINDS] for ks in units["alias_kinds"]])
        parts = [cues, actors, other, kinds.reshape(-1, len(_KINDS))]
        if self.use_target:
            which = np.array([[float(t == u) for t in self.targets] for u in units["target"]])
            parts.append(which.reshape(-1, len(self.targets)))
        return np.hstack(parts)


class LinearStance(StanceClassifier):
    def __init__(
        self,
        aliases: AliasRows = (),
        actors: ActorRows = (),
        targets: tuple[str, ...] = (),
        lexicon: LexiconStance | None = None,
        window: int = 6,
        ngram_max: int = 2,
        min_df: int = 2,
        C: float = 1.0,
        use_target: bool = False,
        negation_scope: int = 3,
        seed: int = 0,
    ):
        self.aliases = aliases
        self.actors = actors
        self.targets = targets
        self.lexicon = lexicon
        self.window = window
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.C = C
        self.use_target = use_target
        self.negation_scope = negation_scope
        self.seed = seed

    def _build(self) -> Pipeline:
        negations = tuple(self.lexicon.negations) if self.lexicon is not None else ()

        parts = [
            (
                "window",
                make_pipeline(
                    MaskedContext(self.aliases, self.window, negations, self.negation_scope),
                    TfidfVectorizer(
                        ngram_range=(1, self.ngram_max), min_df=self.min_df, sublinear_tf=True, token_pattern=r"[^ ]+"
                    ),
                ),
            ),
            (
                "cue_tokens",
                make_pipeline(CueTokens(self.lexicon), CountVectorizer(binary=True, token_pattern=r"[^ ]+")),
            ),
            (
                "cue_counts",
                make_pipeline(CueCounts(self.lexicon, self.actors, self.targets, self.use_target), StandardScaler()),
            ),
        ]
        return Pipeline(
            [
                ("features", FeatureUnion(parts)),
                ("model", LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000, random_state=self.seed)),
            ]
        )

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> LinearStance:
        if labels is None:
            raise ValueError("linear classifier: fit needs gold labels")
        y = check_labels(labels)
        self.pipeline_ = self._build().fit(units, y)
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        return align_proba(self.pipeline_.predict_proba(units), self.pipeline_.classes_)

    def __getstate__(self) -> dict:
        """Pickled state without the vectorizers' ``_stop_words_id`` (a memory address scikit-learn
        caches), so the same fit gives the same model file bytes in every run."""
        state = super().__getstate__()
        if "pipeline_" in state:
            fitted = copy.deepcopy(state["pipeline_"])
            for _, part in fitted.named_steps["features"].transformer_list:
                for _, step in part.steps:
                    if isinstance(step, CountVectorizer):
                        vars(step).pop("_stop_words_id", None)
            state["pipeline_"] = fitted
        return state


@classifiers.register("linear")
def linear(
    *,
    window: PositiveInt,
    ngram_max: PositiveInt,
    min_df: PositiveInt,
    C: PositiveNumber,
    use_target: bool,
    negation_scope: PositiveInt,
    context: ClassifierContext,
) -> LinearStance:
    """Settings: ``classifiers.linear``; the lexicon (``classifiers.lexicon``) supplies the cue features."""
    lexicon = context.build("lexicon")
    if not isinstance(lexicon, LexiconStance):
        raise TypeError("linear: the 'lexicon' classifier is not a LexiconStance")
    return LinearStance(
        aliases=context.aliases,
        actors=context.actors,
        targets=context.targets,
        lexicon=lexicon,
        window=window,
        ngram_max=ngram_max,
        min_df=min_df,
        C=C,
        use_target=use_target,
        negation_scope=negation_scope,
        seed=context.seed,
    )
