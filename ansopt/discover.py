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
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec, RegexPattern

    from .source.yamlfile import YamlFile, YMap


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
        ".ansopt",  # the timing callback's output (.ansopt/timings.jsonl)
        ".ansopt_cache",
    }
)

YAML_EXT = (".yml", ".yaml")
# files of tools that create and destroy the hosts a project configures (a lab rebuilt with the
# same host names on every `vagrant up`): read by C201, stamped by the result cache
REBUILD_FILES = ("Vagrantfile", "*.tf", "*.pkr.hcl", "*.pkr.json", "packer.json", ".kitchen.yml", "kitchen.yml")
ROLE_OTHER_PARTS = frozenset(
    {"files", "library", "module_utils", "filter_plugins", "lookup_plugins", "action_plugins", "callback_plugins"}
)
ROLE_PARTS = {"tasks": TASKS, "handlers": HANDLERS, "defaults": VARS, "vars": VARS, "meta": META, "templates": TEMPLATE}
# YAML files that are never Ansible content, whatever their shape.
NOT_ANSIBLE = re.compile(
    r"(^|/)(\.github/|\.gitlab-ci\.ya?ml$|\.pre-commit-(config|hooks)\.ya?ml$|\.yamllint(\.ya?ml)?$|"
    r"\.ansible-lint$|\.ansopt\.ya?ml$|docker-compose[^/]*\.ya?ml$|compose\.ya?ml$|mkdocs\.ya?ml$|"
    r"changelogs/|molecule/[^/]+/molecule\.ya?ml$|galaxy\.ya?ml$|requirements[^/]*\.ya?ml$|"
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
        if name.startswith("."):
            return None  # `.gitignore`, `.keep`: Ansible's vars plugin skips hidden files
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


_DIR_MARK = "ps_d"  # the group of pathspec's gitignore regexes (0.10 and later) for "a folder here"


class IgnoreRules:
    """Gitignore-style patterns, parsed by pathspec (`GitIgnoreSpec`): settings excludes
    (relative to the settings' folder) and .gitignore files, one spec per file, each relative
    to its own folder. A pattern without a slash matches a name at any depth below its
    folder; with one, it is anchored there; `dir/` matches only folders; `**` any number of
    folders; `!pattern` re-includes; the last pattern matching the path itself wins, a
    deeper .gitignore's over the ones above it (`ignored_path` also checks the folders)."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.specs: list[tuple[str, GitIgnoreSpec]] = []  # (folder relative to root, "" at the root; spec)
        self._rules: list[tuple[str, list[_Rule]]] = []  # the same, each pattern as _Rule
        self._added: list[str] = []  # the patterns given to `add` for the last spec, when it came from `add`
        self._files: set[str] = set()

    @staticmethod
    def _clean(line: str) -> str | None:
        """A pattern as ansopt reads it: outer blanks dropped (pathspec keeps leading ones,
        git does too), a leading `./` meaning the folder itself; None for blanks and comments."""
        line = line.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            return None
        line = line.strip()
        negate = line.startswith("!")
        body = line[1:] if negate else line
        if body.startswith("./"):
            body = body[2:]
        if body.endswith("/**/"):
            body += "*/"  # git's folders inside `x/`, which pathspec would read as x itself
        if not body.strip("/"):
            return None
        return ("!" if negate else "") + body

    @staticmethod
    def _spec(lines: list[str]) -> GitIgnoreSpec:
        """The spec of the lines, an invalid one (`foo\\`, a trailing backslash) left out
        as git leaves it out (a ValueError from pathspec). pathspec is imported here, when
        there is a pattern: it takes ~25 ms, a tenth of a small run."""
        from pathspec import GitIgnoreSpec

        try:
            return GitIgnoreSpec.from_lines(lines)
        except ValueError:
            valid = []
            for line in lines:
                try:
                    GitIgnoreSpec.from_lines([line])
                except ValueError:
                    continue
                valid.append(line)
            return GitIgnoreSpec.from_lines(valid)

    def add(self, pattern: str, base: str = "") -> None:
        """One more pattern relative to `base` (a folder relative to the root)."""
        cleaned = self._clean(pattern)
        if cleaned is None:
            return
        if self.specs and self._added and self.specs[-1][0] == base:
            self._added.append(cleaned)
            self.specs.pop()
            self._rules.pop()
        else:
            self._added = [cleaned]
        self._append(base, self._added)

    def add_gitignore(self, path: str) -> None:
        if path in self._files:
            return
        self._files.add(path)
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                lines = [c for c in map(self._clean, f.read().splitlines()) if c is not None]
        except OSError:
            return
        if not lines:
            return
        base = os.path.relpath(os.path.dirname(path), self.root)
        base = "" if base == "." else Path(base).as_posix()
        self._append(base, lines)
        self._added = []

    def _append(self, base: str, lines: list[str]) -> None:
        from pathspec import RegexPattern

        spec = self._spec(lines)
        self.specs.append((base, spec))
        rules = [_Rule.of(p) for p in spec.patterns if isinstance(p, RegexPattern)]
        self._rules.append((base, [r for r in rules if r is not None]))

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
        if not self._rules:
            return False
        rel = os.path.relpath(abspath, self.root)
        if rel == ".." or rel.startswith(".." + os.sep):
            return False  # outside the folder these patterns belong to
        rel = Path(rel).as_posix()
        result = False
        for base, rules in self._rules:
            if base:
                if not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1 :]
            else:
                sub = rel
            for rule in rules:
                if rule.matches(sub + "/" if is_dir and rule.folder_only else sub):
                    result = rule.include
        return result


@dataclass(frozen=True)
class _Rule:
    """One gitignore pattern as pathspec compiled it, matched against a path itself
    (`_itself`)."""

    include: bool  # False for a `!pattern`
    folder_only: bool  # `name/`
    matches: Callable[[str], object]  # truthy when the pattern matches the path itself

    @classmethod
    def of(cls, pattern: RegexPattern) -> _Rule | None:
        if pattern.regex is None or pattern.include is None:
            return None  # a blank line or a comment
        return cls(bool(pattern.include), str(pattern.pattern).rstrip().endswith("/"), _itself(pattern.regex))


def _itself(regex: re.Pattern[str]) -> Callable[[str], object]:
    """A test of whether a pattern matches a path itself, not only a folder it is in.

    pathspec searches a pattern's regex in the path, and a match through a folder counts
    for everything inside it (`build/` matches `build/gen.yml`): git's verdict with the
    folders above taken into account. Here only the path itself counts (the walk prunes
    ignored folders itself, and a folder named on the command line is read even when one
    above it is ignored), as the matching before pathspec did: the match must end with
    the path, a folder being "name/" for a folder-only pattern and "name" for the others
    (so `docs/**` matches what is inside docs and not docs itself, and `!docs/keep.yml`
    re-includes). Patterns whose regex has no folder mark (`docs/**`, `*`) match
    everything they find."""
    if _DIR_MARK not in regex.groupindex:
        return regex.search
    if regex.pattern.startswith("^"):
        return regex.fullmatch
    return lambda path: any(regex.fullmatch(path, i) for i in range(len(path)))


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
        if not explicit and (os.path.basename(abspath).startswith(".kitchen") or not os.path.exists(abspath)):
            return  # Test Kitchen's settings (ERB, not YAML), or a link to nothing
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
                    if d == "ansible_collections" and os.path.basename(dirpath) == "collections":
                        continue  # collections installed into the project (`collections_path = ./collections`)
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
    from .source.yamlfile import YMap, YScalar, YSeq  # not at import: the cache's fast path needs none

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
