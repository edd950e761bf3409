"""ansible.cfg keys that ansible-core removed: the one part of ansopt's knowledge that the
installed ansible-core cannot tell.

While a key is still read, ansible-core's own definitions say so (with its deprecation, its
`version` of removal and the alternatives, see `Knowledge.ini_deprecations`); once it is gone,
the installed catalogue has no trace of it, and ansible-core ignores the line without a
warning. These rows are that history, from ansible-core's changelogs and porting guides. A
row is used only while the installed ansible-core does not read the key
(`Knowledge.removed_ini_key`): on an older ansible-core that still reads it, its definitions
win.
"""

from __future__ import annotations

_GATHER = (
    "2.18",
    "the play keyword `{key}` on the plays that gather facts, or `module_defaults` for ansible.builtin.setup "
    "(`module_defaults: {{ansible.builtin.setup: {{{key}: ...}}}}`)",
)

# (section, key) -> (removed in, replacement text, renamed key or None); in the replacement
# text `{key}` is the key as written, and a text starting with "nothing" means: delete it.
REMOVED_INI_KEYS: dict[tuple[str, str], tuple[str, str, str | None]] = {
    ("defaults", "gather_subset"): (*_GATHER, None),
    ("defaults", "gather_timeout"): (*_GATHER, None),
    ("defaults", "fact_path"): (*_GATHER, None),
    ("ssh_connection", "scp_if_ssh"): (
        "2.17",
        "`transfer_method` in [ssh_connection] (scp, sftp, piped or smart)",
        "transfer_method",
    ),
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

# Removed keys whose loss changes nothing a run does, so a finding would only be tidying:
# (section, key) -> the values (lower case) for which ansible-core without the key does what
# the key asked, or None for any value (the feature the key controlled is gone, or its
# replacement's default does the same in practice).
INERT_WHEN_IGNORED: dict[tuple[str, str], frozenset[str] | None] = {
    ("defaults", "jinja2_native_warning"): None,  # the warning it silenced is gone
    ("defaults", "string_conversion_action"): None,  # the conversion it governed is gone
    ("defaults", "command_warnings"): None,  # the command module no longer warns
    ("defaults", "cow_whitelist"): None,  # cowsay stencils: output only
    # transfer_method's default `smart` tries sftp, then scp: both old choices still work
    ("ssh_connection", "scp_if_ssh"): None,
    ("defaults", "sudo_user"): frozenset({"root"}),  # become_user's default
    ("defaults", "su_user"): frozenset({"root"}),
    ("defaults", "sudo_exe"): frozenset({"sudo"}),  # become_exe's default for sudo
    ("defaults", "su_exe"): frozenset({"su"}),
    ("defaults", "sudo"): frozenset({"false", "no", "off", "0", "n", "f"}),  # become's default
    ("defaults", "ask_sudo_pass"): frozenset({"false", "no", "off", "0", "n", "f"}),
    ("defaults", "ask_su_pass"): frozenset({"false", "no", "off", "0", "n", "f"}),
}


def inert_when_ignored(section: str, key: str, value: str) -> bool:
    """Does ignoring this removed key leave a run exactly as the key asked?"""
    if (section, key) not in INERT_WHEN_IGNORED:
        return False
    values = INERT_WHEN_IGNORED[(section, key)]
    return values is None or value.strip().lower() in values
