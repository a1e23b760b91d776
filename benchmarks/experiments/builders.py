"""Builders of the experiment's classifier variants for one gold file's spec version (``variants.VARIANTS``).

Fixed settings here were set before any score was seen, from the spec or as common defaults; every choice a
variant makes from labels happens inside its ``fit`` (``NestedSelect`` or inner leave-one-document-out).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.experiments.opinion import opinion_words
from benchmarks.experiments.priors import PriorShift
from benchmarks.experiments.rule_variants import OpinionRoleStance, RoleContextRule
from benchmarks.experiments.two_step import SignalLR, TwoStepStance
from pipeline import paths
from pipeline.classifiers import make_classifier
from pipeline.classifiers.base import AliasRows, StanceClassifier, alias_rows
from pipeline.classifiers.embedding import Encoder, shared_encoder
from pipeline.classifiers.propagation import ContextPropagation
from pipeline.classifiers.roles import RoleStance
from pipeline.classifiers.selection import NestedSelect
from pipeline.params import Params

C_GRID = (0.03, 0.3, 3.0)
BIAS_GRID = (0.2, 0.35, 0.5, 0.8)
PROPAGATION_C_GRID = (0.1, 1.0)
EMBEDDING_COMPONENTS = 8


@dataclass(frozen=True)
class Setting:
    params: Params
    spec: str  # "v1" or "v2": the label definition (bare aid neutral in v1, favor in v2), never fit

    @property
    def aliases(self) -> AliasRows:
        return alias_rows(self.params.aliases())

    @property
    def aid_is_favor(self) -> bool:
        return self.spec == "v2"


def roles(s: Setting, bias: float = 0.5, opinion: bool = False) -> RoleStance:
    if opinion:
        return OpinionRoleStance(s.aliases, aid_is_favor=s.aid_is_favor, neutral_bias=bias, opinion=opinion_words())
    return RoleStance(s.aliases, aid_is_favor=s.aid_is_favor, neutral_bias=bias)


def roles_nested(s: Setting, context_rule: bool = False) -> NestedSelect:
    """roles_nested_bias: the registered ``roles`` with its default grid (``classifiers.roles.neutral_bias``)."""
    rules = RoleContextRule if context_rule else RoleStance
    return NestedSelect(
        tuple((f"bias={b}", rules(s.aliases, aid_is_favor=s.aid_is_favor, neutral_bias=b)) for b in BIAS_GRID)
    )


def signal_lr(s: Setting, context: bool) -> NestedSelect:
    return NestedSelect(
        tuple((f"C={c}", SignalLR(s.aliases, use_context=context, C=c, seed=s.params.seed)) for c in C_GRID)
    )


def two_step(s: Setting, context: bool, direction: str = "learned", polar: str = "all") -> NestedSelect:
    return NestedSelect(
        tuple(
            (
                f"C={c}",
                TwoStepStance(
                    s.aliases,
                    use_context=context,
                    C_polar=c,
                    C_direction=c,
                    seed=s.params.seed,
                    direction=direction,
                    aid_is_favor=s.aid_is_favor,
                    polar_features=polar,
                ),
            )
            for c in C_GRID
        )
    )


def stack_members(s: Setting) -> tuple[tuple[str, StanceClassifier], ...]:
    return (
        ("roles", roles(s)),
        ("two_step_summed", two_step(s, context=False, direction="rules", polar="summed")),
        ("linear", make_classifier("linear", s.params)),
    )


def nested_choice(s: Setting) -> NestedSelect:
    """The selection procedure itself, scored: inner LODO picks among the cheap candidates."""
    return NestedSelect(
        (
            ("roles_nested_bias", roles_nested(s)),
            ("roles_context_rule", roles_nested(s, context_rule=True)),
            ("two_step_summed", two_step(s, context=False, direction="rules", polar="summed")),
            ("two_step_summed_context", two_step(s, context=True, direction="rules", polar="summed")),
        )
    )


def propagation(s: Setting, directions: tuple[str, ...] = ("guide",), **fixed) -> NestedSelect:
    """Rule-6 propagation; the rules' neutral bias and the regression's C (and the direction rule, when several
    are given) chosen by inner LODO."""
    return NestedSelect(
        tuple(
            (f"{d},bias={b},C={c}", propagation_fixed(s, direction=d, neutral_bias=b, C=c, **fixed))
            for d in directions
            for b in BIAS_GRID
            for c in PROPAGATION_C_GRID
        )
    )


def propagation_fixed(
    s: Setting, model: type[ContextPropagation] = ContextPropagation, **settings
) -> ContextPropagation:
    """Rule-6 propagation with settings fixed a priori: the rules' neutral bias 0.5 (as ``roles``), scikit-learn's
    default C = 1, balanced classes, the direction learned (the registered ``propagation``); keyword arguments
    override them, ``model`` adds an evidence block (``propagation_variants``)."""
    base = {"neutral_bias": 0.5, "C": 1.0, "direction": "learned", **settings}
    return model(s.aliases, aid_is_favor=s.aid_is_favor, seed=s.params.seed, **base)


def encoder(s: Setting) -> Encoder:
    """The frozen encoder of the ``embedding`` classifier, with its settings (``classifiers.embedding``)."""
    cfg = s.params.classifiers["embedding"]
    return shared_encoder(
        str(cfg["model"]),
        str(s.params.root),
        str(paths.EMBEDDING_CACHE),
        int(cfg["max_length"]),
        int(cfg["batch_size"]),
    )


def nested_choice_v2(s: Setting) -> NestedSelect:
    """The selection procedure of gold v2, scored: candidates simplest first, a later one must win by > 0.01."""
    return NestedSelect(
        (
            ("roles_context_rule", roles_nested(s, context_rule=True)),
            ("propagation_fixed", propagation_fixed(s)),
            ("propagation_threshold", PriorShift(propagation_fixed(s), per="shared")),
            ("propagation_learned", propagation(s, ("learned",))),
        ),
        tolerance=0.01,
    )


def existing(name: str) -> Callable[[Setting], StanceClassifier]:
    return lambda s: make_classifier(name, s.params)
