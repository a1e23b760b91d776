"""Command line: one subcommand per pipeline stage (``python -m pipeline --help``).

Every stage has the same contract: ``run(params)`` in ``pipeline.stages.<stage>``
reads its inputs, calls the analyses and writes its outputs (all together,
pipeline.io.StageOutputs). Before the stage runs, params.yaml is validated
(pipeline.params) and the project's own plugins are imported (pipeline.plugins).
A refused input prints one line, ``error: <stage>: ...``, and exits 2.

``annotate export|import`` is no stage: it produces input (a random sample of
units to label, and the labelled passes), so a person runs it when they
annotate (pipeline.annotation.cli, corpus/annotations/README.md).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from pipeline import paths
from pipeline.diagnostics import cli_warnings
from pipeline.params import load_params
from pipeline.plugins import load_project_plugins

ANNOTATE_MODULE = "pipeline.annotation.cli"

# stage name -> one-line help, in the order DVC runs them (dvc.yaml)
STAGES: dict[str, str] = {
    "ingest": "validate the manifest and clean raw documents",
    "tag": "spaCy sentences, entities and target mentions",
    "gold": "derive the gold labels from the annotation passes; agreement between the passes",
    "evaluate": "leave-one-document-out scores of every stance classifier",
    "train": "fit the chosen stance classifier on all gold units",
    "stance": "label every (sentence, target) unit with a stance",
    "compare": "stance shares and salience per document and origin group",
    "report": "figure set, figure index, HTML and Markdown reports",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance-pipeline",
        description="Comparative stance analysis toward Russia and Ukraine. Each subcommand is one DVC stage.",
    )
    parser.add_argument("--params", default=str(paths.PARAMS), help="params file (default: params.yaml)")
    sub = parser.add_subparsers(dest="stage", required=True, metavar="STAGE")
    for name, help_text in STAGES.items():
        sub.add_parser(name, help=help_text)
    # Parsed by its own module, imported by name only when used, so that no stage depends on its code.
    annotate = sub.add_parser(
        "annotate", help="draw a sample of units to label (export); record labels (import)", add_help=False
    )
    annotate.add_argument("annotate_args", nargs=argparse.REMAINDER, help="see `annotate --help`")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one stage; input errors print ``error: <stage>: ...`` and exit 2 (docs/errors.md).

    Set PIPELINE_DEBUG=1 to get the traceback instead of the one-line message.
    """
    args = build_parser().parse_args(argv)
    name = args.stage
    if args.stage == "annotate":
        annotate = importlib.import_module(ANNOTATE_MODULE)
        args = annotate.parse(args.annotate_args, args.params)
        name = f"annotate {args.annotate_command}"
    try:
        with cli_warnings(name):
            params = load_params(args.params)
            if args.stage == "annotate":
                return int(annotate.run(args, params))
            load_project_plugins(params.root)
            module = importlib.import_module(f"pipeline.stages.{args.stage}")
            module.run(params)
    except (ValueError, OSError) as exc:  # our input errors: message, no traceback
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        print(f"error: {name}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"error: {name}: interrupted; outputs not yet replaced keep their previous content", file=sys.stderr)
        return 130
    return 0
