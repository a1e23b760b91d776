"""Zero-shot stance from a large language model behind an OpenAI-compatible chat endpoint.

Each unit becomes one chat request: the system message holds the task, the
spec's label and basis definitions and the project's annotation guide (read
from its file at run time, so the model follows the guide the annotators
follow); the user message holds the sentence with the target's mentions
marked ``[[like this]]`` and, when the unit table has them, the sentences
before and after it. The model answers ``{"label", "basis", "rationale"}`` as
JSON (requested through ``response_format`` where the server supports it,
and validated in any case). Prompts and the answer's checks are in
:mod:`pipeline.classifiers.llm_prompt`; requests, retries, the cache and token
counts in :mod:`pipeline.classifiers.llm_client`; settings, the key and
error messages in :mod:`pipeline.classifiers.llm_endpoint`. Registered as
``llm`` (params ``classifiers.llm``; docs/llm-classifier.md).

Probabilities are the one-hot vector of the returned label. Token
log-probabilities would give graded scores, but servers differ in whether
and how they return them (under constrained JSON decoding they describe the
constrained distribution, and the label's first token depends on the
tokenizer), so a graded score would mean different things on different
servers. Scores needing graded probabilities (log loss, calibration) treat
the classifier as the hard labeller it is.

What is checked, coerced or refused in a reply:
- a JSON object, optionally wrapped in a Markdown code fence or preceded by a
  ``<think>...</think>`` block (reasoning models): accepted;
- label and basis compared after trimming and lower-casing;
- a label outside the three, a basis outside the two, a missing field or no
  JSON at all: the model is asked again (up to ``max_retries`` times, with the
  reason), and a unit that stays invalid is refused: the run ends with an
  error naming the unit, after every valid answer has been cached. No label
  is invented for it;
- ``neutral``: basis set to ``text`` whatever the reply says (spec v2: the
  basis of a neutral label is ``text``), so ``neutral`` with ``context`` is
  coerced, not refused; the label itself is kept;
- a rationale longer than 30 words: cut to its first 30 words.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline import paths
from pipeline.classifiers.base import ClassifierContext, StanceClassifier, check_labels
from pipeline.classifiers.llm_client import ChatClient
from pipeline.classifiers.llm_endpoint import EndpointSettings, LLMError, Outcome, ResponseFormat
from pipeline.classifiers.llm_prompt import (
    ANSWER_SCHEMA,
    DEFAULT_GUIDE,
    load_guide,
    parse_answer,
    system_message,
    unit_prompts,
)
from pipeline.params import NonNegativeInt, PositiveInt, PositiveNumber
from pipeline.paths import LABELS
from pipeline.plugins import classifiers
from pipeline.validation import ConfigError

log = logging.getLogger(__name__)


def valid_answers(units: pd.DataFrame, outcomes: Sequence[Outcome], settings: EndpointSettings) -> list[dict[str, Any]]:
    """Every unit's validated answer, in order; LLMError naming the first unit whose replies stayed invalid."""
    failed = [i for i, o in enumerate(outcomes) if o.answer is None]
    if failed:
        row = units.iloc[failed[0]]
        raise LLMError(
            f"llm model '{settings.model}': {len(failed)} of {len(units)} units got no valid answer after "
            f"{settings.max_retries} retries; first: {row['doc_id']} sentence {row['sent_id']} target "
            f"{row['target']}: {outcomes[failed[0]].error} Valid answers are cached: a rerun asks only these."
        )
    return [o.answer for o in outcomes if o.answer is not None]


def run_usage(outcomes: Sequence[Outcome]) -> dict[str, int]:
    return {
        "units": len(outcomes),
        "cached": sum(o.cached for o in outcomes),
        "requests": sum(o.requests for o in outcomes),
        "prompt_tokens": sum(o.prompt_tokens for o in outcomes),
        "completion_tokens": sum(o.completion_tokens for o in outcomes),
    }


class LLMStance(StanceClassifier):
    """Labels units through a chat model; zero-shot, so ``fit`` learns nothing."""

    needs_labels = False

    def __init__(
        self,
        base_url: str = "",
        model: str = "",
        api_key_env: str | None = None,
        guide: str = DEFAULT_GUIDE,
        root: str = ".",
        max_concurrency: int = 4,
        max_retries: int = 3,
        timeout_s: float = 60.0,
        max_tokens: int = 300,
        response_format: str = "json_schema",
    ):
        self.base_url = base_url
        self.model = model
        self.api_key_env = api_key_env
        self.guide = guide
        self.root = root
        self.max_concurrency = max_concurrency
        self.max_retries = max_retries
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.response_format = response_format

    def endpoint(self) -> EndpointSettings:
        return EndpointSettings(
            base_url=self.base_url,
            model=self.model,
            api_key_env=self.api_key_env,
            max_concurrency=self.max_concurrency,
            max_retries=self.max_retries,
            timeout_s=self.timeout_s,
            max_tokens=self.max_tokens,
            response_format=self.response_format,
        )

    def fit(self, units: pd.DataFrame, labels: Sequence[str] | None = None) -> LLMStance:
        """Records the class list only; settings and the guide are checked here so a bad
        configuration fails before any request."""
        if labels is not None:
            check_labels(labels)
        self.endpoint()
        load_guide(Path(self.root), self.guide)
        self.classes_ = np.asarray(LABELS)
        return self

    def predict_details(self, units: pd.DataFrame) -> pd.DataFrame:
        """Per unit: label, basis, rationale, cached, prompt_tokens, completion_tokens (tokens spent
        on this unit in this run; 0 when cached). Run totals go to ``usage_`` and the log."""
        settings = self.endpoint()
        prompts = unit_prompts(units, system_message(load_guide(Path(self.root), self.guide)))
        outcomes = ChatClient(settings, Path(self.root) / paths.LLM_CACHE, ANSWER_SCHEMA).answer_all(
            prompts, parse_answer
        )
        answers = valid_answers(units, outcomes, settings)
        self.usage_ = run_usage(outcomes)
        log.info("llm %s: %s", settings.model, ", ".join(f"{k} {v}" for k, v in self.usage_.items()))
        return pd.DataFrame(
            {
                "label": [a["label"] for a in answers],
                "basis": [a["basis"] for a in answers],
                "rationale": [a["rationale"] for a in answers],
                "cached": [o.cached for o in outcomes],
                "prompt_tokens": [o.prompt_tokens for o in outcomes],
                "completion_tokens": [o.completion_tokens for o in outcomes],
            },
            index=units.index,
        )

    def predict_proba(self, units: pd.DataFrame) -> np.ndarray:
        labels = self.predict_details(units)["label"]
        return np.eye(len(LABELS))[[LABELS.index(label) for label in labels]].reshape(len(labels), len(LABELS))


@classifiers.register("llm")
def make_llm(
    *,
    base_url: str = "http://localhost:8000/v1",
    model: str | None = None,
    api_key_env: str | None = None,
    guide: str = DEFAULT_GUIDE,
    max_concurrency: PositiveInt = 4,
    max_retries: NonNegativeInt = 3,
    timeout_s: PositiveNumber = 60.0,
    max_tokens: PositiveInt = 300,
    response_format: ResponseFormat = "json_schema",
    context: ClassifierContext,
) -> LLMStance:
    """Settings: ``classifiers.llm`` (docs/llm-classifier.md); ``model`` null means no model is configured here.
    The API key is read from the environment variable named by ``api_key_env``, never from params."""
    if not model:
        raise ConfigError(
            "params.yaml: classifiers.llm.model is not set (the model name the server at base_url serves)"
        )
    classifier = LLMStance(
        base_url=base_url,
        model=model,
        api_key_env=api_key_env,
        guide=guide,
        root=context.root,
        max_concurrency=max_concurrency,
        max_retries=max_retries,
        timeout_s=timeout_s,
        max_tokens=max_tokens,
        response_format=response_format,
    )
    classifier.endpoint()
    return classifier
