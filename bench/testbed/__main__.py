"""The SSH testbed benchmark: the reference fleet's variants on network-namespace hosts.

    sudo python -m bench.testbed                       # the full benchmark (about an hour)
    sudo python -m bench.testbed --quick               # 2 hosts, 1 run, short stand-ins
    sudo python -m bench.testbed --json out.json --write-results

See bench/testbed/README.md for what is measured and how.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from . import costs, fleet, readme, runner
from .net import Testbed, TestbedUnavailable, install_signal_handlers, requirements

RESULTS = fleet.REPO / "ansopt" / "knowledge" / "measured.json"


def _floats(text: str) -> list[float]:
    return [float(x) for x in text.split(",") if x.strip()]


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m bench.testbed", description=__doc__.splitlines()[0])
    ap.add_argument("--hosts", type=_ints, default=[4], help="host counts, comma-separated (default 4)")
    ap.add_argument(
        "--rtt-ms", type=_floats, default=[0.0, 20.0], help="round-trip times, comma-separated (default 0,20)"
    )
    ap.add_argument("--runs", type=int, default=3, help="timed runs per variant and scenario (default 3)")
    ap.add_argument(
        "--variants",
        default="defaults,lost-cp,ansopt,ansopt-lost-cp,hand-tuned",
        help=f"comma-separated, of: {', '.join(fleet.VARIANTS)}",
    )
    ap.add_argument(
        "--also-8", action="store_true", help="also 8 hosts at the largest RTT (defaults, ansopt, hand-tuned)"
    )
    ap.add_argument("--leave-one-out", action="store_true", help="also the ansopt variant with each fix undone")
    ap.add_argument(
        "--loo-base",
        default="ansopt-all",
        choices=["ansopt", "ansopt-all"],
        help="the fixed variant leave-one-out undoes fixes of (default ansopt-all: opt-in rules too)",
    )
    ap.add_argument("--loo-runs", type=int, default=3, help="runs per leave-one-out variant (default 3)")
    ap.add_argument("--costs", action="store_true", help="also measure the cost units")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every stand-in duration (default 1)")
    ap.add_argument(
        "--spread", type=float, default=0.5, help="the slowest host's stand-ins take 1+SPREAD times the fastest's"
    )
    ap.add_argument("--timeout", type=float, default=900, help="seconds one playbook run may take")
    ap.add_argument("--work", type=Path, help="work folder (default: a new temporary one, deleted after)")
    ap.add_argument("--json", type=Path, help="write the results as JSON here")
    ap.add_argument(
        "--write-results",
        action="store_true",
        help=f"write the shipped results file ({RESULTS.relative_to(fleet.REPO)})",
    )
    ap.add_argument(
        "--playbook",
        default=fleet.PLAYBOOK,
        help=f"the fleet playbook to run (default {fleet.PLAYBOOK}), or a playbook file from elsewhere, "
        "copied into every variant first",
    )
    ap.add_argument(
        "--scenarios",
        default="first,repeat",
        help="first (fresh hosts, empty fact cache) and/or repeat (converged hosts, warm cache)",
    )
    ap.add_argument("--report", type=Path, metavar="WORK", help="rebuild the results of a run kept with --work")
    ap.add_argument("--quick", action="store_true", help="2 hosts, 0 ms, 1 run, stand-ins at 0.1")
    args = ap.parse_args(argv)
    if args.quick:
        args.hosts, args.rtt_ms, args.runs, args.scale = [2], [0.0], 1, 0.1
    args.scenarios = tuple(x.strip() for x in args.scenarios.split(",") if x.strip())
    if not args.scenarios or any(x not in ("first", "repeat") for x in args.scenarios) or args.scenarios[0] != "first":
        ap.error("--scenarios: first, or first,repeat")
    args.variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in args.variants if v not in fleet.VARIANTS]
    if unknown:
        ap.error(f"unknown variant(s): {', '.join(unknown)}")
    if args.runs < 1 or args.runs > 20:
        ap.error("--runs must be between 1 and 20")
    if any(h < 1 or h > 32 for h in args.hosts):
        ap.error("--hosts must be between 1 and 32")
    return args


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def bench_matrix(
    tb: Testbed, work: Path, variants: list[str], runs: int, timeout: float, how: dict
) -> tuple[list[runner.Run], dict]:
    """Every variant at the testbed's current host count and RTT, `runs` times, the order
    rotated each round so that no variant always runs first."""
    stages = {}
    applied = {}
    for v in variants:
        stages[v] = work / "stage" / f"{v}-{len(tb.hosts)}h-{tb.rtt_ms:g}ms"
        applied[v] = fleet.stage(fleet.VARIANTS[v], stages[v], tb)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    states: dict = {}
    out: list[runner.Run] = []
    for i in range(runs if variants else 0):
        order = variants[i % len(variants) :] + variants[: i % len(variants)]
        for v in order:
            got = runner.measure(tb, stages[v], v, logs, timeout, states, tag=f"-r{i + 1}", **how)
            with open(work / "runs.jsonl", "a") as fh:
                for r in got:
                    fh.write(json.dumps(dataclasses.asdict(r)) + "\n")
            for r in got:
                log(
                    f"{v:15} {r.scenario:6} {r.hosts}h {r.rtt_ms:g}ms  {r.wall_s:7.2f} s  cpu {r.cpu_s:6.2f} s  ok={r.ok} state={r.state_ok}"
                )
            out.extend(got)
    return out, applied


def leave_one_out(
    tb: Testbed, work: Path, runs: int, timeout: float, how: dict, base: str = "ansopt"
) -> dict[str, dict]:
    """The fixed project with one rule's fix undone (`--ignore CODE`), against the whole fix."""
    variant = fleet.VARIANTS[base]
    full_stage = work / "stage" / f"loo-{base}"
    applied = fleet.stage(variant, full_stage, tb)
    stages = {"": full_stage}
    for code in applied:
        stages[code] = work / "stage" / f"loo-{base}-without-{code}"
        fleet.stage(variant, stages[code], tb, extra_fix=("--ignore", code))
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    walls: dict[str, dict[str, list[float]]] = {k: {sc: [] for sc in how["scenarios"]} for k in stages}
    states: dict = {}
    for i in range(runs):
        for key, st in stages.items():
            for r in runner.measure(tb, st, f"loo-{key or 'all'}", logs, timeout, states, tag=f"-r{i + 1}", **how):
                if not r.ok or r.state_ok is False:
                    raise RuntimeError(f"leave-one-out run without {key or 'nothing'} failed or changed the end state")
                walls[key][r.scenario].append(r.wall_s)
                log(f"without {key or '-':5} {r.scenario:6} {r.wall_s:7.2f} s")
    files = {code: fleet.differing_files(full_stage, stages[code]) for code in applied}
    (work / "loo_walls.json").write_text(
        json.dumps({"hosts": len(tb.hosts), "rtt_ms": tb.rtt_ms, "walls": walls, "files": files}, indent=1)
    )
    return loo_entries(walls, files, len(tb.hosts), tb.rtt_ms)


def loo_entries(walls: dict[str, dict[str, list[float]]], files: dict[str, list[str]], hosts: int, rtt: float) -> dict:
    """Per rule: medians with and without its fix, what it saves, and whether that is more than
    the runs' own spread (the largest max-min of the two sets of runs)."""
    out = {}
    for code in walls:
        if not code:
            continue
        entry: dict = {
            "hosts": hosts,
            "rtt_ms": rtt,
            "runs": min(len(v) for v in walls[code].values()),
            "files": files.get(code, []),
        }
        for scenario, without_runs in walls[code].items():
            with_runs = walls[""][scenario]
            with_fix, without = statistics.median(with_runs), statistics.median(without_runs)
            noise = max(max(with_runs) - min(with_runs), max(without_runs) - min(without_runs))
            entry[f"{scenario}_with_s"] = round(with_fix, 2)
            entry[f"{scenario}_without_s"] = round(without, 2)
            entry[f"{scenario}_saves_s"] = round(without - with_fix, 2)
            entry[f"{scenario}_noise_s"] = round(noise, 2)
            entry[f"{scenario}_measurable"] = abs(without - with_fix) > noise
        out[code] = entry
    return out


def ratios(summaries: list[runner.Summary]) -> list[dict]:
    """Speed-ups against the unfixed variants, per host count, RTT and scenario."""
    by = {(s.variant, s.scenario, s.hosts, s.rtt_ms): s for s in summaries}
    out = []
    for (variant, scenario, hosts, rtt), s in sorted(by.items()):
        for base in ("defaults", "lost-cp"):
            b = by.get((base, scenario, hosts, rtt))
            if b is None or variant == base or variant in ("defaults", "lost-cp"):
                continue
            if base == "lost-cp" and variant not in ("ansopt-lost-cp", "hand-tuned"):
                continue
            if base == "defaults" and variant == "ansopt-lost-cp":
                continue
            if base == "lost-cp" and variant == "mitogen":
                continue
            out.append(
                {
                    "from": base,
                    "to": variant,
                    "scenario": scenario,
                    "hosts": hosts,
                    "rtt_ms": rtt,
                    "speedup": round(b.median_s / s.median_s, 2),
                }
            )
    return out


def table(summaries: list[runner.Summary], rat: list[dict]) -> str:
    """A Markdown table: medians, min-max, CPU, load; the speed-up from the unfixed variant."""
    speed = {(r["to"], r["scenario"], r["hosts"], r["rtt_ms"]): r for r in rat}
    lines = [
        "| hosts | RTT | scenario | variant | median | min–max | CPU | load | speed-up |",
        "|---:|---:|---|---|---:|---:|---:|---:|---|",
    ]
    for s in sorted(
        summaries, key=lambda s: (s.hosts, s.rtt_ms, s.scenario != "first", list(fleet.VARIANTS).index(s.variant))
    ):
        r = speed.get((s.variant, s.scenario, s.hosts, s.rtt_ms))
        up = f"{r['speedup']:.2f}× from {r['from']}" if r else ""
        if not s.all_ok or not s.states_equal:
            up += " (FAILED run or end state differs)"
        lines.append(
            f"| {s.hosts} | {s.rtt_ms:g} ms | {s.scenario} | {s.variant} | {s.median_s:.1f} s | {s.min_s:.1f}–{s.max_s:.1f} s "
            f"| {s.cpu_median_s:.1f} s | {s.load_median:.2f} | {up} |"
        )
    return "\n".join(lines)


# issue 8's targets: (from, to, hosts, rtt_ms, at least this speed-up)
TARGETS = [
    ("defaults", "ansopt", 4, 0.0, 1.5),
    ("defaults", "ansopt", 4, 20.0, 1.9),
    ("defaults", "ansopt", 8, 20.0, 2.3),
    ("lost-cp", "ansopt-lost-cp", 4, 0.0, 4.2),
    ("lost-cp", "ansopt-lost-cp", 4, 20.0, 5.3),
]


def targets(summaries: list[runner.Summary]) -> list[dict]:
    """Each target, per scenario: the speed-up reached, and ansopt's share of the hand-tuned one."""
    by = {(s.variant, s.scenario, s.hosts, s.rtt_ms): s.median_s for s in summaries}
    out = []
    for base, to, hosts, rtt, want in TARGETS:
        for scenario in ("first", "repeat"):
            b, t = by.get((base, scenario, hosts, rtt)), by.get((to, scenario, hosts, rtt))
            if b is None or t is None:
                continue
            entry = {"from": base, "to": to, "hosts": hosts, "rtt_ms": rtt, "scenario": scenario}
            entry.update(target=want, speedup=round(b / t, 2), met=b / t >= want)
            hand = by.get(("hand-tuned", scenario, hosts, rtt))
            if hand is not None and base == "defaults":
                # share of the hand-tuned gain: (defaults - ansopt) / (defaults - hand-tuned)
                entry["share_of_hand_tuned"] = round((b - t) / (b - hand), 2) if b > hand else None
                # and the speed-up against the hand-tuned speed-up (the 90% target)
                entry["of_hand_tuned_speedup"] = round((b / t) / (b / hand), 2)
            out.append(entry)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    if args.report:
        return report(args)
    why = requirements()
    if why:
        print(f"bench.testbed: {why}", file=sys.stderr)
        return 2
    install_signal_handlers()
    work = args.work or Path(tempfile.mkdtemp(prefix="ansopt-testbed-"))
    keep = args.work is not None
    started = _dt.datetime.now(_dt.UTC)
    all_runs: list[runner.Run] = []
    applied_by: dict[str, list[str]] = {}
    loo: dict = {}
    unit_costs: dict = {}
    standins: dict = {}
    outside = Path(args.playbook).resolve()
    if outside.is_file() and not outside.is_relative_to(fleet.FLEET.resolve()):
        fleet.EXTRA_PLAYBOOKS.append(outside.resolve())
        args.playbook = outside.name
    how = {"playbook": args.playbook, "scenarios": args.scenarios}
    plan = [(h, r, args.variants) for h in args.hosts for r in args.rtt_ms]
    if args.also_8 and 8 not in args.hosts:
        plan.append((8, max(args.rtt_ms), [v for v in ("defaults", "ansopt", "hand-tuned") if v in args.variants]))
    try:
        for hosts in sorted({p[0] for p in plan}):
            runner.standin_config(work, args.scale, args.spread, hosts)
            standins[f"{hosts}h"] = json.loads((work / "standin.json").read_text())
            with Testbed(work / f"tb{hosts}", count=hosts) as tb:
                # the stand-ins read their durations from the testbed's work folder
                shutil.copy(work / "standin.json", tb.work / "standin.json")
                for h, rtt, variants in plan:
                    if h != hosts:
                        continue
                    tb.set_rtt(rtt)
                    log(f"{hosts} hosts, {rtt:g} ms RTT ({'relay' if rtt else 'direct'})")
                    got, applied = bench_matrix(tb, work, variants, args.runs, args.timeout, how)
                    all_runs.extend(got)
                    applied_by.update(
                        {f"{k}@{hosts}h": v for k, v in applied.items() if fleet.VARIANTS[k].fix is not None}
                    )
                    meta = {"started": started.isoformat(), "playbook": args.playbook, "applied_fixes": applied_by}
                    (work / "meta.json").write_text(json.dumps({**meta, "standins": standins}, indent=1))
                if args.leave_one_out and hosts == max(args.hosts):
                    tb.set_rtt(max(args.rtt_ms))
                    log(f"leave-one-out: {hosts} hosts, {tb.rtt_ms:g} ms")
                    loo = leave_one_out(tb, work, args.loo_runs, args.timeout, how, base=args.loo_base)
                    (work / "leave_one_out.json").write_text(json.dumps(loo, indent=1))
                if args.costs and hosts == min(args.hosts):
                    for rtt in args.rtt_ms:
                        tb.set_rtt(rtt)
                        log(f"cost units at {rtt:g} ms")
                        unit_costs[f"{rtt:g}ms"] = costs.measure_costs(tb, work)
                        (work / "costs.json").write_text(json.dumps(unit_costs, indent=1))
    except KeyboardInterrupt:
        log("interrupted: the testbed was taken down")
        return 130
    except TestbedUnavailable as exc:
        print(f"bench.testbed: {exc}", file=sys.stderr)
        return 2
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return finish(args, started, all_runs, applied_by, loo, unit_costs, standins)


def finish(args, started, all_runs, applied_by, loo, unit_costs, standins) -> int:
    """Print the tables; write --json and --write-results; exit 1 when a run failed."""
    summaries = runner.summarise(all_runs)
    rat = ratios(summaries)
    result = {
        "date": started.date().isoformat(),
        "machine": {
            "cores": os.cpu_count(),
            "kernel": platform.release(),
            "python": platform.python_version(),
            "ansible_core": _ansible_version(),
        },
        "rtt_method": "delaying TCP relay in the controller namespace (bench/testbed/relay.py); 0 ms: direct veth",
        "standins": standins,
        "playbook": args.playbook,
        "runs_per_variant": max((s.runs for s in summaries), default=0),
        "applied_fixes": applied_by,
        "summaries": [s.as_dict() for s in summaries],
        "ratios": rat,
        "leave_one_out": loo,
        "costs": unit_costs,
        "targets": targets(summaries),
        "failures": sorted({r.variant for r in all_runs if not r.ok or r.state_ok is False}),
    }
    print(table(summaries, rat))
    print()
    print(readme.render(result))  # the README's table, the targets, leave-one-out, cost units
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    if args.write_results:
        RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    return 1 if result["failures"] else 0


def report(args) -> int:
    """--report WORK: the results of a run kept with --work (all of it, or what it finished
    before it was stopped), rebuilt from the files it wrote as it went."""
    work = args.report
    runs = [runner.Run(**json.loads(line)) for line in (work / "runs.jsonl").read_text().splitlines() if line.strip()]
    meta = json.loads((work / "meta.json").read_text()) if (work / "meta.json").exists() else {}
    loo = json.loads((work / "leave_one_out.json").read_text()) if (work / "leave_one_out.json").exists() else {}
    if (work / "loo_walls.json").exists():
        w = json.loads((work / "loo_walls.json").read_text())
        loo = loo_entries(w["walls"], w.get("files", {}), w["hosts"], w["rtt_ms"])
    unit_costs = json.loads((work / "costs.json").read_text()) if (work / "costs.json").exists() else {}
    started = _dt.datetime.fromtimestamp((work / "runs.jsonl").stat().st_mtime, _dt.UTC)
    if "started" in meta:
        started = _dt.datetime.fromisoformat(meta["started"])
    args.playbook = meta.get("playbook", args.playbook)
    applied = meta.get("applied_fixes") or _applied_again(runs)
    return finish(args, started, runs, applied, loo, unit_costs, meta.get("standins", {}))


class _Inventory:
    """Enough of a Testbed to stage a variant: its hosts' names, addresses and roots."""

    def __init__(self, count: int, root: Path):
        from .net import Host

        self.hosts = [Host(i, f"stub{i}", f"10.213.{i}.2", root / f"h{i}") for i in range(1, count + 1)]

    def endpoint(self, host) -> tuple[str, int]:
        return host.address, 22


def _applied_again(runs: list[runner.Run]) -> dict[str, list[str]]:
    """What ansopt fixed in each fixed variant, staged again (for a work folder without meta.json)."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant, hosts in sorted({(r.variant, r.hosts) for r in runs}):
            if variant in fleet.VARIANTS and fleet.VARIANTS[variant].fix is not None:
                dest = Path(tmp) / f"{variant}-{hosts}"
                out[f"{variant}@{hosts}h"] = fleet.stage(fleet.VARIANTS[variant], dest, _Inventory(hosts, Path(tmp)))  # type: ignore[arg-type]
    return out


def _ansible_version() -> str:
    try:
        from ansible.release import __version__

        return str(__version__)
    except ImportError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
