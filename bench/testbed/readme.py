"""The README's "Measured gains" block, rendered from a results file (measured.json).

    python -m bench.testbed.readme            # print the block for the shipped results
    python -m bench.testbed.readme --write    # replace the block in README.md

tests/test_measured.py checks that README.md holds exactly this rendering of the shipped file,
so the README's figures are the testbed's, not typed in.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
RESULTS = REPO / "ansopt" / "knowledge" / "measured.json"
START, END = "<!-- measured-gains:start -->", "<!-- measured-gains:end -->"

_NAMES = {
    "defaults": "defaults",
    "lost-cp": "lost ControlPersist",
    "ansopt": "ansopt fix",
    "ansopt-lost-cp": "ansopt fix of it",
    "hand-tuned": "hand-tuned",
    "mitogen": "Mitogen",
}


def _s(x: float) -> str:
    return f"{x:.1f} s"


def render(data: dict) -> str:
    by = {(s["variant"], s["scenario"], s["hosts"], s["rtt_ms"]): s for s in data["summaries"]}
    keys = sorted({(s["hosts"], s["rtt_ms"], s["scenario"] != "first", s["scenario"]) for s in data["summaries"]})
    m = data["machine"]
    mitogen = any(s["variant"] == "mitogen" for s in data["summaries"])
    out = [
        START,
        f"Measured {data['date']} on this machine ({m.get('cores')} cores, ansible-core {m.get('ansible_core')}), "
        f"playbook `{data.get('playbook', 'site.yml')}` of the reference fleet, medians of "
        f"{data['runs_per_variant']} runs each, variants alternating. *First*: fresh hosts, empty fact cache; "
        "*repeat*: the same hosts converged, warm fact cache. ControlPersist masters closed before every run. "
        "In brackets: the speed-up from the unfixed variant beside it.",
        "",
        "| hosts | RTT | run | defaults | ansopt fix | hand-tuned | lost ControlPersist | ansopt fix of it |"
        + (" Mitogen (defaults) |" if mitogen else ""),
        "|---:|---:|---|---:|---:|---:|---:|---:|" + ("---:|" if mitogen else ""),
    ]

    def cell(variant: str, base: str | None, key: tuple) -> str:
        s = by.get((variant, key[3], key[0], key[1]))
        if s is None:
            return "–"
        text = _s(s["median_s"])
        b = by.get((base, key[3], key[0], key[1])) if base else None
        if b is not None:
            text += f" ({b['median_s'] / s['median_s']:.2f}×)"
        return text

    for key in keys:
        out.append(
            f"| {key[0]} | {key[1]:g} ms | {key[3]} | {cell('defaults', None, key)} "
            f"| {cell('ansopt', 'defaults', key)} | {cell('hand-tuned', 'defaults', key)} "
            f"| {cell('lost-cp', None, key)} | {cell('ansopt-lost-cp', 'lost-cp', key)} |"
            + (f" {cell('mitogen', 'defaults', key)} |" if mitogen else "")
        )
    spread = [s for s in data["summaries"]]
    widest = max(spread, key=lambda s: (s["max_s"] - s["min_s"]) / s["median_s"]) if spread else None
    if widest:
        out += [
            "",
            f"Run-to-run spread: at most {100 * (widest['max_s'] - widest['min_s']) / widest['median_s']:.0f}% of the "
            f"median ({_NAMES.get(widest['variant'], widest['variant'])}, {widest['hosts']} hosts, "
            f"{widest['rtt_ms']:g} ms, {widest['scenario']} run). ansopt applied: "
            + "; ".join(
                f"{k.split('@')[0]} at {k.split('@')[1]}: {', '.join(v)}" for k, v in data["applied_fixes"].items()
            )
            + ".",
        ]
    if data.get("targets"):
        out += ["", "| target | run | reached | |", "|---|---|---:|---|"]
        for t in data["targets"]:
            name = f"{_NAMES[t['from']]} → {_NAMES[t['to']]}, {t['hosts']} hosts, {t['rtt_ms']:g} ms: ≥ {t['target']}×"
            extra = ""
            if t.get("of_hand_tuned_speedup") is not None:
                extra = f"{t['of_hand_tuned_speedup']:.0%} of the hand-tuned speed-up"
            out.append(
                f"| {name} | {t['scenario']} | {t['speedup']:.2f}× {'met' if t['met'] else '**missed**'} | {extra} |"
            )
    loo = data.get("leave_one_out") or {}
    if loo:
        first = next(iter(loo.values()))
        out += [
            "",
            f"What each fix contributes (leave-one-out: the fleet fixed with `--select ALL` against the same fix "
            f"without that rule; {first['hosts']} hosts, {first['rtt_ms']:g} ms, medians of {first['runs']}; "
            "“noise” when the difference is within the runs' own spread):",
            "",
            "| rule | first run saves | repeat run saves | edits |",
            "|---|---:|---:|---|",
        ]
        for code, e in sorted(loo.items()):
            cells = []
            for sc in ("first", "repeat"):
                if f"{sc}_saves_s" not in e:
                    cells.append("–")
                    continue
                c = _s(e[f"{sc}_saves_s"])
                if e.get(f"{sc}_measurable") is False:
                    c += " (noise)"
                cells.append(c)
            out.append(f"| {code} | {cells[0]} | {cells[1]} | {', '.join(e.get('files', []))} |")
    costs = data.get("costs") or {}
    if costs:
        units = sorted({u for t in costs.values() for u in t})
        rtts = sorted(costs, key=lambda r: float(r.rstrip("ms")))
        out += ["", "Cost units (one host, one fork):", "", "| unit | " + " | ".join(rtts) + " |"]
        out.append("|---|" + "---:|" * len(rtts))
        for u in units:
            out.append(f"| `{u}` | " + " | ".join(f"{costs[r][u] * 1000:.0f} ms" for r in rtts) + " |")
    out.append(END)
    return "\n".join(out)


def current_block(text: str) -> str | None:
    if START not in text or END not in text:
        return None
    return text[text.index(START) : text.index(END) + len(END)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.testbed.readme", description=__doc__.splitlines()[0])
    ap.add_argument("--results", type=Path, default=RESULTS)
    ap.add_argument("--write", action="store_true", help="replace the block in README.md")
    args = ap.parse_args(argv)
    block = render(json.loads(args.results.read_text()))
    if not args.write:
        print(block)
        return 0
    text = README.read_text()
    old = current_block(text)
    if old is None:
        print(f"README.md has no {START} ... {END} block", file=sys.stderr)
        return 2
    README.write_text(text.replace(old, block))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
