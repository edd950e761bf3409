"""The lookups rules and the model make in the derived knowledge (`Knowledge`), over the
cached data; no query imports ansible-core."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from .history import REMOVED_INI_KEYS


class Knowledge:
    """Read-only view of the derived data, with the lookups rules need."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    # ---- playbook keywords
    @cached_property
    def task_keywords(self) -> frozenset[str]:
        kw = self.data["keywords"]
        return frozenset(kw["task"]) | frozenset(kw["handler"])

    # ---- modules
    @cached_property
    def builtin_modules(self) -> frozenset[str]:
        m = self.data["modules"]
        return frozenset(m["builtin"]) | frozenset(m["actions"])

    def canonical_module(self, name: str) -> str:
        """FQCN for a module name as written: `apt` -> `ansible.builtin.apt`.

        Short names of modules that moved to collections follow ansible-core's routing
        (`docker_image` -> `community.docker.docker_image`); a builtin name that ansible-core
        redirects inside ansible.builtin (`yum` -> dnf on 2.17+) keeps its own name.
        """
        if name.startswith("ansible.legacy."):
            name = "ansible.builtin." + name[len("ansible.legacy.") :]
        if "." in name:
            return name
        if name in self.builtin_modules:
            return "ansible.builtin." + name
        target = self.data["modules"]["redirects"].get(name)
        if target:
            if target.startswith("ansible.builtin."):
                return "ansible.builtin." + name
            return target
        return name

    @cached_property
    def freeform_actions(self) -> frozenset[str]:
        return frozenset(self.data["modules"]["freeform"])

    # ---- config catalogue
    @property
    def config(self) -> dict[str, Any]:
        return self.data["config"]

    def base_option(self, name: str) -> dict[str, Any] | None:
        return self.data["config"]["base"].get(name)

    def plugin_options(self, ptype: str, name: str) -> dict[str, dict[str, Any]]:
        return self.data["config"]["plugins"].get(ptype, {}).get(name, {})

    @cached_property
    def ini_index(self) -> dict[tuple[str, str], list[tuple[str, str, str]]]:
        """(section, key) -> [(plugin type or '', plugin name or '', option name)]."""
        idx: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        for opt, defn in self.data["config"]["base"].items():
            for sec, key in defn["ini"]:
                idx.setdefault((sec, key), []).append(("", "", opt))
        for ptype, plugins in self.data["config"]["plugins"].items():
            for pname, opts in plugins.items():
                for opt, defn in opts.items():
                    for sec, key in defn["ini"]:
                        idx.setdefault((sec, key), []).append((ptype, pname, opt))
        return idx

    def option_def(self, ref: tuple[str, str, str]) -> dict[str, Any]:
        ptype, pname, opt = ref
        if not ptype:
            return self.data["config"]["base"][opt]
        return self.data["config"]["plugins"][ptype][pname][opt]

    @cached_property
    def sections(self) -> frozenset[str]:
        return frozenset(sec for sec, _ in self.ini_index)

    @cached_property
    def section_keys(self) -> dict[str, frozenset[str]]:
        """section -> the INI keys some option (base or plugin) reads from it."""
        out: dict[str, set[str]] = {}
        for sec, key in self.ini_index:
            out.setdefault(sec, set()).add(key)
        return {s: frozenset(k) for s, k in out.items()}

    @cached_property
    def key_sections(self) -> dict[str, frozenset[str]]:
        """INI key -> the sections it is read from."""
        out: dict[str, set[str]] = {}
        for sec, key in self.ini_index:
            out.setdefault(key, set()).add(sec)
        return {k: frozenset(s) for k, s in out.items()}

    def ini_deprecations(self, section: str, key: str) -> list[tuple[tuple[str, str, str], dict[str, Any]]]:
        """[(ref, deprecation)] for the options that (section, key) sets and that ansible-core
        marks deprecated: the whole option, or only this INI name of it."""
        out = []
        for ref in self.ini_index.get((section, key), []):
            defn = self.option_def(ref)
            dep = defn.get("deprecated")
            if not dep:
                for sec, k, d in defn.get("ini_deprecated", []):
                    if sec == section and k == key and d:
                        dep = d
                        break
            if dep:
                out.append((ref, dep if isinstance(dep, dict) else {"why": str(dep)}))
        return out

    @property
    def galaxy_server_options(self) -> dict[str, dict[str, Any]]:
        """Keys of a `[galaxy_server.NAME]` section: {key: {type, required}}."""
        return self.data["config"].get("galaxy_server", {})

    @property
    def core_version(self) -> str:
        return str(self.data.get("ansible_core") or "")

    def boolean(self, value: Any) -> bool:
        """ansible-core's non-strict boolean conversion (as for config values)."""
        if isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            return value == 1
        return str(value).strip().lower() in self.data["booleans"]["true"]

    def is_boolean_text(self, value: Any) -> bool:
        b = self.data["booleans"]
        return str(value).strip().lower() in b["true"] or str(value).strip().lower() in b["false"]

    # ---- variables and facts
    @cached_property
    def magic_vars(self) -> frozenset[str]:
        return frozenset(self.data["magic"])

    @property
    def facts(self) -> dict[str, Any]:
        return self.data["facts"]

    @cached_property
    def fragment_keys(self) -> frozenset[tuple[str, str]]:
        """(section, key) pairs of ansible-core's doc fragments (keys collection plugins read)."""
        return frozenset(tuple(x) for x in self.data.get("fragment_keys", []))

    def route(self, ptype: str, name: str) -> str:
        """A plugin's name after ansible-core's routing (`cache` `yaml` -> community.general.yaml)."""
        return self.data["modules"].get("plugin_redirects", {}).get(ptype, {}).get(name, name)

    @cached_property
    def bypass_host_loop(self) -> frozenset[str]:
        """FQCNs of actions that run once for every host of the play (pause, add_host)."""
        return frozenset(self.data.get("bypass_host_loop", []))

    def action_facts(self, fqcn: str | None) -> list[str]:
        """Facts an action reads to choose its backend (`ansible.builtin.service` -> service_mgr)."""
        if not fqcn or not fqcn.startswith("ansible.builtin."):
            return []
        short = fqcn.rsplit(".", 1)[-1]
        af = self.data.get("action_facts", {})
        if short in af:
            return af[short]
        target = self.data["modules"]["redirects"].get(short, "")
        if target.startswith("ansible.builtin."):
            return af.get(target.rsplit(".", 1)[-1], [])
        return []

    @cached_property
    def async_refusing_actions(self) -> frozenset[str]:
        """FQCNs of the ansible.builtin actions whose action plugin refuses `async` (copy,
        template, unarchive, ...)."""
        return frozenset(self.data["async_refusing_actions"])

    def action_refuses_async(self, fqcn: str) -> bool:
        """Does ansible-core's own action plugin for this ansible.builtin action refuse `async`?
        (False for other actions: ansible-core cannot tell.)"""
        if not fqcn.startswith("ansible.builtin."):
            return False
        return "ansible.builtin." + fqcn.rsplit(".", 1)[-1] in self.async_refusing_actions

    def removed_ini_key(self, section: str, key: str) -> tuple[str, str, str | None] | None:
        """(removed in, replacement text, renamed key or None) for an ansible.cfg key that
        ansible-core removed and the installed one no longer reads (see `history`), else None."""
        if (section, key) in self.ini_index:
            return None
        return REMOVED_INI_KEYS.get((section, key))
