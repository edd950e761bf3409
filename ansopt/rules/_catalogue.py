"""The ansible.cfg catalogue as the C4 rules read it: which sections read a key, who reads
it, the keys ansible-core removed (history the installed catalogue cannot hold), spelling
distance. Shared by C401-C404."""

from __future__ import annotations

from .. import knowledge

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


_GATHER = (
    "2.18",
    "the play keyword `{key}` on the plays that gather facts, or `module_defaults` for ansible.builtin.setup "
    "(`module_defaults: {{ansible.builtin.setup: {{{key}: ...}}}}`)",
)

# (section, key) -> (removed in, replacement text, renamed key or None)
REMOVED: dict[tuple[str, str], tuple[str, str, str | None]] = {
    ("defaults", "gather_subset"): (*_GATHER, None),
    ("defaults", "gather_timeout"): (*_GATHER, None),
    ("defaults", "fact_path"): (*_GATHER, None),
    ("ssh_connection", "scp_if_ssh"): ("2.17", "`transfer_method` in [ssh_connection] (scp, sftp, piped or smart)", "transfer_method"),
    ("defaults", "jinja2_native_warning"): ("2.17", "nothing (the warning it silenced is gone)", None),
    ("defaults", "collections_paths"): ("2.19", "`collections_path` (singular)", "collections_path"),
    ("defaults", "string_conversion_action"): ("2.19", "nothing (ansible-core no longer converts those values)", None),
    ("defaults", "cow_whitelist"): ("2.15", "`cowsay_enabled_stencils`", "cowsay_enabled_stencils"),
    ("defaults", "command_warnings"): ("2.14", "nothing (the command module no longer warns)", None),
    ("defaults", "hostfile"): ("2.8", "`inventory` in [defaults]", "inventory"),
    ("defaults", "sudo"): ("2.8", "`become` in [privilege_escalation]", None),
    ("defaults", "sudo_user"): ("2.8", "`become_user` in [privilege_escalation]", None),
    ("defaults", "sudo_exe"): ("2.8", "`become_exe` in [privilege_escalation]", None),
    ("defaults", "sudo_flags"): ("2.8", "`become_flags` in [privilege_escalation]", None),
    ("defaults", "su_user"): ("2.9", "`become_user` in [privilege_escalation] (with `become_method = su`)", None),
    ("defaults", "su_exe"): ("2.9", "`become_exe` in [privilege_escalation] (with `become_method = su`)", None),
    ("defaults", "su_flags"): ("2.9", "`become_flags` in [privilege_escalation] (with `become_method = su`)", None),
    ("defaults", "ask_sudo_pass"): ("2.9", "`become_ask_pass` in [privilege_escalation]", None),
    ("defaults", "ask_su_pass"): ("2.9", "`become_ask_pass` in [privilege_escalation]", None),
    ("defaults", "squash_actions"): ("2.11", "nothing (package modules take a list in `name` instead)", None),
}

# keys other rules own
OWNED_ELSEWHERE = {("defaults", "callback_whitelist")}


def removed(section: str, key: str):
    """The history entry for a key the installed ansible-core no longer knows, else None."""
    K = knowledge.get()
    if (section, key) in K.ini_index:
        return None
    return REMOVED.get((section, key))


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
