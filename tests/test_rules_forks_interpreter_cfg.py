"""C105 forks-below-hosts, C501 interpreter-discovery, C502 no-project-cfg: unit tests,
the cfg C502 writes (ConfigParser, ansible-core, ansopt's other cfg rules), idempotence,
and what the three rules report on the corpus."""

from __future__ import annotations

import configparser
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ansopt.engine import Engine
from ansopt.fixers.write import write_atomic
from ansopt.settings import load
from ansopt.source import cfgfile

from .conftest import copy_writable, corpus_or_skip, run_engine, write_tree

C105_CFG = "[defaults]\ninventory = inventory.ini\nforks = 5\n"
WEB12 = "[web]\nweb[01:12].example.com\n\n[db]\ndb01.example.com\ndb02.example.com\n"


def play(hosts: str = "web", extra: str = "", name: str = "Deploy") -> str:
    return f"- name: {name}\n  hosts: {hosts}\n{extra}  tasks:\n    - ansible.builtin.ping:\n"


def engine(folder: Path, code: str, options: dict | None = None) -> Engine:
    settings = load(str(folder))
    if options is not None:
        settings.rules = {code: options}
    return Engine(settings, ["."], cwd=str(folder), select=[code])


def findings(folder: Path, code: str, options: dict | None = None):
    res = engine(folder, code, options).check()
    assert res.internal_errors == 0, [f.message for f in res.findings if f.code == "E003"]
    return [f for f in res.findings if f.code == code]


def fix(folder: Path, code: str, options: dict | None = None):
    res = engine(folder, code, options).fix(unsafe=True)
    assert not res.failed, [f.message for f in res.failed]
    for abspath, (_, _, new) in res.changed.items():
        write_atomic(abspath, new)
    return res


def fix_is_idempotent(folder: Path, code: str, options: dict | None = None) -> None:
    again = engine(folder, code, options).fix(unsafe=True)
    assert not again.changed, sorted(again.changed)
    assert not [f for f in again.findings if f.code == code and f.fix is not None]


# --------------------------------------------------------------------------- C105


class TestSerialBatch:
    @pytest.mark.parametrize(
        "serial,hosts,expected",
        [
            (None, 12, 12),
            (3, 12, 3),
            ("3", 12, 3),
            (20, 12, 12),
            ("30%", 12, 3),  # int(0.3 * 12) = 3, as ansible-core's pct_to_int
            ("1%", 12, 1),  # at least 1
            ("100%", 12, 12),
            (0, 12, 12),  # <= 0: every host at once
            (-1, 12, 12),
            ([], 12, 12),
            ([1, 5, "50%"], 12, 6),  # the largest batch counts
            ([1, 2], 12, 2),
            ("{{ batch }}", 12, None),
            ([1, "{{ batch }}"], 12, None),
            ("x%", 12, None),
            ("1.5", 12, None),
            (True, 12, None),
        ],
    )
    def test_serial_batch(self, serial, hosts, expected):
        from ansopt.rules.c105_forks_below_hosts import serial_batch

        assert serial_batch(serial, hosts) == expected


def test_c105_reports_forks_below_play_hosts_and_fixes_in_place(tmp_path):
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "deploy.yml": play()})
    fs = findings(tmp_path, "C105")
    assert len(fs) == 1
    f = fs[0]
    assert f.path == "ansible.cfg" and f.line == 3
    assert (
        "play 'Deploy' in deploy.yml targets 12 hosts" in f.message
        and "12 hosts of inventory.ini (group web)" in f.help
    )
    assert "forks is 5" in f.message and "3 batches" in f.message
    assert f.fix is not None and f.fix.safety == "safe"
    fix(tmp_path, "C105")
    assert (tmp_path / "ansible.cfg").read_text() == C105_CFG.replace("forks = 5", "forks = 12")
    fix_is_idempotent(tmp_path, "C105")


def test_c105_default_forks_adds_the_option(tmp_path):
    cfg = "# fleet settings\n[defaults]\ninventory = inventory.ini\n\n[ssh_connection]\npipelining = True\n"
    write_tree(tmp_path, {"ansible.cfg": cfg, "inventory.ini": WEB12, "deploy.yml": play()})
    (f,) = findings(tmp_path, "C105")
    assert "(ansible-core's default)" in f.message
    assert f.line == 2  # the [defaults] header
    fix(tmp_path, "C105")
    text = (tmp_path / "ansible.cfg").read_text()
    assert cfgfile.parse_values(text)["defaults"]["forks"] == "12"
    assert text.startswith("# fleet settings\n[defaults]\ninventory = inventory.ini\nforks = 12\n")
    fix_is_idempotent(tmp_path, "C105")


def test_c105_no_defaults_section(tmp_path):
    cfg = "[ssh_connection]\npipelining = True\n"
    write_tree(tmp_path, {"ansible.cfg": cfg, "hosts": WEB12, "deploy.yml": play()})
    (f,) = findings(tmp_path, "C105")
    assert f.line == 1
    fix(tmp_path, "C105")
    assert cfgfile.parse_values((tmp_path / "ansible.cfg").read_text())["defaults"] == {"forks": "12"}
    fix_is_idempotent(tmp_path, "C105")


@pytest.mark.parametrize(
    "extra,expected",
    [
        ("  serial: 3\n", None),  # 3 at a time: forks 5 is enough
        ("  serial: '50%'\n", 6),
        ("  serial: [1, 4, 8]\n", 8),
        ("  serial: 0\n", 12),
        ("  throttle: 2\n", 12),  # throttle is a task keyword: it does not limit the play
        ("  serial: '{{ batch }}'\n", None),
    ],
)
def test_c105_serial(tmp_path, extra, expected):
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "deploy.yml": play(extra=extra)})
    fs = findings(tmp_path, "C105")
    if expected is None:
        assert not fs
    else:
        (f,) = fs
        assert f"set forks = {expected}" in f.help
        if expected < 12:
            assert f"{expected} at a time" in f.message and "serial:" in f.help


@pytest.mark.parametrize(
    "hosts",
    ["db", "db01.example.com", "'{{ target }}'", "web[0:3]", "web:&db", "nosuchgroup"],
)
def test_c105_small_or_unknown_plays_are_not_reported(tmp_path, hosts):
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "deploy.yml": play(hosts=hosts)})
    assert not findings(tmp_path, "C105")


def test_c105_patterns_are_resolved(tmp_path):
    write_tree(
        tmp_path,
        {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "deploy.yml": play(hosts="web:db:!web01.example.com")},
    )
    (f,) = findings(tmp_path, "C105")
    assert "targets 13 hosts" in f.message and "(hosts: web:db:!web01.example.com)" in f.help


def test_c105_widest_play_is_named(tmp_path):
    pb = play(hosts="db", name="Database") + play(hosts="all", name="Common")
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "site.yml": pb})
    (f,) = findings(tmp_path, "C105")
    assert "play 'Common' in site.yml targets 14 hosts" in f.message and "set forks = 14" in f.help


def test_c105_nothing_without_static_inventory(tmp_path):
    # no inventory at all
    write_tree(tmp_path / "a", {"ansible.cfg": "[defaults]\nforks = 5\n", "deploy.yml": play(hosts="all")})
    assert not findings(tmp_path / "a", "C105")
    # a dynamic inventory script only
    write_tree(
        tmp_path / "b",
        {
            "ansible.cfg": "[defaults]\ninventory = inv.py\n",
            "inv.py": "#!/usr/bin/env python3\nprint('{}')\n",
            "deploy.yml": play(hosts="all"),
        },
    )
    assert not findings(tmp_path / "b", "C105")
    # an inventory plugin configuration only
    write_tree(
        tmp_path / "c",
        {
            "ansible.cfg": "[defaults]\ninventory = aws_ec2.yml\n",
            "aws_ec2.yml": "plugin: amazon.aws.aws_ec2\n",
            "deploy.yml": play(hosts="all"),
        },
    )
    assert not findings(tmp_path / "c", "C105")


def test_c105_static_alternative_counts_beside_a_dynamic_one(tmp_path):
    files = {
        "ansible.cfg": "[defaults]\nroles_path = roles\n",
        "inventories/aws/aws_ec2.yml": "plugin: amazon.aws.aws_ec2\n",
        "inventories/vagrant/inventory": WEB12,
        "deploy.yml": play(),
    }
    write_tree(tmp_path, files)
    (f,) = findings(tmp_path, "C105")
    assert "of inventories/vagrant/inventory (group web)" in f.help


def test_c105_forks_high_enough_or_at_cap(tmp_path):
    write_tree(
        tmp_path / "a", {"ansible.cfg": C105_CFG.replace("5", "12"), "inventory.ini": WEB12, "deploy.yml": play()}
    )
    assert not findings(tmp_path / "a", "C105")
    big = "[web]\nweb[001:080]\n"
    write_tree(tmp_path / "b", {"ansible.cfg": C105_CFG.replace("5", "50"), "inventory.ini": big, "deploy.yml": play()})
    assert not findings(tmp_path / "b", "C105")
    # a broken value is C405's business
    write_tree(
        tmp_path / "c", {"ansible.cfg": C105_CFG.replace("5", "five"), "inventory.ini": WEB12, "deploy.yml": play()}
    )
    assert not findings(tmp_path / "c", "C105")


def test_c105_cap(tmp_path):
    big = "[web]\nweb[001:080]\n"
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": big, "deploy.yml": play()})
    (f,) = findings(tmp_path, "C105")
    assert "targets 80 hosts" in f.message and "set forks = 50 (capped by max_forks = 50)" in f.help
    (f,) = findings(tmp_path, "C105", {"max_forks": 20})
    assert "set forks = 20 (capped by max_forks = 20)" in f.help
    fix(tmp_path, "C105", {"max_forks": 20})
    assert "forks = 20\n" in (tmp_path / "ansible.cfg").read_text()
    fix_is_idempotent(tmp_path, "C105", {"max_forks": 20})
    assert not findings(tmp_path, "C105", {"max_forks": 20})
    assert findings(tmp_path, "C105")  # 20 < 50: the default cap still asks for more


def test_c105_counts_windows_hosts_too(tmp_path):
    inv = "[win]\nwin[01:08]\n\n[win:vars]\nansible_connection=winrm\n"
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": inv, "site.yml": play(hosts="win")})
    (f,) = findings(tmp_path, "C105")
    assert "set forks = 8" in f.help


ENVS = "[prod]\np[1:8]\n\n[test]\nt[1:3]\n"


def test_c105_environments_count_one_at_a_time(tmp_path):
    # `hosts: all` over disjoint prod/test groups runs one environment at a time: 8, not 11;
    # a play on the prod group itself counts its 8 hosts
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": ENVS, "site.yml": play(hosts="all")})
    (f,) = findings(tmp_path, "C105")
    assert "set forks = 8" in f.help, f.help


@pytest.mark.parametrize(
    "inv",
    [
        "[prod]\np[1:8]\n\n[test]\nt[1:3]\np1\n",  # a host in both: not environments
        "[prod]\np[1:8]\n\n[test]\nt[1:3]\n\n[web]\nw[1:4]\n",  # hosts outside both
        "[web]\nw[1:8]\n\n[db]\nd[1:3]\n",  # roles, not environments: all 11 run together
    ],
)
def test_c105_all_counts_every_host_unless_the_inventory_is_split_into_environments(tmp_path, inv):
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": inv, "site.yml": play(hosts="all")})
    (f,) = findings(tmp_path, "C105")
    assert "set forks = " in f.help and "set forks = 8" not in f.help, f.help


def test_c105_playbook_a_packer_template_runs_is_per_machine(tmp_path):
    tpl = 'build {\n  provisioner "ansible" {\n    playbook_file = "image.yml"\n  }\n}\n'
    write_tree(
        tmp_path,
        {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "image.yml": play(hosts="all"), "build.pkr.hcl": tpl},
    )
    assert not findings(tmp_path, "C105")
    (tmp_path / "build.pkr.hcl").write_text(tpl.replace("image.yml", "other.yml"), encoding="utf-8")
    assert findings(tmp_path, "C105")


def test_c105_a_play_of_run_once_tasks_with_facts_counts_every_host(tmp_path):
    # gathering facts runs on every host: the play is as wide as its hosts
    body = "- hosts: web\n  tasks:\n    - ansible.builtin.command: migrate\n      run_once: true\n"
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "site.yml": body})
    assert findings(tmp_path, "C105")
    (tmp_path / "site.yml").write_text(body.replace("  tasks:", "  gather_facts: false\n  tasks:"), encoding="utf-8")
    assert not findings(tmp_path, "C105")


def test_c105_noqa(tmp_path):
    write_tree(
        tmp_path,
        {
            "ansible.cfg": C105_CFG.replace("forks = 5", "forks = 5 ; noqa: C105"),
            "inventory.ini": WEB12,
            "deploy.yml": play(),
        },
    )
    assert not findings(tmp_path, "C105")


# --------------------------------------------------------------------------- C501

APP = "[app]\napp01\napp02\napp03\n"


def test_c501_reports_default_discovery(tmp_path):
    write_tree(
        tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": APP, "site.yml": play(hosts="app")}
    )
    (f,) = findings(tmp_path, "C501")
    assert f.line == 1 and f.fix is None and f.severity == "info"
    assert "3 SSH hosts (app01, app02, app03)" in f.message
    assert "group_vars/all" in f.help and "one remote command per host" in f.help


@pytest.mark.parametrize("mode", ["auto", "auto_silent", "auto_legacy", "auto_legacy_silent"])
def test_c501_discovery_chosen_in_cfg_is_silent(tmp_path, mode):
    """A project that writes a discovery mode chose discovery: nothing to say."""
    cfg = f"[defaults]\ninventory = hosts\ninterpreter_python = {mode}\n"
    write_tree(tmp_path, {"ansible.cfg": cfg, "hosts": APP, "site.yml": play(hosts="app")})
    assert not findings(tmp_path, "C501")


def test_c501_empty_value_is_unset(tmp_path):
    cfg = "[defaults]\ninventory = hosts\ninterpreter_python =\n"
    write_tree(tmp_path, {"ansible.cfg": cfg, "hosts": APP, "site.yml": play(hosts="app")})
    assert len(findings(tmp_path, "C501")) == 1


@pytest.mark.parametrize(
    "files",
    [
        {"group_vars/all.yml": "ansible_interpreter_python_fallback: [/usr/local/bin/python3, python3]\n"},
        {"hosts": "[app]\nweb1.example.com\nweb2.example.com\n"},  # placeholder hosts (RFC 2606)
        {"hosts": "[app]\n192.0.2.10\n198.51.100.7\n"},  # documentation addresses (RFC 5737)
    ],
    ids=["var-fallback", "example.com", "doc-addresses"],
)
def test_c501_silent_where_discovery_is_on_purpose_or_hosts_are_placeholders(tmp_path, files):
    base = {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": APP, "site.yml": play(hosts="app")}
    base.update(files)
    write_tree(tmp_path, base)
    assert not findings(tmp_path, "C501")


def test_c501_advises_per_group_where_groups_differ(tmp_path):
    inv = "[centos7]\nc7a\nc7b\n\n[debian]\ndeb1\n\n[freebsd]\nbsd1\n\n[freebsd:vars]\nansible_python_interpreter=/usr/local/bin/python3\n"
    write_tree(
        tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": inv, "site.yml": play(hosts="all")}
    )
    (f,) = findings(tmp_path, "C501")
    assert "3 SSH hosts" in f.message
    assert "per group" in f.help and "group_vars/centos7.yml" in f.help and "group_vars/debian.yml" in f.help
    assert "group_vars/all" not in f.help


def test_c501_interpreter_set_in_cfg(tmp_path):
    write_tree(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = hosts\ninterpreter_python = /usr/bin/python3\n",
            "hosts": APP,
            "site.yml": play(hosts="app"),
        },
    )
    assert not findings(tmp_path, "C501")


@pytest.mark.parametrize(
    "files",
    [
        {"group_vars/all.yml": "ansible_python_interpreter: /usr/bin/python3\n"},
        {"group_vars/app.yml": "ansible_python_interpreter: /usr/bin/python3\n"},
        {"hosts": "[app]\napp01\napp02\napp03\n\n[app:vars]\nansible_python_interpreter=/usr/bin/python3\n"},
        {"host_vars/app01.yml": "ansible_python_interpreter: /usr/bin/python3\n", "hosts": "[app]\napp01\n"},
        {"group_vars/all.yml": "ansible_python_interpreter: '{{ ansible_playbook_python }}'\n"},
        {"site.yml": play(hosts="app", extra="  vars:\n    ansible_python_interpreter: /usr/bin/python3\n")},
        {
            "site.yml": play(hosts="app", extra="  vars_files:\n    - vars/main.yml\n"),
            "vars/main.yml": "ansible_python_interpreter: /usr/bin/python3\n",
        },
    ],
    ids=[
        "group_vars-all",
        "group_vars-group",
        "inventory-group-vars",
        "host_vars",
        "templated",
        "play-vars",
        "vars_files",
    ],
)
def test_c501_interpreter_set_for_the_hosts(tmp_path, files):
    base = {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": APP, "site.yml": play(hosts="app")}
    base.update(files)
    write_tree(tmp_path, base)
    assert not findings(tmp_path, "C501")


def test_c501_play_vars_beat_inventory_vars(tmp_path):
    files = {
        "ansible.cfg": "[defaults]\ninventory = hosts\n",
        "hosts": APP,
        "group_vars/all.yml": "ansible_python_interpreter: auto_silent\n",
        "site.yml": play(hosts="app", extra="  vars:\n    ansible_python_interpreter: ''\n"),
    }
    write_tree(tmp_path, files)
    assert len(findings(tmp_path, "C501")) == 1  # the play's empty value wins: unset


def test_c501_inventory_auto_silent_is_on_purpose(tmp_path):
    files = {
        "ansible.cfg": "[defaults]\ninventory = hosts\n",
        "hosts": APP,
        "group_vars/all.yml": "ansible_python_interpreter: auto_silent\n",
        "site.yml": play(hosts="app"),
    }
    write_tree(tmp_path, files)
    assert not findings(tmp_path, "C501")


def test_c501_only_some_hosts(tmp_path):
    files = {
        "ansible.cfg": "[defaults]\ninventory = hosts\n",
        "hosts": "[app]\napp01\napp02 ansible_python_interpreter=/usr/bin/python3\n",
        "site.yml": play(hosts="app"),
    }
    write_tree(tmp_path, files)
    (f,) = findings(tmp_path, "C501")
    assert "1 SSH host (app01)" in f.message


def test_c501_only_targeted_hosts_count(tmp_path):
    files = {
        "ansible.cfg": "[defaults]\ninventory = hosts\n",
        "hosts": APP + "\n[db]\ndb01\n\n[db:vars]\nansible_python_interpreter=/usr/bin/python3\n",
        "site.yml": play(hosts="db"),
    }
    write_tree(tmp_path, files)
    assert not findings(tmp_path, "C501")  # the app hosts run no play of this project


@pytest.mark.parametrize(
    "inventory",
    [
        "[win]\nwin01\nwin02\n\n[win:vars]\nansible_connection=winrm\n",
        "[win]\nwin01 ansible_connection=psrp\n",
        "[local]\nlocalhost ansible_connection=local\n",
        "[switches]\nsw01 ansible_connection=ansible.netcommon.network_cli\n",
    ],
    ids=["winrm", "psrp", "local", "network_cli"],
)
def test_c501_no_ssh_hosts(tmp_path, inventory):
    write_tree(
        tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": inventory, "site.yml": play(hosts="all")}
    )
    assert not findings(tmp_path, "C501")


def test_c501_implicit_localhost_and_no_inventory(tmp_path):
    write_tree(tmp_path, {"ansible.cfg": "[defaults]\nforks = 5\n", "site.yml": play(hosts="localhost")})
    assert not findings(tmp_path, "C501")


def test_c501_mixed_windows_and_ssh(tmp_path):
    inv = "[win]\nwin01\n\n[win:vars]\nansible_connection=winrm\n\n[app]\napp01\n"
    write_tree(
        tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": inv, "site.yml": play(hosts="all")}
    )
    (f,) = findings(tmp_path, "C501")
    assert "1 SSH host (app01)" in f.message and "win01" not in f.message


def test_c501_play_connection_local(tmp_path):
    pb = "- hosts: app\n  connection: local\n  tasks:\n    - ansible.builtin.ping:\n"
    write_tree(tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": APP, "site.yml": pb})
    assert not findings(tmp_path, "C501")


def test_c501_no_playbook_checks_inventory_hosts(tmp_path):
    write_tree(tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": APP})
    (f,) = findings(tmp_path, "C501")
    assert "3 SSH hosts" in f.message


# --------------------------------------------------------------------------- C502

SITE = play(hosts="web", name="Web")


def c502_fix(folder: Path):
    res = fix(folder, "C502")
    fix_is_idempotent(folder, "C502")
    return res


def test_c502_baseline_parses_and_matches_its_changes():
    from ansopt.rules.c502_no_project_cfg import baseline

    for inv, forks, ssh in (("hosts", 12, True), (None, None, True), ("inventory/hosts.ini", 50, False)):
        text, changes = baseline(inv, forks, " ('x': 12 hosts)", ssh=ssh)
        cp = configparser.ConfigParser(inline_comment_prefixes=(";",))
        cp.read_string(text)
        got = {s: {k: cp.get(s, k, raw=True) for k in cp[s]} for s in cp.sections()}
        want: dict = {}
        for ch in changes:
            want.setdefault(ch.path[0], {})[ch.path[1]] = ch.value
        assert got == want
        assert ("inventory" in got["defaults"]) == (inv is not None)
        assert ("forks" in got["defaults"]) == (forks is not None)
        assert ("ssh_connection" in got) == ssh
        assert got["defaults"]["gathering"] == "smart"
        assert got["defaults"]["fact_caching_timeout"] == "86400"
        assert "callbacks_enabled" not in got["defaults"]
        assert "# callbacks_enabled = ansible.posix.profile_tasks" in text
        assert "REPLACES" in text and "~/.ansible.cfg and /etc/ansible/ansible.cfg" in text
        assert "rm -rf ~/.ansible/fact_cache" in text
        if ssh:
            assert got["ssh_connection"] == {
                "pipelining": "True",
                "ssh_args": "-C -o ControlMaster=auto -o ControlPersist=60s",
            }
            assert "requiretty" in text
        # every setting has a comment line directly above it
        lines = text.splitlines()
        for i, line in enumerate(lines):
            if line and line[0] not in "#[" and "=" in line:
                assert lines[i - 1].startswith("#"), line


def test_c502_creates_the_cfg(tmp_path):
    write_tree(tmp_path, {"site.yml": SITE, "inventory.ini": WEB12})
    (f,) = findings(tmp_path, "C502")
    assert f.path == "site.yml" and f.line == 1 and f.severity == "info"
    assert f.fix is not None and f.fix.safety == "unsafe"
    assert "no ansible.cfg applies to site.yml" in f.message
    res = c502_fix(tmp_path)
    cfg = tmp_path / "ansible.cfg"
    assert str(cfg) in res.created
    values = cfgfile.parse_values(cfg.read_text())
    assert values["defaults"]["inventory"] == "inventory.ini"
    assert values["defaults"]["forks"] == "12"
    assert not findings(tmp_path, "C502")


def test_c502_forks_only_above_five_and_capped(tmp_path):
    write_tree(tmp_path / "small", {"site.yml": play(hosts="db"), "inventory.ini": WEB12})
    c502_fix(tmp_path / "small")
    assert "forks" not in cfgfile.parse_values((tmp_path / "small" / "ansible.cfg").read_text())["defaults"]
    write_tree(tmp_path / "big", {"site.yml": play(hosts="all"), "hosts": "[web]\nweb[001:120]\n"})
    c502_fix(tmp_path / "big")
    text = (tmp_path / "big" / "ansible.cfg").read_text()
    assert cfgfile.parse_values(text)["defaults"]["forks"] == "50"
    assert "capped at 50" in text


def test_c502_inventory_only_when_exactly_one(tmp_path):
    files = {"site.yml": SITE, "inventories/prod/hosts": WEB12, "inventories/stage/hosts": "[web]\nstage01\n"}
    write_tree(tmp_path, files)
    c502_fix(tmp_path)
    values = cfgfile.parse_values((tmp_path / "ansible.cfg").read_text())["defaults"]
    assert "inventory" not in values
    assert values["forks"] == "12"  # the largest alternative


def test_c502_consistent_with_c105_and_other_cfg_rules(tmp_path):
    write_tree(
        tmp_path, {"site.yml": SITE + play(hosts="db", name="Db", extra="  serial: 1\n"), "inventory.ini": WEB12}
    )
    c502_fix(tmp_path)
    res = run_engine(tmp_path, select=["C"])
    cfg_findings = [f for f in res.findings if f.path == "ansible.cfg"]
    # By design the baseline leaves the timing callback commented out (C301, info) and the
    # interpreter unset (C501, info): neither can be written without knowing the machines.
    assert {f.code for f in cfg_findings} <= {"C301", "C501"}, [(f.code, f.message) for f in cfg_findings]
    assert not [f for f in res.findings if f.fix is not None and f.path == "ansible.cfg"]


def test_c502_cfg_accepted_by_ansible_core(tmp_path):
    exe = shutil.which("ansible-config") or str(Path(sys.executable).parent / "ansible-config")
    if not os.path.exists(exe):
        pytest.skip("ansible-config is not installed")
    write_tree(tmp_path, {"site.yml": SITE, "inventory.ini": WEB12})
    c502_fix(tmp_path)
    cfg = str(tmp_path / "ansible.cfg")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env["HOME"] = str(tmp_path)
    out = subprocess.run(
        [exe, "dump", "--only-changed", "-c", cfg],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    for expected in (
        "DEFAULT_FORKS",
        "= 12",
        "DEFAULT_GATHERING",
        "smart",
        "CACHE_PLUGIN",
        "jsonfile",
        "CACHE_PLUGIN_TIMEOUT",
        "86400",
        "DEFAULT_HOST_LIST",
        "inventory.ini",
    ):
        assert expected in out.stdout, out.stdout
    assert "[WARNING]" not in out.stderr and "ERROR" not in out.stderr, out.stderr
    # `validate` needs `-t connection` to know [ssh_connection] (plain `validate` calls it unknown)
    val = subprocess.run(
        [exe, "validate", "-t", "connection", "-c", cfg],
        capture_output=True,
        text=True,
        env=env,
        cwd=str(tmp_path),
        timeout=120,
    )
    assert val.returncode == 0, val.stdout + val.stderr


def test_c502_playbooks_folder_runs_from_its_parent(tmp_path):
    files = {"playbooks/site.yml": SITE, "playbooks/deploy.yml": SITE, "inventory.ini": WEB12}
    write_tree(tmp_path, files)
    (f,) = findings(tmp_path, "C502")
    assert f.path == os.path.join("playbooks", "deploy.yml")  # alphabetically first
    assert "playbooks/deploy.yml, playbooks/site.yml" in f.message
    c502_fix(tmp_path)
    assert (tmp_path / "ansible.cfg").is_file() and not (tmp_path / "playbooks" / "ansible.cfg").exists()
    assert cfgfile.parse_values((tmp_path / "ansible.cfg").read_text())["defaults"]["inventory"] == "inventory.ini"


def test_c502_one_per_folder_nested_folders_join(tmp_path):
    files = {
        "site.yml": SITE,
        "sub/other.yml": SITE,
        "project2/a.yml": SITE,
        "project2/ansible.cfg": "[defaults]\nforks = 20\n",
        "inventory.ini": WEB12,
    }
    files["a/nested.yml"] = SITE  # alphabetically first, but nested: the folder's own come first
    write_tree(tmp_path, files)
    fs = findings(tmp_path, "C502")
    assert [f.path for f in fs] == ["site.yml"]
    assert "site.yml, a/nested.yml +1 more" in fs[0].message and dict(fs[0].extra)["playbooks"] == [
        "site.yml",
        "a/nested.yml",
        "sub/other.yml",
    ]
    res = c502_fix(tmp_path)
    assert res.created == {str(tmp_path / "ansible.cfg")}


def test_c502_separate_projects(tmp_path):
    write_tree(tmp_path, {"one/site.yml": SITE, "two/site.yml": SITE})
    fs = findings(tmp_path, "C502")
    assert sorted(f.path for f in fs) == [os.path.join("one", "site.yml"), os.path.join("two", "site.yml")]
    res = c502_fix(tmp_path)
    assert res.created == {str(tmp_path / "one" / "ansible.cfg"), str(tmp_path / "two" / "ansible.cfg")}


def test_c502_cfg_above_applies(tmp_path):
    write_tree(tmp_path, {"ansible.cfg": "[defaults]\nforks = 20\n", "deploy/site.yml": SITE})
    assert not findings(tmp_path, "C502")


@pytest.mark.parametrize(
    "files",
    [
        {"roles/web/molecule/default/converge.yml": SITE},
        {"molecule/default/converge.yml": SITE},
        {"tests/integration/targets/foo/runme.yml": SITE},
        {"site.yml": play(hosts="localhost")},
        {"site.yml": "- hosts: all\n  connection: local\n  tasks:\n    - ansible.builtin.ping:\n"},
        {"site.yml": play(hosts="local"), "hosts": "[local]\nlocalhost ansible_connection=local\n"},
        {"vars.yml": "a: 1\n"},  # no playbook
    ],
    ids=[
        "role-molecule",
        "molecule",
        "ansible-test",
        "localhost",
        "connection-local",
        "inventory-local",
        "no-playbook",
    ],
)
def test_c502_not_reported(tmp_path, files):
    write_tree(tmp_path, files)
    assert not findings(tmp_path, "C502")


def test_c502_ansible_config_env(tmp_path, monkeypatch):
    write_tree(tmp_path, {"site.yml": SITE, "conf/my.cfg": "[defaults]\nforks = 20\n"})
    assert findings(tmp_path, "C502")
    monkeypatch.setenv("ANSIBLE_CONFIG", str(tmp_path / "conf" / "my.cfg"))
    assert not findings(tmp_path, "C502")


def test_c502_windows_only_has_no_ssh_section(tmp_path):
    inv = "[win]\nwin[01:08]\n\n[win:vars]\nansible_connection=winrm\n"
    write_tree(tmp_path, {"site.yml": play(hosts="win"), "hosts": inv})
    c502_fix(tmp_path)
    values = cfgfile.parse_values((tmp_path / "ansible.cfg").read_text())
    assert "ssh_connection" not in values
    assert values["defaults"]["forks"] == "8"
    assert not [f for f in run_engine(tmp_path, select=["C101"]).findings if f.code == "C101"]


def test_c502_golden_sample_is_what_the_fix_writes():
    from ansopt.rules.c502_no_project_cfg import baseline

    good = Path(__file__).resolve().parents[1] / "sample_playbooks" / "C502-no-project-cfg" / "good" / "ansible.cfg"
    text, _ = baseline("inventory.ini", 8, " ('Configure the web servers': 8 hosts)")
    assert good.read_text() == text


# --------------------------------------------------------------------------- corpus


@pytest.fixture(scope="module")
def corpus_findings():
    corpus = corpus_or_skip()
    res = run_engine(corpus, select=["C105", "C501", "C502"])
    assert res.internal_errors == 0, [f.message for f in res.findings if f.code == "E003"]
    return [f for f in res.findings if f.code in ("C105", "C501", "C502")]


def test_corpus_c105(corpus_findings):
    # No play of the corpus runs on more hosts than its cfg's forks: lamp-infrastructure's
    # vagrant inventory has 6 hosts and forks is the default 5, but each of its plays
    # targets one group of at most 2 hosts (lamp_www, lamp_db); phillips_hue sets forks 50.
    assert [f for f in corpus_findings if f.code == "C105"] == []


def test_corpus_c501(corpus_findings):
    got = sorted((f.path, f.line) for f in corpus_findings if f.code == "C501")
    assert got == [
        ("ansible-for-devops/deployments-rolling/ansible.cfg", 1),
        ("ansible-for-devops/elk/ansible.cfg", 1),
        ("ansible-for-devops/kubernetes/ansible.cfg", 1),
        ("ansible-for-devops/lamp-infrastructure/ansible.cfg", 1),
        ("ansible-for-devops/orchestration/ansible.cfg", 1),
    ]
    lamp = next(f for f in corpus_findings if f.code == "C501" and "lamp-infrastructure" in f.path)
    assert "6 SSH hosts" in lamp.message and "192.168.56.2" in " ".join(dict(lamp.extra)["hosts"])


# One finding per run folder without an applicable ansible.cfg, on its first playbook.
# Read and agreed with: old example projects (ansible-examples), ansible-for-devops chapters
# without a cfg (the others have one), the lint examples as one folder, and three
# community.general targets whose plays use templated or inventory hosts (the corpus keeps
# only their YAML: in the real repository they sit under tests/integration/targets/, skipped).
CORPUS_C502 = [
    "ansible-examples/jboss-standalone/demo-aws-launch.yml",
    "ansible-examples/lamp_haproxy/provision.yml",
    "ansible-examples/lamp_simple/site.yml",
    "ansible-examples/lamp_simple_rhel7/site.yml",
    "ansible-examples/language_features/ansible_pull.yml",
    "ansible-examples/mongodb/playbooks/testsharding.yml",
    "ansible-examples/tomcat-memcached-failover/site.yml",
    "ansible-examples/tomcat-standalone/site.yml",
    "ansible-examples/windows/create-user.yml",
    "ansible-examples/wordpress-nginx/site.yml",
    "ansible-examples/wordpress-nginx_rhel7/site.yml",
    "ansible-for-devops/collection/main.yml",
    "ansible-for-devops/deployments-balancer/playbooks/deploy.yml",
    "ansible-for-devops/deployments/playbooks/deploy.yml",
    "ansible-for-devops/docker-flask/provisioning/main.yml",
    "ansible-for-devops/drupal/provisioning/playbook.yml",
    "ansible-for-devops/dynamic-inventory/digitalocean/provision.yml",
    "ansible-for-devops/first-ansible-playbook/playbook.yml",
    "ansible-for-devops/galaxy-role-servers/lamp.yml",
    "ansible-for-devops/gluster/playbooks/provision.yml",
    "ansible-for-devops/includes/provisioning/playbook.yml",
    "ansible-for-devops/jenkins/provision.yml",
    "ansible-for-devops/nodejs-role/playbook.yml",
    "ansible-for-devops/nodejs/provisioning/playbook.yml",
    "ansible-for-devops/security/main.yml",
    "ansible-for-devops/solr/provisioning/playbook.yml",
    "ansible-for-devops/test-plugin/main.yml",
    "ansible-lint-examples/playbooks/adj_action.yml",
    "community.general-targets/connection/test_connection.yml",
    "community.general-targets/connection_wsl/dependencies.yml",
    "community.general-targets/lookup_merge_variables/test.yml",
]


def test_corpus_c502(corpus_findings):
    got = {f.path: f for f in corpus_findings if f.code == "C502"}
    assert sorted(got) == CORPUS_C502
    # old-style example projects without a cfg: reported, one finding per project folder
    for path in (
        "ansible-examples/lamp_simple/site.yml",
        "ansible-examples/wordpress-nginx/site.yml",
        "ansible-examples/mongodb/playbooks/testsharding.yml",  # playbooks/ runs from mongodb/
        "ansible-examples/lamp_haproxy/provision.yml",  # aws/ joins lamp_haproxy/
        "ansible-for-devops/deployments-balancer/playbooks/deploy.yml",
        "ansible-for-devops/first-ansible-playbook/playbook.yml",
    ):
        assert path in got, sorted(got)
    assert (
        "write ansible-examples/mongodb/ansible.cfg" in got["ansible-examples/mongodb/playbooks/testsharding.yml"].help
    )
    assert "write ansible-examples/lamp_haproxy/ansible.cfg" in got["ansible-examples/lamp_haproxy/provision.yml"].help
    # covered by a cfg above them, controller-only, or one finding per folder
    for prefix in (
        "ansible-for-devops/lamp-infrastructure/",  # lamp-infrastructure/ansible.cfg
        "ansible-for-devops/deployments-rolling/",
        "ansible-for-devops/docker-hubot/",  # hosts: localhost only
        "ansible-for-devops/docker/",
        "community.general-targets/filter_jc/",  # hosts: localhost
    ):
        assert not [p for p in got if p.startswith(prefix)], prefix
    assert len([p for p in got if p.startswith("ansible-examples/lamp_haproxy/")]) == 1
    assert all(f.fix is not None and f.fix.safety == "unsafe" for f in got.values())


def test_corpus_c502_fix_on_a_copy(tmp_path):
    corpus = corpus_or_skip()
    dst = tmp_path / "corpus"
    copy_writable(corpus / "ansible-examples", dst / "ansible-examples", symlinks=True)
    res = fix(dst, "C502")
    assert res.created
    haproxy = dst / "ansible-examples" / "lamp_haproxy" / "ansible.cfg"
    assert str(haproxy) in res.created
    assert cfgfile.parse_values(haproxy.read_text())["defaults"]["inventory"] == "hosts"
    fix_is_idempotent(dst, "C502")


def test_c105_an_etc_hosts_file_is_no_inventory(tmp_path):
    """`scripts/hosts` in /etc/hosts format: ansible-core cannot parse it as INI and skips it."""
    from .conftest import run_engine, write_tree

    etc = "127.0.0.1 localhost\n" + "".join(f"10.0.0.{i} node{i}\n" for i in range(1, 13))
    play = "- hosts: all\n  tasks:\n    - ansible.builtin.ping:\n"
    write_tree(tmp_path, {"ansible.cfg": "[defaults]\n", "scripts/hosts": etc, "site.yml": play})
    assert not [f for f in run_engine(tmp_path, select=["C105"]).findings if f.code == "C105"]


def test_c105_title_plays_and_test_playbooks_do_not_count(tmp_path):
    title = "- name: Deploy the homelab\n  hosts: all\n  gather_facts: false\n\n- import_playbook: web.yml\n"
    write_tree(
        tmp_path,
        {
            "ansible.cfg": C105_CFG,
            "inventory.ini": WEB12,
            "site.yml": title,
            "web.yml": play(hosts="db"),
            "test/playbooks/bootstrap.yml": play(hosts="all"),  # a test harness's, run with --limit
        },
    )
    assert not findings(tmp_path, "C105")


def test_c105_all_over_servers_and_api_endpoints_is_run_with_a_limit(tmp_path):
    inv = "[nodes]\nn[1:8]\n\n[api]\nocp-api ansible_connection=local\nunifi ansible_connection=httpapi\n"
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": inv, "site.yml": play(hosts="all")})
    assert not findings(tmp_path, "C105")
    (tmp_path / "site.yml").write_text(play(hosts="[all]"), encoding="utf-8")  # a list of one
    assert not findings(tmp_path, "C105")
    (tmp_path / "site.yml").write_text(play(hosts="nodes"), encoding="utf-8")
    assert findings(tmp_path, "C105")  # the 8 nodes themselves


def test_c105_a_play_delegated_to_one_host_is_not_counted(tmp_path):
    body = (
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - name: Disk\n      ansible.builtin.command: qemu-img create x\n"
        "      delegate_to: '{{ kvm_host }}'\n"
    )
    write_tree(tmp_path, {"ansible.cfg": C105_CFG, "inventory.ini": WEB12, "site.yml": body})
    assert not findings(tmp_path, "C105")
    (tmp_path / "site.yml").write_text(body.replace("'{{ kvm_host }}'", "localhost"), encoding="utf-8")
    assert findings(tmp_path, "C105")  # delegated to the controller: forks still run them in parallel
