"""ansible.cfg loading: values exactly as ansible-core reads them, plus the position of every
section, key and value in the text.

ansible-core reads ansible.cfg with ``configparser.ConfigParser(inline_comment_prefixes=(';',))``
and ``get(section, key, raw=True)``: keys are case-insensitive, `;` after whitespace starts an
inline comment, `#` only starts a comment at the start of a line, indented lines continue a
value, duplicate sections or keys are errors and `[DEFAULT]` values show through in every
section. The values here come from that same parser; the positions come from a line scanner
that follows the same rules (and is checked against the parser's result).
"""

from __future__ import annotations

import ast
import configparser
import re
from dataclasses import dataclass, field

from ..diagnostics import Span
from .yamlfile import LineIndex, YamlLoadError, decode


class CfgLoadError(YamlLoadError):
    """ansible.cfg that ansible-core itself would refuse to read."""


@dataclass
class CfgOption:
    section: str
    key: str  # as configparser stores it (lower case)
    raw_key: str  # as written
    value: str  # as ansible-core reads it (raw=True)
    line: int  # 1-based line of the key
    key_span: Span
    value_span: Span  # the value on its first line (to the end of its last continuation line)
    entry_span: Span  # whole lines: from the key's line start to after its last line's break
    inline_comment: str = ""  # a `;` comment after the value, with its leading whitespace


@dataclass
class CfgSection:
    name: str
    line: int
    header_span: Span  # the `[name]` text
    entry_span: Span  # from the header line start to after the last line of its last option
    options: dict[str, CfgOption] = field(default_factory=dict)


@dataclass
class CfgFile:
    path: str
    text: str
    sections: dict[str, CfgSection] = field(default_factory=dict)
    defaults: dict[str, CfgOption] = field(default_factory=dict)  # [DEFAULT]
    _lines: LineIndex | None = None

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def position(self, offset: int) -> tuple[int, int]:
        return self.lines.position(offset)

    def get(self, section: str, key: str) -> CfgOption | None:
        """The option ansible-core would read for (section, key), [DEFAULT] included."""
        sec = self.sections.get(section)
        if sec is None:
            return None
        opt = sec.options.get(key.lower())
        if opt is None:
            opt = self.defaults.get(key.lower())
        return opt

    def options(self):
        for sec in self.sections.values():
            yield from sec.options.values()

    def data(self) -> dict[str, dict[str, str]]:
        return parse_values(self.text)


_SECT = re.compile(r"\[(?P<header>.+)\]")
_OPT = re.compile(r"(?P<option>.*?)\s*(?P<vi>[=:])\s*(?P<value>.*)$")
_INLINE = re.compile(r"\s;")


def parse_values(text: str) -> dict[str, dict[str, str]]:
    """{section: {key: value}} exactly as ansible-core's ConfigParser reads them (raw)."""
    if text.startswith("\ufeff"):
        raise CfgLoadError(
            "file starts with a byte-order mark, which ansible-core cannot read (save it as UTF-8 without BOM)", 1, 1
        )
    cp = configparser.ConfigParser(inline_comment_prefixes=(";",), interpolation=None)
    try:
        cp.read_string(text)
    except configparser.Error as e:
        line = getattr(e, "lineno", None)
        errors = getattr(e, "errors", None)
        if line is None and errors:
            line = errors[0][0]
        msg = " ".join(str(e).split())
        if isinstance(e, configparser.ParsingError) and getattr(e, "errors", None):
            ln, bad = e.errors[0]
            try:
                bad = ast.literal_eval(bad)
            except (ValueError, SyntaxError):
                pass
            msg = f"line is neither a section, an option nor a comment: {str(bad).strip()!r}"
        elif isinstance(e, configparser.DuplicateOptionError):
            msg = f"option {e.option!r} appears twice in section [{e.section}] (ansible-core refuses the file)"
        elif isinstance(e, configparser.DuplicateSectionError):
            msg = f"section [{e.section}] appears twice (ansible-core refuses the file)"
        elif isinstance(e, configparser.MissingSectionHeaderError):
            msg = "a setting comes before any [section] header"
        raise CfgLoadError(msg, line or 1, 1) from None
    out: dict[str, dict[str, str]] = {}
    if cp.defaults():
        out["DEFAULT"] = dict(cp.defaults())
    for sec in cp.sections():
        own = cp._sections[sec]  # type: ignore[attr-defined]  # a section's own keys, without [DEFAULT]'s
        out[sec] = {k: cp.get(sec, k, raw=True) for k in own}
    return out


def unquote(text: str) -> str:
    """ansible.parsing.quoting.unquote: ansible-core strips one pair of quotes from INI values."""
    if len(text) > 1 and text[0] == text[-1] and text[0] in ("'", '"') and text[-2] != "\\":
        return text[1:-1]
    return text


_HASH = re.compile(r"(?<=\s)#")


def hash_comment(cfg: CfgFile, opt: CfgOption):
    """(offset of the `#`, value without the comment, comment is only text) or None.

    The value without the comment is what ansible-core would read once the `#` is a `;`.
    """
    start = opt.value_span.start
    ln = cfg.lines.line_of(start)
    end = min(cfg.lines.line_end(ln), opt.value_span.end)
    first = cfg.text[start:end]
    if first.startswith("#"):  # `key = # comment`: the value is the comment
        return start, "", True
    m = _HASH.search(first)
    if m is None:
        return None
    head = first[: m.start()].rstrip()
    rest = opt.value.split("\n")[1:]
    value = "\n".join([head, *rest]) if rest else head
    return start + m.start(), value, head == ""


def _strip_inline(line: str) -> tuple[str, str]:
    """Split a line into (content, inline `;` comment with its leading whitespace)."""
    m = _INLINE.search(line)
    if m is None:
        return line, ""
    return line[: m.start()], line[m.start() :]


def load_text(path: str, text: str) -> CfgFile:
    values = parse_values(text)  # raises CfgLoadError like ansible-core would fail
    cfg = CfgFile(path=path, text=text)
    li = cfg.lines
    cur_sec: CfgSection | None = None
    cur_opt: CfgOption | None = None
    cur_indent = 0
    n = len(li.starts)
    for ln in range(n):
        start = li.line_start(ln)
        line = li.line_text(ln)
        line_body, base = line, start
        next_start = li.starts[ln + 1] if ln + 1 < n else len(text)
        stripped = line_body.strip()
        if not stripped or stripped[0] in "#;":
            continue
        indent = len(line_body) - len(line_body.lstrip())
        content, comment = _strip_inline(line_body)
        if cur_opt is not None and indent > cur_indent:  # a continuation line
            cend = base + len(content.rstrip())
            cur_opt.value_span = Span(cur_opt.value_span.start, cend)
            cur_opt.entry_span = Span(cur_opt.entry_span.start, next_start)
            if cur_sec is not None:
                cur_sec.entry_span = Span(cur_sec.entry_span.start, next_start)
            continue
        m = _SECT.match(content.strip())
        if m:
            name = m.group("header")
            hstart = base + line_body.index("[")
            hend = hstart + len(content.strip())
            cur_sec = CfgSection(name, ln + 1, Span(hstart, hend), Span(start, next_start))
            if name == "DEFAULT":
                cur_sec.options = cfg.defaults
            else:
                cfg.sections[name] = cur_sec
            cur_opt = None
            continue
        m = _OPT.match(content.strip())
        if m and cur_sec is not None:
            lead = len(content) - len(content.lstrip())
            raw_key = m.group("option")
            kstart = base + lead
            vtext = m.group("value")
            vstart = base + lead + m.start("value")
            vend = vstart + len(vtext.rstrip())
            key = raw_key.strip().lower()
            opt = CfgOption(
                section=cur_sec.name,
                key=key,
                raw_key=raw_key,
                value=values.get(cur_sec.name, {}).get(key, vtext.strip()),
                line=ln + 1,
                key_span=Span(kstart, kstart + len(raw_key)),
                value_span=Span(vstart, max(vstart, vend)),
                entry_span=Span(start, next_start),
                inline_comment=comment,
            )
            cur_sec.options[key] = opt
            cur_sec.entry_span = Span(cur_sec.entry_span.start, next_start)
            cur_opt = opt
            cur_indent = indent
    return cfg


def load_path(path: str) -> CfgFile:
    with open(path, "rb") as f:
        raw = f.read()
    return load_text(path, decode(raw))
