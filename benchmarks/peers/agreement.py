"""Running the peers (subprocess, JSON in and out) and measuring how far their scores agree with ours.

Pairs compared per contrast (ours first; see benchmarks/peers/theirs.py for the peers' settings):

* ``z`` vs ``scattertext``: same log-odds and prior; Scattertext's variance has two more terms.
* ``z_full_variance`` vs ``scattertext``: that difference removed (ours with the four-term variance).
* ``z`` vs ``convokit``: FightingWords given our prior vector and vectorizer: the same formula.
* ``z`` vs ``convokit_uniform_prior``: ConvoKit's default constant prior (0.1 per term).
* ``z_uniform_prior`` vs ``convokit_uniform_prior``: that difference removed (ours with alpha = 0.1).
* ``z`` vs ``convokit_clean_text``: our prior, ConvoKit's default text cleaning (ASCII transliteration).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from benchmarks.peers.contrasts import (
    CountedTarget,
    LogOddsSettings,
    TargetSentences,
    count_target,
    our_scores,
    peer_request,
)

ROOT = Path(__file__).resolve().parents[2]
THEIRS = Path(__file__).with_name("theirs.py")
# ConvoKit's FightingWords default prior: a constant pseudo-count per term.
CONVOKIT_DEFAULT_ALPHA = 0.1
PAIRS = (
    ("z", "scattertext", "different variance (Scattertext adds 1/(n-y) terms)"),
    ("z_full_variance", "scattertext", "same formula"),
    ("z", "convokit", "same formula"),
    ("z", "convokit_uniform_prior", "different prior (ConvoKit's constant 0.1)"),
    ("z_uniform_prior", "convokit_uniform_prior", "same formula"),
    ("z", "convokit_clean_text", "different text (ConvoKit's clean-text)"),
)
# Neither peer returns the log-odds itself: z times the peer's own standard deviation gives it back.
LOG_ODDS_PAIRS = (
    ("log_odds", "scattertext", "sd_full"),
    ("log_odds", "convokit", "sd"),
    ("log_odds_uniform_prior", "convokit_uniform_prior", "sd_uniform_prior"),
)


class PeersUnavailable(RuntimeError):
    """The peers' venv or packages are missing (``make peers`` creates them)."""


def peer_python() -> Path:
    """The peers' interpreter: $PEERS_PYTHON, else .venv-peers/bin/python of this project."""
    return Path(os.environ.get("PEERS_PYTHON", ROOT / ".venv-peers" / "bin" / "python"))


def run_peers(requests: list[dict[str, Any]], timeout_s: float = 1800) -> dict[str, Any]:
    """Scattertext's and ConvoKit's answers to ``requests`` (one process: the imports take seconds):
    {"versions", "python", "import_s", "responses": one per request}."""
    python = peer_python()
    if not python.exists():
        raise PeersUnavailable(f"no peer venv at {python}: run `make peers` (or set PEERS_PYTHON)")
    with tempfile.TemporaryDirectory() as tmp:
        requests_path, responses_path = Path(tmp) / "requests.json", Path(tmp) / "responses.json"
        requests_path.write_text(json.dumps({"requests": requests}), encoding="utf-8")
        done = subprocess.run(
            [str(python), str(THEIRS), str(requests_path), str(responses_path)],
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            env={**os.environ, "PYTHONPATH": ""},
        )
        if done.returncode != 0:
            raise RuntimeError(f"theirs.py failed ({done.returncode}):\n{done.stderr[-3000:]}")
        answer = json.loads(responses_path.read_text(encoding="utf-8"))
    if "error" in answer:
        raise PeersUnavailable(f"{answer['error']} (run `make peers`)")
    return answer


def top_k(z: np.ndarray, count_group: np.ndarray, terms: np.ndarray, k: int, min_count: int) -> list[str]:
    """The terms the compare stage would show: z > 0, count_group >= min_count, by z then term."""
    eligible = np.nonzero((count_group >= min_count) & (z > 0))[0]
    return terms[eligible[np.lexsort((terms[eligible], -z[eligible]))][:k]].tolist()


def compare_scores(
    ours: np.ndarray,
    theirs: np.ndarray,
    used: np.ndarray,
    count_group: np.ndarray,
    terms: np.ndarray,
    k: int,
    min_count: int,
) -> dict[str, Any]:
    """Spearman's rho over the terms the contrast's sentences use, the largest absolute difference,
    and the overlap of the top-k lists (share of ours also in theirs)."""
    a, b = ours[used], theirs[used]
    ours_top, their_top = top_k(ours, count_group, terms, k, min_count), top_k(theirs, count_group, terms, k, min_count)
    return {
        "n_terms": int(used.sum()),
        "spearman": float(spearmanr(a, b).statistic),
        "max_abs_diff": float(np.max(np.abs(a - b))),
        "top_k_overlap": len(set(ours_top) & set(their_top)) / max(len(ours_top), 1),
        "top_k_same_order": ours_top == their_top,
    }


def contrast_agreement(
    ours: dict[str, np.ndarray], theirs: dict[str, list], terms: np.ndarray, k: int, min_count: int
) -> dict[str, Any]:
    """Every pair of PAIRS that the peer response holds, for one (target, origin) contrast."""
    used = (ours["count_group"] + ours["count_rest"]) > 0
    out = {}
    for ours_key, peer_key, relation in PAIRS:
        if peer_key in theirs:
            peer = np.array([np.nan if x is None else x for x in theirs[peer_key]], dtype=float)
            out[f"{ours_key} vs {peer_key}"] = {
                "relation": relation,
                **compare_scores(ours[ours_key], peer, used, ours["count_group"], terms, k, min_count),
            }
    for ours_key, peer_key, sd_key in LOG_ODDS_PAIRS:
        if peer_key in theirs:
            peer = np.array([np.nan if x is None else x for x in theirs[peer_key]], dtype=float) * ours[sd_key]
            out[f"{ours_key} vs {peer_key} (z x sd)"] = {
                "relation": "same log-odds formula",
                **compare_scores(ours[ours_key], peer, used, ours["count_group"], terms, k, min_count),
            }
    return out


@dataclass(frozen=True)
class Prepared:
    """One cross-check ready to send: our counts of each target and the peers' request."""

    targets: list[TargetSentences]
    counted: list[CountedTarget]
    settings: LogOddsSettings
    request: dict[str, Any]


def prepare(
    targets: list[TargetSentences], settings: LogOddsSettings, *, variants: bool = True, repeats: int = 1
) -> Prepared:
    counted = [count_target(data, settings) for data in targets]
    return Prepared(
        targets,
        counted,
        settings,
        peer_request(targets, counted, settings, CONVOKIT_DEFAULT_ALPHA, variants=variants, repeats=repeats),
    )


def summarise(prepared: Prepared, response: dict[str, Any]) -> dict[str, Any]:
    """Ours vs the peers on every (target, origin) contrast: the peers' checks that they counted
    what we counted, the agreement of each pair, and the peers' median step timings."""
    contrasts = []
    for data, counted, theirs in zip(prepared.targets, prepared.counted, response["targets"], strict=True):
        for origin in data.origins:
            ours = our_scores(counted, origin, CONVOKIT_DEFAULT_ALPHA)
            contrasts.append(
                {
                    "target": data.target,
                    "origin": origin,
                    "tokens_group": int(ours["count_group"].sum()),
                    "tokens_rest": int(ours["count_rest"].sum()),
                    "pairs": contrast_agreement(
                        ours,
                        theirs["scores"][origin],
                        counted.terms,
                        prepared.settings.top_n,
                        prepared.settings.min_count,
                    ),
                }
            )
    return {
        "checks": {t["target"]: t["checks"] for t in response["targets"]},
        "peer_timing_s": {t["target"]: t["timing_median_s"] for t in response["targets"]},
        "vocabulary_size": {data.target: len(c.terms) for data, c in zip(prepared.targets, prepared.counted)},
        "contrasts": contrasts,
    }


def cross_check(
    targets: list[TargetSentences], settings: LogOddsSettings, *, variants: bool = True, repeats: int = 1
) -> dict[str, Any]:
    """prepare, run_peers and summarise for one set of targets, with the peers' versions."""
    prepared = prepare(targets, settings, variants=variants, repeats=repeats)
    answer = run_peers([prepared.request])
    return {
        "peers": {k: answer[k] for k in ("versions", "python", "import_s")},
        **summarise(prepared, answer["responses"][0]),
    }
