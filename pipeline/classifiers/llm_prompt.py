"""What the ``llm`` classifier sends and accepts: the instructions, the unit as a prompt, and the answer's checks.

The system message holds the task, the spec's label and basis definitions and the project's annotation guide
(read from its file at run time, so the model follows the guide the annotators follow); the user message holds
the sentence with the target's mentions marked ``[[like this]]`` and, from the unit table's context columns, the
sentences before and after it. The answer is a JSON object ``{"label", "basis", "rationale"}``, validated by
``parse_answer`` (see ``pipeline.classifiers.llm`` for what is coerced or refused).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline import paths
from pipeline.classifiers.features import replace_spans, unit_spans
from pipeline.classifiers.llm_endpoint import InvalidReply
from pipeline.paths import LABELS
from pipeline.validation import ConfigError

BASES = ("text", "context")
DEFAULT_GUIDE = str(paths.GUIDE)
RATIONALE_WORDS = 30
MARK = ("[[", "]]")

ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "label": {"type": "string", "enum": list(LABELS)},
        "basis": {"type": "string", "enum": list(BASES)},
        "rationale": {"type": "string"},
    },
    "required": ["label", "basis", "rationale"],
    "additionalProperties": False,
}

# The task and the spec's (v2) definitions; the guide that elaborates them is read from its file.
TASK = f"""\
You annotate the stance of policy articles, one (sentence, target) unit at a time, following the \
stance definitions and the annotation guide below exactly.

Give the stance that the AUTHOR of the article conveys toward the TARGET in the SENTENCE. \
The target's mentions in the sentence are marked {MARK[0]}like this{MARK[1]}.

Labels:
- favor: portrays the target positively or sympathetically; supports its position, interests, legitimacy or \
territorial integrity; presents aid to or cooperation with it as good; presents it as a victim of wrongdoing.
- against: portrays the target negatively, as aggressor, occupier, unreliable, threatening or blameworthy; \
supports pressure, sanctions or isolation aimed at it; questions its legitimacy or its claims.
- neutral: the target is mentioned factually or descriptively, with no evaluative framing, or with framing \
that is balanced in both directions.

Basis:
- text: the sentence's own words carry the stance, or the label is neutral.
- context: the sentence alone would read neutral; the label comes from the author's own argument around it.

The sentences before and after, when given, are there to read the sentence in its article; \
label the sentence, not them.

Reply with one JSON object and nothing else:
{{"label": "{'" | "'.join(LABELS)}", "basis": "{'" | "'.join(BASES)}", \
"rationale": "<why, at most {RATIONALE_WORDS} words>"}}

# Annotation guide
"""


def load_guide(root: Path, guide: str) -> str:
    path = root / guide
    if not path.is_file():
        raise ConfigError(f"params.yaml: classifiers.llm.guide '{guide}': no such file under {root}")
    return path.read_text(encoding="utf-8")


def system_message(guide_text: str) -> str:
    return TASK + "\n" + guide_text.strip() + "\n"


def marked_sentence(text: str, starts: Sequence[int], ends: Sequence[int]) -> str:
    spans = [(int(s), int(e)) for s, e in zip(starts, ends)]
    return replace_spans(text, [(s, e, f"{MARK[0]}{text[s:e]}{MARK[1]}") for s, e in spans])


def present(value: Any) -> str:
    """A context cell as text; '' for a missing column, None or NaN."""
    return value.strip() if isinstance(value, str) else ""


def user_message(target: str, sentence: str, other_targets: Sequence[str], before: str, after: str) -> str:
    """The unit as the model sees it: target, context when known, the marked sentence."""
    lines = [f"Target: {target.title()}"]
    if len(other_targets):
        others = ", ".join(str(t).title() for t in other_targets)
        lines.append(f"(The sentence also mentions {others}; judge only the stance toward {target.title()}.)")
    if before:
        lines.append(f"Sentence before: {before}")
    lines.append(f"SENTENCE: {sentence}")
    if after:
        lines.append(f"Sentence after: {after}")
    return "\n".join(lines)


def unit_prompts(units: pd.DataFrame, system: str) -> list[list[dict[str, str]]]:
    blank = [""] * len(units)
    befores = [present(v) for v in units["context_before"]] if "context_before" in units else blank
    afters = [present(v) for v in units["context_after"]] if "context_after" in units else blank
    sentences = [
        marked_sentence(text, [s for s, _ in spans], [e for _, e in spans])
        for text, spans in zip(units["text"], unit_spans(units))
    ]
    return [
        [
            {"role": "system", "content": system},
            {"role": "user", "content": user_message(target, sentence, others, before, after)},
        ]
        for target, sentence, others, before, after in zip(
            units["target"], sentences, units["other_targets"], befores, afters
        )
    ]


def json_object(content: str) -> dict[str, Any]:
    """The reply's JSON object; a code fence or a leading <think> block is tolerated."""
    text = re.sub(r"^\s*<think>.*?</think>", "", content or "", flags=re.DOTALL).strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", text, flags=re.DOTALL)
    if fenced:
        text = fenced.group(1)
    if not text:
        raise InvalidReply("the reply is empty.")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidReply(f"the reply is not valid JSON ({exc.msg} at character {exc.pos}).") from None
    if not isinstance(obj, dict):
        raise InvalidReply("the reply is JSON but not an object.")
    return obj


def choice(obj: dict[str, Any], field: str, allowed: Sequence[str]) -> str:
    value = obj.get(field)
    normal = value.strip().lower() if isinstance(value, str) else None
    if normal is None or normal not in allowed:
        raise InvalidReply(f"{field} {value!r} is not one of {', '.join(allowed)}.")
    return normal


def parse_answer(content: str) -> dict[str, str]:
    """The validated answer {label, basis, rationale}; InvalidReply says what is wrong."""
    obj = json_object(content)
    label = choice(obj, "label", LABELS)
    basis = "text" if label == "neutral" else choice(obj, "basis", BASES)
    rationale = obj.get("rationale", "")
    if not isinstance(rationale, str):
        raise InvalidReply("rationale must be a string.")
    return {"label": label, "basis": basis, "rationale": " ".join(rationale.split()[:RATIONALE_WORDS])}
