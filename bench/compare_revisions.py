#!/usr/bin/env python3
"""Time ``ansopt check`` of two revisions of this repository on the same folder, alternating.

A refactor must not make ansopt slower. On a shared 2-core machine absolute times drift
with the load, so the two revisions are timed in one run, turn about (A, B, A, B, ...),
each run a fresh ``python -m ansopt check --select ALL --exit-zero .`` subprocess in the
folder, and the report is the ratio of the medians. The base revision is exported with
``git archive`` into a temporary folder and imported from there through ``PYTHONPATH``
(the same interpreter and installed dependencies serve both); the other side is the
working tree. One untimed warm-up run each fills the OS file cache, writes .pyc files and
the knowledge cache.

Usage::

    python bench/compare_revisions.py BASE_REV                 # ../shared/corpus/ansible-for-devops
    python bench/compare_revisions.py 135f865 path/to/folder --repeat 15

With ``--discover``, each run times only file discovery (``ansopt.discover.discover`` on the
folder, .gitignore files honoured, five times in one process; the figure is their total),
without the interpreter's start-up and the rules.

Exit status 0 when both sides ran (ansopt's 0 or 1), 2 when a revision or folder is missing
or a run failed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = REPO_ROOT / ".." / "shared" / "corpus" / "ansible-for-devops"
CHECK = ["-m", "ansopt", "check", "--select", "ALL", "--exit-zero", "."]
DISCOVER = [
    "-c",
    "import time\nfrom ansopt import discover\nt = time.perf_counter()\n"
    "for _ in range(5):\n    discover.discover(['.'], '.')\nprint(time.perf_counter() - t)",
]


def export_revision(rev: str, into: Path) -> None:
    """The tree of `rev` (its ansopt package is what matters) unpacked into `into`."""
    archive = subprocess.run(["git", "-C", str(REPO_ROOT), "archive", rev], capture_output=True, check=False)
    if archive.returncode != 0:
        raise SystemExit(f"compare_revisions: no revision {rev!r}: {archive.stderr.decode().strip()}")
    with tarfile.open(fileobj=BytesIO(archive.stdout)) as tar:
        tar.extractall(into, filter="data")


def run_once(tree: Path, folder: Path, cache: Path, discover_only: bool = False) -> float:
    # A knowledge cache per side: a revision that changed the cache format would otherwise
    # delete the other's cache on every run and time a rebuild.
    env = dict(os.environ, PYTHONPATH=str(tree), ANSOPT_CACHE_DIR=str(cache))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *(DISCOVER if discover_only else CHECK)], cwd=folder, env=env, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - t0
    if discover_only and proc.returncode == 0:
        return float(proc.stdout.decode().split()[-1])
    if proc.returncode not in (0, 1):
        raise SystemExit(
            f"compare_revisions: ansopt from {tree} exited {proc.returncode}:\n{proc.stderr.decode()[-800:]}"
        )
    return elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base", help="git revision to compare the working tree with")
    ap.add_argument("folder", nargs="?", default=str(DEFAULT_FOLDER), help="folder to check (default: %(default)s)")
    ap.add_argument("--repeat", type=int, default=9, help="timed runs per side (default: %(default)s)")
    ap.add_argument("--discover", action="store_true", help="time file discovery only (5 walks of the folder per run)")
    args = ap.parse_args(argv)
    folder = Path(args.folder).resolve()
    if not folder.is_dir():
        print(f"compare_revisions: no folder {folder}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ansopt-base-") as tmp:
        base = Path(tmp) / "tree"
        export_revision(args.base, base)
        sides = {f"base {args.base}": base, "working tree": REPO_ROOT}
        times: dict[str, list[float]] = {name: [] for name in sides}
        caches = {name: Path(tmp) / f"cache-{i}" for i, name in enumerate(sides)}
        for name, tree in sides.items():
            run_once(tree, folder, caches[name], args.discover)  # warm-up, untimed
        for _ in range(args.repeat):
            for name, tree in sides.items():
                times[name].append(run_once(tree, folder, caches[name], args.discover))
    what = "discover() x5" if args.discover else "ansopt check --select ALL"
    print(f"{what} on {folder} ({args.repeat} runs each, alternating)")
    for name, runs in times.items():
        print(f"  {name:<24} median {statistics.median(runs):.3f} s   min {min(runs):.3f} s   max {max(runs):.3f} s")
    base_median, tree_median = (statistics.median(r) for r in times.values())
    print(f"  working tree / base: {tree_median / base_median:.3f} (below 1: faster)")
    try:
        print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
