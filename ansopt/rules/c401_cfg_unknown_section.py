"""An ansible.cfg section that ansible-core does not read (often a misspelt one).

What it does
    Compares every section with the sections ansible-core's catalogue uses (base settings
    and the options of every installed plugin). `[DEFAULT]` and `[galaxy_server.NAME]`
    (galaxy server definitions) are valid. Plugins of collections read their own
    sections (`[callback_profile_tasks]`, `[libssh_connection]`, `[inventory_plugin_aws_ec2]`,
    ARA's `[ara]`), which ansible-core alone cannot know, so a section is reported as a
    warning only when it is clearly a slip:

    * it differs from a known section only by case, `-` or spaces (`[Defaults]`,
      `[ssh-connection]`): section names are case-sensitive;
    * it is close to a known section (`[ssh_conection]`, `[default]`) and does not have
      the shape of a plugin section (`callback_NAME`, `NAME_connection`,
      `NAME_become_plugin`, `inventory_plugin_NAME`, ... , the shapes ansible-core's own
      plugin sections have), or it has that shape and the plugin name is one slip away
      from an installed plugin's (`[shh_connection]`);
    * no plugin shape and every key in it is read from one known section only (`[ssh]`
      holding `pipelining` and `ssh_args`: did you mean `[ssh_connection]`?).

    Any other unknown section that holds options and has no plugin shape is reported as
    info ("fine if a collection plugin reads it"); unknown sections with a plugin shape
    and empty ones are not reported.

Why
    ansible-core reads each setting from fixed sections and ignores the others without
    a warning: with `[ssh_conection]` every SSH tuning below it (pipelining, ssh_args,
    control_path) is silently off. `ansible-config validate` (2.18+) flags unknown
    sections but not which one was meant, and reports the valid `[ssh_connection]` as
    unknown unless run with `-t all`.

Measured gain
    Not measured on the testbed: that of the settings in the misspelt section (pipelining:
    `ansopt rule C101`; ControlPersist: `ansopt rule C102`).

Example (reported)
    [ssh-connection]
    pipelining = True

Use instead
    [ssh_connection]
    pipelining = True

Default selection
    Opt-in: config hygiene; an ignored section costs no run time.

Fix
    None: renaming a section makes all its settings apply at once (and can collide with a
    section of the right name further down); the help names the section meant.
"""

from __future__ import annotations

import difflib
import functools

from .. import knowledge
from ._catalogue import IGNORED_SECTIONS, typo_distance

CODE = "C401"
SLUG = "cfg-unknown-section"
SEVERITY = "warning"
FIX = None
DEFAULT = False

CUTOFF = 0.8


def _norm(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", "_").split())


@functools.lru_cache(maxsize=1)
def shapes() -> tuple[tuple[str, str], ...]:
    """Plugin-section shapes as (head, tail) around a plugin name, from ansible-core's own
    plugin sections: the section of an installed plugin with its plugin name cut out
    (`callback_tree` -> `callback_` + NAME, `ssh_connection` -> NAME + `_connection`), plus
    `<plugin type>_` + NAME and NAME + `_<plugin type>`. Sections named after the plugin
    alone (`[winrm]`) give no shape."""
    K = knowledge.get()
    out: set[tuple[str, str]] = set()
    for ptype, plugins in K.config.get("plugins", {}).items():
        out.add((ptype + "_", ""))
        out.add(("", "_" + ptype))
        for pname, opts in plugins.items():
            for defn in opts.values():
                for sec, _key in defn.get("ini", []):
                    if pname in sec and sec != pname:
                        head, _, tail = sec.partition(pname)
                        if head[-1:] in ("", "_") and tail[:1] in ("", "_"):
                            out.add((head, tail))
    return tuple(sorted(out))


def decompose(name: str) -> list[tuple[str, str, str]]:
    """(head, plugin name, tail) for each plugin-section shape `name` has."""
    return [
        (h, name[len(h) : len(name) - len(t)], t)
        for h, t in shapes()
        if name.startswith(h) and name.endswith(t) and len(name) > len(h) + len(t)
    ]


def _one_slip(a: str, b: str) -> bool:
    return len(a) >= 3 and typo_distance(a, b) <= 1


def classify(name: str, keys: list[str]):
    """("warning", suggestion) / ("info", None) / None (valid, or left alone)."""
    K = knowledge.get()
    known = sorted(s for s in K.sections if s not in IGNORED_SECTIONS)
    if name in K.sections or name == "DEFAULT" or name.startswith("galaxy_server."):
        return None
    norm = _norm(name)
    if norm in known:
        return "warning", norm
    shaped = decompose(norm)
    close = difflib.get_close_matches(norm, known, n=3, cutoff=CUTOFF)
    if shaped:
        for c in close:
            for h, part, t in shaped:
                if any(h == h2 and t == t2 and _one_slip(part, p2) for h2, p2, t2 in decompose(c)):
                    return "warning", c
        return None
    if close:
        return "warning", close[0]
    if keys:
        homes = set.intersection(*(set(K.key_sections.get(k, ())) - IGNORED_SECTIONS for k in keys))
        if len(homes) == 1:
            return "warning", next(iter(homes))
        return "info", None
    return None


def check(ctx):
    for cfg in ctx.project.cfg_files:
        for sec in cfg.sections.values():
            keys = list(sec.options)
            verdict = classify(sec.name, keys)
            if verdict is None:
                continue
            level, meant = verdict
            n = len(keys)
            what = (
                f"its {n} option{'s' if n != 1 else ''} {'are' if n != 1 else 'is'} ignored"
                if n
                else "options put there would be ignored"
            )
            name = sec.name if len(sec.name) <= 40 else sec.name[:37] + "..."
            if level == "warning":
                whys = []
                if _norm(sec.name) == meant:
                    if sec.name != sec.name.strip() or " " in sec.name.strip():
                        whys.append("spaces are part of a section name")
                    if "-" in sec.name:
                        whys.append("`-` is not `_`")
                    if sec.name.lower() != sec.name:
                        whys.append("section names are case-sensitive")
                because = f" ({'; '.join(whys)})" if whys else ""
                msg = f"ansible-core does not read [{name}]{because}: {what}"
                help = f"did you mean [{meant}]? rename the section"
                if len(msg) > 120:  # the reasons move to the help line
                    msg = f"ansible-core does not read [{name}]: {what}"
                    help += because
                yield ctx.finding(cfg, sec.header_span, msg, help=help)
            else:
                msg = f"[{name}] is not a section ansible-core knows: {what} unless a collection plugin reads it"
                help = "fine if a collection plugin reads it; otherwise fix the section name or move its options where ansible-core reads them"
                yield ctx.finding(cfg, sec.header_span, msg, severity="info", help=help)
