"""Learned layers on the role signals: one multinomial regression, or two steps (polar vs neutral, then direction).

Features are the role signals of ``pipeline.classifiers.roles`` signed toward the unit's target, plus optionally
the document context of ``pipeline.classifiers.context`` and its interaction with "bare" reports (a measure, aid or
cooperation named without evaluation: exactly what rule 6 lets context decide). The target's identity is never a
feature, so what the regressions learn from Ukraine rows (aid, victimhood -> favor) transfers to Russia rows: with
all favor-Russia units in one document, that transfer is the only way a held-out-document model can find them.

Two steps separate the two decisions that fail differently: whether a sentence takes a stance at all (where the
v1 and v2 guides differ most, and where context matters), and which way (which the role signals mostly settle).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from pipeline.classifiers.base import AliasRows, StanceClassifier, align_proba, check_labels
from pipeline.classifiers.context import CONTEXT_COLUMNS, context_features
from pipeline.classifiers.roles import SIGNAL_NAMES, Signals, signal_table
from pipeline.paths import LABELS

_KINDS = ("historical", "territory", "leader", "demonym", "capital")
_FLAGS = ("euphemism", "historical", "statistic", "reported", "bilateral_name")
_BARE = ("measure_bare", "aid_bare", "cooperation_bare")


def signal_features(
    units: pd.DataFrame, aliases: AliasRows, use_context: bool, opinion: tuple[tuple[str, float], ...] = ()
) -> pd.DataFrame:
    """Per unit: role signals, summed favor / against votes (bare aid apart), alias kinds, other target present,
    and with ``use_context`` the context block and its products with the "bare" indicator."""
    signals = signal_table(units, aliases, tuple(opinion))
    votes = np.array([Signals(**r).votes(aid_is_favor=False) for r in signals.to_dict("records")])
    feats = signals.copy()
    feats["favor_votes"], feats["against_votes"] = votes[:, 0], votes[:, 1]
    feats["net"] = votes[:, 0] - votes[:, 1]
    kinds = units["alias_kinds"] if "alias_kinds" in units else [()] * len(units)
    for kind in _KINDS:
        feats[f"kind_{kind}"] = [float(kind in set(k)) for k in kinds]
    feats["other_target"] = [float(len(o) > 0) for o in units["other_targets"]]
    if use_context:
        net = votes[:, 0] + signals["aid_bare"].to_numpy() - votes[:, 1]
        context = context_features(units, np.tanh(net), (np.abs(net) > 0).astype(float))
        bare = (signals[list(_BARE)].sum(axis=1) > 0).astype(float).to_numpy()
        quiet = (votes.sum(axis=1) == 0).astype(float)
        for column in CONTEXT_COLUMNS:
            feats[column] = context[column].to_numpy()
            feats[f"bare_x_{column}"] = bare * context[column].to_numpy()
            feats[f"quiet_x_{column}"] = quiet * context[column].to_numpy()
    return feats


def _regression(C: float, seed: int):
    return make_pipeline(
        StandardScaler(), LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed)
    )


class SignalLR(StanceClassifier):
    """One balanced multinomial logistic regression over ``signal_features``."""

    def __init__(
        self,
        aliases: AliasRows = (),
        use_context: bool = True,
        C: float = 0.3,
        seed: int = 0,
        opinion: tuple[tuple[str, float], ...] = (),
    ):
        self.aliases = aliases
        self.use_context = use_context
        self.C = C
        self.seed = seed
        self.opinion = opinion

    def features(self, units: pd.DataFrame) -> np.ndarray:
        return signal_features(units, self.aliases, self.use_context, self.opinion).to_numpy()

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> SignalLR:
        if labels is None:
            raise ValueError("SignalLR: fit needs gold labels")
        self.model_ = _regression(self.C, self.seed).fit(self.features(units), check_labels(labels))
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        return align_proba(self.model_.predict_proba(self.features(units)), self.model_.classes_)


class TwoStepStance(StanceClassifier):
    """Polar vs neutral, then against vs favor on the polar units; p = [p_pol p_against, p_pol p_favor, 1 - p_pol].

    ``direction="learned"``: a regression on signed evidence only (votes, net, context nets), so it cannot learn
    "Russia rows are against"; a training fold with a single polar class gives a constant direction.
    ``direction="rules"``: the role votes decide (``aid_is_favor`` as in ``RoleStance``), and where a sentence has
    no vote, the sign of its paragraph and document context (rule 6); only polarity is learned, so no direction
    has to be learned from a training fold that lacks it (favor Russia lives in one document).
    """

    def __init__(
        self,
        aliases: AliasRows = (),
        use_context: bool = True,
        C_polar: float = 0.3,
        C_direction: float = 0.3,
        seed: int = 0,
        opinion: tuple[tuple[str, float], ...] = (),
        direction: str = "learned",
        aid_is_favor: bool = True,
        polar_features: str = "all",
    ):
        self.aliases = aliases
        self.use_context = use_context
        self.C_polar = C_polar
        self.C_direction = C_direction
        self.seed = seed
        self.opinion = opinion
        self.direction = direction
        self.aid_is_favor = aid_is_favor
        self.polar_features = polar_features

    def _frames(self, units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        feats = signal_features(units, self.aliases, self.use_context, self.opinion)
        signed = ["favor_votes", "against_votes", "net", *SIGNAL_NAMES]
        signed += [c for c in feats.columns if c.endswith(tuple(CONTEXT_COLUMNS)) and "polar" not in c]
        return self._polar_frame(feats), feats[signed].to_numpy()

    def _polar_frame(self, feats: pd.DataFrame) -> np.ndarray:
        """``all`` features, or ``summed``: only direction-agnostic evidence (total votes, the bare reports, the
        neutral flags, context magnitudes), so what decides "takes a stance" in one document's kind of cue also
        decides it for a kind of cue the training folds never showed (praise of Russia, harmful sanctions)."""
        if self.polar_features == "all":
            return feats.to_numpy()
        columns = {
            "votes": feats["favor_votes"] + feats["against_votes"],
            "aid_bare": feats["aid_bare"],
            "measure_bare": feats["measure_bare"],
            "cooperation_bare": feats["cooperation_bare"],
        }
        columns.update({flag: feats[flag] for flag in _FLAGS})
        columns.update({c: feats[c] for c in feats.columns if c.startswith("kind_") or c == "other_target"})
        columns.update({f"abs_{c}": feats[c].abs() for c in feats.columns if c.endswith(tuple(CONTEXT_COLUMNS))})
        return pd.DataFrame(columns).to_numpy()

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> TwoStepStance:
        if labels is None:
            raise ValueError("TwoStepStance: fit needs gold labels")
        y = check_labels(labels)
        polar_x, direction_x = self._frames(units)
        polar = y != "neutral"
        self.polar_ = _regression(self.C_polar, self.seed).fit(polar_x, polar.astype(int))
        directions = y[polar]
        if self.direction == "rules":
            self.direction_, self.constant_direction_ = None, None
        elif len(set(directions)) == 2:
            self.direction_ = _regression(self.C_direction, self.seed).fit(direction_x[polar], directions)
            self.constant_direction_ = None
        else:
            self.direction_ = None
            self.constant_direction_ = str(directions[0]) if len(directions) else "favor"
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        polar_x, direction_x = self._frames(units)
        p_polar = self.polar_.predict_proba(polar_x)[:, list(self.polar_.classes_).index(1)]
        if self.direction == "rules":
            p_dir = self._rule_direction(units)
        elif self.direction_ is not None:
            p_dir = align_proba(self.direction_.predict_proba(direction_x), self.direction_.classes_)
        else:
            p_dir = np.zeros((len(units), len(LABELS)))
            p_dir[:, LABELS.index(self.constant_direction_)] = 1.0
        out = p_dir * p_polar[:, None]
        out[:, LABELS.index("neutral")] = 1.0 - p_polar
        return out

    def _rule_direction(self, units: pd.DataFrame) -> np.ndarray:
        """P(against), P(favor) from the sign of the role votes, else of the paragraph + document context."""
        feats = signal_features(units, self.aliases, True, self.opinion)
        signals = feats[list(SIGNAL_NAMES)]
        votes = np.array([Signals(**r).votes(self.aid_is_favor) for r in signals.to_dict("records")])
        evidence = votes[:, 0] - votes[:, 1]
        quiet = votes.sum(axis=1) == 0
        if self.use_context:
            evidence = np.where(quiet, feats["para_net"].to_numpy() + feats["doc_net"].to_numpy(), evidence)
        p_favor = 1.0 / (1.0 + np.exp(-2.0 * evidence))
        out = np.zeros((len(units), len(LABELS)))
        out[:, LABELS.index("favor")] = p_favor
        out[:, LABELS.index("against")] = 1.0 - p_favor
        return out
