"""C102 (ssh_args without ControlPersist), C103 (unhashed ControlPath), C104 (paramiko):
unit tests per rule, Windows/local host mixes, inventory variable positions, byte-exact fixes
(`%%`, `%(directory)s`, CRLF, multi-line values), what ansible-core and ssh actually do, and
the corpus."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from ansopt.rules._ssh import parse_option, split_args, ssh_options, tokens_with_spans
from ansopt.rules.c102_ssh_args_no_controlpersist import analyse
from ansopt.rules.c103_control_path_unhashed import format_control_path, judge_arg_path, judge_cfg_path

from .conftest import copy_writable, corpus_or_skip, run_engine, write_tree

CODES = ["C102", "C103", "C104"]


# C103 reports only when a known host makes the socket path overflow: a cloud-style name
LONG_HOST = "ip-10-200-30-40." + "eu-west-1-tenant-analytics-platform-" * 2 + "compute.internal"


def check(tmp_path: Path, files: dict[str, str], select=None):
    if (
        "C103" in (select or CODES)
        and not (tmp_path / "hosts").exists()
        and "hosts" not in files
        and not any("inventory" in k for k in files)
    ):
        files = {**files, "hosts": f"[web]\n{LONG_HOST}\n"}
    write_tree(tmp_path, files)
    res = run_engine(tmp_path, select=select or CODES)
    assert res.parse_errors == 0
    return [f for f in res.findings if f.code in (select or CODES)]


def fix(tmp_path: Path, select=None, unsafe=False) -> dict[str, str]:
    """Fix the folder (in memory): {display path: new text}."""
    res = run_engine(tmp_path, select=select or CODES, fix=True, unsafe=unsafe)
    assert not res.failed, [f.message for f in res.failed]
    return {disp: new for _, (disp, _old, new) in res.changed.items()}


def cfg(ssh: str = "", defaults: str = "") -> str:
    return f"[defaults]\n{defaults}\n[ssh_connection]\n{ssh}"


WEB_WIN = """\
# Linux web servers
[web]
web01.example.com
web02.example.com

[win]
app01.example.com

[win:vars]
ansible_connection=winrm
"""

# =========================================================================== C102


def test_c102_custom_ssh_args_reported_and_fixed(tmp_path):
    text = (
        "# fleet\n[ssh_connection]\n# agent forwarding for git\nssh_args = -C -o ForwardAgent=yes\npipelining = True\n"
    )
    [f] = check(tmp_path, {"ansible.cfg": text})
    assert (f.code, f.line, f.col) == ("C102", 4, 12)
    assert "replaces ansible-core's default `-C -o ControlMaster=auto -o ControlPersist=60s`" in f.help
    assert "neither ControlMaster nor ControlPersist" in f.message
    assert f.fix is not None and f.fix.safety == "safe"
    new = fix(tmp_path)["ansible.cfg"]
    assert new == text.replace("ForwardAgent=yes\n", "ForwardAgent=yes -o ControlMaster=auto -o ControlPersist=60s\n")
    write_tree(tmp_path, {"ansible.cfg": new})
    assert check(tmp_path, {}) == []  # idempotent


@pytest.mark.parametrize(
    "value",
    [
        "-C -o ControlMaster=auto -o ControlPersist=60s",
        "-oControlMaster=auto -oControlPersist=60s",
        '-o "ControlMaster auto" -o "ControlPersist 60s"',
        "-o controlmaster=auto -o CONTROLPERSIST=yes",
        "-o ControlMaster=auto -o ControlPersist=0 -o ServerAliveInterval=30",
        '-o "ControlMaster = auto" -o "ControlPersist = 10m"',
        "-Co ControlMaster=auto -o ControlPersist=60s",
        "-o ForwardAgent=yes -o 'ControlPersist=30m' -o ControlMaster=autoask",
    ],
)
def test_c102_forms_with_both_options_pass(tmp_path, value):
    assert check(tmp_path, {"ansible.cfg": cfg(f"ssh_args = {value}\n")}, ["C102"]) == []


def test_c102_only_controlpersist_missing(tmp_path):
    [f] = check(tmp_path, {"ansible.cfg": cfg("ssh_args = -o ControlMaster=auto\n")})
    assert "has no ControlPersist" in f.message and "adds no ControlPath" in f.message
    assert fix(tmp_path)["ansible.cfg"].endswith("ssh_args = -o ControlMaster=auto -o ControlPersist=60s\n")


def test_c102_only_controlmaster_missing(tmp_path):
    [f] = check(tmp_path, {"ansible.cfg": cfg("ssh_args = -o ControlPersist=60s\n")})
    assert "has no ControlMaster" in f.message and "never starts a master" in f.message
    assert fix(tmp_path)["ansible.cfg"].endswith("ssh_args = -o ControlPersist=60s -o ControlMaster=auto\n")


@pytest.mark.parametrize(
    "value, said",
    [
        ("-o ControlMaster=auto -o ControlPersist=no", "ControlPersist=no"),
        ("-o ControlMaster=no -o ControlPersist=60s", "ControlMaster=no"),
        ("-o ControlMaster=false -o ControlPersist=60s", "ControlMaster=false"),
        ("-o ControlPath=none -o ControlMaster=auto -o ControlPersist=60s", "ControlPath=none"),
    ],
)
def test_c102_explicit_off_is_a_choice(tmp_path, value, said):
    """`ControlMaster=no` written on purpose (a bastion, a device allowing one session): not reported."""
    assert check(tmp_path, {"ansible.cfg": cfg(f"ssh_args = {value}\n")}) == []
    assert check(tmp_path / "q", {"ansible.cfg": cfg(f'ssh_args = "{value} -o Compression=no"\n')}) == []


def test_c102_quoted_value_read_and_fixed_inside_the_quotes(tmp_path):
    """ansible-core strips the quotes of an INI value: the fix must append inside them."""
    [f] = check(tmp_path, {"ansible.cfg": cfg('ssh_args = "-o Compression=no -o ForwardAgent=yes"\n')})
    assert f.fix is not None
    assert fix(tmp_path)["ansible.cfg"].endswith(
        'ssh_args = "-o Compression=no -o ForwardAgent=yes -o ControlMaster=auto -o ControlPersist=60s"\n'
    )


def test_c102_default_args_win_over_common_args_no(tmp_path):
    # ssh keeps the first value: ansible-core puts ssh_args (default ControlPersist=60s)
    # before ssh_common_args, so this `no` has no effect and is not reported
    assert check(tmp_path, {"ansible.cfg": cfg("ssh_common_args = -o ControlPersist=no -o ControlMaster=no\n")}) == []


def test_c102_common_args_no_counts_when_ssh_args_lacks_it(tmp_path):
    text = cfg("ssh_args = -o ForwardAgent=yes\nssh_common_args = -o ControlPersist=no\n")
    fs = check(tmp_path, {"ansible.cfg": text})
    # the explicit `no` itself is a choice (not reported); it keeps ssh_args from being fixed
    assert [(f.line, f.fix is None) for f in fs] == [(4, True)]
    assert "not fixed automatically" in fs[0].help and "ssh_common_args sets ControlPersist=no" in fs[0].help


def test_c102_common_args_can_supply_the_options(tmp_path):
    text = cfg("ssh_args = -o ForwardAgent=yes\nssh_common_args = -o ControlMaster=auto -o ControlPersist=60s\n")
    assert check(tmp_path, {"ansible.cfg": text}) == []
    # ... one of them: only the other is appended
    text = cfg("ssh_args = -o ForwardAgent=yes\nssh_extra_args = -o ControlPersist=10m\n")
    [f] = check(tmp_path, {"ansible.cfg": text})
    assert "has no ControlMaster" in f.message
    assert "ssh_args = -o ForwardAgent=yes -o ControlMaster=auto\n" in fix(tmp_path)["ansible.cfg"]


def test_c102_empty_ssh_args_reported_without_fix(tmp_path):
    [f] = check(tmp_path, {"ansible.cfg": cfg("ssh_args =\n")})
    assert "empty" in f.message and "OpenSSH < 5.6" in f.help and f.fix is None


def test_c102_hash_in_value_not_fixed(tmp_path):
    [f] = check(tmp_path, {"ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes # agent\n")}, ["C102"])
    assert f.fix is None and "`#`" in f.help


def test_c102_unset_or_templated_not_reported(tmp_path):
    assert check(tmp_path, {"ansible.cfg": cfg("pipelining = True\n")}) == []
    assert check(tmp_path, {"ansible.cfg": cfg("ssh_args = {{ my_ssh_args }}\n")}) == []
    assert check(tmp_path, {"ansible.cfg": cfg("ssh_args = -o 'unbalanced\n")}) == []


def test_c102_ssh_config_file(tmp_path):
    full = "Host *\n  ControlMaster auto\n  ControlPersist 5m\n  ControlPath ~/.ssh/cm-%C\n"
    assert check(tmp_path, {"ansible.cfg": cfg("ssh_args = -F ssh.cfg\n"), "ssh.cfg": full}) == []
    # ControlPersist only in the file: ansible-core adds no ControlPath, ssh shares nothing
    [f] = check(tmp_path, {"ssh.cfg": "Host *\n  ControlMaster auto\n  ControlPersist 5m\n"})
    assert "only from its -F file" in f.message and f.fix is None
    # a file outside the project: not judged
    assert check(tmp_path, {"ansible.cfg": cfg("ssh_args = -F /nonexistent/ssh_config\n")}) == []


def test_c102_multiline_crlf_inline_comment(tmp_path):
    text = "[ssh_connection]\r\n; our options\r\nssh_args = -C ; compression\r\n    -o ServerAliveInterval=30   ; NAT\r\npipelining = True\r\n"
    (tmp_path / "ansible.cfg").write_bytes(text.encode())
    [f] = check(tmp_path, {})
    new = fix(tmp_path)["ansible.cfg"]
    assert new == text.replace(
        "ServerAliveInterval=30   ;", "ServerAliveInterval=30 -o ControlMaster=auto -o ControlPersist=60s   ;"
    )


def test_c102_windows_mix_names_ssh_hosts(tmp_path):
    [f] = check(
        tmp_path,
        {"ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes\n", "inventory = hosts.ini"), "hosts.ini": WEB_WIN},
    )
    assert "(SSH hosts: web01.example.com, web02.example.com" in f.help
    assert "not winrm: app01.example.com" in f.help
    assert dict(f.extra)["hosts"] == ["web01.example.com", "web02.example.com"]


def test_c102_only_windows_or_local_no_finding(tmp_path):
    inv = "[win]\napp01\napp02\n[win:vars]\nansible_connection=winrm\n[ctl]\nlocalhost ansible_connection=local\n"
    assert (
        check(
            tmp_path,
            {"ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes\n", "inventory = hosts.ini"), "hosts.ini": inv},
        )
        == []
    )


def test_c102_local_mix(tmp_path):
    inv = "[ctl]\nlocalhost ansible_connection=local\n[db]\ndb1\n"
    [f] = check(
        tmp_path, {"ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes\n", "inventory = hosts.ini"), "hosts.ini": inv}
    )
    assert f.help.endswith("(SSH hosts: db1; not local: localhost)")


def test_c102_paramiko_transport_gets_no_ssh_args_advice(tmp_path):
    assert (
        check(tmp_path, {"ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes\n", "transport = paramiko")}, ["C102"])
        == []
    )


def test_c102_inventory_variable_positions(tmp_path):
    inv = (
        "[web]\n"
        "web1\n"
        "web2 ansible_ssh_args='-o ControlPersist=60s'\n"
        "[win]\n"
        "win1 ansible_ssh_args='-o ForwardAgent=yes'\n"
        "[win:vars]\n"
        "ansible_connection=winrm\n"
    )
    files = {
        "ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
        "hosts.ini": inv,
        "group_vars/web.yml": "---\n# agent forwarding\nansible_ssh_args: -o ForwardAgent=yes\n",
    }
    fs = check(tmp_path, files)
    got = [(f.path, f.line, f.col) for f in fs]
    assert got == [("group_vars/web.yml", 3, 1), ("hosts.ini", 3, 6)]
    gv, host = fs
    assert gv.message.startswith("`ansible_ssh_args`") and gv.help.endswith(
        "replaces ssh_args for web1"
    )  # web2's own var wins
    assert "neither ControlMaster nor ControlPersist" in gv.message
    assert "replaces ssh_args for web2" in host.help and "has no ControlMaster" in host.message
    assert all(f.fix is None for f in fs)  # inventory variables: by hand


def test_c102_cfg_moot_when_every_ssh_host_overrides(tmp_path):
    files = {
        "ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes\n", "inventory = hosts.ini"),
        "hosts.ini": "[web]\nweb1\nweb2\n[web:vars]\nansible_ssh_args='-C -o ControlMaster=auto -o ControlPersist=60s'\n",
    }
    assert check(tmp_path, files) == []


def test_c102_fix_withheld_when_a_host_sets_the_option_elsewhere(tmp_path):
    files = {
        "ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes\n", "inventory = hosts.ini"),
        "hosts.ini": "[web]\nweb1\nweb2 ansible_ssh_common_args='-o ControlPersist=10m -o ControlMaster=auto'\n",
    }
    [f] = check(tmp_path, files)
    assert "(SSH hosts: web1" in f.help and f.fix is None and "another setting already gives" in f.help


def test_c102_common_args_var_no_reported_at_variable(tmp_path):
    files = {
        "ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes -o ControlMaster=auto\n", "inventory = hosts.ini"),
        "hosts.ini": "[web]\nweb1\n[web:vars]\nansible_ssh_common_args=-o ControlPersist=no\n",
    }
    # ssh_args lacks ControlPersist, but for web1 the variable's explicit `no` decides: a
    # choice, not reported, and ssh_args is not either (appending would override the `no`)
    assert check(tmp_path, files) == []


def test_c102_noqa_on_the_option(tmp_path):
    assert (
        check(tmp_path, {"ansible.cfg": cfg("ssh_args = -o ControlMaster=auto -o ControlPersist=no ; noqa: C102\n")})
        == []
    )
    assert check(tmp_path, {"ansible.cfg": cfg("# noqa: C102\nssh_args = -o ForwardAgent=yes\n")}) == []


def test_c102_default_matches_ansible_core():
    from ansopt import knowledge
    from ansopt.rules._ssh import ADD, DEFAULT_SSH_ARGS

    default = knowledge.get().plugin_options("connection", "ssh")["ssh_args"]["default"]
    assert default == DEFAULT_SSH_ARGS
    for added in ADD.values():
        assert added in default  # the fix appends ansible-core's own values


# --------------------------------------------------------------------------- C102 helpers


def test_ssh_option_parsing():
    opts, files = ssh_options(
        split_args('-C -F my.cfg -oControlMaster=auto -o "ControlPersist 60s" -i key -o ProxyCommand="ssh -W %h:%p b"')
    )
    assert [(o.keyword, o.value) for o in opts] == [
        ("controlmaster", "auto"),
        ("controlpersist", "60s"),
        ("proxycommand", "ssh -W %h:%p b"),
    ]
    assert files == ["my.cfg"]
    assert parse_option("ControlPersist = 10m") == ("controlpersist", "10m")
    # `-i` takes an argument: a file named like an option is not an option
    opts, _ = ssh_options(["-i", "-oControlPersist=1", "-o", "ControlMaster=auto"])
    assert [o.keyword for o in opts] == ["controlmaster"]


def test_analyse_first_value_wins():
    v = analyse(["-o ControlMaster=auto -o ControlPersist=60s", "-o ControlPersist=no", ""])
    assert v.problems == []
    v = analyse(["-o ForwardAgent=yes", "-o ControlMaster=auto -o ControlPersist=no"])
    assert [(p.kind, p.keyword, p.part) for p in v.problems] == [("off", "controlpersist", 1)]


@pytest.mark.parametrize(
    "text", ['-o "A B" -C', "-o 'ControlPath=/tmp/%h x'  -v", 'a\\ b "c\\"d" e', "  -C\n    -o X=1  "]
)
def test_tokens_with_spans_match_shlex(text):
    words = tokens_with_spans(text)
    assert [w for w, _, _ in words] == split_args(text)
    for w, s, e in words:
        assert split_args(text[s:e]) == [w]


@pytest.mark.skipif(shutil.which("ssh") is None, reason="no ssh client to ask")
def test_ssh_keeps_the_first_value_of_an_option():
    """The premise of the first-value-wins logic, asked of the installed OpenSSH."""
    out = subprocess.run(
        [
            "ssh",
            "-G",
            "-o",
            "ControlPersist=60s",
            "-o",
            "ControlPersist=no",
            "-o",
            "ControlMaster=auto",
            "-o",
            "ControlMaster=no",
            "example.invalid",
        ],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout
    assert "controlpersist 60" in out and "controlmaster auto" in out


# =========================================================================== C103


def test_c103_silent_when_no_known_host_can_overflow(tmp_path):
    text = "[ssh_connection]\ncontrol_path = %(directory)s/%%h-%%p-%%r\n"
    assert not check(tmp_path / "short", {"ansible.cfg": text, "hosts": "[web]\nweb01.corp.internal\n"}, ["C103"])
    write_tree(tmp_path / "none", {"ansible.cfg": text})
    assert not [
        f for f in run_engine(tmp_path / "none", select=["C103"]).findings if f.code == "C103"
    ]  # no inventory: unknown
    assert check(tmp_path / "long", {"ansible.cfg": text}, ["C103"])  # the long cloud name


def test_c103_directory_form_fixed_to_hash(tmp_path):
    text = "[ssh_connection]\n# per host sockets\ncontrol_path = %(directory)s/%%h-%%p-%%r\npipelining = True\n"
    [f] = check(tmp_path, {"ansible.cfg": text}, ["C103"])
    assert (f.line, f.col) == (3, 16)
    assert f.message.startswith("`control_path = %(directory)s/%%h-%%p-%%r` lacks %C") and "108-byte" in f.message
    assert "use `%(directory)s/%%C`" in f.help
    new = fix(tmp_path, ["C103"])["ansible.cfg"]
    assert new == text.replace("%%h-%%p-%%r", "%%C")
    write_tree(tmp_path, {"ansible.cfg": new})
    assert check(tmp_path, {}, ["C103"]) == []


@pytest.mark.parametrize(
    "before, after",
    [
        ("%(directory)s/ansible-ssh-%%h-%%p-%%r", "%(directory)s/ansible-ssh-%%C"),
        ("/tmp/ansible-ssh-%%h-%%p-%%r", "/tmp/ansible-ssh-%%C"),
        ("~/.ssh/cm/%%r@%%h:%%p.sock", "~/.ssh/cm/%%C.sock"),
        ("%(directory)s/%%h", "%(directory)s/%%C"),
    ],
)
def test_c103_prefix_and_suffix_kept(tmp_path, before, after):
    check(tmp_path, {"ansible.cfg": f"[ssh_connection]\ncontrol_path = {before}   ; sockets\n"}, ["C103"])
    assert fix(tmp_path, ["C103"])["ansible.cfg"] == f"[ssh_connection]\ncontrol_path = {after}   ; sockets\n"


@pytest.mark.parametrize(
    "value", ["%(directory)s/%%C", "/tmp/ssh-%%C", "%(directory)s/%%h-%%C", "%(directory)s/static-name", "none"]
)
def test_c103_hashed_or_tokenless_paths_pass(tmp_path, value):
    assert check(tmp_path, {"ansible.cfg": f"[ssh_connection]\ncontrol_path = {value}\n"}, ["C103"]) == []


def test_c103_default_not_reported(tmp_path):
    assert check(tmp_path, {"ansible.cfg": "[ssh_connection]\npipelining = True\n"}, ["C103"]) == []


def test_c103_lone_percent_in_control_path_breaks_formatting(tmp_path):
    [f] = check(tmp_path, {"ansible.cfg": "[ssh_connection]\ncontrol_path = %(directory)s/%h-%p-%r\n"}, ["C103"])
    assert "%-formatting" in f.message and "raises" in f.message and "`%%h`" in f.help
    assert fix(tmp_path, ["C103"])["ansible.cfg"] == "[ssh_connection]\ncontrol_path = %(directory)s/%%C\n"


def test_c103_control_path_in_ssh_args(tmp_path):
    text = cfg(
        'ssh_args = -o ProxyCommand="ssh -W %h:%p bastion" -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=/tmp/a-%r@%h:%p\n'
    )
    [f] = check(tmp_path, {"ansible.cfg": text}, ["C103"])
    assert "`ControlPath=/tmp/a-%r@%h:%p` in ssh_args" in f.message
    new = fix(tmp_path, ["C103"])["ansible.cfg"]
    assert new == text.replace("/tmp/a-%r@%h:%p", "/tmp/a-%C")  # ProxyCommand's %h:%p untouched


def test_c103_doubled_percent_in_ssh_args_is_literal(tmp_path):
    text = cfg('ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o "ControlPath=/tmp/a-%%h-%%p"\n')
    [f] = check(tmp_path, {"ansible.cfg": text}, ["C103"])
    assert "literal" in f.message and "every host shares this one socket path" in f.message
    assert fix(tmp_path, ["C103"])["ansible.cfg"] == text.replace("%%h-%%p", "%C")


def test_c103_control_path_ignored_when_args_set_one(tmp_path):
    text = cfg(
        "ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o ControlPath=~/.ssh/cm-%C\ncontrol_path = /tmp/%%h-%%p\n"
    )
    assert check(tmp_path, {"ansible.cfg": text}, ["C103"]) == []


def test_c103_notes_inactive_control_path(tmp_path):
    [f] = check(tmp_path, {"ansible.cfg": cfg("ssh_args = -o ForwardAgent=yes\ncontrol_path = /tmp/%%h\n")}, ["C103"])
    assert "once ssh_args has ControlPersist, see C102" in f.help


def test_c103_tokens_in_two_places_no_fix(tmp_path):
    [f] = check(tmp_path, {"ansible.cfg": "[ssh_connection]\ncontrol_path = /tmp/%%h/sub/%%p\n"}, ["C103"])
    assert f.fix is None


def test_c103_crlf(tmp_path):
    text = "[defaults]\r\nforks = 10\r\n\r\n[ssh_connection]\r\ncontrol_path = %(directory)s/%%h-%%p-%%r\r\n"
    (tmp_path / "ansible.cfg").write_bytes(text.encode())
    (tmp_path / "hosts").write_text(f"[web]\n{LONG_HOST}\n")
    assert fix(tmp_path, ["C103"])["ansible.cfg"] == text.replace("%%h-%%p-%%r", "%%C")


def test_c103_variable_position_and_windows_mix(tmp_path):
    files = {
        "ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
        "hosts.ini": WEB_WIN.replace("web01.example.com", LONG_HOST),
        "group_vars/all.yml": "---\nansible_control_path: /tmp/%%h-%%r\n",
    }
    [f] = check(tmp_path, files, ["C103"])
    assert (f.path, f.line, f.col) == ("group_vars/all.yml", 2, 1)
    assert LONG_HOST[:20] in f.help and "app01" not in f.message + f.help
    assert f.fix is None
    # only Windows hosts: nothing
    (tmp_path / "hosts.ini").write_text("[win]\napp01\n[win:vars]\nansible_connection=winrm\n")
    assert check(tmp_path, {}, ["C103"]) == []


def test_c103_path_helpers():
    assert format_control_path("%(directory)s/%%h-%%C", "/d") == "/d/%h-%C"
    assert format_control_path("%(directory)s/%h", "/d") is None
    assert judge_cfg_path("%(directory)s/%%C", "/d") is None
    assert judge_cfg_path("/tmp/%%n", "/d").kind == "unhashed"
    assert judge_arg_path("/tmp/%r@%h").kind == "unhashed"
    assert judge_arg_path("/tmp/%%h").kind == "literal"
    assert judge_arg_path("~/.ssh/%C") is None and judge_arg_path("none") is None


def _ssh_plugin_source() -> str:
    from ansopt.knowledge import ansible_core_dir

    d = ansible_core_dir()
    if d is None:
        pytest.skip("ansible-core not installed")
    return (d / "plugins" / "connection" / "ssh.py").read_text(encoding="utf-8")


def test_ansible_core_processes_control_path_as_documented():
    """What C103's documentation says ansible-core does (pinned on the installed version)."""
    src = _ssh_plugin_source()
    assert "self.control_path % dict(directory=cpdir)" in src  # %-formatting of control_path
    assert "b'controlpersist' in b_arg" in src and "b'controlpath' in b_arg" in src  # substring tests
    assert "for opt in (u'ssh_common_args', u'{0}_extra_args'.format(subsystem)):" in src  # after ssh_args
    assert "default: '-C -o ControlMaster=auto -o ControlPersist=60s'" in src


# =========================================================================== C104


def test_c104_transport_paramiko_unsafe_fix(tmp_path):
    text = "[defaults]\n; EL6 had no ControlPersist\ntransport = paramiko\nforks = 10\n\n[paramiko_connection]\nrecord_host_keys = False\n"
    [f] = check(tmp_path, {"ansible.cfg": text})
    assert (f.code, f.line, f.col) == ("C104", 3, 13)
    assert "deprecated" in f.message and "no pipelining" in f.message and "removed in ansible-core 2.21" in f.help
    assert f.fix is not None and f.fix.safety == "unsafe"
    assert fix(tmp_path, unsafe=False) == {}
    assert fix(tmp_path, unsafe=True)["ansible.cfg"] == text.replace("transport = paramiko", "transport = ssh")


@pytest.mark.parametrize("name", ["paramiko_ssh", "ansible.builtin.paramiko_ssh", "ansible.legacy.paramiko"])
def test_c104_plugin_names(tmp_path, name):
    assert [f.code for f in check(tmp_path, {"ansible.cfg": f"[defaults]\ntransport={name}\n"})] == ["C104"]


@pytest.mark.parametrize("name", ["ssh", "smart", "local"])
def test_c104_other_transports_pass(tmp_path, name):
    assert check(tmp_path, {"ansible.cfg": f"[defaults]\ntransport = {name}\n"}, ["C104"]) == []


def test_c104_hosts_with_their_own_connection(tmp_path):
    files = {"ansible.cfg": "[defaults]\ninventory = hosts.ini\ntransport = paramiko\n", "hosts.ini": WEB_WIN}
    [f] = check(tmp_path, files, ["C104"])
    assert "(hosts: web01.example.com, web02.example.com; not winrm: app01.example.com)" in f.help
    (tmp_path / "hosts.ini").write_text("[win]\napp01\n[win:vars]\nansible_connection=winrm\n")
    assert check(tmp_path, {}, ["C104"]) == []


def test_c104_inventory_variable(tmp_path):
    files = {
        "ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
        "hosts.ini": "[old]\nrhel5-a\nrhel5-b\n\n[old:vars]\nansible_connection=paramiko\n[web]\nweb1\n",
    }
    [f] = check(tmp_path, files, ["C104"])
    assert (f.path, f.line, f.col) == ("hosts.ini", 6, 1)
    assert "makes rhel5-a, rhel5-b connect with paramiko" in f.message and f.fix is None


def test_c104_play_keyword(tmp_path):
    site = "- name: legacy hosts\n  hosts: all\n  connection: 'paramiko'  # old servers\n  tasks: []\n"
    files = {"ansible.cfg": "[defaults]\ninventory = hosts.ini\n", "hosts.ini": "[web]\nweb1\n", "site.yml": site}
    [f] = check(tmp_path, files, ["C104"])
    assert (f.path, f.line) == ("site.yml", 3) and "play 'legacy hosts'" in f.message
    assert f.fix.safety == "unsafe"
    assert fix(tmp_path, ["C104"], unsafe=True)["site.yml"] == site.replace("'paramiko'", "'ssh'")


def test_c104_play_keyword_moot_when_hosts_set_connection(tmp_path):
    site = "- hosts: win\n  connection: paramiko\n  tasks: []\n"
    files = {"ansible.cfg": "[defaults]\ninventory = hosts.ini\n", "hosts.ini": WEB_WIN, "site.yml": site}
    assert check(tmp_path, files, ["C104"]) == []


def test_paramiko_plugin_facts_pinned():
    """C104's documentation: deprecated for 2.21, no pipelining, a per-process cache closed
    with the connection, and the executor closing it after each task."""
    from ansopt.knowledge import ansible_core_dir

    d = ansible_core_dir()
    if d is None:
        pytest.skip("ansible-core not installed")
    src = (d / "plugins" / "connection" / "paramiko_ssh.py").read_text(encoding="utf-8")
    assert re.search(r'removed_in:\s*"2\.21"', src)
    assert "has_pipelining" not in src
    assert "SSH_CONNECTION_CACHE.pop(cache_key, None)" in src
    executor = (d / "executor" / "task_executor.py").read_text(encoding="utf-8")
    assert "self._connection.close()" in executor


# =========================================================================== corpus

CORPUS_EXPECTED = [
    ("ansible-for-devops/deployments-rolling/ansible.cfg", 9, "C103", "%(directory)s/%%C"),
    ("ansible-for-devops/elk/ansible.cfg", 7, "C103", "/tmp/ansible-ssh-%%C"),
    ("ansible-for-devops/https-letsencrypt/ansible.cfg", 8, "C103", "%(directory)s/%%C"),
    ("ansible-for-devops/https-nginx-proxy/provisioning/ansible.cfg", 7, "C103", "%(directory)s/%%C"),
    ("ansible-for-devops/https-self-signed/provisioning/ansible.cfg", 7, "C103", "%(directory)s/%%C"),
    ("ansible-for-devops/kubernetes/ansible.cfg", 9, "C103", "%(directory)s/%%C"),
]


def _with_long_host(work: Path) -> None:
    """The corpus projects reach short Vagrant addresses, whose socket paths never overflow
    (C103 is silent on them): give each copy one host with a long cloud name."""
    existing = [work / n for n in ("inventory", "hosts", "hosts.ini", "inventory.ini") if (work / n).is_file()]
    target = existing[0] if existing else work / "hosts"
    old = target.read_text() if target.exists() else ""
    target.write_text(old + ("" if old.endswith("\n") or not old else "\n") + f"\n[cloud]\n{LONG_HOST}\n")


def test_corpus_findings_pinned():
    corpus = corpus_or_skip()
    res = run_engine(corpus, select=CODES)
    assert not [f for f in res.findings if f.code in CODES]  # short host names: nothing overflows


def test_corpus_findings_pinned_with_a_long_host(tmp_path):
    corpus = corpus_or_skip()
    for rel, line, code, _ in CORPUS_EXPECTED:
        work = tmp_path / Path(rel).parent.as_posix().replace("/", "__")
        copy_writable(corpus / Path(rel).parent, work)
        _with_long_host(work)
        found = [f for f in run_engine(work, select=CODES).findings if f.code in CODES]
        assert [(f.path, f.line, f.code) for f in found] == [("ansible.cfg", line, code)], rel
        assert all(f.fix is not None and f.fix.safety == "safe" for f in found)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_corpus_fix_write_changes_only_control_path(tmp_path):
    """`ansopt fix --write` on a copy of each corpus project: only the control_path line of
    its ansible.cfg changes, byte for byte everything else stays (%(directory)s kept)."""
    import os

    from click.testing import CliRunner

    from ansopt.cli import main

    corpus = corpus_or_skip()
    for rel, line, _code, new_value in CORPUS_EXPECTED:
        work = tmp_path / Path(rel).parent.as_posix().replace("/", "__")
        copy_writable(corpus / Path(rel).parent, work)
        _with_long_host(work)
        before = _snapshot(work)
        old_cwd = os.getcwd()
        os.chdir(work)
        try:
            r = CliRunner().invoke(main, ["fix", "--write", "--select", ",".join(CODES)], catch_exceptions=False)
        finally:
            os.chdir(old_cwd)
        assert r.exit_code == 0, r.output
        after = _snapshot(work)
        assert sorted(after) == sorted(before)
        assert [k for k in before if before[k] != after[k]] == ["ansible.cfg"], rel
        old_lines = before["ansible.cfg"].decode().splitlines(keepends=True)
        new_lines = after["ansible.cfg"].decode().splitlines(keepends=True)
        assert len(old_lines) == len(new_lines)
        assert [i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines)) if a != b] == [line], rel
        assert new_lines[line - 1] == f"control_path = {new_value}\n"
