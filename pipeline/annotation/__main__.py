"""``python -m pipeline.annotation``: rebuild stance_gold.csv (``build``), or write a blank pass file (``template``).

Not a pipeline stage: annotators run it between annotation rounds, and the
agreement stage then checks that the committed gold file is current.
"""

from __future__ import annotations

import argparse
import sys

from pipeline import io, paths
from pipeline.annotation.gold import PASS_COLUMNS, annotation_template, write_gold
from pipeline.annotation.reliability import second_pass_sample
from pipeline.ingestion.manifest import load_manifest
from pipeline.nlp.units import stance_units
from pipeline.params import load_params


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipeline.annotation", description=__doc__)
    parser.add_argument("--params", default=str(paths.PARAMS))
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("build", help="rebuild stance_gold.csv from the pass and adjudication files (the default)")
    template = sub.add_parser("template", help="write a blank pass file for documents (needs `dvc repro` outputs)")
    template.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    template.add_argument("--out", required=True, help="e.g. corpus/annotations/pass1_D.csv")
    template.add_argument(
        "--second-pass",
        action="store_true",
        help="only the stratified sample given by agreement.second_pass (share, seed)",
    )
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        annotations = params.root / paths.ANNOTATIONS
        if args.command == "template":
            units = stance_units(
                io.read_parquet(params.root / paths.SENTENCES),
                io.read_parquet(params.root / paths.MENTIONS),
                io.read_parquet(params.root / paths.DOCUMENTS),
            )
            rows = annotation_template(units, args.doc_ids)
            if args.second_pass:
                second = params.agreement.second_pass
                rows = second_pass_sample(rows, second.share, second.seed)[PASS_COLUMNS]
            with io.atomic_path(args.out) as tmp:
                rows.to_csv(tmp, index=False, lineterminator="\n")
            print(f"{args.out}: {len(rows)} units to label")
            return 0
        manifest = load_manifest(params.root / paths.MANIFEST, params.corpus.origins)
        out = write_gold(annotations, manifest["doc_id"], params.target_names)
    except (ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{annotations / paths.GOLD.name}: {len(out)} rows, "
        f"{int((out['source'] == 'adjudicated').sum())} adjudicated, "
        f"{int((out['pass2_label'] != '').sum())} double-coded"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
