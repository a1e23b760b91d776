"""Every classifier variant the experiment compares, by name, built for one gold file's spec version.

Every choice a variant makes from labels (regularisation, neutral bias, stacking weights, which candidate) happens
inside its ``fit`` through ``NestedSelect`` or inner leave-one-document-out, so the outer leave-one-document-out
score is nested. Fixed settings below were set before any score was seen, from the spec or as common defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.experiments.builders import (
    BIAS_GRID,
    EMBEDDING_COMPONENTS,
    Setting,
    encoder,
    existing,
    nested_choice,
    nested_choice_v2,
    propagation,
    propagation_fixed,
    roles,
    roles_nested,
    signal_lr,
    stack_members,
    two_step,
)
from benchmarks.experiments.cross_encoder import CrossEncoderStance
from benchmarks.experiments.priors import PriorShift
from benchmarks.experiments.propagation_variants import EdgesPropagation, EmbeddingPropagation
from benchmarks.experiments.stacked import StackedStance
from pipeline.classifiers.base import StanceClassifier
from pipeline.classifiers.selection import NestedSelect


@dataclass(frozen=True)
class Variant:
    name: str
    description: str
    build: Callable[[Setting], StanceClassifier]
    slow: bool = False  # minutes on 2 cores: run only when asked for


VARIANTS = (
    Variant("lexicon", "seed lexicon (current default), no training", existing("lexicon")),
    Variant("roles", "role-aware rules, neutral bias 0.5 fixed a priori, no training", roles),
    Variant(
        "roles_nested_bias",
        f"role-aware rules, neutral bias chosen by inner LODO from {list(BIAS_GRID)}",
        roles_nested,
    ),
    Variant(
        "roles_context_rule",
        "roles_nested_bias + rule 6 as a rule: a bare measure / aid / cooperation "
        "report takes its paragraph's direction",
        lambda s: roles_nested(s, context_rule=True),
    ),
    Variant(
        "roles_opinion",
        "roles + VADER opinion words (|valence| >= 1.5) as evaluative cues, bias 0.5",
        lambda s: roles(s, opinion=True),
    ),
    Variant(
        "roles_opinion_nested_bias",
        "roles_opinion with the neutral bias chosen by inner LODO",
        lambda s: NestedSelect(tuple((f"bias={b}", roles(s, b, opinion=True)) for b in BIAS_GRID)),
    ),
    Variant(
        "signal_lr", "balanced multinomial LR on role signals, C by inner LODO", lambda s: signal_lr(s, context=False)
    ),
    Variant(
        "signal_lr_context",
        "as signal_lr + document context (paragraph / document nets, rule 6)",
        lambda s: signal_lr(s, context=True),
    ),
    Variant(
        "two_step",
        "polar-vs-neutral LR then direction LR on role signals, C by inner LODO",
        lambda s: two_step(s, context=False),
    ),
    Variant("two_step_context", "as two_step + document context (rule 6)", lambda s: two_step(s, context=True)),
    Variant(
        "two_step_rules",
        "polar-vs-neutral LR (C by inner LODO); direction from the role votes",
        lambda s: two_step(s, context=False, direction="rules"),
    ),
    Variant(
        "two_step_rules_context",
        "as two_step_rules + context in polarity, and as direction where the sentence has no vote (rule 6)",
        lambda s: two_step(s, context=True, direction="rules"),
    ),
    Variant(
        "two_step_summed",
        "as two_step_rules, polarity from direction-agnostic sums only",
        lambda s: two_step(s, context=False, direction="rules", polar="summed"),
    ),
    Variant(
        "two_step_summed_context",
        "as two_step_summed + context magnitudes and context direction",
        lambda s: two_step(s, context=True, direction="rules", polar="summed"),
    ),
    Variant(
        "stacked_lr",
        "stacking of roles, two_step_summed, linear: balanced LR (C 0.1) on inner-LODO log-probabilities",
        lambda s: StackedStance(stack_members(s), "lr", seed=s.params.seed),
    ),
    Variant(
        "stacked_weights",
        "same members, simplex weights (step 0.1) maximising inner-LODO macro-F1",
        lambda s: StackedStance(stack_members(s), "weights", seed=s.params.seed),
    ),
    Variant(
        "nested_choice",
        "inner LODO chooses among roles_nested_bias, roles_context_rule, two_step_summed, "
        "two_step_summed_context (the selection procedure, scored)",
        nested_choice,
    ),
    Variant(
        "propagation",
        "rule-6 propagation (pipeline.classifiers.propagation): role rules label sentence-locally, "
        "a balanced LR over direction-free paragraph / thesis / carrier evidence decides whether a rule-neutral "
        "unit takes the direction of its paragraph (else neighbours, else document); bias x C by inner LODO",
        propagation,
    ),
    Variant(
        "propagation_thesis",
        "as propagation, direction from the document's explicit stances only",
        lambda s: propagation(s, ("thesis",)),
    ),
    Variant(
        "propagation_learned",
        "as propagation, but one LR scores both directions from the evidence along each "
        "(how far paragraph vs document is trusted is learned); bias x C by inner LODO",
        lambda s: propagation(s, ("learned",)),
    ),
    Variant(
        "propagation_fixed",
        "propagation_learned with bias 0.5 and C 1 fixed a priori (no choice at all)",
        propagation_fixed,
    ),
    Variant(
        "propagation_unbalanced",
        "propagation_fixed without class balancing in the LR",
        lambda s: propagation_fixed(s, balanced=False),
    ),
    Variant(
        "propagation_edges",
        "propagation_fixed + the thesis read from the first and last 20% of the document's units (guide 4.2)",
        lambda s: propagation_fixed(s, EdgesPropagation),
    ),
    Variant(
        "propagation_embedding",
        f"propagation_fixed + {EMBEDDING_COMPONENTS} principal components (fit in the "
        "training fold) of frozen MiniLM vectors of the unit's paragraph",
        lambda s: propagation_fixed(s, EmbeddingPropagation, components=EMBEDDING_COMPONENTS, encoder=encoder(s)),
    ),
    Variant(
        "propagation_threshold",
        "propagation_fixed + one polar-vs-neutral log-prior offset shared by the "
        "targets, chosen by inner LODO (pipeline.classifiers.priors, per='shared')",
        lambda s: PriorShift(propagation_fixed(s), per="shared"),
    ),
    Variant(
        "propagation_priors",
        "propagation_fixed + per-target against / favor log-prior offsets chosen by inner LODO (per='target')",
        lambda s: PriorShift(propagation_fixed(s)),
    ),
    Variant(
        "roles_priors",
        "roles_nested_bias + per-target log-prior offsets chosen by inner LODO",
        lambda s: PriorShift(roles_nested(s)),
    ),
    Variant(
        "roles_threshold",
        "roles_nested_bias + one shared polar-vs-neutral offset chosen by inner LODO",
        lambda s: PriorShift(roles_nested(s), per="shared"),
    ),
    Variant(
        "nested_choice_v2",
        "inner LODO chooses among roles_context_rule, propagation_fixed, "
        "propagation_threshold, propagation_learned (simplest first; a later one must win by > 0.01): the "
        "gold-v2 selection, scored",
        nested_choice_v2,
    ),
    Variant("linear", "existing TF-IDF + lexicon-cue LR", existing("linear")),
    Variant(
        "cross_encoder",
        "fine-tuned MiniLM cross-encoder with target markers: top 2 of 6 layers + head, "
        "4 epochs, lr 5e-5, batch 16, 1 torch thread (fixed a priori, not tuned)",
        lambda s: CrossEncoderStance(root=str(s.params.root), aliases=s.aliases, threads=1, seed=s.params.seed),
        slow=True,
    ),
    Variant(
        "ensemble",
        "existing weighted ensemble (lexicon_calibrated, linear, embedding)",
        existing("ensemble"),
        slow=True,
    ),
    Variant("embedding", "existing frozen MiniLM + LR", existing("embedding"), slow=True),
)


def variant(name: str) -> Variant:
    for v in VARIANTS:
        if v.name == name:
            return v
    raise KeyError(f"unknown variant '{name}'; known: {[v.name for v in VARIANTS]}")
