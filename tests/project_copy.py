"""Throwaway copies of this project for tests that run DVC itself (determinism, interruption).

A copy holds the files git would (tracked and untracked-but-not-ignored),
so it is what a fresh clone plus the working changes would be; it gets its
own DVC cache and runs without git (``core.no_scm``). Commands run with the
test's interpreter as ``STANCE_PYTHON`` (bin/stage, dvc.yaml's cmd, runs
it) and first on PATH, and PYTHONPATH pointing at the copy.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# Without git (an unpacked archive): everything but these generated or local folders.
NOT_PROJECT = (".git", ".venv", ".dvc/cache", ".dvc/tmp", "outputs/data", "models", ".hypothesis", ".pytest_cache")


def project_files(root: Path = ROOT) -> list[str]:
    """Paths git would put in a commit of the working tree now (or, without git, the source files)."""
    try:
        listed = (
            subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=root,
                check=True,
                capture_output=True,
            )
            .stdout.decode()
            .split("\0")
        )
    except (OSError, subprocess.CalledProcessError):
        listed = [
            str(p.relative_to(root))
            for p in root.rglob("*")
            if p.is_file()
            and not {"__pycache__", ".hypothesis", ".pytest_cache"} & set(p.parts)
            and not any(
                str(p.relative_to(root)) == prefix or str(p.relative_to(root)).startswith(prefix + "/")
                for prefix in NOT_PROJECT
            )
        ]
    return sorted(p for p in listed if p and (root / p).is_file())


def copy_project(dest: Path, *, with_outputs: bool = False) -> Path:
    """A copy of the project at ``dest``; without outputs/ and dvc.lock unless asked (a clean state)."""
    for rel in project_files():
        if not with_outputs and (rel.startswith("outputs/") or rel == "dvc.lock"):
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    configure_dvc(dest)
    return dest


def configure_dvc(root: Path) -> None:
    """Let DVC work in a folder that is not a git repository."""
    (root / ".dvc").mkdir(exist_ok=True)
    config = root / ".dvc" / "config"
    if not config.exists():
        config.write_text("[core]\n    analytics = false\n    check_update = false\n")
    (root / ".dvc" / "config.local").write_text("[core]\n    no_scm = true\n")


def env_for(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(root)
    env["STANCE_PYTHON"] = sys.executable
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", MPLBACKEND="Agg")
    env.pop("PIPELINE_DEBUG", None)
    return env


def dvc(root: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run ``dvc <args>`` in ``root``; raises with DVC's output when it fails."""
    proc = subprocess.run(
        [sys.executable, "-m", "dvc", *args],
        cwd=root,
        env=env_for(root),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        raise AssertionError(f"dvc {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def tree_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (hidden files included), by relative path."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
