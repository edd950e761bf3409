"""The rule registry. Every module in this package (not starting with `_`) is one rule.

A rule module holds:

* its docstring: the rule's documentation (what, why, measured gain, example, use
  instead, fix safety), shown by ``ansopt rule CODE``;
* ``CODE`` (e.g. ``C101``), ``SLUG`` (e.g. ``pipelining-disabled``), ``SEVERITY``;
* ``FIX``: ``"safe"``, ``"unsafe"`` or ``None`` (the safety of the fix it offers);
* ``DEFAULT``: whether the rule runs without a ``select`` (default True); rules that are
  hygiene or save nothing measurable set it to False and run when selected by name, by a
  prefix or with ``ALL``;
* optionally ``DEFAULT_WHEN_MEASURED``: an opt-in rule that runs by default when the run
  has recorded timings (``check --timings``), reporting then only what they measured;
* optionally ``OPTIONS``: ``{name: (default, json-schema)}`` settable under
  ``rules: {CODE: {...}}`` in the settings;
* ``check(ctx)``: a generator of findings. Rules never write text: they build fixes with
  the edit builders in ``ansopt.fixers``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ..diagnostics import Finding, Fix, Safety, Severity, Span


@dataclass(frozen=True)
class Rule:
    code: str
    slug: str
    severity: Severity
    fix: str | None
    doc: str
    module: ModuleType
    options: dict[str, tuple[Any, dict]] = field(default_factory=dict)
    default: bool = True
    # purposes of content (model.purpose) where the rule's advice does not apply
    skip_purposes: frozenset[str] = frozenset()
    # an opt-in rule that joins the default selection when recorded timings exist, reporting
    # then only what a measurement backs
    default_when_measured: bool = False

    @property
    def summary(self) -> str:
        """The docstring's first paragraph, on one line."""
        first = self.doc.strip().split("\n\n", 1)[0]
        return " ".join(first.split())

    @property
    def check(self) -> Callable[[RuleContext], Iterator[Finding]]:
        return self.module.check

    def default_options(self) -> dict[str, Any]:
        return {k: v[0] for k, v in self.options.items()}


_RULES: list[Rule] | None = None
_CODE = re.compile(r"[A-Z]\d{3}\Z")


def all_rules() -> list[Rule]:
    global _RULES
    if _RULES is None:
        rules = []
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("_"):
                continue
            mod = importlib.import_module(f"{__name__}.{info.name}")
            code = getattr(mod, "CODE", None)
            if not code:
                continue
            assert _CODE.match(code), f"bad rule code {code!r} in {info.name}"
            rules.append(
                Rule(
                    code=code,
                    slug=mod.SLUG,
                    severity=getattr(mod, "SEVERITY", "warning"),
                    fix=getattr(mod, "FIX", None),
                    doc=mod.__doc__ or "",
                    module=mod,
                    options=dict(getattr(mod, "OPTIONS", {}) or {}),
                    default=bool(getattr(mod, "DEFAULT", True)),
                    skip_purposes=frozenset(getattr(mod, "SKIP_PURPOSES", ())),
                    default_when_measured=bool(getattr(mod, "DEFAULT_WHEN_MEASURED", False)),
                )
            )
        rules.sort(key=lambda r: r.code)
        codes = [r.code for r in rules]
        slugs = [r.slug for r in rules]
        assert len(set(codes)) == len(codes), "duplicate rule codes"
        assert len(set(slugs)) == len(slugs), "duplicate rule slugs"
        _RULES = rules
    return _RULES


class RuleContext:
    """What a rule sees: the project, its options, and a helper to make findings."""

    def __init__(self, project, rule: Rule, options: dict[str, Any], settings=None, measured_only: bool = False):
        self.project = project
        self.rule = rule
        self.options = options
        self.settings = settings
        # recorded task timings (model.timings.Measurements), when the run has some
        self.measurements = getattr(project, "measurements", None)
        # the rule runs only because timings exist (DEFAULT_WHEN_MEASURED): report only what
        # a measurement backs
        self.measured_only = measured_only

    def finding(
        self,
        file,
        at,
        message: str,
        fix: Fix | None = None,
        severity: Severity | None = None,
        extra: dict[str, Any] | None = None,
        help: str = "",
        measured: float | None = None,
    ) -> Finding:
        """A finding in `file` (YamlFile or CfgFile) at a node, a Span, a (start, end) pair
        of offsets or an offset. `measured`: the seconds a recorded timing measured for what
        the finding is about (its basis is then "measured")."""
        if file is None:
            raise ValueError("finding without a file")
        if isinstance(at, Span):
            span = at
        elif isinstance(at, int):
            span = Span(at, at)
        elif isinstance(at, tuple):
            span = Span(*at)
        else:
            span = Span(at.start, at.end)
        line, col = file.position(span.start)
        end_line, end_col = file.position(span.end)
        return Finding(
            code=self.rule.code,
            slug=self.rule.slug,
            path=file.path,
            span=span,
            line=line,
            col=col,
            message=message,
            severity=severity or self.rule.severity,
            fix=fix,
            end_line=end_line,
            end_col=end_col,
            extra=tuple(sorted((extra or {}).items())),
            help=help,
            basis="pattern" if measured is None else "measured",
            measured_s=None if measured is None else round(float(measured), 3),
        )

    def lazy_fix(self, builder, safety: Safety, description: str, **kw):
        """A fix built on first use (see diagnostics.Fix.lazy): for costly edit builders.
        `kw`: group, conflicts, priority (see diagnostics.Fix)."""
        return Fix.lazy(builder, safety, description, **kw)

    def finding_at(
        self,
        abspath: str,
        line: int,
        col: int,
        message: str,
        severity: Severity | None = None,
        extra: dict[str, Any] | None = None,
        help: str = "",
    ) -> Finding | None:
        """A finding at a 1-based line/column of any file (an INI inventory, a vars file).

        None when the file cannot be read. The span is the rest of that line."""
        from ..source.yamlfile import LineIndex

        try:
            text = self.project.reader.read_lenient(abspath)
        except OSError:
            return None
        li = LineIndex(text)
        ln = max(0, min(line - 1, len(li.starts) - 1))
        start = li.line_start(ln) + max(0, col - 1)
        end = max(start, li.line_end(ln))
        start = min(start, end)

        class _At:
            path = self.project.display(abspath)

            @staticmethod
            def position(offset: int):
                return li.position(offset)

        return self.finding(_At, Span(start, end), message, severity=severity, extra=extra, help=help)
