"""Command line: one subcommand per pipeline stage (``python -m pipeline --help``)."""
from __future__ import annotations

import argparse
import importlib
import os
import sys

from pipeline.config import load_params
from pipeline.diagnostics import cli_warnings

# stage name -> (module under pipeline.stages, one-line help)
STAGES: dict[str, tuple[str, str]] = {
    "ingest": ("ingest", "validate the manifest and clean raw documents"),
    "tag": ("tag", "spaCy sentences, entities and target mentions"),
    "evaluate": ("evaluate", "leave-one-document-out scores of every stance classifier"),
    "train": ("train", "fit the chosen stance classifier on all gold units"),
    "stance": ("stance", "label every (sentence, target) unit with a stance"),
    "compare": ("compare", "stance shares and salience per document and origin group"),
    "agreement": ("agreement", "check the gold labels; agreement between the annotation passes"),
    "report": ("report", "figure set, figure index, HTML and Markdown reports"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stance-pipeline",
        description="Comparative stance analysis toward Russia and Ukraine. Each subcommand is one DVC stage.",
    )
    parser.add_argument("--params", default="params.yaml", help="params file (default: params.yaml)")
    sub = parser.add_subparsers(dest="stage", required=True, metavar="STAGE")
    for name, (_, help_text) in STAGES.items():
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
            module = importlib.import_module(f"pipeline.stages.{STAGES[args.stage][0]}")
            module.run(params)
    except (ValueError, OSError) as exc:  # our input errors: message, no traceback
        if os.environ.get("PIPELINE_DEBUG"):
            raise
        print(f"error: {args.stage}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"error: {args.stage}: interrupted; outputs not yet replaced keep their previous content",
              file=sys.stderr)
        return 130
    return 0
