"""Scope.connection_of: the connection type each host of a project gets, from ansible.cfg
(`transport`), the inventory's host, group and `all` vars, group_vars/host_vars next to the
inventory and next to the playbook, and the implicit localhost."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansopt.engine import Engine
from ansopt.model.scope import Scope, build_scope, scope_for_cfg
from ansopt.settings import load

from .conftest import write_tree


@pytest.fixture(autouse=True)
def _no_ansible_config(monkeypatch):
    monkeypatch.delenv("ANSIBLE_CONFIG", raising=False)


def _scope(tmp_path: Path, files: dict[str, str]) -> Scope:
    write_tree(tmp_path, files)
    project = Engine(load(str(tmp_path)), ["."], cwd=str(tmp_path)).project()
    cfg = tmp_path / "ansible.cfg"
    if cfg.exists():
        return scope_for_cfg(project, str(cfg))
    return build_scope(project, str(tmp_path), None)


def _connections(scope: Scope, playbook_dir: str | None = None) -> dict[str, str]:
    assert len(scope.inventories) == 1, [s.abspath for s in scope.inventories]
    src = scope.inventories[0]
    return {h: scope.connection_of(src, h, playbook_dir) for h in src.inv.hosts}


INI = """\
h0
127.0.0.1
[web]
w1
w2 ansible_connection=paramiko
w3
[win]
win1
[win:vars]
ansible_connection=winrm
[dc:children]
web
win
[dc:vars]
ansible_connection=docker
"""


def test_ini_host_group_and_parent_group_vars(tmp_path):
    scope = _scope(tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": INI})
    assert _connections(scope) == {
        "h0": "ssh",  # nothing sets it: ssh
        "127.0.0.1": "ssh",  # an explicit localhost is an ordinary host
        "w1": "docker",  # [dc:vars] of the parent group
        "w2": "paramiko",  # the host's own var beats its groups'
        "w3": "docker",
        "win1": "winrm",  # the child group's var beats the parent's
    }
    # 127.0.0.1 is in the inventory, so `localhost` stands for it: no implicit `local`
    assert scope.connection_of(scope.inventories[0], "localhost") == "ssh"


def test_ini_group_vars_and_host_vars_files(tmp_path):
    scope = _scope(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = inventory/hosts\n",
            "inventory/hosts": INI,
            "inventory/group_vars/web.yml": "ansible_connection: lxd\n",
            "inventory/host_vars/w3.yml": "ansible_connection: psrp\n",
            "inventory/host_vars/h0": "ansible_connection: local\n",
        },
    )
    assert _connections(scope) == {
        "h0": "local",  # host_vars/h0 (no extension)
        "127.0.0.1": "ssh",
        "w1": "lxd",  # group_vars/web beats the inventory's [dc:vars]
        "w2": "paramiko",  # an inline host var beats group_vars
        "w3": "psrp",  # host_vars beats group_vars
        "win1": "winrm",
    }


def test_cfg_transport_is_the_default(tmp_path):
    scope = _scope(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = hosts\ntransport = paramiko\n",
            "hosts": "[web]\nw1\nw2 ansible_connection=ssh\n",
        },
    )
    src = scope.inventories[0]
    assert _connections(scope) == {"w1": "paramiko", "w2": "ssh"}
    assert scope.connection_of(src, "localhost") == "local"  # the implicit localhost ignores transport
    assert scope.connection_of(src, "127.0.0.1") == "local"


YAML = """\
all:
  vars:
    ansible_connection: paramiko
  hosts:
    localhost:
  children:
    local_group:
      hosts:
        ctl:
          ansible_connection: local
    cloud:
      vars:
        ansible_connection: aws_ssm
      children:
        eu:
          hosts:
            e1:
            e2:
              ansible_connection: ssh
    plain:
      hosts:
        p1:
"""


def test_yaml_all_vars_children_and_explicit_localhost(tmp_path):
    scope = _scope(tmp_path, {"ansible.cfg": "[defaults]\ninventory = inventory.yml\n", "inventory.yml": YAML})
    assert _connections(scope) == {
        "localhost": "paramiko",  # explicit: `all` vars apply, no implicit `local`
        "ctl": "local",
        "e1": "aws_ssm",  # from the grandparent group `cloud` through `eu`
        "e2": "ssh",
        "p1": "paramiko",  # `all` vars
    }


def test_yaml_group_vars_all_beats_inventory_group_vars(tmp_path):
    scope = _scope(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = inventory.yml\n",
            "inventory.yml": YAML,
            "group_vars/all.yml": "ansible_connection: docker\n",
            "group_vars/eu/main.yml": "ansible_connection: winrm\n",
        },
    )
    assert _connections(scope) == {
        "localhost": "docker",
        "ctl": "local",  # inventory host vars beat every group_vars file
        "e1": "winrm",  # group_vars/eu beats group_vars/all
        "e2": "ssh",
        "p1": "docker",  # group_vars/all beats the inventory's `all` vars
    }


def test_playbook_vars_folders(tmp_path):
    scope = _scope(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = inventory/hosts.yml\n",
            "inventory/hosts.yml": YAML,
            "inventory/group_vars/plain.yml": "ansible_connection: lxd\n",
            "playbooks/site.yml": "- hosts: all\n  tasks: []\n",
            "playbooks/group_vars/plain.yml": "ansible_connection: psrp\n",
            "playbooks/host_vars/e2.yml": "ansible_connection: docker\n",
        },
    )
    assert _connections(scope)["p1"] == "lxd"
    by_playbook = _connections(scope, str(tmp_path / "playbooks"))
    assert by_playbook["p1"] == "psrp"  # the playbook's group_vars beat the inventory's
    assert by_playbook["e2"] == "docker"  # the playbook's host_vars beat the inventory host var
    assert by_playbook["e1"] == "aws_ssm"


def test_no_cfg_implicit_localhost_and_unknown_host(tmp_path):
    scope = _scope(tmp_path, {"hosts": "[web]\nw1\n[web:vars]\nansible_connection=winrm\n"})
    assert scope.cfg is None
    src = scope.inventories[0]
    assert _connections(scope) == {"w1": "winrm"}
    assert scope.connection_of(src, "localhost") == "local"
    assert scope.connection_of(src, "::1") == "local"
    assert scope.connection_of(src, "nowhere") == "ssh"  # not in the inventory: no vars, the default
