"""Everything ansopt derives from the installed ansible-core: its config definitions, plugin
documentation, playbook keyword classes, module routing, fact collectors and action plugins.

This is the one module of ansopt (besides ``ansible_plugins/``, which runs inside Ansible) that
imports ``ansible``, always inside a function: `build()` runs once per ansible-core version, in
a child process (`build_isolated()`), and its result is cached as JSON (see `cache`); `parse_kv`
is the one piece of ansible-core called at run time, for free-form arguments that the fast
path of `ansopt.model.tasks` cannot split.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

from .cache import FORMAT, KnowledgeError, ansible_core_dir, ansible_core_version

_PLUGIN_TYPES = (
    "connection",
    "become",
    "cache",
    "callback",
    "inventory",
    "lookup",
    "shell",
    "strategy",
    "vars",
    "netconf",
    "cliconf",
    "httpapi",
    "terminal",
)


def _jsonable(v: Any) -> Any:
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (list, tuple, set, frozenset)):
        return [_jsonable(i) for i in v]
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    return str(v)


def _first_line(desc: Any) -> str:
    if isinstance(desc, list):
        desc = " ".join(str(d) for d in desc)
    return " ".join(str(desc or "").split())


def _option(defn: dict) -> dict:
    """The parts of a config definition ansopt uses."""
    out: dict[str, Any] = {
        "type": defn.get("type") or "string",
        "default": _jsonable(defn.get("default")),
        "ini": [[e.get("section", "defaults"), e.get("key")] for e in (defn.get("ini") or []) if e.get("key")],
        "vars": [e.get("name") for e in (defn.get("vars") or []) if isinstance(e, dict) and e.get("name")],
        "env": [e.get("name") for e in (defn.get("env") or []) if isinstance(e, dict) and e.get("name")],
        "description": _first_line(defn.get("description"))[:300],
    }
    if defn.get("required"):
        out["required"] = True
    if defn.get("choices"):
        ch = defn["choices"]
        out["choices"] = _jsonable(list(ch.keys()) if isinstance(ch, dict) else ch)
    dep = defn.get("deprecated")
    if dep:
        out["deprecated"] = _jsonable(dep)
    ini_dep = [
        [e.get("section", "defaults"), e.get("key"), _jsonable(e.get("deprecated"))]
        for e in (defn.get("ini") or [])
        if e.get("deprecated")
    ]
    if ini_dep:
        out["ini_deprecated"] = ini_dep
    return out


# --------------------------------------------------------------------------- building


def _build_keywords() -> dict[str, list[str]]:
    from ansible.playbook.block import Block
    from ansible.playbook.handler import Handler
    from ansible.playbook.play import Play
    from ansible.playbook.role.definition import RoleDefinition
    from ansible.playbook.task import Task

    task = set(Task.fattributes) | {"local_action"}
    return {
        "task": sorted(task),
        "handler": sorted(set(Handler.fattributes) | {"local_action"}),
        "block": sorted(Block.fattributes),
        "play": sorted(Play.fattributes),
        "role": sorted(RoleDefinition.fattributes),
    }


def _build_modules(core: Path) -> dict[str, Any]:
    import yaml

    builtin = sorted(p.stem for p in (core / "modules").glob("*.py") if not p.stem.startswith("_"))
    actions = sorted(p.stem for p in (core / "plugins" / "action").glob("*.py") if not p.stem.startswith("_"))
    with open(core / "config" / "ansible_builtin_runtime.yml", "rb") as f:
        runtime = yaml.safe_load(f) or {}
    redirects: dict[str, str] = {}
    tombstones: dict[str, str] = {}
    routing = runtime.get("plugin_routing") or {}
    plugin_redirects: dict[str, dict[str, str]] = {}
    for ptype, entries in routing.items():
        if ptype in ("modules", "action") or not isinstance(entries, dict):
            continue
        for name, entry in entries.items():
            if isinstance(entry, dict) and entry.get("redirect"):
                plugin_redirects.setdefault(ptype, {})[name] = entry["redirect"]
    # action routing first, module routing wins (`yum` is routed as an action on 2.17+)
    for section in ("action", "modules"):
        for name, entry in (routing.get(section) or {}).items():
            if not isinstance(entry, dict):
                continue
            if entry.get("redirect"):
                redirects[name] = entry["redirect"]
            if entry.get("tombstone"):
                tombstones[name] = _first_line((entry["tombstone"] or {}).get("warning_text", ""))
    from ansible.parsing import mod_args

    return {
        "builtin": builtin,
        "actions": actions,
        "redirects": redirects,
        "tombstones": tombstones,
        # actions whose k=v string keeps its free text as _raw_params (command, shell, ...)
        "plugin_redirects": plugin_redirects,
        "freeform": sorted(mod_args.FREEFORM_ACTIONS),
        "raw_params": sorted(mod_args.RAW_PARAM_MODULES),
    }


def _build_config() -> dict[str, Any]:
    from ansible import constants
    from ansible.plugins import loader as plugin_loader

    cm = constants.config
    base = {name: _option(defn) for name, defn in cm.get_configuration_definitions().items()}
    plugins: dict[str, dict[str, dict[str, Any]]] = {}
    for ptype in _PLUGIN_TYPES:
        loader = getattr(plugin_loader, f"{ptype}_loader", None)
        if loader is None:
            continue
        try:
            classes = list(loader.all(class_only=True))
        except Exception:  # pragma: no cover - a broken plugin must not stop the build
            continue
        for cls in classes:
            name = getattr(cls, "_load_name", None)
            if not name or name.startswith("_"):
                continue
            try:
                defs = cm.get_configuration_definitions(ptype, name) or {}
            except Exception:  # pragma: no cover
                continue
            plugins.setdefault(ptype, {})[name] = {opt: _option(d) for opt, d in defs.items()}
    galaxy_server = {}
    try:
        from ansible.config.manager import GALAXY_SERVER_DEF

        galaxy_server = {k: {"type": t, "required": req} for k, req, t in GALAXY_SERVER_DEF}
    except Exception:  # pragma: no cover
        pass
    return {"base": base, "plugins": plugins, "galaxy_server": galaxy_server}


def _string_keys(path: Path) -> set[str]:
    """String keys a fact collector module writes: `facts['key'] = ...` and dict literals."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return set()
    keys: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                if (
                    isinstance(t, ast.Subscript)
                    and isinstance(t.slice, ast.Constant)
                    and isinstance(t.slice.value, str)
                ):
                    if isinstance(t.value, ast.Name) and t.value.id.endswith(("facts", "_dict")):
                        keys.add(t.slice.value)
        elif isinstance(node, ast.Dict):
            for k in node.keys:
                if isinstance(k, ast.Constant) and isinstance(k.value, str):
                    keys.add(k.value)
    return {k for k in keys if re.fullmatch(r"[a-z][a-z0-9_]*", k)}


def _build_facts() -> dict[str, Any]:
    import inspect

    from ansible.module_utils.facts import collector as fcollector
    from ansible.module_utils.facts import default_collectors

    classes = list(default_collectors.collectors)
    collectors: dict[str, set[str]] = {}
    files: dict[str, set[Path]] = {}
    for cls in classes:
        name = cls.name
        ids = collectors.setdefault(name, set())
        ids.update(getattr(cls, "_fact_ids", set()) or set())
        mod = inspect.getmodule(cls)
        mod_file = getattr(mod, "__file__", None) if mod is not None else None
        if mod_file:
            files.setdefault(name, set()).add(Path(mod_file))
    # Platform-specific collectors (hardware, network, virtual) keep their facts in sibling
    # modules; scan the whole sub-package for the keys they write.
    owner: dict[Path, str] = {p: name for name, paths in files.items() for p in paths}
    for name, paths in list(files.items()):
        extra: set[Path] = set()
        for p in paths:
            if p.parent.name in ("hardware", "network", "virtual"):
                # sibling modules, except those defining another collector (iscsi, nvme, ...)
                extra.update(q for q in p.parent.glob("*.py") if owner.get(q, name) == name)
        paths |= extra
    scanned: dict[str, set[str]] = {}
    for name, paths in files.items():
        ks: set[str] = set()
        for p in paths:
            ks |= _string_keys(p)
        scanned[name] = ks
    try:
        id_map, aliases = fcollector.build_fact_id_to_collector_map(classes)
        aliases = {k: sorted(v) for k, v in aliases.items()}
    except Exception:  # pragma: no cover
        aliases = {}
    minimal = sorted(
        getattr(
            __import__("ansible.modules.setup", fromlist=["x"]),
            "minimal_gather_subset",
            frozenset(),
        )
        or []
    )
    if not minimal:
        minimal = sorted(fcollector.__dict__.get("MINIMAL_GATHER_SUBSET", []) or [])
    return {
        "collectors": {k: sorted(v) for k, v in collectors.items()},
        "scanned": {k: sorted(v) for k, v in scanned.items()},
        "aliases": aliases,
        "minimal": minimal,
    }


def _minimal_subset_from_source(core: Path) -> list[str]:
    """`minimal_gather_subset` as the setup/gather_facts module defines it."""
    for rel in ("modules/setup.py", "module_utils/facts/ansible_collector.py"):
        try:
            text = (core / rel).read_text(encoding="utf-8")
        except OSError:
            continue
        m = re.search(r"minimal_gather_subset\s*=\s*frozenset\(\[([^\]]*)\]", text)
        if m:
            return sorted(re.findall(r"""['"](\w+)['"]""", m.group(1)))
    return []


def _build_magic(core: Path, config: dict[str, Any]) -> list[str]:
    """Variables Ansible itself defines (magic and connection variables), not facts."""
    names: set[str] = set()
    from ansible import constants

    for v in getattr(constants, "MAGIC_VARIABLE_MAPPING", {}).values():
        names.update(v)
    names.update(getattr(constants, "INTERNAL_STATIC_VARS", ()) or ())
    try:  # ansible_check_mode, ansible_run_tags, ...: load_options_vars() in utils/vars.py
        text = (core / "utils" / "vars.py").read_text(encoding="utf-8")
        m = re.search(r"attrs\s*=\s*\{([^}]*)\}", text)
        if m and "'ansible_%s' % alias" in text:
            names.update("ansible_" + a for a in re.findall(r""":\s*['"](\w+)['"]""", m.group(1)))
        names.update(re.findall(r"""['"](ansible_\w+)['"]""", text))
    except OSError:
        pass
    for rel in (
        "vars/manager.py",
        "executor/task_executor.py",
        "executor/play_iterator.py",
        "playbook/play_context.py",
        "inventory/manager.py",
        "inventory/data.py",
        "inventory/host.py",
        "vars/hostvars.py",
        "executor/task_queue_manager.py",
        "plugins/strategy/__init__.py",
    ):
        try:
            text = (core / rel).read_text(encoding="utf-8")
        except OSError:
            continue
        names.update(re.findall(r"""variables\[['"](\w+)['"]\]""", text))
        names.update(re.findall(r"""\bvars\[['"](\w+)['"]\]""", text))
        names.update(re.findall(r"""set_variable\(['"](\w+)['"]""", text))
        names.update(re.findall(r"""\b(?:all_vars|results|magic_vars|host_vars)\[['"](\w+)['"]\]""", text))
        names.update(re.findall(r"""['"](ansible_\w+)['"]\s*:""", text))
        names.update(re.findall(r"""\b(ansible_\w+)=""", text))
    # every other `'ansible_x'` string ansible-core's own code uses (ansible_managed, ansible_search_path,
    # ansible_delegated_vars, ...), fact-collecting code and modules excluded
    skip = (core / "module_utils" / "facts", core / "modules")
    for py in core.rglob("*.py"):
        if any(sk in py.parents for sk in skip):
            continue
        try:
            text = py.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        names.update(re.findall(r"""['"](ansible_[a-z0-9_]+)['"]""", text))
    for opts in [config["base"], *[o for p in config["plugins"].values() for o in p.values()]]:
        for defn in opts.values():
            names.update(defn.get("vars", []))
    # reserved names: every playbook keyword and loop variables
    names.update({"item", "ansible_loop", "ansible_loop_var", "ansible_index_var", "omit"})
    return sorted(n for n in names if re.fullmatch(r"\w+", n))


def _build_action_facts(core: Path) -> dict[str, list[str]]:
    """Actions that pick their backend from a fact (`service` -> service_mgr, `package` ->
    pkg_mgr, ...): they read that fact, and gather it themselves, once per task, when the
    play did not."""
    out: dict[str, list[str]] = {}
    for py in sorted((core / "plugins" / "action").glob("*.py")):
        try:
            text = py.read_text(encoding="utf-8")
        except OSError:
            continue
        found = set(re.findall(r"""filter\s*=\s*['"]ansible_(\w+)['"]""", text))
        found |= set(re.findall(r"""ansible_facts\.(\w+)['"]""", text))
        if found and py.stem not in ("gather_facts", "__init__"):
            out[py.stem] = sorted(found)
    return out


def _build_bypass_host_loop(core: Path) -> list[str]:
    """Actions that run once for all hosts (BYPASS_HOST_LOOP): the free strategy refuses them."""
    out = []
    for py in sorted((core / "plugins" / "action").glob("*.py")):
        try:
            if re.search(r"^\s*BYPASS_HOST_LOOP\s*=\s*True", py.read_text(encoding="utf-8"), re.MULTILINE):
                out.append("ansible.builtin." + py.stem)
        except OSError:
            continue
    return out


def _build_fragment_keys(core: Path) -> list[list[str]]:
    """(section, key) pairs documented in ansible-core's doc fragments. Collection plugins
    extend these fragments (inventory plugins with `inventory_cache` read `[inventory] cache`,
    ...), so their keys are valid even when no installed core plugin uses them."""
    import yaml

    out: set[tuple[str, str]] = set()
    for path in sorted((core / "plugins" / "doc_fragments").glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Assign)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                continue
            text = node.value.value
            if "ini:" not in text:
                continue
            try:
                doc = yaml.safe_load(text)
            except yaml.YAMLError:
                continue
            opts = doc.get("options") if isinstance(doc, dict) else None
            for defn in opts.values() if isinstance(opts, dict) else ():
                for e in (defn.get("ini") if isinstance(defn, dict) else None) or ():
                    if isinstance(e, dict) and e.get("key"):
                        out.add((e.get("section", "defaults"), e["key"]))
    return sorted([list(x) for x in out])


def _build_booleans() -> dict[str, list[str]]:
    from ansible.module_utils.parsing.convert_bool import BOOLEANS_FALSE, BOOLEANS_TRUE

    return {
        "true": sorted(str(b).lower() for b in BOOLEANS_TRUE if isinstance(b, str)),
        "false": sorted(str(b).lower() for b in BOOLEANS_FALSE if isinstance(b, str)),
    }


def _build_async_refusing(core: Path) -> list[str]:
    """FQCNs of the ansible.builtin actions whose action plugin refuses `async`: ActionBase
    has `_supports_async = False`, and only the `normal` action and a few others set it True.
    A module without an action plugin of its own runs through `normal`, which supports it."""
    out = []
    for py in sorted((core / "plugins" / "action").glob("*.py")):
        try:
            text = py.read_text(encoding="utf-8")
        except OSError:
            continue  # unreadable: treated as supporting async, as a missing plugin
        if "_supports_async = True" not in text:
            out.append("ansible.builtin." + py.stem)
    return out


def build() -> dict[str, Any]:
    core = ansible_core_dir()
    if core is None:
        raise RuntimeError("ansible-core is not installed")
    config = _build_config()
    facts = _build_facts()
    if not facts.get("minimal"):
        facts["minimal"] = _minimal_subset_from_source(core)
    return {
        "format": FORMAT,
        "ansible_core": ansible_core_version(),
        "python": sys.version.split()[0],
        "keywords": _build_keywords(),
        "modules": _build_modules(core),
        "config": config,
        "facts": facts,
        "magic": _build_magic(core, config),
        "booleans": _build_booleans(),
        "action_facts": _build_action_facts(core),
        "bypass_host_loop": _build_bypass_host_loop(core),
        "fragment_keys": _build_fragment_keys(core),
        "async_refusing_actions": _build_async_refusing(core),
    }


def build_isolated() -> dict[str, Any]:
    """`build()` in a child process, away from the project: ansible-core reads ANSIBLE_CONFIG
    or ./ansible.cfg as it loads, so the child runs in an empty folder with an empty config
    and no ANSIBLE_* variables (the catalogue is ansible-core's, not this project's)."""
    import subprocess

    with tempfile.TemporaryDirectory(prefix="ansopt-knowledge-") as tmp:
        cfg = os.path.join(tmp, "ansible.cfg")
        with open(cfg, "w", encoding="utf-8"):
            pass
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
        env["ANSIBLE_CONFIG"] = cfg
        env["ANSIBLE_LOCAL_TEMP"] = tmp
        env["HOME"] = env.get("HOME", tmp)
        code = "import json, sys; from ansopt.knowledge.build import build; json.dump(build(), sys.stdout)"
        pkg_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = pkg_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        try:
            p = subprocess.run(
                [sys.executable, "-c", code], cwd=tmp, env=env, capture_output=True, text=True, timeout=600
            )
        except (OSError, subprocess.TimeoutExpired) as e:
            raise KnowledgeError(f"cannot run ansible-core to read its catalogue: {e}") from None
        if p.returncode != 0:
            last = (p.stderr.strip().splitlines() or ["no output"])[-1]
            raise KnowledgeError(f"cannot read ansible-core's catalogue: {last}")
        try:
            return json.loads(p.stdout)
        except ValueError:
            raise KnowledgeError("cannot read ansible-core's catalogue: unexpected output") from None


# --------------------------------------------------------------------------- at run time


def parse_kv(text: str, check_raw: bool = False) -> dict[str, str]:
    """ansible-core's own k=v splitter (`ansible.parsing.splitter.parse_kv`), imported on the
    first call; it raises on text it cannot split (unbalanced quotes and the like)."""
    from ansible.parsing.splitter import parse_kv as core_parse_kv

    return core_parse_kv(text, check_raw=check_raw)
