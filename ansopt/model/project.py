"""What Ansible will run: playbooks, plays, roles, task files, includes, ansible.cfg.

The project loads files lazily and caches them, so that a run over one playbook reads only
that playbook and what it refers to (its roles, included task files, templates, the
ansible.cfg and inventory that apply to it).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from functools import cached_property
from typing import Any

from .. import discover
from ..source import cfgfile, yamlfile
from ..source.cfgfile import CfgFile
from ..source.inventory.load import ini_succeeds
from ..source.reader import Reader
from ..source.yamlfile import YamlFile, YamlLoadError, YMap, YNode, YScalar, YSeq
from . import pins
from .plays import (  # noqa: F401 (re-exported: the model's content classes)
    INCLUDE_ROLES,
    PLAY_TASK_SECTIONS,
    ROLE_SUBDIRS,
    Play,
    Playbook,
    Role,
    RoleRef,
    TaskFile,
    UnknownPlays,
    _import_playbook_target,
    _is_import_playbook,
)
from .purpose import Purposes
from .tasks import Task, is_template, walk_tasks


class Project:
    """The files ansopt reports on, and everything they lead to."""

    def __init__(
        self,
        root: str,
        files: list[discover.SourceFile],
        reader: Reader | None = None,
        cwd: str | None = None,
        env_config: str | None = None,
    ):
        self.root = root
        self.files = files
        self.reader = reader or Reader()
        self.cwd = cwd or os.getcwd()
        self.env_config = env_config  # ANSIBLE_CONFIG, when set
        self._yaml: dict[str, YamlFile | None] = {}
        self._cfg: dict[str, CfgFile | None] = {}
        self.errors: dict[str, YamlLoadError] = {}
        self._roles: dict[str, Role] = {}
        self._kinds: dict[str, str] = {}
        self._abs_of: dict[int, str] = {}
        self.by_abspath = {f.abspath: f for f in files}
        self.purposes = Purposes(root, self.reader.read_lenient)
        # caches of what is derived from the files, each filled on first use
        self._extra_playbooks: dict[str, Playbook | None] = {}  # playbook_at, unreported files
        self._cfg_playbooks: dict[str, list[Playbook]] = {}  # playbooks_for_cfg
        self._var_dir_texts: dict[str, list[tuple[str, str]]] = {}  # var_dir_texts
        self._pins: dict[str, tuple[int, int] | None] = {}  # pinned_core
        self._eras: dict[str, tuple[int, int] | None] = {}  # keyword_era
        self.role_use: tuple[set[str] | None] | None = None  # rules._packages.used_roles, once
        self.scopes: dict[tuple[str, str | None], Any] = {}  # model.scope.build_scope
        self.measurements: Any = None  # model.timings.Measurements of recorded runs, if any
        self.memo: dict[str, Any] = {}  # what a rule derives once per project, by a key of its own

    # ---------------------------------------------------------------- loading
    def display(self, abspath: str) -> str:
        f = self.by_abspath.get(abspath)
        return f.path if f is not None else discover.display_path(abspath, self.cwd)

    def yaml(self, abspath: str) -> YamlFile | None:
        if abspath in self._yaml:
            return self._yaml[abspath]
        result: YamlFile | None = None
        text = ""
        try:
            text = self.reader.read(abspath)
            result = yamlfile.load_text(self.display(abspath), text)
            self._abs_of[id(result)] = abspath
        except YamlLoadError as e:
            if not text:  # not UTF-8 (a binary file named .yml, a Latin-1 file): always said
                self.errors[abspath] = e
            elif not _not_yaml(abspath, text, self.by_abspath.get(abspath)) and self._reports_errors(abspath, text):
                self.errors[abspath] = e
        except OSError as e:
            self.errors[abspath] = YamlLoadError(f"cannot read file: {e.strerror or e}", 1, 1)
        self._yaml[abspath] = result
        return result

    def _reports_errors(self, abspath: str, text: str) -> bool:
        """Is a parse error in this file worth an E001? Not in documentation, role tests
        or vendored roles (as the rules skip them), nor in a YAML file of no known kind
        whose text shows no Ansible keyword (a Kubernetes manifest, a tool's settings)."""
        from .purpose import DOCS, TEST, VENDORED

        if self.purposes.of(abspath) & {DOCS, TEST, VENDORED}:
            return False
        rel = os.path.relpath(abspath, self.root)
        folders = [] if rel.startswith("..") else rel.split(os.sep)[:-1]
        if any(p.startswith(".") or p == "template" for p in folders):
            return False  # a hidden folder (a scaffold copied by hand: roles/.template), templates
        source = self.by_abspath.get(abspath)
        return source is None or source.kind != discover.YAML or bool(_ANSIBLE_WORDS.search(text))

    def abspath_of(self, file) -> str | None:
        """The absolute path a loaded YamlFile or CfgFile came from."""
        return self._abs_of.get(id(file))

    def cfg(self, abspath: str) -> CfgFile | None:
        if abspath in self._cfg:
            return self._cfg[abspath]
        result: CfgFile | None = None
        try:
            result = cfgfile.load_text(self.display(abspath), self.reader.read(abspath))
            self._abs_of[id(result)] = abspath
        except YamlLoadError as e:
            self.errors[abspath] = e
        except OSError as e:
            self.errors[abspath] = YamlLoadError(f"cannot read file: {e.strerror or e}", 1, 1)
        self._cfg[abspath] = result
        return result

    def kind(self, source: discover.SourceFile) -> str:
        """The settled kind of a discovered file (YAML files classified by content)."""
        k = self._kinds.get(source.abspath)
        if k is not None:
            return k
        k = source.kind
        if k == discover.YAML:
            f = self.yaml(source.abspath)
            k = discover.content_kind(f) if f is not None else discover.OTHER
        self._kinds[source.abspath] = k
        return k

    def load_all(self) -> None:
        """Load every reported file (so that parse errors surface)."""
        for f in self.files:
            if f.kind == discover.CFG:
                self.cfg(f.abspath)
            elif f.kind == discover.TEMPLATE:
                continue
            elif f.kind == discover.INVENTORY and not f.abspath.endswith(discover.YAML_EXT):
                continue
            else:
                self.yaml(f.abspath)

    # ---------------------------------------------------------------- views
    def files_of(self, *kinds: str) -> Iterator[discover.SourceFile]:
        for f in self.files:
            if self.kind(f) in kinds:
                yield f

    @cached_property
    def playbooks(self) -> list[Playbook]:
        out = []
        for f in self.files_of(discover.PLAYBOOK):
            y = self.yaml(f.abspath)
            if y is not None:
                out.append(Playbook(self, y, f.abspath))
        return out

    def plays(self) -> Iterator[Play]:
        """Every play of the reported playbooks, in file order."""
        for pb in self.playbooks:
            yield from pb.plays

    @cached_property
    def task_files(self) -> list[TaskFile]:
        """Task and handler files among the reported files."""
        out = []
        for f in self.files_of(discover.TASKS, discover.HANDLERS):
            y = self.yaml(f.abspath)
            if y is not None:
                out.append(TaskFile(y, "handler" if self.kind(f) == discover.HANDLERS else "task"))
        return out

    def playbook_at(self, abspath: str) -> Playbook | None:
        """A playbook by path, loaded even when it is not among the reported files."""
        for pb in self.playbooks:
            if pb.abspath == abspath:
                return pb
        cache = self._extra_playbooks
        if abspath not in cache:
            y = self.yaml(abspath) if self.reader.exists(abspath) else None
            cache[abspath] = Playbook(self, y, abspath) if y is not None else None
        return cache[abspath]

    @cached_property
    def run_sequences(self) -> list[list[Play | UnknownPlays]]:
        """The plays of each playbook run, `import_playbook` followed, in order; an import
        ansopt cannot follow is an `UnknownPlays` in its place.

        A reported playbook that another one imports is still a sequence of its own (it can
        be run alone), so a play appears in every sequence that runs it.
        """
        out = []

        def flatten(pb: Playbook, stack: tuple[str, ...]) -> list[Play | UnknownPlays]:
            plays: list[Play | UnknownPlays] = []
            root = pb.file.root
            if not isinstance(root, YSeq):
                return plays
            by_node = {id(p.node): p for p in pb.plays}
            base = os.path.dirname(pb.abspath)
            for item in root.items:
                if not isinstance(item, YMap):
                    continue
                if id(item) in by_node:
                    plays.append(by_node[id(item)])
                    continue
                target = _import_playbook_target(item)
                if target and not is_template(target):
                    path = os.path.normpath(os.path.join(base, target))
                    if path not in stack:
                        sub = self.playbook_at(path)
                        if sub is not None:
                            plays.extend(flatten(sub, stack + (path,)))
                        else:
                            plays.append(
                                UnknownPlays(pb.file, item, f"imported playbook {target!r} not found or not readable")
                            )
                elif target:
                    plays.append(UnknownPlays(pb.file, item, f"templated import_playbook {target!r}"))
            return plays

        for pb in self.playbooks:
            out.append(flatten(pb, (pb.abspath,)))
        return out

    def all_task_lists(self) -> Iterator[tuple[YamlFile, list[Task]]]:
        """Every task list among the reported files: play sections and task files."""
        for pb in self.playbooks:
            for play in pb.plays:
                for key in (*PLAY_TASK_SECTIONS, "handlers"):
                    yield pb.file, play.sections[key]
        for tf in self.task_files:
            yield tf.file, tf.tasks

    def all_tasks(self) -> Iterator[Task]:
        for _, tasks in self.all_task_lists():
            yield from walk_tasks(tasks)

    @cached_property
    def cfg_files(self) -> list[CfgFile]:
        out = []
        for f in self.files_of(discover.CFG):
            c = self.cfg(f.abspath)
            if c is not None:
                out.append(c)
        return out

    # ---------------------------------------------------------------- roles and includes
    def find_role(self, name: str, base_dir: str) -> Role | None:
        if is_template(name):
            return None
        candidates = []
        if os.path.isabs(name):
            candidates.append(name)
        else:
            # as ansible-core's RoleDefinition looks: <playbook dir>/roles, the roles_path of
            # ansible.cfg, then the playbook's folder itself
            candidates.append(os.path.join(base_dir, "roles", name))
            for extra in self.roles_paths(base_dir):
                candidates.append(os.path.join(extra, name))
            candidates.append(os.path.join(base_dir, name))
        for c in candidates:
            c = os.path.normpath(c)
            if c in self._roles:
                return self._roles[c]
            if os.path.isdir(c) and any(os.path.isdir(os.path.join(c, s)) for s in ROLE_SUBDIRS):
                role = Role(self, os.path.basename(c) if not name.count(".") == 2 else name, c)
                self._roles[c] = role
                return role
        return None

    def roles_paths(self, base_dir: str) -> list[str]:
        """`roles_path` of the ansible.cfg that applies in `base_dir` (relative entries are
        relative to the cfg's folder, as ansible-core resolves path settings). The user's and
        system role folders (~/.ansible/roles, /etc/ansible/roles...) are not the project's."""
        cfg_path = self.applicable_cfg(os.path.join(base_dir, "playbook.yml"))
        cfg = self.cfg(cfg_path) if cfg_path else None
        if cfg is None or cfg_path is None:
            return []
        opt = cfg.get("defaults", "roles_path")
        if opt is None:
            return []
        base = os.path.dirname(cfg_path)
        out = []
        for p in opt.value.replace(",", ":").split(":"):
            p = os.path.expanduser(p.strip())
            if p:
                out.append(os.path.join(base, p))
        return out

    def role_refs(self, node: YNode | None, file: YamlFile, base_dir: str, via: str) -> list[RoleRef]:
        out: list[RoleRef] = []
        if not isinstance(node, YSeq):
            return out
        for item in node.items:
            name = None
            params: dict[str, Any] = {}
            if isinstance(item, YScalar) and isinstance(item.value, str):
                name = item.value
            elif isinstance(item, YMap):
                data = item.to_data()
                name = data.get("role") or data.get("name")
                params = data
            if not isinstance(name, str) or not name:
                continue
            out.append(RoleRef(name, item, file, self.find_role(name, base_dir), via, params))
        return out

    def role_of_file(self, abspath: str) -> Role | None:
        """The role a file belongs to (`.../roles/NAME/<tasks|handlers|...>/...`), if any."""
        parts = os.path.normpath(abspath).split(os.sep)
        for i in range(len(parts) - 3, -1, -1):
            if parts[i] == "roles" and parts[i + 2] in ROLE_SUBDIRS:
                path = os.sep.join(parts[: i + 2]) or os.sep
                if path not in self._roles:
                    self._roles[path] = Role(self, parts[i + 1], path)
                return self._roles[path]
        # a role repository of its own (ansible-role-docker: tasks/, meta/main.yml at its top)
        if len(parts) >= 3 and parts[-2] in ROLE_SUBDIRS:
            path = os.sep.join(parts[:-2]) or os.sep
            if any(self.reader.exists(os.path.join(path, "meta", m)) for m in ("main.yml", "main.yaml")):
                if path not in self._roles:
                    self._roles[path] = Role(self, parts[-3], path)
                return self._roles[path]
        return None

    def resolve_task_file(
        self,
        target: str,
        from_abspath: str,
        role: Role | None = None,
        playbook_dir: str | None = None,
        subdir: str = "tasks",
    ) -> str | None:
        """Absolute path of an included task file with a literal name, or None.

        As ansible-core's loader looks for it (playbook/helpers.py, DataLoader.path_dwim_relative):
        in a role, `<role>/tasks/<name>` then `<role>/<name>`; elsewhere the including file's
        folder (for a file included from another included file) and then the playbook's
        folder. ansible-core does not look in a `tasks/` folder next to a playbook.
        """
        if not target or is_template(target):
            return None
        candidates = []
        if os.path.isabs(target) or target.startswith("~"):
            candidates.append(os.path.expanduser(target))
        else:
            if role is not None:
                candidates.append(os.path.join(role.path, subdir, target))
                candidates.append(os.path.join(role.path, target))
            candidates.append(os.path.join(os.path.dirname(from_abspath), target))
            if playbook_dir:
                candidates.append(os.path.join(playbook_dir, target))
        found = self.task_file_candidates(candidates)
        return found[0] if found else None

    def task_file_candidates(self, candidates: list[str]) -> list[str]:
        out: list[str] = []
        for c in candidates:
            c = os.path.normpath(c)
            if c not in out and self.reader.exists(c):
                out.append(c)
        return out

    def task_file_choices(
        self, target: str, from_abspath: str, role: Role | None = None, playbook_dir: str | None = None
    ) -> list[str]:
        """Every existing file an include of `target` could mean (the first is the one ansopt
        follows). More than one: `include_tasks` (resolved at run time, from the including
        file's folder) and `import_tasks` (at parse time) may load different files."""
        if not target or is_template(target):
            return []
        if os.path.isabs(target) or target.startswith("~"):
            return self.task_file_candidates([os.path.expanduser(target)])
        cands = []
        if role is not None:
            cands += [os.path.join(role.path, "tasks", target), os.path.join(role.path, target)]
        cands.append(os.path.join(os.path.dirname(from_abspath), target))
        if playbook_dir:
            cands.append(os.path.join(playbook_dir, target))
        return self.task_file_candidates(cands)

    # ---------------------------------------------------------------- what a cfg reaches
    def playbooks_for_cfg(self, cfg_abspath: str) -> list[Playbook]:
        """Playbooks under the cfg's folder that this cfg applies to (reported or not)."""
        if cfg_abspath in self._cfg_playbooks:
            return self._cfg_playbooks[cfg_abspath]
        base = os.path.dirname(cfg_abspath)
        out = []
        for f in discover.discover([base], self.root, cwd=self.cwd):
            if f.kind not in (discover.YAML, discover.PLAYBOOK):
                continue
            if self.applicable_cfg(f.abspath) != cfg_abspath:
                continue
            y = self.yaml(f.abspath)
            if y is None:
                continue
            if discover.content_kind(y) == discover.PLAYBOOK:
                out.append(self.playbook_at(f.abspath) or Playbook(self, y, f.abspath))
        self._cfg_playbooks[cfg_abspath] = out
        return out

    def run_playbooks_for_cfg(self, cfg_abspath: str) -> list[Playbook]:
        """The playbooks of `playbooks_for_cfg` that a run under this cfg starts: not
        documentation, role tests (`roles/x/tests/test.yml` as `ansible-galaxy init` writes
        it), Molecule scenarios or Zuul jobs (their runner writes its own configuration)."""
        from .purpose import DOCS, TEST, ZUUL

        return [
            pb for pb in self.playbooks_for_cfg(cfg_abspath) if not self.purposes.of(pb.abspath) & {DOCS, TEST, ZUUL}
        ]

    def pinned_core(self, folder: str) -> tuple[int, int] | None:
        """The newest ansible-core the Ansible pins at `folder` or above allow (model.pins),
        or that the project's own keywords allow: `sudo:` / `su:` on plays, blocks or tasks
        were removed in Ansible 2.9, so a project written with them runs 2.8 at most."""
        if folder not in self._pins:
            found = pins.pinned_core(self.root, folder, self.reader.read_lenient)
            cfg = self.applicable_cfg(os.path.join(os.path.abspath(folder), "x"))
            era = self.keyword_era(os.path.dirname(cfg) if cfg else self.root)
            self._pins[folder] = min(found, era) if found is not None and era is not None else (found or era)
        return self._pins[folder]

    def keyword_era(self, base: str) -> tuple[int, int] | None:
        """For the files under `base` (the folder of the ansible.cfg that applies, else the
        project root: one old corner of a repository says nothing of the rest): (2, 8) when a
        play, block or task uses a keyword Ansible 2.9 removed; (2, 1) when a task loops over a
        bare variable name (`with_items: app_packages`), which Ansible 2.2 stopped expanding;
        else None."""
        base = os.path.abspath(base)
        if base in self._eras:
            return self._eras[base]

        def under(file) -> bool:
            p = self.abspath_of(file)
            return p is not None and (p + os.sep).startswith(base + os.sep)

        removed = pins.REMOVED_IN_2_9
        era: tuple[int, int] | None = None
        if any(under(play.file) and any(k in play.node for k in removed) for play in self.plays()):
            era = (2, 8)
        elif any(under(t.file) and any(t.has(k) for k in removed) for t in self.all_tasks()):
            era = (2, 8)
        elif any(under(t.file) and _bare_loop(t) for t in self.all_tasks()):
            era = (2, 1)  # bare-name loops stopped working in 2.2 (taken as one string)
        self._eras[base] = era
        return era

    def var_dir_texts(self, folder: str) -> list[tuple[str, str]]:
        """(display path, text) of every file under `folder`'s group_vars and host_vars."""
        if folder not in self._var_dir_texts:
            found = []
            for sub in ("group_vars", "host_vars"):
                base = os.path.join(folder, sub)
                if not os.path.isdir(base):
                    continue
                for dirpath, _, names in os.walk(base):
                    for n in sorted(names):
                        p = os.path.join(dirpath, n)
                        try:
                            found.append((self.display(p), self.reader.read(p)))
                        except Exception:
                            continue
            self._var_dir_texts[folder] = found
        return self._var_dir_texts[folder]

    # ---------------------------------------------------------------- settings files
    def applicable_cfg(self, abspath: str) -> str | None:
        """The ansible.cfg a run started next to `abspath` would read.

        ANSIBLE_CONFIG (when set) wins; otherwise the nearest ansible.cfg in the file's folder
        or above it, up to the project root (where `ansible-playbook` is normally run from).
        ansible-core never merges it with ~/.ansible.cfg or /etc/ansible/ansible.cfg.
        """
        if self.env_config:
            return self.env_config if self.reader.exists(self.env_config) else None
        d = os.path.dirname(abspath)
        while True:
            c = os.path.join(d, "ansible.cfg")
            if self.reader.exists(c):
                return c
            if self._boundary(d):
                return None
            d = os.path.dirname(d)

    def _boundary(self, d: str) -> bool:
        """Where upward searches stop: the project root, a repository root, the top."""
        d = os.path.abspath(d)
        return d == os.path.abspath(self.root) or os.path.dirname(d) == d or os.path.exists(os.path.join(d, ".git"))


def _bare_loop(task) -> bool:
    """`with_items: some_packages` (a variable-looking bare word, not a template)."""
    if task.loop_key is None or not task.loop_key.startswith("with_"):
        return False
    v = getattr(task.loop_node, "value", None)
    return isinstance(v, str) and bool(re.fullmatch(r"[A-Za-z_]\w*([.]\w+)*", v.strip())) and ("_" in v or "." in v)


_ANSIBLE_WORDS = re.compile(
    r"^[ \t-]*(hosts|tasks|roles|pre_tasks|post_tasks|handlers|import_playbook|include_tasks|import_tasks|"
    r"include_role|import_role|block|gather_facts|become)\s*:",
    re.MULTILINE,
)
_INI_GROUP = re.compile(r"^\[[A-Za-z0-9_.:-]+\][ \t]*$", re.MULTILINE)
_JINJA_BLOCK = re.compile(
    r"\{%-?\s*(if|for|set|macro|raw|include|import|from|block|extends)\b|\{#"
    r"|^[ \t]*-?[ \t]*['\"]?\{\{[^}\n]*\}\}[^:\n]*:",  # a templated key: `{{ role_name }}_port: 80`
    re.MULTILINE,
)


def _not_yaml(abspath: str, text: str, source: discover.SourceFile | None) -> bool:
    """A `.yml` file that does not parse and is not meant to be read as YAML: a Jinja
    template (`{% if %}`, `{% for %}`, `{# #}`, a `{{ }}` key: rendered by a `template`
    task or a tool before anyone reads it), or an INI inventory that ansible-core's ini plugin
    reads after its yaml plugin refused the file. No parse error for those."""
    if _JINJA_BLOCK.search(text):
        return True
    if source is not None and source.kind == discover.INVENTORY:
        return ini_succeeds(abspath, text)
    if source is not None and source.kind == discover.YAML and _INI_GROUP.search(text):
        return ini_succeeds(abspath, text)  # an INI inventory named .yml, passed with -i
    return False
