"""Command line: `ansopt check`, `ansopt fix`, `ansopt rules`, `ansopt rule CODE`.

Exit codes: 0 clean, 1 findings remain, 2 usage, settings or parse error.
"""

from __future__ import annotations

import difflib
import os
import sys

import click

from . import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for v in values:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


def _use_color(stream, output: str | None) -> bool:
    if output or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


def _fail(message: str) -> None:
    click.echo(f"ansopt: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _load_settings(config: str | None):
    from .settings import SettingsError, load

    try:
        return load(os.getcwd(), config)
    except SettingsError as e:
        _fail(str(e))


def _check_selectors(*groups: list[str]) -> None:
    from .selection import is_selector

    for group in groups:
        for s in group:
            if not is_selector(s):
                raise click.UsageError(f"{s!r} names no rule (see `ansopt rules`)")


def _engine(paths, config, select, ignore, extend_select, timings=(), no_timings=False, ara=False):
    from . import knowledge
    from .engine import Engine

    try:
        knowledge.get()
    except knowledge.KnowledgeError as e:
        _fail(str(e))

    settings = _load_settings(config)
    sel, ign, ext = _split(select), _split(ignore), _split(extend_select)
    _check_selectors(sel, ign, ext)
    for p in paths:
        if not os.path.exists(p) and not os.path.islink(p):
            raise click.UsageError(f"path does not exist: {p}")
    from .source.timings import TimingsError

    try:
        engine = Engine(
            settings,
            list(paths) or ["."],
            select=sel or None,
            ignore=ign,
            extend_select=ext,
            timings=list(timings),
            use_timings=not no_timings,
            ara=ara,
        )
    except TimingsError as e:
        _fail(str(e))
    return engine, settings


def _report(
    fmt, findings, files_checked, output, statistics, unsafe=False, stream=None, after_fix="", show_fixes=False
):
    from .report import ReportContext, render
    from .rules import all_rules

    stream = stream or sys.stdout
    ctx = ReportContext(
        rules=all_rules(),
        cwd=os.getcwd(),
        version=__version__,
        files_checked=files_checked,
        statistics=statistics,
        color=_use_color(stream, output) and fmt == "text",
        unsafe_fixes=unsafe,
        after_fix=after_fix,
        show_fixes=show_fixes,
    )
    text = render(fmt, findings, ctx)
    if output:
        try:
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(text)
        except OSError as e:
            _fail(f"cannot write {output}: {e.strerror or e}")
    else:
        stream.write(text)
        stream.flush()
    return text


_common = [
    click.option(
        "--select", multiple=True, metavar="RULES", help="Only these rules (codes, prefixes or slugs; comma-separated)."
    ),
    click.option("--ignore", multiple=True, metavar="RULES", help="Skip these rules."),
    click.option("--extend-select", multiple=True, metavar="RULES", help="Add rules to the selection."),
    click.option(
        "--config",
        type=click.Path(dir_okay=False),
        metavar="FILE",
        help="Settings file (.ansopt.yml or pyproject.toml).",
    ),
    click.option(
        "--timings",
        multiple=True,
        type=click.Path(dir_okay=False, exists=True),
        metavar="FILE",
        help="Recorded task timings (ansopt_timing, ansible.posix json/jsonl) that guide the checks; "
        ".ansopt/timings.jsonl beside the playbooks is read without it.",
    ),
    click.option("--no-timings", is_flag=True, help="Read no recorded timings, not even .ansopt/timings.jsonl."),
    click.option("--ara", is_flag=True, help="Also use the task timings ARA recorded."),
]


def common(f):
    for opt in reversed(_common):
        f = opt(f)
    return f


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="ansopt")
def main() -> None:
    """ansopt: a fast linter and auto-optimizer for Ansible performance."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github", "codeclimate", "junit"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.option("--statistics", is_flag=True, help="Show a count of findings per rule.")
@click.option(
    "--show-fixes", is_flag=True, help="Text format: print what to do (help) and the fix offered under each finding."
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (not for parse errors).")
@click.option("--no-cache", is_flag=True, help="Check again even when nothing changed since the last same check.")
@common
def check(
    paths,
    fmt,
    output,
    statistics,
    show_fixes,
    exit_zero,
    no_cache,
    select,
    ignore,
    extend_select,
    config,
    timings,
    no_timings,
    ara,
):
    """Report performance problems in ansible.cfg, playbooks, roles and inventories."""
    command = {
        "paths": list(paths),
        "format": fmt,
        "output": output,
        "statistics": statistics,
        "show_fixes": show_fixes,
        "exit_zero": exit_zero,
        "select": list(select),
        "ignore": list(ignore),
        "extend_select": list(extend_select),
        "config": config,
        "timings": list(timings),
        "no_timings": no_timings,
        "color": _use_color(sys.stdout, output) and fmt == "text",
    }
    cache = None if no_cache or ara else _check_cache(command, paths, config)
    if cache is not None:
        hit = cache.lookup()
        if hit is not None:
            _replay(hit)
        before = cache.begin()
    engine, settings = _engine(paths, config, select, ignore, extend_select, timings, no_timings, ara)
    result = engine.check(build_fixes=fmt != "text")
    notes = [_nothing_to_check(engine, settings), _archived_note(engine)]
    text = _report(fmt, result.findings, len(result.files), output, statistics, show_fixes=show_fixes)
    err = "".join(n + "\n" for n in notes if n)
    if err:
        click.echo(err, err=True, nl=False)
    code = EXIT_CLEAN
    if result.parse_errors or result.internal_errors:
        code = EXIT_ERROR
    elif result.findings and not exit_zero:
        code = EXIT_FINDINGS
    if cache is not None and not result.internal_errors:
        from .source.reader import Reader

        outside = [p for p in Reader.touched if not any(p == r or p.startswith(r + os.sep) for r in cache.entry.roots)]
        cache.store(before, outside + engine.timing_files, text, err, code, output)
    sys.exit(code)


def _check_cache(command: dict, paths, config):
    """The result cache for this check: its trees are the project (the settings' folder, else
    the repository top, else the working folder) and the checked paths."""
    from .cache import CheckCache
    from .discover import git_root
    from .settings import find_settings

    cwd = os.getcwd()
    found = None if config else find_settings(cwd)
    root = os.path.dirname(found) if found else (git_root(cwd) or cwd)
    roots = [os.path.abspath(root)] + [os.path.abspath(p) for p in (paths or ["."])]
    return CheckCache(command, roots)


def _replay(hit: dict) -> None:
    """Print a stored report (or write it to its file) and exit with its code."""
    if hit.get("output_file"):
        try:
            with open(hit["output_file"], "w", encoding="utf-8", newline="") as f:
                f.write(hit["out"])
        except OSError as e:
            _fail(f"cannot write {hit['output_file']}: {e.strerror or e}")
    else:
        sys.stdout.write(hit["out"])
        sys.stdout.flush()
    if hit.get("err"):
        click.echo(hit["err"], err=True, nl=False)
    sys.exit(int(hit["code"]))


def _archived_note(engine) -> str:
    if not engine.archived:
        return ""
    readme = os.path.relpath(engine.archived, engine.cwd)
    return f"ansopt: note: {readme} says this project is no longer maintained: its findings are not reported"


def _nothing_to_check(engine, settings) -> str:
    if engine.files:
        return ""
    where = f" (excludes of {os.path.relpath(settings.source)} apply)" if settings.source and settings.exclude else ""
    return f"ansopt: warning: no Ansible file to check under {', '.join(engine.paths)}{where}"


def _note_archived(engine) -> None:
    if engine.archived:
        click.echo(_archived_note(engine), err=True)


def _warn_if_nothing(engine, settings) -> None:
    note = _nothing_to_check(engine, settings)
    if note:
        click.echo(note, err=True)


def unified_diff(display: str, old: str, new: str, created: bool) -> str:
    a = old.splitlines(keepends=True)
    b = new.splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, "/dev/null" if created else f"a/{display}", f"b/{display}")
    out = []
    for ln in lines:
        if not ln.endswith(("\n", "\r")):
            ln += "\n\\ No newline at end of file\n"
        out.append(ln)
    return "".join(out)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--write", "-w", is_flag=True, help="Write the fixes (default: print a diff, write nothing).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that may change behaviour.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github", "codeclimate", "junit"]),
    default="text",
    show_default=True,
    help="Format of the findings that remain.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain.")
@common
def fix(paths, write, unsafe_fixes, fmt, exit_zero, select, ignore, extend_select, config, timings, no_timings, ara):
    """Apply fixes: print a unified diff, or rewrite files in place with --write."""
    from .fixers.write import write_atomic

    engine, settings = _engine(paths, config, select, ignore, extend_select, timings, no_timings, ara)
    _warn_if_nothing(engine, settings)
    unsafe = unsafe_fixes or settings.unsafe_fixes
    result = engine.fix(unsafe=unsafe)
    write_errors = 0
    if write:
        written, fixed = 0, 0
        for abspath, (display, _old, new) in sorted(result.changed.items()):
            try:
                write_atomic(abspath, new)
                written += 1
                fixed += result.applied_in.get(abspath, 0)
            except OSError as e:  # this file stays as it was; the others are still written
                write_errors += 1
                click.echo(f"ansopt: error: {display}: not written: {e.strerror or e}", err=True)
        if written:
            click.echo(
                f"Fixed {fixed} finding{'s' if fixed != 1 else ''} in {written} file{'s' if written != 1 else ''}.",
                err=True,
            )
        findings = result.findings
        if write_errors:  # what is on disk now, not what the fixes would have left
            findings = engine.check().findings
        _report(fmt, findings, len(result.files), None, False, unsafe, after_fix="" if write_errors else "did")
    else:
        for abspath, (display, old, new) in sorted(result.changed.items()):
            sys.stdout.write(unified_diff(display, old, new, abspath in result.created))
        sys.stdout.flush()
        n = len(result.changed)
        if n:
            click.echo(
                f"Would fix {result.applied} finding{'s' if result.applied != 1 else ''} in {n} file{'s' if n != 1 else ''} (run with --write to apply).",
                err=True,
            )
        _report(fmt, result.findings, len(result.files), None, False, unsafe, stream=sys.stderr, after_fix="would")
    _note_archived(engine)
    if not result.converged:
        click.echo(
            f"ansopt: warning: fixes did not settle after {result.rounds} rounds; run `ansopt fix` again", err=True
        )
    if result.parse_errors or result.internal_errors or write_errors:
        sys.exit(EXIT_ERROR)
    if exit_zero:
        sys.exit(EXIT_CLEAN)
    if result.findings or (not write and result.changed):
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules_cmd(fmt):
    """List every rule: code, slug, fix availability and safety."""
    import json

    from .rules import all_rules

    rules = all_rules()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "slug": r.slug,
                        "severity": r.severity,
                        "fix": r.fix,
                        "default": r.default,
                        "summary": r.summary,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return
    click.echo(f"{'CODE':<6}{'SLUG':<32}{'FIX':<8}{'DEFAULT':<9}SUMMARY")
    for r in rules:
        click.echo(f"{r.code:<6}{r.slug:<32}{(r.fix or '-'):<8}{('yes' if r.default else 'opt-in'):<9}{r.summary}")
    click.echo("")
    click.echo("opt-in rules run when selected: --extend-select CODE, or --select ALL")


@main.command("rule")
@click.argument("name")
def rule_cmd(name):
    """Show a rule's documentation (by code or slug)."""
    import inspect

    from .selection import by_code_or_slug

    r = by_code_or_slug(name)
    if r is None:
        raise click.UsageError(f"no rule {name!r} (see `ansopt rules`)")
    click.echo(
        f"{r.code} [{r.slug}]  severity: {r.severity}  fix: {r.fix or 'none'}  default: {'yes' if r.default else 'no (opt-in)'}"
    )
    click.echo("")
    click.echo(inspect.cleandoc(r.doc))
    from .knowledge.measured import quote

    measured = quote(r.code)
    if measured:
        click.echo("")
        click.echo("Measured on the testbed")
        for line in measured:
            click.echo(f"    {line}")
    if r.options:
        click.echo("")
        click.echo(f"Options (in settings: rules: {{{r.code}: {{...}}}}):")
        for opt, (default, schema) in r.options.items():
            desc = schema.get("description", "")
            click.echo(f"  {opt} (default {default!r}): {desc}")


@main.command("callback-path")
def callback_path_cmd():
    """Print the folder holding ansopt's timing callback (for callback_plugins in ansible.cfg)."""
    from .ansible_plugins import CALLBACK_DIR

    click.echo(str(CALLBACK_DIR))


@main.command("lint-rules-path")
def lint_rules_path_cmd():
    """Print the folder of ansopt's ansible-lint rule (for `ansible-lint -r`, or `rulesdir:`)."""
    from .lint_plugin import rules_path

    click.echo(rules_path())


def _timings(files: list[str], ara: bool, ara_playbooks: int = 20, ara_path: str | None = None):
    from .model.timings import load
    from .source.timings import TimingsError

    try:
        return load(files, ara=ara, ara_playbooks=ara_playbooks, ara_path=ara_path)
    except TimingsError as e:
        _fail(str(e))


@main.command("profile")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--ara", is_flag=True, help="Also read the runs ARA recorded (its local database, or ARA_API_SERVER).")
@click.option(
    "--ara-playbooks",
    type=click.IntRange(1),
    default=20,
    show_default=True,
    help="How many of ARA's latest playbook runs to read.",
)
@click.option("--playbook", metavar="PATH", help="Only runs of playbooks whose path ends with PATH.")
@click.option("--top", type=click.IntRange(1), default=15, show_default=True, help="Rows per table.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--html",
    "html_out",
    type=click.Path(dir_okay=False),
    help="Also write one self-contained HTML page with a per-host timeline.",
)
def profile_cmd(files, ara, ara_playbooks, playbook, top, fmt, html_out):
    """Show where the time of recorded runs went: slowest tasks, plays, roles, actions,
    fact gathering per host, and the last two runs compared.

    FILES: ansopt_timing JSON lines (default .ansopt/timings.jsonl here) or the output of
    ansible.posix's json or jsonl callback."""
    from .model.timings import profile
    from .report.profile_report import render_html, render_text, to_json

    paths = list(files)
    if not paths and not ara:
        default = os.path.join(".ansopt", "timings.jsonl")
        if not os.path.isfile(default):
            _fail(
                f"{default}:1: no timing file here; name one, or record runs with the ansopt_timing callback "
                "(`ansopt callback-path`), or read ARA's with --ara"
            )
        paths = [default]
    data = _timings(paths, ara, ara_playbooks, playbook if ara else None)
    prof = profile(data, playbook=playbook)
    cwd = os.getcwd()
    if html_out:
        try:
            with open(html_out, "w", encoding="utf-8") as f:
                f.write(render_html(prof, cwd, top=max(top, 30)))
        except OSError as e:
            _fail(f"cannot write {html_out}: {e.strerror or e}")
    if fmt == "json":
        sys.stdout.write(to_json(prof))
        return
    enc = (getattr(sys.stdout, "encoding", None) or "").lower()
    fill = "█" if enc.replace("-", "").startswith("utf") else "#"
    sys.stdout.write(render_text(prof, cwd, top=top, color=_use_color(sys.stdout, None), fill=fill))


if __name__ == "__main__":  # pragma: no cover
    main()
