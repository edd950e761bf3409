"""Core types shared by every stage of the pipeline.

They are small, frozen and import nothing from the rest of the package.

Offsets: a `Span` holds offsets into a file's decoded text (code points, which equal byte
offsets for ASCII content; the text is re-encoded as UTF-8 on write, so bytes outside an
edit stay byte-identical either way). `end` is exclusive.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    """Replace the text at `span` with `replacement` (ruff's `Edit`). Build one with
    `Edit.insertion`, `Edit.deletion` or `Edit.range_replacement` (ruff's names; the
    field `replacement` takes the plain name)."""

    span: Span
    replacement: str
    # The file this edit applies to when it is not the finding's own file (a fix that
    # creates a new ansible.cfg, for example). None means the finding's path.
    path: str | None = None

    @classmethod
    def insertion(cls, at: int, text: str, path: str | None = None) -> Edit:
        return cls(Span(at, at), text, path)

    @classmethod
    def deletion(cls, span: Span, path: str | None = None) -> Edit:
        return cls(span, "", path)

    @classmethod
    def range_replacement(cls, span: Span, text: str, path: str | None = None) -> Edit:
        return cls(span, text, path)


# What a fix declares for the data of the files it touches: a sequence of changes to the
# finding's own file, or a mapping of path (None: the finding's file) to its changes.
ChangesArg = Iterable[Change] | Mapping[str | None, Iterable[Change]]


def _changes(changes: ChangesArg) -> tuple[tuple[str | None, tuple[Change, ...]], ...]:
    if isinstance(changes, Mapping):
        return tuple((p, tuple(cs)) for p, cs in changes.items())
    cs = tuple(changes)
    if not all(isinstance(c, Change) for c in cs):
        raise TypeError("changes: Change objects, or a mapping of path to Change objects")
    return ((None, cs),) if cs else ()


def overlapping(edits: Iterable[Edit]) -> tuple[Edit, Edit] | None:
    """Two edits of the same file that overlap (see Span.overlaps), or None."""
    by_file: dict[str | None, list[Edit]] = {}
    for e in edits:
        by_file.setdefault(e.path, []).append(e)
    for es in by_file.values():
        es = sorted(es, key=lambda e: (e.span.start, e.span.end))
        for a, b in zip(es, es[1:]):
            if a.span.overlaps(b.span):
                return a, b
    return None


class FixBuildError(Exception):
    """A lazy fix's builder raised: the engine reports it as an internal error (E003)."""


class Fix:
    """What a finding offers to change (ruff's `Fix`): edits applied all or none, their
    safety, a description, and the data change each touched file must show afterwards.

    Build one with `Fix.safe(edits, description, changes)` or `Fix.unsafe(...)`; edits that
    overlap each other are refused (ValueError). `Fix.lazy(build, safety, description)`
    computes its edits on first use: rules whose edit builders are costly (configupdater's
    import alone is ~50 ms) use it, since `ansopt check` in text format only needs the safety.
    The builder returns a Fix, or None when no faithful edit can be made; `build()` raises
    FixBuildError when the builder raised.

    `group`, `conflicts`, `priority`: fixes that must not land in the same round although
    they edit different files (a play's gather_subset and a switch to smart gathering): a
    fix whose `conflicts` hold the group of a fix applied earlier in a round waits for the
    next round; higher priority goes first.
    """

    __slots__ = ("safety", "description", "group", "conflicts", "priority", "_edits", "_changes", "_builder", "_error")

    def __init__(
        self,
        edits: Iterable[Edit],
        safety: Safety,
        description: str,
        changes: ChangesArg = (),
        *,
        group: str | None = None,
        conflicts: Iterable[str] = frozenset(),
        priority: int = 0,
    ) -> None:
        if safety not in (SAFE, UNSAFE):
            raise ValueError(f"bad fix safety {safety!r}")
        self.safety: Safety = safety
        self.description = description
        self.group = group
        self.conflicts = frozenset(conflicts)
        self.priority = priority
        self._edits = tuple(edits)
        self._changes = _changes(changes)
        self._builder: Callable[[], Fix | None] | None = None
        self._error: BaseException | None = None
        clash = overlapping(self._edits)
        if clash is not None:
            raise ValueError(
                f"a fix's edits overlap at {clash[0].span.start}..{clash[0].span.end} and {clash[1].span.start}..{clash[1].span.end}"
            )

    @classmethod
    def safe(cls, edits: Iterable[Edit], description: str, changes: ChangesArg = (), **kw: Any) -> Fix:
        return cls(edits, SAFE, description, changes, **kw)

    @classmethod
    def unsafe(cls, edits: Iterable[Edit], description: str, changes: ChangesArg = (), **kw: Any) -> Fix:
        return cls(edits, UNSAFE, description, changes, **kw)

    @classmethod
    def lazy(cls, build: Callable[[], Fix | None], safety: Safety, description: str, **kw: Any) -> Fix:
        fix = cls((), safety, description, **kw)
        fix._builder = build
        return fix

    @property
    def built(self) -> bool:
        return self._builder is None and self._error is None

    def build(self) -> bool:
        """Compute a lazy fix's edits now; True when there is something to apply."""
        if self._error is not None:
            raise FixBuildError(f"{type(self._error).__name__}: {self._error}") from self._error
        if self._builder is not None:
            builder, self._builder = self._builder, None
            try:
                made = builder()
            except Exception as e:
                self._error = e
                raise FixBuildError(f"{type(e).__name__}: {e}") from e
            if made is not None:
                self._edits, self._changes = made._edits, made._changes
        return bool(self._edits)

    @property
    def edits(self) -> tuple[Edit, ...]:
        self.build()
        return self._edits

    @property
    def changes(self) -> tuple[tuple[str | None, tuple[Change, ...]], ...]:
        self.build()
        return self._changes

    def changes_for(self, path: str | None) -> tuple[Change, ...]:
        for p, ch in self.changes:
            if p == path:
                return ch
        return ()

    def __repr__(self) -> str:
        state = "" if self.built else ", lazy"
        return f"Fix({self.safety}, {self.description!r}{state})"


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
    fix: Fix | None = None
    end_line: int = 0
    end_col: int = 0
    # Free-form details for machine formats (e.g. which hosts the advice is for).
    extra: tuple[tuple[str, Any], ...] = field(default=())
    # What to do about it, one line (ruff's fix title): the message says what is wrong.
    help: str = ""
    # "pattern": found in the project's text; "measured": a recorded run's timing backs it
    # (model.timings), and `measured_s` holds the measured seconds.
    basis: str = "pattern"
    measured_s: float | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


PARSE_ERROR_CODE = "E001"
PARSE_ERROR_SLUG = "parse-error"
FIX_FAILED_CODE = "E002"
FIX_FAILED_SLUG = "fix-not-applied"
INTERNAL_ERROR_CODE = "E003"
INTERNAL_ERROR_SLUG = "internal-error"
