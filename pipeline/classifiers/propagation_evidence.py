"""The evidence of the ``propagation`` classifier (``pipeline.classifiers.propagation``), read per document.

Step 1: every unit is labelled sentence-locally by the role rules (``local_labels``); their polar labels are the
document's explicit stances. Step 2 needs, for each unit the rules leave neutral, the direction the author's
argument would carry into it (``carried_direction``: the paragraph's net explicit stance toward the same target,
else the neighbouring sentences', else the document's) and the direction-free evidence that it does
(``propagation_features``). Everything here is within one document and uses no gold label, so it is memoised per
document (``document_evidence``): nested cross-validation asks for the same document many times.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import softmax

from pipeline.classifiers import cues
from pipeline.classifiers.base import AliasRows
from pipeline.classifiers.context import context_features
from pipeline.classifiers.roles import signal_table, vote_logits
from pipeline.paths import LABELS

_WORDS = re.compile(r"[a-z]+(?:[’'\-][a-z]+)*")
_AGAINST, _FAVOR, _NEUTRAL = (LABELS.index(label) for label in ("against", "favor", "neutral"))
DIRECTIONS = ("guide", "thesis", "learned")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _is_heading(text: str) -> bool:
    """A heading or title (guide §5.11: labelled by its own words, takes no context): no closing punctuation."""
    stripped = text.strip()
    return bool(stripped) and stripped[-1] not in ".?!;:,)\"”'’" and len(stripped.split()) <= 20


_NUMBER = re.compile(r"\d[\d,.]*")
_KINDS = ("demonym", "territory", "leader", "capital", "historical")


def _has_figure(text: str) -> bool:
    """A number other than a year or a leading section number: a figure, which context does not carry into
    (guide §4.1: statistics, headcounts; aid amounts are the rules' business, rule 7)."""
    numbers = _NUMBER.findall(text.lstrip("0123456789. "))
    return any(not (len(n) == 4 and n.isdigit() and 1800 <= int(n) <= 2100) for n in numbers)


def _is_fragment(text: str) -> bool:
    """A list item or fragment (guide §5.11: a bare place, name or institution in a list is neutral)."""
    stripped = text.strip()
    return bool(stripped) and (stripped[0].islower() or stripped[-1] in ",;")


def sentence_cues(texts: Sequence[str]) -> pd.DataFrame:
    """Per sentence: which kinds of fact it reports (``cues.CARRIERS``), a tie word among its first three, and
    whether it is a heading, a list fragment or gives a figure."""
    rows = []
    for text in texts:
        words = _words(text)
        present = set(words)
        row = {f"carrier_{name}": float(bool(present & vocabulary)) for name, vocabulary in cues.CARRIERS.items()}
        row["tie"] = float(bool(set(words[:3]) & cues.TIES))
        row["heading"] = float(_is_heading(text))
        row["fragment"] = float(_is_fragment(text))
        row["figure"] = float(_has_figure(text))
        rows.append(row)
    return pd.DataFrame(rows, dtype=float)


def paragraph_evaluation(units: pd.DataFrame) -> np.ndarray:
    """log(1 + evaluative words) in the unit's paragraph outside its own sentence (``paragraph_text``; without it,
    the neighbouring sentences): whether the author evaluates anything there at all."""
    if "paragraph_text" in units:
        contexts = units["paragraph_text"].fillna("").tolist()
    elif "context_before" in units:
        contexts = (units["context_before"].fillna("") + "\n" + units["context_after"].fillna("")).tolist()
    else:
        return np.zeros(len(units))
    counts = []
    for context, own in zip(contexts, units["text"]):
        total = sum(w in cues.EVALUATIVE for w in _words(context))
        if "paragraph_text" in units:
            total -= sum(w in cues.EVALUATIVE for w in _words(own))
        counts.append(max(total, 0))
    return np.log1p(np.asarray(counts, float))


def local_labels(
    units: pd.DataFrame, aliases: AliasRows, aid_is_favor: bool, neutral_bias: float
) -> tuple[np.ndarray, pd.DataFrame]:
    """Sentence-local probabilities of the role rules, and their signals."""
    signals = signal_table(units, aliases)
    return softmax(vote_logits(signals, aid_is_favor, neutral_bias), axis=1), signals


def carried_direction(units: pd.DataFrame, local: np.ndarray, direction: str) -> tuple[np.ndarray, pd.DataFrame]:
    """The direction (+1 favor, -1 against, 0 none) the author's explicit stances would carry into each unit, and
    the context summary it was read from (``context.context_features`` over the sentence-local labels)."""
    predicted = local.argmax(axis=1)
    signed = np.where(predicted == _FAVOR, 1.0, np.where(predicted == _AGAINST, -1.0, 0.0))
    context = context_features(units, signed, (signed != 0).astype(float))
    doc = np.sign(context["doc_net"].to_numpy())
    if direction == "thesis":
        return doc, context
    para, near = np.sign(context["para_net"].to_numpy()), np.sign(context["near_net"].to_numpy())
    return np.where(para != 0, para, np.where(near != 0, near, doc)), context


def propagation_features(
    units: pd.DataFrame, signals: pd.DataFrame, local: np.ndarray, carried: np.ndarray, context: pd.DataFrame
) -> pd.DataFrame:
    """Evidence that a rule-neutral unit takes the direction ``carried`` (+1 favor, -1 against), in features that
    name no direction (evidence along it, and direction-free facts about the sentence): see the module docstring."""
    along = {c: context[c].to_numpy() * carried for c in ("para_net", "near_net", "doc_net")}
    feats = pd.DataFrame(
        {
            "para_along": along["para_net"],
            "near_along": along["near_net"],
            "doc_along": along["doc_net"],
            "doc_polar": context["doc_polar"].to_numpy(),
            "other_thesis": np.abs(context["other_doc_net"].to_numpy()),
            "paragraph_evaluation": paragraph_evaluation(units),
            "local_along": (local[:, _FAVOR] - local[:, _AGAINST]) * carried,
            "bare_report": (signals[["measure_bare", "aid_bare", "cooperation_bare"]].sum(axis=1) > 0).to_numpy(float),
            "other_target": np.array([float(len(o) > 0) for o in units["other_targets"]]),
        }
    )
    for flag in ("statistic", "historical", "reported", "euphemism", "bilateral_name"):
        feats[flag] = signals[flag].to_numpy()
    kinds = units["alias_kinds"] if "alias_kinds" in units else [()] * len(units)
    for kind in _KINDS:  # guide §5.10: a descriptive demonym or a name carries no stance by itself
        feats[f"only_{kind}"] = [float(len(k) > 0 and set(k) == {kind}) for k in kinds]
    return pd.concat([feats, sentence_cues(units["text"].tolist())], axis=1)


_MEMO: dict[tuple, tuple[np.ndarray, ...]] = {}
_MEMO_MAX_UNITS = 200_000
"""Units the memo holds at most (about 0.6 KB each). Cross-validation fits on every training document once per
fold, so the memo must hold all of them: at 256 documents it was emptied over and over at 1000x (500 gold
documents), and every fold recomputed every document (docs/performance.md)."""
_memo_units = 0


def document_evidence(
    doc: pd.DataFrame, aliases: AliasRows, aid_is_favor: bool, neutral_bias: float, direction: str, remember: bool
) -> tuple[np.ndarray, ...]:
    """Local probabilities, carried direction, and the features along favor and along against of one document's
    units, memoised on their content and the settings when ``remember`` (when fitting: cross-validation asks for
    each training document once per fold). A prediction only reads the memo, so labelling a corpus leaves it as
    it was."""
    global _memo_units
    text_key = tuple(doc.get("paragraph_text", doc["text"]).fillna("").map(hash))
    key = (
        tuple(zip(doc["doc_id"], doc["sent_id"], doc["target"], doc["text"])),
        text_key,
        tuple(doc["paragraph"]) if "paragraph" in doc else (),
        aliases,
        aid_is_favor,
        neutral_bias,
        direction,
    )
    found = _MEMO.get(key)
    if found is None:
        local, signals = local_labels(doc, aliases, aid_is_favor, neutral_bias)
        carried, context = carried_direction(doc, local, "thesis" if direction == "thesis" else "guide")
        ones = np.ones(len(doc))
        along = [propagation_features(doc, signals, local, sign * ones, context).to_numpy() for sign in (1.0, -1.0)]
        found = (local, carried, *along)
        if remember:
            if _memo_units + len(doc) > _MEMO_MAX_UNITS:
                forget_evidence()
            _MEMO[key] = found
            _memo_units += len(doc)
    return found


def forget_evidence() -> None:
    """Empty the per-document memo (benchmarks time each variant from a cold start)."""
    global _memo_units
    _MEMO.clear()
    _memo_units = 0
