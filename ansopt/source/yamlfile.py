"""Text-faithful YAML loading: every node knows its exact span in the original text.

Events come from ruamel.yaml's parser (libyaml through ruamel.yaml.clib when it is installed,
the pure-Python parser otherwise); ansopt composes its own node tree from them so that:

* every node has `start` and `end` offsets into the text. Scalars and flow collections end
  where their last character ends; a block collection ends where its last child ends
  (trailing comments and blank lines belong to no node). A block scalar ends after its last
  non-blank character.
* an alias (`*name`) is its own node, spanning the alias token, pointing at its target; the
  parser's composer would hand back the anchored node itself and lose the position.
* plain scalars get the YAML 1.1 meaning that Ansible gives them (Ansible loads YAML with
  PyYAML: `yes` is True, `0644` is 420, `y` stays a string), using PyYAML's own resolver
  and constructor.
* tags are kept and never fail the load: `!vault`, `!unsafe` and unknown tags make the
  scalar a plain string with `tag` set, as Ansible's loader treats their text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .scalars import scalar_value

_STD_PREFIX = "tag:yaml.org,2002:"


class YamlLoadError(Exception):
    """The text is not valid YAML (or not valid UTF-8). line/col are 1-based."""

    def __init__(self, message: str, line: int, col: int, offset: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col
        self.offset = offset


class LineIndex:
    """Offset <-> (line, column) for a text. Lines end at \\n, \\r\\n or a lone \\r."""

    __slots__ = ("text", "starts")

    _BREAK = re.compile(r"\r\n|\r|\n")

    def __init__(self, text: str):
        self.text = text
        starts = [0]
        starts.extend(m.end() for m in self._BREAK.finditer(text))
        self.starts = starts

    def line_of(self, offset: int) -> int:
        """0-based line number of an offset."""
        return bisect.bisect_right(self.starts, offset) - 1

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset (a byte-order mark is not a column)."""
        ln = self.line_of(offset)
        col = offset - self.starts[ln] + 1
        if ln == 0 and col > 1 and self.text.startswith("\ufeff"):
            col -= 1
        return ln + 1, col

    def line_start(self, line0: int) -> int:
        return self.starts[line0]

    def line_end(self, line0: int) -> int:
        """Offset of the end of a line's content (before its line break)."""
        if line0 + 1 < len(self.starts):
            end = self.starts[line0 + 1]
            if self.text[end - 2 : end] == "\r\n":
                return end - 2
            return end - 1
        return len(self.text)

    def line_text(self, line0: int) -> str:
        return self.text[self.starts[line0] : self.line_end(line0)]

    def next_line_start(self, offset: int) -> int:
        """Offset of the start of the line after the one holding `offset` (or len(text))."""
        ln = self.line_of(offset)
        if ln + 1 < len(self.starts):
            return self.starts[ln + 1]
        return len(self.text)

    @property
    def newline(self) -> str:
        """The file's line-break style, as its first line break has it."""
        m = self._BREAK.search(self.text)
        return m.group(0) if m else "\n"


# --------------------------------------------------------------------------- nodes


class YNode:
    """A node of the composed tree. `start`/`end` are offsets into the file's text."""

    __slots__ = ("start", "end", "tag", "anchor", "flow", "parent")
    kind = "node"

    def __init__(self, start: int, end: int, tag: str | None, anchor: str | None, flow: bool):
        self.start = start
        self.end = end
        self.tag = tag
        self.anchor = anchor
        self.flow = flow
        self.parent: YNode | None = None

    def to_data(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def walk(self) -> Iterator[YNode]:
        yield self

    @property
    def is_scalar(self) -> bool:
        return False


class YScalar(YNode):
    __slots__ = ("value", "raw", "style")
    kind = "scalar"

    def __init__(self, start, end, tag, anchor, value, raw, style):
        super().__init__(start, end, tag, anchor, False)
        self.value = value
        self.raw = raw
        self.style = style  # '' plain, "'", '"', '|', '>'

    def to_data(self) -> Any:
        return self.value

    @property
    def is_scalar(self) -> bool:
        return True

    @property
    def is_str(self) -> bool:
        return isinstance(self.value, str)

    def __repr__(self) -> str:
        return f"YScalar({self.value!r}@{self.start}:{self.end})"


class YSeq(YNode):
    __slots__ = ("items",)
    kind = "seq"

    def __init__(self, start, end, tag, anchor, flow):
        super().__init__(start, end, tag, anchor, flow)
        self.items: list[YNode] = []

    def to_data(self) -> Any:
        return [i.to_data() for i in self.items]

    def walk(self) -> Iterator[YNode]:
        yield self
        for i in self.items:
            yield from i.walk()

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __repr__(self) -> str:
        return f"YSeq(len={len(self.items)}@{self.start}:{self.end})"


class YMap(YNode):
    __slots__ = ("pairs", "_index")
    kind = "map"

    def __init__(self, start, end, tag, anchor, flow):
        super().__init__(start, end, tag, anchor, flow)
        self.pairs: list[tuple[YNode, YNode]] = []
        self._index: dict[Any, int] | None = None

    def _build_index(self) -> dict[Any, int]:
        idx: dict[Any, int] = {}
        for i, (k, _) in enumerate(self.pairs):
            if isinstance(k, YScalar):
                try:
                    idx[k.value] = i  # the last duplicate wins, as in PyYAML
                except TypeError:
                    pass
        self._index = idx
        return idx

    def pair(self, key: Any) -> tuple[YNode, YNode] | None:
        idx = self._index if self._index is not None else self._build_index()
        i = idx.get(key)
        return None if i is None else self.pairs[i]

    def get(self, key: Any, default: Any = None) -> YNode | Any:
        p = self.pair(key)
        return default if p is None else p[1]

    def key_node(self, key: Any) -> YNode | None:
        p = self.pair(key)
        return None if p is None else p[0]

    def __contains__(self, key: Any) -> bool:
        idx = self._index if self._index is not None else self._build_index()
        return key in idx

    def keys(self) -> list[Any]:
        return [k.value if isinstance(k, YScalar) else k.to_data() for k, _ in self.pairs]

    def to_data(self) -> Any:
        out: dict[Any, Any] = {}
        merges: list[Any] = []
        for k, v in self.pairs:
            if isinstance(k, YScalar) and k.tag == _STD_PREFIX + "merge":
                merges.append(v.to_data())
                continue
            kd = k.to_data()
            try:
                hash(kd)
            except TypeError:
                kd = repr(kd)
            out[kd] = v.to_data()
        if merges:
            # `<<` merges: explicit keys win, then earlier merge sources win over later ones.
            merged: dict[Any, Any] = {}
            for src in merges:
                for m in src if isinstance(src, list) else [src]:
                    if isinstance(m, dict):
                        for mk, mv in m.items():
                            merged.setdefault(mk, mv)
            merged.update(out)
            out = merged
        return out

    def walk(self) -> Iterator[YNode]:
        yield self
        for k, v in self.pairs:
            yield from k.walk()
            yield from v.walk()

    def __len__(self) -> int:
        return len(self.pairs)

    def __repr__(self) -> str:
        return f"YMap(keys={self.keys()!r}@{self.start}:{self.end})"


class YAlias(YNode):
    """An alias occurrence (`*name`). `target` is the anchored node."""

    __slots__ = ("target",)
    kind = "alias"

    def __init__(self, start, end, anchor, target):
        super().__init__(start, end, None, anchor, False)
        self.target = target

    def to_data(self) -> Any:
        return self.target.to_data()

    def __repr__(self) -> str:
        return f"YAlias(*{self.anchor}@{self.start}:{self.end})"


@dataclass
class YDoc:
    root: YNode
    start: int
    end: int
    explicit_start: bool = False
    has_anchors: bool = False


@dataclass
class YamlFile:
    path: str
    text: str
    docs: list[YDoc] = field(default_factory=list)
    _lines: LineIndex | None = None

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    @property
    def root(self) -> YNode | None:
        """The first document's root (most Ansible files have exactly one document)."""
        return self.docs[0].root if self.docs else None

    def data(self) -> list[Any]:
        return [d.root.to_data() for d in self.docs]

    def position(self, offset: int) -> tuple[int, int]:
        return self.lines.position(offset)

    def indent_of(self, offset: int) -> int:
        """Column (0-based) of `offset` in its line."""
        ln = self.lines.line_of(offset)
        return offset - self.lines.line_start(ln)


# --------------------------------------------------------------------------- composing

try:  # libyaml through ruamel.yaml.clib: ~15x faster than the pure-Python parser
    from _ruamel_yaml import CParser as _CParser
except ImportError:  # pragma: no cover - depends on the platform
    try:
        from ruamel.yaml.clib._ruamel_yaml import CParser as _CParser
    except ImportError:
        _CParser = None


def _events(text: str, pure: bool = False):
    """Yield (event, index_shift) for the text, with a parser of ruamel.yaml."""
    if _CParser is not None and not pure:
        parser = _CParser(text)
        # libyaml counts offsets after a byte-order mark; shift them back onto the text.
        shift = 1 if text.startswith("\ufeff") else 0
        try:
            while parser.check_event():
                yield parser.get_event(), shift
        finally:
            parser.dispose()
    else:
        from ruamel.yaml import YAML

        y = YAML(typ="safe", pure=True)
        for ev in y.parse(text):
            yield ev, 0


def _problem(e: Exception, text: str) -> YamlLoadError:
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    problem = getattr(e, "problem", None)
    if not problem:
        first = str(e).strip().splitlines()
        problem = first[0] if first else type(e).__name__
    context = getattr(e, "context", None)
    msg = str(problem)
    if context:
        msg = f"{msg} ({context})"
    if mark is not None:
        line, col = mark.line + 1, mark.column + 1
        idx = getattr(mark, "index", 0) or 0
    else:
        # ReaderError and friends carry a position only in their text.
        line, col, idx = 1, 1, getattr(e, "position", 0) or 0
        if idx:
            li = LineIndex(text)
            line, col = li.position(min(idx, len(text)))
    msg = " ".join(msg.split())
    return YamlLoadError(msg, line, col, idx)


def _block_scalar_end(text: str, start: int, end: int) -> int:
    seg = text[start:end]
    return start + len(seg.rstrip(" \t\r\n"))


def compose(text: str) -> list[YDoc]:
    """Compose every document of `text` into YNode trees with exact spans.

    The libyaml inside ruamel.yaml.clib is older than PyYAML's (which Ansible uses) and
    refuses a `:` inside a plain scalar of a flow collection (`[system:masters]`,
    `{ url: https://x }`), which YAML allows: a text it refuses is parsed again with
    ruamel.yaml's pure-Python parser, and only a text both refuse is an error."""
    try:
        return _compose(text, pure=False)
    except YamlLoadError as first:
        if _CParser is None:
            raise
        try:
            return _compose(text, pure=True)
        except YamlLoadError:
            raise first from None


def _compose(text: str, pure: bool) -> list[YDoc]:
    docs: list[YDoc] = []
    stack: list[Any] = []  # open YMap/YSeq nodes, plus pending mapping keys
    anchors: dict[str, YNode] = {}
    doc_start = 0
    explicit = False
    has_anchors = False
    root: YNode | None = None

    def attach(node: YNode) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        top = stack[-1]
        if isinstance(top, YSeq):
            node.parent = top
            top.items.append(node)
        elif isinstance(top, _PendingKey):
            stack.pop()
            parent: YMap = stack[-1]
            node.parent = parent
            top.key.parent = parent
            parent.pairs.append((top.key, node))
        else:  # a YMap waiting for a key
            stack.append(_PendingKey(node))

    try:
        for ev, shift in _events(text, pure):
            name = type(ev).__name__
            if name == "ScalarEvent":
                s = ev.start_mark.index + shift
                e = ev.end_mark.index + shift
                style = ev.style or ""
                if style in ("|", ">"):
                    e = _block_scalar_end(text, s, e)
                plain = style == "" and bool(ev.implicit and ev.implicit[0])
                value, tag = scalar_value(ev.value, ev.tag, plain)
                node: YNode = YScalar(s, e, tag, ev.anchor, value, ev.value, style)
                if ev.anchor:
                    anchors[ev.anchor] = node
                    has_anchors = True
                attach(node)
            elif name == "MappingStartEvent" or name == "SequenceStartEvent":
                s = ev.start_mark.index + shift
                flow = bool(ev.flow_style)
                cls = YMap if name == "MappingStartEvent" else YSeq
                tag = ev.tag if ev.tag not in (None, "!") else None
                node = cls(s, s, tag, ev.anchor, flow)
                if ev.anchor:
                    anchors[ev.anchor] = node
                    has_anchors = True
                attach(node)
                stack.append(node)
            elif name == "MappingEndEvent" or name == "SequenceEndEvent":
                node = stack.pop()
                if isinstance(node, _PendingKey):  # pragma: no cover - parser guarantees pairs
                    node = stack.pop()
                if node.flow:
                    node.end = ev.end_mark.index + shift
                else:
                    last = (
                        node.pairs[-1][1]
                        if isinstance(node, YMap) and node.pairs
                        else (node.items[-1] if isinstance(node, YSeq) and node.items else None)
                    )
                    node.end = last.end if last is not None else ev.end_mark.index + shift
            elif name == "AliasEvent":
                s = ev.start_mark.index + shift
                e = ev.end_mark.index + shift
                target = anchors.get(ev.anchor)
                if target is None:  # pragma: no cover - the parser rejects unknown aliases
                    raise YamlLoadError(f"found undefined alias {ev.anchor!r}", *LineIndex(text).position(s), s)
                attach(YAlias(s, e, ev.anchor, target))
            elif name == "DocumentStartEvent":
                doc_start = ev.start_mark.index + shift
                explicit = bool(getattr(ev, "explicit", False))
                root = None
                anchors = {}
                has_anchors = False
            elif name == "DocumentEndEvent":
                if root is None:  # pragma: no cover
                    root = YScalar(doc_start, doc_start, _STD_PREFIX + "null", None, None, "", "")
                docs.append(YDoc(root, doc_start, ev.end_mark.index + shift, explicit, has_anchors))
    except YamlLoadError:
        raise
    except Exception as e:  # ruamel's MarkedYAMLError, ReaderError, ...
        if type(e).__module__.startswith(("ruamel", "_ruamel", "yaml")) or hasattr(e, "problem_mark"):
            raise _problem(e, text) from None
        raise
    return docs


class _PendingKey:
    __slots__ = ("key",)

    def __init__(self, key: YNode):
        self.key = key


def decode(raw: bytes) -> str:
    """Decode file bytes as UTF-8 (keeping a BOM as U+FEFF), or raise YamlLoadError."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        text = raw[: e.start].decode("utf-8", "replace")
        li = LineIndex(text)
        line, col = li.position(len(text))
        raise YamlLoadError(
            f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at offset {e.start})", line, col, len(text)
        ) from None


def load_text(path: str, text: str) -> YamlFile:
    return YamlFile(path=path, text=text, docs=compose(text))


def load_path(path: str) -> YamlFile:
    with open(path, "rb") as f:
        raw = f.read()
    return load_text(path, decode(raw))
