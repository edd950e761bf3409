"""A custom SSH ControlPath built from %h/%p/%r without %C can exceed the Unix socket path limit.

What it does
    Finds the ControlPath ansible-core will hand to ssh and reports one that names the
    control socket after the remote host, port or user (`%h`, `%n`, `%p`, `%r`) without
    `%C`. Where the path comes from, as in ansible-core 2.19's ssh plugin
    (`Connection._build_command`):

    * `-o ControlPath=...` inside `ssh_args`, `ssh_common_args` or `ssh_extra_args` (cfg or
      the `ansible_ssh_*args` variables). ansible-core passes these words to ssh unchanged
      (only split like a shell would), so ssh's own tokens are written with one `%`:
      `-o ControlPath=/tmp/%h-%p-%r`. A `%%h` there reaches ssh as the literal text `%h`:
      every host then shares one socket path, which is reported too (ssh would send one
      host's commands through another host's master connection). For each option ssh keeps
      the first value it is given, so the first ControlPath on the command line counts.
    * otherwise `[ssh_connection] control_path` (or `ansible_control_path`). ansible-core
      uses it only when the ssh command line has ControlPersist and no ControlPath (an
      argument containing `controlpath` makes it ignore the option), and it %-formats the
      value with Python's `%` operator and `dict(directory=<control_path_dir>)`: `%%` becomes
      `%` and `%(directory)s` the folder (`~/.ansible/cp` by default), so ssh's tokens must
      be written `%%h`. A single `%h` there makes that formatting raise before ssh runs,
      which is reported as well. The ConfigParser that reads ansible.cfg does so with
      `raw=True`: no interpolation happens there.


    A path that only could overflow is reported when a known host makes it overflow: the
    rule expands the path for each inventory host (its `ansible_host`, else its name, for
    `%h`; 12 characters for the user and the home folder's user name; 5 digits for the port)
    and adds the 17 characters ssh appends while it creates the socket. No inventory, or
    only hosts whose path stays under 108 bytes: nothing is reported (a broken `%` format
    always is).
Why
    A Unix socket path holds at most 108 bytes on Linux (104 on macOS and the BSDs), and
    ssh first binds a temporary name 17 bytes longer (`<path>.<16 random characters>`).
    `%(directory)s/%%h-%%p-%%r` under a deep home folder with a cloud host name
    (`ec2-52-90-92-217.compute-1.amazonaws.com`) passes that limit; ssh then stops with
    `unix_listener: path "..." too long for Unix domain socket` and ansible-core marks the
    host UNREACHABLE (ansible/ansible#11536). `%C` is a hash (SHA-1, 40 hex characters) of
    `%l%h%p%r`: the local host name, the remote host, the port and the user, so it is as
    unique as `%h-%p-%r` (it tells apart everything they tell apart, and the local host
    too) with a fixed length. OpenSSH has it since 6.7 (2014). ansible-core's own default,
    used when control_path is unset, is likewise a hash (`%(directory)s/` + 10 hex digits).

Measured gain
    Not measurable on the testbed as a speed-up: an over-long ControlPath makes ssh fail on
    the affected hosts (they do not run at all), and the testbed's paths are short. What
    connection sharing is worth is C102's measurement (`ansopt rule C102`).

Example (reported)
    [ssh_connection]
    control_path = %(directory)s/ansible-ssh-%%h-%%p-%%r

Use instead
    [ssh_connection]
    control_path = %(directory)s/ansible-ssh-%%C

    (or remove the line: ansible-core's default path is already hashed and short.)

Default selection
    On: a socket path past the Unix limit makes hosts UNREACHABLE (a failure, not only a cost).

Fix (safe)
    Replaces the `%h`/`%p`/`%r` run (with the `-`, `_`, `.`, `@`, `:` or `+` between them)
    by `%C`, keeping the text around it and the file's escaping: `%%C` in control_path (so
    `%(directory)s/%%h-%%p-%%r` becomes `%(directory)s/%%C` and `ansible-ssh-%%h-%%p-%%r`
    becomes `ansible-ssh-%%C`), `%C` inside `-o ControlPath=` of the *_args options. Sockets
    get new names, so the first run after the fix opens new master connections; nothing
    else changes. No automatic fix when the tokens are spread over several places of the
    path, for a multi-line value, or for inventory variables (edit them by hand).

Suppress
    `control_path = /tmp/%%h ; noqa: C103` (a `;` comment, which ansible-core strips), or a
    `# noqa: C103` comment line directly above the option.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..diagnostics import SAFE, Fix
from ..fixers import cfg_edits
from ..model.config import EffectiveConfig
from ..model.tasks import is_template
from ._ssh import (
    ARG_OPTIONS,
    Origin,
    for_hosts,
    host_view,
    names,
    setting,
    split_args,
    ssh_options,
    tokens_with_spans,
)
from ._text import MAX_MESSAGE, clip

CODE = "C103"
SLUG = "control-path-unhashed"
SEVERITY = "warning"
FIX = SAFE

HOST_TOKENS = "hnpr"
_SEP = r"[-_.@:+]*"
# one run of host tokens, as written in control_path (`%%h`; a lone `%h` is broken there)
_RUN_CFG = re.compile(rf"(?:%%|%)[{HOST_TOKENS}](?:{_SEP}(?:%%|%)[{HOST_TOKENS}])*")
# ... and as written in a ssh argument (`%h`; `%%h` is a literal there)
_RUN_ARG = _RUN_CFG


def ssh_tokens(path: str) -> tuple[set[str], set[str]]:
    """(tokens, literal letters) of a ControlPath as ssh expands it: `%%` is a literal `%`,
    `%X` the token X. A literal `%` followed by a host-token letter is reported apart."""
    tokens: set[str] = set()
    literal: set[str] = set()
    i = 0
    while i < len(path):
        if path[i] == "%" and i + 1 < len(path):
            c = path[i + 1]
            if c == "%":
                if i + 2 < len(path) and path[i + 2] in HOST_TOKENS:
                    literal.add(path[i + 2])
                i += 2
                continue
            tokens.add(c)
            i += 2
            continue
        i += 1
    return tokens, literal


def format_control_path(value: str, directory: str) -> str | None:
    """What ansible-core makes of control_path: `value % dict(directory=...)`; None when
    that raises (a lone `%h` and the like)."""
    try:
        return value % dict(directory=directory)
    except (TypeError, ValueError, KeyError):
        return None


@dataclass
class PathProblem:
    kind: str  # "unhashed" | "literal" | "broken"
    path: str  # as written
    ssh_path: str | None  # as ssh receives it


def judge_cfg_path(value: str, directory: str) -> PathProblem | None:
    """A control_path value (ansible-core %-formats it)."""
    if not isinstance(value, str) or not value.strip() or is_template(value):
        return None
    formatted = format_control_path(value, directory)
    if formatted is None:
        if re.search(rf"(?<!%)%[{HOST_TOKENS}]", value.replace("%%", "")):
            return PathProblem("broken", value, None)
        return None
    if formatted.strip().lower() == "none":
        return None
    tokens, _ = ssh_tokens(formatted)
    if "C" in tokens or not tokens & set(HOST_TOKENS):
        return None
    return PathProblem("unhashed", value, formatted)


def judge_arg_path(value: str) -> PathProblem | None:
    """A `-o ControlPath=` value (passed to ssh as is)."""
    if not value.strip() or value.strip().lower() == "none" or is_template(value):
        return None
    tokens, literal = ssh_tokens(value)
    if "C" in tokens:
        return None
    if tokens & set(HOST_TOKENS):
        return PathProblem("unhashed", value, value)
    if literal:
        return PathProblem("literal", value, value)
    return None


@dataclass
class _Loc:
    origin: Origin
    text: object
    problem: PathProblem
    in_args: bool
    active: bool = True
    hosts: list[str] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)


SUN_PATH_MAX = 108  # bytes of a Unix socket path, its terminating NUL included
# ssh binds the master socket at the path plus "." and 16 random characters, then renames it
SSH_TEMP_SUFFIX = 17
# realistic lengths for what the inventory does not say: a user name, a port, local names
_TOKEN_GUESS = {
    "%p": "65535",
    "%r": "x" * 12,
    "%u": "x" * 12,
    "%l": "x" * 24,
    "%L": "x" * 12,
    "%i": "99999",
    "%n": None,
    "%h": None,
}


def _worst_length(problem: PathProblem, host: str, hv) -> int:
    """The longest the socket path can be for this host: its address (`ansible_host`, else
    its name) for %h and %n, long guesses for the user, port and local names, `~` as a long
    home folder, plus the temporary suffix ssh adds."""
    path = problem.ssh_path or problem.path
    if not isinstance(path, str):
        return SUN_PATH_MAX
    address = host
    for k in ("ansible_host", "ansible_ssh_host"):
        v = hv.get(k) if hv else None
        if v is not None and isinstance(getattr(v, "value", None), str) and not is_template(v.value):
            address = v.value
            break
    out = path.replace("%%", "%")
    if out.startswith("~"):
        out = "/home/" + "x" * 12 + out[1:]
    for tok, guess in _TOKEN_GUESS.items():
        out = out.replace(tok, address if guess is None else guess)
    return len(out) + SSH_TEMP_SUFFIX


def check(ctx):
    done: set[tuple] = set()
    for cfg in ctx.project.cfg_files:
        yield from _check_cfg(ctx, cfg, done)


def _check_cfg(ctx, cfg, done: set[tuple]):
    eff = EffectiveConfig(cfg)
    view = host_view(ctx, cfg)
    locs: dict[tuple, _Loc] = {}
    for row in view.rows:
        vals = [setting(eff, row.hv, o) for o in ARG_OPTIONS]
        all_tokens: list[str] = []
        path_opt = None
        unknown = False
        for i, v in enumerate(vals):
            if v.text is None or v.text == "":
                continue
            if not isinstance(v.text, str) or is_template(v.text):
                unknown = True
                break
            toks = split_args(v.text)
            if toks is None:
                unknown = True
                break
            all_tokens.extend(toks)
            if path_opt is None:
                opts, _ = ssh_options(toks)
                for o in opts:
                    if o.keyword == "controlpath":
                        path_opt = (i, o)
                        break
        if unknown:
            continue
        if path_opt is not None:
            i, o = path_opt
            prob = judge_arg_path(o.value)
            where = vals[i]
            if prob is None or where.origin.kind == "default":
                continue
            loc = locs.setdefault(where.origin.key, _Loc(where.origin, where.text, prob, True))
        elif any("controlpath" in t.lower() for t in all_tokens):
            continue  # ansible-core ignores control_path then (its check is a substring test)
        else:
            cp = setting(eff, row.hv, "control_path")
            if cp.origin.kind == "default" or not isinstance(cp.text, str):
                continue
            directory = setting(eff, row.hv, "control_path_dir").text or "~/.ansible/cp"
            prob = judge_cfg_path(cp.text, str(directory))
            if prob is None:
                continue
            active = any("controlpersist" in t.lower() for t in all_tokens)
            loc = locs.setdefault(cp.origin.key, _Loc(cp.origin, cp.text, prob, False, active))
            loc.active = loc.active or active
        if row.host:
            loc.hosts.append(row.host)
            loc.lengths.append(_worst_length(loc.problem, row.host, row.hv))
    for key, loc in locs.items():
        if key in done:
            continue
        done.add(key)
        if loc.problem.kind == "unhashed" and (not loc.lengths or max(loc.lengths) < SUN_PATH_MAX):
            continue  # no known host makes the path long enough to overflow: nothing breaks
        f = _finding(ctx, cfg, view, loc)
        if f is not None:
            yield f


def _replacement(loc: _Loc) -> str:
    return "%C" if loc.in_args else "%%C"


def _suggest(path: str, loc: _Loc) -> str | None:
    """The path with its one run of host tokens replaced by %C; None when not one run."""
    runs = list(_RUN_CFG.finditer(path))
    if len(runs) != 1:
        return None
    m = runs[0]
    new = path[: m.start()] + _replacement(loc) + path[m.end() :]
    if loc.in_args:
        if judge_arg_path(new) is not None:
            return None
    elif judge_cfg_path(new, "/d") is not None or format_control_path(new, "/d") is None:
        return None
    return new


def _fix(cfg, loc: _Loc) -> Fix | None:
    """The one run of host tokens in the ControlPath, as written in the cfg, replaced by %C."""
    o = loc.origin
    opt = o.option
    if o.kind != "cfg" or opt is None:
        return None
    raw = cfg_edits.raw_value(cfg, opt)
    if raw is None:
        return None
    old_path = loc.problem.path
    if not loc.in_args:
        if raw != opt.value or raw.count(old_path) != 1:
            return None
        m = _RUN_CFG.search(old_path)
        if m is None:
            return None
        at = raw.index(old_path)
        made = cfg_edits.replace_in_value(cfg, opt, at + m.start(), at + m.end(), _replacement(loc))
        if made is None:
            return None
        return Fix.safe([made[0]], "use %C in the ControlPath", [made[1]])
    words = tokens_with_spans(raw)
    plain = split_args(opt.value)
    if words is None or plain is None or [w for w, _, _ in words if w.strip()] != plain:
        return None
    opts, _ = ssh_options(plain)
    first = next((x for x in opts if x.keyword == "controlpath"), None)
    if first is None:
        return None
    # the raw word holding the ControlPath argument
    idx = [k for k, (w, _, _) in enumerate(words) if w.strip()][first.token]
    _, ws, we = words[idx]
    runs = list(_RUN_ARG.finditer(raw, ws, we))
    if len(runs) != 1:
        return None
    m = runs[0]
    made = cfg_edits.replace_in_value(cfg, opt, m.start(), m.end(), _replacement(loc))
    if made is None:
        return None
    check = split_args(made[1].value)
    if check is None:
        return None
    nopts, _ = ssh_options(check)
    nfirst = next((x for x in nopts if x.keyword == "controlpath"), None)
    if nfirst is None or judge_arg_path(nfirst.value) is not None:
        return None
    return Fix.safe([made[0]], "use %C in the ControlPath", [made[1]])


def _finding(ctx, cfg, view, loc: _Loc):
    o = loc.origin
    p = loc.problem
    key = o.option.raw_key.strip() if o.kind == "cfg" and o.option is not None else o.name
    if p.kind == "broken":
        rest = ": ansible-core's %-formatting raises on it, so no SSH connection is made"
        todo = "write ssh's tokens as `%%h`, `%%C` in control_path (ansible-core %-formats it with `directory`)"
        why = " (ansible-core %-formats control_path: ssh's tokens are written `%%h` there)"
    elif p.kind == "literal":
        rest = ": ssh reads `%%` as a literal `%`, so every host shares this one socket path"
        todo = "write ssh's tokens with one `%` in ssh arguments (ansible-core passes them to ssh unchanged)"
        why = " (ansible-core passes ssh arguments unchanged: ssh's tokens take one `%` there)"
    else:
        rest = " lacks %C: a long host name can overflow the 108-byte socket path"
        todo = "use `%C`, a fixed-length hash of host, port and user"
        why = " (`%C` hashes host, port and user to a fixed length)"
    if loc.in_args:
        where = f" in {key}" if o.kind == "cfg" else f" in `{key}`"
        room = MAX_MESSAGE - len(rest) - len(where) - len("`ControlPath=`")
        subject = f"`ControlPath={clip(p.path, room)}`{where}"
    else:
        sep = " = " if o.kind == "cfg" else ": "
        room = MAX_MESSAGE - len(rest) - len(key) - len(sep) - 2
        subject = f"`{key}{sep}{clip(p.path, room)}`"
    msg = clip(subject + rest, MAX_MESSAGE)
    new_path = _suggest(p.path, loc)
    fix = None
    if new_path is not None:
        todo = f"use `{new_path}`" + why
        fix = _fix(cfg, loc)
    if not loc.in_args and p.kind != "broken":
        todo += ", or remove the line (ansible-core's default is already hashed)"
    if not loc.in_args and not loc.active:
        todo += "; control_path is used once ssh_args has ControlPersist, see C102"
    help = todo
    if o.kind == "cfg" and o.option is not None:
        help += for_hosts(view.split, loc.hosts)
        opt = o.option
        extra = {"hosts": sorted(set(loc.hosts))} if loc.hosts else None
        return ctx.finding(
            cfg,
            opt.value_span if opt.value_span.end > opt.value_span.start else opt.key_span,
            msg,
            fix=fix,
            extra=extra,
            help=help,
        )
    if o.kind == "var" and o.pos is not None:
        help += f" (for {names(loc.hosts, width=45)})" if loc.hosts else ""
        return ctx.finding_at(
            o.pos.path, o.pos.line, o.pos.col, msg, extra={"hosts": sorted(set(loc.hosts))}, help=help
        )
    return None
