"""Ansible inventories, read the way ansible-core's `ini` and `yaml` inventory plugins read them,
without importing ansible-core, and with the position of every host, group and variable.

What is mirrored (ansible-core 2.19 is the reference):

* Source selection. ansible-core tries its inventory plugins in order (script, auto, yaml, ini,
  toml) and keeps the first that succeeds. Here: a file starting with ``#!`` (or named
  ``*.py``/``*.sh``...) is a dynamic inventory script (``dynamic=True``, no hosts); a YAML
  mapping with a ``plugin:`` key is an inventory plugin configuration (``plugin=<name>``, no
  hosts); a vault-encrypted file is ``encrypted=True``; ``*.toml`` is ``format="toml"`` (not
  analysed). A file with no extension or a ``.yml/.yaml/.json`` extension is read as a YAML
  inventory when it is a YAML mapping, otherwise as INI (as ansible-core falls back from the
  yaml plugin to the ini plugin); anything else is INI.
* INI: lines are stripped and split as ``str.splitlines`` splits them; ``#``/``;`` comment
  lines; hosts before any section go to ``ungrouped``; ``[g]``, ``[g:vars]``, ``[g:children]``
  with the same section and group-name rules, the same pending-declaration checks
  (``[g:vars]`` or a child for a group never declared is an error); host lines split with
  ``shlex.split(line, comments=True)`` (a ``#`` inside a token starts a comment, as there);
  values through ``ast.literal_eval`` when it succeeds (``True`` -> bool, ``22`` -> int,
  ``[1, 2]`` -> list, ``yes``/``0644`` stay strings), ``[g:vars]`` values split at the first
  ``=`` without shlex.
* YAML: top-level keys are groups; ``hosts``/``vars``/``children`` (a bare string is a one-entry
  mapping); hosts map to a vars mapping or null; unknown keys and non-mapping groups are skipped
  with a warning, like ansible-core; wrong section types are errors.
* Host patterns: ``host:port`` and ``[ipv6]:port`` set ``ansible_port`` (only when the host is
  first created, as ansible-core's ``Host(name, port)`` does); ranges ``[01:20]`` (zero-padding
  kept), ``[a:f]``, ``[1:10:2]``, several ranges per name; the address rules of
  ``ansible.parsing.utils.addresses`` decide what is a host and what is a port.
* Reconciliation: every group without a parent becomes a child of ``all``; hosts in no group
  but ``all`` go to ``ungrouped``; hosts in any other group leave ``ungrouped``.
* Host patterns for plays (``resolve_pattern``) and variable precedence (``host_var``): see
  those methods.

`errors` lists what would make ansible-core refuse the source (it stops at the first; this
parser records each and carries on, so the rest of the file is still analysed); `warnings` what
ansible-core only warns about. Every error is an `InventoryError`, a `str` that also has
`.line`, `.col` and `.path`. `load_inventory` never raises. Lines and columns are 1-based and
count lines as editors do (``\\n``, ``\\r\\n``, ``\\r``), even where ``str.splitlines`` splits
further.

Where ansopt deliberately differs from ansible-core:

* `load_inventory` returns None for files that are plainly not inventories, which
  ansible-core would read as nonsense or with warnings only: an INI file whose every host line
  is a ``key = value``/``key: value`` setting (ansible-core would even accept ``Width=100`` as
  a host name), a YAML list (a playbook) in a ``.yml`` file, a YAML mapping with no group
  definition at all (a vars file).
* ``*.py``, ``*.sh``... without a shebang count as scripts (ansible-core needs the executable
  bit; the executable bit itself is not looked at, as ansible-core falls back to the static
  parsers when running the file fails).
* Below the first level of child groups ansible-core orders a group's hosts through a Python
  set (the order can change between runs); here it is breadth first in file order.
* A host range that expands to more than `MAX_EXPANDED_HOSTS` names is not expanded (warning).
* Config that changes the reading is not consulted: ``hash_behaviour = merge``, a custom
  ``VARIABLE_PRECEDENCE``, ``TRANSFORM_INVALID_GROUP_CHARS = always`` (the default, ``never``,
  keeps group names as written, which is what this module does), extra vars plugins, enabled
  inventory plugin lists. TOML inventories are recognised but not analysed.
"""

from __future__ import annotations

import ast
import fnmatch
import ipaddress
import json
import os
import re
import string
import warnings as _warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .yamlfile import LineIndex, YAlias, YamlLoadError, YMap, YNode, YScalar, decode, load_text

LOCALHOST = ("127.0.0.1", "localhost", "::1")
YAML_EXTENSIONS = (".yml", ".yaml", ".json")  # ansible-core's YAML_FILENAME_EXTENSIONS
SCRIPT_EXTENSIONS = (".py", ".sh", ".bash", ".rb", ".pl", ".php", ".js", ".ps1", ".exe")
# Names ansible-core skips when an inventory source is a folder: hidden files, the vars
# folders, and INVENTORY_IGNORE_EXTS (REJECT_EXTS + .orig .cfg .retry).
_DIR_IGNORED = re.compile(
    r"^\.|^host_vars$|^group_vars$|^vars_plugins$|"
    r"(\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.cfg|\.retry)$"
)
MAX_EXPANDED_HOSTS = 100_000  # a range that expands past this is not expanded (warning)
DEFAULT_CONNECTION = "ssh"
IMPLICIT_LOCALHOST_VARS = {
    "ansible_connection": "local",
    # ansible-core sets the controller's sys.executable; this is what that amounts to.
    "ansible_python_interpreter": "{{ ansible_playbook_python }}",
}
_INVALID_GROUP_CHARS = re.compile(r"^[\d\W]|[^\w]")  # C.INVALID_VARIABLE_NAMES


class InventoryError(str):
    """An error (or warning) message that also knows where it is. `str(e)` reads
    ``line N: message`` (or just the message when it has no line)."""

    message: str
    line: int
    col: int
    path: str

    def __new__(cls, message: str, line: int = 0, col: int = 0, path: str = ""):
        text = f"line {line}: {message}" if line else message
        self = super().__new__(cls, text)
        self.message = message
        self.line = line
        self.col = col
        self.path = path
        return self


class VarPos(NamedTuple):
    """Where a variable is set: file, 1-based line and column (0 when unknown)."""

    path: str
    line: int
    col: int


@dataclass
class HostEntry:
    """One occurrence of a host in an inventory file (a range line gives one per host)."""

    name: str
    line: int
    col: int
    vars: dict = field(default_factory=dict)  # the vars set on this occurrence
    group: str = "ungrouped"
    port: int | None = None
    pattern: str = ""  # the text as written, e.g. `web[01:20].example.com:2222`
    path: str = ""
    var_pos: dict[str, VarPos] = field(default_factory=dict)


@dataclass
class Group:
    name: str
    hosts: list[str] = field(default_factory=list)  # direct members, in order
    children: list[str] = field(default_factory=list)  # direct child groups, in order
    vars: dict = field(default_factory=dict)  # vars set in the inventory source
    line: int = 0  # where the group is first declared (0: implicit, e.g. all/ungrouped)
    col: int = 0
    path: str = ""
    parents: list[str] = field(default_factory=list)
    priority: int = 1  # ansible_group_priority
    var_pos: dict[str, VarPos] = field(default_factory=dict)
    _members: set[str] = field(default_factory=set, repr=False, compare=False)

    def _has(self, host: str) -> bool:
        if len(self._members) != len(self.hosts):
            self._members = set(self.hosts)
        return host in self._members


class HostSet(set):
    """A set of host names from `Inventory.resolve_pattern`. `implicit` names the hosts that
    are the implicit localhost (not in the inventory); `order` keeps ansible-core's order;
    `errors` holds what would make ansible-core fail the pattern (bad regex, subscript out of
    range)."""

    def __init__(self, names: Iterable[str] = (), implicit: Iterable[str] = (), errors: Iterable[str] = ()):
        names = list(names)
        super().__init__(names)
        self.order: list[str] = list(dict.fromkeys(names))
        self.implicit: frozenset[str] = frozenset(implicit)
        self.errors: list[str] = list(errors)


class VarSource(NamedTuple):
    """An effective variable and where it comes from."""

    value: Any
    layer: str  # "implicit", "inventory all", "inventory group", "group_vars all", "playbook group_vars all",
    #             "group_vars", "playbook group_vars", "inventory host", "host_vars", "playbook host_vars"
    entity: str  # the group or host name that set it
    pos: VarPos | None


class VarsDir(dict):
    """`group_vars/` or `host_vars/` contents: {name: merged vars}. Also `positions`
    ({name: {var: VarPos}}), `files` ({name: [paths in load order]}), `encrypted` (names with
    a vault-encrypted file, whose vars are unknown) and `errors`."""

    def __init__(self, base_dir: str = "", kind: str = "group_vars"):
        super().__init__()
        self.base_dir = base_dir
        self.kind = kind
        self.positions: dict[str, dict[str, VarPos]] = {}
        self.files: dict[str, list[str]] = {}
        self.encrypted: set[str] = set()
        self.errors: list[InventoryError] = []


# --------------------------------------------------------------------------- inventory


@dataclass
class Inventory:
    path: str
    groups: dict[str, Group] = field(default_factory=dict)
    host_vars: dict[str, dict] = field(default_factory=dict)  # vars set inline per host (merged)
    hosts: dict[str, HostEntry] = field(default_factory=dict)  # first occurrence of each host
    dynamic: bool = False
    plugin: str | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    format: str = ""  # "ini", "yaml", "script", "plugin", "toml", "vault", "dir", "" (nothing read)
    encrypted: bool = False
    entries: list[HostEntry] = field(default_factory=list)  # every occurrence, in file order
    host_var_pos: dict[str, dict[str, VarPos]] = field(default_factory=dict)
    localhost: str | None = None  # the first localhost-like host of the inventory (127.0.0.1, localhost, ::1)
    sources: list[str] = field(default_factory=list)
    _depth: dict[str, int] | None = field(default=None, repr=False)
    _memberships: dict[str, list[str]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("all", "ungrouped"):
            if name not in self.groups:
                self.groups[name] = Group(name)
        if "ungrouped" not in self.groups["all"].children:
            self.groups["all"].children.append("ungrouped")
            self.groups["ungrouped"].parents.append("all")

    # ------------------------------------------------------------------ building

    def _error(self, message: str, line: int = 0, col: int = 0, path: str | None = None) -> None:
        self.errors.append(InventoryError(message, line, col, self.path if path is None else path))

    def _warn(self, message: str, line: int = 0, col: int = 0, path: str | None = None) -> None:
        self.warnings.append(InventoryError(message, line, col, self.path if path is None else path))

    def _add_group(self, name: str, line: int = 0, col: int = 0, path: str = "") -> Group:
        g = self.groups.get(name)
        if g is None:
            g = self.groups[name] = Group(name, line=line, col=col, path=path)
            self._invalidate()
            if _INVALID_GROUP_CHARS.search(name):
                self._warn(f"invalid character(s) in group name {name!r} (ansible-core keeps it but warns)", line, col, path)
        return g

    def _invalidate(self) -> None:
        self._depth = None
        self._memberships = None

    def _ancestors(self, group: str) -> set[str]:
        seen: set[str] = set()
        todo = list(self.groups[group].parents)
        while todo:
            g = todo.pop()
            if g not in seen:
                seen.add(g)
                todo.extend(self.groups[g].parents)
        return seen

    def _add_child(self, parent: str, child: str) -> str | None:
        """Make `child` a child group of `parent`; an error message when ansible-core refuses."""
        p, c = self.groups[parent], self.groups[child]
        if parent == child:
            return "can't add group to itself"
        if child in p.children:
            return None
        if child in self._ancestors(parent):
            return f"Adding group '{child}' as child to '{parent}' creates a recursive dependency loop."
        p.children.append(child)
        if parent not in c.parents:
            c.parents.append(parent)
        self._invalidate()
        return None

    def _add_host(self, name: str, group: str | None, port: int | None, line: int, col: int, pattern: str, path: str) -> HostEntry | None:
        if not name:
            self._error("Invalid empty host name provided", line, col, path)
            return None
        entry = HostEntry(name, line, col, {}, group or "", port, pattern, path)
        if name not in self.hosts:
            self.hosts[name] = entry
            self.host_vars[name] = {}
            self.host_var_pos[name] = {}
            if port:
                self.host_vars[name]["ansible_port"] = int(port)
                self.host_var_pos[name]["ansible_port"] = VarPos(path, line, col)
            if name in LOCALHOST:
                if self.localhost is None:
                    self.localhost = name
                else:
                    self._warn(
                        f"A duplicate localhost-like entry was found ({name}). First found localhost was {self.localhost}",
                        line, col, path,
                    )
        self.entries.append(entry)
        if group:
            g = self.groups[group]
            if not g._has(name):
                g.hosts.append(name)
                g._members.add(name)
                self._invalidate()
        return entry

    def _set_host_var(self, entry: HostEntry, key: str, value: Any, pos: VarPos) -> None:
        if entry.name in self.groups:
            # ansible-core's InventoryData.set_variable looks the name up among groups first:
            # a host var of a host named like an existing group lands on the group.
            self._warn(
                f"host {entry.name!r} has the name of a group: ansible-core sets its variable {key!r} on the group",
                pos.line, pos.col, pos.path,
            )
            self._set_group_var(entry.name, key, value, pos)
            return
        entry.vars[key] = value
        entry.var_pos[key] = pos
        self.host_vars[entry.name][key] = value
        self.host_var_pos[entry.name][key] = pos

    def _set_group_var(self, group: str, key: str, value: Any, pos: VarPos) -> str | None:
        g = self.groups[group]
        if key == "ansible_group_priority":
            try:
                g.priority = int(value)
            except (TypeError, ValueError):
                return f"invalid ansible_group_priority {value!r} for group {group!r}: int() cannot read it"
            g.var_pos[key] = pos
            self._invalidate()
            return None
        g.vars[key] = value
        g.var_pos[key] = pos
        return None

    def _reconcile(self) -> None:
        """What ansible-core's InventoryData.reconcile_inventory does after parsing."""
        for name in list(self.groups):
            if name != "all" and not self._ancestors(name):
                err = self._add_child("all", name)
                if err:
                    g = self.groups[name]
                    self._error(err, g.line, g.col, g.path or self.path)
        memberships = self._group_memberships()
        ungrouped = self.groups["ungrouped"]
        drop: set[str] = set()
        add: list[str] = []
        for host in self.hosts:
            mine = memberships.get(host, [])
            if "ungrouped" in mine:
                if set(mine) - {"all", "ungrouped"}:
                    drop.add(host)
            elif not mine or mine == ["all"]:
                add.append(host)
        ungrouped.hosts = [h for h in ungrouped.hosts if h not in drop] + add
        ungrouped._members = set(ungrouped.hosts)
        self._invalidate()
        names = set(self.groups) & set(self.hosts)
        for conflict in sorted(names):
            self._warn(f"Found both group and host with same name: {conflict}")

    # ------------------------------------------------------------------ queries

    def _group_memberships(self) -> dict[str, list[str]]:
        """{host: every group that contains it, directly or through children}."""
        if self._memberships is None:
            out: dict[str, list[str]] = {}
            for gname, g in self.groups.items():
                if not g.hosts:
                    continue
                groups = [gname, *sorted(self._ancestors(gname))]
                for h in g.hosts:
                    lst = out.setdefault(h, [])
                    for x in groups:
                        if x not in lst:
                            lst.append(x)
            self._memberships = out
        return self._memberships

    def _descendants(self, group: str) -> list[str]:
        """The group and every group below it, breadth first (ansible-core's order for the
        first level; deeper levels come from a set there, so their order is not stable)."""
        out = [group]
        seen = {group}
        level = [group]
        while level:
            nxt = []
            for g in level:
                for c in self.groups[g].children:
                    if c not in seen and c in self.groups:
                        seen.add(c)
                        out.append(c)
                        nxt.append(c)
            level = nxt
        return out

    def group_hosts_ordered(self, group: str) -> list[str]:
        """The hosts of a group and of all its descendants, in ansible-core's order."""
        if group not in self.groups:
            return []
        out: dict[str, None] = {}
        for g in self._descendants(group):
            for h in self.groups[g].hosts:
                out.setdefault(h, None)
        return list(out)

    def group_hosts(self, group: str) -> set[str]:
        """All hosts of a group, its children included (recursive, cycle-safe). `all` is every
        host of the inventory; an unknown group is empty."""
        if group == "all":
            return set(self.hosts)
        return set(self.group_hosts_ordered(group))

    def host_groups(self, host: str) -> list[str]:
        """Every group a host belongs to (all included), sorted as ansible-core sorts groups
        for variable precedence: by depth, then ansible_group_priority, then name."""
        if host not in self.hosts:
            return []
        mine = set(self._group_memberships().get(host, []))
        mine.add("all")
        return self._sort_groups(mine)

    def _sort_groups(self, names: Iterable[str]) -> list[str]:
        depth = self._depths()
        return sorted(names, key=lambda g: (depth.get(g, 0), self.groups[g].priority, g))

    def _depths(self) -> dict[str, int]:
        """Longest path from a root group to each group (ansible-core's Group.depth)."""
        if self._depth is None:
            depth: dict[str, int] = {}

            def visit(g: str, stack: set[str]) -> int:
                if g in depth:
                    return depth[g]
                stack.add(g)
                d = 0
                for p in self.groups[g].parents:
                    if p in stack or p not in self.groups:
                        continue
                    d = max(d, visit(p, stack) + 1)
                stack.discard(g)
                depth[g] = d
                return d

            for g in self.groups:
                visit(g, set())
            self._depth = depth
        return self._depth

    def depth(self, group: str) -> int:
        return self._depths().get(group, 0)

    # ------------------------------------------------------------------ patterns

    def resolve_pattern(self, pattern: str | list[str]) -> HostSet | None:
        """The hosts an Ansible host pattern selects, as ansible-core's InventoryManager.get_hosts
        finds them: ``all``/``*``, group and host names, ``a:b``/``a,b`` (union), ``a:&b``
        (intersection), ``a:!b`` (exclusion; ``&``/``!`` apply after the plain patterns, in
        that order, whatever their position), shell wildcards (``web*``, matched against group
        names and host names), ``~regex`` (Python ``re.match``: a prefix match), subscripts
        ``g[0]``, ``g[-1]``, ``g[1:3]`` (inclusive), ``g[2:]``. ``localhost``, ``127.0.0.1`` and
        ``::1`` that the inventory lacks select the implicit localhost (listed in the result's
        `implicit`). A pattern holding Jinja (``{{``/``{%``) cannot be known: None."""
        if isinstance(pattern, (list, tuple)):
            if any(not isinstance(p, str) for p in pattern):
                return None
            if any(_has_jinja(p) for p in pattern):
                return None
            parts = [x for p in pattern for x in split_host_pattern(p)]
        else:
            if not isinstance(pattern, str):
                return None
            if _has_jinja(pattern):
                return None
            parts = split_host_pattern(pattern)
        errors: list[str] = []
        implicit: set[str] = set()
        hosts: list[str] = []
        for p in order_patterns(parts):
            if p in self.hosts:
                hosts.append(p)
                continue
            that = self._match_one_pattern(p, errors, implicit)
            if p[0] == "!":
                drop = set(that)
                hosts = [h for h in hosts if h not in drop]
            elif p[0] == "&":
                keep = set(that)
                hosts = [h for h in hosts if h in keep]
            else:
                have = set(hosts)
                hosts.extend(h for h in that if h not in have)
        hosts = list(dict.fromkeys(hosts))
        return HostSet(hosts, implicit & set(hosts), errors)

    def _match_one_pattern(self, pattern: str, errors: list[str], implicit: set[str]) -> list[str]:
        if pattern[0] in "&!":
            pattern = pattern[1:]
        if not pattern:
            return []
        expr, subscript = _split_subscript(pattern)
        hosts = self._enumerate_matches(expr, errors, implicit)
        if not hosts or not subscript:
            return hosts
        start, end = subscript
        try:
            if end:
                if end == -1:
                    end = len(hosts) - 1
                return hosts[start : end + 1]
            return [hosts[start]]
        except IndexError:
            errors.append(f"No hosts matched the subscripted pattern '{pattern}'")
            return []

    def _enumerate_matches(self, pattern: str, errors: list[str], implicit: set[str]) -> list[str]:
        rx = _pattern_regex(pattern, errors)
        if rx is None:
            return []
        results: list[str] = []
        matching = [g for g in self.groups if rx.match(g)]
        for g in matching:
            results.extend(self.group_hosts_ordered(g))
        if not matching or pattern[0] == "~" or any(c in pattern for c in ".?*["):
            results.extend(h for h in self.hosts if rx.match(h))
        if not results and pattern in LOCALHOST:
            if self.localhost is not None:
                results.append(self.localhost)
            else:
                # ansible-core creates one implicit localhost, named after the first of
                # localhost/127.0.0.1/::1 asked for, and hands it out for the others too.
                name = next(iter(implicit), pattern)
                results.append(name)
                implicit.add(name)
        return results

    # ------------------------------------------------------------------ variables

    def var_sources(
        self,
        host: str,
        group_vars: dict[str, dict] | None = None,
        host_vars_files: dict[str, dict] | None = None,
        playbook_group_vars: dict[str, dict] | None = None,
        playbook_host_vars: dict[str, dict] | None = None,
    ) -> dict[str, VarSource] | None:
        """Every inventory-level variable of a host with where it comes from, merged in
        ansible-core's order (VariableManager.get_vars with the default VARIABLE_PRECEDENCE
        ``all_inventory, groups_inventory, all_plugins_inventory, all_plugins_play,
        groups_plugins_inventory, groups_plugins_play``), later layers winning:

        1. the ``all`` group's vars from the inventory source;
        2. the host's other groups' inventory vars, groups sorted by (depth, ansible_group_priority,
           name): parents before children, so a child group wins;
        3. ``group_vars/all`` next to the inventory (`group_vars`), then next to the playbook
           (`playbook_group_vars`);
        4. ``group_vars/<group>`` next to the inventory, same group order, then next to the
           playbook;
        5. the host's inline inventory vars (for the implicit localhost: ansible_connection=local
           and ansible_python_interpreter);
        6. ``host_vars/<host>`` next to the inventory (`host_vars_files`), then next to the
           playbook (`playbook_host_vars`).

        So a group_vars file beats the inventory vars of *every* group, not only its own
        (step 4 comes after step 2 as a whole; ``group_vars/all`` even beats a child group's
        inventory vars), exactly as the documented precedence list (3 < 4 < 5 < 6 < 7 in
        "Understanding variable precedence") has it. Dicts replace each other (hash_behaviour
        = replace). Play vars, role vars, extra vars and facts are not inventory-level and not
        included. None for a host that is neither in the inventory nor a localhost name.
        """
        if host in self.hosts:
            name, implicit = host, False
        elif host in LOCALHOST:
            name, implicit = (self.localhost, False) if self.localhost else (host, True)
        else:
            return None
        groups = [] if implicit else [g for g in self.host_groups(name) if g != "all"]
        out: dict[str, VarSource] = {}

        def layer(data: dict | None, kind: str, entity: str, positions: dict[str, VarPos] | None) -> None:
            if not data:
                return
            for k, v in data.items():
                out[k] = VarSource(v, kind, entity, (positions or {}).get(k))

        def files_layer(src: dict[str, dict] | None, kind: str, entity: str) -> None:
            if not src or entity not in src:
                return
            layer(src[entity], kind, entity, getattr(src, "positions", {}).get(entity))

        allg = self.groups["all"]
        layer(allg.vars, "inventory all", "all", allg.var_pos)
        for g in groups:
            layer(self.groups[g].vars, "inventory group", g, self.groups[g].var_pos)
        files_layer(group_vars, "group_vars all", "all")
        files_layer(playbook_group_vars, "playbook group_vars all", "all")
        for g in groups:
            files_layer(group_vars, "group_vars", g)
        for g in groups:
            files_layer(playbook_group_vars, "playbook group_vars", g)
        if implicit:
            layer(IMPLICIT_LOCALHOST_VARS, "implicit", name, None)
        else:
            layer(self.host_vars.get(name), "inventory host", name, self.host_var_pos.get(name))
        files_layer(host_vars_files, "host_vars", name)
        files_layer(playbook_host_vars, "playbook host_vars", name)
        return out

    def effective_vars(self, host: str, group_vars=None, host_vars_files=None, playbook_group_vars=None, playbook_host_vars=None) -> dict | None:
        src = self.var_sources(host, group_vars, host_vars_files, playbook_group_vars, playbook_host_vars)
        return None if src is None else {k: v.value for k, v in src.items()}

    def host_var(
        self,
        host: str,
        name: str,
        group_vars: dict[str, dict] | None = None,
        host_vars_files: dict[str, dict] | None = None,
        playbook_group_vars: dict[str, dict] | None = None,
        playbook_host_vars: dict[str, dict] | None = None,
        default: Any = None,
    ) -> Any:
        """The effective value of one inventory variable of a host (`default` when unset or
        the host is unknown). Precedence: see `var_sources`."""
        src = self.var_sources(host, group_vars, host_vars_files, playbook_group_vars, playbook_host_vars)
        if not src or name not in src:
            return default
        return src[name].value

    def connection(
        self,
        host: str,
        group_vars: dict[str, dict] | None = None,
        host_vars_files: dict[str, dict] | None = None,
        playbook_group_vars: dict[str, dict] | None = None,
        playbook_host_vars: dict[str, dict] | None = None,
        default: str = DEFAULT_CONNECTION,
    ) -> str | None:
        """`ansible_connection` for a host as the inventory sets it: the variable when set,
        "local" for the implicit localhost, `default` ("ssh") otherwise, None for a host that
        is not in the inventory. An explicit localhost entry gets "ssh" unless it sets
        ansible_connection, as in ansible-core. A play's `connection:` keyword is weaker than
        the inventory variable and is not considered here."""
        src = self.var_sources(host, group_vars, host_vars_files, playbook_group_vars, playbook_host_vars)
        if src is None:
            return None
        v = src.get("ansible_connection")
        if v is None or v.value is None:
            return default
        return v.value if isinstance(v.value, str) else str(v.value)

    def is_implicit_localhost(self, host: str) -> bool:
        return host not in self.hosts and host in LOCALHOST and self.localhost is None

    # ------------------------------------------------------------------ export

    def to_ansible_list(self, export: bool = True) -> dict:
        """The structure `ansible-inventory --list [--export]` prints (without vars files)."""
        out: dict[str, Any] = {}
        seen: set[str] = set()

        def fmt(name: str) -> None:
            g = self.groups[name]
            d: dict[str, Any] = {}
            if name != "all":
                d["hosts"] = list(g.hosts)
            d["children"] = list(g.children)
            if export:
                v = dict(g.vars)
                if g.priority != 1:
                    v["ansible_group_priority"] = g.priority
                d["vars"] = v
            out[name] = d
            for c in g.children:
                if c not in seen:
                    seen.add(c)
                    fmt(c)
            for k in ("hosts", "vars", "children"):
                if k in d and not d[k]:
                    del d[k]
            if not d:
                del out[name]

        fmt("all")
        out["_meta"] = {"hostvars": {h: dict(v) for h, v in self.host_vars.items() if v}}
        return out


# --------------------------------------------------------------------------- host addresses

_RANGE = r"\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]"
_LABEL = rf"(?:\w|{_RANGE})(?:[\w-]|{_RANGE})*(?<![_-])"
_HOSTNAME_RX = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$", re.I)
_BRACKETED_PORT_RX = re.compile(r"^\[(.+)\]:([0-9]+)$")
_HOST_PORT_RX = re.compile(r"^((?:[^:\[\]]|\[[^\]]*\])*):([0-9]+)$")
_HEX_RANGE_RX = re.compile(r"\[[0-9a-f]+:[0-9a-f]+(?::[0-9]+)?\]", re.I)


def _is_ipv6(address: str) -> bool:
    if not address or "%" in address or "/" in address:
        return False
    try:
        ipaddress.IPv6Address(_HEX_RANGE_RX.sub("0", address))
    except ValueError:
        return False
    return True


def parse_address(address: str) -> tuple[str, int | None]:
    """(host, port) of a host identifier with an optional port, ranges allowed, as
    ansible-core's `parse_address(..., allow_ranges=True)`; ValueError when it is not one."""
    port = None
    for rx in (_BRACKETED_PORT_RX, _HOST_PORT_RX):
        m = rx.match(address)
        if m:
            address, port = m.group(1), int(m.group(2))
    if _HOSTNAME_RX.match(address) or _is_ipv6(address):
        return address, port
    raise ValueError(f"Not a valid network hostname: {address}")


class HostRangeError(ValueError):
    pass


def expand_hostname_range(name: str, limit: int = MAX_EXPANDED_HOSTS) -> list[str]:
    """Expand `[x:y]`/`[x:y:step]` ranges (numeric with zero-padding kept, or letters) in a
    host name, several ranges included, as ansible-core's expand_hostname_range does."""
    if "[" not in name:
        return [name]
    parts = name.replace("[", "|", 1).replace("]", "|", 1).split("|")
    if len(parts) != 3:
        raise HostRangeError(f"cannot expand host range in {name!r}")
    head, nrange, tail = parts
    bounds = nrange.split(":")
    if len(bounds) not in (2, 3):
        raise HostRangeError("host range must be begin:end or begin:end:step")
    beg, end = bounds[0], bounds[1]
    step: Any = bounds[2] if len(bounds) == 3 else 1
    if not beg:
        beg = "0"
    if not end:
        raise HostRangeError("host range must specify end value")
    if beg[0] == "0" and len(beg) > 1:
        width = len(beg)
        if width != len(end):
            raise HostRangeError("host range must specify equal-length begin and end formats")

        def fill(x: Any) -> str:
            return str(x).zfill(width)
    else:
        fill = str
    seq: Iterable[Any]
    try:
        i_beg = string.ascii_letters.index(beg)
        i_end = string.ascii_letters.index(end)
        if i_beg > i_end:
            raise HostRangeError("host range must have begin <= end")
        seq = list(string.ascii_letters[i_beg : i_end + 1 : int(step)])
    except HostRangeError:
        raise
    except ValueError:  # not an alphabetic range
        try:
            seq = range(int(beg), int(end) + 1, int(step))
        except ValueError as e:
            raise HostRangeError(f"invalid host range [{nrange}]: {e}") from None
    if len(seq) > limit:
        raise HostRangeError(f"host range [{nrange}] expands to {len(seq)} names, more than ansopt expands ({limit})")
    out: list[str] = []
    for item in seq:
        hname = head + fill(item) + tail
        if "[" in hname:
            out.extend(expand_hostname_range(hname, max(1, limit // max(1, len(seq)))))
        else:
            out.append(hname)
    return out


def expand_hostpattern(pattern: str) -> tuple[list[str], int | None]:
    """(host names, port) of an inventory host entry (ansible-core's _expand_hostpattern)."""
    try:
        host, port = parse_address(pattern)
    except ValueError:
        host, port = pattern, None
    return expand_hostname_range(host), port


# --------------------------------------------------------------------------- patterns

_SUBSCRIPT_RX = re.compile(r"^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$")
_SEP_SPLIT_RX = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")


def _has_jinja(s: str) -> bool:
    return "{{" in s or "{%" in s


def split_host_pattern(pattern: str) -> list[str]:
    """ansible-core's split_host_pattern: commas separate; without commas, a single host
    address (``host:22``, an IPv6 address, ``web[1:3]``) stays whole, else ``:`` separates."""
    if "," in pattern:
        parts = pattern.split(",")
    else:
        try:
            parse_address(pattern)
            parts = [pattern]
        except ValueError:
            parts = _SEP_SPLIT_RX.findall(pattern)
    return [p.strip() for p in parts if p.strip()]


def order_patterns(patterns: list[str]) -> list[str]:
    regular = [p for p in patterns if p and p[0] not in "!&"]
    inter = [p for p in patterns if p and p[0] == "&"]
    excl = [p for p in patterns if p and p[0] == "!"]
    if not regular:
        regular = ["all"]
    return regular + inter + excl


def _split_subscript(pattern: str) -> tuple[str, tuple[int, int | None] | None]:
    if pattern[0] == "~":
        return pattern, None
    m = _SUBSCRIPT_RX.match(pattern)
    if not m:
        return pattern, None
    expr, idx, start, _sep, end = m.groups()
    if idx:
        return expr, (int(idx), None)
    return expr, (int(start), int(end) if end else -1)


def _pattern_regex(pattern: str, errors: list[str]) -> re.Pattern[str] | None:
    try:
        if pattern[0] == "~":
            return re.compile(pattern[1:])
        return re.compile(fnmatch.translate(pattern))
    except re.error:
        errors.append(f"Invalid host list pattern: {pattern}")
        return None


# --------------------------------------------------------------------------- INI

_SECTION_RX = re.compile(r"^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$")
_GROUPNAME_RX = re.compile(r"^([^:\]\s]+)\s*(?:#.*)?$")
_SHLEX_WS = " \t\r\n"


def shlex_tokens(line: str) -> list[tuple[str, int]]:
    """`shlex.split(line, comments=True)` with each token's start offset in `line`.
    Raises ValueError as shlex does ("No closing quotation", "No escaped character")."""
    out: list[tuple[str, int]] = []
    state = " "
    esc_from = " "
    token = ""
    quoted = False
    start = 0
    i, n = 0, len(line)
    while True:
        ch = line[i] if i < n else ""
        pos = i
        i += 1
        if state == " ":
            if not ch or ch == "#":
                break
            if ch in _SHLEX_WS:
                continue
            start = pos
            if ch == "\\":
                esc_from, state = "a", "\\"
            elif ch in "'\"":
                state = ch
            else:
                token, state = ch, "a"
        elif state in ("'", '"'):
            quoted = True
            if not ch:
                raise ValueError("No closing quotation")
            if ch == state:
                state = "a"
            elif ch == "\\" and state == '"':
                esc_from, state = state, "\\"
            else:
                token += ch
        elif state == "\\":
            if not ch:
                raise ValueError("No escaped character")
            if esc_from in ("'", '"') and ch != state and ch != esc_from:
                token += state
            token += ch
            state = esc_from
        else:  # inside a word
            if not ch or ch in _SHLEX_WS or ch == "#":
                if token or quoted:
                    out.append((token, start))
                token, quoted, state = "", False, " "
                if not ch or ch == "#":
                    break
            elif ch in "'\"":
                state = ch
            elif ch == "\\":
                esc_from, state = "a", "\\"
            else:
                token += ch
    return out


def _coerce(value: Any) -> Any:
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set)):
        return [_coerce(v) for v in value]
    if isinstance(value, dict):
        return {k: _coerce(v) for k, v in value.items()}
    if value is ...:
        return "..."
    if isinstance(value, complex):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "surrogateescape")
    return value


def parse_ini_value(text: str) -> Any:
    """An INI inventory value as ansible-core reads it: `ast.literal_eval` when that succeeds
    (``True`` -> True, ``22`` -> 22, ``'x'`` -> "x", ``[1,2]`` -> [1, 2]), else the text.
    Raises ValueError for the few inputs that make ansible-core fail (e.g. ``{[1]: 2}``)."""
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        value = text
    except (TypeError, MemoryError, RecursionError) as e:
        raise ValueError(f"cannot evaluate {text!r}: {e}") from None
    return _coerce(value)


def _ini_lines(text: str) -> Iterable[tuple[int, int, str]]:
    """(1-based editor line, 0-based column of the piece, piece) for every line ansible-core's
    `str.splitlines()` sees (form feeds and friends split an editor line in several pieces)."""
    li = LineIndex(text)
    for ln in range(len(li.starts)):
        line = li.line_text(ln)
        if not line:
            continue
        col = 0
        for piece in line.splitlines(keepends=True):
            body = piece.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            yield ln + 1, col, body
            col += len(piece)


def _config_like(tokens: list[tuple[str, int]]) -> bool:
    """A `key = value` / `key: value` line of a settings file, not a host line."""
    first = tokens[0][0]
    if "=" in first:
        return True
    return len(tokens) > 1 and (first.endswith(":") or tokens[1][0][:1] in ("=", ":"))


def parse_ini(inv: Inventory, text: str, path: str) -> bool:
    """Parse INI inventory text into `inv`. False when the text is plainly not an inventory
    (a settings file: every host line is `key = value`)."""
    pending: dict[str, dict[str, Any]] = {}
    group = "ungrouped"
    state = "hosts"
    host_lines = 0
    config_lines = 0
    first_config: tuple[int, int] | None = None

    def err(msg: str, line: int, col: int) -> None:
        inv._error(msg, line, col, path)

    def add_pending_children(name: str) -> None:
        for parent in pending[name]["parents"]:
            e = inv._add_child(parent, name)
            if e:
                err(e, pending[name]["line"], 1)
            if parent in pending and pending[parent]["state"] == "children":
                add_pending_children(parent)
        pending.pop(name, None)

    for lineno, base_col, raw in _ini_lines(text):
        if lineno == 1 and base_col == 0 and raw.startswith("\ufeff"):
            # ansible-core keeps the byte-order mark as the first character of the first line
            # (str.strip() leaves it): a `[section]` there is read as a host name and fails.
            rest = raw[1:].strip()
            msg = (
                "the file starts with a UTF-8 byte-order mark, which ansible-core's INI inventory parser "
                "reads as part of the first line (save the file as UTF-8 without BOM)"
            )
            if not rest or rest[0] in "#;":
                inv._warn(msg + ": it becomes a host named '\\ufeff'", 1, 1, path)
            else:
                err(msg, 1, 1)
            raw = " " + raw[1:]
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        col0 = base_col + (len(raw) - len(raw.lstrip()))
        col = col0 + 1
        m = _SECTION_RX.match(line)
        if m:
            group, kind = m.group(1), m.group(2) or "hosts"
            if kind not in ("hosts", "children", "vars"):
                err(f"Section [{m.group(1)}:{kind}] has unknown type: {kind}", lineno, col)
                state = "skip"
                continue
            state = kind
            if group not in inv.groups:
                if state == "vars" and group not in pending:
                    pending[group] = {"line": lineno, "state": state, "name": group}
                inv._add_group(group, lineno, col + 1, path)
            if group in pending and state != "vars":
                if pending[group]["state"] == "children":
                    add_pending_children(group)
                elif pending[group]["state"] == "vars":
                    del pending[group]
            continue
        if line.startswith("[") and line.endswith("]"):
            err(
                f"Invalid section entry: '{line}'. Please make sure that there are no spaces in the section entry, "
                "and that there are no other invalid characters",
                lineno, col,
            )
            state = "skip"
            continue
        if state == "skip":
            continue
        if state == "hosts":
            host_lines += 1
            try:
                tokens = shlex_tokens(line)
            except ValueError as e:
                err(f"Error parsing host definition '{line}': {e}", lineno, col)
                continue
            if not tokens:
                continue
            if _config_like(tokens):
                config_lines += 1
                if first_config is None:
                    first_config = (lineno, col)
            _ini_host_line(inv, tokens, line, lineno, col0, group, path)
        elif state == "vars":
            if "=" not in line:
                err(f"Expected key=value, got: {line}", lineno, col)
                continue
            k, v = (e.strip() for e in line.split("=", 1))
            after = line[line.index("=") + 1 :]
            vcol = col0 + line.index("=") + 1 + (len(after) - len(after.lstrip())) + 1
            try:
                value = parse_ini_value(v)
            except ValueError as e:
                err(str(e), lineno, vcol)
                continue
            e2 = inv._set_group_var(group, k, value, VarPos(path, lineno, col))
            if e2:
                err(e2, lineno, vcol)
        elif state == "children":
            m = _GROUPNAME_RX.match(line)
            if not m:
                err(f"Expected group name, got: {line}", lineno, col)
                continue
            child = m.group(1)
            if child not in inv.groups:
                if child not in pending:
                    pending[child] = {"line": lineno, "state": state, "name": child, "parents": [group]}
                else:
                    pending[child].setdefault("parents", []).append(group)
            else:
                e = inv._add_child(group, child)
                if e:
                    err(e, lineno, col)
    for name, decl in pending.items():
        if decl["state"] == "vars":
            err(f"Section [{name}:vars] not valid for undefined group {name!r}.", decl["line"], 1)
        else:
            err(f"Section [{decl['parents'][-1]}:children] includes undefined group {name!r}.", decl["line"], 1)
    if host_lines and config_lines == host_lines:
        return False
    return True


def _ini_host_line(inv: Inventory, tokens: list[tuple[str, int]], line: str, lineno: int, col0: int, group: str, path: str) -> None:
    pattern, pstart = tokens[0]
    pcol = col0 + pstart + 1
    try:
        names, port = expand_hostpattern(pattern)
    except HostRangeError as e:
        if "more than ansopt expands" in str(e):
            inv._warn(str(e), lineno, pcol, path)
        else:
            inv._error(str(e), lineno, pcol, path)
        return
    if pattern.strip().endswith(":") and port is None:
        inv._error(
            f"Invalid host pattern '{pattern}' supplied, ending in ':' is not allowed, this character is reserved to provide a port.",
            lineno, pcol, path,
        )
        return
    if any(n.strip() == "---" for n in names):
        inv._error(f"Invalid host pattern '{pattern}' supplied, '---' is normally a sign this is a YAML file.", lineno, pcol, path)
        return
    if "=" in pattern:
        inv._warn(f"host name {pattern!r} holds '=': a setting line rather than a host?", lineno, pcol, path)
    variables: list[tuple[str, Any, VarPos]] = []
    for tok, tstart in tokens[1:]:
        tcol = col0 + tstart + 1
        if "=" not in tok:
            inv._error(f"Expected key=value host variable assignment, got: {tok}", lineno, tcol, path)
            continue
        k, v = tok.split("=", 1)
        try:
            variables.append((k, parse_ini_value(v), VarPos(path, lineno, tcol)))
        except ValueError as e:
            inv._error(str(e), lineno, tcol, path)
    for name in names:
        entry = inv._add_host(name, group, port, lineno, pcol, pattern, path)
        if entry is None:
            continue
        for k, v, pos in variables:
            inv._set_host_var(entry, k, v, pos)


# --------------------------------------------------------------------------- YAML


def _deref(node: YNode | None) -> YNode | None:
    seen = 0
    while isinstance(node, YAlias) and seen < 100:
        node = node.target
        seen += 1
    return node


def _is_null(node: YNode | None) -> bool:
    node = _deref(node)
    return node is None or (isinstance(node, YScalar) and node.value is None)


def _items(node: YMap) -> list[tuple[Any, YNode, YNode]]:
    """(key, key node, value node) of a mapping as the loaded dict has them: `<<` merges
    resolved (explicit keys win), a duplicate key keeps its first place and its last value."""
    out: dict[Any, tuple[YNode, YNode]] = {}
    merged: dict[Any, tuple[YNode, YNode]] = {}
    for k, v in node.pairs:
        if isinstance(k, YScalar) and k.tag == "tag:yaml.org,2002:merge":
            src = _deref(v)
            sources = [_deref(x) for x in src.items] if hasattr(src, "items") and not isinstance(src, YMap) else [src]
            for s in sources:
                if isinstance(s, YMap):
                    for mk, mkn, mvn in _items(s):
                        merged.setdefault(mk, (mkn, mvn))
            continue
        kd = k.value if isinstance(k, YScalar) else _deref(k).to_data()
        try:
            hash(kd)
        except TypeError:
            kd = repr(kd)
        out[kd] = (k, v)
    result = dict(merged)
    result.update(out)
    return [(key, kn, vn) for key, (kn, vn) in result.items()]


def parse_yaml_inventory(inv: Inventory, yf: Any, path: str) -> bool:
    """Parse a loaded YAML inventory into `inv`. False when it holds no group at all."""
    root = _deref(yf.root)
    pos = yf.position
    if not isinstance(root, YMap):
        return False
    found = False
    for key, kn, vn in _items(root):
        _parse_group(inv, key, kn, vn, pos, path)
        if isinstance(key, str) and (isinstance(_deref(vn), YMap) or _is_null(vn)):
            found = True
    return found


def _parse_group(inv: Inventory, name: Any, kn: YNode, vn: YNode, pos: Any, path: str) -> str | None:
    line, col = pos(kn.start)
    data = _deref(vn)
    if not (isinstance(data, YMap) or _is_null(data)):
        inv._warn(f"Skipping '{name}' as this is not a valid group definition", line, col, path)
        return name if isinstance(name, str) else None
    if not isinstance(name, str) or not name:
        inv._error(f"Unable to add group {name!r}: invalid group name, expected a non-empty string", line, col, path)
        return None
    inv._add_group(name, line, col, path)
    if not isinstance(data, YMap):
        return name
    items = _items(data)
    for key, skn, svn in items:
        sline, scol = pos(skn.start)
        sval = _deref(svn)
        if key in ("vars", "children", "hosts"):
            if isinstance(sval, YScalar) and isinstance(sval.value, str):
                _section_from_string(inv, name, key, sval, pos, path)
                continue
            if not (isinstance(sval, YMap) or _is_null(sval)):
                inv._error(
                    f'Invalid "{key}" entry for "{name}" group, requires a dictionary, found "{_yaml_type(sval)}" instead.',
                    sline, scol, path,
                )
                continue
        if not (isinstance(sval, YMap) or _is_null(sval)):
            inv._warn(f"Skipping key ({key}) in group ({name}) as it is not a mapping, it is a {_yaml_type(sval)}", sline, scol, path)
            continue
        if _is_null(sval):
            continue
        if key == "vars":
            for var, vkn, vvn in _items(sval):
                vline, vcol = pos(vkn.start)
                err = inv._set_group_var(name, var, _deref(vvn).to_data(), VarPos(path, vline, vcol))
                if err:
                    inv._error(err, vline, vcol, path)
        elif key == "children":
            for sub, ckn, cvn in _items(sval):
                child = _parse_group(inv, sub, ckn, cvn, pos, path)
                if child is None:
                    continue
                cline, ccol = pos(ckn.start)
                if child not in inv.groups:
                    inv._error(f"{child} is not a known host nor group", cline, ccol, path)
                    continue
                err = inv._add_child(name, child)
                if err:
                    inv._error(err, cline, ccol, path)
        elif key == "hosts":
            for hp, hkn, hvn in _items(sval):
                _yaml_host(inv, name, hp, hkn, hvn, pos, path)
        else:
            inv._warn(
                f'Skipping unexpected key ({key}) in group ({name}), only "vars", "children" and "hosts" are valid',
                sline, scol, path,
            )
    return name


def _section_from_string(inv: Inventory, group: str, key: str, node: YScalar, pos: Any, path: str) -> None:
    """`hosts: web1` / `children: sub` / `vars: x`: ansible-core turns the string into {string: None}."""
    line, col = pos(node.start)
    value = node.value
    if key == "hosts":
        _yaml_host(inv, group, value, node, None, pos, path)
    elif key == "children":
        if not value:
            inv._error(f"Unable to add group {value!r}: invalid empty group name", line, col, path)
            return
        inv._add_group(value, line, col, path)
        err = inv._add_child(group, value)
        if err:
            inv._error(err, line, col, path)
    else:
        inv._set_group_var(group, value, None, VarPos(path, line, col))


def _yaml_type(node: YNode | None) -> str:
    node = _deref(node)
    if node is None:
        return "NoneType"
    if isinstance(node, YScalar):
        return type(node.value).__name__
    return "list" if node.kind == "seq" else "dict"


def _yaml_host(inv: Inventory, group: str, pattern: Any, kn: YNode, vn: YNode | None, pos: Any, path: str) -> None:
    line, col = pos(kn.start)
    if not isinstance(pattern, str):
        inv._error(f"Host pattern {pattern} must be a string. Enclose integers/floats in quotation marks.", line, col, path)
        return
    try:
        names, port = expand_hostpattern(pattern)
    except HostRangeError as e:
        (inv._warn if "more than ansopt expands" in str(e) else inv._error)(str(e), line, col, path)
        return
    val = _deref(vn)
    variables: list[tuple[str, Any, VarPos]] = []
    # ansible-core takes `value or {}`: any falsy value (null, 0, "", [], false) means no vars.
    if val is not None and (isinstance(val, YMap) or val.to_data()):
        if not isinstance(val, YMap):
            inv._error(f"Invalid data from file, expected dictionary and got: {val.to_data()!r}", line, col, path)
            return
        for var, vkn, vvn in _items(val):
            vline, vcol = pos(vkn.start)
            variables.append((var, _deref(vvn).to_data(), VarPos(path, vline, vcol)))
    for name in names:
        entry = inv._add_host(name, group, port, line, col, pattern, path)
        if entry is None:
            continue
        for k, v, p in variables:
            inv._set_host_var(entry, k, v, p)


# --------------------------------------------------------------------------- loading


def _decode(raw: bytes, inv: Inventory, path: str) -> str:
    """UTF-8 text; invalid bytes are tolerated on comment lines only, as ansible-core's INI
    plugin does (they become errors elsewhere)."""
    try:
        return decode(raw)
    except YamlLoadError:
        pass
    lines = []
    for n, bline in enumerate(raw.split(b"\n"), 1):
        try:
            lines.append(bline.decode("utf-8"))
        except UnicodeDecodeError:
            if bline[:1] in (b"#", b";"):
                lines.append("")
            else:
                lines.append(bline.decode("utf-8", "replace"))
                inv._error("not valid UTF-8", n, 1, path)
    return "\n".join(lines)


def _plugin_name(root: Any) -> Any:
    if isinstance(root, YMap):
        node = _deref(root.get("plugin"))
        if node is not None:
            value = node.to_data()
            if value:
                return value
    return None


def _parse_source(inv: Inventory, path: str, text: str | None, raw: bytes | None = None) -> bool:
    """Read one inventory file into `inv`. False when it is not an inventory at all."""
    if text is None:
        text = _decode(raw or b"", inv, path)
    inv.sources.append(path)
    ext = os.path.splitext(path)[1]
    body = text.lstrip("\ufeff")
    if ext.lower() == ".toml":
        inv.format = inv.format or "toml"
        inv._warn("TOML inventory: not analysed by ansopt", 0, 0, path)
        return True
    if body.startswith("#!") or ext.lower() in SCRIPT_EXTENSIONS:
        inv.dynamic = True
        inv.format = inv.format or "script"
        return True
    if body.lstrip().startswith("$ANSIBLE_VAULT;"):
        inv.encrypted = True
        inv.format = inv.format or "vault"
        return True
    if ext == "" or ext in YAML_EXTENSIONS:
        try:
            yf = load_text(path, text)
        except YamlLoadError as e:
            if ext in YAML_EXTENSIONS and not _ini_succeeds(path, text):
                # ansible-core's yaml plugin fails, and so does the ini plugin after it.
                inv.format = inv.format or "yaml"
                inv._error(e.message, e.line, e.col, path)
                return True
        else:
            root = _deref(yf.root)
            plugin = _plugin_name(root)
            if plugin is not None:
                inv.plugin = str(plugin)
                inv.format = inv.format or "plugin"
                return True
            if isinstance(root, YMap) and root.pairs:
                inv.format = inv.format or "yaml"
                if len(yf.docs) > 1:
                    inv._error("expected a single document in the stream", *yf.position(yf.docs[1].start), path)
                return parse_yaml_inventory(inv, yf, path)
            # Empty, a scalar or a list: ansible-core's yaml plugin refuses it and the ini
            # plugin gets its turn. A list in a YAML file is a playbook or a task list.
            if ext in YAML_EXTENSIONS and root is not None and not isinstance(root, YScalar) and not _ini_succeeds(path, text):
                return False
    inv.format = inv.format or "ini"
    before = len(inv.errors)
    if not parse_ini(inv, text, path):
        del inv.errors[before:]
        return False
    return True


def _ini_succeeds(path: str, text: str) -> bool:
    probe = Inventory(path)
    return parse_ini(probe, text, path) and not probe.errors


def load_inventory(path: str, text: str | None = None) -> Inventory | None:
    """Read an inventory source (a file, or a folder of them as ansible-core reads folders).

    Returns an Inventory (with `errors` filled when ansible-core would refuse it, `dynamic`
    set for scripts, `plugin` for inventory plugin configurations), or None when the file is
    plainly not an inventory (a settings file, a playbook, a vars file). Never raises."""
    inv = Inventory(path=path)
    try:
        if text is None and os.path.isdir(path):
            inv.format = "dir"
            _load_dir(inv, path)
            inv._reconcile()
            return inv
        raw = None
        if text is None:
            try:
                with open(path, "rb") as f:
                    raw = f.read()
            except OSError as e:
                inv._error(f"cannot read inventory: {e.strerror or e}")
                return inv
        if not _parse_source(inv, path, text, raw):
            return None
        inv._reconcile()
    except Exception as e:  # pragma: no cover - a bug here must not stop a lint run
        inv._error(f"ansopt could not read this inventory ({type(e).__name__}: {e})")
    return inv


def _load_dir(inv: Inventory, folder: str) -> None:
    try:
        names = sorted(os.listdir(folder))
    except OSError as e:
        inv._error(f"cannot read inventory folder: {e.strerror or e}", path=folder)
        return
    for name in names:
        if _DIR_IGNORED.search(name):
            continue
        full = os.path.join(folder, name)
        if os.path.isdir(full):
            _load_dir(inv, full)
            continue
        try:
            with open(full, "rb") as f:
                raw = f.read()
        except OSError as e:
            inv._error(f"cannot read inventory: {e.strerror or e}", path=full)
            continue
        if not _parse_source(Inventory(path=full), full, None, raw):
            inv._warn(f"Unable to parse {full} as an inventory source", path=full)
            continue
        _parse_source(inv, full, None, raw)


# --------------------------------------------------------------------------- vars folders


def _vars_file_names(folder: str) -> list[str]:
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return []
    names: dict[str, None] = {}
    for e in entries:
        if e.startswith(".") or e.endswith("~"):
            continue
        base, ext = os.path.splitext(e)
        if ext in YAML_EXTENSIONS and base:
            names.setdefault(base, None)
        else:
            names.setdefault(e, None)
    return list(names)


def find_vars_files(folder: str, name: str) -> list[str]:
    """The files ansible-core loads for entity `name` in a group_vars/host_vars folder
    (DataLoader.find_vars_files): `name` itself (a file, or a folder read recursively in
    sorted order), else `name.yml`, `name.yaml`, `name.json`: the first that exists wins."""
    base = os.path.join(folder, name)
    for ext in ("",) + YAML_EXTENSIONS:
        full = base + ext
        if os.path.exists(full):
            if os.path.isdir(full):
                return _dir_vars_files(full)
            return [full]
    return []


def _dir_vars_files(folder: str) -> list[str]:
    out: list[str] = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return out
    for e in entries:
        if e.startswith(".") or e.endswith("~"):
            continue
        ext = os.path.splitext(e)[1]
        full = os.path.join(folder, e)
        if os.path.isdir(full) and not ext:
            out.extend(_dir_vars_files(full))
        elif os.path.isfile(full) and (not ext or ext in YAML_EXTENSIONS):
            out.append(full)
    return out


def load_vars_file(path: str) -> tuple[dict | None, dict[str, VarPos], str | None, bool]:
    """(vars, positions, error, encrypted) of one vars file. vars is None for an empty file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        return None, {}, f"cannot read: {e.strerror or e}", False
    if raw.lstrip().startswith(b"$ANSIBLE_VAULT;"):
        return None, {}, None, True
    try:
        text = decode(raw)
        yf = load_text(path, text)
    except YamlLoadError as e:
        try:  # ansible-core's loader tries JSON first: tabs and all
            data = json.loads(raw)
        except ValueError:
            return None, {}, f"line {e.line}: {e.message}", False
        if data in (None, {}, [], ""):
            return None, {}, None, False
        if not isinstance(data, dict):
            return None, {}, f"expected a mapping of variables, got {type(data).__name__}", False
        return data, {k: VarPos(path, 1, 1) for k in data}, None, False
    if len(yf.docs) > 1:
        return None, {}, "expected a single document in the stream", False
    root = _deref(yf.root)
    if root is None or (isinstance(root, YScalar) and not root.value):
        return None, {}, None, False
    if not isinstance(root, YMap):
        data = root.to_data()
        if not data:
            return None, {}, None, False
        return None, {}, f"expected a mapping of variables, got {type(data).__name__}", False
    data: dict = {}
    positions: dict[str, VarPos] = {}
    for key, kn, vn in _items(root):
        data[key] = _deref(vn).to_data()
        positions[key] = VarPos(path, *yf.position(kn.start))
    if not data:
        return None, {}, None, False
    return data, positions, None, False


def load_vars_dir(base_dir: str, kind: str = "group_vars") -> VarsDir:
    """The `group_vars/` or `host_vars/` folder under `base_dir` (the inventory's folder or the
    playbook's; a file path means its folder), as ansible-core's host_group_vars plugin reads
    it: {group or host name: vars merged from its files in load order}. The result is a dict
    that also carries `positions`, `files`, `encrypted` and `errors` (see VarsDir)."""
    if kind not in ("group_vars", "host_vars"):
        raise ValueError(f"kind must be group_vars or host_vars, not {kind!r}")
    if base_dir and os.path.isfile(base_dir):
        base_dir = os.path.dirname(base_dir)
    out = VarsDir(base_dir, kind)
    folder = os.path.join(base_dir, kind)
    if not os.path.isdir(folder):
        return out
    for name in _vars_file_names(folder):
        files = find_vars_files(folder, name)
        if not files:
            continue
        merged: dict = {}
        pos: dict[str, VarPos] = {}
        for fp in files:
            data, positions, error, encrypted = load_vars_file(fp)
            if encrypted:
                out.encrypted.add(name)
            if error:
                line = 0
                m = re.match(r"line (\d+): (.*)", error)
                if m:
                    line, error = int(m.group(1)), m.group(2)
                out.errors.append(InventoryError(error, line, 1 if line else 0, fp))
            if data:
                merged.update(data)
                pos.update(positions)
        out.files[name] = files
        if merged or name in out.encrypted:
            out[name] = merged
            out.positions[name] = pos
    return out


def load_adjacent_vars(inventory_path: str) -> tuple[VarsDir, VarsDir]:
    """(group_vars, host_vars) next to an inventory source (its folder, or itself for a folder)."""
    base = inventory_path if os.path.isdir(inventory_path) else os.path.dirname(inventory_path)
    return load_vars_dir(base, "group_vars"), load_vars_dir(base, "host_vars")
