"""cProfile one stage and print where its time goes.

    python -m benchmarks.profile_stage tag --params benchmarks/results/tmp/scale_10x/params.yaml

(the scratch projects exist after ``make bench``; any params.yaml works).
The stage runs once unprofiled first, so imports and lazy set-up do not
crowd the listing; then once under cProfile, sorted by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import pstats
import sys

from pipeline.cli import STAGES
from pipeline.params import load_params


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.profile_stage",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stage", choices=list(STAGES))
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--top", type=int, default=30, help="functions to list (default: 30)")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key (default: cumulative)")
    args = parser.parse_args(argv)
    params = load_params(args.params)
    run = importlib.import_module(f"pipeline.stages.{args.stage}").run
    run(params)
    profiler = cProfile.Profile()
    profiler.runcall(run, params)
    pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.top)


if __name__ == "__main__":
    main(sys.argv[1:])
