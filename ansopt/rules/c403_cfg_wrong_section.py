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
    Not measured on the testbed: that of the setting that was meant (`ssh_args`: `ansopt
    rule C102`; `pipelining`: `ansopt rule C101`).

Example (reported)
    [defaults]
    inventory = hosts
    ssh_args = -o ControlMaster=auto -o ControlPersist=60s

Use instead
    [defaults]
    inventory = hosts

    [ssh_connection]
    ssh_args = -o ControlMaster=auto -o ControlPersist=60s

Default selection
    Opt-in: config hygiene; moving a key switches on what it says, which may not be wanted.

Fix (unsafe)
    Moves the option's lines as written (key, spacing, value and `;` comment) to the end
    of the section ansible-core reads it from, creating that section at the end of the file
    when missing. Unsafe: the setting starts to apply.

    Only performance settings are moved: `pipelining`, `forks`, `gathering`, the fact
    cache keys, `control_path_dir`, `callbacks_enabled`, `control_path` when it names the
    host (`%h` or `%C`), and `ssh_args` made only of connection-reuse and keep-alive options
    (`-C`, ControlMaster, ControlPersist, ControlPath, ServerAlive*, TCPKeepAlive,
    ConnectTimeout, ConnectionAttempts). A move that would switch on anything else is
    report-only and the help says what would switch on: `become = True` left in
    `[defaults]` would turn become on for every task (package managers that refuse root,
    per-user files written to root's home); a `control_path` without `%h` would make every
    host with the same port and user share one master socket, so commands reach the wrong
    host; an `ssh_args` with `-o ProxyCommand` would start routing through a proxy. No fix
    either when the key is read from more than one other section (the help lists them) or
    when the right section already sets it (ansible-core uses that one; delete this line).
"""

from __future__ import annotations

from .. import knowledge
from ..diagnostics import UNSAFE, Fix
from ..fixers import cfg_edits
from ._catalogue import IGNORED_SECTIONS, readers, targets  # noqa: F401
from ._text import clip

CODE = "C403"
SLUG = "cfg-wrong-section"
SEVERITY = "warning"
FIX = UNSAFE
DEFAULT = False

# ssh options that only make connections faster or steadier: moving an `ssh_args` made of
# these switches on nothing but the performance setting it was written for.
SSH_PERFORMANCE_OPTIONS = frozenset(
    o.lower()
    for o in (
        "ControlMaster",
        "ControlPersist",
        "ControlPath",
        "Compression",
        "ServerAliveInterval",
        "ServerAliveCountMax",
        "TCPKeepAlive",
        "ConnectTimeout",
        "ConnectionAttempts",
    )
)
# Keys whose only effect is speed; a move of any other key is report-only.
PERFORMANCE_KEYS = frozenset(
    {
        "pipelining",
        "ssh_args",
        "control_path",
        "control_path_dir",
        "forks",
        "gathering",
        "fact_caching",
        "fact_caching_connection",
        "fact_caching_timeout",
        "fact_caching_prefix",
        "internal_poll_interval",
        "callbacks_enabled",
    }
)


def _ssh_options(value: str) -> list[str] | None:
    """The option names of an ssh argument string (`-C` counts as Compression); None when it
    holds anything else (a host, a flag like -A or -v, a template)."""
    import shlex

    try:
        words = shlex.split(value, comments=False)
    except ValueError:
        return None
    out: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w == "-C":
            out.append("compression")
        elif w == "-o" and i + 1 < len(words):
            out.append(words[i + 1].split("=", 1)[0].split()[0].lower())
            i += 1
        elif w.startswith("-o") and len(w) > 2:
            out.append(w[2:].split("=", 1)[0].lower())
        else:
            return None
        i += 1
    return out


def activates(key: str, value: str) -> tuple[str, str] | None:
    """What moving `key = value` to where ansible-core reads it would switch on beyond speed,
    as (a few words for the message, the consequence for the help); None when it is a
    performance setting and nothing else."""
    value = (value or "").strip()
    if "{{" in value:
        return "a templated value", f"`{clip(value, 40)}` for every run"
    if key not in PERFORMANCE_KEYS:
        if key == "become":
            return (
                "become for every task",
                "privilege escalation for every task (package managers that refuse root, per-user files written to root's home)",
            )
        return f"`{clip(key, 24)}`", f"`{clip(key + ' = ' + value, 60)}` for every run"
    if key == "ssh_args":
        opts = _ssh_options(value)
        other = None if opts is None else [o for o in opts if o not in SSH_PERFORMANCE_OPTIONS]
        if opts is None or other:
            what = clip(", ".join(other), 40) if other else clip(value, 40)
            return "ssh options beyond connection reuse", f"ssh options beyond connection reuse ({what})"
    if key == "control_path" and not any(t in value for t in ("%h", "%C", "%%h", "%%C")):
        return (
            "one socket for all hosts",
            "one master socket shared by every host with the same port and user (commands would reach the wrong host)",
        )
    return None


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
                help = ""
                if len(where) == 1:
                    target = where[0]
                    msg = f"`{key}` is read from [{target}] only: ansible-core ignores it in [{sec.name}]"
                    other = cfg.sections.get(target)
                    if other is not None and opt.key in other.options:
                        o = other.options[opt.key]
                        help = f"[{target}] already sets {o.raw_key.strip()} = {o.value}, the one ansible-core uses: delete this line"
                    else:
                        switches_on = activates(opt.key, opt.value)
                        if switches_on is not None:
                            msg = f"`{key}` is ignored in [{sec.name}]; moving it to [{target}] would switch on {switches_on[0]}"
                            help = f"moving it would switch on {switches_on[1]}: move it only if that is wanted, else delete it"
                        else:
                            help = f"move it to [{target}]"
                            moved = cfg_edits.move_option(cfg, opt, target)
                            if moved is not None:
                                edits, changes = moved
                                fix = Fix.unsafe(edits, f"move {opt.key} to [{target}]", changes)
                else:
                    listed = ", ".join(f"[{s}]" for s in where)
                    msg = f"`{key}` is not read from [{sec.name}]: ansible-core ignores it there"
                    help = "it is read from " + "; ".join(f"[{s}] ({readers(s, opt.key)})" for s in where)
                    if len(msg) + len(listed) + 20 <= 120:
                        msg += f" (read from {listed})"
                yield ctx.finding(cfg, opt.key_span, msg, fix=fix, help=help)
