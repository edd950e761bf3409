"""Property tests for the fix machinery (hypothesis).

* any set of non-overlapping edits leaves every byte outside them in place, and the
  check notices a byte that moved;
* edit builders on generated YAML (comments, both indent widths, CRLF, quoting styles)
  give text that re-parses to exactly the intended data;
* the package-loop fix on generated playbooks verifies, leaves no fixable finding behind and
  is idempotent (a second run changes nothing).
"""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ansopt.diagnostics import Edit, Span
from ansopt.fixers import yaml_edits
from ansopt.fixers.verify import apply_changes, apply_edits, outside_unchanged, same_data, verify
from ansopt.source.yamlfile import YMap, load_text

from .conftest import run_engine, write_tree

SETTINGS = settings(
    max_examples=int(os.environ.get("ANSOPT_HYPOTHESIS_EXAMPLES", 60)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@st.composite
def text_and_edits(draw):
    text = draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
    n = draw(st.integers(0, 5))
    points = sorted(draw(st.lists(st.integers(0, len(text)), min_size=2 * n, max_size=2 * n)))
    edits = []
    for i in range(0, len(points), 2):
        s, e = points[i], points[i + 1]
        if edits and edits[-1].span.end >= s:
            continue
        edits.append(Edit(Span(s, e), draw(st.text(max_size=10))))
    return text, edits


@SETTINGS
@given(text_and_edits())
def test_outside_bytes_are_kept(te):
    text, edits = te
    new = apply_edits(text, edits)
    assert outside_unchanged(text, new, edits)
    # a byte changed outside every edit is noticed
    free = [
        i
        for i in range(len(text))
        if not any(e.span.start <= i < e.span.end for e in edits) and not any(e.span.start == i for e in edits)
    ]
    if free and edits:
        i = free[0]
        shift = sum(len(e.replacement) - (e.span.end - e.span.start) for e in edits if e.span.end <= i)
        j = i + shift
        tampered = new[:j] + ("a" if new[j] != "a" else "b") + new[j + 1 :]
        assert not outside_unchanged(text, tampered, edits)


# --------------------------------------------------------------------------- generated YAML

keys = st.sampled_from(["name", "state", "when", "tags", "port", "path", "mode", "items", "vars", "enabled"])
scalars = st.one_of(
    st.sampled_from(
        [
            "present",
            "yes",
            "no",
            "0644",
            "{{ x }}",
            "a: b",
            "# not a comment",
            "",
            "on",
            "1.5",
            "null",
            "it's",
            'say "hi"',
            "~",
            "- dash",
        ]
    ),
    st.integers(-1000, 1000),
    st.booleans(),
    st.none(),
    st.text(alphabet="abcxyz _-./:#'\"{}", max_size=12),
)


def render_scalar(v, style):
    if isinstance(v, str) and style == "'":
        return "'" + v.replace("'", "''") + "'"
    return yaml_edits.scalar_text(v, '"')


@st.composite
def mapping_text(draw, indent_unit, depth=0):
    n = draw(st.integers(1, 4))
    used = draw(st.lists(keys, min_size=n, max_size=n, unique=True))
    lines = []
    pad = " " * (indent_unit * depth)
    for k in used:
        if draw(st.booleans()):
            lines.append(f"{pad}# about {k}")
        kind = draw(st.sampled_from(["scalar", "scalar", "seq", "map"] if depth < 2 else ["scalar"]))
        if kind == "scalar":
            v = draw(scalars)
            style = draw(st.sampled_from(["", "'"]))
            comment = draw(st.sampled_from(["", "  # note"]))
            lines.append(f"{pad}{k}: {render_scalar(v, style)}{comment}")
        elif kind == "seq":
            items = draw(st.lists(scalars, min_size=1, max_size=3))
            dash_pad = pad + (" " * indent_unit if draw(st.booleans()) else "")
            lines.append(f"{pad}{k}:")
            for it in items:
                lines.append(f"{dash_pad}- {render_scalar(it, '')}")
                if draw(st.booleans()):
                    lines.append(f"{dash_pad}# between items")
        else:
            lines.append(f"{pad}{k}:")
            lines.extend(draw(mapping_text(indent_unit, depth + 1)))
    return lines


@st.composite
def yaml_doc(draw):
    unit = draw(st.sampled_from([2, 4]))
    lines = draw(mapping_text(unit))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    trailer = draw(st.sampled_from(["", nl, nl + "# end" + nl]))
    return nl.join(lines) + (nl if trailer == "" else trailer)


def _maps(f):
    return [n for n in f.root.walk() if isinstance(n, YMap) and not n.flow]


@SETTINGS
@given(yaml_doc(), st.data())
def test_edit_builders_give_exactly_the_intended_data(text, data):
    try:
        f = load_text("t.yml", text)
    except Exception:
        assume(False)
    maps = _maps(f)
    assume(maps)
    m = data.draw(st.sampled_from(maps))
    key = data.draw(st.sampled_from(m.keys()))
    op = data.draw(st.sampled_from(["replace", "delete", "insert"]))
    value = data.draw(scalars)
    path = yaml_edits.data_path(f, m)
    if op == "replace":
        e = yaml_edits.replace_value(f, m, key, yaml_edits.scalar_text(value, yaml_edits.quote_char(f)))
        changes = [yaml_edits.set_changes(f, m.get(key), value)]
    elif op == "delete":
        e = yaml_edits.delete_key(f, m, key)
        changes = [yaml_edits.delete_change(f, m, key)]
    else:
        new_key = "inserted_key"
        assume(new_key not in m)
        e = yaml_edits.insert_key(f, m, new_key, yaml_edits.scalar_text(value), after=key)
        from ansopt.diagnostics import Change

        changes = [Change("set", (*path, new_key), value)]
    if e is None:
        return  # the builder declined: nothing to check
    new = apply_edits(text, [e])
    problem = verify("t.yml", text, new, [e], changes)
    assert problem is None, (problem, text, new)
    assert same_data(load_text("t.yml", new).data(), apply_changes(f.data(), changes))
    if op == "replace":  # setting the same value again changes nothing
        f2 = load_text("t.yml", new)
        m2 = next(n for n in _maps(f2) if yaml_edits.data_path(f2, n) == path)
        e2 = yaml_edits.replace_value(f2, m2, key, yaml_edits.scalar_text(value, yaml_edits.quote_char(f)))
        assert apply_edits(new, [e2]) == new


# --------------------------------------------------------------------------- package loops

pkg_modules = st.sampled_from(
    ["apt", "ansible.builtin.apt", "yum", "ansible.builtin.dnf", "package", "pip", "community.general.pacman"]
)
pkg_names = st.lists(
    st.sampled_from(["git", "curl", "vim", "nginx", "python3-pip", "htop", "jq"]), min_size=1, max_size=4, unique=True
)


@st.composite
def playbook(draw):
    unit = draw(st.sampled_from([2, 4]))
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    dash = "  " + " " * draw(st.sampled_from([0, unit]))
    lines = ["---", "- hosts: all", "  tasks:"]
    n = draw(st.integers(1, 3))
    for t in range(n):
        mod = draw(pkg_modules)
        pk = draw(pkg_names)
        loop_key = draw(st.sampled_from(["loop", "with_items", "with_list"]))
        lines.append(f"{dash}- name: task {t}")
        base = dash + "  "
        style = draw(st.sampled_from(["map", "map", "free"]))
        if draw(st.booleans()):
            lines.append(f"{base}# the packages")
        if style == "map":
            lines.append(f"{base}{mod}:")
            q = draw(st.sampled_from(['"{{ item }}"', "'{{ item }}'", '"{{item}}"']))
            lines.append(f"{base}{' ' * unit}name: {q}")
            if draw(st.booleans()):
                lines.append(f"{base}{' ' * unit}state: present")
        else:
            lines.append(f"{base}{mod}: name={{{{ item }}}} state=latest")
        loop_form = draw(st.sampled_from(["block", "indentless", "flow", "expr"]))
        if loop_form == "block":
            lines.append(f"{base}{loop_key}:")
            for p in pk:
                lines.append(f"{base}{' ' * unit}- {p}" + draw(st.sampled_from(["", "  # why"])))
        elif loop_form == "indentless":
            lines.append(f"{base}{loop_key}:")
            for p in pk:
                lines.append(f"{base}- {p}")
        elif loop_form == "flow":
            lines.append(f"{base}{loop_key}: [{', '.join(pk)}]")
        else:
            lines.append(f'{base}{loop_key}: "{{{{ packages_{t} }}}}"')
        if draw(st.booleans()):
            lines.append(f"{base}become: true")
    return nl.join(lines) + nl


@settings(
    max_examples=int(os.environ.get("ANSOPT_HYPOTHESIS_EXAMPLES", 40)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(playbook())
def test_package_loop_fix_verifies_and_is_idempotent(tmp_path_factory, text):
    d = tmp_path_factory.mktemp("pb")
    write_tree(d, {"site.yml": text})
    before = run_engine(d, select=["P101"])
    assert before.parse_errors == 0
    res = run_engine(d, select=["P101"], fix=True)
    assert not res.failed, [f.message for f in res.failed]
    fixable = [f for f in before.findings if f.fix is not None]
    if fixable:
        assert res.changed
    for abspath, (_, _old, new) in res.changed.items():
        load_text("site.yml", new)  # re-parses
        with open(abspath, "w", encoding="utf-8", newline="") as fh:
            fh.write(new)
    after = run_engine(d, select=["P101"])
    assert not [f for f in after.findings if f.fix is not None]
    again = run_engine(d, select=["P101"], fix=True)
    assert not again.changed
    shutil.rmtree(d)


def test_edit_and_fix_constructors():
    """The named constructors build what their names say; a Fix refuses edits that overlap."""
    from ansopt.diagnostics import Change, Edit, Fix, Span

    assert Edit.insertion(3, "x") == Edit(Span(3, 3), "x")
    assert Edit.deletion(Span(1, 4)) == Edit(Span(1, 4), "")
    assert Edit.range_replacement(Span(1, 4), "y", path="a.cfg") == Edit(Span(1, 4), "y", "a.cfg")
    fix = Fix.safe([Edit.insertion(0, "a"), Edit.range_replacement(Span(2, 3), "b")], "d", [Change("set", (0, "k"), 1)])
    assert fix.safety == "safe"
    assert Fix.unsafe([Edit.deletion(Span(0, 1))], "d", []).safety == "unsafe"
    with pytest.raises(ValueError):
        Fix.safe([Edit.deletion(Span(0, 3)), Edit.range_replacement(Span(2, 5), "z")], "d", [])
