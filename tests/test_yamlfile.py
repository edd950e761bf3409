"""The span-exact loader: spans, YAML 1.1 meaning, tags, aliases, errors, odd files."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ansopt.source.yamlfile import YAlias, YamlLoadError, YMap, YScalar, YSeq, decode, load_text

from .conftest import corpus_or_skip


def spans(text):
    f = load_text("t.yml", text)
    return f, {(k.value if isinstance(k, YScalar) else None): text[v.start : v.end] for k, v in f.root.pairs}


def test_scalar_and_block_spans_exclude_trailing_comments():
    text = "a: 1  # one\nb:\n  - x\n  - y\n  # trailing\n\nc: |\n  line\n\n# after\nd: {k: v}\n"
    f, s = spans(text)
    assert s["a"] == "1"
    assert s["b"] == "- x\n  - y"
    assert s["c"] == "|\n  line"
    assert s["d"] == "{k: v}"
    assert text[f.root.start : f.root.end].endswith("{k: v}")


def test_yaml11_meaning_as_ansible():
    f = load_text(
        "t.yml", "a: yes\nb: 0644\nc: y\nd: on\ne: 1_000\nf: 0x1F\ng: ~\nh: '0644'\ni: 1:30\nj: .inf\nk: 2024-01-02\n"
    )
    d = f.data()[0]
    assert d["a"] is True and d["d"] is True
    assert d["b"] == 420 and d["e"] == 1000 and d["f"] == 31
    assert d["c"] == "y" and d["h"] == "0644"
    assert d["g"] is None and d["i"] == 90 and math.isinf(d["j"])
    assert str(d["k"]) == "2024-01-02"


def test_same_data_as_pyyaml_on_corpus():
    """Our composer gives PyYAML's (Ansible's loader's) data for every corpus file."""
    corpus = corpus_or_skip()

    class L(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    L.add_multi_constructor(
        "!", lambda loader, suffix, node: loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode) else None
    )
    checked = 0
    for p in sorted(corpus.rglob("*")):
        if p.suffix not in (".yml", ".yaml") or not p.is_file():
            continue
        raw = p.read_bytes()
        try:
            expected = list(yaml.load_all(raw, Loader=L))
        except yaml.YAMLError:
            with pytest.raises(YamlLoadError):
                load_text(str(p), decode(raw))
            continue
        got = load_text(str(p), decode(raw)).data()
        assert got == expected, p
        checked += 1
    assert checked > 1000


def test_tags_aliases_and_merge_keys():
    text = "base: &b {x: 1}\nsecret: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nraw: !unsafe '{{ x }}'\nother: !custom 3\nt:\n  <<: *b\n  y: *b\n"
    f = load_text("t.yml", text)
    root = f.root
    assert root.get("secret").tag == "!vault" and root.get("secret").value.startswith("$ANSIBLE_VAULT")
    assert root.get("raw").value == "{{ x }}"
    alias = root.get("t").get("y")
    assert isinstance(alias, YAlias) and text[alias.start : alias.end] == "*b"
    assert f.data()[0]["t"] == {"x": 1, "y": {"x": 1}}


def test_multi_document_crlf_bom_tabs_long_lines():
    long = "x" * 6000
    text = '\ufeff---\r\na: 1\r\n---\r\nb: "tab\there"\r\nc: ' + long + "\r\n"
    f = load_text("t.yml", text)
    assert [d.root.to_data() for d in f.docs] == [{"a": 1}, {"b": "tab\there", "c": long}]
    b = f.docs[1].root.get("b")
    assert text[b.start : b.end] == '"tab\there"'
    assert f.position(b.start) == (4, 4)


@pytest.mark.parametrize(
    "text,line",
    [("a: [1\nb: 2\n", 2), ("- a\nb: 1\n", 2), ("a: 'x", 1), ("a:\n\tb: 1\n", 2)],
)
def test_parse_errors_have_a_line(text, line):
    with pytest.raises(YamlLoadError) as e:
        load_text("t.yml", text)
    assert e.value.line == line and e.value.message


def test_not_utf8():
    with pytest.raises(YamlLoadError) as e:
        decode(b"a: 1\nb: \xff\n")
    assert e.value.line == 2 and "UTF-8" in e.value.message


def test_empty_and_comment_only_files():
    assert load_text("t.yml", "").data() == []
    assert load_text("t.yml", "# nothing\n").data() == []
    assert load_text("t.yml", "---\n").data() == [None]


def test_parents_and_kinds():
    f = load_text("t.yml", "- hosts: all\n  tasks:\n    - debug: msg=hi\n")
    play = f.root.items[0]
    assert isinstance(f.root, YSeq) and isinstance(play, YMap)
    task = play.get("tasks").items[0]
    assert task.parent.parent is play


_scalar_alphabet = "0123456789+-._:eExXbBoO~nNuUlLyYsStTrRfFaAiI <=!&*"


@settings(max_examples=400, deadline=None)
@given(
    st.one_of(
        st.text(alphabet=_scalar_alphabet, min_size=1, max_size=12),
        st.sampled_from(
            [
                "0644",
                "1:30",
                "0x1F",
                "0b101",
                "1_000",
                ".inf",
                "-.Inf",
                ".NaN",
                "~",
                "Null",
                "yes",
                "Off",
                "y",
                "n",
                "2024-01-02",
                "1e3",
                "1.5e-3",
                "+12",
                "<<",
                "=",
            ]
        ),
    )
)
def test_plain_scalar_meaning_matches_pyyaml(text):
    """Our YAML 1.1 resolution of a plain scalar equals PyYAML's (Ansible's loader's)."""
    from ansopt.source.scalars import scalar_value

    doc = "k: " + text + "\n"
    try:
        node = yaml.compose(doc, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return
    v = node.value[0][1]
    if not isinstance(v, yaml.ScalarNode) or v.style or v.tag == "tag:yaml.org,2002:value":
        return
    try:
        expected = yaml.safe_load(doc)["k"]
    except yaml.YAMLError:
        return
    got, tag = scalar_value(v.value, None, True)
    assert tag == v.tag, (text, tag, v.tag)
    if isinstance(expected, float) and math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == expected and type(got) is type(expected), (text, got, expected)


@pytest.mark.parametrize(
    "text, data",
    [
        ("a: [system:masters]\n", {"a": ["system:masters"]}),
        ("x: { value: https://x.example/a }\n", {"x": {"value": "https://x.example/a"}}),
    ],
)
def test_a_colon_inside_a_flow_plain_scalar_parses_as_pyyaml_reads_it(text, data):
    # ruamel.yaml.clib's libyaml refuses these; PyYAML (what Ansible uses) and YAML accept them
    f = load_text("t.yml", text)
    assert f.data() == [data]
    assert (f.root.start, f.root.end) == (0, len(text.rstrip("\n")))
