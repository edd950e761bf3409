"""Which facts a text reads, and the smallest `gather_subset` that provides them.

Facts reach templates as ``ansible_facts['name']`` / ``ansible_facts.name``, as the injected
``ansible_<name>`` variables, and through ``hostvars[host]``. Magic and connection variables
that also start with ``ansible_`` (``ansible_host``, ``ansible_check_mode``, ...) are not facts:
their list comes from ansible-core (see `ansopt.knowledge`). The scan is deliberately
generous: a comment or a plain string naming a fact counts as a read, and anything dynamic
(``ansible_facts | to_json``, ``hostvars[host]`` passed whole, ``'ansible_' ~ name``, facter
or ohai facts) counts as reading every fact. A false "reads" only costs a missed finding.

Fact name -> collector -> subset comes from ansible-core's fact collectors (their names and
`_fact_ids`, plus the keys their modules write), cached in the knowledge file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .. import knowledge

_FACTS_ACCESS = re.compile(
    r"""\bansible_facts\b(\s*\[\s*(['"])(\w+)\2\s*\]|\s*\.\s*([A-Za-z_]\w*)|\s*\.\s*get\(\s*(['"])(\w+)\5)?"""
)
_ANSIBLE_VAR = re.compile(r"\bansible_([A-Za-z0-9_]+)")
_DYNAMIC = re.compile(
    r"""(\b(?:facter|ohai)_\w+|['"]ansible_['"]|\bhostvars\s*\[[^\]\[]*\]\s*(?=[|)}\],]|$|\s*\}\})|\bvars\s*\|)"""
)
# interface facts are named after the interface: ansible_eth0, ansible_ens3, ansible_bond0 ...
_IFACE = re.compile(r"(eth|ens|enp|eno|em|wlan|wlp|bond|br|docker|veth|virbr|tun|tap|lo|vlan|team|ib)[0-9a-z_]*\Z")


@dataclass
class FactUse:
    names: dict[str, str] = field(default_factory=dict)  # fact name (no ansible_ prefix) -> where first read
    all: str | None = None  # where something reads facts we cannot name

    @property
    def any(self) -> bool:
        return bool(self.names) or self.all is not None

    def merge(self, other: FactUse) -> None:
        for k, v in other.names.items():
            self.names.setdefault(k, v)
        if self.all is None and other.all is not None:
            self.all = other.all


_SETS: tuple[frozenset[str], frozenset[str]] | None = None


def _fact_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(names a collector declares or writes at top level, every key a collector writes)."""
    global _SETS
    if _SETS is None:
        F = knowledge.get().facts
        strong: set[str] = set()
        for cname, ids in F["collectors"].items():
            strong.update(ids)
            if cname in F["scanned"].get(cname, ()):
                strong.add(cname)  # ansible_lsb, ansible_local, ansible_dns, ...
        weak: set[str] = set()
        for keys in F["scanned"].values():
            weak.update(keys)
        _SETS = (frozenset(strong), frozenset(weak))
    return _SETS


def is_fact_var(name: str) -> bool:
    """Is `ansible_<name>` a fact (rather than a magic or connection variable)?

    Names the collectors declare win; then ansible-core's own variables; anything else that
    starts with ansible_ is taken for a fact (a generous reading costs a missed finding only).
    """
    if name == "facts":
        return False
    strong, _ = _fact_sets()
    if name in strong:
        return True
    return f"ansible_{name}" not in knowledge.get().magic_vars


def scan(text: str, label: str, use: FactUse | None = None) -> FactUse:
    """Add the facts read by `text` (found at `label`) to `use`."""
    use = use or FactUse()
    if (
        "ansible_" not in text
        and "hostvars" not in text
        and "facter_" not in text
        and "ohai_" not in text
        and "vars" not in text
    ):
        return use
    for m in _FACTS_ACCESS.finditer(text):
        name = m.group(3) or m.group(4) or m.group(6)
        if name:
            use.names.setdefault(name, label)
        elif use.all is None:
            use.all = f"{label} (ansible_facts used as a whole)"
    for m in _ANSIBLE_VAR.finditer(text):
        name = m.group(1)
        if name == "facts" or name.startswith("facts"):
            continue
        if is_fact_var(name):
            use.names.setdefault(name, label)
    dynamic = _DYNAMIC.search(text)
    if dynamic and use.all is None:
        use.all = f"{label} ({dynamic.group(0).strip()[:40]})"
    return use


def collector_of(name: str) -> str | None:
    """The fact collector that provides fact `name`, or None when unknown."""
    F = knowledge.get().facts
    for cname, ids in F["collectors"].items():
        if name in ids or (name == cname and name in F["scanned"].get(cname, ())):
            return cname
    hits = [c for c, keys in F["scanned"].items() if name in keys]
    for preferred in ("hardware", "network", "virtual"):
        if preferred in hits:
            return preferred
    if hits:
        return sorted(hits)[0]
    if _IFACE.match(name):
        return "network"
    return None


def gather_subset(names) -> list[str] | None:
    """The smallest gather_subset giving every fact in `names`; None if one is unknown."""
    needed = set()
    for n in names:
        c = collector_of(n)
        if c is None:
            return None
        needed.add(c)
    return ["!all", "!min", *sorted(needed)]
