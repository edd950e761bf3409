#!/usr/bin/env python3
"""Time ``ansopt check`` against ``ansible-lint --offline`` on the same folder, and
against the parse floor.

Each run is a fresh subprocess started with the folder as its working directory and
``.`` as its only path argument; wall time is measured with ``time.perf_counter``
and the tools' output is thrown away.  Before timing, each tool gets one untimed
warm-up run so that caches (ansible-lint's schema/collection cache, ansopt's
knowledge cache, the OS file cache) are warm for both.

Four figures, as ratios from one run:

* ansible-lint / ansopt: ansopt checks with ``--no-cache`` (a cold check each time);
* ansopt / the parse floor: a subprocess that only imports PyYAML and parses the same YAML
  files with libyaml (``yaml.compose_all`` with ``CSafeLoader``): what no YAML linter can
  go below;
* warm / cold: ``ansopt check`` over the unchanged tree with its result cache (the
  pre-commit and editor case) against the cold check;
* one playbook with its ansible.cfg and inventory (``--small``), cold, in milliseconds.

Usage::

    python bench/lint_speed.py                      # ../shared/corpus/ansible-for-devops
    python bench/lint_speed.py path/to/folder --repeat 10 --peer-repeat 5
    python bench/lint_speed.py --small --json

Exit status: 0 when the measurements were taken (even if a tool reported errors,
which are printed), 2 for a usage problem (missing folder or ansopt executable).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FOLDER = REPO_ROOT / ".." / "shared" / "corpus" / "ansible-for-devops"

#: Exit codes that mean "ran fine" (with or without findings), per tool.
#: ansopt: 0 clean, 1 findings, 2 error.  ansible-lint: 0 clean, 2 violations found
#: (3 invalid config, 4 lock timeout, 5 no files matched, ... are errors).
OK_CODES = {"ansopt": {0, 1}, "ansopt (warm cache)": {0, 1}, "parse floor": {0}, "ansible-lint": {0, 2}}

#: Flags that stop ansible-lint from installing collections/roles or refreshing
#: its schemas over the network (both exist in ansible-lint >= 6).
PEER_FLAGS = ["--offline", "-q"]

SMALL_TARGET_MS = 150.0
FLOOR_TARGET = 3.0  # a cold check within 3x of the parse floor
WARM_TARGET = 0.10  # a warm check under 10% of a cold one
PEER_TARGET = 200.0

#: The parse floor: import PyYAML, parse every YAML file of the folder with libyaml.
FLOOR_SCRIPT = r"""
import os, sys, yaml
loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
skip = {".git", ".tox", ".venv", "venv", "node_modules", "__pycache__", ".cache"}
n = 0
for d, dirs, files in os.walk("."):
    dirs[:] = [x for x in dirs if x not in skip]
    for f in files:
        if f.endswith((".yml", ".yaml")):
            try:
                with open(os.path.join(d, f), "rb") as fh:
                    for _ in yaml.compose_all(fh.read(), Loader=loader):
                        pass
            except Exception:
                pass
            n += 1
print(n)
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\]8;[^\x1b]*\x1b\\")


@dataclass
class Timing:
    tool: str
    command: list[str]
    folder: str
    runs: list[float] = field(default_factory=list)
    exit_codes: list[int] = field(default_factory=list)
    warmup_seconds: float | None = None
    warmup_exit_code: int | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def as_dict(self) -> dict[str, object]:
        return {
            "tool": self.tool,
            "command": self.command,
            "folder": self.folder,
            "runs": len(self.runs),
            "seconds": [round(r, 4) for r in self.runs],
            "median": round(self.median, 4) if self.runs else None,
            "min": round(min(self.runs), 4) if self.runs else None,
            "max": round(max(self.runs), 4) if self.runs else None,
            "exit_codes": self.exit_codes,
            "warmup_seconds": (round(self.warmup_seconds, 4) if self.warmup_seconds is not None else None),
            "warmup_exit_code": self.warmup_exit_code,
            "errors": self.errors,
        }


def log(msg: str) -> None:
    """Progress goes to stderr so stdout carries only the report."""
    print(msg, file=sys.stderr, flush=True)


def find_tool(name: str, override: str | None) -> list[str] | None:
    """The command for *name*: the override, else next to sys.executable, else PATH."""
    if override:
        return shlex.split(override)
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which(name)
    if found:
        return [found]
    return None


def tool_env(command: list[str], extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a tool: its own bin directory first on PATH (as an activated
    virtualenv would have it, so ansible-lint finds the matching ansible-playbook),
    no colours, plus *extra*."""
    env = dict(os.environ)
    exe = shutil.which(command[0]) or command[0]
    bindir = str(Path(exe).parent)
    if Path(exe).is_absolute():
        parts = env.get("PATH", "").split(os.pathsep)
        if bindir not in parts:
            env["PATH"] = os.pathsep.join([bindir, *[p for p in parts if p]])
    env["NO_COLOR"] = "1"
    env.pop("FORCE_COLOR", None)
    # Let the warm-up run write .pyc files, as an installed tool would have them;
    # otherwise every timed run may recompile edited modules from source.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if extra:
        env.update(extra)
    return env


def first_line_version(command: list[str], env: dict[str, str], extra: list[str]) -> str:
    try:
        proc = subprocess.run(
            [*command, *extra, "--version"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    text = _ANSI.sub("", proc.stdout or proc.stderr).strip()
    for line in text.splitlines():
        if line.strip() and not line.startswith("WARNING"):
            return line.strip()
    return "unknown"


def tail(text: str, lines: int = 8) -> str:
    kept = [ln for ln in _ANSI.sub("", text).splitlines() if ln.strip()]
    return "\n".join("    " + ln for ln in kept[-lines:])


def measure(
    tool: str,
    command: list[str],
    folder: Path,
    repeat: int,
    env: dict[str, str],
) -> Timing:
    """One untimed warm-up run (output kept for diagnostics), then *repeat* timed runs."""
    argv = [*command, "."]
    timing = Timing(tool=tool, command=argv, folder=str(folder))
    ok = OK_CODES[tool]

    log(f"[{tool}] warm-up run (untimed): {shlex.join(argv)}")
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            argv,
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except OSError as exc:
        timing.errors.append(f"could not start {argv[0]}: {exc}")
        return timing
    timing.warmup_seconds = time.perf_counter() - t0
    timing.warmup_exit_code = proc.returncode
    if proc.returncode not in ok:
        timing.errors.append(
            f"warm-up exited {proc.returncode} (error); last output:\n" + tail(proc.stderr or proc.stdout)
        )

    for i in range(repeat):
        t0 = time.perf_counter()
        rc = subprocess.run(
            argv,
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        ).returncode
        elapsed = time.perf_counter() - t0
        timing.runs.append(elapsed)
        timing.exit_codes.append(rc)
        note = "" if rc in ok else "  <- error exit"
        log(f"[{tool}] run {i + 1}/{repeat}: {elapsed:.3f} s (exit {rc}){note}")
        if rc not in ok:
            timing.errors.append(f"run {i + 1} exited {rc} (error)")
    return timing


def count_files(folder: Path) -> dict[str, int]:
    counts = {"files": 0, "yaml": 0, "ansible.cfg": 0}
    for path in folder.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        counts["files"] += 1
        if path.suffix in (".yml", ".yaml"):
            counts["yaml"] += 1
        elif path.name == "ansible.cfg":
            counts["ansible.cfg"] += 1
    return counts


#: A typical small project's ansible.cfg.  It leaves pipelining off (the default), as
#: many real ones do, so ansopt reports C101 and builds its fix: the realistic path.
SMALL_CFG = """\
[defaults]
inventory = inventory
forks = 20
host_key_checking = False
retry_files_enabled = False
"""


def small_playbook() -> str:
    tasks = [
        ("Install base packages", "ansible.builtin.apt:\n        name: [git, curl]\n        state: present"),
        ("Create app user", "ansible.builtin.user:\n        name: app\n        shell: /bin/bash"),
        (
            "Create app directory",
            'ansible.builtin.file:\n        path: /opt/app\n        state: directory\n        owner: app\n        mode: "0755"',
        ),
        (
            "Copy config",
            'ansible.builtin.template:\n        src: app.conf.j2\n        dest: /etc/app.conf\n        mode: "0644"\n      notify: Restart app',
        ),
        ("Install nginx", "ansible.builtin.apt:\n        name: nginx\n        state: present"),
        ("Install python deps", 'ansible.builtin.pip:\n        name: "{{ item }}"\n      loop: [flask, gunicorn]'),
        (
            "Check service status",
            "ansible.builtin.command: systemctl is-active nginx\n      register: nginx_status\n      changed_when: false",
        ),
        (
            "Enable nginx",
            "ansible.builtin.service:\n        name: nginx\n        state: started\n        enabled: true",
        ),
        ("Open firewall", "ansible.builtin.command: ufw allow 80\n      changed_when: true"),
        ("Show status", "ansible.builtin.debug:\n        var: nginx_status.stdout"),
    ]
    lines = [
        "---",
        "- name: Small benchmark play",
        "  hosts: web",
        "  become: true",
        "  tasks:",
    ]
    for name, body in tasks:
        lines.append(f"    - name: {name}")
        lines.append(f"      {body}")
    lines += [
        "  handlers:",
        "    - name: Restart app",
        "      ansible.builtin.service:",
        "        name: app",
        "        state: restarted",
        "",
    ]
    return "\n".join(lines)


def fmt_row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))


def print_table(timings: list[Timing]) -> None:
    header = ["tool", "runs", "median s", "min s", "max s", "warm-up s"]
    rows = [header]
    for t in timings:
        if not t.runs:
            rows.append([t.tool, "0", "-", "-", "-", "-"])
            continue
        rows.append(
            [
                t.tool,
                str(len(t.runs)),
                f"{t.median:.3f}",
                f"{min(t.runs):.3f}",
                f"{max(t.runs):.3f}",
                f"{t.warmup_seconds:.3f}" if t.warmup_seconds is not None else "-",
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    print(fmt_row(header, widths))
    print(fmt_row(["-" * w for w in widths], widths))
    for row in rows[1:]:
        print(fmt_row(row, widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Time `ansopt check` and `ansible-lint --offline` on the same folder and print the median ratio.",
    )
    parser.add_argument(
        "folder",
        nargs="?",
        default=None,
        help="folder to lint (default: ../shared/corpus/ansible-for-devops, relative to the repository root)",
    )
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="timed runs of ansopt (default: 5)")
    parser.add_argument(
        "--peer-repeat", type=int, default=3, metavar="M", help="timed runs of ansible-lint (default: 3; it is slow)"
    )
    parser.add_argument(
        "--ansopt", metavar="CMD", default=None, help="ansopt command (default: next to this Python, then PATH)"
    )
    parser.add_argument(
        "--ansible-lint",
        dest="ansible_lint",
        metavar="CMD",
        default=None,
        help="ansible-lint command (default: next to this Python, then PATH)",
    )
    parser.add_argument(
        "--nodeps",
        action="store_true",
        help="also set ANSIBLE_LINT_NODEPS=1 for ansible-lint (skips "
        "checks that need collections installed: faster, fewer findings)",
    )
    parser.add_argument("--no-peer", action="store_true", help="time ansopt only")
    parser.add_argument(
        "--small",
        action="store_true",
        help="also time ansopt on a temporary 10-task playbook + ansible.cfg + inventory",
    )
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.peer_repeat < 1:
        parser.error("--repeat and --peer-repeat must be at least 1")

    folder = (Path(args.folder) if args.folder else DEFAULT_FOLDER).resolve()
    if not folder.is_dir():
        print(f"error: folder not found: {folder}", file=sys.stderr)
        return 2

    ansopt_cmd = find_tool("ansopt", args.ansopt)
    if ansopt_cmd is None:
        try:
            import ansopt  # noqa: F401
        except ImportError:
            print("error: ansopt not found (next to Python, on PATH, or importable); use --ansopt CMD", file=sys.stderr)
            return 2
        ansopt_cmd = [sys.executable, "-m", "ansopt"]
    ansopt_run = [*ansopt_cmd, "check"]
    ansopt_env = tool_env(ansopt_cmd)

    peer_cmd = None if args.no_peer else find_tool("ansible-lint", args.ansible_lint)
    peer_env = None
    if peer_cmd is not None:
        peer_env = tool_env(peer_cmd, {"ANSIBLE_LINT_NODEPS": "1"} if args.nodeps else None)

    counts = count_files(folder)
    results: dict[str, object] = {
        "folder": str(folder),
        "files": counts,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "warmup": "one untimed run of each tool before timing",
    }

    print("lint_speed: ansopt check vs ansible-lint, wall time per whole-process run")
    print(f"folder:       {folder}")
    print(f"files:        {counts['files']} ({counts['yaml']} YAML, {counts['ansible.cfg']} ansible.cfg)")
    print(f"machine:      Python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} CPUs")
    ansopt_version = first_line_version(ansopt_cmd, ansopt_env, [])
    print(f"ansopt:       {ansopt_version}  [{shlex.join(ansopt_run)} .]")
    results["ansopt_version"] = ansopt_version
    peer_version = None
    if peer_cmd is not None:
        peer_version = first_line_version(peer_cmd, peer_env or {}, ["--offline"])
        env_note = " with ANSIBLE_LINT_NODEPS=1" if args.nodeps else ""
        print(f"ansible-lint: {peer_version}  [{shlex.join([*peer_cmd, *PEER_FLAGS])} .{env_note}]")
        results["ansible_lint_version"] = peer_version
    elif args.no_peer:
        print("ansible-lint: skipped (--no-peer)")
    else:
        print(
            "ansible-lint: not installed (not next to Python or on PATH; use --ansible-lint CMD) - timing ansopt only"
        )
    print(
        "method:       each tool gets one untimed warm-up run first (warm caches), "
        "then timed runs; cwd = folder, argument '.', output discarded, "
        "wall time (perf_counter)"
    )
    print(flush=True)

    cold_env = dict(ansopt_env, ANSOPT_CACHE_DIR=tempfile.mkdtemp(prefix="ansopt-bench-cache-"))
    timings = [measure("ansopt", [*ansopt_run, "--no-cache"], folder, args.repeat, cold_env)]
    warm = measure("ansopt (warm cache)", ansopt_run, folder, args.repeat, cold_env)
    floor = measure("parse floor", [sys.executable, "-c", FLOOR_SCRIPT], folder, args.repeat, ansopt_env)
    if peer_cmd is not None:
        timings.append(measure("ansible-lint", [*peer_cmd, *PEER_FLAGS], folder, args.peer_repeat, peer_env or {}))

    small: Timing | None = None
    if args.small:
        with tempfile.TemporaryDirectory(prefix="ansopt-bench-") as tmp:
            tmpdir = Path(tmp)
            (tmpdir / "ansible.cfg").write_text(SMALL_CFG, encoding="utf-8")
            (tmpdir / "site.yml").write_text(small_playbook(), encoding="utf-8")
            (tmpdir / "inventory").write_text("[web]\nweb1\nweb2\n", encoding="utf-8")
            small = measure("ansopt", [*ansopt_run, "--no-cache"], tmpdir, args.repeat, cold_env)
            small.tool = "ansopt (small)"

    print_table([*timings, warm, floor])
    results["timings"] = [t.as_dict() for t in [*timings, warm, floor]]
    cold = timings[0]
    if cold.runs and floor.runs and warm.runs:
        to_floor = cold.median / floor.median
        warm_share = warm.median / cold.median
        print()
        print(
            f"ansopt cold / parse floor: {to_floor:.1f}x "
            f"({'within' if to_floor <= FLOOR_TARGET else 'OVER'} the {FLOOR_TARGET:.0f}x target)"
        )
        print(
            f"ansopt warm (cache) / cold: {warm_share:.0%} "
            f"({'under' if warm_share < WARM_TARGET else 'OVER'} the {WARM_TARGET:.0%} target)"
        )
        results["to_floor"] = round(to_floor, 2)
        results["warm_share"] = round(warm_share, 3)

    ratio = None
    if len(timings) == 2 and timings[0].runs and timings[1].runs:
        ratio = timings[1].median / timings[0].median
        print()
        print(
            f"ratio (median ansible-lint / median ansopt): {ratio:.0f}x "
            f"({'met' if ratio >= PEER_TARGET else 'below'} the {PEER_TARGET:.0f}x target)"
        )
    results["ratio"] = round(ratio, 1) if ratio is not None else None

    if small is not None:
        ms = small.median * 1000
        verdict = "under" if ms < SMALL_TARGET_MS else "OVER"
        print()
        print(
            f"small playbook (10 tasks + ansible.cfg, {len(small.runs)} runs): "
            f"median {ms:.0f} ms, min {min(small.runs) * 1000:.0f} ms, "
            f"max {max(small.runs) * 1000:.0f} ms ({verdict} the {SMALL_TARGET_MS:.0f} ms "
            "target)"
        )
        results["small"] = small.as_dict() | {
            "median_ms": round(ms, 1),
            "target_ms": SMALL_TARGET_MS,
        }

    problems = [(t.tool, e) for t in [*timings, *([small] if small else [])] for e in t.errors]
    if problems:
        print()
        print("errors (measurements kept):")
        for tool, err in problems:
            print(f"  {tool}: {err}")
    if peer_cmd is None and not args.no_peer:
        print()
        print("ansible-lint not installed: no ratio.")

    if args.json:
        print()
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
