"""No task-timing callback is enabled: runs do not show where the time goes.

What it does
    Reads `callbacks_enabled` in `[defaults]` of each ansible.cfg (and its old name
    `callback_whitelist`, whose removal is C302's finding), a comma-separated list, and
    reports the file once when none of the callbacks gives per-task (or per-role) times.
    Counted as timing callbacks, by the last part of their name (short or FQCN):
    `profile_tasks` and `profile_roles` (ansible.posix), ARA's `ara_default`,
    `junit` (community.general: a duration per task in the XML report),
    `opentelemetry` and `elastic` (community.general: a span per task), and ansopt's
    timing callback, `ansopt_timing`. `timer` (ansible.posix)
    prints only the total run time: it is not enough, and the message says so.
    The finding is on `callbacks_enabled` when the file sets it, else on the `[defaults]`
    header, else on line 1.

Why
    Performance work starts with knowing which tasks are slow. Without a timing callback
    a run prints no durations: a 40-second package task and a 0.2-second `set_fact` look
    the same, and no before/after comparison of a change is possible.

Measured gain
    None by itself, and so not measured on the testbed: it measures the others.
    `profile_tasks` records two timestamps per task and prints a summary at the end.

Example (reported)
    [defaults]
    inventory = hosts

Use instead
    [defaults]
    inventory = hosts
    callbacks_enabled = ansible.posix.profile_tasks

    ansible-core alone does not ship `profile_tasks`: it comes with the ansible.posix
    collection (`ansible-galaxy collection install ansible.posix`, included in the
    `ansible` package). ansopt's own needs no collection and writes per-host timings as
    JSON lines that `ansopt profile` shows and `ansopt check` uses (P301, P201):

    [defaults]
    callback_plugins = <the folder `ansopt callback-path` prints>
    callbacks_enabled = ansopt_timing

Default selection
    Opt-in: enabling a timing callback shows where time goes but saves no time by itself.

Fix
    None. Which callback fits is the team's choice (console summary, ARA, JUnit for CI,
    ansopt's JSON lines); a callback from a collection that is not installed makes every
    run print "Skipping callback plugin ..., unable to load"; and a timing callback
    changes what every run prints.

Suppress
    `# noqa: C301` on the line above `[defaults]` (or above `callbacks_enabled`).
"""

from __future__ import annotations

from ..source.cfgfile import hash_comment, unquote
from ._text import clip

CODE = "C301"
SLUG = "no-timing-callback"
SEVERITY = "info"
FIX = None
DEFAULT = False

TIMING = ("profile_tasks", "profile_roles", "ara_default", "ara", "junit", "opentelemetry", "elastic", "ansopt_timing")
TOTAL_ONLY = ("timer",)
KEYS = ("callbacks_enabled", "callback_whitelist")


def enabled_callbacks(cfg) -> tuple[list[str], object]:
    """(callback names from callbacks_enabled / callback_whitelist, the first option found)."""
    names: list[str] = []
    where = None
    for key in KEYS:
        opt = cfg.get("defaults", key)
        if opt is None:
            continue
        where = where or opt
        value = opt.value
        hc = hash_comment(cfg, opt) if opt.section == "defaults" else None
        if hc is not None:
            value = hc[1]  # a `# comment` is C406's finding: take the list that was meant
        names.extend(n for n in (unquote(x.strip()) for x in value.split(",")) if n)
    return names, where


def short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def check(ctx):
    for cfg in ctx.project.cfg_files:
        names, where = enabled_callbacks(cfg)
        shorts = [short(n) for n in names]
        if any(s in TIMING for s in shorts):
            continue
        timer = [n for n in names if short(n) in TOTAL_ONLY]
        if where is not None and where.section == "defaults":
            at = where.value_span if where.value_span.end > where.value_span.start else where.key_span
        elif "defaults" in cfg.sections:
            at = cfg.sections["defaults"].header_span
        else:
            at = 0
        if timer:
            msg = f"only `{clip(timer[0], 40)}` is enabled: it prints the total run time, not the time of each task"
        else:
            msg = "no task-timing callback is enabled: runs do not show which tasks take the time"
        help = (
            "add ansible.posix.profile_tasks to callbacks_enabled in [defaults] (it needs the ansible.posix collection)"
        )
        yield ctx.finding(cfg, at, msg, help=help)
