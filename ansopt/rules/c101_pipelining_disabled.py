"""SSH pipelining is off: every task pays extra SSH round trips to copy its module.

What it does
    Reads the project's ansible.cfg the way ansible-core does and reports when the ssh
    connection plugin's `pipelining` option is off. ansible-core reads it from
    `[defaults]`, `[connection]` and `[ssh_connection]` (the last one present wins); its
    default is False, so a file that never mentions it is reported too.

    Inventory variables win over ansible.cfg: `ansible_pipelining` /
    `ansible_ssh_pipelining` set to false in the inventory, group_vars or host_vars are
    reported where they are set; set to true for every SSH host, they make the cfg finding
    moot. Hosts reached with winrm, psrp or local connections get no SSH advice; when the
    inventory mixes them, the help line says which hosts the advice is for. A host's
    connection is its `ansible_connection`, else what its other variables imply
    (`ansible_winrm_*`, `ansible_psrp_*`, a PowerShell shell type), else what another
    inventory of the project sets for the same host name (`-i hosts -i winrm.yml`).

    Not reported either: an ansible.cfg of `[galaxy]` / `[galaxy_server.*]` sections only
    (read by `ansible-galaxy`, as in an execution environment's build), and an ansible.cfg
    whose playbooks all run on the controller (`connection: local`, or `hosts: localhost`
    without an inventory entry that says otherwise), a project run by `ansible-pull` on each
    machine (`local.yml` beside the cfg, `ansible-pull` in its README or templates), and one
    whose inventory's SSH hosts no
    play targets (the plays reach only local or Windows hosts: a play of `win_*` modules
    beside debug, set_fact, assert, setup...), an ansible.cfg under a Mitogen strategy
    (`mitogen_linear`: Mitogen carries modules over its own connection), and one inside an
    inventory folder that no run reads (no playbook under it, its named inventory missing).

    `pipelining = True` written in a section ansible-core does not read it from
    (`[ssh_connections]`, `[all]`) is named in the message and moved to `[ssh_connection]`;
    written False there, or commented out (`# pipelining = True`, tried and turned off
    again), it is reported without a fix.

Why
    Without pipelining, each module run is: create a remote temp folder, copy the module
    file (sftp/scp), chmod it, run it, remove the folder: several SSH operations per task
    and host. With pipelining the module is sent on the stdin of a single `python`
    invocation. ControlPersist makes each operation cheaper; pipelining removes most of
    them.

Measured gain
    On the testbed (bench/testbed: the reference fleet on network-namespace SSH hosts), this
    fix's share is measured by leave-one-out: the fixed fleet against the same fix without
    this rule; `ansopt rule C101` prints the figures from the shipped results
    (`ansopt/knowledge/measured.json`), with their date, host count and round-trip time. The
    testbed also measures the unit: one module run with and without pipelining over a
    ControlPersist connection.

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

Default selection
    On: pipelining removes a module transfer round trip from every task on every SSH host.

Fix (safe)
    Adds `pipelining = True` to `[ssh_connection]`, creating the section at the end of the
    file if needed. A `pipelining = False` written in the file is reported without a fix:
    someone turned it off, often for a sudoers `requiretty`, and only they can tell that the
    reason is gone. A `pipelining = True # remark` is reported as what it is: ansible-core
    reads the whole text, which is not a true boolean, so pipelining is off although the
    author meant it on; the help says to move the remark (C406 fixes such comments), and
    no fix switches the dormant setting on behind the author's back. Every other byte of
    the file is kept. The fix is marked safe because it changes how modules are
    transferred, not what they do; the requiretty caveat above is the exception to check.

Suppress
    `pipelining = False ; noqa: C101` (a `;` comment, which ansible-core strips), or a
    `# noqa: C101` comment line directly above the option or section.
"""

from __future__ import annotations

import os

from .. import knowledge
from ..diagnostics import SAFE, Fix
from ..fixers import cfg_edits
from ..model.config import EffectiveConfig
from ..model.purpose import DOCS, TEST
from ..model.tasks import is_template
from ..source.cfgfile import hash_comment
from ._connection import (
    cfg_scope,
    commented_pipelining,
    galaxy_only,
    mitogen_strategy,
    names,
    pulled,
    split_hosts,
    ssh_targets,
    var_settings,
)
from ._text import MAX_MESSAGE, clip

CODE = "C101"
SLUG = "pipelining-disabled"
SEVERITY = "warning"
FIX = SAFE
SKIP_PURPOSES = (DOCS, TEST)  # a role's test or an example's ansible.cfg: see model.purpose


def _never_loaded(ctx, cfg) -> bool:
    """An ansible.cfg no run reads: it sits in an inventory folder (`inventory/ansible.cfg`),
    no playbook runs under it, and the inventory it names is not there (`inventory =
    ./inventory/hosts.ini`, written for the folder above): ansible-core reads the cfg of the
    folder it starts in, and nothing starts here."""
    from .. import discover
    from ..model.config import EffectiveConfig

    abspath = ctx.project.abspath_of(cfg)
    if abspath is None or ctx.project.playbooks_for_cfg(abspath):
        return False
    if os.path.basename(os.path.dirname(abspath)) not in discover.INVENTORY_DIRS:
        return False
    opt = EffectiveConfig(cfg).base("DEFAULT_HOST_LIST")
    if not opt.from_file:
        return False
    base = os.path.dirname(abspath)
    paths = [os.path.expanduser(p) for p in opt.as_list]
    return bool(paths) and not any(os.path.exists(p if os.path.isabs(p) else os.path.join(base, p)) for p in paths)


def _dormant(cfg, read_in: set[str]):
    """A `pipelining` option in a section ansible-core does not read it from, if any."""
    for name, sec in cfg.sections.items():
        if name in read_in or name == "DEFAULT":
            continue
        opt = sec.options.get("pipelining")
        if opt is not None:
            return opt
    return None


def check(ctx):
    K = knowledge.get()
    popt = K.plugin_options("connection", "ssh").get("pipelining", {})
    var_names = popt.get("vars", [])
    read_in = {str(e[0]) if isinstance(e, list | tuple) else str(e.get("section")) for e in popt.get("ini", [])}
    done_positions: set[tuple[str, int]] = set()
    for cfg in ctx.project.cfg_files:
        eff = EffectiveConfig(cfg)
        setting = eff.plugin("connection", "ssh", "pipelining")
        scope = cfg_scope(ctx, cfg)
        split = split_hosts(scope)
        on_by_var: set[str] = set()
        off_by_var: dict[tuple[str, int, int], list[str]] = {}
        names_at: dict[tuple[str, int, int], str] = {}
        for _src, host, name, vs in var_settings(scope, var_names):
            if is_template(vs.value):
                on_by_var.add(host)  # decided at run time: not ours to judge
                continue
            if K.boolean(vs.value):
                on_by_var.add(host)
            elif vs.pos is not None and host in split.ssh:
                key = (vs.pos.path, vs.pos.line, vs.pos.col)
                off_by_var.setdefault(key, []).append(host)
                names_at[key] = f"{name}: {vs.value}"
        for (path, line, col), hosts in sorted(off_by_var.items()):
            if (path, line) in done_positions:
                continue
            done_positions.add((path, line))
            setting_text = names_at[(path, line, col)]
            var = setting_text.split(":", 1)[0]
            head = f"`{clip(setting_text, 40)}` turns SSH pipelining off for "
            tail = " (inventory wins over ansible.cfg)"
            f = ctx.finding_at(
                path,
                line,
                col,
                head + names(hosts, width=MAX_MESSAGE - len(head) - len(tail)) + tail,
                help=f"remove `{var}` or set it to true",
            )
            if f is not None:
                yield f
        keep = eff.base("DEFAULT_KEEP_REMOTE_FILES")
        if setting.as_bool and keep.from_file and keep.as_bool and not split.only_other:
            yield ctx.finding(
                cfg,
                keep.option.value_span,
                "keep_remote_files = True turns pipelining off: ansible-core writes each module to a file on the host",
                help="remove keep_remote_files (a debugging setting) when done debugging" + split.suffix(),
            )
            continue
        if setting.as_bool or split.only_other:
            continue
        if galaxy_only(cfg) or pulled(ctx, cfg) or mitogen_strategy(cfg):
            continue  # read by ansible-galaxy; ansible-pull: each machine runs itself; Mitogen's transport
        if _never_loaded(ctx, cfg):
            continue
        targets = ssh_targets(ctx, cfg, scope)
        if targets is not None and not targets & set(split.ssh):
            continue  # no play reaches an SSH host (all local or Windows), or none of the inventory's
        if split.known and split.ssh and all(h in on_by_var for h in split.ssh):
            continue  # every SSH host turns it on through an inventory variable
        note = ""
        if keep.from_file and keep.as_bool:
            note = " and remove keep_remote_files = True, which would turn it off again"
        note += split.suffix()
        if setting.option is not None:
            opt = setting.option
            # written off on purpose (often for sudoers' `requiretty`): reported, never flipped
            fix = None
            at = opt.value_span
            key = opt.raw_key.strip()
            hashed = hash_comment(cfg, opt)
            if hashed is not None and K.is_boolean_text(hashed[1].strip()) and K.boolean(hashed[1].strip()):
                # `pipelining = True # comment`: meant on, read as the string "True # ...", which is false
                msg = f"SSH pipelining is off: `{clip(key, 24)} = {clip(opt.value, 30)}` is not True (`#` is no comment after a value)"
                help = f"move the comment to a line of its own, or start it with `;` (ansible-core then reads {key} = True){note}"
            else:
                msg = f"SSH pipelining is off ([{opt.section}] {clip(key, 24)} = {clip(opt.value, 20)}): each task pays extra SSH round trips"
                help = f"set {key} = True once no host's sudoers has `requiretty` (it was turned off on purpose: no automatic fix){note}"
        elif (dormant := _dormant(cfg, read_in)) is not None:
            # `pipelining` written in a section ansible-core never reads it from ([ssh_connections],
            # [all]): the author's intent is known, and the setting has no effect
            sec_name = dormant.section
            at = dormant.key_span
            meant_on = K.is_boolean_text(dormant.value.strip()) and K.boolean(dormant.value.strip())
            msg = f"SSH pipelining is off: `{clip(dormant.raw_key.strip(), 20)} = {clip(dormant.value, 12)}` is in [{clip(sec_name, 24)}], which ansible-core does not read"
            fix = None
            if meant_on and cfg.get("ssh_connection", dormant.key) is None:

                def move(cfg=cfg, opt=dormant):
                    made = cfg_edits.move_option(cfg, opt, "ssh_connection")
                    if made is None:
                        return None
                    edits, changes = made
                    return Fix.safe(list(edits), "move pipelining to [ssh_connection]", list(changes))

                fix = ctx.lazy_fix(move, SAFE, "move pipelining to [ssh_connection]")
                help = f"move it to [ssh_connection]{note}"
            else:
                help = f"it is off as written; set pipelining = True in [ssh_connection] once that is meant (no automatic fix){note}"
        elif (off_line := commented_pipelining(cfg)) is not None:
            # `# pipelining = True` commented out: tried and turned off again, on purpose
            fix = None
            sec = cfg.sections.get("ssh_connection")
            at = sec.header_span if sec is not None else 0
            msg = f"SSH pipelining is off: `pipelining = True` is commented out (line {off_line})"
            help = (
                f"uncomment it once no host's sudoers has `requiretty` (turned off on purpose: no automatic fix){note}"
            )
        else:

            def build(cfg=cfg):
                made = cfg_edits.set_option(cfg, "ssh_connection", "pipelining", "True")
                return None if made is None else Fix.safe([made[0]], "set pipelining = True", [made[1]])

            fix = ctx.lazy_fix(build, SAFE, "set pipelining = True")
            sec = cfg.sections.get("ssh_connection")
            at = sec.header_span if sec is not None else 0
            msg = "SSH pipelining is off (ansible-core's default): each task pays extra SSH round trips"
            help = f"set pipelining = True in [ssh_connection]{note}"
        yield ctx.finding(cfg, at, msg, fix=fix, help=help)
