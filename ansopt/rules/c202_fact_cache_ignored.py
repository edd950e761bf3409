"""A fact cache is configured, but `gathering = implicit` never lets it skip gathering.

What it does
    Reports an ansible.cfg that sets `fact_caching` to a cache plugin other than `memory`
    (jsonfile, redis, yaml, ...) while `gathering` is `implicit` (ansible-core's default),
    when at least one play of the playbooks under its folder that it applies to gathers
    facts (an ansible.cfg without such plays, used for ad-hoc commands for example, is
    not reported; role test stubs, docs and Zuul jobs do not count). The finding is on `gathering` when the file sets it, else on
    `fact_caching`.

Why
    The reason to configure a fact cache is to gather less. ansible-core 2.19 decides in
    `executor/play_iterator.py` whether a play gathers a host's facts: with `implicit`
    it gathers in every play that does not say `gather_facts: false`, without looking at
    the cache; only `smart` skips hosts whose cache entry is present and not expired. So
    with `implicit` the cache is not strictly dead but does not save any time:

    * after each gathering ansible-core writes the facts to the cache plugin (a JSON file
      per host for jsonfile), and every play gathers them again;
    * the cache is read for variables: a host's cached facts are visible before the
      play gathers, in plays with `gather_facts: false`, and through
      `hostvars['other']` for hosts not gathered in this run (`--limit`, hosts outside
      the play). That is the one effect of such a configuration, and `smart` keeps it.

Measured gain
    Not measured as a variant (the fleet has no cache at all); the saving is C201's once the
    cache is read: `ansopt rule C202` prints the testbed's cost of one fact gathering, which
    each host pays in every gathering play while `gathering = implicit` ignores the cache.

Example (reported)
    [defaults]
    fact_caching = jsonfile
    fact_caching_connection = ~/.ansible/fact_cache

Use instead
    [defaults]
    gathering = smart
    fact_caching = jsonfile
    fact_caching_connection = ~/.ansible/fact_cache

Caveats (why the fix is unsafe)
    * Stale facts: with `smart`, plays use a host's cached facts until they are
      `fact_caching_timeout` seconds old (default 86400, 24 h): a new interface, an
      upgraded distribution or a new disk is not seen until then.
      `ansible-playbook --flush-cache` or deleting the cache folder refreshes them.
    * Under `smart`, neither `gather_facts: true` nor a play's `gather_subset` forces
      gathering: ansible-core gathers only for hosts without a fresh cache entry. A play
      that needs fresh or additional facts should run an `ansible.builtin.setup` task.

Default selection
    On: a configured cache that never saves a gathering is a setting that does not do what its author wanted.

Fix (unsafe)
    Sets `gathering = smart` in `[defaults]`: the existing value is changed in place
    (key, spacing and comments kept), otherwise the option is added after the last option
    of `[defaults]`. Unsafe because plays then read cached, possibly day-old facts. No fix
    (the help says why) when a play gathers only a subset of facts, or a task of the run
    reboots hosts (the reboot module, a command that reboots): later plays and runs would
    read the facts from before the reboot.

Suppress
    `gathering = implicit ; noqa: C202`, or `# noqa: C202` on the line above the option
    or `[defaults]`.
"""

from __future__ import annotations

from ..diagnostics import UNSAFE
from ._factcache import (
    connection_problem,
    fact_cache_config,
    finding_span,
    hours,
    lazy_defaults,
    scope_gathers,
    timeout_seconds,
)
from ._gathering import SMART_FIX, subset_hazard
from ._text import MAX_MESSAGE, clip

CODE = "C202"
SLUG = "fact-cache-ignored"
SEVERITY = "warning"
FIX = UNSAFE


def check(ctx):
    for cfg in ctx.project.cfg_files:
        fc = fact_cache_config(cfg)
        if not fc.implicit or fc.memory or fc.plugin_opt is None:
            continue
        if not scope_gathers(ctx, cfg):
            continue
        hazard = subset_hazard(ctx.project.run_playbooks_for_cfg(ctx.project.abspath_of(cfg)))
        fix = (
            lazy_defaults(ctx, cfg, [("gathering", "smart")], UNSAFE, "set gathering = smart", **SMART_FIX)
            if hazard is None
            else None
        )
        t = timeout_seconds(fc)
        stale = f"up to {hours(t)} old" if isinstance(t, int) and t > 0 else "stale"
        tail = ": every play gathers facts again"
        if fc.gathering_opt is not None:
            head, mid = f"`gathering = {clip(fc.gathering_opt.value, 20)}` with `fact_caching = ", "`"
        else:
            head, mid = "`fact_caching = ", "` but gathering is implicit (the default)"
        msg = head + clip(fc.plugin_opt.value, MAX_MESSAGE - len(head) - len(mid) - len(tail)) + mid + tail
        help = f"set gathering = smart to gather only hosts without fresh cached facts (plays then read cached facts, {stale})"
        if connection_problem(fc) in ("missing", "empty"):
            help += "; the cache also does not load without fact_caching_connection (C203)"
        if hazard:
            help += f"; no automatic fix: {hazard}"
        yield ctx.finding(cfg, finding_span(cfg, fc.gathering_opt, fc.plugin_opt), msg, fix=fix, help=help)
