"""Host patterns of plays (``web:&prod``, ``~regex``, ``g[1:3]``): splitting, ordering,
subscripts, the match regex. `Inventory.resolve_pattern` applies them."""

from __future__ import annotations

import fnmatch
import re

from .hosts import parse_address

_SUBSCRIPT_RX = re.compile(r"^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$")
_SEP_SPLIT_RX = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")


def _has_jinja(s: str) -> bool:
    return "{{" in s or "{%" in s


def split_host_pattern(pattern: str) -> list[str]:
    """ansible-core's split_host_pattern: commas separate; without commas, a single host
    address (``host:22``, an IPv6 address, ``web[1:3]``) stays whole, else ``:`` separates."""
    if "," in pattern:
        parts = pattern.split(",")
    else:
        try:
            parse_address(pattern)
            parts = [pattern]
        except ValueError:
            parts = _SEP_SPLIT_RX.findall(pattern)
    return [p.strip() for p in parts if p.strip()]


def order_patterns(patterns: list[str]) -> list[str]:
    regular = [p for p in patterns if p and p[0] not in "!&"]
    inter = [p for p in patterns if p and p[0] == "&"]
    excl = [p for p in patterns if p and p[0] == "!"]
    if not regular:
        regular = ["all"]
    return regular + inter + excl


def _split_subscript(pattern: str) -> tuple[str, tuple[int, int | None] | None]:
    if pattern[0] == "~":
        return pattern, None
    m = _SUBSCRIPT_RX.match(pattern)
    if not m:
        return pattern, None
    expr, idx, start, _sep, end = m.groups()
    if idx:
        return expr, (int(idx), None)
    return expr, (int(start), int(end) if end else -1)


def _pattern_regex(pattern: str, errors: list[str]) -> re.Pattern[str] | None:
    try:
        if pattern[0] == "~":
            return re.compile(pattern[1:])
        return re.compile(fnmatch.translate(pattern))
    except re.error:
        errors.append(f"Invalid host list pattern: {pattern}")
        return None
