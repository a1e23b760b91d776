"""The figure index and the HTML/Markdown reports: complete, self-contained, escaped."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
from conftest import ATTACK, ATTACK_AUTHOR, ATTACK_INPUT, ATTACK_TITLE
from markupsafe import escape

from pipeline.figures import registered_figures
from pipeline.figures.provenance import gold_version
from pipeline.report.examples import examples, gold_labels, is_prose
from pipeline.report.findings import MINUS, interval, signed
from pipeline.report.provenance import gold_name, provenance
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
    assert "**Labels.** gold" in index  # the seed corpus has complete gold: stance.labels auto reports it


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
    sections = ["corpus", "method", "findings", "figures", "evaluation", "examples", "tables", "limits"]
    found = [attrs["id"] for tag, attrs in tags if tag == "section"]
    assert found == sections  # a results section's order: data, method, findings, then checks and limits
    assert "tables/compare/stance_by_group.csv" in text and "tables/compare/stance_by_document.csv" in text
    assert 'href="explorer.html"' in text and (built_project / "outputs/explorer.html").is_file()


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
            ('<section id="method">', '<section id="findings">')
            if name.endswith("html")
            else ("## 2. Method", "## 3. Findings")
        )
        method = text.split(start, 1)[1].split(end, 1)[0]
        assert "hierarchical bootstrap interval (4,000 resamples" in method
        assert f"the smallest p any pair of groups allows here is {floor:.2f}" in method
        alpha = "Krippendorff's alpha between the passes"
        assert (escape(alpha) if name.endswith("html") else alpha) in method and f"{gold['alpha_label']:.2f}" in method
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
    not_drawn = [line for line in index.split("Not drawn in this run:", 1)[1].splitlines() if line.startswith("- ")]
    for spec in optional:  # listed with the reason: a missing source, or (gold stage ran, no passes) no gold labels
        listed = [line for line in not_drawn if f"(`{spec.stem}`): " in line]
        assert listed, f"{spec.stem} was drawn for a corpus without gold labels"
        missing = [s for s in spec.sources if not (hostile_project / s).is_file()]
        if missing:
            assert f"{spec.title} (`{spec.stem}`): needs {missing[0]}" in listed[0]
            assert f"{spec.title} (needs {missing[0]}" in html_text
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


def section(text: str, name: str) -> str:
    """One section of the HTML report."""
    return text.split(f'<section id="{name}">', 1)[1].split("</section>", 1)[0]


def test_findings_give_each_estimate_its_interval_n_and_label_source(built_project):
    by_group = pd.read_csv(built_project / "outputs/tables/compare/stance_by_group.csv")
    differences = pd.read_csv(built_project / "outputs/tables/compare/stance_group_differences.csv")
    html_findings = section((built_project / "outputs/report.html").read_text(encoding="utf-8"), "findings")
    md = (built_project / "outputs/report.md").read_text(encoding="utf-8")
    md_findings = md.split("## 3. Findings", 1)[1].split("## 4. Figures", 1)[0]
    reported = by_group[by_group["n_units"] > 0]
    assert set(reported["label_source"]) == {"gold"}  # complete gold on the seed corpus: auto reports it
    assert "Labels: gold v2 labels" in html_findings
    for r in by_group[by_group["n_units"] > 0].itertuples():
        row = (
            f"| {r.author_origin}{' †' if r.n_docs_mentioning < 3 else ''} | {r.n_docs_mentioning} | {r.n_units} | "
            f"{signed(r.net_index)} | {md_escape(interval(r.net_index_lo, r.net_index_hi))} | "
        )
        assert row in md_findings, row
        assert (
            f"<td>{r.author_origin}" in html_findings and f"{interval(r.net_index_lo, r.net_index_hi)}" in html_findings
        )
    assert md_findings.count("| gold |") == len(reported)
    for r in differences[differences["measure"] == "net_index"].itertuples():
        line = (
            f"{r.group_a} {MINUS} {r.group_b} ({r.n_docs_a} vs {r.n_docs_b} documents): {signed(r.difference)} "
            f"{interval(r.difference_lo, r.difference_hi)}; p = {r.p_permutation:.2f} (smallest attainable: "
            f"{r.min_attainable_p:.2f})"
        )
        assert md_escape(line) in md_findings and line in html_findings, line
    assert "describes these texts, not a difference that generalises" in html_findings


def test_tables_are_linked_not_dumped(built_project):
    """Every table file is linked with its row count; the page prints only the corpus, findings, metrics and
    examples tables."""
    text = (built_project / "outputs/report.html").read_text(encoding="utf-8")
    tables = section(text, "tables")
    for csv in sorted((built_project / "outputs/tables").glob("*/*.csv")):
        rel = csv.relative_to(built_project / "outputs").as_posix()
        assert f'<a href="{rel}">{csv.stem}</a>' in tables, rel
        n_rows = len(pd.read_csv(csv))
        assert f"{csv.stem}</a> ({n_rows} rows" in tables
    assert "<table>" not in tables
    n_targets = len(pd.read_csv(built_project / "outputs/tables/compare/stance_by_group.csv")["target"].unique())
    assert text.count("<table>") == 1 + n_targets + 2 + 1  # corpus, findings per target, 2 metrics files, examples


def test_examples_are_gold_labelled_sentences_never_headings(built_project):
    oof = pd.read_parquet(built_project / "outputs/data/oof_stances.parquet")
    gold = gold_labels(oof)
    rows, source = examples(
        pd.read_parquet(built_project / "outputs/data/stances.parquet"),
        pd.read_parquet(built_project / "outputs/data/sentences.parquet"),
        pd.read_parquet(built_project / "outputs/data/documents.parquet"),
        gold,
        per_label=2,
    )
    assert source == "gold" and rows
    gold_of = gold.set_index(["doc_id", "sent_id", "target"])["gold_label"]
    for r in rows:
        assert gold_of[(r["doc_id"], r["sent_id"], r["target"])] == r["label"], r
        assert is_prose(r["text"]), r["text"]
    html_examples = section((built_project / "outputs/report.html").read_text(encoding="utf-8"), "examples")
    assert "Gold label</th>" in html_examples and f"Drawn from the {seed_gold_name(built_project)}" in html_examples
    titles = pd.read_parquet(built_project / "outputs/data/documents.parquet")["title"]
    for title in titles[titles != ""]:
        assert f"{title}</td>" not in html_examples, title  # a title is no example, even one ending in '?'
    assert "Japan’s approach towards Ukraine Crisis" not in html_examples


def test_prose_excludes_headings_and_fragments():
    assert is_prose("Japan in its press statement strongly condemned the act of aggression.")
    assert is_prose("Russia, he said, “will not stop.”12")
    assert not is_prose("Japan’s approach towards Ukraine Crisis")
    assert not is_prose("UKRAINE – JAPAN: THROUGH HARDSHIPS TO THE STARS")
    assert not is_prose("See Russia.")


def seed_gold_name(root: Path) -> str:
    """'gold v2 labels': the version the gold table's guide versions give."""
    return gold_name(
        {"gold_version": gold_version(pd.read_parquet(root / "outputs/data/gold.parquet")["guide_version"])}
    )


def test_every_section_names_its_labels_and_who_annotated(built_project):
    """Model-based annotators are called so, gold labels are never 'human-coded', no dead entries."""
    text = (built_project / "outputs/report.html").read_text(encoding="utf-8")
    md = (built_project / "outputs/report.md").read_text(encoding="utf-8")
    seed_gold = seed_gold_name(built_project)
    assert seed_gold == "gold v2 labels"  # the seed's gold: guide 2.x
    for name in ("method", "findings", "figures", "evaluation", "examples", "tables"):
        assert "Labels:" in section(text, name) or seed_gold in section(text, name), name
    annotators = json.loads((built_project / "outputs/metrics/gold.json").read_text(encoding="utf-8"))["annotators"]
    assert "model-based" in annotators and "not human coders" in annotators
    for doc, shown in ((text, str(escape(annotators))), (md, md_escape(annotators))):
        assert f"{seed_gold}: " in doc and shown in doc
        assert "not human inter-coder reliability" in doc
        assert "human-coded" not in doc and "Not available" not in doc
    notes = section(text, "tables")
    assert notes.count("Labels: ") == len({p.parent.name for p in (built_project / "outputs/tables").glob("*/*.csv")})


def test_provenance_phrases_follow_the_gold_metrics():
    v2 = {
        "n_gold_units": 459,
        "n_adjudicated": 26,
        "annotators": "2 model-based (LLM sessions, not human coders) annotator(s)",
        "alpha_label": 0.9519,
        "alpha_label_low": 0.9249,
        "alpha_label_high": 0.9727,
        "n_multiply_coded": 459.0,
        "gold_version": "v2",
    }
    labels = provenance("model", ["gold", "ppi", "model"], "model labels (lexicon classifier)", v2, None)
    assert labels.gold.startswith("gold v2 labels: 459 units labelled under docs/annotation-guide.md by 2 model-based")
    assert labels.agreement.startswith("Krippendorff's alpha between the passes: 0.95 [0.92, 0.97] on 459 units")
    assert "not human inter-coder reliability" in labels.agreement
    assert "prediction-powered" in labels.findings and "not checked against gold labels" in labels.findings
    assert provenance("model", [], "model labels (x)", None, None).gold is None
