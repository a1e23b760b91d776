"""Where the report's labels come from, in words: which labels, and who annotated.

Every section and table note of the report names its labels from these
phrases, so the report never calls model-based annotators (LLM sessions)
human coders and never lets a model label pass for a gold one. The facts
come from the metrics files of this run: the gold set and its agreement
(``n_gold_units``, ``annotators``, ``n_context_basis``, ``kappa_label`` or
``alpha_label`` with ``_low``/``_high``/``_non_guide``; ``gold_version``, which the report
stage adds from the gold table's guide versions), the evaluation headline
(``selected``, ``macro_f1``), and ``stance.labels``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SOURCES = {
    "gold": "gold labels",
    "ppi": "prediction-powered estimates (gold labels of a random sample corrected by model labels)",
    "model": "model labels",
}


def gold_name(gold: Mapping[str, Any] | None) -> str:
    """'gold v1 labels', or 'gold labels' when the metrics do not say which version."""
    version = (gold or {}).get("gold_version")
    return f"gold {version} labels" if version else "gold labels"


def gold_phrase(gold: Mapping[str, Any] | None) -> str | None:
    """What the gold labels are and who made them, or None without gold labels."""
    if not gold or not gold.get("n_gold_units"):
        return None
    who = gold.get("annotators") or "annotators not recorded"
    adjudicated = gold.get("n_adjudicated")
    context = gold.get("n_context_basis")
    text = f"{gold_name(gold)}: {gold['n_gold_units']} units labelled under docs/annotation-guide.md by {who}"
    text += f"; {adjudicated} decided by adjudication" if adjudicated is not None else ""
    text += f"; {context} labels rest on context (spec rule 6)" if context else ""
    return text + " (docs/annotation-report.md)"


def agreement_phrase(gold: Mapping[str, Any] | None) -> str | None:
    """Agreement between the annotation passes with its interval, and what it does not show."""
    if not gold:
        return None
    for key, name in (("alpha_label", "Krippendorff's alpha between the passes"), ("kappa_label", "")):
        value = gold.get(key)
        if value is None:
            continue
        name = name or "Cohen's kappa between the first and a blind second pass"
        low, high = gold.get(f"{key}_low"), gold.get(f"{key}_high")
        bounds = f" [{low:.2f}, {high:.2f}]" if low is not None and high is not None else ""
        units = gold.get("n_multiply_coded")
        on = f" on {int(units):,} units labelled more than once" if units else ""
        text = f"{name}: {value:.2f}{bounds}{on}"
        non_guide = gold.get(f"{key}_non_guide")
        text += f" ({non_guide:.2f} on the units the guide does not quote)" if non_guide is not None else ""
        if "model-based" in str(gold.get("annotators", "")):
            text += (
                "; agreement between model-based annotators following one guide, not human inter-coder "
                "reliability, which it very likely overstates"
            )
        return text
    return None


def model_phrase(describe: str, evaluation: Mapping[str, Any] | None, gold: Mapping[str, Any] | None) -> str:
    """The model labels and how far they were checked against the gold labels."""
    if not evaluation or evaluation.get("macro_f1") is None:
        return f"{describe}, not checked against gold labels in this run"
    return (
        f"{describe}; out-of-fold macro-F1 against the {gold_name(gold)} {evaluation['macro_f1']:.2f} (mean over "
        f"targets, leave-one-document-out on {evaluation.get('n_gold_units', '?')} units of "
        f"{evaluation.get('n_documents', '?')} documents)"
    )


@dataclass(frozen=True)
class Provenance:
    """The label phrases of one report."""

    findings: str
    """The labels the findings, figures and compare tables rest on."""
    gold: str | None
    agreement: str | None
    model: str

    @property
    def evaluation(self) -> str:
        """What the evaluation compares: out-of-fold model labels against the gold labels."""
        return f"Out-of-fold model predictions scored against the {self.gold or 'gold labels'}."

    @property
    def examples(self) -> str:
        return self.gold or self.model


def provenance(
    mode: str,
    sources: list[str],
    describe: str,
    gold: Mapping[str, Any] | None,
    evaluation: Mapping[str, Any] | None,
) -> Provenance:
    """``mode``: stance.labels; ``sources``: the label_source values of the reported compare rows (empty when
    the tables have no such column); ``describe``: the figure context's words for the model labels."""
    model = model_phrase(describe, evaluation, gold)
    kinds = sources or [mode]
    parts = []
    for kind in kinds:
        if kind == "model":
            parts.append(model)
        elif kind == "gold":
            parts.append(gold_phrase(gold) or SOURCES["gold"])
        else:
            parts.append(SOURCES.get(kind, kind))
    if "model" in kinds:
        parts.append("model-label intervals ignore classification error")
    return Provenance(findings="; ".join(parts), gold=gold_phrase(gold), agreement=agreement_phrase(gold), model=model)
