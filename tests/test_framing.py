"""Log-odds with an informative Dirichlet prior, the frame lexicon, actor co-occurrence."""

import numpy as np
import pandas as pd
import pytest
from stance_data import params_with

from pipeline.analysis.actors import cooccurrence, jaccard
from pipeline.analysis.frames import FrameCategory, frame_categories, match_frames
from pipeline.analysis.vocabulary import (
    MIN_Z,
    background_prior,
    contrast_terms,
    log_odds_dirichlet,
    proper_names,
    selection_note,
    stop_terms,
    term_vectorizer,
)
from pipeline.params import ConfigError


def test_log_odds_sign_convention_and_symmetry():
    a = np.array([10.0, 5.0, 5.0])  # "tanks" used 10 times by a, never by b
    b = np.array([0.0, 5.0, 15.0])
    prior = np.array([1.0, 1.0, 1.0])
    delta, z = log_odds_dirichlet(a, b, prior)
    assert delta[0] > 0 and z[0] > 0  # over-used by a: positive
    assert delta[2] < 0 and z[2] < 0  # over-used by b: negative
    delta_swapped, z_swapped = log_odds_dirichlet(b, a, prior)
    assert delta_swapped == pytest.approx(-delta) and z_swapped == pytest.approx(-z)


def test_log_odds_matches_the_formula_by_hand():
    a, b, prior = np.array([4.0, 6.0]), np.array([1.0, 9.0]), np.array([0.5, 1.5])
    delta, z = log_odds_dirichlet(a, b, prior)
    alpha0, n_a, n_b = 2.0, 10.0, 10.0
    expected = np.log((4 + 0.5) / (n_a + alpha0 - 4 - 0.5)) - np.log((1 + 0.5) / (n_b + alpha0 - 1 - 0.5))
    assert delta[0] == pytest.approx(expected)
    assert z[0] == pytest.approx(expected / np.sqrt(1 / 4.5 + 1 / 1.5))


def test_prior_shrinks_rare_terms():
    """Same 100% rate in a, but seen 2 vs 20 times: the rarer term gets the smaller z."""
    a, b = np.array([2.0, 20.0, 100.0]), np.array([0.0, 0.0, 100.0])
    _, z = log_odds_dirichlet(a, b, np.array([1.0, 1.0, 10.0]))
    assert 0 < z[0] < z[1]


def test_log_odds_rejects_bad_prior():
    with pytest.raises(ValueError, match="prior"):
        log_odds_dirichlet(np.ones(2), np.ones(2), np.array([1.0, 0.0]))
    with pytest.raises(ConfigError, match="compare.log_odds.prior_scale must be positive"):
        background_prior(term_vectorizer(set()), ["some words"], prior_scale=0)


def _contrast(sentences: pd.DataFrame, vectorizer, **selection) -> pd.DataFrame:
    """contrast_terms with the sentences as their own background (prior_scale 10)."""
    _, prior = background_prior(vectorizer, sentences["text"], prior_scale=10)
    return contrast_terms(sentences, vectorizer, prior, **selection)


def test_contrast_terms_finds_each_groups_framing_words():
    sentences = pd.DataFrame(
        {
            "doc_id": ["u1", "u1", "u2", "r1", "r1", "r2"],
            "author_origin": ["Ukrainian"] * 3 + ["Russian"] * 3,
            "text": [
                "Russia's aggression and occupation.",
                "The aggression of Russia continues.",
                "Russian aggression, full-scale invasion.",
                "The crisis in relations with Russia.",
                "Russia sees a crisis and events.",
                "The crisis around Russia.",
            ],
        }
    )
    vectorizer = term_vectorizer(stop_terms(["Russia", "Russian"], use_english=True))
    terms = _contrast(sentences, vectorizer, top_n=3, min_count=1, min_z=0.0)
    top = terms[terms["rank"] == 1].set_index("author_origin")
    assert top.loc["Ukrainian", "term"] == "aggression" and top.loc["Ukrainian", "count_group"] == 3
    assert top.loc["Ukrainian", "docs_using"] == 2 and top.loc["Ukrainian", "n_docs_group"] == 2
    assert top.loc["Russian", "term"] == "crisis" and top.loc["Russian", "count_rest"] == 0
    assert (terms["z"] > 0).all()
    assert not terms["term"].isin(["russia", "russian"]).any()  # the words that select sentences are no evidence
    assert "full-scale" in vectorizer.get_feature_names_out()


def test_contrast_terms_lists_only_terms_whose_z_reaches_the_floor():
    sentences = pd.DataFrame(
        {
            "doc_id": ["u1"] * 4 + ["r1"] * 4,
            "author_origin": ["Ukrainian"] * 4 + ["Russian"] * 4,
            "text": ["aggression aggression aggression occupation talks"] * 3
            + ["aggression talks"]
            + ["crisis crisis talks talks occupation"] * 4,
        }
    )
    vectorizer = term_vectorizer(stop_terms([], use_english=True))
    every = _contrast(sentences, vectorizer, top_n=5, min_count=1, min_z=0.0)
    floored = _contrast(sentences, vectorizer, top_n=5, min_count=1, min_z=MIN_Z)
    assert (floored["z"] >= MIN_Z).all() and len(floored) < len(every)
    assert set(floored["term"]) == set(every.loc[every["z"] >= MIN_Z, "term"])
    assert {"talks", "occupation"} <= set(every.loc[every["author_origin"] == "Russian", "term"])  # 0 < z < 1.96
    # the n behind each group's terms: its sentences and term tokens
    ukrainian = floored[floored["author_origin"] == "Ukrainian"].iloc[0]
    assert ukrainian["n_sentences_group"] == 4 and ukrainian["n_tokens_group"] == 17


def test_docs_using_counts_each_groups_documents_that_use_the_term():
    """Counted from one documents x terms product; checked against counting document by document,
    with documents interleaved, one using a term in two sentences and one whose sentences have no term."""
    rng = np.random.default_rng(3)
    words = ["aggression", "crisis", "talks", "occupation", "sanctions"]
    doc_ids = rng.choice([f"d{k}" for k in range(12)], size=60)
    sentences = pd.DataFrame(
        {
            "doc_id": doc_ids,
            "author_origin": ["Ukrainian" if int(d[1:]) % 3 else "Russian" for d in doc_ids],
            "text": [" ".join(rng.choice(words, size=3)) if d != "d5" else "the" for d in doc_ids],
        }
    )
    terms = _contrast(sentences, term_vectorizer(stop_terms([], True)), top_n=5, min_count=1, min_z=-99)
    assert len(terms) > 0
    for row in terms.itertuples():
        group = sentences[sentences["author_origin"] == row.author_origin]
        expected = group.loc[group["text"].str.split().map(lambda ws, t=row.term: t in ws), "doc_id"].nunique()
        assert row.docs_using == expected
        assert row.n_docs_group == group["doc_id"].nunique()


def test_proper_names_are_words_capitalised_wherever_they_occur_mid_sentence():
    texts = [
        "The visit of Prime Minister Fumio Kishida to the region ended.",
        "Kishida said that Japan would act.",
        "The Minister spoke; the minister left.",  # also written small: not a name
        "NATO and the EU.",  # acronyms: neither way
        "Security Policy Of Japan",  # a heading: most words capitalised, says nothing
        "Policy matters.",  # sentence-initial only: says nothing
    ]
    names = proper_names(texts)
    assert {"fumio", "kishida", "japan"} <= names
    assert "minister" not in names and "nato" not in names and "policy" not in names and "security" not in names


def test_selection_note_states_the_rules_the_table_applies():
    note = selection_note(use_english=True, min_count=3)
    assert "English stop words" in note and "at least 3 times" in note and f"z reaches {MIN_Z}" in note
    assert "English stop words" not in selection_note(use_english=False, min_count=3)


def category(**kwargs) -> FrameCategory:
    spec = {"name": "x", "description": "", "terms": (), "exclude": (), "within": ()}
    spec.update(kwargs)
    return FrameCategory(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items()})


def test_frame_terms_match_whole_words_prefixes_and_skip_excluded_phrases():
    war = category(terms=["war", "sanction*", "special military operation"], exclude=["Cold War"])
    text = "After the Cold War, the war brought sanctioned firms, a warm welcome and a Special  Military Operation."
    assert [m[0] for m in war.find(text)] == ["war", "sanctioned", "Special  Military Operation"]
    start = text.index("the war") + 4
    assert war.find(text)[0][1:] == (start, start + 3)


def test_within_restricts_a_category_to_sentences_mentioning_a_target():
    sentences = pd.DataFrame(
        {
            "doc_id": ["d", "d"],
            "sent_id": [0, 1],
            "text": ["The situation in Ukraine.", "The situation on the peninsula."],
        }
    )
    mentions = pd.DataFrame({"doc_id": ["d"], "sent_id": [0], "target": ["ukraine"]})
    matches = match_frames(sentences, mentions, [category(name="crisis", terms=["situation"], within=["ukraine"])])
    assert matches[["sent_id", "category", "term"]].values.tolist() == [[0, "crisis", "situation"]]


def test_frame_categories_validate_params(params):
    def categories(spec):
        return params_with(params, **{"frames.categories": spec}).frames.categories

    cats = frame_categories(categories({"aid": {"terms": ["aid", "loan*"], "within": ["ukraine"]}}))
    assert cats[0].name == "aid" and cats[0].within == ("ukraine",)
    with pytest.raises(ConfigError, match=r"frames.categories.aid.within: unknown target\(s\) \['japan'\]"):
        categories({"aid": {"terms": ["aid"], "within": ["japan"]}})
    with pytest.raises(ConfigError, match=r"frames.categories.aid.terms: \[\] is not allowed"):
        categories({"aid": {"terms": []}})


def test_cooccurrence_windows():
    # sentences: 0 japan+russia, 1 ukraine, 2 russia, 3 nothing
    presence = np.array([[1, 1, 0], [0, 0, 1], [0, 1, 0], [0, 0, 0]], dtype=bool)
    both, single, n = cooccurrence(presence, window=0)
    assert n == 4 and single.tolist() == [1, 2, 1]
    assert both[0, 1] == 1 and both[1, 2] == 0
    both1, single1, _ = cooccurrence(presence, window=1)
    # windows {0,1}, {0,1,2}, {1,2,3}, {2,3}: russia-ukraine now share three windows
    assert both1[1, 2] == 3 and single1.tolist() == [2, 4, 3]
    j = jaccard(both, single)
    assert j[0, 1] == pytest.approx(1 / 2) and j[1, 2] == 0


def test_jaccard_is_undefined_where_neither_actor_occurs():
    both, single, _ = cooccurrence(np.zeros((3, 2), dtype=bool), window=0)
    assert np.isnan(jaccard(both, single)).all()
