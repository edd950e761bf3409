"""Walk the paths given on the command line and classify every file Ansible would read.

Classification follows Ansible's layout first (``roles/NAME/tasks``, ``handlers``,
``defaults``, ``vars``, ``meta``, ``templates``, ``group_vars``, ``host_vars``, inventory
folders), then file names (``ansible.cfg``, ``hosts``, ``inventory``, ``*.j2``). YAML files
that the layout does not place are left as ``yaml`` for the loader to settle from their
content (playbook, task list, YAML inventory or something else).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from .source.yamlfile import YamlFile, YMap, YScalar, YSeq

if TYPE_CHECKING:
    import pathspec


class FileKind(StrEnum):
    """What a file is to Ansible (a str: compares and prints as its value)."""

    CFG = "cfg"
    PLAYBOOK = "playbook"
    TASKS = "tasks"
    HANDLERS = "handlers"
    VARS = "vars"
    META = "meta"
    INVENTORY = "inventory"
    TEMPLATE = "template"
    YAML = "yaml"  # to be classified from its content
    OTHER = "other"


CFG = FileKind.CFG
PLAYBOOK = FileKind.PLAYBOOK
TASKS = FileKind.TASKS
HANDLERS = FileKind.HANDLERS
VARS = FileKind.VARS
META = FileKind.META
INVENTORY = FileKind.INVENTORY
TEMPLATE = FileKind.TEMPLATE
YAML = FileKind.YAML
OTHER = FileKind.OTHER

KINDS = tuple(FileKind)

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".virtualenv",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".cache",
        ".eggs",
        "site-packages",
        ".ansible",
        ".ansopt_cache",
    }
)

YAML_EXT = (".yml", ".yaml")
ROLE_OTHER_PARTS = frozenset(
    {"files", "library", "module_utils", "filter_plugins", "lookup_plugins", "action_plugins", "callback_plugins"}
)
ROLE_PARTS = {"tasks": TASKS, "handlers": HANDLERS, "defaults": VARS, "vars": VARS, "meta": META, "templates": TEMPLATE}
# YAML files that are never Ansible content, whatever their shape.
NOT_ANSIBLE = re.compile(
    r"(^|/)(\.github/|\.gitlab-ci\.ya?ml$|\.pre-commit-(config|hooks)\.ya?ml$|\.yamllint(\.ya?ml)?$|"
    r"\.ansible-lint$|\.ansopt\.ya?ml$|docker-compose[^/]*\.ya?ml$|compose\.ya?ml$|mkdocs\.ya?ml$|"
    r"changelogs/|molecule/[^/]+/molecule\.ya?ml$|galaxy\.ya?ml$|requirements\.ya?ml$|"
    r"meta/runtime\.ya?ml$|meta/argument_specs\.ya?ml$|execution-environment\.ya?ml$|"
    r"\.readthedocs\.ya?ml$|codecov\.ya?ml$|\.travis\.ya?ml$|ansible-navigator\.ya?ml$|"
    r"Taskfile\.ya?ml$|rulebooks/)"
)
INVENTORY_DIRS = frozenset({"inventory", "inventories", "hosts"})
INVENTORY_NAMES = frozenset({"hosts", "inventory", "hosts.ini", "inventory.ini"})


@dataclass(frozen=True)
class SourceFile:
    path: str  # as shown to the user (relative to the working directory when inside it)
    abspath: str
    kind: FileKind


def display_path(abspath: str, cwd: str | None = None) -> str:
    cwd = cwd or os.getcwd()
    try:
        rel = os.path.relpath(abspath, cwd)
    except ValueError:  # another drive on Windows
        return abspath
    if rel.startswith(".." + os.sep) or rel == "..":
        return abspath
    return rel


def classify(abspath: str) -> FileKind | None:
    """The kind of a file from its path alone, or None when ansopt does not read it."""
    p = Path(abspath)
    name = p.name
    parts = p.parts
    posix = p.as_posix()
    if name == "ansible.cfg":
        return CFG
    lower = name.lower()
    ext = p.suffix.lower()
    parents = parts[:-1]
    # roles/NAME/<part>/...
    for i in range(len(parents) - 2, -1, -1):
        if parents[i] == "roles" and i + 2 < len(parents):
            part = parents[i + 2]
            if part in ROLE_PARTS:
                kind = ROLE_PARTS[part]
                if kind == TEMPLATE:
                    return TEMPLATE
                return kind if ext in YAML_EXT or (kind == VARS and ext == "") else None
            if part in ROLE_OTHER_PARTS:
                return None  # files copied to hosts, plugins, tests of the role
            break
    if ext == ".j2" or "templates" in parents:
        return TEMPLATE
    if "group_vars" in parents or "host_vars" in parents:
        if ext in YAML_EXT or ext == "" or ext == ".json":
            return VARS
        return None
    if ext in YAML_EXT:
        parent = parents[-1] if parents else ""
        if "files" in parents:
            return None  # files copied to hosts as they are
        if parent in ("tasks",):
            return TASKS  # before the name patterns: roles have tasks/docker-compose.yml
        if parent == "handlers":
            return HANDLERS
        if NOT_ANSIBLE.search(posix):
            return OTHER
        if parent in ("vars", "defaults"):
            return VARS
        if lower in ("hosts.yml", "hosts.yaml", "inventory.yml", "inventory.yaml") or parent in INVENTORY_DIRS:
            return INVENTORY
        return YAML
    if lower in INVENTORY_NAMES or (ext in ("", ".ini") and parents and parents[-1] in INVENTORY_DIRS):
        if ext == ".ini" and _script_settings(abspath):
            return None
        return INVENTORY
    if ext == ".ini" and re.search(r"(host|inventor)", lower):
        return INVENTORY
    return None


def _script_settings(abspath: str) -> bool:
    """`digital_ocean.ini` beside `digital_ocean.py`: a dynamic inventory script's settings."""
    stem = os.path.splitext(abspath)[0]
    return any(os.path.exists(stem + ext) for ext in (".py", ".sh", ".rb", ".pl"))


# --------------------------------------------------------------------------- ignore files


class IgnoreRules:
    """Gitignore-style patterns, matched by `pathspec` as git matches them: settings excludes
    (relative to the settings' folder) and .gitignore files (each relative to its own folder).
    A pattern without a slash matches a name at any depth below its folder; with one, it is
    anchored there; `dir/` matches only folders (and what is in them); `!pattern`
    re-includes; the last matching pattern wins, a deeper .gitignore over a higher one."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self._groups: list[tuple[str, list[str]]] = []  # (folder relative to root, its patterns), in order
        self._specs: list[tuple[str, pathspec.GitIgnoreSpec]] | None = None
        self._files: set[str] = set()

    def add(self, pattern: str, base: str = "") -> None:
        pattern = pattern.rstrip("\r\n").strip()
        if not pattern or pattern.startswith("#"):
            return
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        if body.startswith("./"):  # `./legacy/` in the settings reads as `legacy/`
            body = body[2:]
        if body.endswith("/**/"):
            body += "*/"  # git: the folders inside `x/`; pathspec would match `x/` itself too
        if not body.strip("/"):
            return
        if not self._groups or self._groups[-1][0] != base:
            self._groups.append((base, []))
        self._groups[-1][1].append(("!" if negate else "") + body)
        self._specs = None

    def add_gitignore(self, path: str) -> None:
        if path in self._files:
            return
        self._files.add(path)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = f.read().splitlines()
        except OSError:
            return
        base = os.path.relpath(os.path.dirname(path), self.root)
        base = "" if base == "." else Path(base).as_posix()
        for line in lines:
            self.add(line, base)

    def ignored_path(self, abspath: str) -> bool:
        """A file ignored itself or through one of its folders (below the root)."""
        if self.ignored(abspath, False):
            return True
        d = os.path.dirname(abspath)
        while d.startswith(self.root + os.sep):
            if self.ignored(d, True):
                return True
            d = os.path.dirname(d)
        return False

    def ignored(self, abspath: str, is_dir: bool) -> bool:
        if not self._groups:
            return False
        rel = os.path.relpath(abspath, self.root)
        if rel == ".." or rel.startswith(".." + os.sep):
            return False  # outside the folder these patterns belong to
        rel = Path(rel).as_posix()
        if self._specs is None:
            self._specs = [(base, _spec(lines)) for base, lines in self._groups]
        result = False
        for base, spec in self._specs:
            if base:
                if not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1 :]
            else:
                sub = rel
            verdict = spec.check_file(sub + "/" if is_dir else sub).include
            if verdict is not None:
                result = verdict
        return result


def _spec(lines: list[str]) -> pathspec.GitIgnoreSpec:
    """The lines as one pathspec spec; a line git cannot read either (`foo\\`, a trailing
    backslash: pathspec raises) is left out, as git leaves it out. pathspec is imported on
    first use: its import costs a small run tens of milliseconds."""
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:
        valid = []
        for line in lines:
            try:
                pathspec.GitIgnoreSpec.from_lines([line])
            except ValueError:
                continue
            valid.append(line)
        return pathspec.GitIgnoreSpec.from_lines(valid)


def git_root(path: str) -> str | None:
    d = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(path))
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def discover(
    paths: list[str],
    root: str,
    exclude: list[str] | tuple[str, ...] = (),
    respect_gitignore: bool = True,
    cwd: str | None = None,
) -> list[SourceFile]:
    """Every file under `paths` that ansopt reads, classified, in a stable order.

    Folders are walked with the skip list, the `exclude` patterns and .gitignore applied. A
    file named explicitly (as pre-commit passes them) is checked against `exclude` only: a
    git-ignored file someone names on purpose is still read.
    """
    cwd = cwd or os.getcwd()
    excludes = IgnoreRules(root)
    for pat in exclude:
        excludes.add(pat)
    gitignores: dict[str, IgnoreRules] = {}  # repository root -> its .gitignore rules
    seen: set[str] = set()
    out: list[SourceFile] = []

    def git_rules(folder: str) -> IgnoreRules | None:
        """The .gitignore rules that apply in `folder`: every .gitignore from the repository
        root (or the project root, outside a repository) down to it."""
        if not respect_gitignore:
            return None
        top = git_root(folder) or os.path.abspath(root)
        rules = gitignores.setdefault(top, IgnoreRules(top))
        d = os.path.abspath(folder)
        chain = []
        while d.startswith(top + os.sep) or d == top:
            chain.append(d)
            if d == top:
                break
            d = os.path.dirname(d)
        for folder_ in reversed(chain):
            rules.add_gitignore(os.path.join(folder_, ".gitignore"))
        return rules

    def add(abspath: str, explicit: bool, rules: IgnoreRules | None) -> None:
        real = os.path.realpath(abspath)
        if real in seen:
            return  # a symlink and its target (or a path given twice): checked once
        kind = classify(abspath)
        if kind is None or kind == OTHER:
            return
        if (excludes.ignored_path(abspath) if explicit else excludes.ignored(abspath, False)) or (
            not explicit and rules is not None and rules.ignored(abspath, False)
        ):
            return
        seen.add(real)
        out.append(SourceFile(display_path(abspath, cwd), abspath, kind))

    for raw in paths:
        ap = os.path.abspath(os.path.join(cwd, raw))
        if os.path.isdir(ap):
            if excludes.ignored_path(os.path.join(ap, ".")) and ap != os.path.abspath(root):
                continue
            for dirpath, dirnames, filenames in os.walk(ap):
                rules = git_rules(dirpath)
                keep = []
                for d in sorted(dirnames):
                    full = os.path.join(dirpath, d)
                    if d in SKIP_DIRS or d.endswith(".egg-info"):
                        continue
                    if os.path.isfile(os.path.join(full, "pyvenv.cfg")):
                        continue  # a virtual environment under another name
                    if excludes.ignored(full, True) or (rules is not None and rules.ignored(full, True)):
                        continue
                    keep.append(d)
                dirnames[:] = keep
                for fn in sorted(filenames):
                    add(os.path.join(dirpath, fn), False, rules)
        elif os.path.exists(ap) or os.path.islink(ap):
            add(ap, True, None)
    return out


# --------------------------------------------------------------------------- from the content


def is_import_playbook(node: YMap) -> bool:
    """A playbook item that imports another playbook (not a play)."""
    return (
        any(k in node for k in ("import_playbook", "ansible.builtin.import_playbook", "include"))
        and "hosts" not in node
    )


def content_kind(file: YamlFile) -> FileKind:
    """Settle a YAML file's kind from its content: playbook, tasks, inventory or other."""
    root = file.root
    if isinstance(root, YSeq):
        maps = [i for i in root.items if isinstance(i, YMap)]
        if not maps or len(maps) != len(root.items):
            return OTHER
        if any("hosts" in m or is_import_playbook(m) for m in maps):
            return PLAYBOOK
        from . import knowledge

        K = knowledge.get()
        for m in maps:
            for k in m.keys():
                if not isinstance(k, str):
                    continue
                if k in (
                    "block",
                    "include_tasks",
                    "import_tasks",
                    "include_role",
                    "import_role",
                    "action",
                    "local_action",
                ):
                    return TASKS
                if k in K.task_keywords or k.startswith("with_"):
                    continue
                if k.count(".") >= 2 or K.canonical_module(k) != k:
                    return TASKS
        return OTHER
    if isinstance(root, YMap):
        vals = [v for _, v in root.pairs]
        if vals and all(isinstance(v, YMap) or (isinstance(v, YScalar) and v.value is None) for v in vals):
            if any(isinstance(v, YMap) and any(k in v for k in ("hosts", "children")) for v in vals):
                return INVENTORY
    return OTHER
