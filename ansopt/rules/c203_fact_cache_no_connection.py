"""A file-based fact cache without `fact_caching_connection`: ansible-core cannot load it.

What it does
    Reports an ansible.cfg whose `fact_caching` names a cache plugin that requires
    `fact_caching_connection` (the plugin's `_uri` option, `required: True` in its
    documentation) when the file does not set it, or sets it to nothing. The plugins are
    taken from ansible-core's own catalogue (`jsonfile`, also written
    `ansible.builtin.jsonfile`) plus community.general's file-based `yaml` and `pickle`
    (short names as ansible-core routes them, or their FQCNs), which are not installed
    with ansible-core. Other plugins (`memory`, `redis`, `memcached`, `mongodb`) have
    defaults or no such option and are not reported.

Why
    ansible-core 2.19 loads the fact cache plugin when a run starts
    (`VariableManager.__init__`). A required option that is not set makes the load fail;
    ansible-core does not stop but prints `[WARNING]: Required config '_uri' for
    'jsonfile' cache plugin not provided.` at every run and falls back to the memory
    cache. For `yaml`, whose option is a string, a value that is empty (after ansible-core
    removes its quotes) fails the plugin's own check instead ("error, 'yaml' cache plugin
    requires the 'fact_caching_connection' config option to be set (to a writeable
    directory path)"), with the same fallback. The configured cache then does nothing: no
    fact survives the run, and with `gathering = smart` every run gathers everything
    again, which is what the cache was set up to avoid.

    An empty value (`fact_caching_connection =`) is not the same as a missing one for
    `jsonfile` and `pickle`, whose option is a path: ansible-core resolves the empty path
    to the folder of the ansible.cfg and writes one cache file per host there, among the
    project's files (and into version control unless ignored). It is reported as a
    warning.

Measured gain
    Not measured as a variant; a cache that cannot load saves nothing, so the saving is
    C201's once it loads: `ansopt rule C203` prints the testbed's cost of one fact
    gathering.

Example (reported)
    [defaults]
    gathering = smart
    fact_caching = jsonfile

Use instead
    [defaults]
    gathering = smart
    fact_caching = jsonfile
    fact_caching_connection = ~/.ansible/fact_cache

Default selection
    On: a correctness rule: the cache plugin fails to load and the cache silently does nothing.

Fix (unsafe)
    Adds `fact_caching_connection = ~/.ansible/fact_cache` (rule option `cache_dir`) after
    the last option of `[defaults]`, in the file's spacing and line breaks; an empty value
    is replaced in place. Unsafe for a missing value: the fix switches on a cache that
    never worked, so from the next run on plays read facts from it, and with `gathering =
    smart` skip gathering for hosts cached in the last `fact_caching_timeout` seconds
    (facts may be a day old; `--flush-cache` refreshes them). Replacing an empty value is
    marked safe: the cache already works and only moves from the project folder to the
    user's home.

    A quoted path (`fact_caching_connection = "/var/cache/facts"`) is not reported: for
    path options ansible-core keeps the quotes as part of the path, a trap common to every
    path option of ansible.cfg.
"""

from __future__ import annotations

from ..diagnostics import SAFE, UNSAFE
from ._factcache import (
    INI_VALUE_PATTERN,
    connection_problem,
    fact_cache_config,
    finding_span,
    ini_value_ok,
    lazy_defaults,
    short_name,
)
from ._text import clip

CODE = "C203"
SLUG = "fact-cache-no-connection"
SEVERITY = "error"
FIX = UNSAFE
OPTIONS = {
    "cache_dir": (
        "~/.ansible/fact_cache",
        {
            "type": "string",
            "minLength": 1,
            "pattern": INI_VALUE_PATTERN,
            "description": "fact_caching_connection written by the fix: the folder of the file-based fact cache ('~' and $VARS are expanded by ansible-core; a relative path is relative to the ansible.cfg folder).",
        },
    ),
}


def check(ctx):
    cache_dir = str(ctx.options.get("cache_dir", OPTIONS["cache_dir"][0]))
    for cfg in ctx.project.cfg_files:
        fc = fact_cache_config(cfg)
        problem = connection_problem(fc)
        if problem is None:
            continue
        name = short_name(fc.plugin)
        fix = None
        if ini_value_ok(cache_dir):
            safety = SAFE if problem == "empty-path" else UNSAFE
            fix = lazy_defaults(
                ctx, cfg, [("fact_caching_connection", cache_dir)], safety, f"set fact_caching_connection = {cache_dir}"
            )
        if problem == "empty-path":
            msg = f"fact_caching_connection is empty: the {clip(name, 30)} cache writes a file per host into the folder of this ansible.cfg"
            help = f"set fact_caching_connection to a cache folder outside the project, such as {cache_dir}"
            yield ctx.finding(cfg, finding_span(cfg, fc.connection_opt), msg, fix=fix, severity="warning", help=help)
            continue
        what = "is empty" if problem == "empty" else "is not set"
        msg = f"fact_caching_connection {what}, so the {clip(name, 30)} cache cannot load: ansible-core falls back to the memory cache"
        help = f"set fact_caching_connection = {cache_dir} (the folder the {clip(name, 30)} cache writes its files to)"
        yield ctx.finding(cfg, finding_span(cfg, fc.plugin_opt), msg, fix=fix, help=help)
