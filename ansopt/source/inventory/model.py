"""The inventory model: `Inventory` (groups, hosts, their vars and positions; building,
reconciliation, group order, host patterns, variable precedence) and its small data classes.
The readers (`ini`, `yamlinv`, `load`) fill an `Inventory`; `vars` reads group_vars/host_vars."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .patterns import _has_jinja, _pattern_regex, _split_subscript, order_patterns, split_host_pattern

LOCALHOST = ("127.0.0.1", "localhost", "::1")
YAML_EXTENSIONS = (".yml", ".yaml", ".json")  # ansible-core's YAML_FILENAME_EXTENSIONS
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
                self._warn(
                    f"invalid character(s) in group name {name!r} (ansible-core keeps it but warns)", line, col, path
                )
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

    def _add_host(
        self, name: str, group: str | None, port: int | None, line: int, col: int, pattern: str, path: str
    ) -> HostEntry | None:
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
                        line,
                        col,
                        path,
                    )
        self.entries.append(entry)
        if group:
            g = self.groups[group]
            if not g._has(name):
                g.hosts.append(name)
                g._members.add(name)
                self._invalidate()
        return entry

    def _add_hosts(
        self,
        names: list[str],
        group: str | None,
        port: int | None,
        line: int,
        col: int,
        pattern: str,
        path: str,
        variables: list[tuple[str, Any, VarPos]],
    ) -> None:
        """The hosts of one inventory entry (a range gives several), each with its variables."""
        for name in names:
            entry = self._add_host(name, group, port, line, col, pattern, path)
            if entry is None:
                continue
            for k, v, pos in variables:
                self._set_host_var(entry, k, v, pos)

    def _set_host_var(self, entry: HostEntry, key: str, value: Any, pos: VarPos) -> None:
        if entry.name in self.groups:
            # ansible-core's InventoryData.set_variable looks the name up among groups first:
            # a host var of a host named like an existing group lands on the group.
            self._warn(
                f"host {entry.name!r} has the name of a group: ansible-core sets its variable {key!r} on the group",
                pos.line,
                pos.col,
                pos.path,
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
