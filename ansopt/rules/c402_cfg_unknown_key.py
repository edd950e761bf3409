"""An ansible.cfg key that ansible-core does not read from its section (often a typo).

What it does
    Reports a key in a section ansible-core knows (`[defaults]`, `[ssh_connection]`, ...)
    that no option of ansible-core's catalogue reads from that section: no base setting,
    no option of an installed plugin, no option of ansible-core's shared documentation
    fragments (the `[inventory] cache*` keys that collection inventory plugins read).
    The suggestion comes from the keys that section does take (`pipelinig` → did you mean
    `pipelining`?; `host-key-checking` → `host_key_checking`). `[galaxy_server.NAME]` keys
    are checked against ansible-core's galaxy server definitions.

    Not reported here: sections ansible-core does not know (C401: their keys may belong to
    a collection plugin), keys valid in another section (C403), removed and deprecated
    keys (C404), `callback_whitelist` (C302), and the `[DEFAULT]` section.

    A key with a close match is most likely a typo and is a warning. A key with none is
    reported as info: ansible-core ignores it, but a collection plugin may read it from a
    shared section such as `[defaults]` or `[persistent_connection]`.

Why
    ansible-core silently ignores keys it does not know: a misspelt `pipelinig = True`
    leaves pipelining off, and nothing says so. `ansible-config validate` (2.18+) finds
    unknown keys but offers no suggestion.

Measured gain
    Not measured on the testbed: that of the misspelt setting (for `pipelining`, `ansopt
    rule C101` prints the testbed's figures).

Example (reported)
    [ssh_connection]
    pipelinig = True
    host-key-checking = False

Use instead
    [ssh_connection]
    pipelining = True
    host_key_checking = False

Default selection
    Opt-in: config hygiene; an ignored key costs no run time (a typo of a performance key is caught by the rule for that setting).

Fix (unsafe)
    When exactly one key of the section is close, differs by a slip of one or two
    characters (or only by `-` or spaces) and the section does not set it yet,
    the key is renamed in place (value, spacing and comments kept). Unsafe: the setting
    starts to apply, which changes what runs. No fix with several candidates or none.
"""

from __future__ import annotations

import difflib

from .. import knowledge
from ..diagnostics import UNSAFE, Fix
from ..fixers import cfg_edits
from ._catalogue import IGNORED_SECTIONS, OWNED_ELSEWHERE, removed, targets, typo_distance

CODE = "C402"
SLUG = "cfg-unknown-key"
SEVERITY = "warning"
FIX = UNSAFE
DEFAULT = False

CUTOFF = 0.75


def fragment_keys() -> frozenset[tuple[str, str]]:
    """(section, key) pairs of ansible-core's doc fragments (see knowledge)."""
    return knowledge.get().fragment_keys


def valid_keys(section: str) -> frozenset[str]:
    K = knowledge.get()
    if section.startswith("galaxy_server."):
        return frozenset(K.galaxy_server_options)
    return K.section_keys.get(section, frozenset())


def suggestions(section: str, key: str) -> list[str]:
    keys = valid_keys(section)
    norm = "_".join(key.strip().lower().replace("-", "_").split())
    if norm in keys and norm != key:
        return [norm]
    near = difflib.get_close_matches(norm, sorted(keys), n=3, cutoff=CUTOFF)
    if len(near) > 1:  # keep the ones about as close as the best (`control_paht`: control_path only)
        ratio = {n: difflib.SequenceMatcher(None, norm, n).ratio() for n in near}
        best = max(ratio.values())
        near = [n for n in near if ratio[n] >= best - 0.1]
    return near


def is_typo_of(key: str, target: str) -> bool:
    """Close enough that renaming is clearly what was meant: a slip of one or two keys."""
    norm = "_".join(key.strip().lower().replace("-", "_").split())
    if norm == target:
        return True
    return typo_distance(norm, target) <= max(1, min(2, len(norm) // 5))


def is_unknown(section: str, key: str) -> bool:
    """ansible-core does not read `key` from `section`, and no other rule reports it."""
    K = knowledge.get()
    if section.startswith("galaxy_server."):
        return key not in K.galaxy_server_options
    if (section, key) in K.ini_index or (section, key) in OWNED_ELSEWHERE:
        return False
    if removed(section, key) is not None or targets(section, key):
        return False
    return (section, key) not in fragment_keys()


def check(ctx):
    K = knowledge.get()
    core = ".".join(K.core_version.split(".")[:2]) or ""
    for cfg in ctx.project.cfg_files:
        for sec in cfg.sections.values():
            known = sec.name in K.sections or sec.name.startswith("galaxy_server.")
            if not known or sec.name in IGNORED_SECTIONS:
                continue
            for opt in sec.options.values():
                if not is_unknown(sec.name, opt.key):
                    continue
                key = opt.raw_key.strip()
                near = suggestions(sec.name, opt.key)
                if not near:
                    msg = f"`{key}` is not a key ansible-core {core} reads from [{sec.name}]: it is ignored"
                    help = "delete it, unless a collection plugin reads it (`ansible-config list` shows what ansible-core reads)"
                    yield ctx.finding(cfg, opt.key_span, msg, severity="info", help=help)
                    continue
                listed = " or ".join(f"`{n}`" for n in near)
                msg = f"unknown key `{key}` in [{sec.name}], ignored by ansible-core: did you mean {listed}?"
                help = "rename it to the key meant, or delete it"
                fix = None
                if len(near) == 1 and near[0] in sec.options:
                    help = f"[{sec.name}] already sets `{near[0]}`, the key ansible-core reads: delete this line"
                elif len(near) == 1 and is_typo_of(opt.key, near[0]):
                    help = f"rename it to `{near[0]}`"
                    edit, changes = cfg_edits.rename_key(cfg, opt, near[0])
                    fix = Fix.unsafe([edit], f"rename {opt.key} to {near[0]}", changes)
                yield ctx.finding(cfg, opt.key_span, msg, fix=fix, help=help)
