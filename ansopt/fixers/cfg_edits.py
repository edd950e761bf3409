"""Edit builders for ansible.cfg: set, add or rename an option, keeping every other byte.

A value that already exists is replaced in place (its key, the spacing around `=` and any
`;` comment after it stay as written: configupdater would rewrite that whole line and drop
the comment). A new option or section is placed by configupdater, which knows the file's
block structure, right after the last option of its section; the inserted text then takes
the file's line-break style and its spacing around `=`.
"""

from __future__ import annotations

import re

from ..diagnostics import Change, Edit, Span
from ..source.cfgfile import CfgFile, CfgOption, unquote


def _delimiter(cfg: CfgFile) -> str:
    """`" = "` or `"="` (or `": "`), as most options of the file are written."""
    counts: dict[str, int] = {}
    for opt in cfg.options():
        between = cfg.text[opt.key_span.end : opt.value_span.start]
        counts[between] = counts.get(between, 0) + 1
    if not counts:
        return " = "
    best = max(counts.items(), key=lambda kv: kv[1])[0]
    return best if best.strip() in ("=", ":") else " = "


def _diff_edit(old: str, new: str) -> Edit | None:
    """One edit turning `old` into `new`: the span between their common prefix and suffix."""
    if old == new:
        return None
    p = 0
    n = min(len(old), len(new))
    while p < n and old[p] == new[p]:
        p += 1
    s = 0
    while s < n - p and old[len(old) - 1 - s] == new[len(new) - 1 - s]:
        s += 1
    return Edit(Span(p, len(old) - s), new[p : len(new) - s])


def replace_value(cfg: CfgFile, opt: CfgOption, value: str) -> tuple[Edit, Change]:
    return Edit(opt.value_span, value), Change("set", (opt.section, opt.key), value)


def set_option(cfg: CfgFile, section: str, key: str, value: str) -> tuple[Edit, Change] | None:
    """Set `key = value` in `[section]`, adding the option (and the section) if missing."""
    sec = cfg.sections.get(section)
    if sec is not None and key in sec.options:
        return replace_value(cfg, sec.options[key], value)
    nl = cfg.lines.newline
    delim = _delimiter(cfg)
    new_line = f"{key}{delim}{value}"
    edit: Edit | None = None
    try:
        from configupdater import ConfigUpdater

        upd = ConfigUpdater(space_around_delimiters=delim.startswith(" "))
        upd.read_string(cfg.text)
        if upd.has_section(section):
            sect = upd[section]
            opts = [o for o in sect.iter_options()]
            if opts:
                opts[-1].add_after.option(key, value)
            else:
                sect.set(key, value)
        else:
            if cfg.text and not cfg.text.endswith(("\n", "\r")):
                upd.add_section(section)  # configupdater adds the missing line break itself
            else:
                upd.add_section(section)
            upd[section].set(key, value)
        new = str(upd)
        edit = _diff_edit(cfg.text, new)
        if edit is not None and nl != "\n":
            edit = Edit(edit.span, edit.replacement.replace("\r\n", "\n").replace("\n", nl))
        if edit is not None and delim.strip() == ":":
            edit = Edit(
                edit.span, edit.replacement.replace(f"{key} = {value}", new_line).replace(f"{key}={value}", new_line)
            )
    except Exception:  # configupdater refuses some files ansible-core reads; place it ourselves
        edit = None
    if edit is None:
        edit = _insert_manually(cfg, section, new_line, nl)
    if sec is None and edit.span.start > 0 and not edit.replacement.startswith((nl + nl, nl + "[")):
        # a blank line before a new section, as people write them
        if cfg.text[: edit.span.start].endswith(nl) and not cfg.text[: edit.span.start].endswith(nl + nl):
            edit = Edit(edit.span, nl + edit.replacement)
    return edit, Change("set", (section, key), value)


def _insert_manually(cfg: CfgFile, section: str, line: str, nl: str) -> Edit:
    sec = cfg.sections.get(section)
    if sec is not None:
        pos = sec.entry_span.end
        prefix = "" if cfg.text[:pos].endswith(("\n", "\r")) or pos == 0 else nl
        return Edit(Span(pos, pos), prefix + line + nl)
    pos = len(cfg.text)
    prefix = "" if not cfg.text or cfg.text.endswith(("\n", "\r")) else nl
    return Edit(Span(pos, pos), f"{prefix}[{section}]{nl}{line}{nl}")


def rename_key(cfg: CfgFile, opt: CfgOption, new_key: str) -> tuple[Edit, tuple[Change, Change]]:
    """Rename an option in place (value, spacing and comments untouched)."""
    return (
        Edit(opt.key_span, new_key),
        (Change("delete", (opt.section, opt.key)), Change("set", (opt.section, new_key.lower()), opt.value)),
    )


def delete_option(cfg: CfgFile, opt: CfgOption) -> tuple[Edit, Change]:
    """Remove an option's lines (key line and continuation lines, with their line breaks)."""
    return Edit(opt.entry_span, ""), Change("delete", (opt.section, opt.key))


def move_option(cfg: CfgFile, opt: CfgOption, section: str) -> tuple[tuple[Edit, Edit], tuple[Change, Change]] | None:
    """Move an option's lines, as written (key, spacing, value, `;` comment), to the end of
    `[section]`, creating the section at the end of the file when missing.

    None when `[section]` already has the key (the caller must decide which one stays).
    """
    target = cfg.sections.get(section)
    if target is not None and opt.key in target.options:
        return None
    nl = cfg.lines.newline
    entry = cfg.text[opt.entry_span.start : opt.entry_span.end]
    if not entry.endswith(("\n", "\r")):
        entry += nl
    if target is not None:
        pos = target.entry_span.end
        before = cfg.text[:pos]
        prefix = "" if not before or before.endswith(("\n", "\r")) else nl
        insert = Edit(Span(pos, pos), prefix + entry)
    else:
        pos = len(cfg.text)
        # the text the new section follows (without the moved option when it ends the file)
        text = cfg.text[: opt.entry_span.start] if opt.entry_span.end >= pos else cfg.text
        prefix = ""
        if text and not text.endswith(("\n", "\r")):
            prefix = nl + nl
        elif text and not text.endswith(nl + nl):
            prefix = nl
        insert = Edit(Span(pos, pos), f"{prefix}[{section}]{nl}{entry}")
    delete, gone = delete_option(cfg, opt)
    return (delete, insert), (gone, Change("set", (section, opt.key), opt.value))


def set_options(
    cfg: CfgFile, section: str, pairs: list[tuple[str, str]]
) -> tuple[tuple[Edit, ...], tuple[Change, ...]]:
    """Set several options of one section: values ansible-core reads are replaced in place;
    the missing keys are added together, in one edit, after the section's last option
    (the section is created when missing)."""
    edits: list[Edit] = []
    changes: list[Change] = []
    missing: list[tuple[str, str]] = []
    for key, value in pairs:
        opt = cfg.get(section, key)
        if opt is not None:
            if opt.value != value:
                e, c = replace_value(cfg, opt, value)
                edits.append(e)
                changes.append(c)
        else:
            missing.append((key, value))
    if missing:
        (key, value), rest = missing[0], missing[1:]
        made = set_option(cfg, section, key, value)
        if made is None:
            return (), ()  # the option cannot be placed: no partial fix
        e, c = made
        changes.append(c)
        if rest:
            e = _append_lines(cfg, e, key, value, rest)
            changes.extend(Change("set", (section, k), v) for k, v in rest)
        edits.append(e)
    return tuple(edits), tuple(changes)


def _append_lines(cfg: CfgFile, edit: Edit, key: str, value: str, rest: list[tuple[str, str]]) -> Edit:
    """The insertion `edit` (which adds `key = value`) extended with the `rest` lines."""
    nl = cfg.lines.newline
    rep = edit.replacement
    m = re.search(rf"(?m)^{re.escape(key)}(\s*[=:]\s*){re.escape(value)}(?=\r?\n|\r|$)", rep)
    if m is None:  # pragma: no cover - set_option always writes the line as one piece
        raise ValueError("cannot find the inserted option line")
    delim = m.group(1)
    extra = nl.join(f"{k}{delim}{v}" for k, v in rest)
    end = m.end()
    if rep.startswith(nl, end):
        rep = rep[: end + len(nl)] + extra + nl + rep[end + len(nl) :]
    else:
        rep = rep[:end] + nl + extra + rep[end:]
    return Edit(edit.span, rep, edit.path)


def hash_to_semicolon(cfg: CfgFile, opt: CfgOption, at: int, value_without: str) -> tuple[Edit, Change]:
    """Turn the ` # comment` after a value into a ` ; comment` (the `#` at offset `at`)."""
    return Edit(Span(at, at + 1), ";"), Change("set", (opt.section, opt.key), value_without)


def rename_and_set(
    cfg: CfgFile, opt: CfgOption, new_key: str, value: str
) -> tuple[tuple[Edit, ...], tuple[Change, ...]]:
    """Rename an option and give it another value (`scp_if_ssh = True` -> `transfer_method = scp`)."""
    edit, changes = rename_key(cfg, opt, new_key)
    if value == opt.value:
        return (edit,), changes
    return (edit, Edit(opt.value_span, value)), (changes[0], Change("set", (opt.section, new_key.lower()), value))


def append_to_value(cfg: CfgFile, opt: CfgOption, words: str) -> tuple[Edit, Change]:
    """Append `words` to an option's value, one space after it
    (`ssh_args = -C` -> `ssh_args = -C -o ControlPersist=60s`); inside the quotes of a
    quoted value (`"-C"` -> `"-C -o ControlPersist=60s"`), which ansible-core strips."""
    end = opt.value_span.end
    raw = cfg.text[opt.value_span.start : end]
    if unquote(raw) != raw:
        return Edit(Span(end - 1, end - 1), " " + words), Change(
            "set", (opt.section, opt.key), f"{opt.value[:-1]} {words}{opt.value[-1]}"
        )
    return Edit(Span(end, end), " " + words), Change("set", (opt.section, opt.key), f"{opt.value} {words}")


def raw_value(cfg: CfgFile, opt: CfgOption) -> str | None:
    """An option's value as written, when it is on one line (else None)."""
    raw = cfg.text[opt.value_span.start : opt.value_span.end]
    return None if "\n" in raw or "\r" in raw else raw


def replace_in_value(cfg: CfgFile, opt: CfgOption, start: int, end: int, chars: str) -> tuple[Edit, Change] | None:
    """Replace the characters [start, end) of a one-line value as written (`raw_value`)
    with `chars`; the declared value is the written value with that replacement."""
    raw = raw_value(cfg, opt)
    if raw is None or not 0 <= start <= end <= len(raw):
        return None
    base = opt.value_span.start
    new = raw[:start] + chars + raw[end:]
    return Edit(Span(base + start, base + end), chars), Change("set", (opt.section, opt.key), new)


class NewCfg:
    """The text of a new ansible.cfg, written line by line: comments, sections and options
    (each option with its comment above it), and the data changes it declares (values as
    ConfigParser reads them back)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.changes: list[Change] = []
        self._section: str | None = None

    def comment(self, *lines: str) -> None:
        """`# line` for each line (an empty one as a bare `#`)."""
        self.lines.extend(f"# {c}" if c else "#" for c in lines)

    def blank(self) -> None:
        self.lines.append("")

    def section(self, name: str) -> None:
        self.lines.append(f"[{name}]")
        self._section = name

    def option(self, key: str, value: str, *comment: str) -> None:
        if self._section is None:
            raise ValueError("an option before any section")
        self.comment(*comment)
        self.lines.append(f"{key} = {value}")
        self.changes.append(Change("set", (self._section, key), value))

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"
