"""The lexicon classifier: target-aware roles, negation, probabilities."""

import numpy as np
import pandas as pd
import pytest

from pipeline.classifiers import make_classifier
from pipeline.classifiers.base import check_labels
from pipeline.nlp.mentions import MentionFinder
from pipeline.paths import LABELS


@pytest.fixture(scope="module")
def lexicon(params):
    return make_classifier("lexicon", params).fit(pd.DataFrame())


def units_for(params, text):
    finder = MentionFinder(params.aliases())
    rows = {}
    for m in finder.find(text):
        row = rows.setdefault(
            m.target,
            {"doc_id": "d", "sent_id": 0, "target": m.target, "text": text, "mention_starts": [], "mention_ends": []},
        )
        row["mention_starts"].append(m.start)
        row["mention_ends"].append(m.end)
    return pd.DataFrame(list(rows.values()))


def labels(lexicon, params, text):
    units = units_for(params, text)
    return dict(zip(units["target"], lexicon.predict(units)))


def test_aggressor_and_victim(lexicon, params):
    assert labels(lexicon, params, "Russia’s invasion of Ukraine shocked Tokyo.") == {
        "russia": "against",
        "ukraine": "favor",
    }
    assert labels(lexicon, params, "The invasion of Ukraine by Russia was condemned.") == {
        "russia": "against",
        "ukraine": "favor",
    }


def test_aid_is_favor_and_plain_fact_is_neutral(lexicon, params):
    assert labels(lexicon, params, "Japan provided humanitarian aid and support to Ukraine.") == {"ukraine": "favor"}
    assert labels(lexicon, params, "Japan-Russia trade reached 2% in 2019.") == {"russia": "neutral"}


def test_negation_weakens_and_turns_a_cue(lexicon):
    text = "Tokyo did not support Russia."
    plain = lexicon.votes("Tokyo did support Russia.", [17], [23])
    negated = lexicon.votes(text, [22], [28])
    assert plain.favor > 0 and plain.against == 0
    assert negated.favor == 0 and negated.against == pytest.approx(plain.favor * 0.5)


def test_cues_outside_the_window_are_ignored(params):
    clf = make_classifier("lexicon", params).set_params(window=2)
    far = "Sanctions were debated for a very long time before anyone mentioned Russia."
    assert clf.votes(far, [far.index("Russia")], [far.index("Russia") + 6]).against == 0


def test_probabilities_are_a_distribution_in_label_order(lexicon, params):
    units = units_for(params, "Russia’s aggression against Ukraine continues, while Japan helps Kyiv.")
    proba = lexicon.predict_proba(units)
    assert proba.shape == (2, len(LABELS))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert LABELS == ("against", "favor", "neutral")


def test_unknown_label_is_rejected():
    with pytest.raises(ValueError, match=r"unknown stance label\(s\) \['pro'\]"):
        check_labels(["favor", "pro"])


def test_unknown_classifier_names_the_key(params):
    from stance_data import params_with

    from pipeline.classifiers.training import resolve_classifier
    from pipeline.params import ConfigError

    with pytest.raises(ConfigError, match=r"stance.classifier: 'magic' is not allowed \(a registered classifier: "):
        resolve_classifier(params_with(params, **{"stance.classifier": "magic"}))
