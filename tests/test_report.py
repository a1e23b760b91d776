"""The figure index and the HTML/Markdown reports: complete, self-contained, escaped."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pandas as pd
from conftest import ATTACK, ATTACK_AUTHOR, ATTACK_INPUT, ATTACK_TITLE
from markupsafe import escape

from pipeline.figures import registered_figures
from pipeline.report.render import md_escape


class _Elements(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html_text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(html_text)
    return parser.tags


def test_figure_index_lists_every_figure_with_its_words_sources_and_labels(built_project):
    index = (built_project / "outputs/figures/README.md").read_text(encoding="utf-8")
    for number, spec in enumerate(registered_figures(), start=1):
        assert f"## Figure {number}. {spec.title}" in index
        section = index.split(f"## Figure {number}. ", 1)[1].split("\n## ", 1)[0]
        for field in ("**Caption.**", "**Alt text.**", "**Drawn from.**", "**Labels.**"):
            assert field in section, (spec.stem, field)
        for source in spec.sources:
            assert source in section
        for ext in ("png", "svg", "pdf"):
            assert f"[{spec.stem}.{ext}]({spec.stem}.{ext})" in section
            assert (built_project / "outputs/figures" / f"{spec.stem}.{ext}").is_file()
    assert "**Labels.** model" in index


def test_html_report_is_self_contained(built_project):
    text = (built_project / "outputs/report.html").read_text(encoding="utf-8")
    tags = elements(text)
    images = [attrs for tag, attrs in tags if tag == "img"]
    assert len(images) == len(registered_figures())
    assert all(a["src"].startswith("data:image/") and a["alt"] for a in images)
    assert not [t for t, _ in tags if t in {"script", "link", "iframe", "object", "embed"}]
    for tag, attrs in tags:
        for key in ("src", "href"):
            value = attrs.get(key) or ""
            assert not value.startswith(("http:", "https:", "//", "file:")), (tag, value)
    for section in ("method", "corpus", "figures", "tables", "evaluation", "examples", "limits"):
        assert f'<section id="{section}">' in text
    assert "stance_by_group.csv" in text and "stance_by_document.csv" in text


def test_reports_state_the_corpus_limits(built_project):
    html_text = (built_project / "outputs/report.html").read_text(encoding="utf-8")
    md = (built_project / "outputs/report.md").read_text(encoding="utf-8")
    for text in (html_text, md):
        assert "Indian, Russian: one document each" in text
        assert "5 documents in 3 origin groups (Indian 1, Russian 1, Ukrainian 3)" in text
        assert "ua-polishchuk-2024 holds 60% of the corpus" in text
    for spec in registered_figures():
        assert f"(figures/{spec.stem}.png)" in md


def test_reports_state_the_method_and_what_the_design_can_show(built_project):
    """The bootstrap and the permutation design are described with the numbers of this run."""
    differences = pd.read_csv(built_project / "outputs/tables/compare/stance_group_differences.csv")
    floor = differences["min_attainable_p"].min()
    assert floor > 0.05  # the seed corpus: 3, 1 and 1 documents
    gold = json.loads((built_project / "outputs/metrics/gold.json").read_text(encoding="utf-8"))
    for name in ("report.html", "report.md"):
        text = (built_project / "outputs" / name).read_text(encoding="utf-8")
        start, end = (
            ('<section id="method">', '<section id="corpus">') if name.endswith("html") else ("## Method", "## Corpus")
        )
        method = text.split(start, 1)[1].split(end, 1)[0]
        assert "hierarchical bootstrap interval (4,000 resamples" in method
        assert f"the smallest p any pair of groups allows here is {floor:.2f}" in method
        assert "Krippendorff's alpha between the passes" in method and f"{gold['alpha_label']:.2f}" in method
        assert "model-based (LLM sessions, not human coders)" in method
        assert "No difference between origin groups can be statistically significant" in text
        assert f"{floor:.2f} with 1 vs 3 documents" in text
        assert f"None of the {len(differences)} tests could reach p below 0.05" in text


def test_optional_figures_without_their_sources_are_listed_as_not_drawn(hostile_project):
    """A made-up corpus has no annotation passes: the gold figures are left out, and both say so."""
    optional = [spec for spec in registered_figures() if spec.optional]
    assert {spec.stem for spec in optional} >= {"gold_vs_model", "gold_agreement"}
    index = (hostile_project / "outputs/figures/README.md").read_text(encoding="utf-8")
    html_text = (hostile_project / "outputs/report.html").read_text(encoding="utf-8")
    assert "Not drawn in this run" in index and "Not drawn in this run" in html_text
    for spec in optional:
        missing = next(s for s in spec.sources if not (hostile_project / s).is_file())
        assert f"{spec.title} (`{spec.stem}`): needs {missing}" in index
        assert f"{spec.title} (needs {missing}" in html_text
    # two sentences per document: no term is used twice, so the vocabulary figures have nothing to show
    assert "(`framing_vocabulary`): framing_terms has no term" in index
    drawn = [
        spec for spec in registered_figures() if (hostile_project / "outputs/figures" / f"{spec.stem}.png").exists()
    ]
    assert not {spec.stem for spec in drawn} & ({spec.stem for spec in optional} | {"framing_vocabulary"})
    assert len([t for t, _ in elements(html_text) if t == "img"]) == len(drawn) >= 5
    for number, spec in enumerate(drawn, start=1):
        assert f"## Figure {number}. {spec.title}" in index


def test_markdown_escape():
    assert md_escape("a | b") == r"a \| b"
    assert md_escape("[click](javascript:x)") == r"\[click\](javascript:x)"
    assert md_escape("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert md_escape("two\nlines") == "two lines"
    assert md_escape(None) == ""


def test_corpus_text_is_escaped_in_both_reports(hostile_project):
    """Markup in sentences and manifest fields reaches the reader as text, never as elements."""
    html_text = (hostile_project / "outputs/report.html").read_text(encoding="utf-8")
    for planted in (ATTACK, ATTACK_INPUT, ATTACK_TITLE, ATTACK_AUTHOR):
        assert planted not in html_text  # never as markup ...
        assert str(escape(planted)) in html_text, planted  # ... but shown, escaped
    assert "<script" not in html_text
    assert not [tag for tag, _ in elements(html_text) if tag in {"video", "input", "script"}]
    assert all(a["src"].startswith("data:image/") for tag, a in elements(html_text) if tag == "img")
    assert "Kremlin &amp;lt;b&amp;gt; spin" in html_text  # an entity typed in the text stays as typed
    md = (hostile_project / "outputs/report.md").read_text(encoding="utf-8")
    for planted in (ATTACK, ATTACK_INPUT, ATTACK_TITLE, ATTACK_AUTHOR):
        assert planted not in md and md_escape(planted) in md, planted
    assert "<video" not in md and "<input" not in md and "<script" not in md
    assert r"\[x\](javascript:y)" in md
    assert "Kremlin &amp;lt;b&amp;gt; spin" in md


def test_evaluation_metrics_are_shown_when_present(hostile_project):
    html_text = (hostile_project / "outputs/report.html").read_text(encoding="utf-8")
    assert 'lexicon/macro_f1</td><td class="num">0.500' in html_text
    assert "lexicon/&lt;b&gt;odd key&lt;/b&gt;" in html_text
    assert "outputs/metrics/cv.json" not in html_text  # the dead report.evaluation_metrics entry is gone
