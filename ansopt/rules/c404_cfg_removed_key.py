"""A key ansible-core removed (now silently ignored) or marks deprecated.

What it does
    Reports, in ansible.cfg:

    * keys that an earlier ansible-core read and the installed one no longer knows, with
      what replaced them. The installed catalogue cannot know keys it dropped, so this
      needs a small table of history (below); a key from the table is only reported when
      the installed ansible-core does not define it (an older ansible-core still reads it
      and reports it as deprecated instead);
    * with the `deprecated` option (default off), keys the installed ansible-core marks
      deprecated (the whole option, or only this INI name of it), with ansible-core's own
      reason, alternative and removal version. Off by default: a deprecated key still works,
      and ansible-core itself prints a warning on every run.

    `callback_whitelist` is C302's (one finding per problem). `sftp_batch_mode` and
    `[ssh_connection] ssh_args`-style keys that still exist are not reported. Nor is a
    removed key whose value is what ansible-core does without it: its replacement's default
    (`hostfile = /etc/ansible/hosts`, `collections_paths =
    ~/.ansible/collections:/usr/share/ansible/collections`), or a value the table below
    marks as the old default (`sudo_user = root`).

    Removed keys (each checked against ansible-core's own sources: the key is in the
    `base.yml` / plugin documentation of the last version named and absent from the next):

    ======================================  =======  ==========================================
    key                                     removed  replacement (source)
    ======================================  =======  ==========================================
    [defaults] gather_subset                2.18     play keyword `gather_subset`, or
    [defaults] gather_timeout                        `module_defaults` for ansible.builtin.setup
    [defaults] fact_path                             (2.18 changelog: "Remove deprecated config
                                                     options DEFAULT_FACT_PATH,
                                                     DEFAULT_GATHER_SUBSET, and
                                                     DEFAULT_GATHER_TIMEOUT"; deprecated 2.14)
    [ssh_connection] scp_if_ssh             2.17     `transfer_method` (2.17 changelog: "Remove
                                                     deprecated scp_if_ssh from ssh connection
                                                     plugin", ansible/ansible#81715)
    [defaults] jinja2_native_warning        2.17     none (2.17 changelog: "Remove deprecated
                                                     JINJA2_NATIVE_WARNING", #81714)
    [defaults] collections_paths            2.19     `collections_path` (deprecated in 2.16
                                                     changelog; base.yml of 2.18: removal 2.19)
    [defaults] string_conversion_action     2.19     none (2.16 changelog: "no longer used")
    [defaults] cow_whitelist                2.15     `cowsay_enabled_stencils` (base.yml of
                                                     2.14: deprecated, removal 2.15)
    [defaults] command_warnings             2.14     none (in base.yml of 2.13, gone from
                                                     2.14's)
    [defaults] hostfile                     2.8      `inventory` (base.yml of Ansible 2.7:
                                                     deprecated, removal 2.8)
    [defaults] sudo, sudo_user, sudo_exe,   2.8      `become*` in [privilege_escalation] (in
    sudo_flags                                       2.7's base.yml, gone from 2.8's)
    [defaults] su_user, su_exe, su_flags,   2.9      the same (in 2.8's base.yml, gone from
    ask_sudo_pass, ask_su_pass                       2.9's)
    [defaults] squash_actions               2.11     none (in ansible-base 2.10, gone from
                                                     ansible-core 2.11)
    ======================================  =======  ==========================================

Why
    ansible-core ignores a key it does not know, without a warning: a removed key keeps
    looking like a setting while ansible-core uses its default. `collections_paths`
    makes ansible-core 2.19 look for collections in the default paths only;
    `gather_subset = !all` in [defaults] no longer limits fact gathering, so every play
    gathers all facts again. A deprecated key still works but prints a deprecation
    warning on every run, and stops working in the version named.

Measured gain
    Not measured on the testbed: a correctness rule. Restoring a removed `gather_subset`
    limit brings back its saving; `ansopt rule C404` prints the testbed's cost of one full
    fact gathering.

Example (reported)
    [defaults]
    gather_subset = !hardware
    collections_paths = ./collections

    [ssh_connection]
    scp_if_ssh = True

Use instead
    [defaults]
    collections_path = ./collections

    [ssh_connection]
    transfer_method = scp

    and in the playbooks: `gather_subset: ['!hardware']` on the plays, or
    `module_defaults: {ansible.builtin.setup: {gather_subset: ['!hardware']}}`.

    A removed key is not reported when the project pins an Ansible that still reads it
    (`ansible<2.10` in a requirements file, a control image tagged `ansible-3.1.0`: see
    `model/pins.py`).

    Removed keys whose loss changes nothing a run does are only reported with the
    `deprecated` option: the keys of a feature that is gone (`command_warnings`,
    `jinja2_native_warning`, `string_conversion_action`, `cow_whitelist`), `scp_if_ssh`
    (the default `transfer_method = smart` tries sftp, then scp, so both old choices still
    work), and a value equal to what ansible-core does without the key (`sudo_user = root`,
    `sudo_exe = sudo`, `sudo = False`, ...). The table is `knowledge/history.py`'s
    `INERT_WHEN_IGNORED`.

Default selection
    On: a correctness rule: a removed key is silently ignored, so the setting its author wanted is not in force. Deprecated keys, which still work, and removed keys whose loss changes nothing, only with the `deprecated` option.

Fix (unsafe)
    For the keys that became another key of the same file (`collections_paths` to
    `collections_path`, `cow_whitelist` to `cowsay_enabled_stencils`, `scp_if_ssh` to
    `transfer_method` with True/False/smart written as scp/sftp/smart) the key is renamed
    in place, value and comments kept. Unsafe: on the installed ansible-core the setting
    starts to apply again (it was ignored). No fix when the new key is already set in the
    section (the user must choose) or for the keys whose replacement lives in playbooks
    (`gather_subset`, `gather_timeout`, `fact_path`) or that have none. No fix either for a
    `collections_paths` that names an existing folder of the project holding no `ansible_collections/`
    and none of the default paths: renamed, it would replace `~/.ansible/collections` with
    that empty folder (the key has been ignored, so the project works with the defaults). Deprecated keys are
    reported without a fix: ansible-core's alternative is prose, not a key.
"""

from __future__ import annotations

import os
import re

from .. import knowledge
from ..diagnostics import UNSAFE, Fix
from ..fixers import cfg_edits
from ..knowledge.history import inert_when_ignored
from ._catalogue import OWNED_ELSEWHERE, REMOVED, pinned_core, removed  # noqa: F401
from ._text import clip

CODE = "C404"
SLUG = "cfg-removed-key"
SEVERITY = "warning"
FIX = UNSAFE
OPTIONS = {
    "deprecated": (
        False,
        {
            "type": "boolean",
            "description": "Also report keys that still work but are deprecated (each run prints a deprecation warning), and removed keys whose loss changes nothing (`command_warnings`, `scp_if_ssh`, `sudo_user = root`, ...).",
        },
    ),
}


def _scp_value(value: str) -> str | None:
    K = knowledge.get()
    v = value.strip().lower()
    if v == "smart":
        return "smart"
    if K.is_boolean_text(v):
        return "scp" if K.boolean(v) else "sftp"
    return None


def _hides_default_collections(ctx, cfg, opt) -> str | None:
    """A `collections_paths` whose rename would replace the default collection paths
    (`~/.ansible/collections`, `/usr/share/ansible/collections`) with an existing folder of
    the project that holds no `ansible_collections/`: the first such folder, as written, else None."""
    value = opt.value.strip()
    if "~/.ansible/collections" in value or "/usr/share/ansible/collections" in value:
        return None
    abspath = ctx.project.abspath_of(cfg)
    if abspath is None:
        return None
    base = os.path.dirname(abspath)
    root = os.path.abspath(ctx.project.root)
    for part in value.split(os.pathsep):
        p = part.strip()
        if not p or p.startswith(("~", "$", "/")):
            continue
        full = os.path.normpath(os.path.join(base, p))
        inside = full == root or full.startswith(root + os.sep)
        # a folder that is not there yet may be filled by `ansible-galaxy collection install -p`
        if inside and os.path.isdir(full) and not os.path.isdir(os.path.join(full, "ansible_collections")):
            return f"`{clip(p, 30)}`"
    return None


def _version(v: str) -> str:
    return ".".join(v.split(".")[:2]) if v else "the installed version"


def _paths(value: str) -> list[str]:
    out = []
    for p in re.split(r"[:,]", value):
        p = p.strip()
        if p:
            out.append(os.path.normpath(os.path.expanduser(p)))
    return out


def _is_the_default(K, section: str, entry, value: str) -> bool:
    """The removed key's value is what its replacement defaults to (`hostfile =
    /etc/ansible/hosts`, `collections_paths = ~/.ansible/collections:/usr/share/...`):
    ansible-core ignores it and does the same thing."""
    new_key = entry[2]
    if new_key is None:
        return False
    for ref in K.ini_index.get((section, new_key), []):
        default = K.option_def(ref).get("default")
        if isinstance(default, list):
            default = ":".join(str(d) for d in default)
        if not isinstance(default, str):
            continue
        m = re.fullmatch(r"""\{\{\s*ANSIBLE_HOME\s*~\s*["']([^"']*)["']\s*\}\}""", default.strip())
        if m:  # `{{ ANSIBLE_HOME ~ "/collections:..." }}`: ANSIBLE_HOME defaults to ~/.ansible
            default = "~/.ansible" + m.group(1)
        if _paths(default) == _paths(value):
            return True
    return False


def check(ctx):
    K = knowledge.get()
    core = _version(K.core_version)
    report_deprecated = bool(ctx.options.get("deprecated", False))
    for cfg in ctx.project.cfg_files:
        pin = pinned_core(ctx, cfg)
        for sec in cfg.sections.values():
            for opt in sec.options.values():
                if (sec.name, opt.key) in OWNED_ELSEWHERE:
                    continue
                key = opt.raw_key.strip()
                entry = removed(sec.name, opt.key)
                if (
                    entry is not None
                    and not report_deprecated
                    and (
                        inert_when_ignored(sec.name, opt.key, opt.value)
                        or _is_the_default(K, sec.name, entry, opt.value)
                    )
                ):
                    continue  # ignored, but a run does what the key asked anyway
                if entry is not None and pin is not None and pin < tuple(int(x) for x in entry[0].split(".")):
                    continue  # the Ansible the project pins still reads it
                if entry is not None:
                    gone, instead, new_key = entry
                    instead = instead.format(key=opt.key)
                    advice = (
                        f"delete it: {instead[len('nothing') :].strip(' ()')}"
                        if instead.startswith("nothing")
                        else f"use {instead}"
                    )
                    release = "Ansible" if gone.startswith("2.") and int(gone.split(".")[1]) < 10 else "ansible-core"
                    msg = f"`{clip(key, 40)}` was removed in {release} {gone}: ansible-core {core} ignores it and uses its default"
                    help = advice
                    fix = None
                    hidden = _hides_default_collections(ctx, cfg, opt) if opt.key == "collections_paths" else None
                    if hidden is not None:
                        help = (
                            f"delete it, or rename it to `{new_key}` once {hidden} holds `ansible_collections/` "
                            "(renamed now, it would hide the collections installed in the default paths)"
                        )
                    elif new_key is not None and new_key not in sec.options:
                        value = opt.value
                        if opt.key == "scp_if_ssh":
                            mapped = _scp_value(opt.value)
                            if mapped is not None:
                                value = mapped
                                help += f"; `scp_if_ssh = {clip(opt.value, 20)}` is `transfer_method = {mapped}`"
                            else:
                                value = None
                        if value is not None:
                            edits, changes = cfg_edits.rename_and_set(cfg, opt, new_key, value)
                            fix = Fix.unsafe(edits, f"rename {opt.key} to {new_key}", changes)
                    elif new_key is not None:
                        help = f"delete this line: [{sec.name}] already sets `{new_key}`"
                    yield ctx.finding(cfg, opt.key_span, msg, fix=fix, help=help)
                    continue
                if not report_deprecated:
                    continue  # a deprecated key still works: a warning line, nothing broken
                deps = K.ini_deprecations(sec.name, opt.key)
                if not deps:
                    continue
                ref, dep = deps[0]
                why = " ".join(str(dep.get("why") or "deprecated").split()).rstrip(".")
                alt = " ".join(str(dep.get("alternatives") or "").split()).rstrip(".")
                when = dep.get("version") or dep.get("removed_at_date") or ""
                tail = f" (removal in {when}): every run prints a deprecation warning" if when else ""
                head = f"is deprecated in ansible-core {core}{tail}"
                msg = f"`{clip(key, max(12, 120 - 3 - len(head)))}` {head}"
                parts = []
                others = [r for r in K.ini_index.get((sec.name, opt.key), []) if r not in {d[0] for d in deps}]
                if others:
                    p = others[0]
                    who = f"the {p[1]} {p[0]} plugin" if p[0] else f"the {p[2]} setting"
                    parts.append(f"{who} still reads this key, so it keeps working")
                if alt and alt.lower() not in ("none", "nothing"):
                    parts.append(f"instead: {clip(alt, 120)}")
                elif not others:
                    parts.append("delete the line")
                help = "; ".join(parts) + f" (ansible-core: {clip(why, 80)})"
                yield ctx.finding(cfg, opt.key_span, msg, help=help)
