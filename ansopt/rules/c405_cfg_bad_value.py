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
    None by itself, and so not measured on the testbed: a correctness rule. A misspelt
    boolean switches off the performance settings the other rules measure (pipelining:
    `ansopt rule C101`).

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

Default selection
    Opt-in: ansible-core itself stops with an error on such a value, so nobody misses it.

Fix
    None: the intended value cannot be known (the help names the valid values and, for
    a case or spelling slip, the likely one).
"""

from __future__ import annotations

import decimal
import difflib

from .. import knowledge
from ..source.cfgfile import hash_comment, unquote
from ._text import MAX_MESSAGE

CODE = "C405"
SLUG = "cfg-bad-value"
SEVERITY = "error"
FIX = None
DEFAULT = False


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


def _consequence(ref, value: str = "", choice: bool = False) -> tuple[str, str]:
    """(what fails, ansible-core's error text) for a value `ref` cannot take."""
    ptype, pname, opt = ref
    said = f"Invalid value {value!r} for config" if choice else "has an invalid value"
    if not ptype:
        error = f"Invalid value {_clip(repr(value), 30)} for config '{opt}'" if choice else f"Config '{opt}' ... {said}"
        return "ansible-core stops before running anything", error
    return f"every task that loads the {pname} {ptype} plugin fails", _clip(said, 60)


MAX = MAX_MESSAGE


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _fit(build, *parts: str) -> str:
    """build(*parts), its parts shortened (the first first) until it fits in MAX."""
    parts_ = list(parts)
    for i, part in enumerate(parts_):
        over = len(build(*parts_)) - MAX
        if over <= 0:
            break
        parts_[i] = _clip(part, max(8, len(part) - over))
    return build(*parts_)


def _shown(items, n: int = 3) -> str:
    """The first `n` items, then "+N more"."""
    out = ", ".join(items[:n])
    return out + (f" +{len(items) - n} more" if len(items) > n else "")


def _problems(cfg, opt, value: str):
    """(message, help) for the refs that read this option and cannot take its value."""
    K = knowledge.get()
    if opt.section.startswith("galaxy_server."):
        d = K.galaxy_server_options.get(opt.key)
        if not d:
            return []
        defs = [(("galaxy", "", opt.key), {"type": d.get("type"), "ini": [[opt.section, opt.key]]})]
    else:
        defs = [(ref, K.option_def(ref)) for ref in K.ini_index.get((opt.section, opt.key), [])]
    out: list[tuple[str, str]] = []
    key = opt.raw_key.strip()
    short = _clip(key, 40)
    for ref, defn in defs:
        winner = None
        for sec, k in defn.get("ini") or []:
            o = cfg.get(sec, k)
            if o is not None:
                winner = o
        if winner is not opt:
            continue  # shadowed by a later entry: ansible-core never converts this value
        vtype = str(defn.get("type") or "string").lower()
        ok, conv, kind = convert(value, vtype)
        if ref[0] == "galaxy":
            consequence, error = "ansible-galaxy fails when it reads this server", ""
        else:
            consequence, error = _consequence(ref)
        said = f' (ansible-core says "{error}")' if error else ""
        if not ok:
            if kind == "bool":
                inner = unquote(value.strip())
                quoted = inner != value.strip() and K.is_boolean_text(inner)
                msg = _fit(lambda v, k: f"`{k} = {v}` is not a boolean: ansible-core reads it as False", value, key)
                if quoted:
                    help = f"write `{short} = {_clip(inner, 30)}`: the quotes are part of the value, so it is not a boolean word"
                else:
                    help = "write a true word (yes, on, 1, true, t, y) or a false word (no, off, 0, false, f, n)"
                guess = difflib.get_close_matches(
                    inner.lower(), ["true", "false", "yes", "no", "on", "off"], n=1, cutoff=0.6
                )
                if guess and guess[0] != inner.lower():
                    help += f"; did you mean `{guess[0].capitalize() if guess[0] in ('true', 'false') else guess[0]}`?"
            elif kind == "int":
                quoted = unquote(value.strip()) != value.strip() and _is_int(unquote(value.strip()))
                why = (
                    " (the quotes are part of the value)" if quoted else (" (it is empty)" if not value.strip() else "")
                )
                help = f"write a whole number, without quotes{said}"
                if len(f"`{key} = {value}` is not an integer{why}: {consequence}") > MAX:
                    why, help = "", f"{why.strip(' ()')}: {help}"  # the reason moves to the help line
                msg = _fit(
                    lambda v, k, why=why, consequence=consequence: f"`{k} = {v}` is not an integer{why}: {consequence}",
                    value,
                    key,
                )
            elif kind == "float":
                msg = _fit(
                    lambda v, k, consequence=consequence: f"`{k} = {v}` is not a number: {consequence}", value, key
                )
                help = f"write a number, without quotes{said}"
            else:
                msg = _fit(
                    lambda v, k, consequence=consequence: f"`{k} = {v}` is not `None`: {consequence}", value, key
                )
                help = f"write `None`, the only value this option takes{said}"
            out.append((msg, help))
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
        shown = _shown([f"`{_clip(str(b), 24)}`" for b in bad])
        if ref[0] != "galaxy":
            consequence, _error = _consequence(ref, conv, choice=True)
        verb = "is not a valid value" if len(bad) == 1 else "are not valid values"
        msg = _fit(lambda b, k, verb=verb, consequence=consequence: f"{b} {verb} for `{k}`: {consequence}", shown, key)
        help = f"use one of {_shown(allowed, 8)} (compared case-sensitively)"
        if hints:
            help += f"; did you mean {_shown(hints)}?"
        out.append((msg, help))
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
                    msg, help = msgs[0]
                    at = opt.value_span if opt.value_span.end > opt.value_span.start else opt.key_span
                    yield ctx.finding(cfg, at, msg, help=help)
