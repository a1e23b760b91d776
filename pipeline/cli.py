"""Command line: one subcommand per pipeline stage (``python -m pipeline --help``).

Every stage has the same contract: ``run(params)`` in ``pipeline.stages.<stage>``
reads its inputs, calls the analyses and writes its outputs (all together,
pipeline.io.StageOutputs). Before the stage runs, params.yaml is validated
(pipeline.params) and the project's own plugins are imported (pipeline.plugins).
A refused input prints one line, ``error: <stage>: ...``, and exits 2.
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

# stage name -> one-line help, in the order DVC runs them (dvc.yaml)
STAGES: dict[str, str] = {
    "ingest": "validate the manifest and clean raw documents",
    "tag": "spaCy sentences, entities and target mentions",
    "evaluate": "leave-one-document-out scores of every stance classifier",
    "train": "fit the chosen stance classifier on all gold units",
    "stance": "label every (sentence, target) unit with a stance",
    "compare": "stance shares and salience per document and origin group",
    "agreement": "check the gold labels; agreement between the annotation passes",
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one stage; input errors print ``error: <stage>: ...`` and exit 2 (docs/errors.md).

    Set PIPELINE_DEBUG=1 to get the traceback instead of the one-line message.
    """
    args = build_parser().parse_args(argv)
    try:
        with cli_warnings(args.stage):
            params = load_params(args.params)
            load_project_plugins(params.root)
            module = importlib.import_module(f"pipeline.stages.{args.stage}")
            module.run(params)
    except (ValueError, OSError) as exc:  # our input errors: message, no traceback
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        print(f"error: {args.stage}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"error: {args.stage}: interrupted; outputs not yet replaced keep their previous content", file=sys.stderr
        )
        return 130
    return 0
