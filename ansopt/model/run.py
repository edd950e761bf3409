"""What a play runs: its tasks, roles (with dependencies), included and imported task files,
templates and vars files, followed as far as their names are literal.

Anything ansopt cannot follow (a templated include, a role it cannot find, a template that is
not there) is recorded in `unknown`, so that rules can stay silent rather than guess.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..source.yamlfile import YamlFile, YMap, YNode, YScalar
from .project import INCLUDE_ROLES, Play, Role, TaskFile
from .tasks import Task, is_template, walk_tasks

TEMPLATE_MODULES = frozenset(
    {"ansible.builtin.template", "ansible.windows.win_template", "community.windows.win_template"}
)
INCLUDE_VARS = frozenset({"ansible.builtin.include_vars"})
TASK_INCLUDES = frozenset(
    {"ansible.builtin.include_tasks", "ansible.builtin.import_tasks", "include", "ansible.builtin.include"}
)
_LOOKUP_TEMPLATE = re.compile(r"""(?:lookup|query|q)\(\s*['"]template['"]\s*,\s*['"]([^'"]+)['"]""")


@dataclass
class RunTask:
    task: Task
    role: Role | None
    section: str  # pre_tasks, roles, tasks, post_tasks, handlers


@dataclass
class Unknown:
    reason: str
    file: YamlFile
    node: YNode


@dataclass
class PlayRun:
    play: Play
    tasks: list[RunTask] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    files: list[YamlFile] = field(default_factory=list)  # task files and vars files read
    templates: list[str] = field(default_factory=list)  # absolute paths of templates used
    unknown: list[Unknown] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unknown

    def texts(self) -> list[tuple[str, str]]:
        """(label, text) of everything the play templates: its own text, the files it reads,
        role defaults and vars, templates."""
        out = [(self.play.file.path, self.play.file.text[self.play.node.start : self.play.node.end])]
        seen = set()
        for f in self.files:
            if id(f) not in seen:
                seen.add(id(f))
                out.append((f.path, f.text))
        for path in self.templates:
            try:
                out.append((path, self.play.project.reader.read_lenient(path)))
            except OSError:  # unreadable: _template() recorded it as unknown
                continue
        return out


def _arg_str(task: Task, *names: str) -> str | None:
    args = task.args
    for n in names:
        v = args.get(n)
        if isinstance(v, str):
            return v
    if task.free_form and "_raw_params" in args and isinstance(args["_raw_params"], str):
        return args["_raw_params"].split()[0] if args["_raw_params"].split() else None
    return None


class Expander:
    """Follows a play into everything it runs; cycle-safe."""

    def __init__(self, play: Play):
        self.play = play
        self.project = play.project
        self.run = PlayRun(play)
        self._seen_files: set[tuple[str, str | None]] = set()
        self._seen_roles: set[str] = set()
        self._pb_dir = os.path.dirname(play.file_abspath)

    def expand(self) -> PlayRun:
        p = self.play
        self._vars_files(p.node.get("vars_files"), p.file)
        self._tasks(p.sections["pre_tasks"], None, "pre_tasks", p.file_abspath)
        for ref in p.roles:
            if ref.role is None:
                self.run.unknown.append(Unknown(f"role {ref.name!r} not found", ref.file, ref.node))
            else:
                self._role(ref.role, "roles")
        for sec in ("tasks", "post_tasks", "handlers"):
            self._tasks(p.sections[sec], None, sec, p.file_abspath)
        return self.run

    # ---------------------------------------------------------------- pieces
    def _role(self, role: Role, section: str, tasks_from: str | None = None, handlers: bool = True) -> None:
        key = f"{role.path}:{tasks_from or 'main'}"
        if key in self._seen_roles:
            return
        self._seen_roles.add(key)
        if role not in self.run.roles:
            self.run.roles.append(role)
        for dep in role.dependencies:
            if dep.role is None:
                self.run.unknown.append(Unknown(f"role dependency {dep.name!r} not found", dep.file, dep.node))
            else:
                self._role(dep.role, section)
        for f in (role.defaults, role.vars):
            if f is not None:
                self.run.files.append(f)
        tf = role.tasks
        if tasks_from:
            target = self.project.resolve_task_file(
                tasks_from if tasks_from.endswith((".yml", ".yaml")) else tasks_from + ".yml",
                os.path.join(role.path, "tasks", "main.yml"),
                role,
            )
            if target is None:
                self.run.unknown.append(
                    Unknown(f"tasks_from {tasks_from!r} of role {role.name} not found", self.play.file, self.play.node)
                )
                tf = None
            else:
                y = self.project.yaml(target)
                tf = TaskFile(y, "task") if y is not None else None
        if tf is not None:
            self.run.files.append(tf.file)
            self._tasks(tf.tasks, role, section, os.path.join(role.path, "tasks", "main.yml"))
        if handlers and role.handlers is not None:
            self.run.files.append(role.handlers.file)
            self._tasks(role.handlers.tasks, role, "handlers", os.path.join(role.path, "handlers", "main.yml"))

    def _tasks(self, tasks: list[Task], role: Role | None, section: str, from_abspath: str) -> None:
        for t in walk_tasks(tasks):
            self.run.tasks.append(RunTask(t, role, section))
            if t.is_block or t.fqcn is None:
                continue
            if t.fqcn in TASK_INCLUDES:
                self._include_tasks(t, role, section, from_abspath)
            elif t.fqcn in INCLUDE_ROLES:
                self._include_role(t, section)
            elif t.fqcn in TEMPLATE_MODULES:
                self._template(t, _arg_str(t, "src"), role, from_abspath)
            elif t.fqcn in INCLUDE_VARS:
                self._include_vars(t, role, from_abspath)
            for s in t.strings():
                for m in _LOOKUP_TEMPLATE.finditer(s.value):
                    self._template(t, m.group(1), role, from_abspath)

    def _include_tasks(self, t: Task, role: Role | None, section: str, from_abspath: str) -> None:
        name = _arg_str(t, "file", "_raw_params")
        if name is None and t.free_form:
            name = t.free_form.split()[0] if t.free_form.split() else None
        if not name or is_template(name):
            self.run.unknown.append(Unknown("templated include", t.file, t.node))
            return
        target = self.project.resolve_task_file(
            name,
            self._abspath_of(t.file, from_abspath),
            role,
            self._pb_dir,
            "handlers" if section == "handlers" else "tasks",
        )
        if target is None:
            self.run.unknown.append(Unknown(f"included file {name!r} not found", t.file, t.node))
            return
        key = (target, role.path if role else None)
        if key in self._seen_files:
            return
        self._seen_files.add(key)
        y = self.project.yaml(target)
        if y is None:
            self.run.unknown.append(Unknown(f"included file {name!r} does not parse", t.file, t.node))
            return
        self.run.files.append(y)
        self._tasks(TaskFile(y, "handler" if section == "handlers" else "task").tasks, role, section, target)

    def _include_role(self, t: Task, section: str) -> None:
        args = t.args
        name = args.get("name") or args.get("role")
        if not isinstance(name, str) or is_template(name):
            self.run.unknown.append(Unknown("templated role name", t.file, t.node))
            return
        role = self.project.find_role(name, self._pb_dir)
        if role is None:
            self.run.unknown.append(Unknown(f"role {name!r} not found", t.file, t.node))
            return
        tasks_from = args.get("tasks_from")
        if tasks_from is not None and (not isinstance(tasks_from, str) or is_template(tasks_from)):
            self.run.unknown.append(Unknown("templated tasks_from", t.file, t.node))
            return
        self._role(role, section, tasks_from)

    def _template(self, t: Task, src: str | None, role: Role | None, from_abspath: str) -> None:
        if not src or is_template(src):
            self.run.unknown.append(Unknown("templated template source", t.file, t.node))
            return
        path = self._find_template(src, role, self._abspath_of(t.file, from_abspath))
        if path is None:
            self.run.unknown.append(Unknown(f"template {src!r} not found", t.file, t.node))
        elif not os.access(path, os.R_OK) and path not in self.project.reader.overlay:
            self.run.unknown.append(Unknown(f"template {src!r} cannot be read", t.file, t.node))
        elif path not in self.run.templates:
            self.run.templates.append(path)

    def _find_template(self, src: str, role: Role | None, from_abspath: str) -> str | None:
        cands = []
        if os.path.isabs(src):
            cands.append(src)
        else:
            if role is not None:
                cands += [os.path.join(role.path, "templates", src), os.path.join(role.path, src)]
            d = os.path.dirname(from_abspath)
            cands += [os.path.join(d, "templates", src), os.path.join(d, src)]
            cands += [os.path.join(self._pb_dir, "templates", src), os.path.join(self._pb_dir, src)]
        for c in cands:
            c = os.path.normpath(c)
            if self.project.reader.exists(c):
                return c
        return None

    def _include_vars(self, t: Task, role: Role | None, from_abspath: str) -> None:
        name = _arg_str(t, "file", "_raw_params")
        if not name or is_template(name):
            return  # a vars file we cannot name: its values are plain data far more often than fact reads
        cands = []
        if role is not None:
            cands.append(os.path.join(role.path, "vars", name))
        cands += [
            os.path.join(os.path.dirname(self._abspath_of(t.file, from_abspath)), "vars", name),
            os.path.join(os.path.dirname(self._abspath_of(t.file, from_abspath)), name),
            os.path.join(self._pb_dir, name),
        ]
        for c in cands:
            c = os.path.normpath(c)
            if self.project.reader.exists(c):
                y = self.project.yaml(c)
                if y is not None:
                    self.run.files.append(y)
                return

    def _vars_files(self, node: Any, file: YamlFile) -> None:
        if node is None:
            return
        items = node.items if hasattr(node, "items") and not isinstance(node, (YMap, YScalar)) else [node]
        for item in items:
            names = []
            if isinstance(item, YScalar) and isinstance(item.value, str):
                names = [item.value]
            elif hasattr(item, "items"):  # a list of alternatives: the first that exists is used
                names = [i.value for i in item.items if isinstance(i, YScalar) and isinstance(i.value, str)]
            for name in names:
                if is_template(name):
                    continue  # templated vars file: its content is data, rarely fact reads
                p = os.path.normpath(os.path.join(self._pb_dir, name))
                if self.project.reader.exists(p):
                    y = self.project.yaml(p)
                    if y is not None:
                        self.run.files.append(y)
                    break

    def _abspath_of(self, file: YamlFile, fallback: str) -> str:
        return self.project.abspath_of(file) or fallback


def expand(play: Play) -> PlayRun:
    return Expander(play).expand()
