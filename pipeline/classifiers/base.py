"""The interface every stance classifier implements, and what its factory may use.

A classifier is a scikit-learn estimator over the stance-unit table
(pipeline.nlp.units): ``fit(units, labels)`` then ``predict_proba(units)``
returning an (n, 3) matrix with columns in ``LABELS`` order. Being a plain
estimator lets cross-validation, stacking and persistence treat every
classifier alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from pipeline.paths import LABELS
from pipeline.targets import Alias

AliasRows = tuple[tuple[str, str, str], ...]
"""Alias table as plain tuples (target, text, kind): hashable, clonable estimator params."""


def alias_rows(aliases: Iterable[Alias]) -> AliasRows:
    return tuple((a.target, a.text, a.kind) for a in aliases)


ActorRows = tuple[tuple[str, tuple[str, ...]], ...]
"""Non-target actors as (actor id, names), sorted by id."""


class StanceClassifier(ClassifierMixin, BaseEstimator):
    """Base class: subclasses implement ``fit`` and ``predict_proba``."""

    #: True when ``fit`` learns from labels (False: rules tuned on the guide alone).
    needs_labels: bool = True

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> StanceClassifier:
        raise NotImplementedError

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        raise NotImplementedError

    def predict(self, units: pd.DataFrame) -> np.ndarray:
        return np.asarray(LABELS)[self.predict_proba(units).argmax(axis=1)]

    def relocate(self, root: str) -> StanceClassifier:
        """Point a loaded model at this checkout's project root (model folders and caches
        in params are relative to it), so a model file moves between clones."""
        if "root" in self.get_params(deep=False):
            self.set_params(root=root)
        return self


def check_labels(labels: Sequence[str] | np.ndarray) -> np.ndarray:
    """Labels as an array; a label outside LABELS is a clear error, not a silent class."""
    arr = np.asarray(labels, dtype=object)
    unknown = sorted(set(arr) - set(LABELS))
    if unknown:
        raise ValueError(f"unknown stance label(s) {unknown}; expected {list(LABELS)}")
    return arr


def align_proba(proba: np.ndarray, classes: Sequence[str]) -> np.ndarray:
    """Probabilities with columns in LABELS order. A class the model never saw (absent
    from its training fold) gets probability 0 rather than shifting the columns."""
    out = np.zeros((len(proba), len(LABELS)))
    for j, label in enumerate(classes):
        out[:, LABELS.index(str(label))] = proba[:, j]
    return out


@dataclass(frozen=True)
class ClassifierContext:
    """What a classifier factory may take besides its own params section (argument ``context``)."""

    targets: tuple[str, ...]
    aliases: AliasRows
    actors: ActorRows
    seed: int
    root: str
    """The project root; paths in pipeline.paths are relative to it."""
    build: Callable[[str], StanceClassifier]
    """Another registered classifier by name, from its own section (ensembles, calibrated variants)."""
    label_spec: str = "v2"
    """The label definition of the project's gold labels: "v2" (STANCE-SPEC v2, whose gold carries a ``basis``
    column; also without gold: the spec in force) or "v1" (guide v1: a bare record of aid is neutral).
    Rules that encode the definition follow it; it is never fit."""


PROBA_DECIMALS = 4
"""Decimals every stored probability keeps (out-of-fold and stance rows, and all scores computed from them)."""


COEF_DECIMALS = 10


def settle_coefficients(model: BaseEstimator) -> None:
    """A fitted linear model's ``coef_`` and ``intercept_`` rounded to COEF_DECIMALS, in place.

    The solver leaves CPU-dependent noise in their last bits: in the propagation
    classifier's regression at most 9e-16 between this machine's kernels and the
    emulated others of benchmarks/cross_cpu_check.sh. That noise changes the bytes
    of the saved model and so its hash in dvc.lock on another machine, while every
    rounded prediction stays the same. Ten decimals are the same numbers everywhere
    unless a value sits within that noise of a rounding boundary (about 1e-5 per
    value), and far finer than the model's own accuracy (docs/determinism.md).
    """
    model.coef_ = np.round(model.coef_, COEF_DECIMALS)
    model.intercept_ = np.round(model.intercept_, COEF_DECIMALS)


def at_fixed_precision(proba: np.ndarray) -> np.ndarray:
    """Probabilities rounded to PROBA_DECIMALS, as the stages store and score them.

    A fitted model's probabilities differ between CPUs in their last digits: the
    solver's BLAS calls round differently on other kernels, and L-BFGS carries that
    into the linear classifier's probabilities at up to 2e-9. Four decimals are the
    same numbers everywhere unless a value sits within that noise of a rounding
    boundary (measured: 5e-4 expected changed values per evaluate run,
    docs/determinism.md), and still far finer than the models' own accuracy (the
    solver stops 6e-3 short of the optimum). Each row's rounding remainder goes to
    its largest probability, so the row still sums to 1.
    """
    rounded = np.round(np.asarray(proba, dtype=float), PROBA_DECIMALS)
    if rounded.size:
        rows, top = np.arange(len(rounded)), rounded.argmax(axis=1)
        rounded[rows, top] = np.round(rounded[rows, top] + 1.0 - rounded.sum(axis=1), PROBA_DECIMALS)
    return rounded
