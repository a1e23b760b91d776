"""Distinctive vocabulary: which terms each origin group uses more, by log-odds with an informative prior.

Token counts are pooled over a group's sentences about a target (so a long
document weighs more; ``docs_using`` says in how many documents a term
occurs). The method is in docs/method.md.

What counts as a term is decided once, here, for the framing_terms table and
both vocabulary figures: English stop words (optional), every word of the
targets' aliases and of the gazetteer's actor names, and other proper names
(:func:`proper_names`) are left out, and a term is listed only when its z
reaches :data:`MIN_Z` after the prior. :func:`selection_note` says so in
words for the captions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from pipeline.params import ConfigError, LogOdds, Params

# Words of letters, optionally hyphenated ("good-neighborly", "so-called");
# digits and the possessive "s" of "Russia's" are not terms.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}(?:-[^\W\d_]+)*\b"
#: A term is listed only when its log-odds z reaches this (the two-sided 5% normal quantile). With
#: thousands of terms it is a floor against noise, not a significance test.
MIN_Z = 1.96


def log_odds_dirichlet(counts_a: np.ndarray, counts_b: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
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
    delta = np.log((y_a + alpha) / (n_a + alpha0 - y_a - alpha)) - np.log((y_b + alpha) / (n_b + alpha0 - y_b - alpha))
    variance = 1.0 / (y_a + alpha) + 1.0 / (y_b + alpha)
    return delta, delta / np.sqrt(variance)


def term_vectorizer(stop_terms: Iterable[str], ngram_max: int = 1) -> CountVectorizer:
    """Raw term counts, no document-frequency cut: on a 15k-word corpus any min_df > 1 drops most terms."""
    return CountVectorizer(
        lowercase=True,
        token_pattern=TOKEN_PATTERN,
        stop_words=sorted(set(stop_terms)),
        ngram_range=(1, ngram_max),
        min_df=1,
        dtype=np.int64,
    )


def stop_terms(name_texts: Iterable[str], use_english: bool) -> set[str]:
    """English function words (optional) plus every word of every target alias and actor name:
    the words that select a target's sentences, or name an actor (actor_salience counts those),
    are no evidence of how a target is framed."""
    analyzer = CountVectorizer(lowercase=True, token_pattern=TOKEN_PATTERN).build_analyzer()
    stop = set(ENGLISH_STOP_WORDS) if use_english else set()
    for text in name_texts:
        stop.update(analyzer(text))
    return stop


def proper_names(texts: Iterable[str]) -> set[str]:
    """Words (lowercased) that are written with a capital initial wherever they occur after a
    sentence's first word and never with a small one: names of people, places and bodies the
    gazetteer does not list ("Fumio", "Hokkaido"). All-capital words (acronyms), sentence-initial
    words and headings (sentences most of whose words are capitalised) say nothing either way."""
    capitalised: set[str] = set()
    lower: set[str] = set()
    pattern = re.compile(TOKEN_PATTERN)
    for text in texts:
        words = pattern.findall(text)
        heading = sum(w[0].isupper() for w in words) > len(words) / 2
        for k, word in enumerate(words):
            if word[0].islower():
                lower.add(word.lower())
            elif k > 0 and not heading and not word.isupper():
                capitalised.add(word.lower())
    return capitalised - lower


def selection_note(use_english: bool, min_count: int) -> str:
    """Which terms the table and the figures list, in words (one sentence for every caption)."""
    stop = "English stop words, " if use_english else ""
    return (
        f"Left out: {stop}every word of the targets' aliases and the gazetteer's actor names, and other proper "
        "names (words with a capital initial wherever they occur after a sentence's first word, e.g. a first "
        f"name); listed: terms used at least {min_count} times in the group's sentences (count_group) whose z reaches "
        f"{MIN_Z} after the prior, a floor against noise rather than a significance test."
    )


def term_names(params: Params) -> list[str]:
    """The names whose words are no terms: every target alias and every actor name of the gazetteer."""
    return [a.text for a in params.aliases()] + [n for actor in params.nlp.actors.values() for n in actor.names]


def compare_vectorizer(name_texts: Iterable[str], sentence_texts: Iterable[str], settings: LogOdds) -> CountVectorizer:
    """How the compare stage counts terms (stop words, name words, proper names of the corpus, n-grams): the
    report's explorer counts its term view with the same, so a term means the same thing in the table, the
    figures and the page."""
    stop = stop_terms(name_texts, settings.english_stop_words) | proper_names(sentence_texts)
    return term_vectorizer(stop, settings.ngram_max)


def background_prior(
    vectorizer: CountVectorizer, background_texts: Iterable[str], prior_scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Fit ``vectorizer`` on the whole corpus (``background_texts``, every sentence); return its term counts
    and the prior: that term distribution scaled to ``prior_scale`` pseudo-tokens."""
    if prior_scale <= 0:
        raise ConfigError(f"params.yaml: compare.log_odds.prior_scale must be positive, got {prior_scale}")
    counts = np.asarray(vectorizer.fit_transform(background_texts).sum(axis=0)).ravel()
    return counts, prior_scale * counts / counts.sum()


def contrast_terms(
    sentences: pd.DataFrame,
    vectorizer: CountVectorizer,
    prior: np.ndarray,
    top_n: int,
    min_count: int,
    min_z: float,
) -> pd.DataFrame:
    """Each origin vs all other origins, over ``sentences`` (doc_id, author_origin, text).

    ``vectorizer`` and ``prior`` come from :func:`background_prior`. Returns
    the ``top_n`` terms with the largest z per origin among terms the origin
    used at least ``min_count`` times whose z reaches ``min_z`` (the prior
    and z use every term).
    """
    terms = vectorizer.get_feature_names_out()
    matrix = vectorizer.transform(sentences["text"]).tocsr()
    origins = sentences["author_origin"].to_numpy()
    # which terms each document uses: (documents x sentences) @ (sentences x terms), linear in the sentences
    codes, documents = pd.factorize(sentences["doc_id"])
    membership = sparse.csr_matrix(
        (np.ones(len(codes), dtype=np.int64), (codes, np.arange(len(codes)))), shape=(len(documents), len(codes))
    )
    uses = (membership @ matrix) > 0
    document_origins = np.empty(len(documents), dtype=object)
    document_origins[codes] = origins
    rows = []
    for origin in sorted(set(origins)):
        in_group = origins == origin
        if in_group.all():
            continue  # no "rest" to contrast with
        y_a = np.asarray(matrix[in_group].sum(axis=0)).ravel()
        y_b = np.asarray(matrix[~in_group].sum(axis=0)).ravel()
        delta, z = log_odds_dirichlet(y_a, y_b, prior)
        group_documents = document_origins == origin
        n_docs_group = int(group_documents.sum())
        docs_using = np.asarray(uses[group_documents].sum(axis=0)).ravel()
        eligible = np.nonzero((y_a >= min_count) & (z >= min_z) & (z > 0))[0]
        best = eligible[np.lexsort((terms[eligible], -z[eligible]))][:top_n]
        for rank, j in enumerate(best, start=1):
            rows.append(
                {
                    "author_origin": origin,
                    "n_docs_group": n_docs_group,
                    "n_sentences_group": int(in_group.sum()),
                    "n_tokens_group": int(y_a.sum()),
                    "rank": rank,
                    "term": terms[j],
                    "z": z[j],
                    "log_odds": delta[j],
                    "count_group": int(y_a[j]),
                    "count_rest": int(y_b[j]),
                    "per_1k_tokens_group": 1000 * y_a[j] / max(y_a.sum(), 1),
                    "per_1k_tokens_rest": 1000 * y_b[j] / max(y_b.sum(), 1),
                    "docs_using": int(docs_using[j]),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "author_origin",
            "n_docs_group",
            "n_sentences_group",
            "n_tokens_group",
            "rank",
            "term",
            "z",
            "log_odds",
            "count_group",
            "count_rest",
            "per_1k_tokens_group",
            "per_1k_tokens_rest",
            "docs_using",
        ],
    )


def vocabulary_table(
    units: pd.DataFrame,
    sentences: pd.DataFrame,
    documents: pd.DataFrame,
    name_texts: Iterable[str],
    targets: list[str],
    settings: LogOdds,
) -> pd.DataFrame:
    """Per target: each origin's most distinctive terms in the sentences mentioning that target,
    contrasted with the other origins against the whole corpus as prior. ``name_texts``: the
    targets' aliases and the actors' gazetteer names (:func:`term_names`; their words are not terms)."""
    vectorizer = compare_vectorizer(name_texts, sentences["text"], settings)
    background = sentences.merge(documents[["doc_id", "author_origin"]], on="doc_id")
    _, prior = background_prior(vectorizer, background["text"], settings.prior_scale)  # one fit for every target
    tables = []
    for target in targets:
        in_target = units.loc[units["target"] == target, ["doc_id", "sent_id"]].drop_duplicates()
        target_sentences = background.merge(in_target, on=["doc_id", "sent_id"])
        terms = contrast_terms(target_sentences, vectorizer, prior, settings.top_n, settings.min_count, MIN_Z)
        tables.append(terms.assign(target=target))
    vocabulary = pd.concat(tables, ignore_index=True)
    return vocabulary[["target", *[c for c in vocabulary.columns if c != "target"]]]
