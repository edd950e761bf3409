"""P101 package-loop: thresholds, where the loop's variable is defined, and the help text."""

from __future__ import annotations

import pytest

from .conftest import run_engine, write_tree


def p101(tmp_path, files):
    write_tree(tmp_path, files)
    res = run_engine(tmp_path, select=["P101"])
    assert res.parse_errors == 0
    return [f for f in res.findings if f.code == "P101"]


def loop_play(items: list[str], extra: str = "") -> str:
    body = "".join(f"        - {i}\n" for i in items)
    return (
        "- hosts: all\n  tasks:\n    - name: Packages\n      ansible.builtin.apt:\n"
        f'        name: "{{{{ item }}}}"\n{extra}      loop:\n{body}'
    )


def test_three_items_are_below_the_default_four(tmp_path):
    assert not p101(tmp_path / "three", {"site.yml": loop_play(["git", "curl", "jq"])})
    [f] = p101(tmp_path / "four", {"site.yml": loop_play(["git", "curl", "jq", "vim"])})
    assert "4 items" in f.message


def test_two_items_that_each_refresh_the_cache(tmp_path):
    [f] = p101(tmp_path / "two", {"site.yml": loop_play(["git", "curl"], "        update_cache: true\n")})
    assert "2 items" in f.message
    assert not p101(tmp_path / "one", {"site.yml": loop_play(["git"], "        update_cache: true\n")})


def _var_play(var_line: str) -> str:
    return (
        "- hosts: web\n  tasks:\n    - name: Packages\n      ansible.builtin.apt:\n"
        '        name: "{{ item }}"\n        update_cache: true\n      loop: "{{ pkgs }}"\n'
    )


def test_variable_resolved_from_group_vars(tmp_path):
    play = _var_play("")
    for name, value, want in [
        ("empty", "[]", 0),
        ("string", "git", 0),
        ("two", "[git, curl]", 1),  # each item refreshes the cache: two are enough
        ("template", "'{{ base + extra }}'", 1),  # unknown: reported
    ]:
        files = {"site.yml": play, "group_vars/web.yml": f"pkgs: {value}\n"}
        assert len(p101(tmp_path / name, files)) == want, name


def test_pip_versions_go_into_the_names(tmp_path):
    play = (
        "- hosts: all\n  tasks:\n    - name: Libraries\n      ansible.builtin.pip:\n"
        '        name: "{{ item.name }}"\n        version: "{{ item.version }}"\n'
        '      loop: "{{ libs }}"\n'
    )
    [f] = p101(tmp_path, {"site.yml": play})
    assert "`name==version`" in f.help and "one task per value" not in f.help


def test_comment_block_above_says_the_loop_is_deliberate(tmp_path):
    why = (
        "# Use loop instead of passing a list to name: so that a failure on one package\n# does not abort the others.\n"
    )
    play = loop_play(["git", "curl", "jq", "vim"])
    task = "    - name: Packages\n"
    indented = "".join("    " + line + "\n" for line in why.splitlines())
    assert not p101(tmp_path / "why", {"site.yml": play.replace(task, indented + task)})
    other = "    # the base tools\n    # for every host\n"
    assert p101(tmp_path / "other", {"site.yml": play.replace(task, other + task)})


def test_loop_of_one_dictionary(tmp_path):
    play = (
        "- hosts: all\n  tasks:\n    - name: Libraries\n      pip: name={{item.name}} version={{item.version}}\n"
        "      with_items:\n      - { name: docker-py, version: '1.10' }\n"
    )
    assert not p101(tmp_path, {"site.yml": play})


# a role task installing five packages one by one
FIVE_PACKAGES = '- name: Packages\n  ansible.builtin.apt:\n    name: "{{ item }}"\n  loop: [a, b, c, d, e]\n'


def _roles_project(site: str) -> dict[str, str]:
    task = '- name: Packages\n  ansible.builtin.apt:\n    name: "{{ item }}"\n  loop: [git, curl, jq, vim]\n'
    return {"site.yml": site, "roles/web/tasks/main.yml": task, "roles/themes/tasks/main.yml": task}


def test_role_that_no_play_runs(tmp_path):
    site = "- hosts: all\n  roles:\n    - web\n    # - themes\n"
    assert [f.path for f in p101(tmp_path / "a", _roles_project(site))] == ["roles/web/tasks/main.yml"]
    # a role name ansopt cannot follow: the roles some file of the project names as a value
    # (where such a name comes from) may run; a role named nowhere does not
    templ = "- hosts: all\n  roles:\n    - web\n    - '{{ extra_role }}'\n"
    named = {**_roles_project(templ), "group_vars/all.yml": "extra_role: themes\n"}
    assert len(p101(tmp_path / "b", named)) == 2
    assert [f.path for f in p101(tmp_path / "b2", _roles_project(templ))] == ["roles/web/tasks/main.yml"]
    by_path = {**_roles_project(templ), "vars/roles.yml": "extra_roles:\n  - ../roles/themes\n"}
    assert len(p101(tmp_path / "b3", by_path)) == 2
    paths_only = {**_roles_project(templ), "group_vars/all.yml": "themes_dir: /opt/themes\n"}
    assert len(p101(tmp_path / "b4", paths_only)) == 1
    # a collection's roles are run by its users
    coll = {**_roles_project(site), "galaxy.yml": "namespace: me\nname: web\n"}
    assert len(p101(tmp_path / "c", coll)) == 2


def test_no_fix_when_the_variable_is_empty_somewhere(tmp_path):
    """Flatcar's `[]` skips the loop; `name: []` would run the package module there."""
    task = '- name: Packages\n  ansible.builtin.package:\n    name: "{{ item }}"\n  loop: "{{ os_packages }}"\n'
    files = {
        "site.yml": "- hosts: all\n  roles:\n    - base\n",
        "roles/base/tasks/main.yml": task,
        "roles/base/vars/Debian.yml": "os_packages: [git, curl, jq, vim, unzip]\n",
        "roles/base/vars/Flatcar.yml": "os_packages: []\n",
    }
    [f] = p101(tmp_path, files)
    assert f.fix is None and "empty somewhere" in f.help


def test_a_project_pinned_before_2_11_already_squashes_the_loop(tmp_path):
    five = ["git", "curl", "jq", "vim", "tmux"]
    # ansible 2.6 merged an apt loop over {{ item }} into one call (squash_actions)
    assert not p101(tmp_path / "old", {"site.yml": loop_play(five), "requirements.txt": "ansible~=2.6.14\n"})
    # ansible-base 2.10 still did; ansible-core 2.11 dropped it
    assert not p101(tmp_path / "base", {"site.yml": loop_play(five), "requirements.txt": "ansible-base==2.10.17\n"})
    [f] = p101(tmp_path / "new", {"site.yml": loop_play(five), "requirements.txt": "ansible-core==2.11.12\n"})
    assert "5 items" in f.message
    # `package` was never squashed
    pkg = loop_play(five).replace("ansible.builtin.apt", "ansible.builtin.package")
    assert len(p101(tmp_path / "pkg", {"site.yml": pkg, "requirements.txt": "ansible~=2.6.14\n"})) == 1


def test_homebrew_cask_installs_cask_by_cask_anyway(tmp_path):
    # community.general.homebrew_cask runs one `brew install --cask` per cask: no transaction saved
    play = loop_play(["firefox", "iterm2", "slack", "zoom"]).replace(
        "ansible.builtin.apt", "community.general.homebrew_cask"
    )
    assert not p101(tmp_path / "cask", {"site.yml": play})
    brew = loop_play(["git", "jq", "tmux", "wget"]).replace("ansible.builtin.apt", "community.general.homebrew")
    assert len(p101(tmp_path / "brew", {"site.yml": brew})) == 1


def test_a_project_written_for_ansible_before_2_9_already_squashes(tmp_path):
    # `sudo:` was removed in Ansible 2.9: such a project runs 2.8 at most, which squashed the loop
    five = ["git", "curl", "jq", "vim", "tmux"]
    old = loop_play(five).replace("- hosts: all\n", "- hosts: all\n  sudo: yes\n")
    assert not p101(tmp_path / "old", {"site.yml": old})
    assert len(p101(tmp_path / "new", {"site.yml": loop_play(five)})) == 1


@pytest.mark.parametrize(
    "requirements",
    [
        "- src: https://github.com/ANXS/postgresql.git\n  version: v1.4.0\n  path: external-roles\n",
        "- src: git@github.com:ANXS/postgresql.git\n",
        "roles:\n  - name: postgresql\n    src: anxs.postgresql\n",
    ],
)
def test_roles_installed_from_requirements_are_not_the_projects(tmp_path, requirements):
    task = FIVE_PACKAGES
    files = {
        "site.yml": "- hosts: all\n  roles:\n    - postgresql\n    - base\n",
        "ansible.cfg": "[defaults]\nroles_path = external-roles:roles\n",
        "requirements.yml": requirements,
        "external-roles/postgresql/tasks/main.yml": task,
        "roles/base/tasks/main.yml": task,
    }
    assert [f.path for f in p101(tmp_path, files)] == ["roles/base/tasks/main.yml"]


def test_a_role_ansible_galaxy_installed_is_not_the_projects(tmp_path):
    task = FIVE_PACKAGES
    files = {
        "site.yml": "- hosts: all\n  roles:\n    - geerlingguy.php\n",
        "roles/geerlingguy.php/tasks/main.yml": task,
        "roles/geerlingguy.php/meta/.galaxy_install_info": "install_date: today\nversion: 5.0.0\n",
    }
    assert not p101(tmp_path, files)


def test_a_templated_item_the_project_defines_as_one_name_counts_as_one(tmp_path):
    task = (
        "- name: Ruby\n  ansible.builtin.apt:\n    name: '{{ item }}'\n"
        "  with_items:\n    - ruby-full\n    - '{{ rubygems_name }}'\n"
    )
    files = {"site.yml": "- hosts: all\n  roles:\n    - ruby\n", "roles/ruby/tasks/main.yml": task}
    # unknown: the item may be a list
    assert len(p101(tmp_path / "unknown", files)) == 1
    one = {**files, "roles/ruby/defaults/main.yml": "rubygems_name: rubygems\n"}
    assert not p101(tmp_path / "one", one)  # two items in all: below the default four
    many = {**files, "roles/ruby/defaults/main.yml": "rubygems_name: [a, b, c]\n"}
    [f] = p101(tmp_path / "many", many)
    assert "4 items" in f.message


def test_a_cache_refresh_with_cache_valid_time_runs_once(tmp_path):
    # update_cache on each item refreshes each time, unless apt finds the cache fresh
    three = ["git", "curl", "jq"]
    assert len(p101(tmp_path / "each", {"site.yml": loop_play(three, "        update_cache: true\n")})) == 1
    valid = "        update_cache: true\n        cache_valid_time: 3600\n"
    assert not p101(tmp_path / "once", {"site.yml": loop_play(three, valid)})


def test_a_repository_package_first_keeps_the_loop(tmp_path):
    # epel-release must be installed before htop can resolve: one transaction would fail
    play = loop_play(["epel-release", "htop", "jq", "tmux"]).replace("ansible.builtin.apt", "ansible.builtin.dnf")
    assert not p101(tmp_path / "epel", {"site.yml": play})
    plain = loop_play(["lsb-release", "htop", "jq", "tmux"])  # lsb-release adds no repository
    assert len(p101(tmp_path / "lsb", {"site.yml": plain})) == 1


def test_a_set_fact_string_is_one_item(tmp_path):
    task = (
        "- name: Pick the package\n  ansible.builtin.set_fact:\n    packagename: 'percona-server-{{ ver }}'\n"
        "- name: Install it\n  ansible.builtin.yum:\n    name: '{{ item }}'\n  with_items: '{{ packagename }}'\n"
    )
    files = {"site.yml": "- hosts: all\n  roles:\n    - db\n", "roles/db/tasks/main.yml": task}
    assert not p101(tmp_path, files)


def test_a_role_with_its_own_licence_is_someone_elses(tmp_path):
    task = FIVE_PACKAGES
    files = {
        "site.yml": "- hosts: all\n  roles:\n    - newrelic.infra\n    - base\n",
        "roles/newrelic.infra/tasks/main.yml": task,
        "roles/newrelic.infra/LICENSE.md": "Apache License\n",
        "roles/base/tasks/main.yml": task,
    }
    assert [f.path for f in p101(tmp_path, files)] == ["roles/base/tasks/main.yml"]


def test_a_repository_package_first_in_the_role_defaults_keeps_the_loop(tmp_path):
    task = '- name: Packages\n  ansible.builtin.package:\n    name: "{{ item }}"\n  loop: "{{ packages }}"\n'
    files = {
        "site.yml": "- hosts: all\n  roles:\n    - common\n",
        "roles/common/tasks/main.yml": task,
        "roles/common/defaults/main.yml": "packages:\n  - epel-release\n  - htop\n  - jq\n  - tmux\n",
    }
    assert not p101(tmp_path, files)


def test_one_name_per_os_from_task_vars_or_a_string_default(tmp_path):
    # `default('cinnamon')`: the expression is one name; flatten would split it into letters
    task = (
        "- name: Desktop\n  package: name={{ item }}\n"
        "  with_items: \"{{ desktop_package[ansible_os_family] | default('cinnamon') }}\"\n"
    )
    assert not p101(
        tmp_path / "default",
        {"site.yml": "- hosts: all\n  tasks:\n" + "\n".join("    " + ln for ln in task.splitlines()) + "\n"},
    )
    # the task's own vars give the loop's value: one string is one item
    own = (
        "- hosts: all\n  tasks:\n    - name: Desktop\n      vars:\n        pkgs: kde\n"
        "      ansible.builtin.package:\n        name: '{{ item }}'\n      loop: '{{ pkgs }}'\n"
    )
    assert not p101(tmp_path / "vars", {"site.yml": own})
    five = own.replace("pkgs: kde", "pkgs: [a, b, c, d, e]")
    assert len(p101(tmp_path / "five", {"site.yml": five})) == 1


def test_a_templated_repository_item_first_keeps_the_loop(tmp_path):
    items = ["'{{ ohpc_release }}'", "ohpc-base", "docs-ohpc", "lmod-ohpc"]
    play = loop_play(items).replace("loop:", "with_items:")
    assert not p101(tmp_path / "repo", {"site.yml": play})
    other = loop_play(["'{{ extra_tool }}'", "ohpc-base", "docs-ohpc", "lmod-ohpc"]).replace("loop:", "with_items:")
    assert len(p101(tmp_path / "plain", {"site.yml": other})) == 1


def test_bare_name_loops_and_block_conditions(tmp_path):
    # `with_items: app_packages` (Ansible 1.x): 2.2+ loops once over the word: not a slow loop
    bare = "- hosts: all\n  tasks:\n    - apt: name={{ item }}\n      with_items: app_packages\n"
    assert not p101(tmp_path / "bare", {"site.yml": bare})
    # a block gated on an earlier check: a first-install step
    gated = (
        "- hosts: all\n  tasks:\n    - when: not installed.stat.exists\n      block:\n"
        "        - ansible.builtin.apt:\n            name: '{{ item }}'\n          loop: [a, b, c, d, e]\n"
    )
    assert not p101(tmp_path / "gated", {"site.yml": gated})


def test_an_empty_mapping_default_and_a_one_item_list_are_nothing_to_batch(tmp_path):
    task = '- name: Nightly\n  community.general.flatpak:\n    name: "{{ item }}"\n  loop: "{{ nightly }}"\n'
    files = {
        "site.yml": "- hosts: all\n  roles:\n    - flatpak\n",
        "roles/flatpak/tasks/main.yml": task,
        "roles/flatpak/defaults/main.yml": "nightly: {}\n",
        "roles/flatpak/vars/main.yml": "nightly:\n  - org.gnome.Epiphany.Devel\n",
    }
    assert not p101(tmp_path, files)


def test_pip_over_an_unknown_list_gets_no_fix(tmp_path):
    task = "- hosts: all\n  tasks:\n    - ansible.builtin.pip:\n        name: '{{ item }}'\n      loop: '{{ pip_packages }}'\n"
    [f] = p101(tmp_path, {"site.yml": task})
    assert f.fix is None and "may be empty" in f.help
