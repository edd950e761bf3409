"""Discovery and classification by Ansible's layout."""

from __future__ import annotations

import os

from ansopt import discover
from ansopt.engine import Engine
from ansopt.settings import Settings

from .conftest import write_tree


def kinds(tmp_path, **kw):
    return {
        os.path.relpath(f.abspath, tmp_path): f.kind
        for f in discover.discover([str(tmp_path)], str(tmp_path), cwd=str(tmp_path), **kw)
    }


def test_layout_classification(tmp_path):
    write_tree(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\n",
            "site.yml": "- hosts: all\n",
            "roles/web/tasks/main.yml": "- debug:\n",
            "roles/web/handlers/main.yml": "- name: h\n  debug:\n",
            "roles/web/defaults/main.yml": "x: 1\n",
            "roles/web/vars/main.yml": "x: 1\n",
            "roles/web/meta/main.yml": "dependencies: []\n",
            "roles/web/templates/app.conf": "{{ x }}\n",
            "roles/web/files/blob.yml": "not: ansible\n",
            "group_vars/all.yml": "x: 1\n",
            "group_vars/web/main.yml": "x: 1\n",
            "host_vars/h1": "x: 1\n",
            "inventory/hosts": "[web]\nh1\n",
            "hosts.ini": "[web]\nh1\n",
            "templates/x.j2": "{{ y }}\n",
            "tasks/extra.yml": "- debug:\n",
            ".github/workflows/ci.yml": "on: push\n",
            "docker-compose.yml": "services: {}\n",
            "README.md": "# hi\n",
        },
    )
    k = kinds(tmp_path)
    assert k["ansible.cfg"] == discover.CFG and k["site.yml"] == discover.YAML
    assert k["roles/web/tasks/main.yml"] == discover.TASKS and k["roles/web/handlers/main.yml"] == discover.HANDLERS
    assert (
        k["roles/web/defaults/main.yml"]
        == k["roles/web/vars/main.yml"]
        == k["group_vars/all.yml"]
        == k["group_vars/web/main.yml"]
        == k["host_vars/h1"]
        == discover.VARS
    )
    assert k["roles/web/meta/main.yml"] == discover.META
    assert k["roles/web/templates/app.conf"] == k["templates/x.j2"] == discover.TEMPLATE
    assert k["inventory/hosts"] == k["hosts.ini"] == discover.INVENTORY
    assert k["tasks/extra.yml"] == discover.TASKS
    for skipped in ("roles/web/files/blob.yml", ".github/workflows/ci.yml", "docker-compose.yml", "README.md"):
        assert skipped not in k


def test_skips_vcs_venvs_node_modules_excludes_and_gitignore(tmp_path):
    write_tree(
        tmp_path,
        {
            ".git/x.yml": "- hosts: all\n",
            "node_modules/p/x.yml": "- hosts: all\n",
            "env/pyvenv.cfg": "home = /usr\n",
            "env/lib/x.yml": "- hosts: all\n",
            "legacy/old.yml": "- hosts: all\n",
            "build/gen.yml": "- hosts: all\n",
            ".gitignore": "build/\n*.tmp.yml\n",
            "a.tmp.yml": "- hosts: all\n",
            "site.yml": "- hosts: all\n",
        },
    )
    assert list(kinds(tmp_path, exclude=["legacy/"])) == ["site.yml"]
    assert "build/gen.yml" in kinds(tmp_path, respect_gitignore=False)


def test_explicit_files_honour_excludes_not_gitignore(tmp_path):
    write_tree(tmp_path, {".gitignore": "*.yml\n", "site.yml": "- hosts: all\n", "legacy/x.yml": "- hosts: all\n"})
    got = discover.discover(
        [str(tmp_path / "site.yml"), str(tmp_path / "legacy/x.yml")],
        str(tmp_path),
        exclude=["legacy/"],
        cwd=str(tmp_path),
    )
    assert [f.path for f in got] == ["site.yml"]


def test_content_kind(tmp_path):
    from ansopt.discover import content_kind
    from ansopt.source.yamlfile import load_text

    assert content_kind(load_text("p", "- hosts: all\n  tasks: []\n")) == discover.PLAYBOOK
    assert content_kind(load_text("p", "- import_playbook: x.yml\n")) == discover.PLAYBOOK
    assert content_kind(load_text("p", "- name: x\n  ansible.builtin.debug: msg=1\n")) == discover.TASKS
    assert content_kind(load_text("p", "- src: geerlingguy.docker\n  version: 1.0\n")) == discover.OTHER
    assert (
        content_kind(load_text("p", "all:\n  children:\n    web:\n      hosts:\n        h1:\n")) == discover.INVENTORY
    )
    assert content_kind(load_text("p", "key: value\n")) == discover.OTHER


def test_inventory_named_by_ansible_cfg(tmp_path):
    write_tree(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = staging, prod.list\n",
            "staging": "[web]\nh1\n",
            "prod.list": "[web]\nh2\n",
        },
    )
    eng = Engine(Settings(root=str(tmp_path)), ["."], cwd=str(tmp_path))
    k = {f.path: f.kind for f in eng.files}
    assert k["staging"] == discover.INVENTORY and k["prod.list"] == discover.INVENTORY


def test_gitignore_from_the_repository_root_and_nested(tmp_path):
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "",
            ".gitignore": "build/\n",
            "build/gen.yml": "- hosts: all\n",
            "sub/.gitignore": "*.tmp.yml\n",
            "sub/x/a.tmp.yml": "- hosts: all\n",
            "sub/x/site.yml": "- hosts: all\n",
            "sub/build/b.yml": "- hosts: all\n",
        },
    )
    # walking a sub folder still applies the root .gitignore and the sub folder's own
    got = [f.path for f in discover.discover([str(tmp_path / "sub")], str(tmp_path), cwd=str(tmp_path))]
    assert got == ["sub/x/site.yml"]
    # from outside the repository, its .gitignore files still apply
    got = [os.path.relpath(f.abspath, tmp_path) for f in discover.discover([str(tmp_path)], "/", cwd="/")]
    assert got == ["sub/x/site.yml"]


def test_symlink_and_target_checked_once(tmp_path):
    write_tree(tmp_path, {"real/site.yml": "- hosts: all\n"})
    os.symlink(tmp_path / "real" / "site.yml", tmp_path / "link.yml")
    got = discover.discover([str(tmp_path)], str(tmp_path), cwd=str(tmp_path))
    assert len(got) == 1


def test_file_kinds_are_an_enum_of_their_old_strings(tmp_path):
    assert discover.PLAYBOOK is discover.FileKind.PLAYBOOK
    assert discover.FileKind.PLAYBOOK == "playbook" and f"{discover.FileKind.CFG}" == "cfg"
    assert {k.value for k in discover.KINDS} == {
        "cfg",
        "playbook",
        "tasks",
        "handlers",
        "vars",
        "meta",
        "inventory",
        "template",
        "yaml",
        "other",
    }
    p = tmp_path / "ansible.cfg"
    p.write_text("[defaults]\n")
    assert type(discover.classify(str(p))) is discover.FileKind


def test_gitignore_patterns_as_git_reads_them(tmp_path):
    play = "- hosts: all\n  tasks: []\n"
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".gitignore": "/top.yml\n*.gen.yml\n!keep.gen.yml\nout/\ndocs/**/draft.yml\n",
            "top.yml": play,
            "sub/top.yml": play,  # `/top.yml` is anchored at the root
            "a.gen.yml": play,
            "keep.gen.yml": play,  # re-included
            "out/site.yml": play,  # a folder pattern
            "out.yml": play,  # ... matches folders only
            "docs/x/y/draft.yml": play,  # `**` crosses folders
            "docs/draft.yml": play,
            "roles/r/.gitignore": "tasks/local.yml\n",
            "roles/r/tasks/main.yml": "- debug: msg=x\n",
            "roles/r/tasks/local.yml": "- debug: msg=x\n",  # a nested .gitignore, relative to its folder
        },
    )
    assert sorted(kinds(tmp_path)) == ["keep.gen.yml", "out.yml", "roles/r/tasks/main.yml", "sub/top.yml"]


def test_settings_excludes_with_a_dot_slash_and_negation(tmp_path):
    play = "- hosts: all\n  tasks: []\n"
    write_tree(tmp_path, {"legacy/a.yml": play, "x/legacy/b.yml": play, "tmp/c.yml": play, "tmp/keep.yml": play})
    assert sorted(kinds(tmp_path, exclude=["./legacy/", "tmp/*", "!tmp/keep.yml"])) == [
        "tmp/keep.yml"
    ]  # `./legacy/` as `legacy/`
    assert sorted(kinds(tmp_path, exclude=["/legacy/"])) == ["tmp/c.yml", "tmp/keep.yml", "x/legacy/b.yml"]


def test_a_gitignore_line_git_cannot_read_is_left_out(tmp_path):
    play = "- hosts: all\n  tasks: []\n"
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            ".gitignore": "broken\\\n*.gen.yml\nx/**/\n",
            "a.gen.yml": play,
            "site.yml": play,
            "x/top.yml": play,  # `x/**/`: the folders inside x, not x's own files
            "x/sub/deep.yml": play,
        },
    )
    assert sorted(kinds(tmp_path)) == ["site.yml", "x/top.yml"]
