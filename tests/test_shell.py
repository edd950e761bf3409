"""ansopt.model.shell: shell text as words (argument lists, simple commands, options)."""

from __future__ import annotations

import shlex

import pytest

from ansopt.model.shell import (
    VALUE_FLAGS,
    argv_commands,
    command_words,
    commands,
    has_option,
    mask_jinja,
    operands_after,
    option_value,
    simple_commands,
    split_args,
    task_commands,
    tokens_with_spans,
)

# --------------------------------------------------------------------------- argument lists


@pytest.mark.parametrize(
    "text,want",
    [
        ('-o "A B" -C', ["-o", "A B", "-C"]),
        ('a\\ b \'c d\' "e\\"f"', ["a b", "c d", 'e"f']),
        ("'' a", ["a"]),  # empty items dropped, as ansible-core does
        ("-o 'ControlPath=/tmp/%h x'", ["-o", "ControlPath=/tmp/%h x"]),
    ],
)
def test_split_args(text, want):
    assert split_args(text) == want


@pytest.mark.parametrize("text", ['-o "x', "-o 'x", 'a "b\\"'])
def test_split_args_unbalanced_quotes(text):
    assert split_args(text) is None


@pytest.mark.parametrize(
    "text,want",
    [
        ('-o "A B"  -C', [("-o", "-o"), ("A B", '"A B"'), ("-C", "-C")]),
        ("a\\ b c", [("a b", "a\\ b"), ("c", "c")]),
        ('"c\\"d" "a\\xb"', [('c"d', '"c\\"d"'), ("a\\xb", '"a\\xb"')]),
        ("  -C\n    -o X=1  ", [("-C", "-C"), ("-o", "-o"), ("X=1", "X=1")]),
        ("x'y z'\"w\"", [("xy zw", "x'y z'\"w\"")]),
    ],
)
def test_tokens_with_spans(text, want):
    got = tokens_with_spans(text)
    assert got is not None
    assert [(w, text[s:e]) for w, s, e in got] == want
    assert [w for w, _, _ in got] == shlex.split(text)


def test_tokens_with_spans_offsets():
    assert tokens_with_spans('-o "A B"  -C') == [("-o", 0, 2), ("A B", 3, 8), ("-C", 10, 12)]
    assert tokens_with_spans("") == []


@pytest.mark.parametrize("text", ["a 'b", 'a "b', 'a "b\\"'])
def test_tokens_with_spans_unbalanced_quotes(text):
    assert tokens_with_spans(text) is None


# --------------------------------------------------------------------------- shell commands


def test_separators():
    assert list(simple_commands("a b; c && d || e | f")) == [
        (["a", "b"], False),
        (["c"], False),
        (["d"], False),
        (["e"], False),
        (["f"], False),
    ]
    assert list(simple_commands("a\nb\r\nc")) == [(["a"], False), (["b"], False), (["c"], False)]
    assert list(simple_commands("x $(y z) `w`")) == [(["x"], False), (["y", "z"], False), (["w"], False)]


def test_background():
    assert list(simple_commands("sleep 10 & echo hi")) == [(["sleep", "10"], True), (["echo", "hi"], False)]
    # redirections are not separators
    assert list(simple_commands("cmd 2>&1 &>/dev/null")) == [(["cmd", "2>&1", "&>/dev/null"], False)]


def test_quotes_escapes_comments():
    assert list(simple_commands("echo \"a;b\" 'c d'")) == [(["echo", "a;b", "c d"], False)]
    assert list(simple_commands("echo a\\;b")) == [(["echo", "a;b"], False)]
    assert list(simple_commands("a \\\n b")) == [(["a", "b"], False)]  # escaped line break: one command
    assert list(simple_commands("a # b; c\nd")) == [(["a"], False), (["d"], False)]
    assert list(simple_commands("a#b")) == [(["a#b"], False)]  # not a comment inside a word
    assert list(simple_commands('echo "abc')) == [(["echo", "abc"], False)]  # unbalanced: to the end


def test_command_words_drop_prefixes():
    assert list(command_words(["FOO=1", "sudo", "-u", "app", "timeout", "300", "wget", "u"])) == [
        (["wget", "u"], False)
    ]
    assert list(command_words(["env", "-u", "X", "nice", "-n", "5", "/usr/bin/curl", "x"])) == [(["curl", "x"], False)]
    assert list(command_words(["nohup", "x"])) == [(["x"], True)]
    assert list(command_words(["sudo"])) == []


def test_command_words_open_shell_c():
    assert list(command_words(["/usr/bin/bash", "-c", "apt-get upgrade; ls"])) == [
        (["apt-get", "upgrade"], False),
        (["ls"], False),
    ]
    assert list(command_words(["sh", "-ec", "a & b"])) == [(["a"], True), (["b"], False)]


def test_jinja_is_one_word():
    assert mask_jinja("echo {{ a | default('x y') }} {% if b %}c{% endif %}{# n #}") == "echo {{x}}  c  "
    assert commands("cp {{ src | quote }} /x; {{ cmd }} && y") == [["cp", "{{x}}", "/x"], ["{{x}}"], ["y"]]
    assert commands("echo {{ 'a;b' }}") == [["echo", "{{x}}"]]


def test_commands_none_when_backgrounded():
    assert commands("a & b") is None
    assert commands("nohup a") is None
    assert commands('bash -c "b &"') is None
    assert commands("a && b") == [["a"], ["b"]]
    assert argv_commands(["sudo", "apt-get", "upgrade"]) == [["apt-get", "upgrade"]]
    assert argv_commands(["setsid", "x"]) is None


def test_task_commands():
    assert task_commands({"argv": ["ls", "-l"]}) == [["ls", "-l"]]
    assert task_commands({"cmd": "a; b", "_raw_params": "z"}) == [["a"], ["b"]]
    assert task_commands({"_raw_params": "x"}) == [["x"]]
    assert task_commands({"argv": [], "_raw_params": "q"}) == [["q"]]
    assert task_commands({}) == []


# --------------------------------------------------------------------------- options of a command


def test_option_value():
    curl, wget = VALUE_FLAGS["curl"], VALUE_FLAGS["wget"]
    assert option_value(["curl", "-fsSLo", "out.tgz", "u"], "o", "--output", curl) == "out.tgz"
    assert option_value(["curl", "-o/tmp/x"], "o", "--output", curl) == "/tmp/x"
    assert option_value(["curl", "--output=a"], "o", "--output", curl) == "a"
    assert option_value(["curl", "--output", "b"], "o", "--output", curl) == "b"
    assert option_value(["curl", "--output"], "o", "--output", curl) == ""
    assert option_value(["curl", "-o", "a", "-o", "b"], "o", "--output", curl) == "b"  # the last wins
    assert option_value(["curl", "-Ho", "x"], "o", "--output", curl) is None  # `o` is -H's value
    assert option_value(["curl", "-s", "u"], "o", "--output", curl) is None
    assert option_value(["wget", "-qO-", "u"], "O", "--output-document", wget) == "-"


def test_has_option_and_operands():
    curl = VALUE_FLAGS["curl"]
    assert has_option(["curl", "-fsSLO", "u"], "O", ("--remote-name",), curl)
    assert has_option(["curl", "--remote-name"], "O", ("--remote-name",), curl)
    assert not has_option(["curl", "-s", "O"], "O", ("--remote-name",), curl)
    verbs = ("update", "upgrade")
    assert operands_after(["dnf", "-y", "update"], verbs) == []
    assert operands_after(["dnf", "update", "x", "--refresh"], verbs) == ["x"]
    assert operands_after(["dnf", "install", "x"], verbs) is None
