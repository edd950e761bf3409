"""Core types shared by every stage of the pipeline.

They are small, frozen and import nothing from the rest of the package.

Offsets: a `Span` holds offsets into a file's decoded text (code points, which equal byte
offsets for ASCII content; the text is re-encoded as UTF-8 on write, so bytes outside an
edit stay byte-identical either way). `end` is exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Safety = Literal["safe", "unsafe"]
Severity = Literal["error", "warning", "info"]

SAFE: Safety = "safe"
UNSAFE: Safety = "unsafe"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    start: int
    end: int

    def __post_init__(self) -> None:
        if self.start < 0 or self.end < self.start:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def overlaps(self, other: Span) -> bool:
        """True when the two spans share a character, or both insert at the same point."""
        if self.start == self.end or other.start == other.end:
            # An insertion conflicts with an edit that strictly contains its point,
            # or with another insertion at the same point.
            if self.start == self.end and other.start == other.end:
                return self.start == other.start
            point, rng = (self, other) if self.start == self.end else (other, self)
            return rng.start < point.start < rng.end
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Change:
    """The data-level meaning of a fix, checked against the re-parsed result.

    `path` addresses a value in the loaded data: for YAML, (document index, key or index, ...);
    for ansible.cfg, (section, option). `op` is "set" (add or replace the value at `path`)
    or "delete" (remove the key, or the list item, at `path`). Paths refer to the data as it
    was before the fix, so deleting list items does not shift the paths of later changes.
    """

    op: Literal["set", "delete"]
    path: tuple[Any, ...]
    value: Any = None


@dataclass(frozen=True, slots=True)
class Edit:
    span: Span
    replacement: str
    # The file this edit applies to when it is not the finding's own file (a fix that
    # creates a new ansible.cfg, for example). None means the finding's path.
    path: str | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    edits: tuple[Edit, ...]
    safety: Safety
    description: str
    # What the fix means for the data of each file it touches, keyed by path (None: the
    # finding's file). The engine verifies the re-parsed result against exactly this.
    changes: tuple[tuple[str | None, tuple[Change, ...]], ...] = ()
    # Fixes that must not land in the same round although they edit different files (a
    # play's gather_subset and a switch to smart gathering): a fix of group G is skipped in
    # a round where a fix of a group it conflicts with was applied; higher priority goes first.
    group: str | None = None
    conflicts: frozenset[str] = frozenset()
    priority: int = 0

    def changes_for(self, path: str | None) -> tuple[Change, ...]:
        for p, ch in self.changes:
            if p == path:
                return ch
        return ()


class LazyFix:
    """A fix whose edits are computed only when someone asks for them.

    Rules whose edit builders are costly (configupdater's import alone is ~50 ms) return one
    of these: `ansopt check` in text format only needs the safety for its `[*]` marks, while
    `fix` and the machine formats read `edits` and `changes`. The builder returns a `Fix`,
    or None when no faithful edit can be made (then `edits` is empty and nothing applies).
    """

    __slots__ = ("safety", "description", "_builder", "_fix", "_built", "group", "conflicts", "priority")

    def __init__(self, builder, safety: Safety, description: str, group=None, conflicts=frozenset(), priority=0):
        self.safety = safety
        self.description = description
        self._builder = builder
        self._fix: Fix | None = None
        self._built = False
        self.group = group
        self.conflicts = frozenset(conflicts)
        self.priority = priority

    def _get(self) -> Fix | None:
        if not self._built:
            try:
                self._fix = self._builder()
            except Exception:  # a builder bug must not stop the run: the finding stays, unfixed
                self._fix = None
            self._built = True
        return self._fix

    @property
    def edits(self) -> tuple[Edit, ...]:
        f = self._get()
        return f.edits if f is not None else ()

    @property
    def changes(self) -> tuple[tuple[str | None, tuple[Change, ...]], ...]:
        f = self._get()
        return f.changes if f is not None else ()

    def changes_for(self, path: str | None) -> tuple[Change, ...]:
        f = self._get()
        return f.changes_for(path) if f is not None else ()

    def __repr__(self) -> str:
        return f"LazyFix({self.safety}, {self.description!r})"


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    slug: str
    path: str
    span: Span
    line: int  # 1-based
    col: int  # 1-based
    message: str
    severity: Severity = "warning"
    fix: Fix | LazyFix | None = None
    end_line: int = 0
    end_col: int = 0
    # Free-form details for machine formats (e.g. which hosts the advice is for).
    extra: tuple[tuple[str, Any], ...] = field(default=())
    # What to do about it, one line (ruff's fix title): the message says what is wrong.
    help: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


PARSE_ERROR_CODE = "E001"
PARSE_ERROR_SLUG = "parse-error"
FIX_FAILED_CODE = "E002"
FIX_FAILED_SLUG = "fix-not-applied"
