"""YAML 1.1 scalars as Ansible reads them.

Implicit resolution exactly as PyYAML (Ansible's loader) does it: the same regular expressions,
tried in the same order for each first character (yaml/resolver.py), and the same constructors
(yaml/constructor.py, SafeConstructor) for bool, int, float and null. Timestamps, rare in
Ansible content, are built by PyYAML itself (imported only then). tests/test_yamlfile.py checks
this against PyYAML on the corpus and on generated scalars.
"""

from __future__ import annotations

import re
from typing import Any

STR_TAG = "tag:yaml.org,2002:str"

_BOOL = re.compile(
    r"""^(?:yes|Yes|YES|no|No|NO
                    |true|True|TRUE|false|False|FALSE
                    |on|On|ON|off|Off|OFF)$""",
    re.X,
)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
                    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
                    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
                    |[-+]?\.(?:inf|Inf|INF)
                    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
                    |[-+]?0[0-7_]+
                    |[-+]?(?:0|[1-9][0-9_]*)
                    |[-+]?0x[0-9a-fA-F_]+
                    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
    re.X,
)
_MERGE = re.compile(r"^(?:<<)$")
_NULL = re.compile(
    r"""^(?: ~
                    |null|Null|NULL
                    | )$""",
    re.X,
)
_TIMESTAMP = re.compile(
    r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
                    |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
                     (?:[Tt]|[ \t]+)[0-9][0-9]?
                     :[0-9][0-9] :[0-9][0-9] (?:\.[0-9]*)?
                     (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
    re.X,
)
_VALUE = re.compile(r"^(?:=)$")

_P = "tag:yaml.org,2002:"
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _rx, _first in (
    ("bool", _BOOL, "yYnNtTfFoO"),
    ("float", _FLOAT, "-+0123456789."),
    ("int", _INT, "-+0123456789"),
    ("merge", _MERGE, "<"),
    ("null", _NULL, "~nN"),
    ("timestamp", _TIMESTAMP, "0123456789"),
    ("value", _VALUE, "="),
):
    for _c in _first:
        _RESOLVERS.setdefault(_c, []).append((_P + _tag, _rx))
_RESOLVERS[""] = [(_P + "null", _NULL)]

_BOOL_VALUES = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
_INF = float("inf")


def resolve_plain(value: str) -> str:
    """The tag PyYAML's Resolver gives a plain scalar."""
    for tag, rx in _RESOLVERS.get(value[:1], ()):
        if rx.match(value):
            return tag
    return STR_TAG


def _construct_int(value: str) -> int:
    value = value.replace("_", "")
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value[0] == "0":
        return sign * int(value, 8)
    if ":" in value:
        total, base = 0, 1
        for digit in reversed([int(p) for p in value.split(":")]):
            total += digit * base
            base *= 60
        return sign * total
    return sign * int(value)


def _construct_float(value: str) -> float:
    value = value.replace("_", "").lower()
    sign = -1 if value[0] == "-" else 1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * _INF
    if value == ".nan":
        return -_INF / _INF  # PyYAML's quiet NaN
    if ":" in value:
        total, base = 0.0, 1
        for digit in reversed([float(p) for p in value.split(":")]):
            total += digit * base
            base *= 60
        return sign * total
    return sign * float(value)


def _construct_with_pyyaml(tag: str, value: str) -> Any:
    import yaml.constructor
    import yaml.nodes

    return yaml.constructor.SafeConstructor().construct_object(yaml.nodes.ScalarNode(tag, value))


_SIMPLE_STR = re.compile(r"[A-Za-z_/][A-Za-z0-9_./\- ]*\Z")
_YAML11_WORDS = frozenset(
    "yes Yes YES no No NO true True TRUE false False FALSE on On ON off Off OFF null Null NULL".split()
)


def scalar_value(value: str, tag: str | None, plain: bool) -> tuple[Any, str | None]:
    """Return (python value, resolved tag) for a scalar event."""
    if tag is None or tag == "!":
        if not plain or tag == "!":
            return value, STR_TAG
        # Fast path: most plain scalars in Ansible files are words and paths.
        if _SIMPLE_STR.match(value) and value not in _YAML11_WORDS:
            return value, STR_TAG
        tag = resolve_plain(value)
    if tag.startswith(_P):
        kind = tag[len(_P) :]
        try:
            if kind == "str":
                return value, tag
            if kind == "bool":
                return _BOOL_VALUES[value.lower()], tag
            if kind == "int":
                return _construct_int(value), tag
            if kind == "float":
                return _construct_float(value), tag
            if kind == "null":
                return None, tag
            if kind in ("timestamp", "binary"):
                return _construct_with_pyyaml(tag, value), tag
        except Exception:
            return value, tag
        return value, tag  # merge, value, yaml...: keep the text
    # `!vault`, `!unsafe` and any unknown tag: the text, as a string.
    return value, tag
