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
    None by itself, and so not measured on the testbed: it restores the timing callbacks
    that measure every other gain (see C301).

Example (reported)
    [defaults]
    callback_whitelist = ansible.posix.profile_tasks, timer

Use instead
    [defaults]
    callbacks_enabled = ansible.posix.profile_tasks, timer

Default selection
    On: a correctness rule: ansible-core silently ignores the key, so the callbacks listed do not run.

Fix (safe)
    Renames the key to `callbacks_enabled` in place: value, spacing and comments kept.
    On ansible-core 2.11 to 2.14 both names mean the same setting. On 2.15+ the fix
    restores what the file says (the callbacks run again): it is classed safe because it
    makes ansible-core do what the configuration already asks for, on every version.
    Not reported when the project pins an Ansible older than ansible-core 2.15
    (`ansible<2.10` in a requirements file, a control image tagged `ansible-3.1.0`: see
    `model/pins.py`): that version still reads `callback_whitelist`, and ansible-base 2.10
    reads no other name, so a rename would switch its callbacks off.
    When `callbacks_enabled` is also set, there is no fix (two keys of one name would
    make ansible-core refuse the file): merge the lists by hand. When `callbacks_enabled`
    already lists every callback of the old key, the line is there for an older Ansible
    and nothing is reported.
"""

from __future__ import annotations

from .. import knowledge
from ..diagnostics import SAFE, Fix
from ..fixers import cfg_edits
from ..model.purpose import DOCS, TEST
from ._catalogue import pinned_core
from ._text import MAX_MESSAGE

CODE = "C302"
SLUG = "callback-whitelist"
SEVERITY = "warning"
FIX = SAFE
SKIP_PURPOSES = (DOCS, TEST)  # a test configuration's callbacks only change its output

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
        pin = pinned_core(ctx, cfg)
        if pin is not None and pin < (2, 15):
            continue  # the Ansible the project pins still reads the old name (2.10 knows no other)
        key = _clip(opt.raw_key.strip(), 30)
        if still_known:
            msg = f"`{key}` is a deprecated name (removed in ansible-core 2.15) for `{NEW}`"
        else:
            head = f"`{key}` was removed in ansible-core 2.15 and is ignored: its callbacks ("
            tail = ") do not run"
            msg = head + _listed(opt.value, MAX_MESSAGE - len(head) - len(tail)) + tail
        other = sec.options.get(NEW)
        if other is not None:
            lost = [c for c in _names(opt.value) if c not in set(_names(other.value))]
            if not lost:
                continue  # a line kept for older Ansible: `callbacks_enabled` already runs them all
            if not still_known:
                msg = head + _listed(", ".join(lost), MAX_MESSAGE - len(head) - len(tail)) + tail
            help = f"add them to `{NEW}` (already set to {_clip(other.value.strip() or '(nothing)', 60)}) and delete this line"
            yield ctx.finding(cfg, opt.key_span, msg, help=help)
            continue
        edit, changes = cfg_edits.rename_key(cfg, opt, NEW)
        fix = Fix.safe([edit], f"rename {OLD} to {NEW}", changes)
        help = f"rename it to `{NEW}`" + (
            "" if still_known else f" (ansible-core {core} ignores the old name without a warning)"
        )
        yield ctx.finding(cfg, opt.key_span, msg, fix=fix, help=help)


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(width, 4) - 3] + "..."


def _names(value: str) -> list[str]:
    """The callbacks of a comma-separated list, by short name (`ansible.posix.timer` is `timer`);
    a ` # remark` after a name is the author's comment (C406 reports that it is not one)."""
    items = [" ".join(x.split(" #", 1)[0].split()) for x in value.split(",")]
    return [x if " " in x else x.rsplit(".", 1)[-1] for x in items if x]


def _listed(value: str, width: int) -> str:
    """`a, b, c +2 more` of a comma-separated list of callbacks (short names), in at most `width` characters."""
    items = _names(value)
    if not items:
        return "(nothing)"
    for k in range(len(items), 0, -1):
        text = ", ".join(items[:k]) + (f" +{len(items) - k} more" if k < len(items) else "")
        if len(text) <= width:
            return text
    more = f" +{len(items) - 1} more" if len(items) > 1 else ""
    return _clip(items[0], width - len(more)) + more
