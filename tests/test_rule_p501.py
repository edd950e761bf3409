"""P501 strategy-linear: plays on several hosts that could run with `strategy: free`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from .conftest import corpus_or_skip, run_engine, write_tree

INVENTORY = textwrap.dedent(
    """\
    [web]
    web1.example.com
    web2.example.com
    web3.example.com

    [db]
    db1.example.com

    [big]
    node[01:06].example.com
    """
)

HEAD = textwrap.dedent(
    """\
    - name: Deploy
      hosts: web
    """
)

TASKS = (
    "  tasks:\n"
    "    - name: Install nginx\n"
    "      ansible.builtin.package:\n"
    "        name: nginx\n"
    "    - name: Deploy the site\n"
    "      ansible.builtin.copy:\n"
    "        src: index.html\n"
    "        dest: /var/www/index.html\n"
    "    - name: Open the firewall\n"
    "      ansible.builtin.command: ufw allow 80\n"
    "    - name: Start nginx\n"
    "      ansible.builtin.service:\n"
    "        name: nginx\n"
    "        state: started\n"
)


def play(extra_play: str = "", extra_tasks: str = "", head: str = HEAD) -> str:
    """A playbook: one play on `web`, with extra play keywords and extra tasks."""
    body = head + textwrap.indent(textwrap.dedent(extra_play), "  ") + TASKS
    if extra_tasks:
        body += textwrap.indent(textwrap.dedent(extra_tasks), "    ")
    return "---\n" + body


def findings(
    tmp_path: Path,
    playbook: str,
    inventory: str | None = INVENTORY,
    cfg: str | None = None,
    extra: dict | None = None,
    options=None,
):
    files = {"site.yml": playbook, "index.html": "<h1>hi</h1>\n"}
    if inventory is not None:
        files["inventory.ini"] = inventory
        cfg = "[defaults]\ninventory = inventory.ini\n" + (cfg or "")
    if cfg is not None:
        files["ansible.cfg"] = cfg
    files.update(extra or {})
    write_tree(tmp_path, files)
    if options is None:
        res = run_engine(tmp_path, select=["P501"])
        assert res.parse_errors == 0
        return [f for f in res.findings if f.code == "P501"]
    # rule options directly (without a settings file)
    from ansopt.engine import Engine
    from ansopt.rules import RuleContext
    from ansopt.selection import by_code_or_slug
    from ansopt.settings import load

    eng = Engine(load(str(tmp_path)), ["."], cwd=str(tmp_path), select=["P501"])
    project = eng.project()
    project.load_all()
    rule = by_code_or_slug("P501")
    opts = {**rule.default_options(), **options}
    return list(rule.check(RuleContext(project, rule, opts)))


# --------------------------------------------------------------------------- positives


def test_reported_with_free_fix(tmp_path):
    got = findings(tmp_path, play())
    assert len(got) == 1
    f = got[0]
    assert f.severity == "info"
    assert "3 hosts" in f.message and "`strategy: free`" in f.help
    assert "handlers run per host" in f.help and "interleaves" in f.help
    assert f.fix is not None and f.fix.safety == "unsafe"
    assert f.line == 3  # the hosts: key
    res = run_engine(tmp_path, select=["P501"], fix=True, unsafe=True)
    new = next(iter(res.changed.values()))[2]
    assert "  hosts: web\n  strategy: free\n  tasks:" in new


def test_fixed_play_is_not_reported_again(tmp_path):
    assert not findings(tmp_path, play("strategy: free\n"))


def test_not_reported_without_the_inventory_hosts_being_several(tmp_path):
    assert not findings(tmp_path, play(head="- name: Deploy\n  hosts: db\n"))


def test_localhost_with_known_inventory_is_one_host(tmp_path):
    assert not findings(tmp_path, play(head="- name: Deploy\n  hosts: localhost\n"))


def test_pattern_union_counts(tmp_path):
    got = findings(tmp_path, play(head="- name: Deploy\n  hosts: db:web\n"))
    assert len(got) == 1 and "4 hosts" in got[0].message


# --------------------------------------------------------------------------- host_pinned


def test_host_pinned_when_forks_below_host_count(tmp_path):
    got = findings(tmp_path, play(), cfg="forks = 2\n")
    assert len(got) == 1
    assert "host_pinned" in got[0].help and "forks 2 < 3 hosts" in got[0].help
    assert got[0].fix.description == "set strategy: host_pinned"


def test_free_when_forks_equal_host_count(tmp_path):
    got = findings(tmp_path, play(), cfg="forks = 3\n")
    assert len(got) == 1 and got[0].fix.description == "set strategy: free"


def test_default_forks_is_five(tmp_path):
    got = findings(tmp_path, play(head="- name: Deploy\n  hosts: big\n"))
    assert len(got) == 1 and got[0].fix.description == "set strategy: host_pinned"
    assert "forks 5 < 6 hosts" in got[0].help


# --------------------------------------------------------------------------- unknown inventory


def test_unknown_inventory_not_reported_by_default(tmp_path):
    assert not findings(tmp_path, play(head="- name: Deploy\n  hosts: all\n"), inventory=None)


def test_unknown_inventory_reported_on_request(tmp_path):
    got = findings(
        tmp_path,
        play(head="- name: Deploy\n  hosts: webservers\n"),
        inventory=None,
        options={"report_unknown_hosts": True},
    )
    assert len(got) == 1 and "`strategy: free`" in got[0].help


@pytest.mark.parametrize("pattern", ["localhost", "127.0.0.1", "[localhost]"])
def test_unknown_inventory_localhost_is_never_several(tmp_path, pattern):
    got = findings(
        tmp_path,
        play(head=f"- name: Deploy\n  hosts: {pattern}\n"),
        inventory=None,
        options={"report_unknown_hosts": True},
    )
    assert not got


def test_min_hosts_option(tmp_path):
    assert not findings(tmp_path, play(), options={"min_hosts": 4})
    assert findings(tmp_path, play(), options={"min_hosts": 3})


# --------------------------------------------------------------------------- the strategy in effect


@pytest.mark.parametrize(
    "cfg, reported",
    [
        ("strategy = free\n", False),
        ("strategy = host_pinned\n", False),
        ("strategy = linear\n", True),
        ("strategy = ansible.builtin.linear\n", True),
        ("", True),
    ],
)
def test_strategy_from_cfg(tmp_path, cfg, reported):
    assert bool(findings(tmp_path, play(), cfg=cfg)) is reported


@pytest.mark.parametrize("value", ["linear", "free", "ansible.builtin.linear", "'{{ my_strategy }}'"])
def test_play_that_sets_its_strategy_is_not_reported(tmp_path, value):
    assert not findings(tmp_path, play(f"strategy: {value}\n"))


# --------------------------------------------------------------------------- blockers

PLAY_BLOCKERS = {
    "serial": "serial: 1\n",
    "serial-percent": "serial: '50%'\n",
    "order": "order: sorted\n",
    "max_fail_percentage": "max_fail_percentage: 30\n",
    "any_errors_fatal": "any_errors_fatal: true\n",
}
PLAY_NON_BLOCKERS = {
    "order-inventory": "order: inventory\n",
    "any_errors_fatal-false": "any_errors_fatal: false\n",
    "serial-0": "serial: 0\n",
}


@pytest.mark.parametrize("name", sorted(PLAY_BLOCKERS))
def test_play_keyword_blocks(tmp_path, name):
    assert not findings(tmp_path, play(PLAY_BLOCKERS[name]))


@pytest.mark.parametrize("name", sorted(PLAY_NON_BLOCKERS))
def test_play_keyword_does_not_block(tmp_path, name):
    assert findings(tmp_path, play(PLAY_NON_BLOCKERS[name]))


def _task(**kw) -> str:
    lines = ["- name: Extra", "  ansible.builtin.command: /bin/true"]
    lines += [f"  {k}: {v}" for k, v in kw.items()]
    return "\n".join(lines) + "\n"


TASK_BLOCKERS = {
    "run_once": _task(run_once="true"),
    "run_once-template": _task(run_once='"{{ once }}"'),
    "throttle": _task(throttle="1"),
    "any_errors_fatal": _task(any_errors_fatal="yes"),
    "delegate_to-other": _task(delegate_to="db1.example.com"),
    "delegate_to-item": _task(delegate_to='"{{ item }}"', loop="\"{{ groups['db'] }}\""),
    "delegate_facts": "- name: Share\n  ansible.builtin.set_fact:\n    x: 1\n  delegate_to: localhost\n  delegate_facts: true\n",
    "hostvars-other": "- name: Other\n  ansible.builtin.debug:\n    msg: \"{{ hostvars['db1.example.com'].ansible_host }}\"\n",
    "hostvars-loop": '- name: Other\n  ansible.builtin.debug:\n    msg: "{{ hostvars[item].x }}"\n  loop: "{{ groups[\'web\'] }}"\n',
    "when-first-host": _task(when="inventory_hostname == groups['web'][0]"),
    "when-play-hosts": _task(when="inventory_hostname == ansible_play_hosts[0]"),
    "pause": "- name: Wait\n  ansible.builtin.pause:\n    seconds: 5\n",
    "pause-short": "- name: Wait\n  pause: seconds=5\n",
    "add_host": "- name: Add\n  ansible.builtin.add_host:\n    name: x\n",
    "end_play": "- name: Stop\n  ansible.builtin.meta: end_play\n",
    "end_batch": "- name: Stop\n  meta: end_batch\n",
    "wait_for-other": "- name: Wait for the db\n  ansible.builtin.wait_for:\n    host: db1.example.com\n    port: 5432\n",
    "wait_for-item": "- name: Wait\n  wait_for: host={{ item }} port=22\n  loop: \"{{ groups['db'] }}\"\n",
    "block-run_once": "- block:\n    - name: Inner\n      ansible.builtin.command: /bin/true\n  run_once: true\n",
    "in-block": "- block:\n    - name: Inner\n      ansible.builtin.command: /bin/true\n      throttle: 1\n",
    "in-rescue": "- block:\n    - name: Inner\n      ansible.builtin.command: /bin/true\n  rescue:\n    - name: Pause\n      ansible.builtin.pause:\n",
    "include-apply": "- name: Inc\n  ansible.builtin.include_tasks:\n    file: more.yml\n    apply:\n      run_once: true\n",
    "include-run_once": "- name: Inc\n  ansible.builtin.include_tasks: more.yml\n  run_once: true\n",
}
TASK_NON_BLOCKERS = {
    "run_once-false": _task(run_once="false"),
    "throttle-0": _task(throttle="0"),
    "any_errors_fatal-false": _task(any_errors_fatal="false"),
    "delegate_to-localhost": _task(delegate_to="localhost"),
    "delegate_to-127": _task(delegate_to="127.0.0.1"),
    "delegate_to-self": _task(delegate_to='"{{ inventory_hostname }}"'),
    "local_action": "- name: Local\n  local_action: command /bin/true\n",
    "hostvars-own": '- name: Own\n  ansible.builtin.debug:\n    msg: "{{ hostvars[inventory_hostname].ansible_host }}"\n',
    "when-own": _task(when="ansible_facts.os_family == 'Debian'"),
    "when-group_names": _task(when="\"'web' in group_names\""),
    "flush_handlers": "- name: Flush\n  ansible.builtin.meta: flush_handlers\n",
    "end_host": "- name: Done\n  ansible.builtin.meta: end_host\n",
    "wait_for-self": '- name: Wait\n  ansible.builtin.wait_for:\n    host: "{{ ansible_host | default(inventory_hostname) }}"\n    port: 22\n  delegate_to: localhost\n',
    "wait_for-local-port": "- name: Wait\n  ansible.builtin.wait_for:\n    port: 8080\n",
    "groups-in-template-text": "- name: Names\n  ansible.builtin.debug:\n    msg: \"{{ groups['web'] | join(',') }}\"\n",
    "hostvars-in-comment": "# hostvars['db1'] is not read here\n- name: Plain\n  ansible.builtin.command: /bin/true\n",
    "include": "- name: Inc\n  ansible.builtin.include_tasks: more.yml\n",
}
MORE = "---\n- name: More\n  ansible.builtin.command: /bin/true\n"


@pytest.mark.parametrize("name", sorted(TASK_BLOCKERS))
def test_task_blocks(tmp_path, name):
    assert not findings(tmp_path, play(extra_tasks=TASK_BLOCKERS[name]), extra={"more.yml": MORE})


@pytest.mark.parametrize("name", sorted(TASK_NON_BLOCKERS))
def test_task_does_not_block(tmp_path, name):
    assert findings(tmp_path, play(extra_tasks=TASK_NON_BLOCKERS[name]), extra={"more.yml": MORE})


def test_blocker_in_handler(tmp_path):
    pb = (
        play()
        + "  handlers:\n    - name: Restart\n      ansible.builtin.service:\n        name: nginx\n        state: restarted\n      run_once: true\n"
    )
    assert not findings(tmp_path, pb)
    assert findings(tmp_path / "ok", pb.replace("      run_once: true\n", ""))


ROLE_TASKS = "---\n- name: Role task\n  ansible.builtin.command: /bin/true\n"


def test_blocker_in_role_tasks(tmp_path):
    pb = play("roles:\n  - app\n")
    assert findings(tmp_path / "ok", pb, extra={"roles/app/tasks/main.yml": ROLE_TASKS})
    assert not findings(tmp_path / "bad", pb, extra={"roles/app/tasks/main.yml": ROLE_TASKS + "  run_once: true\n"})


def test_blocker_in_role_dependency_entry(tmp_path):
    pb = play("roles:\n  - app\n")
    extra = {"roles/app/tasks/main.yml": ROLE_TASKS, "roles/base/tasks/main.yml": ROLE_TASKS}
    ok = dict(extra, **{"roles/app/meta/main.yml": "---\ndependencies:\n  - role: base\n"})
    bad = dict(
        extra, **{"roles/app/meta/main.yml": "---\ndependencies:\n  - role: base\n    delegate_to: db1.example.com\n"}
    )
    assert findings(tmp_path / "ok", pb, extra=ok)
    assert not findings(tmp_path / "bad", pb, extra=bad)


def test_blocker_in_play_role_entry(tmp_path):
    extra = {"roles/app/tasks/main.yml": ROLE_TASKS}
    assert findings(tmp_path / "ok", play("roles:\n  - role: app\n"), extra=extra)
    assert not findings(
        tmp_path / "bad",
        play("roles:\n  - role: app\n    when: inventory_hostname == 'web1.example.com'\n"),
        extra=extra,
    )


def test_blocker_in_included_file(tmp_path):
    pb = play(extra_tasks="- name: Inc\n  ansible.builtin.import_tasks: more.yml\n")
    assert findings(tmp_path / "ok", pb, extra={"more.yml": MORE})
    assert not findings(tmp_path / "bad", pb, extra={"more.yml": MORE + "  delegate_to: db1.example.com\n"})


def test_hostvars_in_template(tmp_path):
    pb = play(extra_tasks="- name: Conf\n  ansible.builtin.template:\n    src: app.conf.j2\n    dest: /etc/app.conf\n")
    assert findings(
        tmp_path / "ok", pb, extra={"templates/app.conf.j2": "listen {{ hostvars[inventory_hostname].ansible_host }}\n"}
    )
    bad = "{% for h in groups['db'] %}db {{ hostvars[h]['ansible_default_ipv4']['address'] }}\n{% endfor %}\n"
    assert not findings(tmp_path / "bad", pb, extra={"templates/app.conf.j2": bad})


def test_hostvars_in_group_vars(tmp_path):
    extra = {"group_vars/web.yml": "---\ndb_ip: \"{{ hostvars[groups['db'][0]].ansible_host }}\"\n"}
    assert not findings(tmp_path, play(), extra=extra)


def test_any_errors_fatal_in_cfg(tmp_path):
    assert not findings(tmp_path, play(), cfg="any_errors_fatal = True\n")
    assert findings(tmp_path / "ok", play(), cfg="any_errors_fatal = False\n")


def test_run_not_followed_is_not_reported(tmp_path):
    pb = play(extra_tasks='- name: Inc\n  ansible.builtin.include_tasks: "{{ which }}.yml"\n')
    assert not findings(tmp_path, pb)
    assert not findings(tmp_path / "role", play("roles:\n  - missing_role\n"))


# --------------------------------------------------------------------------- steps


def test_few_steps_not_reported(tmp_path):
    """Below min_tasks (5) steps that work on the hosts, free gains nothing worth the noise."""
    tasks = "".join(f"    - name: Step {i}\n      ansible.builtin.command: /bin/true\n" for i in range(4))
    pb = "---\n- name: Four\n  hosts: web\n  gather_facts: false\n  tasks:\n" + tasks
    assert not findings(tmp_path, pb)
    # fact gathering is a step of its own
    assert findings(tmp_path / "facts", pb.replace("  gather_facts: false\n", ""))
    # controller-only actions are not steps: one role's include_vars, debug, set_fact
    light = "".join(f"    - ansible.builtin.{m}:\n        msg: x\n" for m in ("debug", "debug", "debug"))
    assert not findings(
        tmp_path / "light",
        pb.replace("  tasks:\n", "  tasks:\n" + light).replace(tasks, tasks[: tasks.index("    - name: Step 3")]),
    )


def test_min_tasks_option(tmp_path):
    pb = "---\n- name: One\n  hosts: web\n  gather_facts: false\n  tasks:\n    - name: A\n      ansible.builtin.command: /bin/true\n    - name: B\n      ansible.builtin.command: /bin/true\n"
    assert not findings(tmp_path / "a", pb)
    assert findings(tmp_path / "b", pb, options={"min_tasks": 2})


def test_empty_play_not_reported(tmp_path):
    assert not findings(tmp_path, "---\n- name: Facts only\n  hosts: web\n  tasks: []\n")


def test_sample_run_once_play_stays_unflagged():
    from .conftest import SAMPLES

    folder = SAMPLES / "P501-strategy-linear" / "bad"
    res = run_engine(folder, select=["P501"])
    lines = sorted(f.line for f in res.findings)
    text = (folder / "site.yml").read_text().splitlines()
    flagged = {text[n - 2].strip() for n in lines}  # the play's name line precedes hosts:
    assert flagged == {"- name: Deploy the web servers", "- name: Update the workers"}


# --------------------------------------------------------------------------- corpus

AGREED = {
    # independent package / git / template work on every host of a group
    ("ansible-examples/lamp_haproxy/site.yml", 22),
    ("ansible-examples/lamp_simple/site.yml", 5),
    ("ansible-examples/tomcat-memcached-failover/site.yml", 2),
    ("ansible-examples/tomcat-memcached-failover/site.yml", 17),
    ("ansible-for-devops/deployments-rolling/playbooks/deploy.yml", 2),
}
NOT_REPORTED = {
    # serial: 1 and delegate_to the load balancers / monitoring hosts: a rolling update
    ("ansible-examples/lamp_haproxy/rolling_update.yml", 14),
    # the common role's iptables template reads other hosts' facts through hostvars
    ("ansible-examples/lamp_haproxy/site.yml", 5),
    # /etc/hosts built from every host's facts (hostvars) during the same play
    ("ansible-examples/mongodb/site.yml", 4),
    # delegate_to each mongod server in turn
    ("ansible-examples/mongodb/site.yml", 8),
    # pause (bypasses the host loop)
    ("ansible-examples/mongodb/site.yml", 12),
    # serial, delegate_to the balancer and pause
    ("ansible-for-devops/deployments-balancer/playbooks/deploy.yml", 2),
    # run_once (and a galaxy role ansopt cannot follow)
    ("ansible-for-devops/gluster/playbooks/provision.yml", 2),
    # hosts: all without any inventory next to it: the count is unknown
    ("ansible-examples/language_features/intro_example.yml", 10),
    # runs on one host (localhost) / a one-host group
    ("ansible-examples/lamp_haproxy/provision.yml", 3),
    ("ansible-examples/lamp_haproxy/site.yml", 11),
    # strategy: free already
    ("ansible-lint-examples/playbooks/run-once-fail.yml", 2),
}


@pytest.fixture(scope="module")
def corpus_findings():
    corpus = corpus_or_skip()
    res = run_engine(corpus, select=["P501"])
    return {(f.path, f.line): f for f in res.findings if f.code == "P501"}


def _at(found, path, play_line):
    """The finding of the play starting at `play_line` (findings point at `hosts:`)."""
    return [f for (p, line), f in found.items() if p == path and play_line <= line <= play_line + 2]


def test_corpus_agreed_findings(corpus_findings):
    for path, line in sorted(AGREED):
        assert _at(corpus_findings, path, line), f"expected a P501 finding at {path}:{line}"


def test_corpus_not_reported(corpus_findings):
    for path, line in sorted(NOT_REPORTED):
        assert not _at(corpus_findings, path, line), f"unexpected P501 finding at {path}:{line}"


def test_corpus_findings_are_few_and_fixable(corpus_findings):
    # every finding has a fix, and the corpus (mostly example playbooks without inventory)
    # gives few: a linter that suggests strategy changes everywhere is ignored
    assert all(f.fix is not None for f in corpus_findings.values())
    assert 1 <= len(corpus_findings) <= 12, sorted(corpus_findings)
