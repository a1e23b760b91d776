"""The registered rule-based classifiers of issue #14: role rules on hand-written sentences that follow
STANCE-SPEC v2's rules (not taken from gold), the unit table's context columns, the context summary, the learned
rule-6 propagation, and the choice inside training folds."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
from stance_data import NEUTRAL_BOTH, make_units

from pipeline.classifiers.base import alias_rows
from pipeline.classifiers.context import context_features
from pipeline.classifiers.propagation import ContextPropagation
from pipeline.classifiers.propagation_evidence import carried_direction, paragraph_evaluation, sentence_cues
from pipeline.classifiers.roles import RoleStance
from pipeline.classifiers.selection import NestedSelect
from pipeline.nlp.units import paragraph_of_sentences, stance_units
from pipeline.paths import UNIT_COLUMNS


def label_of(params, sentence: str, target: str, aid_is_favor: bool = True) -> str:
    units = make_units(params, [("d", sentence, NEUTRAL_BOTH)])
    row = units.index[units["target"] == target]
    assert len(row) == 1, f"no {target} unit in {sentence!r}"
    model = RoleStance(alias_rows(params.aliases()), aid_is_favor=aid_is_favor).fit(units)
    return str(model.predict(units.loc[row])[0])


@pytest.mark.parametrize(
    "sentence, target, expected",
    [
        # rule 1 and guide §3.6: aggressor and victim
        ("Russia's aggression against Ukraine continues.", "russia", "against"),
        ("Russia's aggression against Ukraine continues.", "ukraine", "favor"),
        ("Ukraine is dealing with direct military aggression from Russia.", "russia", "against"),
        ("Ukraine is dealing with direct military aggression from Russia.", "ukraine", "favor"),
        ("The invasion of Ukraine by Russia shocked the world.", "russia", "against"),
        ("Ukraine was invaded by Russia in 2022.", "ukraine", "favor"),
        ("Russian-occupied territories were liberated.", "russia", "against"),
        ("Japan regards the reunification of Crimea with Russia as lawful.", "russia", "favor"),
        ("Japan regards the reunification of Crimea with Russia as lawful.", "ukraine", "against"),
        # rule 3: a third party as subject
        ("Japan condemned Russia's act of aggression.", "russia", "against"),
        # rule 7: aid to the recipient, a bare amount included
        ("Since 2014, Japan's assistance to Ukraine amounted to $1.86 billion.", "ukraine", "favor"),
        ("Tokyo provided generous humanitarian aid to Kyiv.", "ukraine", "favor"),
        # rule 7: cooperation is favor only when evaluated
        ("Relations between Japan and Ukraine grew into a robust and strategic partnership.", "ukraine", "favor"),
        ("Japan and Russia signed an agreement on fisheries in 2016.", "russia", "neutral"),
        # rule 8: measures endorsed / too weak / bare / harmful
        ("Japan must tighten its sanctions on Russia.", "russia", "against"),
        ("Japan imposed only symbolic sanctions on Russia.", "russia", "against"),
        ("Japan imposed sanctions on Russia in March.", "russia", "neutral"),
        ("Lifting the anti-Russian sanctions would be the positive scenario.", "russia", "favor"),
        # rule 9: treatment of the target
        ("Japan's soft response to Russia emboldened the Kremlin.", "russia", "against"),
        ("The Ukraine crisis dominated the summit agenda.", "ukraine", "neutral"),
        # descriptive uses must not fire
        ("In 2020, Russia was Japan's 13th-largest import partner.", "russia", "neutral"),
        ("Japan has had tense ties with Russia since the Japan-Russia war in 1904.", "russia", "neutral"),
        ("Japan's response to the Russo-Ukrainian War is shaped by its constitution.", "ukraine", "neutral"),
        # evaluative words in the target's clause, with negation and distance
        ("Putin is not ready to resolve the issue.", "russia", "against"),
        ("We must hold Russia accountable for its outrageous acts.", "russia", "against"),
        ("Critics claimed that Russia was a “reliable” partner.", "russia", "neutral"),
    ],
)
def test_role_rules_follow_the_spec(params, sentence, target, expected):
    assert label_of(params, sentence, target) == expected


def test_bare_aid_follows_the_label_definition(params):
    sentence = "Japan sent medical equipment to Ukraine in May."
    assert label_of(params, sentence, "ukraine", aid_is_favor=True) == "favor"  # spec v2 rule 7
    assert label_of(params, sentence, "ukraine", aid_is_favor=False) == "neutral"  # guide v1 §3.7


def test_aid_from_a_target_is_not_aid_to_it(params):
    assert label_of(params, "Ukraine sent experts to Japan after the earthquake.", "ukraine") == "neutral"


def test_context_features_leave_the_unit_out():
    units = pd.DataFrame(
        {
            "doc_id": ["a"] * 4 + ["b"],
            "target": ["russia"] * 3 + ["ukraine", "russia"],
            "sent_id": [0, 1, 5, 1, 0],
            "paragraph": [0, 0, 1, 0, 0],
        }
    )
    net = np.array([1.0, -1.0, -1.0, 0.5, 2.0])
    out = context_features(units, net, (net != 0).astype(float))
    assert out.loc[0, "para_net"] == -1.0  # the other unit of paragraph 0, not itself
    assert out.loc[0, "near_net"] == -1.0  # sentence 1 only
    assert out.loc[0, "doc_net"] == pytest.approx(-1.0)  # mean of the two others
    assert out.loc[2, "para_net"] == 0.0
    assert out.loc[0, "other_doc_net"] == pytest.approx(0.5)  # document a's thesis toward ukraine
    assert out.loc[4].tolist() == [0.0, 0.0, 0.0, 0.0, 0.0]  # alone in its document


def test_paragraphs_and_neighbours_come_from_the_document_text():
    documents = pd.DataFrame({"doc_id": ["a"], "text": ["One Russia. Two.\n\nThree Ukraine."]})
    sentences = pd.DataFrame(
        {
            "doc_id": ["a"] * 3,
            "sent_id": [0, 1, 2],
            "start_char": [0, 12, 18],
            "sent_key": ["k0", "k1", "k2"],
            "text": ["One Russia.", "Two.", "Three Ukraine."],
        }
    )
    assert paragraph_of_sentences(sentences, documents).tolist() == [0, 0, 1]
    mentions = pd.DataFrame(
        {
            "doc_id": ["a", "a"],
            "sent_id": [0, 2],
            "target": ["russia", "ukraine"],
            "alias": ["Russia", "Ukraine"],
            "alias_kind": ["state", "state"],
            "start_char": [4, 24],
            "end_char": [10, 31],
            "text": ["Russia", "Ukraine"],
        }
    )
    units = stance_units(sentences, mentions, documents)
    assert list(units.columns) == UNIT_COLUMNS
    first, last = units.iloc[0], units.iloc[1]
    assert (first["paragraph"], first["context_before"], first["context_after"]) == (0, "", "Two.")
    assert first["paragraph_text"] == "One Russia.\nTwo."  # the sentence that names no target counts too
    assert (last["paragraph"], last["context_before"], last["context_after"]) == (1, "Two.", "")
    assert last["paragraph_text"] == "Three Ukraine."
    assert (first["mention_starts"], last["mention_starts"]) == ([4], [6])


def test_rule_classifiers_work_without_the_context_columns(params, fixture_units):
    """A unit table from before the context columns (or a user's own) still gets labels: paragraphs fall back
    to the sentences either side."""
    bare = fixture_units.drop(columns=["paragraph", "paragraph_text", "context_before", "context_after"])
    aliases = alias_rows(params.aliases())
    model = ContextPropagation(aliases).fit(bare, bare["label"])
    proba = model.predict_proba(bare)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert RoleStance(aliases).fit(bare).predict(bare).shape == (len(bare),)


@pytest.fixture(scope="module")
def fixture_units(params):
    return make_units(params)


def test_nested_select_chooses_inside_the_training_units(params, fixture_units):
    aliases = alias_rows(params.aliases())
    model = NestedSelect(
        (("roles_neutral_always", RoleStance(aliases, neutral_bias=100.0)), ("roles", RoleStance(aliases)))
    )
    train = fixture_units[fixture_units["doc_id"] != "doc-d"].reset_index(drop=True)
    model.fit(train, train["label"])
    assert model.chosen_ == "roles"
    assert model.scores_["roles"] > model.scores_["roles_neutral_always"]
    two_docs = train[train["doc_id"].isin(["doc-a", "doc-b"])]
    assert NestedSelect(model.candidates).fit(two_docs, two_docs["label"]).chosen_ == "roles_neutral_always"


def _paragraph_units(params, docs: dict[str, list[list[tuple[str, dict[str, str]]]]]) -> pd.DataFrame:
    """Units of documents given as paragraphs of (sentence, labels), with ``paragraph`` and ``paragraph_text``."""
    rows, paragraph_of = [], {}
    for doc_id, paragraphs in docs.items():
        for p, paragraph in enumerate(paragraphs):
            for sentence, labels in paragraph:
                paragraph_of[(doc_id, sentence)] = (p, "\n".join(s for s, _ in paragraph))
                rows.append((doc_id, sentence, {**NEUTRAL_BOTH, **labels}))
    units = make_units(params, rows)
    found = [paragraph_of[(d, t)] for d, t in zip(units["doc_id"], units["text"])]
    units["paragraph"] = [p for p, _ in found]
    units["paragraph_text"] = [t for _, t in found]
    return units


def _argued_documents(direction: str, n: int) -> dict[str, list]:
    """``n`` documents whose author argues about sanctions on Russia: for them (against) or against them (favor);
    in each, a bare report of a measure in the arguing paragraph (rule 6: takes the argument's stance) and a
    statistic in a paragraph without evaluation (stays neutral)."""
    argument = {
        "against": "Japan must keep firm sanctions on Russia after its brutal aggression.",
        "favor": "The sanctions war against Russia damaged Japan's own interests.",
    }[direction]
    docs = {}
    for k in range(n):
        docs[f"{direction}-{k}"] = [
            [
                (argument, {"russia": direction}),
                (f"In {2014 + k}, Japan froze the assets of Russian banks.", {"russia": direction}),
                (
                    f"Tokyo also restricted exports of {['chips', 'machines', 'tools'][k % 3]} to Moscow.",
                    {"russia": direction},
                ),
            ],
            [
                (f"In {2010 + k}, Russia was Japan's {10 + k}th-largest trade partner.", {}),
                (f"Russia held an election in {['March', 'May', 'June'][k % 3]}.", {}),
            ],
        ]
    return docs


def test_propagation_carries_the_argument_into_bare_reports_in_either_direction(params):
    aliases = alias_rows(params.aliases())
    train = _paragraph_units(params, _argued_documents("against", 3))
    test = _paragraph_units(params, _argued_documents("favor", 1))
    model = ContextPropagation(aliases, C=1.0).fit(train, train["label"])
    predicted = dict(zip(test["text"], model.predict(test)))
    # the direction was never seen in training as context, but the evidence that carries it is direction-free
    assert predicted["In 2014, Japan froze the assets of Russian banks."] == "favor"
    assert predicted["Tokyo also restricted exports of chips to Moscow."] == "favor"
    assert predicted["In 2010, Russia was Japan's 10th-largest trade partner."] == "neutral"
    # the sentence's own stance is kept (context only fills silence)
    assert predicted["The sanctions war against Russia damaged Japan's own interests."] == "favor"
    again = ContextPropagation(aliases, C=1.0).fit(train, train["label"]).predict_proba(test)
    np.testing.assert_array_equal(model.predict_proba(test), again)


def test_propagation_reads_direction_in_the_guides_order(params):
    units = pd.DataFrame(
        {"doc_id": ["a"] * 4, "target": ["russia"] * 4, "sent_id": [0, 1, 2, 9], "paragraph": [0, 0, 1, 1]}
    )
    local = np.array(
        [
            [0.8, 0.1, 0.1],  # against, paragraph 0
            [0.1, 0.1, 0.8],  # neutral, paragraph 0: its paragraph argues against
            [0.1, 0.8, 0.1],  # favor, paragraph 1
            [0.1, 0.1, 0.8],
        ]
    )  # neutral, paragraph 1: its paragraph argues for
    guide, _ = carried_direction(units, local, "guide")
    thesis, _ = carried_direction(units, local, "thesis")
    assert guide[1] == -1 and guide[3] == 1
    assert thesis[1] == 0  # the other units' mean: one against, one favor


def test_sentence_cues_and_paragraph_evaluation():
    cues_ = sentence_cues(["Thus, Japan froze Russian assets.", "4.1 Japan's Stance on the Crisis"])
    assert cues_.loc[0, ["carrier_measure", "tie", "heading"]].tolist() == [1.0, 1.0, 0.0]
    assert cues_.loc[1, ["carrier_measure", "heading"]].tolist() == [0.0, 1.0]
    units = pd.DataFrame(
        {
            "text": ["Japan froze assets.", "Japan froze assets."],
            "paragraph_text": ["The toothless sanctions.\nJapan froze assets.", "Japan froze assets."],
        }
    )
    assert paragraph_evaluation(units).tolist() == [pytest.approx(np.log(2)), 0.0]  # own sentence left out
    neighbours = pd.DataFrame({"text": ["x"], "context_before": ["A brutal invasion."], "context_after": [""]})
    assert paragraph_evaluation(neighbours)[0] > 0


def test_propagation_labels_a_document_with_nothing_to_carry(params, fixture_units):
    """A document whose units give no direction to carry (here one neutral fact) keeps the rules' labels."""
    aliases = alias_rows(params.aliases())
    model = ContextPropagation(aliases).fit(fixture_units, fixture_units["label"])
    lone = make_units(params, [("lone", "Russia held an election in March.", NEUTRAL_BOTH)])
    np.testing.assert_allclose(model.predict_proba(lone), RoleStance(aliases).fit(lone).predict_proba(lone))


def test_propagation_computes_each_training_document_once_across_folds(params, monkeypatch):
    """Cross-validation fits on every training document once per fold: the per-document evidence memo must hold
    them all (at 256 documents it was emptied and refilled every fold at 1000x), while labelling documents only
    reads it. Memoised or not, the probabilities are the same."""
    from pipeline.classifiers import propagation_evidence

    aliases = alias_rows(params.aliases())
    against = _paragraph_units(params, _argued_documents("against", 150))
    favor = _paragraph_units(params, _argued_documents("favor", 150))
    train = pd.concat([against, favor], ignore_index=True)  # 300 documents
    test = _paragraph_units(params, {"new": _argued_documents("favor", 1)["favor-0"]})
    computed: list[str] = []
    real = propagation_evidence.local_labels

    def counting(doc, *args):
        computed.append(doc["doc_id"].iloc[0])
        return real(doc, *args)

    monkeypatch.setattr(propagation_evidence, "local_labels", counting)
    propagation_evidence.forget_evidence()
    first = ContextPropagation(aliases).fit(train, train["label"])
    ContextPropagation(aliases).fit(train, train["label"])  # a second fold over the same documents
    assert sorted(computed) == sorted(train["doc_id"].unique())
    predicted = first.predict_proba(test)
    first.predict_proba(test)
    assert computed.count("new") == 2  # a prediction is not memoised
    propagation_evidence.forget_evidence()
    np.testing.assert_array_equal(ContextPropagation(aliases).fit(train, train["label"]).predict_proba(test), predicted)


def test_propagation_keeps_its_coefficients_free_of_last_bit_noise(params):
    """The solver's CPU-dependent last bits (up to 9e-16 across kernels) must not reach the model file."""
    from pipeline.classifiers.base import COEF_DECIMALS, settle_coefficients

    aliases = alias_rows(params.aliases())
    train = _paragraph_units(params, _argued_documents("against", 3))
    regression = ContextPropagation(aliases, C=1.0).fit(train, train["label"]).model_[-1]
    assert np.array_equal(regression.coef_, np.round(regression.coef_, COEF_DECIMALS))
    noisy = copy.deepcopy(regression)
    noisy.coef_ = regression.coef_ + 9e-16
    noisy.intercept_ = regression.intercept_ - 9e-16
    settle_coefficients(noisy)
    assert np.array_equal(noisy.coef_, regression.coef_) and np.array_equal(noisy.intercept_, regression.intercept_)
