"""What ansopt knows about Ansible, derived from the installed ansible-core and cached.

Nothing here is a hand-written table of Ansible's settings, keywords or modules: the first
call imports ansible-core, reads its config definitions, plugin documentation, playbook
keyword classes, module routing and fact collectors, and stores the result as JSON in the
user cache (``$ANSOPT_CACHE_DIR``, else ``$XDG_CACHE_HOME/ansopt``, else
``~/.cache/ansopt``), keyed by the ansible-core version and the file's format version.
Later runs read that JSON and never import ansible-core.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any

FORMAT = 12  # bump when the shape of the cached data changes

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


def ansible_core_dir() -> Path | None:
    """The installed `ansible` package folder, found without importing it."""
    import importlib.util

    try:
        spec = importlib.util.find_spec("ansible")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def ansible_core_version() -> str | None:
    """ansible-core's version, read from ansible/release.py without importing ansible."""
    d = ansible_core_dir()
    if d is None:
        return None
    try:
        text = (d / "release.py").read_text(encoding="utf-8")
    except OSError:
        return None
    m = re.search(r"""__version__\s*=\s*['"]([^'"]+)['"]""", text)
    return m.group(1) if m else None


def cache_dir() -> Path:
    env = os.environ.get("ANSOPT_CACHE_DIR")
    if env:
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "ansopt"


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
                if isinstance(t, ast.Subscript) and isinstance(t.slice, ast.Constant) and isinstance(t.slice.value, str):
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
        if mod is not None and getattr(mod, "__file__", None):
            files.setdefault(name, set()).add(Path(mod.__file__))
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
    for rel in ("vars/manager.py", "executor/task_executor.py", "executor/play_iterator.py", "playbook/play_context.py", "inventory/manager.py", "inventory/data.py", "inventory/host.py", "vars/hostvars.py", "executor/task_queue_manager.py", "plugins/strategy/__init__.py"):
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
            if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
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
    }


# --------------------------------------------------------------------------- loading

_KNOWLEDGE: Knowledge | None = None


def _cache_file() -> Path:
    return cache_dir() / f"knowledge-{ansible_core_version() or 'none'}-f{FORMAT}.json"


class KnowledgeError(RuntimeError):
    """ansible-core is missing or could not be read."""


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
        code = "import json, sys; from ansopt.knowledge import build; json.dump(build(), sys.stdout)"
        pkg_root = str(Path(__file__).resolve().parents[1])
        env["PYTHONPATH"] = pkg_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        try:
            p = subprocess.run([sys.executable, "-c", code], cwd=tmp, env=env, capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise KnowledgeError(f"cannot run ansible-core to read its catalogue: {e}") from None
        if p.returncode != 0:
            last = (p.stderr.strip().splitlines() or ["no output"])[-1]
            raise KnowledgeError(f"cannot read ansible-core's catalogue: {last}")
        try:
            return json.loads(p.stdout)
        except ValueError:
            raise KnowledgeError("cannot read ansible-core's catalogue: unexpected output") from None


def _load_or_build() -> dict[str, Any]:
    path = _cache_file()
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        if data.get("format") == FORMAT:
            return data
    except (OSError, ValueError):
        pass
    data = build_isolated()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("knowledge-*.json"):  # earlier versions and formats
            if old != path:
                try:
                    old.unlink()
                except OSError:
                    pass
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:  # an unwritable cache only costs speed
        pass
    return data


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


def get() -> Knowledge:
    global _KNOWLEDGE
    if _KNOWLEDGE is None:
        _KNOWLEDGE = Knowledge(_load_or_build())
    return _KNOWLEDGE
