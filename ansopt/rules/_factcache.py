"""Fact cache and gathering settings as ansible-core reads them: shared by C201, C202, C203."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import knowledge
from ..diagnostics import Fix
from ..fixers import cfg_edits
from ..model.config import EffectiveConfig
from ..source.cfgfile import CfgFile, CfgOption, hash_comment, unquote

# A value that ConfigParser reads back exactly as written: one line, no surrounding
# whitespace, no ` ;` (an inline comment), not empty.
INI_VALUE_PATTERN = r"^(?!.*\s;)\S(?:[^\r\n]*\S)?$"

MEMORY = frozenset({"memory", "ansible.builtin.memory", "ansible.legacy.memory"})

# File-based cache plugins of community.general. They are not installed with ansible-core,
# so the catalogue does not hold them; their documentation marks `_uri`
# (fact_caching_connection) `required: true`, typed as given here. ansible-core's
# runtime routing (config/ansible_builtin_runtime.yml, plugin_routing.cache) sends the
# short names `yaml` and `pickle` to them.
COLLECTION_FILE_CACHES = {"community.general.yaml": "string", "community.general.pickle": "path"}

_INI_VALUE = re.compile(INI_VALUE_PATTERN)


# --------------------------------------------------------------------------- shared


@dataclass
class FactCacheConfig:
    """The fact-gathering and fact-cache settings ansible-core would use for one cfg."""

    cfg: CfgFile
    gathering: str  # unquoted, as ansible-core compares it
    gathering_opt: CfgOption | None
    gathering_valid: bool  # one of ansible-core's choices (else C405's finding)
    plugin: str  # the plugin name as meant (a `# comment` after it, C406's finding, removed)
    plugin_opt: CfgOption | None
    connection_opt: CfgOption | None
    timeout_opt: CfgOption | None

    @property
    def memory(self) -> bool:
        return self.plugin in MEMORY

    @property
    def implicit(self) -> bool:
        return self.gathering_valid and self.gathering == "implicit"


def fact_cache_config(cfg: CfgFile) -> FactCacheConfig:
    eff = EffectiveConfig(cfg)
    g = eff.base("DEFAULT_GATHERING")
    gathering = unquote(str(g.raw if g.raw is not None else "implicit").strip())
    choices = (knowledge.get().base_option("DEFAULT_GATHERING") or {}).get("choices") or [
        "implicit",
        "explicit",
        "smart",
    ]
    p = eff.base("CACHE_PLUGIN")
    plugin = str(p.raw if p.raw is not None else "memory")
    if p.option is not None:
        hc = hash_comment(cfg, p.option)
        if hc is not None:
            plugin = hc[1]
    plugin = unquote(plugin.strip())
    return FactCacheConfig(
        cfg=cfg,
        gathering=gathering,
        gathering_opt=g.option,
        gathering_valid=gathering in choices,
        plugin=plugin,
        plugin_opt=p.option,
        connection_opt=eff.base("CACHE_PLUGIN_CONNECTION").option,
        timeout_opt=eff.base("CACHE_PLUGIN_TIMEOUT").option,
    )


def canonical_cache(name: str) -> str:
    """`jsonfile`, `ansible.legacy.jsonfile` -> `ansible.builtin.jsonfile`; `yaml` ->
    `community.general.yaml` (ansible-core's routing); other names as written."""
    if name.startswith("ansible.legacy."):
        name = "ansible.builtin." + name[len("ansible.legacy.") :]
    if "." in name:
        return name
    if name in knowledge.get().config["plugins"].get("cache", {}):
        return "ansible.builtin." + name
    return knowledge.get().route("cache", name)


def connection_type(name: str) -> str | None:
    """The type of the `_uri` option when the cache plugin requires it ("path",
    "string"), None when the plugin does not need fact_caching_connection (or is unknown)."""
    fq = canonical_cache(name)
    if fq.startswith("ansible.builtin."):
        uri = knowledge.get().plugin_options("cache", fq[len("ansible.builtin.") :]).get("_uri")
        if uri and uri.get("required"):
            return str(uri.get("type") or "string")
        return None
    return COLLECTION_FILE_CACHES.get(fq)


def connection_problem(fc: FactCacheConfig) -> str | None:
    """What is wrong with fact_caching_connection for the configured plugin: "missing"
    (not set), "empty" (empty after unquoting, for a string-typed option: the plugin
    cannot load), "empty-path" (empty, for a path: the ansible.cfg folder), or None."""
    if fc.plugin_opt is None:
        return None
    kind = connection_type(fc.plugin)
    if kind is None:
        return None
    if fc.connection_opt is None:
        return "missing"
    raw = fc.connection_opt.value.strip()
    if kind == "path":
        return None if raw else "empty-path"
    return None if unquote(raw) else "empty"


def short_name(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def scope_gathers(ctx, cfg: CfgFile) -> bool:
    """Does some play of the playbooks this cfg's runs start gather facts (or may it: a
    templated `gather_facts`)? Role tests and documentation do not count. False when no play
    is found under the cfg's folder."""
    abspath = ctx.project.abspath_of(cfg)
    if abspath is None:
        return False
    return any(
        play.gathers_facts() is not False for pb in ctx.project.run_playbooks_for_cfg(abspath) for play in pb.plays
    )


def ini_value_ok(value: str) -> bool:
    """ConfigParser (as ansible-core uses it) reads `key = value` back as exactly `value`."""
    return bool(_INI_VALUE.match(value))


def option_span(opt: CfgOption) -> tuple[int, int]:
    """Where a finding about an option points: its value, or its key when the value is empty."""
    span = opt.value_span if opt.value_span.end > opt.value_span.start else opt.key_span
    return span.start, span.end


def finding_span(cfg: CfgFile, *opts: CfgOption | None) -> tuple[int, int] | int:
    for opt in opts:
        if opt is not None:
            return option_span(opt)
    sec = cfg.sections.get("defaults")
    return (sec.header_span.start, sec.header_span.end) if sec is not None else 0


def lazy_defaults(ctx, cfg: CfgFile, pairs: list[tuple[str, str]], safety: str, description: str, **fix_kw):
    """A fix setting `[defaults]` options, built only when needed (placing new options
    imports configupdater); no fix at all when every value is already set."""
    if all((o := cfg.get("defaults", k)) is not None and o.value == v for k, v in pairs):
        return None

    def build():
        edits, changes = cfg_edits.set_options(cfg, "defaults", pairs)
        return Fix(edits, safety, description, changes, **fix_kw) if edits else None

    return ctx.lazy_fix(build, safety, description, **fix_kw)


def hours(seconds: int) -> str:
    if seconds == 0:
        return "without expiry"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    return f"{seconds} s"


def timeout_seconds(fc: FactCacheConfig) -> int | None:
    if fc.timeout_opt is None:
        d = (knowledge.get().base_option("CACHE_PLUGIN_TIMEOUT") or {}).get("default", 86400)
        return int(d)
    try:
        return int(unquote(fc.timeout_opt.value.strip()))
    except ValueError:
        return None
