"""A value in ansible.cfg that ansible-core cannot convert to the option's type or choices.

What it does
    Checks every value of a known option against the type and choices ansible-core's
    catalogue gives it, the way ``ensure_type`` in ``ansible/config/manager.py`` converts
    it (INI values arrive as raw strings):

    * integer: a number with no fractional part (``20``, ``1e3``); anything else, a quoted
      number (``"20"``, the quotes are part of the value) or an empty value fails;
    * float: what Python's ``float()`` accepts;
    * boolean: ansible-core's non-strict conversion never fails: a value that is not one
      of its true words (``yes on 1 true t y``) is False. A value that is neither a true
      nor a false word (``Ture``, ``"True"`` with quotes, ``enabled``) is reported;
    * ``none``: only ``None``;
    * choices: compared after conversion and unquoting, case-sensitively, each item for
      lists (``gathering = Smart`` is not ``smart``).

    Only the value ansible-core uses is checked: for an option read from several INI
    entries, the one that wins. Path, string and list values are free-form (a
    ``%(directory)s``, ``{{ }}`` or ``$VAR`` in a path is ansible-core's to expand) and
    are only checked against choices. A `# comment` after a value is C406's finding:
    the value before it is checked here. `[galaxy_server.NAME]` keys are checked against
    ansible-core's galaxy server definitions.

Why
    A base setting that does not convert stops every ansible-core command before it runs
    anything ("Config 'DEFAULT_FORKS' ... has an invalid value"); a plugin setting fails
    every task that loads the plugin. A boolean that is not a boolean word silently turns
    the setting off: `pipelining = Ture` runs without pipelining.

Measured gain
    None by itself: it is a correctness rule. A misspelt boolean switches off the
    performance settings the other rules measure (pipelining: 38 s against 24 s on a
    4-host testbed).

Example (reported)
    [defaults]
    forks = many
    gathering = Smart

    [ssh_connection]
    pipelining = Ture

Use instead
    [defaults]
    forks = 20
    gathering = smart

    [ssh_connection]
    pipelining = True

Fix
    None: the intended value cannot be known (the message names the valid values and, for
    a case or spelling slip, the likely one).
"""

from __future__ import annotations

import decimal
import difflib

from .. import knowledge
from ..source.cfgfile import hash_comment, unquote

CODE = "C405"
SLUG = "cfg-bad-value"
SEVERITY = "error"
FIX = None


def _is_int(text: str) -> bool:
    try:
        d = decimal.Decimal(text)
        return d == int(d)
    except (decimal.DecimalException, ValueError, OverflowError, TypeError):
        return False


def _is_float(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def convert(value: str, vtype: str):
    """(ok, converted value or None, problem text) as ensure_type would convert an INI value."""
    K = knowledge.get()
    t = (vtype or "string").lower()
    if t in ("boolean", "bool"):
        norm = value.lower().strip()
        if K.is_boolean_text(norm):
            return True, K.boolean(norm), ""
        return False, False, "bool"
    if t in ("integer", "int"):
        if _is_int(value):
            return True, int(decimal.Decimal(value)), ""
        return False, None, "int"
    if t == "float":
        if _is_float(value):
            return True, float(value), ""
        return False, None, "float"
    if t == "none":
        return (True, None, "") if value == "None" else (False, None, "none")
    if t == "list":
        return True, [unquote(x.strip()) for x in value.split(",")], ""
    if t in ("string", "str", "raw"):
        return True, unquote(value), ""
    return True, value, ""  # paths and unknown types: free-form


def _consequence(ref, value: str = "", choice: bool = False) -> str:
    ptype, pname, opt = ref
    said = f"Invalid value {value!r} for config" if choice else "has an invalid value"
    if not ptype:
        return f"ansible-core stops before running anything (\"{said} '{opt}'\")" if choice else f"ansible-core stops before running anything (\"Config '{opt}' ... {said}\")"
    return f"every task that loads the {pname} {ptype} plugin fails (\"{said}\")"


def _problems(cfg, opt, value: str):
    """Messages for the refs that read this option and cannot take its value."""
    K = knowledge.get()
    if opt.section.startswith("galaxy_server."):
        d = K.galaxy_server_options.get(opt.key)
        if not d:
            return []
        defs = [(("galaxy", "", opt.key), {"type": d.get("type"), "ini": [[opt.section, opt.key]]})]
    else:
        defs = [(ref, K.option_def(ref)) for ref in K.ini_index.get((opt.section, opt.key), [])]
    out: list[str] = []
    key = opt.raw_key.strip()
    for ref, defn in defs:
        winner = None
        for sec, k in defn.get("ini", []):
            o = cfg.get(sec, k)
            if o is not None:
                winner = o
        if winner is not opt:
            continue  # shadowed by a later entry: ansible-core never converts this value
        vtype = str(defn.get("type") or "string").lower()
        ok, conv, kind = convert(value, vtype)
        if ref[0] == "galaxy":
            consequence = "ansible-galaxy fails when it reads this server"
        else:
            consequence = _consequence(ref)
        if not ok:
            if kind == "bool":
                inner = unquote(value.strip())
                if inner != value.strip() and K.is_boolean_text(inner):
                    why = "the quotes are part of the value, so it is not a boolean word"
                else:
                    why = "it is neither a true word (yes, on, 1, true, t, y) nor a false word (no, off, 0, false, f, n)"
                msg = f"`{key} = {value}` is not a boolean: {why}; ansible-core reads any such value as False, so {key} is off"
                guess = difflib.get_close_matches(inner.lower(), ["true", "false", "yes", "no", "on", "off"], n=1, cutoff=0.6)
                if guess and guess[0] != inner.lower():
                    msg += f" (did you mean `{guess[0].capitalize() if guess[0] in ('true', 'false') else guess[0]}`?)"
            elif kind == "int":
                quoted = unquote(value.strip()) != value.strip() and _is_int(unquote(value.strip()))
                why = " (the quotes are part of the value)" if quoted else (" (it is empty)" if not value.strip() else "")
                msg = f"`{key} = {value}` is not an integer{why}: {consequence}"
            elif kind == "float":
                msg = f"`{key} = {value}` is not a number: {consequence}"
            else:
                msg = f"`{key} = {value}` is not `None`, the only value this option takes: {consequence}"
            out.append(msg)
            continue
        choices = defn.get("choices")
        if not choices:
            continue
        items = conv if isinstance(conv, list) else [conv]
        allowed = [str(c) for c in choices]
        bad = [i for i in items if not any(i == c or (not isinstance(c, str) and str(i) == str(c)) for c in choices)]
        if not bad:
            continue
        hints = []
        for b in bad:
            exact = [c for c in allowed if c.lower() == str(b).lower()]
            near = exact or difflib.get_close_matches(str(b), allowed, n=1, cutoff=0.7)
            if near:
                hints.append(f"`{near[0]}`")
        shown = ", ".join(f"`{b}`" for b in bad)
        if ref[0] != "galaxy":
            consequence = _consequence(ref, conv, choice=True)
        msg = f"{shown} is not a valid value for `{key}` (valid: {', '.join(allowed)}; compared case-sensitively): {consequence}"
        if hints:
            msg += f"; did you mean {', '.join(hints)}?"
        out.append(msg)
    return out


def check(ctx):
    K = knowledge.get()
    for cfg in ctx.project.cfg_files:
        for sec in cfg.sections.values():
            if sec.name not in K.sections and not sec.name.startswith("galaxy_server."):
                continue
            for opt in sec.options.values():
                value = opt.value
                hc = hash_comment(cfg, opt)
                if hc is not None:
                    if hc[2]:
                        continue  # only a comment: C406's finding
                    value = hc[1]
                msgs = list(dict.fromkeys(_problems(cfg, opt, value)))
                if msgs:
                    yield ctx.finding(cfg, opt.value_span if opt.value_span.end > opt.value_span.start else opt.key_span, msgs[0])
