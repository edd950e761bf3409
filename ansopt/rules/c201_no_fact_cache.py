"""Facts are gathered anew in every play of every run: no fact cache, `gathering = implicit`.

What it does
    Reads `[defaults]` of each ansible.cfg the way ansible-core does and reports the file
    when `gathering` is `implicit` (ansible-core's default, so a file that never mentions it
    is reported too) and `fact_caching` is `memory` (the default: facts live only as long
    as the `ansible-playbook` process). The file is reported only when it matters: when some
    playbook under its folder that it applies to gathers facts in two plays or more (no
    `gather_facts: false`; the plays of the playbooks it imports count, as a `site.yml` of
    `import_playbook` lines runs them) on the same hosts, and the run waits for those
    repeated gatherings at least twice: each play that gathers hosts an earlier play
    gathered counts once (its hosts gather in parallel), or once per `serial` batch, as
    batches gather one after the other. Two plays on the same hosts repeat one gathering (a
    second or two: not reported); three plays, or a second play with `serial: 1` on three
    hosts, are. The inventory tells which hosts each play targets; without one, plays on the
    same pattern, or on `all`, count. Plays on
    different hosts gather each host once, as a cache would. Nor is a project whose tasks,
    templates or variables read `ansible_date_time`: a cache would hand them the time of
    the last gathering, up to a day old. A playbook that gathers once per run would only save that one
    gathering across runs, at the price of facts up to a day old. An ansible.cfg with no such play (all plays set
    `gather_facts: false`, or no playbook at all: a folder for ad-hoc `ansible` commands,
    a role's test setup) is not reported, since ad-hoc commands never gather facts. A
    configured cache is C202's or C203's business, not this rule's.

Why
    With `implicit`, every play whose hosts are not excluded by `gather_facts: false`
    starts with a "Gathering Facts" task on every host: the `setup` module runs all its
    collectors (hardware, network, mounts, package manager, ...), commonly several
    seconds per host, and a playbook of five plays gathers five times. With
    `gathering = smart`, ansible-core gathers a host's facts only when its fact cache has
    no entry for the host (`_ansible_facts_gathered`): once per run with the memory cache,
    once per `fact_caching_timeout` with a persistent cache such as `jsonfile`.

Measured gain
    On the testbed (bench/testbed: the reference fleet on network-namespace SSH hosts), this
    fix's share is measured by leave-one-out: the fixed fleet against the same fix without
    this rule; `ansopt rule C201` prints the figures from the shipped results
    (`ansopt/knowledge/measured.json`), with their date, host count and round-trip time. The
    fix saves on the repeat run (a warm cache: no gathering at all) and, with `gathering =
    smart`, on every later play of a first run; `ansopt rule C201` also prints the testbed's
    cost of one fact gathering.

Example (reported)
    [defaults]
    inventory = hosts

Use instead
    [defaults]
    inventory = hosts
    gathering = smart
    fact_caching = jsonfile
    fact_caching_connection = ~/.ansible/fact_cache
    fact_caching_timeout = 86400

Caveats (why the fix is unsafe)
    * Stale facts: for up to `fact_caching_timeout` seconds (86400 = 24 h) plays read the
      cached copy. When a host changes (a new interface or IP address, an upgraded
      distribution, more memory, a new mount), plays see the old values until the entry
      expires. `ansible-playbook --flush-cache` (clears the cache of every inventory
      host) or `rm -rf ~/.ansible/fact_cache` refreshes them; a play can refresh its own
      hosts with an `ansible.builtin.setup` (or `gather_facts`) task, or drop them with
      `meta: clear_facts`.
    * Under `smart`, `gather_facts: true` does not force gathering: ansible-core 2.19
      (`executor/play_iterator.py`) treats an unset `gather_facts` and `gather_facts:
      true` alike and gathers only for hosts without a (fresh) cache entry.
      `gather_facts: false` still skips gathering.
    * Under `smart`, a play's `gather_subset` does not trigger gathering either: a host
      cached with `gather_subset: [min]` by one play gives a later play asking for
      `hardware` no hardware facts. Plays that need more facts than others should run an
      explicit `ansible.builtin.setup` task.
    * The jsonfile cache keeps every fact of every host (`ansible_env` included) in one
      JSON file per host, written with mode 0644 in a folder created with the user's
      umask: on a shared control node other users can usually read them.

Default selection
    On: a fact cache spares fact gathering in every later play and run; silent unless some playbook gathers in two plays or more, silent for runs on the controller only (localhost, or inventory hosts with `ansible_connection=local`), where it saves well under a second, and for projects that create their hosts at run time with `add_host`, where a cache would serve a torn-down instance's facts to a new one of the same name.

Fix (unsafe)
    Sets, in `[defaults]`, `gathering = smart` and `fact_caching = jsonfile` (values
    already written are changed in place, key, spacing and comments kept) and adds
    `fact_caching_connection` (rule option `cache_dir`, default `~/.ansible/fact_cache`)
    and `fact_caching_timeout` (rule option `timeout`, default 86400) unless the file
    already sets them, in which case the file's values are kept. The added lines follow the
    last option of `[defaults]` (created at the end of the file when missing), in the
    file's `key = value` spacing and line breaks. Unsafe: facts may be up to a day old
    (see Caveats).

    A project whose hosts are rebuilt under the same names (a Vagrantfile, Terraform or
    Packer files in the cfg's folder or two levels below it, in the folder above or its
    other folders, or one more folder up, never above the project folder: a lab destroyed
    and made anew, with new addresses, interfaces and disks) gets `gathering = smart` only:
    the memory cache gathers each host once per run and keeps nothing across runs, so no
    play reads the facts of a machine that was torn down.

    No fix (the help says why) when a play gathers only a subset of facts, or when a task of
    the run reboots hosts (the reboot module, a command that reboots): under smart gathering
    later plays, in this run and the next, would read the facts from before the reboot.

Suppress
    `# noqa: C201` on the line above `[defaults]` (or above `gathering`).
"""

from __future__ import annotations

import fnmatch
import os
import re

from .. import discover
from ..diagnostics import UNSAFE
from ..model.plays import Play
from ..model.purpose import DOCS, TEST, ZUUL
from ._connection import cfg_scope, local_only
from ._factcache import (
    INI_VALUE_PATTERN,
    fact_cache_config,
    finding_span,
    hours,
    ini_value_ok,
    lazy_defaults,
    timeout_seconds,
)
from ._gathering import SMART_FIX, play_run, subset_hazard
from ._text import clip

CODE = "C201"
SLUG = "no-fact-cache"
SEVERITY = "info"
FIX = UNSAFE
SKIP_PURPOSES = (DOCS, TEST)  # a role's test or an example's ansible.cfg: see model.purpose

OPTIONS = {
    "cache_dir": (
        "~/.ansible/fact_cache",
        {
            "type": "string",
            "minLength": 1,
            "pattern": INI_VALUE_PATTERN,
            "description": "fact_caching_connection written by the fix: the folder of the jsonfile fact cache ('~' and $VARS are expanded by ansible-core; a relative path is relative to the ansible.cfg folder).",
        },
    ),
    "timeout": (
        86400,
        {
            "type": "integer",
            "minimum": 0,
            "description": "fact_caching_timeout written by the fix, in seconds (0: cached facts never expire).",
        },
    ),
}

# --------------------------------------------------------------------------- the rule


def _adds_hosts(plays) -> bool:
    """A run that creates its hosts at run time (`add_host` of new instances, in the play or
    in a role or file it includes): a host name can come back as another machine, and
    cached facts would follow the name."""
    return any((rt.task.fqcn or "") == "ansible.builtin.add_host" for play in plays for rt in play_run(play).tasks)


_REBUILD_DEPTH = 2


def rebuilt_hosts(base: str, root: str | None = None) -> str | None:
    """The name of a Vagrantfile, Terraform or Packer file in the cfg's folder or up to two
    levels below it, in the folder above it or that folder's other folders (`terraform/`
    beside `ansible/`), or in the folder above that; never above the project folder (`root`)
    or a git repository's top: another project's Vagrantfile says nothing of this one. Its hosts are torn
    down and made anew under the same names, so facts kept across runs would describe the
    machine before the rebuild."""
    base = os.path.abspath(base)
    folders = [(base, _REBUILD_DEPTH)]
    d = base
    top = os.path.abspath(root) if root else None
    for level in range(_REBUILD_DEPTH):  # up to two folders up, never above the project or the repository
        if d == top or os.path.exists(os.path.join(d, ".git")) or os.path.dirname(d) == d:
            break
        d = os.path.dirname(d)
        folders.append((d, 1 if level == 0 else 0))  # the parent's folders: a terraform/ beside ansible/
    for folder, depth in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            level = os.path.relpath(dirpath, folder).count(os.sep) + (0 if dirpath == folder else 1)
            dirnames[:] = [] if level >= depth else [n for n in dirnames if n not in discover.SKIP_DIRS]
            for fn in filenames:
                if any(fnmatch.fnmatch(fn, pat) for pat in discover.REBUILD_FILES):
                    return os.path.relpath(os.path.join(dirpath, fn), base)
    return None


_EVERY_HOST = ("all", "*")
_DATE_TIME = re.compile(r"\bansible_date_time\b|\bansible_facts\s*(\.\s*|\[\s*['\"])date_time\b")


def _reads_the_clock_from_facts(project, base: str) -> bool:
    """A task, template or variable under `base` reads `ansible_date_time`: with a cache,
    it would read the time of the last gathering, up to a day old."""
    for f in project.files_of(
        discover.YAML, discover.PLAYBOOK, discover.TASKS, discover.VARS, discover.TEMPLATE, discover.HANDLERS
    ):
        if not f.abspath.startswith(base + os.sep):
            continue
        try:
            if _DATE_TIME.search(project.reader.read(f.abspath)):
                return True
        except (OSError, UnicodeDecodeError, ValueError):
            continue
    return False


MIN_REGATHERS = 2  # gatherings a run repeats, in wall-clock rounds: one saves a second or two


def _regathers(scope, plays) -> bool:
    """Does a run gather facts again at least MIN_REGATHERS times, counted as a run waits for
    them: each play that gathers hosts an earlier play gathered counts once (its hosts
    gather in parallel), or once per `serial` batch of them (batches gather one after the
    other)? From the inventory when it tells the plays' hosts; else plays on the same
    pattern, or on every host, count."""
    from ._parallel import serial_batch

    patterns = [play.value("hosts") for play in plays]
    sets = [scope.play_hosts(p) for p in patterns]
    if all(s is not None for s in sets):
        seen: set[str] = set()
        again = 0
        for play, hosts in zip(plays, sets, strict=True):
            overlap = len(seen & hosts)
            if overlap:
                batch = serial_batch(play.value("serial"), len(hosts)) or len(hosts)
                again += max(1, -(-overlap // max(1, batch)))
            seen |= hosts
        return again >= MIN_REGATHERS
    texts = [" ".join(p) if isinstance(p, list) else str(p).strip() for p in patterns]
    if any(t in _EVERY_HOST for t in texts):
        return len(texts) - 1 >= MIN_REGATHERS
    return len(texts) - len(set(texts)) >= MIN_REGATHERS


def worth_caching(ctx, cfg) -> bool:
    """Some play this cfg applies to gathers facts where a cache would save something: not
    only documentation, Zuul jobs and role tests (their runner configures gathering), not
    only one gathering play per playbook on the controller (a second of local work), not
    only plays on different hosts (each host gathers once), and not
    a project that creates its hosts at run time (a cache would serve old facts to new hosts)."""
    abspath = ctx.project.abspath_of(cfg)
    if abspath is None:
        return False
    scope = cfg_scope(ctx, cfg)
    per_book: list[list] = []
    mine = {pb.abspath for pb in ctx.project.playbooks_for_cfg(abspath)}
    # each run: a playbook with the plays of the playbooks it imports (site.yml importing
    # base.yml and app.yml gathers in both)
    for pb, sequence in zip(ctx.project.playbooks, ctx.project.run_sequences, strict=True):
        if pb.abspath not in mine or ctx.project.purposes.of(pb.abspath) & {DOCS, TEST, ZUUL}:
            continue
        plays = [p for p in sequence if isinstance(p, Play)]
        if _adds_hosts(plays):
            return False
        gathering = [play for play in plays if play.gathers_facts() is not False]
        if gathering:
            per_book.append(gathering)
    # a playbook that gathers in one play gathers once per run: a cache would only save
    # across runs, at the price of facts up to a day old; not worth a finding. Nor do
    # plays on different hosts gather anything twice.
    per_book = [plays for plays in per_book if len(plays) >= 2 and _regathers(scope, plays)]
    if not per_book:
        return False
    if _reads_the_clock_from_facts(ctx.project, os.path.dirname(abspath)):
        return False
    return not all(all(local_only(scope, p) for p in plays) for plays in per_book)


def check(ctx):
    cache_dir = str(ctx.options.get("cache_dir", OPTIONS["cache_dir"][0]))
    timeout = ctx.options.get("timeout", OPTIONS["timeout"][0])
    for cfg in ctx.project.cfg_files:
        fc = fact_cache_config(cfg)
        if not fc.implicit or not fc.memory:
            continue
        if not worth_caching(ctx, cfg):
            continue
        why_g = (
            f"gathering = {fc.gathering_opt.value}" if fc.gathering_opt is not None else "gathering implicit by default"
        )
        why_c = f"fact_caching = {fc.plugin_opt.value}" if fc.plugin_opt is not None else "no fact cache"
        lab = rebuilt_hosts(os.path.dirname(ctx.project.abspath_of(cfg) or "."), ctx.project.root)
        if lab is not None:
            # rebuilt hosts: gather once per run (the memory cache), never keep facts across runs
            pairs = [("gathering", "smart")]
            what = "set gathering = smart (facts kept in memory for the run)"
        else:
            pairs = [("gathering", "smart"), ("fact_caching", "jsonfile")]
            if fc.connection_opt is None:
                pairs.append(("fact_caching_connection", cache_dir))
            if fc.timeout_opt is None:
                pairs.append(("fact_caching_timeout", str(timeout)))
            what = "set gathering = smart with a jsonfile fact cache"
        fix = None
        hazard = subset_hazard(ctx.project.run_playbooks_for_cfg(ctx.project.abspath_of(cfg)))
        if (
            hazard is None
            and ini_value_ok(cache_dir)
            and isinstance(timeout, int)
            and not isinstance(timeout, bool)
            and timeout >= 0
        ):
            fix = lazy_defaults(ctx, cfg, pairs, UNSAFE, what, **SMART_FIX)
        kept = timeout_seconds(fc) if fc.timeout_opt is not None else timeout
        age = f" for {hours(kept)}" if isinstance(kept, int) and kept > 0 else ""
        stale = f"up to {hours(kept)} old" if isinstance(kept, int) and kept > 0 else "cached without expiry"
        msg = f"facts are gathered again in every play of every run ({why_g}, {why_c})"
        if lab is not None:
            msg = f"facts are gathered again in every play ({why_g})"
            help = f"set gathering = smart to gather each host once per run (no cache across runs: {clip(lab, 40)} rebuilds the hosts)"
        else:
            help = f"set gathering = smart with a jsonfile fact cache to reuse each host's facts{age}; plays then read facts {stale} (refresh with --flush-cache)"
        if hazard:
            help += f"; no automatic fix: {hazard}"
        yield ctx.finding(cfg, finding_span(cfg, fc.gathering_opt, fc.plugin_opt), msg, fix=fix, help=help)
