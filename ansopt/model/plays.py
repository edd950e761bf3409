"""What a playbook holds: plays, the roles they name, their task files (model/project.py
finds and loads them; these classes read them)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .. import discover
from ..source.yamlfile import YamlFile, YMap, YNode, YScalar, YSeq
from .tasks import Task, is_template, iter_task_list, walk_tasks

if TYPE_CHECKING:
    from .project import Project
    from .run import PlayRun

PLAY_TASK_SECTIONS = ("pre_tasks", "tasks", "post_tasks")
ROLE_SUBDIRS = ("tasks", "handlers", "defaults", "vars", "meta", "templates", "files")
INCLUDE_ROLES = frozenset({"ansible.builtin.include_role", "ansible.builtin.import_role"})


@dataclass
class RoleRef:
    """A role named by a play's `roles:`, a role dependency or an include/import_role task."""

    name: str
    node: YNode
    file: YamlFile
    role: Role | None
    via: str  # "play", "dependency", "include_role", "import_role"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class TaskFile:
    """A list of tasks in its own file (role tasks/handlers, or an included file)."""

    file: YamlFile
    kind: str  # "task" or "handler"

    @cached_property
    def tasks(self) -> list[Task]:
        root = self.file.root
        return list(iter_task_list(self.file, root, self.kind))


class Role:
    def __init__(self, project: Project, name: str, path: str):
        self.project = project
        self.name = name
        self.path = path

    def _yaml(self, sub: str, base: str = "main") -> YamlFile | None:
        for ext in (".yml", ".yaml", ""):
            p = os.path.join(self.path, sub, base + ext)
            if self.project.reader.exists(p):
                return self.project.yaml(p)
        return None

    @cached_property
    def tasks(self) -> TaskFile | None:
        f = self._yaml("tasks")
        return TaskFile(f, "task") if f is not None else None

    @cached_property
    def handlers(self) -> TaskFile | None:
        f = self._yaml("handlers")
        return TaskFile(f, "handler") if f is not None else None

    @cached_property
    def defaults(self) -> YamlFile | None:
        return self._yaml("defaults")

    @cached_property
    def vars(self) -> YamlFile | None:
        return self._yaml("vars")

    @cached_property
    def meta(self) -> YamlFile | None:
        return self._yaml("meta")

    @cached_property
    def dependencies(self) -> list[RoleRef]:
        meta = self.meta
        if meta is None or not isinstance(meta.root, YMap):
            return []
        deps = meta.root.get("dependencies")
        # a dependency is looked up beside the role (its roles/ folder), then as any role
        return self.project.role_refs(deps, meta, os.path.dirname(self.path), "dependency")

    def __repr__(self) -> str:
        return f"Role({self.name})"


class Play:
    def __init__(self, playbook: Playbook, node: YMap, index: int):
        self.playbook = playbook
        self.file = playbook.file
        self.node = node
        self.index = index
        # computed once by later stages and kept with the play (rules/_gathering.py)
        self.expanded: PlayRun | None = None  # model.run.expand(play)
        self.fact_advice: tuple[Any] | None = None  # (P201's verdict,) once judged

    @property
    def project(self) -> Project:
        return self.playbook.project

    def value(self, key: str, default: Any = None) -> Any:
        n = self.node.get(key)
        return default if n is None else n.to_data()

    @property
    def name(self) -> str | None:
        v = self.value("name")
        return v if isinstance(v, str) else None

    @cached_property
    def hosts(self) -> str:
        v = self.value("hosts")
        if isinstance(v, list):
            return ",".join(str(x) for x in v)
        return "" if v is None else str(v)

    @cached_property
    def sections(self) -> dict[str, list[Task]]:
        out: dict[str, list[Task]] = {}
        for key in PLAY_TASK_SECTIONS:
            out[key] = list(iter_task_list(self.file, self.node.get(key), "task"))
        out["handlers"] = list(iter_task_list(self.file, self.node.get("handlers"), "handler"))
        return out

    @cached_property
    def roles(self) -> list[RoleRef]:
        return self.project.role_refs(self.node.get("roles"), self.file, os.path.dirname(self.file_abspath), "play")

    @property
    def file_abspath(self) -> str:
        return self.playbook.abspath

    @property
    def is_empty(self) -> bool:
        """No tasks, roles or handlers at all (a play that only gathers facts, say)."""
        return not self.roles and not any(self.sections[k] for k in (*PLAY_TASK_SECTIONS, "handlers"))

    def gathers_facts(self) -> bool | None:
        """Does the play gather facts? None when a template decides.

        `gather_facts` when set (a template: unknown); else ansible.cfg's `gathering`:
        `implicit` (the default) and `smart` gather, `explicit` does not.
        """
        node = self.node.get("gather_facts")
        if node is not None:
            v = node.to_data()
            if isinstance(v, bool):
                return v
            if is_template(v):
                return None
            from .. import knowledge

            return knowledge.get().boolean(v)
        return self.gathering() != "explicit"

    def gathering(self) -> str:
        """The effective `gathering` setting for this play's playbook."""
        from .config import EffectiveConfig

        cfg_path = self.project.applicable_cfg(self.file_abspath)
        cfg = self.project.cfg(cfg_path) if cfg_path else None
        return str(EffectiveConfig(cfg).base("DEFAULT_GATHERING").raw or "implicit").strip().lower()

    def own_tasks(self) -> Iterator[Task]:
        """Tasks written in the play itself (blocks opened), handlers included."""
        for key in (*PLAY_TASK_SECTIONS, "handlers"):
            yield from walk_tasks(self.sections[key])

    def __repr__(self) -> str:
        return f"Play({self.name or self.hosts}@{self.file.path})"


class Playbook:
    def __init__(self, project: Project, file: YamlFile, abspath: str):
        self.project = project
        self.file = file
        self.abspath = abspath

    @cached_property
    def plays(self) -> list[Play]:
        root = self.file.root
        if not isinstance(root, YSeq):
            return []
        out = []
        for i, item in enumerate(root.items):
            if isinstance(item, YMap) and not _is_import_playbook(item):
                out.append(Play(self, item, i))
        return out


@dataclass
class UnknownPlays:
    """Plays a run contains that ansopt cannot see (a templated or missing import_playbook)."""

    file: YamlFile
    node: YNode
    reason: str


_is_import_playbook = discover.is_import_playbook


def _import_playbook_target(node: YMap) -> str | None:
    for k in ("import_playbook", "ansible.builtin.import_playbook", "include"):
        v = node.get(k)
        if isinstance(v, YScalar) and isinstance(v.value, str):
            return v.value.split()[0] if v.value.split() else None
    return None
