"""A task as Ansible reads it: its action (FQCN-resolved), arguments, loop and keywords.

The action is found the way ansible-core's ModuleArgsParser finds it: `action:` /
`local_action:`, else the one key that is neither a task keyword nor `with_*`. Free-form
arguments (`apt: name=x state=present`, `action: yum name=x`) are split with ansible-core's
own ``parse_kv`` (imported only when a file has such a task).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from .. import knowledge
from ..source.yamlfile import YAlias, YamlFile, YMap, YNode, YScalar, YSeq

BLOCK_KEYS = ("block", "rescue", "always")


@lru_cache(maxsize=4096)
def _parse_kv(text: str, check_raw: bool) -> tuple[tuple[str, str], ...]:
    return tuple(knowledge.parse_kv(text, check_raw=check_raw).items())


_SIMPLE = re.compile(r"[^\s='\"\\{}%#]+(?: +[^\s='\"\\{}%#]+)*\Z")
_SIMPLE_KV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=[^\s='\"\\{}%#]+(?: +[A-Za-z_][A-Za-z0-9_]*=[^\s='\"\\{}%#]+)*\Z")


def _fast_parse_kv(text: str, check_raw: bool) -> dict[str, str] | None:
    """parse_kv's result for the plain strings most tasks hold (`uptime`, `ls -la /tmp`,
    `name=git state=present`), without importing ansible-core; None for anything with
    quotes, escapes, templates, line breaks or odd spacing (tests compare with parse_kv)."""
    if _SIMPLE.match(text):
        return {"_raw_params": text}
    if not check_raw and _SIMPLE_KV.match(text):
        return dict(part.split("=", 1) for part in text.split())
    return None


def parse_kv(text: str, check_raw: bool = False) -> dict[str, str]:
    """ansible-core's parse_kv (k=v splitting with quoting rules), cached; the plainest
    strings are split without importing ansible-core."""
    fast = _fast_parse_kv(text, check_raw)
    if fast is not None:
        return fast
    try:
        return dict(_parse_kv(text, check_raw))
    except Exception:  # ansible-core raises on unbalanced quotes and the like
        return {"_raw_params": text}


def short_name(fqcn: str | None) -> str:
    return (fqcn or "").rsplit(".", 1)[-1]


_TEMPLATE = re.compile(r"{{|{%")


def is_template(value: Any) -> bool:
    return isinstance(value, str) and bool(_TEMPLATE.search(value))


class Task:
    """One task (or block) of a play, role or task file."""

    __slots__ = (
        "file",
        "node",
        "kind",
        "parent",
        "index_path",
        "module",
        "fqcn",
        "module_key",
        "args_node",
        "free_form",
        "_args",
        "loop_key",
        "loop_node",
        "is_block",
        "children",
        "delegate_local",
    )

    def __init__(self, file: YamlFile, node: YMap, kind: str = "task", parent: Task | None = None):
        self.file = file
        self.node = node
        self.kind = kind  # "task" or "handler"
        self.parent = parent
        self.module: str | None = None  # as written
        self.fqcn: str | None = None
        self.module_key: YNode | None = None
        self.args_node: YNode | None = None
        self.free_form: str | None = None
        self._args: dict[str, Any] | None = None
        self.loop_key: str | None = None
        self.loop_node: YNode | None = None
        self.is_block = any(k in node for k in BLOCK_KEYS)
        self.children: dict[str, list[Task]] = {}
        self.delegate_local = False
        self._analyse()

    # ---------------------------------------------------------------- parsing
    def _analyse(self) -> None:
        K = knowledge.get()
        keywords = K.task_keywords
        for k, v in self.node.pairs:
            if not isinstance(k, YScalar) or not isinstance(k.value, str):
                continue
            key = k.value
            if key == "loop" or (key.startswith("with_") and key not in keywords):
                self.loop_key, self.loop_node = key, v
                continue
            if self.is_block:
                continue
            if key in ("action", "local_action"):
                self._old_style(k, v, key == "local_action")
            elif key not in keywords and self.module is None:
                self.module = key
                self.module_key = k
                self.args_node = v
                if isinstance(v, YScalar) and isinstance(v.value, str):
                    self.free_form = v.value
        if self.module is not None:
            self.fqcn = K.canonical_module(self.module)

    def _old_style(self, key: YNode, value: YNode, local: bool) -> None:
        self.delegate_local = local
        self.module_key = key
        if isinstance(value, YScalar) and isinstance(value.value, str):
            text = value.value.strip()
            name, _, rest = text.partition(" ")
            name = name.strip()
            self.module = name or None
            self.args_node = value
            self.free_form = rest.strip()
        elif isinstance(value, YMap):
            mod = value.get("module")
            if isinstance(mod, YScalar) and isinstance(mod.value, str):
                name, _, rest = mod.value.strip().partition(" ")
                self.module = name
                self.args_node = value
                self.free_form = rest.strip() or None

    # ---------------------------------------------------------------- accessors
    @property
    def args(self) -> dict[str, Any]:
        """The module arguments as Ansible would see them (before templating)."""
        if self._args is None:
            self._args = self._compute_args()
        return self._args

    def _compute_args(self) -> dict[str, Any]:
        args: dict[str, Any] = {}
        extra = self.node.get("args")
        if isinstance(extra, YMap):
            args.update(extra.to_data())
        node = self.args_node
        check_raw = (
            self.fqcn in knowledge.get().freeform_actions or (self.module or "") in knowledge.get().freeform_actions
        )
        if isinstance(node, YMap):
            data = node.to_data()
            if (
                "module" in data
                and self.module_key is not None
                and self.module_key.to_data() in ("action", "local_action")
            ):
                data = {k: v for k, v in data.items() if k != "module"}
                if self.free_form:
                    data.update(parse_kv(self.free_form, check_raw))
            args.update(data)
        elif self.free_form is not None:
            args.update(parse_kv(self.free_form, check_raw))
        return args

    def keyword(self, name: str) -> YNode | None:
        return self.node.get(name)

    def has(self, name: str) -> bool:
        return name in self.node

    def value(self, name: str, default: Any = None) -> Any:
        node = self.node.get(name)
        return default if node is None else node.to_data()

    @property
    def name(self) -> str | None:
        v = self.value("name")
        return v if isinstance(v, str) else None

    @property
    def line(self) -> int:
        return self.file.position(self.node.start)[0]

    @property
    def loop_var(self) -> str:
        lc = self.node.get("loop_control")
        if isinstance(lc, YMap):
            lv = lc.get("loop_var")
            if isinstance(lv, YScalar) and isinstance(lv.value, str) and lv.value:
                return lv.value
        return "item"

    def strings(self, skip: tuple[YNode | None, ...] = ()) -> Iterator[YScalar]:
        """Every string scalar in the task (keys excluded), except under the `skip` nodes."""
        skip_ids = {id(s) for s in skip if s is not None}
        for _k, v in self.node.pairs:
            if id(v) in skip_ids:
                continue
            yield from _strings(v, skip_ids)

    def lineage(self) -> Iterator[Task]:
        """This task, then each block around it, innermost first: where an inherited keyword
        (`when`, `tags`, `run_once`, `vars`) may be set."""
        t: Task | None = self
        while t is not None:
            yield t
            t = t.parent

    def all_tasks(self) -> Iterator[Task]:
        """This task and, for a block, every task inside it."""
        yield self
        for lst in self.children.values():
            for t in lst:
                yield from t.all_tasks()

    def __repr__(self) -> str:
        return f"Task({self.module or ('block' if self.is_block else '?')}@{self.file.path}:{self.line})"


def _strings(node: YNode, skip_ids: set[int]) -> Iterator[YScalar]:
    if id(node) in skip_ids:
        return
    if isinstance(node, YScalar):
        if isinstance(node.value, str):
            yield node
    elif isinstance(node, YMap):
        for k, v in node.pairs:
            if isinstance(k, YScalar) and isinstance(k.value, str) and _TEMPLATE.search(k.value):
                yield k
            yield from _strings(v, skip_ids)
    elif isinstance(node, YSeq):
        for i in node.items:
            yield from _strings(i, skip_ids)
    elif isinstance(node, YAlias):
        yield from _strings(node.target, skip_ids)


def iter_task_list(file: YamlFile, seq: YNode | None, kind: str = "task", parent: Task | None = None) -> Iterator[Task]:
    """The top-level tasks (and blocks) of a task list; a block's tasks are in `children`."""
    if not isinstance(seq, YSeq):
        return
    for item in seq.items:
        if not isinstance(item, YMap):
            continue
        task = Task(file, item, kind, parent)
        if task.is_block:
            for key in BLOCK_KEYS:
                task.children[key] = list(iter_task_list(file, item.get(key), kind, task))
        yield task


def walk_tasks(tasks: list[Task]) -> Iterator[Task]:
    """Every task of a list, blocks opened (a block itself is yielded before its tasks)."""
    for t in tasks:
        yield from t.all_tasks()
