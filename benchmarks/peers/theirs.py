"""Scattertext's and ConvoKit's log-odds z-scores for the contrasts of a request; runs in .venv-peers.

    .venv-peers/bin/python benchmarks/peers/theirs.py REQUESTS.json RESPONSES.json

REQUESTS.json is {"requests": [...]}: several requests share one start (the
peers' imports take seconds). A standalone script (no pipeline import: the peers' venv has their numpy
and scipy, not ours). The request (benchmarks.peers.contrasts.peer_request)
carries the texts, our tokenisation settings, our vocabulary and our counts.
The script first rebuilds the counts with its own scikit-learn
``CountVectorizer`` and records whether they equal ours, so a score
difference can never be a tokenisation difference in disguise; then it
feeds the counts to each peer through its public API:

* Scattertext 0.2.2: ``CorpusFromScikit`` (our document-term matrix),
  ``PriorFactory(..., starting_count=0).use_custom_term_frequencies(background counts)``
  and ``LogOddsRatioInformativeDirichletPrior(priors, sigma=prior_scale, scale_type="word")``
  (prior = background frequencies scaled to ``prior_scale`` pseudo-tokens, as ours).
* ConvoKit 3.0.1: a ``Corpus`` of one utterance per sentence and
  ``FightingWords(cv=CountVectorizer(vocabulary=our terms, ...), prior=our prior vector,
  text_func=raw text)``, one fit per origin (class1 = origin, class2 = the rest).

Variants that switch a peer's own default back on (ConvoKit's constant
prior 0.1, its clean-text preprocessing) show what each difference does.
ConvoKit prints progress to stdout; it goes to stderr here.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from importlib.metadata import version
from pathlib import Path
from statistics import median


@contextlib.contextmanager
def timed(timing: dict[str, list[float]], step: str):
    """Append the block's wall seconds to timing[step_s] and its CPU seconds to timing[step_cpu_s]
    (CPU time is what a loaded machine disturbs least)."""
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    timing.setdefault(f"{step}_s", []).append(time.perf_counter() - wall)
    timing.setdefault(f"{step}_cpu_s", []).append(time.process_time() - cpu)


def peer_imports() -> dict[str, float]:
    """Import both peers (seconds each); an ImportError means the venv is not set up."""
    timings = {}
    started = time.perf_counter()
    import scattertext  # noqa: F401

    timings["scattertext"] = time.perf_counter() - started
    started = time.perf_counter()
    from convokit.fighting_words import FightingWords  # noqa: F401

    timings["convokit"] = time.perf_counter() - started
    return timings


def our_vectorizer(settings: dict, vocabulary=None):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(
        lowercase=settings["lowercase"],
        token_pattern=settings["token_pattern"],
        stop_words=settings["stop_words"],
        ngram_range=tuple(settings["ngram_range"]),
        vocabulary=vocabulary,
        min_df=1,
        dtype="int64",
    )


def scattertext_corpus(counts, terms, origins, texts):
    """A Scattertext corpus of our document-term counts, one category per origin."""
    import numpy as np
    from scattertext import CorpusFromScikit

    categories = sorted(set(origins))
    codes = np.array([categories.index(o) for o in origins])
    return CorpusFromScikit(
        X=counts,
        y=codes,
        feature_vocabulary={t: i for i, t in enumerate(terms)},
        category_names=categories,
        raw_texts=texts,
    ).build()


def scattertext_scores(corpus, terms, background_counts, contrast_origins, prior_scale):
    """z per contrast origin from Scattertext, over ``terms``."""
    import pandas as pd
    from scattertext import LogOddsRatioInformativeDirichletPrior, PriorFactory

    frequencies = corpus.get_term_freq_df().reindex(terms)
    background = pd.Series(background_counts, index=terms, dtype=float)
    out = {}
    for origin in contrast_origins:
        rest = [c for c in corpus.get_categories() if c != origin]
        priors = (
            PriorFactory(corpus, category=origin, not_categories=rest, starting_count=0)
            .use_custom_term_frequencies(background)
            .get_priors()
            .reindex(terms)
        )
        scorer = LogOddsRatioInformativeDirichletPrior(priors, sigma=prior_scale, scale_type="word")
        z = scorer.get_scores(frequencies[f"{origin} freq"], frequencies[[f"{c} freq" for c in rest]].sum(axis=1))
        out[origin] = z.reindex(terms).to_numpy()
    return out


def convokit_corpus(texts, doc_ids, origins):
    """One utterance per sentence, its document as speaker, its origin in the metadata."""
    from convokit import Corpus, Speaker, Utterance

    speakers = {doc: Speaker(id=doc) for doc in dict.fromkeys(doc_ids)}
    return Corpus(
        utterances=[
            Utterance(
                id=str(i),
                speaker=speakers[doc],
                conversation_id=str(i),
                reply_to=None,
                text=text,
                meta={"origin": origin},
            )
            for i, (text, doc, origin) in enumerate(zip(texts, doc_ids, origins))
        ]
    )


def convokit_scores(corpus, settings, terms, prior, contrast_origins, clean_text=False):
    """z per contrast origin from FightingWords, and its pooled counts (class1, class2) per origin."""
    from convokit.fighting_words import FightingWords

    text_func = (lambda utt: FightingWords.clean_text(utt.text)) if clean_text else (lambda utt: utt.text)
    scores, pooled = {}, {}
    for origin in contrast_origins:
        words = FightingWords(
            obj_type="utterance", text_func=text_func, prior=prior, cv=our_vectorizer(settings, vocabulary=list(terms))
        )
        words.fit(
            corpus,
            class1_func=lambda utt, o=origin: utt.meta["origin"] == o,
            class2_func=lambda utt, o=origin: utt.meta["origin"] != o,
        )
        scores[origin] = words.get_ngram_zscores()["z-score"].reindex(terms).to_numpy()
        pooled[origin] = words._count_matrix  # public API has no getter; read for the count check only
    return scores, pooled


def one_target(request: dict, target: dict, variants: bool) -> dict:
    """Checks, scores and per-step timings (one list entry per repeat) for one target."""
    import numpy as np
    from scipy import sparse

    settings, terms = request["vectorizer"], target["terms"]
    ours = sparse.csr_matrix(
        (target["counts"]["data"], target["counts"]["indices"], target["counts"]["indptr"]),
        shape=tuple(target["counts"]["shape"]),
    )
    origins = np.asarray(target["origins"])
    timing: dict[str, list[float]] = {}
    for _ in range(int(request["repeats"])):
        with timed(timing, "background"):
            vectorizer = our_vectorizer(settings)
            background = np.asarray(vectorizer.fit_transform(request["background_texts"]).sum(axis=0)).ravel()
            prior = request["prior_scale"] * background / background.sum()
        with timed(timing, "transform"):
            counts = vectorizer.transform(target["texts"]).tocsr()
        with timed(timing, "scattertext_build"):
            st_corpus = scattertext_corpus(counts, terms, origins, target["texts"])
        with timed(timing, "scattertext_score"):
            st = scattertext_scores(st_corpus, terms, background, target["contrast_origins"], request["prior_scale"])
        with timed(timing, "convokit_build"):
            corpus = convokit_corpus(target["texts"], target["doc_ids"], target["origins"])
        with timed(timing, "convokit_fit"):
            ck, pooled = convokit_scores(corpus, settings, terms, prior, target["contrast_origins"])
    scores = {o: {"scattertext": st[o], "convokit": ck[o]} for o in target["contrast_origins"]}
    if variants:
        uniform, _ = convokit_scores(
            corpus, settings, terms, float(request["uniform_alpha"]), target["contrast_origins"]
        )
        cleaned, _ = convokit_scores(corpus, settings, terms, prior, target["contrast_origins"], clean_text=True)
        for o in target["contrast_origins"]:
            scores[o].update(convokit_uniform_prior=uniform[o], convokit_clean_text=cleaned[o])
    checks = {
        "vocabulary_identical": vectorizer.get_feature_names_out().tolist() == terms,
        "background_counts_identical": background.tolist() == target["background_counts"],
        "counts_identical": counts.shape == ours.shape and (counts != ours).nnz == 0,
        "convokit_counts_identical": all(
            np.array_equal(pooled[o][0], np.asarray(ours[origins == o].sum(axis=0)).ravel())
            and np.array_equal(pooled[o][1], np.asarray(ours[origins != o].sum(axis=0)).ravel())
            for o in target["contrast_origins"]
        ),
    }
    return {
        "target": target["target"],
        "checks": checks,
        "timing_s": timing,
        "scores": {
            o: {k: [None if not np.isfinite(x) else float(x) for x in v] for k, v in by.items()}
            for o, by in scores.items()
        },
    }


def answer(request: dict) -> dict:
    """Checks, scores and median step timings for every target of one request."""
    targets = [one_target(request, t, bool(request["variants"])) for t in request["targets"]]
    for t in targets:
        t["timing_median_s"] = {k: median(v) for k, v in t["timing_s"].items()}
    return {"targets": targets}


def main(argv: list[str]) -> int:
    requests_path, responses_path = Path(argv[1]), Path(argv[2])
    requests = json.loads(requests_path.read_text(encoding="utf-8"))["requests"]
    try:
        with contextlib.redirect_stdout(sys.stderr):
            imports = peer_imports()
    except ImportError as error:
        responses_path.write_text(json.dumps({"error": f"peer package missing: {error}"}), encoding="utf-8")
        return 0
    with contextlib.redirect_stdout(sys.stderr):
        responses = [answer(request) for request in requests]
    packages = ("scattertext", "convokit", "scikit-learn", "numpy", "scipy", "pandas")
    responses_path.write_text(
        json.dumps(
            {
                "versions": {p: version(p) for p in packages},
                "python": sys.version.split()[0],
                "import_s": imports,
                "responses": responses,
            }
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
