"""The ansible.cfg catalogue as the C4 rules read it: which sections read a key, who reads
it, the keys ansible-core removed (history the installed catalogue cannot hold, kept in
`ansopt.knowledge.history`), spelling distance. Shared by C401-C404."""

from __future__ import annotations

import os

from .. import knowledge
from ..knowledge.history import REMOVED_INI_KEYS as REMOVED  # noqa: F401 (C404 and its tests read the table)

IGNORED_SECTIONS = {"testing"}  # ansible-core's own test entries


def _owners(section: str) -> list[set[tuple[str, str]]]:
    """(plugin type, plugin name) of what reads keys from `section` ('' for base): first the
    plugin reading the most keys there (the ssh plugin for `[ssh_connection]`; none for a
    base section such as `[defaults]`), then all."""
    K = knowledge.get()
    count: dict[tuple[str, str], int] = {}
    for (s, _k), refs in K.ini_index.items():
        if s == section:
            for owner in {(p, n) for p, n, _o in refs}:
                count[owner] = count.get(owner, 0) + 1
    if not count:
        return []
    top = max(count.values())
    first = {o for o, c in count.items() if c == top}
    if ("", "") in first:  # a base section such as [defaults]: every reader counts
        return [set(count)]
    return [first, set(count)]


def targets(section: str, key: str) -> list[str]:
    """The other sections ansible-core reads `key` from, when it does not read it from `section`.

    When the plugins that read `section` read `key` from fewer sections (`remote_user` under
    `[ssh_connection]`: the ssh plugin reads it from `[defaults]`, paramiko also from
    `[paramiko_connection]`), those are the ones meant."""
    K = knowledge.get()
    if (section, key) in K.ini_index:
        return []
    every = sorted(s for s in K.key_sections.get(key, ()) if s != section and s not in IGNORED_SECTIONS)
    for owners in _owners(section):
        meant = sorted({s for s in every for p, n, _o in K.ini_index[(s, key)] if (p, n) in owners})
        if meant:
            return meant
    return every


def readers(section: str, key: str) -> str:
    """Who reads (section, key): `ansible-core's DEFAULT_FORKS`, `the ssh connection plugin`."""
    K = knowledge.get()
    names = []
    for ptype, pname, opt in K.ini_index.get((section, key), []):
        names.append(f"the {pname} {ptype} plugin" if ptype else f"ansible-core's {opt}")
    names = list(dict.fromkeys(names))
    return ", ".join(names[:2]) + (" and others" if len(names) > 2 else "")


# keys other rules own
OWNED_ELSEWHERE = {("defaults", "callback_whitelist")}


def pinned_core(ctx, cfg) -> tuple[int, int] | None:
    """The newest ansible-core that the Ansible pins at the cfg's folder allow (model.pins)."""
    abspath = ctx.project.abspath_of(cfg)
    return ctx.project.pinned_core(os.path.dirname(abspath)) if abspath else None


def removed(section: str, key: str):
    """The history entry for a key the installed ansible-core no longer knows, else None."""
    return knowledge.get().removed_ini_key(section, key)


def typo_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]
