"""The frame lexicon: categories of framing terms (params.yaml ``frames``), matched per sentence.

Terms match whole words, case-insensitively; a trailing ``*`` is a prefix;
``exclude`` phrases block matches inside them; ``within`` restricts a
category to sentences mentioning one of the listed targets. Rates per
1,000 words with intervals come from pipeline.analysis.estimates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from pipeline.params import FrameSpec


def _term_regex(terms: Iterable[str]) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternation; ``war*`` is a prefix; longer terms win."""
    parts = []
    for term in sorted({str(t).strip() for t in terms}, key=len, reverse=True):
        prefix = term.endswith("*")
        words = term.rstrip("*").split()
        body = r"\s+".join(re.escape(w) for w in words)
        parts.append(body + (r"[\w\-]*" if prefix else ""))
    return re.compile(rf"(?<!\w)(?:{'|'.join(parts)})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class FrameCategory:
    name: str
    description: str
    terms: tuple[str, ...]
    exclude: tuple[str, ...]
    within: tuple[str, ...]  # count only in sentences mentioning one of these targets (empty: any sentence)

    @cached_property
    def _terms(self) -> re.Pattern[str]:
        return _term_regex(self.terms)

    @cached_property
    def _exclude(self) -> re.Pattern[str] | None:
        return _term_regex(self.exclude) if self.exclude else None

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(matched text, start, end) of each term occurrence not inside an excluded phrase."""
        blocked = [m.span() for m in self._exclude.finditer(text)] if self._exclude else []
        out = []
        for m in self._terms.finditer(text):
            if not any(s < m.end() and m.start() < e for s, e in blocked):
                out.append((m.group(0), m.start(), m.end()))
        return out


def frame_categories(spec: Mapping[str, FrameSpec]) -> list[FrameCategory]:
    """The categories of params.yaml ``frames.categories`` (validated there), ready to match."""
    return [
        FrameCategory(
            name, body.description, tuple(t.strip() for t in body.terms), tuple(body.exclude), tuple(body.within)
        )
        for name, body in spec.items()
    ]


def match_frames(sentences: pd.DataFrame, mentions: pd.DataFrame, categories: list[FrameCategory]) -> pd.DataFrame:
    """One row per frame-term occurrence: doc_id, sent_id, category, matched text, offsets in the sentence."""
    targets_in = mentions.groupby(["doc_id", "sent_id"])["target"].agg(lambda s: set(s)).to_dict()
    rows = []
    for doc_id, sent_id, text in zip(sentences["doc_id"], sentences["sent_id"], sentences["text"]):
        present = targets_in.get((doc_id, sent_id), set())
        for cat in categories:
            if cat.within and not present.intersection(cat.within):
                continue
            for matched, start, end in cat.find(text):
                rows.append((doc_id, int(sent_id), cat.name, matched.lower(), start, end))
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "category", "term", "start", "end"])


def frame_counts(matches: pd.DataFrame, sentences: pd.DataFrame, names: list[str]) -> np.ndarray:
    """(n_sentences × n_categories) match counts, rows in ``sentences`` order."""
    index = pd.MultiIndex.from_arrays([sentences["doc_id"], sentences["sent_id"]])
    return (
        matches.groupby(["doc_id", "sent_id", "category"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=names, fill_value=0)
        .reindex(index, fill_value=0)
        .to_numpy(float)
    )


def frame_evidence(matches: pd.DataFrame, sentences: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Every match with its origin group and sentence (the frame_matches table)."""
    evidence = matches.merge(sentences[["doc_id", "sent_id", "text"]], on=["doc_id", "sent_id"])
    evidence = evidence.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    return evidence.rename(columns={"text": "sentence"})[
        ["author_origin", "doc_id", "sent_id", "category", "term", "start", "end", "sentence"]
    ]
