"""Framing measures: vocabulary log-odds, frame lexicon matches, actor salience and co-occurrence.

Everything here is per document or per sentence and knows nothing about
groups' uncertainty; pipeline.stats turns per-sentence counts into
document-weighted group estimates with intervals.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from pipeline.config import ConfigError

# Words of letters, optionally hyphenated ("good-neighborly", "so-called");
# digits and the possessive "s" of "Russia's" are not terms.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b"


# --- vocabulary: log-odds with an informative Dirichlet prior ---------------------------

def log_odds_dirichlet(counts_a: np.ndarray, counts_b: np.ndarray,
                       prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Monroe, Colaresi & Quinn (2008, sec. 3.5): log-odds ratio of each term
    in corpus a vs corpus b, shrunk by Dirichlet pseudo-counts ``prior``, and its z-score.

    Positive values mean the term is used relatively more in ``a``. The
    prior (pseudo-counts per term, usually proportional to a background
    corpus) pulls rare terms toward zero, so a word used twice does not
    outrank a word used thirty times on chance alone.
    """
    y_a = np.asarray(counts_a, dtype=float)
    y_b = np.asarray(counts_b, dtype=float)
    alpha = np.asarray(prior, dtype=float)
    if not (y_a.shape == y_b.shape == alpha.shape) or y_a.ndim != 1:
        raise ValueError(f"log-odds: counts {y_a.shape}, {y_b.shape} and prior {alpha.shape} must be equal 1-d shapes")
    if (alpha <= 0).any():
        raise ValueError("log-odds: every prior pseudo-count must be positive")
    alpha0, n_a, n_b = alpha.sum(), y_a.sum(), y_b.sum()
    delta = (np.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha))
             - np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha)))
    variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
    return delta, delta / np.sqrt(variance)


def term_vectorizer(stop_terms: Iterable[str], ngram_max: int = 1) -> CountVectorizer:
    """Raw term counts, no document-frequency cut: on a 15k-word corpus any min_df > 1 drops most terms."""
    return CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN, stop_words=sorted(set(stop_terms)),
                           ngram_range=(1, ngram_max), min_df=1, dtype=np.int64)


def stop_terms(alias_texts: Iterable[str], use_english: bool) -> set[str]:
    """English function words (optional) plus every word of every target alias: the words
    that select a target's sentences cannot also be evidence of how it is framed."""
    analyzer = CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN).build_analyzer()
    stop = set(ENGLISH_STOP_WORDS) if use_english else set()
    for text in alias_texts:
        stop.update(analyzer(text))
    return stop


def contrast_terms(sentences: pd.DataFrame, background: pd.DataFrame, vectorizer: CountVectorizer,
                   prior_scale: float, top_n: int, min_count: int) -> pd.DataFrame:
    """Each origin vs all other origins, over ``sentences`` (doc_id, author_origin, text).

    The prior is the term distribution of ``background`` (every sentence of
    the corpus) scaled to ``prior_scale`` pseudo-tokens. Returns the
    ``top_n`` terms with the largest positive z per origin among terms the
    origin used at least ``min_count`` times (the prior and z use every term).
    """
    if prior_scale <= 0:
        raise ConfigError(f"params.yaml: compare.log_odds.prior_scale must be positive, got {prior_scale}")
    vectorizer.fit(background["text"])
    terms = vectorizer.get_feature_names_out()
    background_counts = np.asarray(vectorizer.transform(background["text"]).sum(axis=0)).ravel()
    prior = prior_scale * background_counts / background_counts.sum()
    matrix = vectorizer.transform(sentences["text"]).tocsr()
    origins = sentences["author_origin"].to_numpy()
    doc_ids = sentences["doc_id"].to_numpy()
    rows = []
    for origin in sorted(set(origins)):
        in_group = origins == origin
        if in_group.all():
            continue  # no "rest" to contrast with
        y_a = np.asarray(matrix[in_group].sum(axis=0)).ravel()
        y_b = np.asarray(matrix[~in_group].sum(axis=0)).ravel()
        delta, z = log_odds_dirichlet(y_a, y_b, prior)
        group_docs = sorted(set(doc_ids[in_group]))
        docs_using = np.zeros(len(terms), dtype=int)
        for doc in group_docs:
            docs_using += np.asarray(matrix[doc_ids == doc].sum(axis=0)).ravel() > 0
        eligible = np.nonzero((y_a >= min_count) & (z > 0))[0]
        best = eligible[np.lexsort((terms[eligible], -z[eligible]))][:top_n]
        for rank, j in enumerate(best, start=1):
            rows.append({
                "author_origin": origin, "n_docs_group": len(group_docs), "rank": rank, "term": terms[j],
                "z": z[j], "log_odds": delta[j], "count_group": int(y_a[j]), "count_rest": int(y_b[j]),
                "per_1k_tokens_group": 1000 * y_a[j] / max(y_a.sum(), 1),
                "per_1k_tokens_rest": 1000 * y_b[j] / max(y_b.sum(), 1),
                "docs_using": int(docs_using[j]),
            })
    return pd.DataFrame(rows, columns=["author_origin", "n_docs_group", "rank", "term", "z", "log_odds",
                                       "count_group", "count_rest", "per_1k_tokens_group",
                                       "per_1k_tokens_rest", "docs_using"])


# --- frame lexicon ------------------------------------------------------------------------

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
    within: tuple[str, ...]   # count only in sentences mentioning one of these targets (empty: any sentence)

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


def frame_categories(spec: Mapping[str, Any], targets: Iterable[str]) -> list[FrameCategory]:
    """Validate ``frames.categories`` from params.yaml."""
    known = set(targets)
    if not isinstance(spec, Mapping) or not spec:
        raise ConfigError("params.yaml: frames.categories must map each category to its terms")
    categories = []
    for name, body in spec.items():
        where = f"params.yaml: frames.categories.{name}"
        if not isinstance(body, Mapping) or not body.get("terms"):
            raise ConfigError(f"{where}: needs a non-empty 'terms' list")
        terms = tuple(str(t).strip() for t in body["terms"])
        if any(not t.rstrip("*").strip() for t in terms):
            raise ConfigError(f"{where}: empty term")
        within = tuple(body.get("within") or ())
        unknown = sorted(set(within) - known)
        if unknown:
            raise ConfigError(f"{where}.within: unknown target(s) {unknown}")
        categories.append(FrameCategory(str(name), str(body.get("description", "")), terms,
                                        tuple(str(t) for t in body.get("exclude") or ()), within))
    return categories


def match_frames(sentences: pd.DataFrame, mentions: pd.DataFrame,
                 categories: list[FrameCategory]) -> pd.DataFrame:
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


# --- actors: salience and co-occurrence -------------------------------------------------

def actor_counts_by_sentence(sentences: pd.DataFrame, entities: pd.DataFrame, actors: list[str]) -> np.ndarray:
    """(n_sentences × n_actors) entity counts, rows in ``sentences`` order."""
    known = entities[entities["actor_id"].isin(actors)]
    counts = known.groupby(["doc_id", "sent_id", "actor_id"]).size().unstack(fill_value=0)
    counts = counts.reindex(columns=actors, fill_value=0)
    index = pd.MultiIndex.from_arrays([sentences["doc_id"], sentences["sent_id"]])
    return counts.reindex(index, fill_value=0).to_numpy(dtype=float)


def cooccurrence(presence: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Actor co-occurrence in one document's sentence windows.

    ``presence`` is (n_sentences × n_actors) booleans in reading order; a
    window is sentence i with ``window`` sentences either side (0 = the
    sentence alone). Returns (windows with both a and b, windows with a,
    number of windows).
    """
    if window < 0:
        raise ConfigError(f"params.yaml: compare.cooccurrence.window must be >= 0, got {window}")
    p = np.asarray(presence, dtype=int)
    n = p.shape[0]
    cumulative = np.vstack([np.zeros((1, p.shape[1]), dtype=int), np.cumsum(p, axis=0)])
    lo = np.clip(np.arange(n) - window, 0, n)
    hi = np.clip(np.arange(n) + window + 1, 0, n)
    in_window = ((cumulative[hi] - cumulative[lo]) > 0).astype(int)
    return in_window.T @ in_window, in_window.sum(axis=0), n


def jaccard(both: np.ndarray, single: np.ndarray) -> np.ndarray:
    """Windows with both over windows with either; NaN where neither actor occurs."""
    either = single[:, None] + single[None, :] - both
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(either > 0, both / np.where(either > 0, either, 1), np.nan)
