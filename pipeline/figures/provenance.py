"""Where a figure's labels come from, in words: gold version, who annotated, which classifier.

Every caption names its labels (issue #16). Facts come from the files that
record them, never from what the seed corpus is known to be:

- the **gold version** and **who annotated** from the annotation pass files
  (``corpus/annotations/passes/*.csv``, PLAN.md "Annotation files, v2":
  columns ``guide_version`` and ``annotator_kind``) and the adjudication
  file (``adjudicator_kind``); where a file or column is missing the phrase
  says "unknown" and names the file that would tell;
- the **classifier** from params (``stance.classifier``), or, for ``auto``,
  the evaluate stage's choice (outputs/metrics/evaluate.json ``selected``).

The report uses the same phrases, so a figure and the text around it agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import paths
from pipeline.params import Params

#: One CSV per annotation pass (PLAN.md "Annotation files, v2").
PASSES = paths.PASSES
ADJUDICATION = paths.ADJUDICATION
KIND_WORDS = {"model": "model-based", "human": "human"}


@dataclass(frozen=True)
class Provenance:
    """The recorded facts; an empty tuple means the files do not record it."""

    guide_versions: tuple[str, ...] = ()
    annotator_kinds: tuple[str, ...] = ()
    adjudicator_kinds: tuple[str, ...] = ()
    classifier: str | None = None

    @property
    def gold(self) -> str:
        """``gold v2 (annotation guide 2.1)``, or the version as unknown with where it would be."""
        if not self.guide_versions:
            return f"gold labels, version unknown (no guide_version in {PASSES}/*.csv)"
        return f"gold {gold_version(self.guide_versions)} (annotation guide {', '.join(self.guide_versions)})"

    @property
    def annotators(self) -> str:
        """Who labelled, said plainly: model-based annotators are not human coders."""
        if not self.annotator_kinds:
            return f"annotators of unknown kind (no annotator_kind in {PASSES}/*.csv)"
        kinds = set(self.annotator_kinds)
        if kinds == {"model"}:
            who = "model-based annotators (LLM sessions), not human coders"
        elif kinds == {"human"}:
            who = "human annotators"
        else:
            who = " and ".join(KIND_WORDS.get(k, k) for k in sorted(kinds)) + " annotators"
        if self.adjudicator_kinds:
            adjudicators = " and ".join(KIND_WORDS.get(k, k) for k in sorted(set(self.adjudicator_kinds)))
            who += f", disagreements settled by a {adjudicators} adjudicator"
        return who

    @property
    def model(self) -> str:
        return f"the {self.classifier} classifier" if self.classifier else "a classifier (name unknown)"


def gold_version(guide_versions: Iterable[str]) -> str:
    """The gold version from the guide versions its labels were made under: guide 2.0 and 2.1 give 'v2'."""
    majors = sorted({str(v).split(".")[0] for v in guide_versions if str(v).strip()})
    return "/".join(f"v{m}" for m in majors)


def _recorded(files: list[Path], column: str) -> tuple[str, ...]:
    """The distinct values of ``column`` over ``files``; empty when any file lacks it (then unknown)."""
    values: set[str] = set()
    for file in files:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False)
        if column not in frame.columns or (frame[column] == "").any():
            return ()
        values.update(frame[column])
    return tuple(sorted(values))


def selected_classifier(params: Params) -> str | None:
    """The classifier that labelled the corpus: params, or the evaluate stage's pick for ``auto``."""
    name = params.stance.classifier
    if name != "auto":
        return name
    chosen = params.root / paths.EVALUATION
    if not chosen.is_file():
        return None
    return str(json.loads(chosen.read_text(encoding="utf-8")).get("selected") or "") or None


def read_provenance(params: Params) -> Provenance:
    """The facts above from the project's files (corpus/annotations, the evaluate stage's metrics)."""
    passes = sorted((params.root / PASSES).glob("*.csv"))
    adjudication = params.root / ADJUDICATION
    return Provenance(
        guide_versions=_recorded(passes, "guide_version") if passes else (),
        annotator_kinds=_recorded(passes, "annotator_kind") if passes else (),
        adjudicator_kinds=_recorded([adjudication], "adjudicator_kind") if adjudication.is_file() else (),
        classifier=selected_classifier(params),
    )
