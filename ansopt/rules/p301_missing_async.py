"""A task that is long on every run (a full upgrade, a download it repeats) holds one connection open.

What it does
    Reports a task without an `async:` keyword that does long work on a usual run, not only
    the first time:

    * full upgrades: `apt` with `upgrade`, `apt`/`yum`/`dnf`/`dnf5`/`package` with `name: '*'`
      and `state: latest`, and in `command`/`shell` text `apt-get upgrade` (dist-, full-,
      safe-), `dnf`/`yum`/`zypper` update or upgrade with no package named, `pacman -Syu`.
      A patching run upgrades something almost every time. Reported without a fix (below);
    * downloads the task repeats on every run: `get_url` with `force: true` or a directory as
      `dest` (it then downloads every time and compares), `win_get_url` unless `force: no`
      (its default downloads every time), `unarchive` of a URL without `creates`, and in
      `command`/`shell` text without `creates`/`removes`: `curl` writing to a file (`-o`/`-O`,
      not `-o /dev/null`), `wget` (not `--spider` or `-O -`), `npm ci`. Small files (a key, a
      repository definition, a script, a config file, judged by extension) are never reported;
    * the modules of the `extra_modules` option and the regexes of `extra_commands`: tasks you
      know are long in your project.

    Command text is split into simple commands (at `;`, `&&`, `||`, `|`, `&`, line breaks,
    `$(`; quotes and comments respected; `bash -c '...'` opened); `sudo`, `env`, `VAR=value`,
    `time`, `nice` prefixes and the command's directory are dropped before matching. Template
    values are not guessed (`upgrade: "{{ mode }}"` is not reported).

    Not reported, because they are quick once done and the usual run is a re-run: image pulls
    (`docker_image`, `docker pull`: the image is already there), `git` clones and updates
    (the checkout is current), `pip install -r`, `make`, `cargo build`, model downloads
    (cached), `get_url` to a file path (skipped when the file exists), Windows features and
    packages. `win_updates` is not reported either: current ansible.windows releases run it in a
    Task Scheduler process of its own and poll it over short connections. Nor are:

    * tasks that already set `async` (any value, 0 included);
    * tasks with a loop (`loop`, `with_*`): each item would be its own async job;
    * tasks that run on the controller (`delegate_to: localhost`, `local_action`,
      `connection: local` on the task or its block, tasks written in plays on `localhost` or
      with `connection: local`): there is no connection to time out;
    * tasks with `check_mode: true`;
    * command text that sends anything to the background (`&`, `nohup`, `setsid`): when an
      async job exceeds its time limit Ansible kills the job's whole process group; and
      `--help`/`--version`/dry-run calls;
    * modules that transfer files from the controller (`copy`, `template`, `synchronize`):
      ansible-core's file-copying action plugins refuse `async`.

Why
    Without `async` a task holds one connection open for its whole run: an SSH or WinRM
    time-out, a NAT or firewall dropping a quiet connection, or a ControlPersist master going
    away fails a ten-minute upgrade or download that was going fine. With `async: N` the
    module starts detached on the host, the connection closes, and Ansible checks the job's
    status every `poll` seconds over short connections.

    It is a robustness setting, not a speed-up: with `poll` above 0 the host still waits for
    the task before its next one, and the task takes a little longer (below). Real overlap
    needs `poll: 0` and a later `async_status` wait: the host goes on with its next tasks
    while the job runs. ansopt does not write that restructuring: only a person can tell that
    the tasks in between do not need the job's result.

    `async` is also a time limit: when it is exceeded Ansible kills the job. For a package
    transaction (`apt`, `dnf`, `yum`, `zypper`) that can leave a half-applied upgrade and a
    held lock, so upgrades are reported without a fix: choose a limit well above the
    longest upgrade you have seen.

Measured gain
    None in run time; the gain is a long task that no longer fails on a dropped connection.
    The cost is measured on the testbed: `ansopt rule P301` prints what `async` with `poll:
    2` adds to a quick task (Ansible starts the async wrapper, then sleeps one poll interval
    before the first status check), which is why the rule reports only tasks long on a usual
    run and the fix writes `poll: 2`. Measured locally on a local connection (`command:
    "true"`, 3 runs each): 0.76 s without async, 3.7 s with `poll: 2`, 6.4 s with `poll: 5`;
    the guide's `poll: 15` would add 15 s to each quick run. Only `poll: 0` with a later
    `async_status` overlaps work: the hand-tuned fleet does it for the image pull and the
    model download, one of its differences from ansopt's fix.

Example (reported)
    - name: Fetch the nightly build
      ansible.builtin.shell: curl -fsSL -o /opt/app/nightly.tar.gz https://ci.example/nightly.tar.gz

Use instead
    - name: Fetch the nightly build
      ansible.builtin.shell: curl -fsSL -o /opt/app/nightly.tar.gz https://ci.example/nightly.tar.gz
      async: 600
      poll: 2

    or, to overlap the download with the tasks that follow:

    - name: Start fetching the nightly build
      ansible.builtin.shell: curl -fsSL -o /opt/app/nightly.tar.gz https://ci.example/nightly.tar.gz
      async: 600
      poll: 0
      register: nightly

    - name: Write the service configuration (runs while the file downloads)
      ansible.builtin.template:
        src: app.env.j2
        dest: /etc/app.env

    - name: Wait for the download
      ansible.builtin.async_status:
        jid: "{{ nightly.ansible_job_id }}"
      register: nightly_result
      until: nightly_result.finished
      retries: 120
      delay: 5

    `unarchive` of a URL cannot take `async` (ansible-core: "This action
    (ansible.builtin.unarchive) does not support async"), and downloads the archive again
    on every run: fetch it with `get_url` to a file (skipped once it is there), then unpack
    that copy with `unarchive` and `remote_src: true`.

With recorded timings
    When the run has task timings (`ansopt check --timings FILE`, `.ansopt/timings.jsonl`
    written by the `ansopt_timing` callback beside the playbooks, or `--ara`), a task they
    cover is judged by its measured time, not its pattern: the median over the most recent
    runs (`timings.runs`, 5) of its slowest host's duration. A task measured at or above the
    `threshold` option (60 s) without `async` is reported even when no pattern knows it, its
    message giving the measured time; a pattern match measured shorter is not reported. The
    fix then derives its values from the measurement: `async` three times the longest run
    seen (rounded up to a minute, at least the `async` option), `poll` a twentieth of the
    median (between the `poll` option and 30 s), so the wait after the job ends stays near
    2.5% of the task. Tasks the timings do not cover keep the patterns above.

Default selection
    Opt-in: `async` saves no time by itself (the host still waits) and makes each run of
    the task about `poll` seconds longer; its value is a long task that survives a dropped
    connection, which a project chooses. With recorded timings it runs by default, and then
    reports only what they measured (select it to get the pattern findings as well).

Fix (unsafe)
    For downloads and the `extra_*` tasks only: adds `async: 600` and `poll: 2` (the `async`
    and `poll` options) right after the module's entry (before `register`, `when` and the
    other keywords that follow it), at the task's indentation and with the file's line
    endings; a task that already has a `poll:` gets `async:` only. No fix for upgrades (the
    limit kills the transaction), `unarchive`, flow-style (`- {name: x, ...}`) or anchored
    tasks, or when the module's value ends in a block scalar that keeps its trailing blank
    lines (`|+`).

    Unsafe because the behaviour changes: the task now fails when it runs longer than `async`
    seconds; it takes about `poll` seconds longer; the job runs detached under the async
    wrapper, which needs a writable async directory on the host (`ANSIBLE_ASYNC_DIR`, by
    default `~/.ansible_async` of the become user); and the registered result gains the
    async fields (`ansible_job_id`, `finished`, `results_file`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from .. import knowledge
from ..diagnostics import UNSAFE, Fix
from ..fixers import yaml_edits
from ..model.purpose import DOCS, TEST
from ..model.shell import VALUE_FLAGS, argv_commands, commands, has_option, operands_after, option_value, task_commands
from ..model.tasks import Task, is_template, short_name
from ..model.timings import fmt_seconds
from ..source.yamlfile import YScalar
from ._text import clip

CODE = "P301"
SLUG = "missing-async"
SEVERITY = "info"
FIX = UNSAFE
SKIP_PURPOSES = (DOCS, TEST)  # see model.purpose
DEFAULT = False
DEFAULT_WHEN_MEASURED = True  # with recorded timings: measured-slow tasks, by default
OPTIONS = {
    "threshold": (
        60,
        {
            "type": "number",
            "minimum": 0,
            "description": (
                "With recorded timings: a task measured at least this many seconds (median of recent runs, "
                "slowest host) is reported, pattern or not; one measured shorter is not."
            ),
        },
    ),
    "async": (
        600,
        {
            "type": "integer",
            "minimum": 1,
            "description": "The `async:` value the fix writes: the task's time limit in seconds (it fails when it runs longer).",
        },
    ),
    "poll": (
        2,
        {
            "type": "integer",
            "minimum": 1,
            "description": "The `poll:` value the fix writes: seconds between status checks, also the least time the task takes.",
        },
    ),
    "extra_modules": (
        [],
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "uniqueItems": True,
            "description": "Modules (FQCN or short name) reported whenever they run without async, added to the built-in list.",
        },
    ),
    "extra_commands": (
        [],
        {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "format": "regex"},
            "uniqueItems": True,
            "description": (
                "Regexes (Python syntax) searched in each simple command of command/shell text, after "
                "`sudo`/`env`/`VAR=` prefixes and the command's directory are removed; added to the built-in patterns."
            ),
        },
    ),
}

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
COMMANDS = frozenset({"ansible.builtin.command", "ansible.builtin.shell"})

# --------------------------------------------------------------------------- values


def _false(v: Any) -> bool:
    """Definitely off (False, None, '', or one of ansible-core's false words); a template is
    not definitely anything."""
    if v is None or v is False:
        return True
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return v == 0
    word = _plain(v)
    return word is not None and (
        word == "" or (knowledge.get().is_boolean_text(word) and not knowledge.get().boolean(word))
    )


def _true_keyword(v: Any) -> bool:
    """A keyword that is definitely on (True or one of ansible-core's true words; a template is not)."""
    return v is True or (_plain(v) is not None and knowledge.get().boolean(v))


def _plain(v: Any) -> str | None:
    """A string value that is not a template, lower-cased and stripped; else None."""
    if isinstance(v, str) and not is_template(v):
        return v.strip().lower()
    return None


_URL = re.compile(r"(?:https?|ftp)://", re.I)
SMALL_EXTS = frozenset(
    "asc gpg key pub pem crt cer der sig sha1 sha256 sha512 md5 sum repo list sources json yml yaml toml "
    "txt md conf cfg ini xml html htm css js sh bash ps1 py rb pl php rs service socket j2 csv properties".split()
)


def _small_file(name: Any) -> bool:
    """A URL or path that plainly names a small file (a key, a repo file, a script...)."""
    if not isinstance(name, str):
        return False
    path = name.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    base = path.rsplit("/", 1)[-1].lower()
    if "gpg-key" in base or "gpgkey" in base:
        return True
    if "{{" in base:  # the extension may still be literal: "{{ name }}.asc"
        base = base.rsplit("}}", 1)[-1]
    ext = base.rsplit(".", 1)[-1] if "." in base else ""
    return ext in SMALL_EXTS


def _names(v: Any) -> list[str]:
    if isinstance(v, str):
        return [p.strip() for p in v.split(",")]
    if isinstance(v, list):
        return [str(p).strip() for p in v]
    return []


# --------------------------------------------------------------------------- modules
# Each check gets the task's args and returns (what the task does, kind) or None. Kinds:
# "upgrade" (a package transaction: killed when `async` is exceeded, so never fixed) and
# "download" (work the task redoes on every run).
UPGRADE, DOWNLOAD, EXTRA = "upgrade", "download", "extra"


def _get_url(args: dict) -> tuple[str, str] | None:
    """get_url skips the download when `dest` is a file that exists (unless `force`); with a
    directory as `dest` it downloads on every run. Small files never matter."""
    if _small_file(args.get("url")) or _small_file(args.get("dest")):
        return None
    dest = args.get("dest")
    if _true_keyword(args.get("force")) or (isinstance(dest, str) and dest.rstrip().endswith(("/", "\\"))):
        return "downloads a file on every run", DOWNLOAD
    return None


def _win_get_url(args: dict) -> tuple[str, str] | None:
    """win_get_url downloads again on every run unless `force: no` (its default is yes)."""
    if _small_file(args.get("url")) or _small_file(args.get("dest")):
        return None
    if "force" in args and not _true_keyword(args.get("force")):
        return None
    return "downloads a file on every run", DOWNLOAD


def _unarchive(args: dict) -> tuple[str, str] | None:
    src = args.get("src")
    if isinstance(src, str) and _URL.match(src.strip()) and "creates" not in args:
        return "downloads the archive on every run", DOWNLOAD
    return None


def _apt(args: dict) -> tuple[str, str] | None:
    v = args.get("upgrade")
    if v is None or _false(v) or is_template(v):
        return _upgrade_all(args)  # `name: "*"` with `state: latest` is apt's full upgrade too
    word = _plain(v) if isinstance(v, str) else None
    return f"upgrades every package (`upgrade: {word or 'yes'}`)", UPGRADE


def _upgrade_all(args: dict) -> tuple[str, str] | None:
    names = _names(args.get("name", args.get("pkg")))
    if "*" in names and _plain(args.get("state")) == "latest":
        return "upgrades every package (`name: '*'`)", UPGRADE
    return None


MODULES: dict[str, Callable[[dict], tuple[str, str] | None]] = {
    "ansible.builtin.get_url": _get_url,
    "ansible.windows.win_get_url": _win_get_url,
    "ansible.builtin.unarchive": _unarchive,
    "ansible.builtin.apt": _apt,
    "ansible.builtin.yum": _upgrade_all,
    "ansible.builtin.dnf": _upgrade_all,
    "ansible.builtin.dnf5": _upgrade_all,
    "ansible.builtin.package": _upgrade_all,
}

# Modules whose transfer happens on the controller side: never reported, even if listed.
NEVER = frozenset(
    {
        "ansible.builtin.copy",
        "ansible.builtin.template",
        "ansible.posix.synchronize",
        "ansible.windows.win_copy",
        "ansible.windows.win_template",
    }
)


def _lookup(fqcn: str, table) -> Any:
    """Find a module by FQCN, or by short name when the name did not resolve to an FQCN
    (`docker_image_pull` without `collections:`)."""
    if fqcn in table:
        return fqcn
    if "." not in fqcn:
        for name in table:
            if short_name(name) == fqcn:
                return name
    return None


def action_supports_async(fqcn: str) -> bool:
    """False when ansible-core's own action plugin for the module refuses `async` (from the
    knowledge cache; a module without an action plugin of its own runs through `normal`, which
    supports it); outside ansible.builtin, False for the NEVER modules."""
    if not fqcn.startswith("ansible.builtin."):
        return fqcn not in NEVER
    return not knowledge.get().action_refuses_async(fqcn)


# --------------------------------------------------------------------------- command text


class Pattern:
    __slots__ = ("regex", "label", "kind", "unless", "check")

    def __init__(self, regex: str, label: str, kind: str, unless: str | None = None, check=None):
        self.regex = re.compile(regex)
        self.label = label
        self.kind = kind
        self.unless = re.compile(unless) if unless else None
        self.check = check


def _downloads(tokens: list[str], out: str | None) -> bool:
    if out is not None and out.strip() in ("-", "/dev/null"):
        return False
    urls = [t for t in tokens if _URL.match(t)]
    return not (_small_file(out) or any(_small_file(u) for u in urls))


def _curl_download(tokens: list[str]) -> bool:
    """curl writes what it fetches to a file (`-o file`, `-O`, `--output`), not to stdout."""
    out = option_value(tokens, "o", "--output", VALUE_FLAGS["curl"])
    if out is None and not has_option(tokens, "O", ("--remote-name", "--remote-name-all"), VALUE_FLAGS["curl"]):
        return False
    return _downloads(tokens, out)


def _wget_download(tokens: list[str]) -> bool:
    """wget saves to a file unless told to write to stdout (`-O -`) or only check (`--spider`)."""
    return _downloads(tokens, option_value(tokens, "O", "--output-document", VALUE_FLAGS["wget"]))


def _no_package_named(tokens: list[str]) -> bool:
    """`dnf update` / `yum -y upgrade` with no package after the verb: every package."""
    return operands_after(tokens, ("upgrade", "update", "distro-sync", "up", "dist-upgrade", "dup", "patch")) == []


_APT_SIM = r"\s(-s|--simulate|--just-print|--dry-run|--recon|--no-act|--assume-no)\b"
# (regex searched in a simple command, what it does, its kind, unless-regex, extra check of
# the words); the message quotes the matched text: "`apt-get upgrade` upgrades every package".
# Only work that is long on a usual run is listed: a full upgrade, and downloads a command
# repeats on every run. Pulls, clones, builds and installs that are quick once done (an
# image already present, a checkout current, a build up to date) are not.
PATTERNS = (
    Pattern(
        r"^(apt-get|apt|aptitude)\s+(.*\s)?(upgrade|dist-upgrade|full-upgrade|safe-upgrade)\b",
        "upgrades every package",
        UPGRADE,
        _APT_SIM,
    ),
    Pattern(
        r"^(dnf|dnf5|yum|microdnf)\s+(.*\s)?(upgrade|update|distro-sync)\b",
        "upgrades every package",
        UPGRADE,
        r"\s(--assumeno|--setopt=tsflags=test)\b",
        check=_no_package_named,
    ),
    Pattern(
        r"^zypper\s+(.*\s)?(update|up|dist-upgrade|dup|patch)\b",
        "upgrades every package",
        UPGRADE,
        r"\s(--dry-run|-D)\b",
        check=_no_package_named,
    ),
    Pattern(r"^pacman\s+(.*\s)?-S\w*u\w*", "upgrades every package", UPGRADE),
    Pattern(r"^npm\s+(ci|clean-install|install-clean)\b", "reinstalls a project's dependencies on every run", DOWNLOAD),
    Pattern(r"^curl(?=\s)", "downloads a file on every run", DOWNLOAD, check=_curl_download),
    Pattern(r"^wget(?=\s)", "downloads a file on every run", DOWNLOAD, r"\s--spider\b", check=_wget_download),
)

_NEVER_RUNS = re.compile(r"\s(--help|--version|-h|--usage)(\s|$)")


def command_matches(text: str, extra: list[re.Pattern]) -> list[tuple[str, str]]:
    """(label, kind) of the long-running commands in shell text, in order, without repeats; none
    when it sends anything to the background (a process meant to outlive the task; `shell.commands`)."""
    return _matches(commands(text), extra)


def argv_matches(argv: list[str], extra: list[re.Pattern]) -> list[tuple[str, str]]:
    return _matches(argv_commands(argv), extra)


def _matches(segments: list[list[str]] | None, extra: list[re.Pattern]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for seg in segments or ():
        _match_segment(seg, extra, out)
    return out


def _match_segment(seg: list[str], extra: list[re.Pattern], out: list[tuple[str, str]]) -> None:
    line = " ".join(seg)
    if _NEVER_RUNS.search(" " + line):
        return
    for p in PATTERNS:
        m = p.regex.search(line)
        if m is None:
            continue
        if p.unless is not None and p.unless.search(" " + line):
            continue
        if p.check is not None and not p.check(seg):
            continue
        got = (f"`{clip(m.group(0), 24)}` {p.label}", p.kind)
        if got not in out:
            out.append(got)
        return
    for rx in extra:
        m = rx.search(line)
        if m:
            got = (f"`{clip(m.group(0).strip() or line, 40)}` (extra_commands)", EXTRA)
            if got not in out:
                out.append(got)
            return


# --------------------------------------------------------------------------- where tasks run


def _runs_locally(task: Task) -> bool:
    if task.delegate_local:
        return True
    t: Task | None = task
    while t is not None:
        to = t.value("delegate_to")
        if (isinstance(to, str) and to.strip() in LOCAL_HOSTS) or t.value("connection") == "local":
            return True
        t = t.parent
    return False


def _local_play_tasks(project) -> set[int]:
    out: set[int] = set()
    for pb in project.playbooks:
        for play in pb.plays:
            hosts = [h.strip() for h in play.hosts.split(",") if h.strip()]
            local = play.value("connection") == "local" or (hosts and all(h in LOCAL_HOSTS for h in hosts))
            if local:
                out.update(id(t.node) for t in play.own_tasks())
    return out


# --------------------------------------------------------------------------- the rule


def _compile(patterns) -> list[re.Pattern]:
    out = []
    for p in patterns or ():
        try:
            out.append(re.compile(p))
        except (re.error, TypeError):
            continue  # the settings schema marks these as regexes; a bad one matches nothing
    return out


def _what(task: Task, extra_modules: set[str], extra_cmds: list[re.Pattern]) -> tuple[str, str, bool] | None:
    """(what runs long, for the message; its kind; whether async can be added), or None."""
    fqcn = task.fqcn or ""
    if _lookup(fqcn, NEVER):
        return None
    args = task.args
    if fqcn in COMMANDS:
        if "creates" in args or "removes" in args:
            return None  # runs once, or only while something is there: not on every run
        found = _matches(task_commands(args), extra_cmds)
        if not found:
            return None
        kind = UPGRADE if any(k == UPGRADE for _, k in found) else found[0][1]
        return found[0][0] if len(found) == 1 else f"{found[0][0]} (+{len(found) - 1} more)", kind, True
    name = _lookup(fqcn, MODULES)
    got = MODULES[name](args) if name else None
    if got is not None:
        what, kind = f"`{short_name(task.module)}` {got[0]}", got[1]
    elif fqcn in extra_modules or short_name(fqcn) in extra_modules or (task.module or "") in extra_modules:
        what, kind = f"`{task.module}` (extra_modules)", EXTRA
    else:
        return None
    return what, kind, action_supports_async(name or fqcn)


def derived_values(m, async_min: int, poll_min: int) -> tuple[int, int]:
    """`async` and `poll` for a task measured at `m` (model.timings.Measure): a limit of three
    times the longest run seen (rounded up to a minute, never below the `async` option), and
    a poll interval of a twentieth of the usual duration (between the `poll` option and 30 s),
    so the wait after the job ends averages about 2.5% of the task."""
    limit = max(async_min, int(math.ceil(3 * m.max / 60.0)) * 60)
    poll = max(poll_min, min(30, int(m.median // 20)))
    return limit, poll


def check(ctx):
    opts = ctx.options
    async_val = int(opts.get("async", 600))
    poll_val = int(opts.get("poll", 2))
    threshold = float(opts.get("threshold", 60))
    extra_modules = set(opts.get("extra_modules") or ())
    extra_modules |= {knowledge.get().canonical_module(m) for m in list(extra_modules)}
    extra_cmds = _compile(opts.get("extra_commands"))
    local_tasks = _local_play_tasks(ctx.project)
    measurements = ctx.measurements
    for task in ctx.project.all_tasks():
        if task.is_block or task.module is None or task.has("async") or task.loop_key is not None:
            continue
        if _true_keyword(task.value("check_mode")):
            continue  # nothing is downloaded or upgraded in check mode
        if id(task.node) in local_tasks or _runs_locally(task):
            continue
        measured = measurements.of_task(ctx.project, task) if measurements is not None else None
        if measured is not None:
            if measured.median < threshold:
                continue  # measured quick: whatever its pattern says, nothing to hold open
            yield from _measured(ctx, task, measured, extra_modules, extra_cmds, async_val, poll_val)
            continue
        if ctx.measured_only:
            continue
        got = _what(task, extra_modules, extra_cmds)
        if got is None:
            continue
        what, kind, can_async = got
        at = task.module_key or task.node
        if not can_async:
            help = ""
            if short_name(task.fqcn) == "unarchive":
                help = "fetch it with `get_url` to a file (skipped once there), then unarchive that copy with `remote_src: true`"
            yield ctx.finding(task.file, at, f"{what}, and its action refuses `async`", help=help)
            continue
        if kind == UPGRADE:
            yield ctx.finding(
                task.file,
                at,
                f"{what} over one held connection; an `async` limit kills the upgrade when hit",
                help=(
                    "to survive a dropped connection add `async:` well above the longest upgrade seen and "
                    "`poll: 5`; no fix is offered: a limit too low leaves a half-applied transaction"
                ),
            )
            continue
        has_poll = task.has("poll")
        keys = f"`async: {async_val}`" + ("" if has_poll else f" and `poll: {poll_val}`")
        help = f"add {keys} (the host still waits; `poll: 0` with a later `async_status` overlaps it with other tasks)"
        if (task.fqcn or "") in COMMANDS:
            help += "; or `creates:` to run it once"
        yield ctx.finding(
            task.file,
            at,
            f"{what}, holding one connection open: a time-out fails it",
            help=help,
            fix=_fix(task, async_val, None if has_poll else poll_val),
        )


def _measured(ctx, task: Task, m, extra_modules, extra_cmds, async_min: int, poll_min: int):
    """A task that recorded runs measured at or above the threshold, pattern or not."""
    got = _what(task, extra_modules, extra_cmds)
    fqcn = task.fqcn or ""
    what = got[0] if got else f"`{short_name(task.module)}`"
    kind = got[1] if got else None
    can_async = got[2] if got else action_supports_async(fqcn)
    at = task.module_key or task.node
    took = f"measured {m.describe()}"
    if not can_async:
        yield ctx.finding(task.file, at, f"{what} {took}, and its action refuses `async`", measured=m.median)
        return
    limit, poll = derived_values(m, async_min, poll_min)
    if kind == UPGRADE:
        yield ctx.finding(
            task.file,
            at,
            f"{what} {took} over one held connection; an `async` limit kills the upgrade when hit",
            help=f"to survive a dropped connection add `async: {limit}` (3x the longest run seen, {fmt_seconds(m.max)}) "
            f"and `poll: {poll}`; no fix is offered: a limit too low leaves a half-applied transaction",
            measured=m.median,
        )
        return
    has_poll = task.has("poll")
    keys = f"`async: {limit}`" + ("" if has_poll else f" and `poll: {poll}`")
    yield ctx.finding(
        task.file,
        at,
        f"{what} {took}, holding one connection open without `async`: a time-out fails it",
        help=f"add {keys} (from the measured time; the host still waits: `poll: 0` with a later "
        "`async_status` overlaps it with other tasks)",
        fix=_fix(task, limit, None if has_poll else poll),
        measured=m.median,
    )


def _fix(task: Task, async_val: int, poll_val: int | None) -> Fix | None:
    node = task.node
    key = task.module_key
    if key is None or node.flow or yaml_edits.under_anchor(node) or not isinstance(key, YScalar):
        return None
    pairs: list[tuple[str, Any]] = [("async", async_val)]
    if poll_val is not None:
        pairs.append(("poll", poll_val))
    made = yaml_edits.insert_keys(task.file, node, pairs, after=key.value)
    if made is None:
        return None
    desc = f"add async: {async_val}" + ("" if poll_val is None else f" and poll: {poll_val}")
    return Fix.unsafe([made[0]], desc, made[1])
