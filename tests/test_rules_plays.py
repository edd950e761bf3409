"""Fact gathering (P201, P202) and include (P601, P602) rules: unit cases, corpus pins, traps."""

from __future__ import annotations

import pytest

from .conftest import copy_writable, corpus_or_skip, findings_of, run_engine, write_tree

ROLE_TEMPLATE = {
    "roles/app/tasks/main.yml": "---\n- name: Config\n  ansible.builtin.template:\n    src: app.j2\n    dest: /etc/app\n",
}


def test_p201_reports_play_that_reads_no_fact(tmp_path):
    write_tree(tmp_path, {"site.yml": "- hosts: web\n  tasks:\n    - ansible.builtin.command: /bin/true\n"})
    found = findings_of(run_engine(tmp_path, select=["P201"]), "P201")
    assert len(found) == 1 and "gather_facts: false" in found[0].help


def test_p201_fact_read_in_role_template_suggests_subset(tmp_path):
    write_tree(
        tmp_path,
        {
            **ROLE_TEMPLATE,
            "roles/app/templates/app.j2": "os={{ ansible_os_family }}\n",
            "site.yml": "- hosts: web\n  roles: [app]\n",
        },
    )
    found = findings_of(run_engine(tmp_path, select=["P201"]), "P201")
    assert len(found) == 1 and "'!all', '!min', 'distribution'" in found[0].help


def test_p201_slow_collectors_are_not_worth_a_subset(tmp_path):
    write_tree(
        tmp_path,
        {
            **ROLE_TEMPLATE,
            "roles/app/templates/app.j2": "mem={{ ansible_memtotal_mb }}\n",
            "site.yml": "- hosts: web\n  roles: [app]\n",
        },
    )
    assert not findings_of(run_engine(tmp_path, select=["P201"]), "P201")


@pytest.mark.parametrize(
    "play",
    [
        # facts read through ansible_facts as a whole, hostvars passed whole, a dynamic name
        "- hosts: web\n  tasks:\n    - debug: var=ansible_facts\n",
        "- hosts: web\n  tasks:\n    - copy: content='{{ hostvars[inventory_hostname] | to_json }}' dest=/tmp/x\n",
        "- hosts: web\n  tasks:\n    - debug: msg=\"{{ lookup('vars', 'ansible_' ~ name) }}\"\n",
        # something ansopt cannot follow
        "- hosts: web\n  tasks:\n    - include_tasks: '{{ os }}.yml'\n",
        "- hosts: web\n  roles: [not_there]\n",
        # an empty play gathers for later ones: never reported
        "- hosts: monitoring\n  tasks: []\n",
        # gathering explicitly off, or explicit in ansible.cfg
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - command: /bin/true\n",
    ],
)
def test_p201_stays_silent(tmp_path, play):
    write_tree(tmp_path, {"site.yml": play})
    assert not findings_of(run_engine(tmp_path, select=["P201"]), "P201")


def test_p201_gathering_explicit_in_cfg(tmp_path):
    write_tree(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ngathering = explicit\n",
            "site.yml": "- hosts: web\n  tasks:\n    - command: /bin/true\n",
        },
    )
    assert not findings_of(run_engine(tmp_path, select=["P201"]), "P201")


def test_p201_later_play_reads_count(tmp_path):
    play = (
        "- hosts: web\n  tasks:\n    - command: /bin/true\n"
        "- hosts: web\n  gather_facts: false\n  tasks:\n    - debug: msg={{ ansible_hostname }}\n"
    )
    write_tree(tmp_path, {"site.yml": play})
    found = findings_of(run_engine(tmp_path, select=["P201"]), "P201")
    assert len(found) == 1 and "'platform'" in found[0].help  # the subset for ansible_hostname


def test_p201_service_module_reads_service_mgr(tmp_path):
    write_tree(tmp_path, {"site.yml": "- hosts: web\n  tasks:\n    - service: name=x state=started\n"})
    found = findings_of(run_engine(tmp_path, select=["P201"]), "P201")
    assert len(found) == 1 and "service_mgr" in found[0].message


def test_p201_subset_matches_ansible_core_collectors():
    """The subset ansopt computes makes ansible-core run the collectors that provide the facts."""
    from ansible.module_utils.facts import collector, default_collectors

    from ansopt import knowledge
    from ansopt.model.facts import collector_of, gather_subset

    minimal = frozenset(knowledge.get().facts["minimal"])
    for facts in (["distribution", "os_family"], ["default_ipv4", "hostname"], ["pkg_mgr"], ["memtotal_mb"], ["local"]):
        subset = gather_subset(facts)
        classes = collector.collector_classes_from_gather_subset(
            all_collector_classes=default_collectors.collectors,
            minimal_gather_subset=minimal,
            gather_subset=subset,
            platform_info={"system": "Linux"},
        )
        names = {c.name for c in classes}
        assert {collector_of(f) for f in facts} <= names, (facts, subset, names)


def test_p202_setup_first(tmp_path):
    write_tree(tmp_path, {"site.yml": "- hosts: web\n  tasks:\n    - setup:\n    - debug: var=ansible_hostname\n"})
    assert len(findings_of(run_engine(tmp_path, select=["P202"]), "P202")) == 1
    write_tree(tmp_path, {"site.yml": "- hosts: web\n  tasks:\n    - command: /bin/true\n    - setup:\n"})
    assert not findings_of(run_engine(tmp_path, select=["P202"]), "P202")  # a refresh after a change
    write_tree(
        tmp_path,
        {"site.yml": "- hosts: web\n  tasks:\n    - setup:\n      delegate_to: db\n      delegate_facts: true\n"},
    )
    assert not findings_of(run_engine(tmp_path, select=["P202"]), "P202")


def test_p202_smart_gathering_skips_known_hosts(tmp_path):
    """With `gathering = smart` the play's gathering is skipped for hosts already gathered."""
    first = "- hosts: web\n  tasks:\n    - ping:\n"
    second = "- hosts: web\n  gather_facts: true\n  tasks:\n    - setup:\n    - debug: var=ansible_hostname\n"
    for name, cfg, book, want in [
        ("smart-later", "[defaults]\ngathering = smart\n", first + second, 0),
        ("smart-first", "[defaults]\ngathering = smart\n", second, 1),
        (
            "smart-cache",
            "[defaults]\ngathering = smart\nfact_caching = jsonfile\nfact_caching_connection = /tmp/f\n",
            second,
            0,
        ),
        ("implicit-later", "[defaults]\n", first + second, 1),
    ]:
        write_tree(tmp_path / name, {"ansible.cfg": cfg, "site.yml": book})
        assert len(findings_of(run_engine(tmp_path / name, select=["P202"]), "P202")) == want, name


def test_p601_include_to_import_and_exclusions(tmp_path):
    files = {"tasks/a.yml": "- debug: msg=a\n"}
    write_tree(
        tmp_path,
        {**files, "site.yml": "- hosts: web\n  gather_facts: false\n  tasks:\n    - include_tasks: tasks/a.yml\n"},
    )
    res = run_engine(tmp_path, select=["P601"], fix=True)
    assert [new for _, _, new in res.changed.values()][0].endswith("    - import_tasks: tasks/a.yml\n")
    for task in (
        "    - include_tasks: tasks/a.yml\n      when: x\n",
        "    - include_tasks: tasks/a.yml\n      loop: [1, 2]\n",
        "    - include_tasks: '{{ f }}'\n",
        "    - include_tasks: tasks/missing.yml\n",
        "    - include_tasks:\n        file: tasks/a.yml\n        apply: {tags: [x]}\n",
        "    - block:\n        - include_tasks: tasks/a.yml\n      when: x\n",
    ):
        write_tree(tmp_path, {"site.yml": "- hosts: web\n  gather_facts: false\n  tasks:\n" + task})
        assert not findings_of(run_engine(tmp_path, select=["P601"]), "P601"), task


def test_p602_host_group_loop_and_single_task_file(tmp_path):
    write_tree(tmp_path, {"t.yml": "- debug: msg={{ item }}\n", "two.yml": "- debug: msg=1\n- debug: msg=2\n"})
    write_tree(
        tmp_path,
        {
            "site.yml": "- hosts: web\n  gather_facts: false\n  tasks:\n    - include_tasks: two.yml\n      loop: \"{{ groups['all'] }}\"\n"
        },
    )
    assert "host list" in findings_of(run_engine(tmp_path, select=["P602"]), "P602")[0].message
    write_tree(
        tmp_path,
        {
            "site.yml": "- hosts: web\n  gather_facts: false\n  tasks:\n    - include_tasks: t.yml\n      loop: [a, b, c]\n"
        },
    )
    assert "single task" in findings_of(run_engine(tmp_path, select=["P602"]), "P602")[0].message
    write_tree(
        tmp_path,
        {
            "site.yml": "- hosts: web\n  gather_facts: false\n  tasks:\n    - include_tasks: two.yml\n      loop: [a, b, c]\n"
        },
    )
    f = findings_of(run_engine(tmp_path, select=["P602"]), "P602")[0]
    assert "loop on them inside the file" in f.message + f.help
    write_tree(
        tmp_path,
        {
            "site.yml": "- hosts: web\n  gather_facts: false\n  tasks:\n    - include_tasks: two.yml\n      loop: [a, b]\n"
        },
    )
    assert not findings_of(run_engine(tmp_path, select=["P602"]), "P602")  # shorter than min_items


# --------------------------------------------------------------------------- corpus


@pytest.fixture(scope="module")
def corpus_findings():
    corpus = corpus_or_skip()
    res = run_engine(corpus, select=["P201", "P202", "P601", "P602"])
    return {(f.path, f.line, f.code): f for f in res.findings}


def test_corpus_controller_plays_not_reported(corpus_findings):
    """`hosts: localhost` with `connection: local`: gathering there is well under a second."""
    assert ("ansible-for-devops/docker/main.yml", 2, "P201") not in corpus_findings


def test_corpus_rolling_update_trap(corpus_findings):
    """lamp_haproxy/rolling_update.yml: the `tasks: []` play gathers for the later plays."""
    assert not [k for k in corpus_findings if k[0] == "ansible-examples/lamp_haproxy/rolling_update.yml"]


def test_corpus_plays_that_never_read_facts(corpus_findings):
    for path, line in (
        ("ansible-examples/jboss-standalone/deploy-application.yml", 4),
        ("ansible-examples/language_features/batch_size_control.yml", 6),
        ("ansible-examples/mongodb/site.yml", 8),
    ):
        f = corpus_findings.get((path, line, "P201"))
        assert f is not None and "gather_facts: false" in f.help, (path, line)
    # the first-ansible-playbook plays use dnf and service: they read pkg_mgr and service_mgr
    f = corpus_findings[("ansible-for-devops/first-ansible-playbook/playbook.yml", 2, "P201")]
    assert "pkg_mgr" in f.message and "service_mgr" in f.message


def test_corpus_plays_that_read_facts_stay_unflagged(corpus_findings):
    # lamp_simple's common role and webservers read facts (templates, iptables rules)
    assert ("ansible-examples/lamp_simple/site.yml", 4, "P201") not in corpus_findings


def test_corpus_fix_on_copy_keeps_files_valid(tmp_path):
    corpus = corpus_or_skip()
    work = tmp_path / "afd"
    copy_writable(corpus / "ansible-for-devops", work)
    res = run_engine(work, select=["P201", "P202", "P601"], fix=True, unsafe=True)
    assert res.changed and not res.failed


# --------------------------------------------------------------------------- gather_subset vs smart

TWO_PLAYS = "- hosts: web\n  tasks:\n    - package: name=nginx\n- hosts: web\n  roles: [app]\n"


def test_p201_no_subset_under_smart_gathering(tmp_path):
    write_tree(
        tmp_path,
        {
            "ansible.cfg": "[defaults]\ngathering = smart\n",
            "site.yml": "- hosts: web\n  tasks:\n    - package: name=nginx\n",
        },
    )
    assert not findings_of(run_engine(tmp_path, select=["P201"]), "P201")


def test_subset_and_smart_switch_never_land_together(tmp_path):
    """A later play reads hardware facts through a role: with smart gathering (C502 writes it),
    a subset on the first play would starve the second one, in this run and the next."""
    write_tree(
        tmp_path,
        {
            **ROLE_TEMPLATE,
            "roles/app/templates/app.j2": "cpus={{ ansible_processor_vcpus }}\n",
            "site.yml": TWO_PLAYS,
            "hosts": "[web]\nw1\n",
        },
    )
    before = run_engine(tmp_path, select=["ALL"])
    assert {"C502", "P201"} <= {f.code for f in before.findings}
    res = run_engine(tmp_path, select=["ALL"], fix=True, unsafe=True)
    assert not res.failed
    texts = {d: new for d, _, new in res.changed.values()}
    assert "gathering = smart" in texts["ansible.cfg"]
    assert "gather_subset" not in texts.get("site.yml", "")


def test_explicit_subset_blocks_the_smart_switch(tmp_path):
    play = (
        "- hosts: web\n  gather_subset: ['!all']\n  tasks:\n    - command: /bin/true\n"
        + "- hosts: web\n  tasks:\n    - command: /bin/true\n" * 2
    )
    write_tree(tmp_path, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": "[web]\nw1\n", "site.yml": play})
    found = findings_of(run_engine(tmp_path, select=["C201"]), "C201")
    assert len(found) == 1 and found[0].fix is None and "gathers only a subset" in found[0].help


def test_p201_later_templated_import_playbook_may_read_facts(tmp_path):
    write_tree(
        tmp_path,
        {
            "site.yml": '- hosts: localhost\n  tasks:\n    - set_fact: {x: 1}\n- import_playbook: "{{ provider }}.yml"\n',
            "aws.yml": "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - debug: var=ansible_distribution\n",
        },
    )
    assert not findings_of(run_engine(tmp_path, select=["P201"], paths=["site.yml"]), "P201")


def test_p601_ambiguous_file_gets_no_fix(tmp_path):
    write_tree(
        tmp_path,
        {
            "site.yml": "- hosts: web\n  gather_facts: false\n  roles: [r]\n",
            "roles/r/tasks/main.yml": "- include_tasks: sub/a.yml\n",
            "roles/r/tasks/sub/a.yml": "- include_tasks: b.yml\n",
            "roles/r/tasks/b.yml": "- debug: msg=top\n",
            "roles/r/tasks/sub/b.yml": "- debug: msg=sub\n",
        },
    )
    found = {f.path: f for f in findings_of(run_engine(tmp_path, select=["P601"]), "P601")}
    amb = found["roles/r/tasks/sub/a.yml"]
    assert amb.fix is None and "several files are named so" in amb.help


def test_p202_silent_when_tag_runs_skip_the_setup_task(tmp_path):
    # `--tags web` skips the untagged setup task: the play's gathering is then the only one
    play = (
        "- hosts: all\n  tasks:\n    - ansible.builtin.setup:\n"
        "    - name: Web\n      ansible.builtin.debug:\n        var: ansible_distribution\n      tags: [web]\n"
    )
    write_tree(tmp_path / "tags", {"site.yml": play})
    assert not findings_of(run_engine(tmp_path / "tags", select=["P202"]), "P202")
    always = play.replace("    - ansible.builtin.setup:\n", "    - ansible.builtin.setup:\n      tags: [always]\n")
    write_tree(tmp_path / "always", {"site.yml": always})
    assert findings_of(run_engine(tmp_path / "always", select=["P202"]), "P202")
