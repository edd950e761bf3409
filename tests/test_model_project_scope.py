"""What the project and the scope derive and keep: the playbooks a cfg applies to, the
inventory folders and hosts of a scope, the group_vars texts, each cached on its owner."""

from __future__ import annotations

import os

from ansopt import discover
from ansopt.model.project import Project
from ansopt.model.scope import scope_for_cfg, scope_for_playbook

from .conftest import write_tree


def _project(root) -> Project:
    files = discover.discover([str(root)], str(root), cwd=str(root))
    return Project(str(root), files, cwd=str(root))


def test_playbooks_for_cfg_scope_hosts_and_var_texts(tmp_path):
    write_tree(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = inventory/hosts.ini\n",
            "inventory/hosts.ini": "[web]\nw[1:3]\n[db]\nd1\n",
            "inventory/group_vars/web.yml": "http_port: 80\n",
            "site.yml": "- hosts: web\n  tasks: []\n- hosts: db:web\n  tasks: []\n",
            "tasks/main.yml": "- debug: msg=x\n",
            "other/ansible.cfg": "[defaults]\n",
            "other/play.yml": "- hosts: all\n  tasks: []\n",
        },
    )
    project = _project(tmp_path)
    cfg = str(tmp_path / "ansible.cfg")
    pbs = project.playbooks_for_cfg(cfg)
    assert [os.path.relpath(p.abspath, tmp_path) for p in pbs] == ["site.yml"]  # not other/play.yml, not a task file
    assert project.playbooks_for_cfg(cfg) is pbs  # kept on the project
    scope = scope_for_cfg(project, cfg)
    assert scope is scope_for_playbook(project, str(tmp_path / "site.yml"))
    assert scope.inventory_dirs == [str(tmp_path / "inventory")]
    web, both = pbs[0].plays
    assert scope.play_hosts(web.value("hosts")) == {"w1", "w2", "w3"}
    assert scope.play_hosts(both.value("hosts")) == {"d1", "w1", "w2", "w3"}
    assert scope.play_hosts("{{ target }}") is None
    texts = project.var_dir_texts(str(tmp_path / "inventory"))
    assert texts == [("inventory/group_vars/web.yml", "http_port: 80\n")]
    assert project.var_dir_texts(str(tmp_path)) == []
