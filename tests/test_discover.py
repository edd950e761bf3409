"""Discovery and classification by Ansible's layout."""

from __future__ import annotations

import os

from ansopt import discover
from ansopt.engine import Engine
from ansopt.settings import Settings

from .conftest import run_engine, write_tree


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


def test_skips_installed_collections_kitchen_files_and_dangling_links(tmp_path):
    write_tree(
        tmp_path,
        {
            "collections/ansible_collections/community/general/tests/x.yml": "- hosts: all\n",
            "collections/requirements.yml": "collections: []\n",
            "ansible_collections/mine/web/playbooks/site.yml": "- hosts: all\n",  # a collection in development
            "roles/web/.kitchen.yml": "driver:\n  name: <%= ENV['DRIVER'] %>\n",
            "site.yml": "- hosts: all\n",
        },
    )
    (tmp_path / "gone.yml").symlink_to(tmp_path / "missing.yml")
    got = sorted(kinds(tmp_path))
    assert got == ["ansible_collections/mine/web/playbooks/site.yml", "site.yml"]


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


# from the wt-model helper: the matching before pathspec, kept

PLAY = "- hosts: all\n"


def _found(tmp_path, paths=(".",), **kw):
    return sorted(
        f.path for f in discover.discover([str(tmp_path / p) for p in paths], str(tmp_path), cwd=str(tmp_path), **kw)
    )


def test_gitignore_negation_re_includes(tmp_path):
    write_tree(
        tmp_path,
        {
            ".gitignore": "*.tmp.yml\n!keep.tmp.yml\n",
            "a.tmp.yml": PLAY,
            "keep.tmp.yml": PLAY,
            "sub/keep.tmp.yml": PLAY,
            "site.yml": PLAY,
        },
    )
    assert _found(tmp_path) == ["keep.tmp.yml", "site.yml", "sub/keep.tmp.yml"]


def test_gitignore_folder_only_pattern_spares_a_file_of_that_name(tmp_path):
    write_tree(
        tmp_path,
        {
            ".gitignore": "build/\n",
            "build/gen.yml": PLAY,
            "sub/build/gen.yml": PLAY,
            "hosts/build": "[web]\nh1\n",
            "site.yml": PLAY,
        },
    )
    # `build/` prunes both folders named build; the inventory file named build stays
    assert _found(tmp_path) == ["hosts/build", "site.yml"]


def test_gitignore_anchored_pattern_only_at_its_folder(tmp_path):
    write_tree(
        tmp_path,
        {
            ".gitignore": "/top.yml\n",
            "sub/.gitignore": "/inner.yml\n",
            "top.yml": PLAY,
            "inner.yml": PLAY,
            "sub/top.yml": PLAY,
            "sub/inner.yml": PLAY,
            "sub/deeper/inner.yml": PLAY,
        },
    )
    assert _found(tmp_path) == ["inner.yml", "sub/deeper/inner.yml", "sub/top.yml"]


def test_gitignore_double_star(tmp_path):
    write_tree(
        tmp_path,
        {
            ".gitignore": "**/gen/*.yml\ndocs/**\n!docs/keep.yml\nout/**/\na/**/b.yml\n",
            "gen/x.yml": PLAY,
            "deep/er/gen/x.yml": PLAY,
            "gen/sub/x.yml": PLAY,  # `*` stops at a slash
            "docs/x.yml": PLAY,
            "docs/keep.yml": PLAY,  # re-included: docs/** ignores what is inside docs, not docs
            "docs/more/keep.yml": PLAY,  # inside an ignored folder: stays ignored
            "out/top.yml": PLAY,  # out/**/ ignores the folders inside out, not its files
            "out/sub/x.yml": PLAY,
            "a/b.yml": PLAY,
            "a/x/y/b.yml": PLAY,
            "a/c.yml": PLAY,
        },
    )
    assert _found(tmp_path) == ["a/c.yml", "docs/keep.yml", "gen/sub/x.yml", "out/top.yml"]


def test_nested_gitignore_overrides_the_one_above_in_its_folder_only(tmp_path):
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "",
            ".gitignore": "*.local.yml\nvendor/\n",
            "a.local.yml": PLAY,
            "keep/.gitignore": "!*.local.yml\n# a comment\n\nfoo\\\n",  # the last line is invalid: skipped
            "keep/b.local.yml": PLAY,
            "keep/deep/c.local.yml": PLAY,
            "other/d.local.yml": PLAY,
            "vendor/.gitignore": "!*\n",  # never read: its folder is ignored
            "vendor/v.yml": PLAY,
        },
    )
    assert _found(tmp_path) == ["keep/b.local.yml", "keep/deep/c.local.yml"]
    assert _found(tmp_path, respect_gitignore=False) == [
        "a.local.yml",
        "keep/b.local.yml",
        "keep/deep/c.local.yml",
        "other/d.local.yml",
        "vendor/v.yml",
    ]


def test_a_folder_named_on_the_command_line_is_read_inside_an_ignored_one(tmp_path):
    write_tree(
        tmp_path,
        {".gitignore": "build/\n*.tmp.yml\n", "build/gen.yml": PLAY, "build/sub/s.yml": PLAY, "build/x.tmp.yml": PLAY},
    )
    assert _found(tmp_path) == []
    # the patterns still apply to what is below it
    assert _found(tmp_path, ["build"]) == ["build/gen.yml", "build/sub/s.yml"]


def test_exclude_patterns(tmp_path):
    write_tree(
        tmp_path,
        {
            "legacy/a.yml": PLAY,
            "sub/legacy/b.yml": PLAY,
            "top.yml": PLAY,
            "sub/top.yml": PLAY,
            "x/keep.yml": PLAY,
            "x/drop.yml": PLAY,
        },
    )
    assert _found(tmp_path, exclude=["./legacy", "/top.yml", "x/*.yml", "!x/keep.yml"]) == ["sub/top.yml", "x/keep.yml"]
    assert _found(tmp_path, exclude=["legacy/", "  top.yml  "]) == ["x/drop.yml", "x/keep.yml"]
    # a file named explicitly: its folders count too
    assert _found(tmp_path, ["sub/legacy/b.yml", "sub/top.yml"], exclude=["legacy/"]) == ["sub/top.yml"]


def test_ignore_rules_as_per_file_ignores_use_them(tmp_path):
    rules = discover.IgnoreRules(str(tmp_path))
    rules.add("**/molecule/**")
    rules.add("tests/*.yml", "sub")
    assert rules.ignored_path(str(tmp_path / "roles/r/molecule/default/converge.yml"))
    assert rules.ignored_path(str(tmp_path / "sub/tests/t.yml"))
    assert not rules.ignored_path(str(tmp_path / "tests/t.yml"))
    assert not rules.ignored_path(str(tmp_path / "sub/tests/deeper/t.yml"))
    assert not rules.ignored_path(str(tmp_path.parent / "molecule/x.yml"))  # outside the root


def test_no_parse_error_for_files_that_are_not_yaml_to_read(tmp_path):
    # a Jinja template named .yml, an INI inventory named hosts.yml (ansible-core's ini
    # plugin reads it after the yaml plugin refused it), a requirements-dev.yml: not
    # ansopt's to parse; a broken playbook still is
    write_tree(
        tmp_path,
        {
            "inventory/hosts.yml": "[web]\nw1\nw2\n",
            "conf/app.yml": "server:\n{% for h in hosts %}\n  - {{ h }}\n{% endfor %}\n",
            "requirements-dev.yml": "- name: x\n  src: [bad\n",
            "invm.yml": "[web]\nw1 ansible_host=10.0.0.1\n",  # INI, passed with -i invm.yml
            "template/kong/cassandra.yaml": "cassandra:\n  hosts: {{ hosts }}\n  bad: [\n",
            "docs/example.yml": "- hosts: all\n  tasks: [\n",  # documentation: nothing runs it
            "roles/r/tests/test.yml": "- hosts: all\n  roles: [\n",  # a role's test stub
            "deploy/pod.yml": "kind: Pod\nspec: {{ spec }}\n  x: [\n",  # no Ansible keyword
            "roles/.template/tasks/main.yml": "- name: x\n  tasks: [\n",  # a scaffold in a hidden folder
            "roles/r/vars/main.yml": "{{ role_name }}_port: 80\nx: [\n",  # a templated key: a template
            "group_vars/.gitignore": "*\n!.gitignore\n",  # Ansible skips hidden files there
            "broken.yml": "- hosts: all\n  tasks:\n    - debug:\n  bad: [\n",
        },
    )
    res = run_engine(tmp_path)
    assert [(f.code, f.path) for f in res.findings if f.code == "E001"] == [("E001", "broken.yml")]
