"""`callback_whitelist` is gone: ansible-core 2.15+ ignores it, so those callbacks are off.

What it does
    Reports `callback_whitelist` in `[defaults]`. ansible-core 2.11 renamed it
    `callbacks_enabled` and kept the old name as a deprecated alias; 2.15 removed the
    alias (ansible-core 2.14's base.yml: "deprecated: why: normalizing names to new
    standard, version: 2.15, alternatives: callbacks_enabled"). On 2.15 and later the key
    is an unknown key, so ansible-core ignores it without a warning. When the installed
    ansible-core still knows the old name, the finding says it is deprecated instead.

Why
    The callbacks listed there (`profile_tasks`, `timer`, `junit`, ARA...) silently stop
    running: the task timings a team relies on to find slow tasks disappear, and CI
    reports built by a callback stop being written.

Measured gain
    None by itself; it restores the timing callbacks that measure every other gain
    (`profile_tasks` shows which tasks take the time; see C301).

Example (reported)
    [defaults]
    callback_whitelist = ansible.posix.profile_tasks, timer

Use instead
    [defaults]
    callbacks_enabled = ansible.posix.profile_tasks, timer

Fix (safe)
    Renames the key to `callbacks_enabled` in place: value, spacing and comments kept.
    On ansible-core 2.11 to 2.14 both names mean the same setting. On 2.15+ the fix
    restores what the file says (the callbacks run again): it is classed safe because it
    makes ansible-core do what the configuration already asks for, on every version.
    When `callbacks_enabled` is also set, there is no fix (two keys of one name would
    make ansible-core refuse the file): merge the lists by hand.
"""

from __future__ import annotations

from .. import knowledge
from ..fixers import cfg_edits
from ..types import SAFE, Fix

CODE = "C302"
SLUG = "callback-whitelist"
SEVERITY = "warning"
FIX = SAFE

OLD, NEW = "callback_whitelist", "callbacks_enabled"


def check(ctx):
    K = knowledge.get()
    core = ".".join(K.core_version.split(".")[:2])
    still_known = ("defaults", OLD) in K.ini_index
    for cfg in ctx.project.cfg_files:
        sec = cfg.sections.get("defaults")
        if sec is None or OLD not in sec.options:
            continue
        opt = sec.options[OLD]
        listed = opt.value.strip() or "(nothing)"
        if still_known:
            state = f"is a deprecated name (removed in ansible-core 2.15) for `{NEW}`"
        else:
            state = f"was removed in ansible-core 2.15: ansible-core {core} ignores it, so the callbacks listed ({listed}) do not run"
        other = sec.options.get(NEW)
        if other is not None:
            msg = f"`{opt.raw_key.strip()}` {state}; [defaults] also sets `{NEW}` = {other.value}: merge both lists into `{NEW}` and delete this line"
            yield ctx.finding(cfg, opt.key_span, msg)
            continue
        msg = f"`{opt.raw_key.strip()}` {state}; rename it to `{NEW}`"
        edit, changes = cfg_edits.rename_key(cfg, opt, NEW)
        fix = Fix((edit,), SAFE, f"rename {OLD} to {NEW}", ((None, changes),))
        yield ctx.finding(cfg, opt.key_span, msg, fix=fix)
