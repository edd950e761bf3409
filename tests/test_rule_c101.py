"""C101 pipelining: ansible.cfg, inventory variables, non-SSH hosts, keep_remote_files."""

from __future__ import annotations

from .conftest import run_engine, write_tree


def c101(tmp_path, files):
    write_tree(tmp_path, files)
    return [f for f in run_engine(tmp_path, select=["C101"]).findings if f.code == "C101"]


def test_default_is_off(tmp_path):
    fs = c101(tmp_path, {"ansible.cfg": "[defaults]\nforks = 10\n"})
    assert len(fs) == 1 and fs[0].fix is not None and "ansible-core's default" in fs[0].message


def test_last_section_wins(tmp_path):
    # [ssh_connection] is read after [defaults]: True there wins for the ssh plugin
    assert not c101(tmp_path, {"ansible.cfg": "[defaults]\npipelining = False\n[ssh_connection]\npipelining = True\n"})
    fs = c101(tmp_path, {"ansible.cfg": "[defaults]\npipelining = True\n[ssh_connection]\npipelining = no\n"})
    assert len(fs) == 1 and fs[0].line == 4


def test_inventory_variable_turns_it_off(tmp_path):
    fs = c101(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ninventory = hosts\n[ssh_connection]\npipelining = True\n",
            "hosts": "[web]\nw1\nw2\n",
            "group_vars/web.yml": "ansible_pipelining: false\n",
        },
    )
    assert [(f.path, f.line) for f in fs] == [("group_vars/web.yml", 1)]
    assert "w1, w2" in fs[0].message


def test_inventory_variable_turns_it_on_for_every_host(tmp_path):
    assert not c101(
        tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": "[web]\nw1 ansible_ssh_pipelining=true\n"}
    )


def test_windows_only_and_mixed(tmp_path):
    win = "[win]\nw1\n[win:vars]\nansible_connection=winrm\n"
    assert not c101(tmp_path / "a", {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": win})
    fs = c101(tmp_path / "b", {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": win + "[web]\nl1\n"})
    assert len(fs) == 1 and "(SSH hosts: l1; not winrm: w1)" in fs[0].help


def test_keep_remote_files_disables_pipelining(tmp_path):
    fs = c101(tmp_path, {"ansible.cfg": "[defaults]\nkeep_remote_files = True\n[ssh_connection]\npipelining = True\n"})
    assert len(fs) == 1 and fs[0].line == 2 and fs[0].fix is None


def test_explicit_false_is_reported_without_a_fix(tmp_path):
    """`pipelining = False` written on purpose (requiretty): never flipped automatically."""
    from .conftest import run_engine, write_tree

    write_tree(tmp_path, {"ansible.cfg": "[ssh_connection]\npipelining = False\n", "hosts": "[web]\nw1\n"})
    found = [f for f in run_engine(tmp_path, select=["C101"]).findings if f.code == "C101"]
    assert len(found) == 1 and found[0].fix is None and "requiretty" in found[0].help


def test_galaxy_only_cfg_is_not_a_run_configuration(tmp_path):
    """An execution environment's build file: read by ansible-galaxy, never by a playbook run."""
    cfg = "[defaults]\n\n[galaxy]\nserver_list = public\n\n[galaxy_server.public]\nurl = https://galaxy.ansible.com/\n"
    assert not c101(tmp_path / "a", {"ansible.cfg": cfg})
    assert c101(tmp_path / "b", {"ansible.cfg": cfg.replace("[defaults]\n", "[defaults]\nforks = 20\n")})


def test_playbooks_that_run_only_on_the_controller(tmp_path):
    local = "- hosts: all\n  connection: local\n  tasks:\n    - ansible.builtin.ping:\n"
    inv = {"hosts": "localhost\n", "ansible.cfg": "[defaults]\ninventory = hosts\n"}
    assert not c101(tmp_path / "a", {**inv, "site.yml": local})
    assert not c101(tmp_path / "b", {"ansible.cfg": "[defaults]\n", "build.yml": "- hosts: localhost\n  tasks: []\n"})
    remote = "- hosts: all\n  tasks:\n    - ansible.builtin.ping:\n"
    assert c101(tmp_path / "c", {**inv, "site.yml": local, "other.yml": remote})


def test_yaml_inventory_found_by_its_content(tmp_path):
    """`-i workstations.yml`: an inventory by content, not by name; its hosts are all local."""
    inv = "all:\n  vars:\n    ansible_connection: local\n  children:\n    laptops:\n      hosts:\n        klapp:\n"
    play = "- hosts: all\n  tasks:\n    - ansible.builtin.ping:\n"
    assert not c101(tmp_path / "a", {"ansible.cfg": "", "workstations.yml": inv, "site.yml": play})
    remote = inv.replace("    ansible_connection: local\n", "    ansible_user: me\n")
    assert c101(tmp_path / "b", {"ansible.cfg": "", "workstations.yml": remote, "site.yml": play})


def test_true_with_a_hash_remark_is_off_but_meant_on(tmp_path):
    [f] = c101(tmp_path, {"ansible.cfg": "[defaults]\npipelining = True # Testing\n"})
    assert "is not True" in f.message and "on purpose" not in f.help and f.fix is None
    [g] = c101(tmp_path / "b", {"ansible.cfg": "[defaults]\npipelining = False\n"})
    assert "on purpose" in g.help


def test_ssh_hosts_that_no_play_targets(tmp_path):
    inv = "[linux]\nartemis\n[windows]\nwin1 ansible_connection=winrm\n"
    cfg = "[defaults]\ninventory = hosts\n"
    local = "- hosts: 127.0.0.1\n  connection: local\n  tasks:\n    - ansible.builtin.ping:\n"
    win = "- hosts: windows\n  tasks:\n    - ansible.windows.win_ping:\n"
    files = {"ansible.cfg": cfg, "hosts": inv, "debian.yml": local, "windows.yml": win}
    assert not c101(tmp_path / "a", files)
    linux = "- hosts: linux\n  tasks:\n    - ansible.builtin.ping:\n"
    assert c101(tmp_path / "b", {**files, "linux.yml": linux})


def test_ansible_pull_project_runs_on_each_machine(tmp_path):
    inv = "[desktops]\n" + "".join(f"pc{i}\n" for i in range(8)) + "[desktops:vars]\nansible_user=me\n"
    play = "- hosts: all\n  tasks:\n    - ansible.builtin.ping:\n"
    files = {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": inv, "local.yml": play}
    assert c101(tmp_path / "a", files)
    readme = {"README.md": "Provision with `ansible-pull -U https://example.com/me/desktops.git`.\n"}
    assert not c101(tmp_path / "b", {**files, **readme})
    fs = run_engine(write_tree(tmp_path / "c", {**files, **readme}), select=["C105"]).findings
    assert not [f for f in fs if f.code == "C105"]


def test_windows_only_plays_without_an_inventory(tmp_path):
    """A Windows lab whose inventory is generated at run time: the plays use win_* modules only."""
    win = "- hosts: all\n  tasks:\n    - ansible.windows.win_ping:\n    - win_feature:\n        name: Web-Server\n"
    assert not c101(tmp_path / "a", {"ansible.cfg": "[defaults]\ninventory = instances.txt\n", "site.yml": win})
    mixed = win + "- hosts: all\n  tasks:\n    - ansible.builtin.ping:\n"
    assert c101(tmp_path / "b", {"ansible.cfg": "[defaults]\ninventory = instances.txt\n", "site.yml": mixed})


def test_pipelining_in_a_section_ansible_core_does_not_read(tmp_path):
    from ansopt.fixers.write import write_atomic

    cfg = "[defaults]\ninventory = hosts\n\n[ssh_connections]\npipelining = true\n"
    [f] = c101(tmp_path / "typo", {"ansible.cfg": cfg, "hosts": "a\nb\n"})
    assert "[ssh_connections]" in f.message and f.line == 5 and "move it" in f.help
    res = run_engine(tmp_path / "typo", select=["C101"], fix=True)
    for abspath, (_, _, new) in res.changed.items():
        write_atomic(abspath, new)
    fixed = (tmp_path / "typo" / "ansible.cfg").read_text()
    assert fixed == "[defaults]\ninventory = hosts\n\n[ssh_connections]\n\n[ssh_connection]\npipelining = true\n"
    assert not c101(tmp_path / "typo", {})
    # written off in a dormant section: the author meant it off; no fix switches it on
    [f] = c101(tmp_path / "off", {"ansible.cfg": "[all]\npipelining = False\n", "hosts": "a\n"})
    assert "[all]" in f.message and f.fix is None


def test_mitogen_commented_out_and_never_loaded(tmp_path):
    site = "- hosts: all\n  tasks:\n    - ansible.builtin.ping:\n"
    # Mitogen's strategy carries modules over its own connection
    mitogen = {"ansible.cfg": "[defaults]\nstrategy = mitogen_linear\n", "hosts": "a\n", "site.yml": site}
    assert not c101(tmp_path / "mitogen", mitogen)
    # tried and commented out again (a tty error, a jump host): reported, never switched on
    cfg = "[defaults]\ninventory = hosts\n\n[ssh_connection]\n# TTY errors on CentOS\n# pipelining = True\n"
    [f] = c101(tmp_path / "commented", {"ansible.cfg": cfg, "hosts": "a\n", "site.yml": site})
    assert f.fix is None and "commented out (line 6)" in f.message
    # an ansible.cfg inside the inventory folder, written for the folder above: never read
    dead = {
        "inventory/ansible.cfg": "[defaults]\ninventory = ./inventory/hosts.ini\n",
        "inventory/hosts.ini": "[dc]\ndc1\n",
        "ansible.cfg": "[defaults]\ninventory = inventory/hosts.ini\n\n[ssh_connection]\npipelining = True\n",
        "site.yml": site,
    }
    assert not c101(tmp_path / "dead", dead)
