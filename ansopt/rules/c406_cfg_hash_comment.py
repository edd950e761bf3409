"""A `# comment` after a value in ansible.cfg is part of the value, not a comment.

What it does
    Reports an option line whose value holds a `#` preceded by whitespace, as in
    `forks = 20  # more forks`. ansible-core reads ansible.cfg with
    ``ConfigParser(inline_comment_prefixes=(';',))``: only `;` after whitespace starts an
    inline comment; `#` starts a comment only at the start of a line. So the value of
    `forks` above is ``20  # more forks``. A `#` that is not preceded by whitespace
    (``ssh_args = -o Foo=a#b``) and full-line `#` comments are left alone. Only the first
    line of a value is checked (continuation lines of multi-line values are not).

Why
    What the comment does to the setting depends on its type, and none of it is visible:

    * integer or float options (`forks`, `timeout`, `fact_caching_timeout`) fail to
      convert: ansible-core stops with "has an invalid value";
    * booleans (`pipelining = True  # faster`) are compared with ansible-core's true
      words; ``true  # faster`` is not one, so the option is silently False;
    * lists (`callbacks_enabled = profile_tasks  # timing`) get an item
      ``profile_tasks  # timing`` that names no plugin;
    * paths get the comment in the path; strings such as `ssh_args` pass the comment to
      the ssh command line.

Measured gain
    None by itself, and so not measured on the testbed: a correctness rule. A commented
    `pipelining = True` is off, losing what `ansopt rule C101` measures.

Example (reported)
    [defaults]
    forks = 20  # more parallel hosts

    [ssh_connection]
    pipelining = True # fewer SSH round trips

Use instead
    [defaults]
    forks = 20  ; more parallel hosts

    [ssh_connection]
    pipelining = True ; fewer SSH round trips

Default selection
    Opt-in: config hygiene; a broken number stops ansible-core with an error anyway.

Fix (safe)
    Replaces the `#` with `;` (the whitespace before it, the comment text and everything
    else on the line stay), so ansible-core strips the comment and reads the value that
    was meant. The value changes only by losing the comment text.

    A value of a string option may legitimately contain `` #`` (a regular expression,
    a format). For options whose type is a string (or that ansible-core does not know),
    the fix is offered only when the text after `#` reads like prose (`# some words`);
    otherwise the finding is reported without a fix. A value that is nothing but a
    comment (`forks = # default`) is reported without a fix: removing the comment would
    leave an empty value, which is not the default; delete the line instead.

Suppress
    `key = value # x ; noqa: C406`, or a `# noqa: C406` comment line above the option.
"""

from __future__ import annotations

import re

from .. import knowledge
from ..diagnostics import SAFE, Fix
from ..fixers import cfg_edits
from ..source.cfgfile import hash_comment

CODE = "C406"
SLUG = "cfg-hash-comment"
SEVERITY = "warning"
FIX = SAFE
DEFAULT = False

_STRINGY = {"string", "str", "raw", ""}
_PROSE_SPACE = re.compile(r"#+\s+\S*[A-Za-z]{2}")
_PROSE_WORDS = re.compile(r"#+[A-Za-z]{2,}\S*\s+\S")


def option_types(section: str, key: str) -> set[str]:
    """The types ansible-core converts (section, key) to (empty when it does not know it)."""
    K = knowledge.get()
    if section.startswith("galaxy_server."):
        d = K.galaxy_server_options.get(key)
        return {str(d.get("type") or "string").lower()} if d else set()
    return {str(K.option_def(r).get("type") or "string").lower() for r in K.ini_index.get((section, key), [])}


def looks_like_prose(comment: str) -> bool:
    return bool(_PROSE_SPACE.match(comment) or _PROSE_WORDS.match(comment))


def check(ctx):
    for cfg in ctx.project.cfg_files:
        for sec in [*cfg.sections.values()]:
            for opt in sec.options.values():
                found = hash_comment(cfg, opt)
                if found is None:
                    continue
                at, value, only = found
                line_end = cfg.lines.line_end(cfg.lines.line_of(at))
                comment = cfg.text[at : min(line_end, opt.value_span.end)]
                key = _clip(opt.raw_key.strip(), 40)
                types = option_types(opt.section, opt.key)
                stringy = not types or types <= _STRINGY
                if only:
                    msg = _fit(
                        lambda c, key=key: (
                            f"`{key}` has only a comment as its value: ansible-core reads `{c}` as the value"
                        ),
                        comment,
                    )
                    help = "delete the line, or start it with `#`: `#` starts a comment only at the start of a line"
                    yield ctx.finding(cfg, (at, at + len(comment)), msg, help=help)
                    continue
                effect = _effect(types)
                if stringy and not looks_like_prose(comment):
                    msg = _fit(
                        lambda c, key=key: (
                            f"`{c}` after `{key}` is part of the value: `#` there does not start a comment"
                        ),
                        comment,
                    )
                    help = "if it is meant as a comment, write `;` instead of `#` (only `;` starts an inline comment)"
                    yield ctx.finding(cfg, (at, at + len(comment)), msg, help=help)
                    continue
                msg = _fit(
                    lambda c, key=key, effect=effect: f"`{c}` after `{key}` is part of the value{effect}", comment
                )
                help = "write `;` instead of `#`: only `;` after whitespace starts an inline comment"
                edit, change = cfg_edits.hash_to_semicolon(cfg, opt, at, value)
                fix = Fix.safe([edit], "turn the `#` comment into a `;` comment", [change])
                yield ctx.finding(cfg, (at, at + len(comment)), msg, fix=fix, help=help)


MAX = 120  # characters of a message


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 3] + "..."


def _fit(build, part: str) -> str:
    """build(part), with `part` shortened until the message fits in MAX (40 at most)."""
    part = _clip(part, 40)
    over = len(build(part)) - MAX
    return build(_clip(part, max(8, len(part) - over)) if over > 0 else part)


def _effect(types: set[str]) -> str:
    if types & {"integer", "int", "float"}:
        return ": the number does not parse and ansible-core stops"
    if types & {"boolean", "bool"}:
        return ": it is not a true word, so the option is False"
    if types & {"list", "pathlist"}:
        return ": the last item of the list includes it"
    if types & {"path", "pathspec", "tmppath", "tmp", "temppath"}:
        return ": the path includes it"
    return ", not a comment"
