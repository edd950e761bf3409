"""Settings: `.ansopt.yml` / `.ansopt.yaml`, or `[tool.ansopt]` in pyproject.toml.

Looked up from the working directory upwards, stopping at the repository root (the folder
holding `.git`); the first folder with one of these files wins (in that order). `--config
FILE` names the file directly. The data is validated against the JSON Schema shipped in
``ansopt/schema/settings.schema.json`` (generated from the rules' options: run
``python -m ansopt.settings`` after changing them); an error names the file, the line, the
key path, the bad value and what was expected.

Keys (the same in both files; `-` and `_` are interchangeable):

* ``select``: rule codes, code prefixes or slugs to run (default: all rules);
* ``extend-select``: added to the selection; ``ignore``: removed from it;
* ``per-file-ignores``: ``{glob: [codes]}``, globs relative to the settings file's folder;
* ``exclude``: globs (gitignore style) of files and folders never read;
* ``respect-gitignore``: skip what `.gitignore` ignores (default true);
* ``unsafe-fixes``: let ``ansopt fix`` apply unsafe fixes (default false);
* ``rules``: ``{CODE or slug: {option: value}}``, each rule's options (see ``ansopt rule CODE``).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .discover import git_root

SCHEMA_PATH = Path(__file__).parent / "schema" / "settings.schema.json"
FILE_NAMES = (".ansopt.yml", ".ansopt.yaml")


class SettingsError(Exception):
    """A settings file that cannot be used; the message is one line, file and line first."""


@dataclass
class Settings:
    root: str  # the project: where upward searches (ansible.cfg, roles) stop
    source: str | None = None
    base_dir: str | None = None  # what `exclude` and `per-file-ignores` globs are relative to
    select: list[str] | None = None
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    respect_gitignore: bool = True
    unsafe_fixes: bool = False
    rules: dict[str, dict[str, Any]] = field(default_factory=dict)
    # recorded task timings (model.timings): .ansopt/timings.jsonl beside the playbooks read
    # automatically; more files (relative to the settings file); ARA's records; recent runs used
    timings_auto: bool = True
    timings_files: list[str] = field(default_factory=list)
    timings_ara: bool = False
    timings_runs: int = 5

    @property
    def base(self) -> str:
        return self.base_dir or self.root


# --------------------------------------------------------------------------- schema


def build_schema() -> dict[str, Any]:
    """The settings JSON Schema, from the rules' declared options."""
    from .rules import all_rules

    selector = {"type": "string", "pattern": r"^([A-Za-z]\d{0,3}|ALL|all|[a-z][a-z0-9\-]*)$"}
    selectors = {"type": "array", "items": selector, "uniqueItems": True}
    rule_props: dict[str, Any] = {}
    for r in all_rules():
        props = {name: dict(schema, default=default) for name, (default, schema) in r.options.items()}
        sub = {
            "type": "object",
            "description": r.summary,
            "properties": props,
            "additionalProperties": False,
        }
        rule_props[r.code] = sub
        rule_props[r.slug] = {"$ref": f"#/properties/rules/properties/{r.code}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://ansopt.invalid/settings.schema.json",
        "title": "ansopt settings",
        "description": "Settings of ansopt, in .ansopt.yml or [tool.ansopt] of pyproject.toml.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "select": dict(selectors, description="Rules to run: codes, code prefixes or slugs (default: all)."),
            "extend-select": dict(selectors, description="Rules added to the selection."),
            "ignore": dict(selectors, description="Rules removed from the selection."),
            "per-file-ignores": {
                "type": "object",
                "description": "Glob (relative to the settings file) -> rules ignored in matching files.",
                "additionalProperties": selectors,
            },
            "exclude": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Gitignore-style globs of files and folders never read.",
            },
            "respect-gitignore": {"type": "boolean", "description": "Skip what .gitignore ignores."},
            "unsafe-fixes": {"type": "boolean", "description": "Apply unsafe fixes with `ansopt fix`."},
            "timings": {
                "type": "object",
                "description": "Recorded task timings that guide the checks (see `ansopt check --timings`).",
                "additionalProperties": False,
                "properties": {
                    "auto": {
                        "type": "boolean",
                        "default": True,
                        "description": "Read .ansopt/timings.jsonl (the ansopt_timing callback's default output) next to the playbooks.",
                    },
                    "files": {
                        "type": "array",
                        "items": {"type": "string", "minLength": 1},
                        "description": "More timing files (ansopt_timing, ansible.posix json/jsonl), relative to the settings file.",
                    },
                    "ara": {"type": "boolean", "default": False, "description": "Also read the runs ARA recorded."},
                    "runs": {
                        "type": "integer",
                        "minimum": 1,
                        "default": 5,
                        "description": "How many of a task's most recent runs its measured time is the median of.",
                    },
                },
            },
            "rules": {
                "type": "object",
                "description": "Per-rule options, by code or slug.",
                "properties": rule_props,
                "additionalProperties": False,
            },
        },
    }


def write_schema() -> None:
    SCHEMA_PATH.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_PATH.write_text(json.dumps(build_schema(), indent=2, sort_keys=False) + "\n", encoding="utf-8")


def _expected(err) -> str:
    v, val = err.validator, err.validator_value
    if v == "type":
        kinds = val if isinstance(val, list) else [val]
        return "a value of type " + " or ".join(kinds)
    if v == "enum":
        return "one of " + ", ".join(json.dumps(x) for x in val)
    if v == "additionalProperties":
        known = sorted((err.schema.get("properties") or {}).keys())
        return "one of the known keys: " + ", ".join(known) if known else "no other keys"
    if v == "pattern":
        return "a rule code (C101), a code prefix (C) or a slug (pipelining-disabled)"
    if v in ("minimum", "exclusiveMinimum"):
        return f"a number >= {val}"
    if v in ("maximum", "exclusiveMaximum"):
        return f"a number <= {val}"
    if v == "format":
        return "a valid regular expression" if val == "regex" else f"a valid {val}"
    if v == "uniqueItems":
        return "no repeated items"
    if v == "minLength":
        return "a non-empty string"
    return f"{v} {json.dumps(val)}"


def _key_path(path) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (("." if out else "") + str(p))
    return out or "(top level)"


def _line_of(source: str, text: str, path: list[Any]) -> int:
    """Best-effort line of a key path in the settings file (1 when unknown)."""
    try:
        if source.endswith((".yml", ".yaml")):
            from .source.yamlfile import YMap, YSeq, load_text

            f = load_text(source, text)
            node = f.root
            line = 1
            for p in path:
                if isinstance(node, YMap):
                    k = node.key_node(p)
                    if k is None:
                        k = next((kk for kk, _ in node.pairs if str(kk.to_data()).replace("_", "-") == str(p)), None)
                        if k is None:
                            break
                    line = f.position(k.start)[0]
                    node = dict((id(kk), vv) for kk, vv in node.pairs)[id(k)]
                elif isinstance(node, YSeq) and isinstance(p, int) and p < len(node.items):
                    node = node.items[p]
                    line = f.position(node.start)[0]
                else:
                    break
            return line
        lines = text.splitlines()
        start = next((i for i, ln in enumerate(lines) if ln.strip().startswith("[tool.ansopt")), 0)
        keys = [str(p) for p in path if not isinstance(p, int)]
        for key in reversed(keys):
            for i in range(start, len(lines)):
                s = lines[i].strip().strip('"')
                if (
                    s.startswith((key, f'"{key}"', key.replace("-", "_")))
                    or f"[tool.ansopt.{key}]" in lines[i]
                    or f".{key}]" in lines[i]
                ):
                    return i + 1
        return start + 1
    except Exception:
        return 1


def _prune(folder: Path, keep: int = 64) -> None:
    """Keep the newest `keep` validation markers (one per settings version seen)."""
    try:
        markers = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)
    except OSError:
        return
    for old in markers[:-keep] if len(markers) > keep else []:
        try:
            old.unlink()
        except OSError:
            pass


def validate(data: Any, source: str, text: str) -> None:
    """Validate settings data against the shipped schema; raise SettingsError."""
    schema_text = SCHEMA_PATH.read_text(encoding="utf-8")
    digest = hashlib.sha256((schema_text + json.dumps(data, sort_keys=True, default=str)).encode()).hexdigest()[:32]
    from .knowledge import cache_dir

    marker = cache_dir() / "settings-ok" / digest
    if marker.exists():
        return
    _prune(marker.parent)
    import jsonschema

    validator = jsonschema.Draft202012Validator(
        json.loads(schema_text), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    errors = sorted(validator.iter_errors(data), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        err = errors[0]
        for e in errors:  # prefer the most precise error under an additionalProperties failure
            if e.validator != "additionalProperties":
                err = e
                break
        path = list(err.absolute_path)
        if err.validator == "additionalProperties":
            extra = [k for k in err.instance if k not in (err.schema.get("properties") or {})]
            bad = extra[0] if extra else err.instance
            path = path + [bad]
            line = _line_of(source, text, path)
            raise SettingsError(
                f"{source}:{line}: {_key_path(path)}: unknown key {json.dumps(bad)}; expected {_expected(err)}"
            )
        line = _line_of(source, text, path)
        raise SettingsError(
            f"{source}:{line}: {_key_path(path)}: {json.dumps(err.instance, default=str)} is not valid; expected {_expected(err)}"
        )
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
    except OSError:
        pass


# --------------------------------------------------------------------------- loading


def find_settings(cwd: str) -> str | None:
    d = os.path.abspath(cwd)
    while True:
        for name in FILE_NAMES:
            p = os.path.join(d, name)
            if os.path.isfile(p):
                return p
        pp = os.path.join(d, "pyproject.toml")
        if os.path.isfile(pp) and _has_tool_ansopt(pp):
            return pp
        if os.path.exists(os.path.join(d, ".git")):
            return None
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


def _has_tool_ansopt(path: str) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return False
    import re

    return re.search(r"^\s*\[tool\.ansopt[\].]", text, re.MULTILINE) is not None


def _normalize_keys(data: dict[str, Any]) -> dict[str, Any]:
    """Accept `extend_select` for `extend-select`, and `max-forks` for a `max_forks` option."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        nk = k.replace("_", "-") if isinstance(k, str) else k
        if nk == "rules" and isinstance(v, dict):
            v = {
                rk: (
                    {ok.replace("-", "_") if isinstance(ok, str) else ok: ov for ok, ov in rv.items()}
                    if isinstance(rv, dict)
                    else rv
                )
                for rk, rv in v.items()
            }
        out[nk] = v
    return out


def read_file(path: str, shown: str | None = None) -> tuple[dict[str, Any], str]:
    shown = shown or path
    try:
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
    except OSError as e:
        raise SettingsError(f"{shown}:1: cannot read settings: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise SettingsError(f"{shown}:1: settings file is not valid UTF-8") from None
    if path.endswith(".toml"):
        import tomllib

        try:
            doc = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise SettingsError(f"{shown}:{getattr(e, 'lineno', 1) or 1}: not valid TOML: {e}") from None
        data = (doc.get("tool") or {}).get("ansopt")
        if data is None:
            raise SettingsError(f"{shown}:1: no [tool.ansopt] table")
    else:
        from .source.yamlfile import YamlLoadError, load_text

        try:
            yf = load_text(path, text)
        except YamlLoadError as e:
            raise SettingsError(f"{shown}:{e.line}: not valid YAML: {e.message}") from None
        data = yf.data()[0] if yf.docs else {}
        if data is None:
            data = {}
    return data, text


def load(cwd: str, config_file: str | None = None) -> Settings:
    path: str | None
    if config_file:
        path = os.path.abspath(os.path.join(cwd, config_file))
        if not os.path.isfile(path):
            raise SettingsError(f"{config_file}:1: settings file not found")
    else:
        path = find_settings(cwd)
    if path is None:
        return Settings(root=git_root(cwd) or os.path.abspath(cwd))
    shown = os.path.relpath(path, cwd) if not os.path.relpath(path, cwd).startswith("..") else path
    data, text = read_file(path, shown)
    if not isinstance(data, dict):
        raise SettingsError(f"{shown}:1: settings must be a mapping of keys, not {type(data).__name__}")
    data = _normalize_keys(data)
    validate(data, shown, text)
    from .selection import by_code_or_slug, is_selector

    for key in ("select", "extend-select", "ignore"):
        for sel in data.get(key, []) or []:
            if not is_selector(sel):
                line = _line_of(shown, text, [key])
                raise SettingsError(
                    f"{shown}:{line}: {key}: {json.dumps(sel)} names no rule; expected a code, prefix or slug from `ansopt rules`"
                )
    for glob, sels in (data.get("per-file-ignores") or {}).items():
        for sel in sels:
            if not is_selector(sel):
                line = _line_of(shown, text, ["per-file-ignores", glob])
                raise SettingsError(f"{shown}:{line}: per-file-ignores.{glob}: {json.dumps(sel)} names no rule")
    rules_opts: dict[str, dict[str, Any]] = {}
    for name, opts in (data.get("rules") or {}).items():
        r = by_code_or_slug(name)
        if r is None:  # the schema only allows known codes and slugs
            continue
        rules_opts.setdefault(r.code, {}).update(opts or {})
    timings = data.get("timings") or {}
    # A settings file found by looking upwards describes its folder; one named with --config
    # (say ci/ansopt.yml) describes the repository the command runs in.
    base = os.path.dirname(path) if not config_file else (git_root(cwd) or os.path.abspath(cwd))
    return Settings(
        root=base,
        base_dir=base,
        source=path,
        select=data.get("select"),
        extend_select=list(data.get("extend-select") or []),
        ignore=list(data.get("ignore") or []),
        per_file_ignores={k: list(v) for k, v in (data.get("per-file-ignores") or {}).items()},
        exclude=list(data.get("exclude") or []),
        respect_gitignore=bool(data.get("respect-gitignore", True)),
        unsafe_fixes=bool(data.get("unsafe-fixes", False)),
        rules=rules_opts,
        timings_auto=bool(timings.get("auto", True)),
        timings_files=[os.path.normpath(os.path.join(os.path.dirname(path), f)) for f in timings.get("files") or []],
        timings_ara=bool(timings.get("ara", False)),
        timings_runs=int(timings.get("runs", 5)),
    )


if __name__ == "__main__":  # pragma: no cover
    write_schema()
    print(f"wrote {SCHEMA_PATH}")
