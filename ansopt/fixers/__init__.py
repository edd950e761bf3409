"""The fix stage: edit builders, verification and the atomic write.

Rules decide and fixers write. A rule names what should change (a key to set, a loop to
fold into its module's argument, a word to append to an ansible.cfg value) and calls a
builder here; the builder finds the bytes, composes the text in the file's own style and
returns `Edits` (the text edits with the data changes they declare), or a `Refusal` when
no faithful edit can be made. The rule then wraps the edits in a `Fix`
(`Fix.safe(made.edits, description, made.changes)`).

* `yaml_edits`: keys and scalars of YAML files; `task_edits`: whole-task rewrites (a loop
  folded into a package list, package tasks merged, keys added to a task, a free-form
  argument appended); `cfg_edits`: ansible.cfg options.
* `verify`: a fix's edits applied and checked (bytes outside the edits, re-parse, declared
  data change, comments, tags); `write`: the atomic write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..diagnostics import Change, ChangesArg, Edit, overlapping


@dataclass(frozen=True, slots=True)
class Edits:
    """A builder's result: text edits of one fix and the data changes they declare
    (a sequence for the finding's own file, or a mapping of path to changes)."""

    edits: tuple[Edit, ...]
    changes: ChangesArg = ()


@dataclass(frozen=True, slots=True)
class Refusal:
    """No faithful edit: `reason` (shown in the finding's help) or None to say nothing."""

    reason: str | None = None


def combine(edits: Iterable[Edit], changes: Iterable[Change]) -> Edits | None:
    """One fix's edits and changes; None when two of the edits overlap (a fix applies all
    its edits or none, so such a fix cannot be made)."""
    edits = tuple(edits)
    if overlapping(edits) is not None:
        return None
    return Edits(edits, tuple(changes))


def new_file(path: str, text: str, changes: Iterable[Change]) -> Edits:
    """A fix that creates the file `path` with `text`; `changes` declare its data (the
    verifier reads the new file and compares)."""
    declared: dict[str | None, Iterable[Change]] = {path: tuple(changes)}
    return Edits((Edit.insertion(0, text, path=path),), declared)
