"""P102 (package-tasks-batchable) and P401 (apt-cache-refresh): unit cases, fix texts, corpus
pins and traps."""

from __future__ import annotations

from pathlib import Path

import pytest

from ansopt.fixers.verify import load_data

from .conftest import copy_writable, corpus_or_skip, run_engine, write_tree

# The merge mechanics are shown on pairs of tasks; by default P102 wants three tasks (or two
# that refresh the cache), which the threshold tests below check with the default settings.
PAIRS = {".ansopt.yml": "rules:\n  P102:\n    min_tasks: 2\n"}


def _with_pairs(files: dict[str, str], code: str) -> dict[str, str]:
    return {**PAIRS, **files} if code == "P102" and ".ansopt.yml" not in files else files


def found(tmp_path: Path, files: dict[str, str], code: str):
    write_tree(tmp_path, _with_pairs(files, code))
    res = run_engine(tmp_path, select=[code])
    assert res.parse_errors == 0
    return [f for f in res.findings if f.code == code]


def fixed(tmp_path: Path, files: dict[str, str], code: str, name: str = "site.yml") -> str:
    """The text of `name` after fixing with `code` only (unsafe fixes included)."""
    write_tree(tmp_path, _with_pairs(files, code))
    res = run_engine(tmp_path, select=[code], fix=True, unsafe=True)
    assert not res.failed, [f.message for f in res.failed]
    for abspath, (_, _, new) in res.changed.items():
        if abspath.endswith(name):
            load_data(abspath, new)  # parses
            return new
    return files[name]


def play(tasks: str, indent: int = 4) -> str:
    """A play whose `tasks:` holds `tasks` (written at column 0, shifted by `indent`)."""
    body = "".join((" " * indent + line if line.strip() else line) for line in tasks.splitlines(keepends=True))
    return "---\n- name: Setup\n  hosts: all\n  become: true\n  tasks:\n" + body


APT_GIT = "- name: Install git\n  ansible.builtin.apt:\n    name: git\n    state: present\n"
APT_CURL = "- name: Install curl\n  ansible.builtin.apt:\n    name: curl\n    state: present\n"


# =========================================================================== P102

DEFAULTS = {".ansopt.yml": "rules: {}\n"}
APT_JQ = "- name: Install jq\n  ansible.builtin.apt:\n    name: jq\n    state: present\n"
APT_VIM = "- name: Install vim\n  ansible.builtin.apt:\n    name: vim\n    state: present\n"


def test_p102_default_wants_four_tasks(tmp_path):
    three = APT_GIT + "\n" + APT_CURL + "\n" + APT_JQ
    assert not found(tmp_path / "three", {**DEFAULTS, "site.yml": play(three)}, "P102")
    [f] = found(tmp_path / "four", {**DEFAULTS, "site.yml": play(three + "\n" + APT_VIM)}, "P102")
    assert f.message.startswith("4 consecutive")


def test_p102_comment_explaining_the_split(tmp_path):
    why = "# installed on its own: the CI job times out otherwise\n"
    four = APT_GIT + "\n" + APT_CURL + "\n" + why + APT_JQ + "\n" + APT_VIM
    assert not found(tmp_path / "why", {**DEFAULTS, "site.yml": play(four)}, "P102")
    plain = four.replace(why, "# jq for the scripts\n")
    assert found(tmp_path / "plain", {**DEFAULTS, "site.yml": play(plain)}, "P102")


def test_p102_default_two_tasks_that_refresh_the_cache(tmp_path):
    two = (APT_GIT + "\n" + APT_CURL).replace("state: present", "state: present\n    update_cache: true")
    [f] = found(tmp_path, {**DEFAULTS, "site.yml": play(two)}, "P102")
    assert f.message.startswith("2 consecutive")


def test_p102_two_tasks_reported_once(tmp_path):
    fs = found(tmp_path, {"site.yml": play(APT_GIT + "\n" + APT_CURL)}, "P102")
    assert len(fs) == 1
    assert fs[0].line == 6 and "2 consecutive" in fs[0].message and "git, curl" in fs[0].message
    assert fs[0].fix is not None and fs[0].fix.safety == "unsafe"


def test_p102_fix_indent_2(tmp_path):
    src = play(
        APT_GIT
        + "\n# curl for the health checks\n"
        + APT_CURL
        + "\n- name: Other\n  ansible.builtin.debug:\n    msg: hi\n"
    )
    assert fixed(tmp_path, {"site.yml": src}, "P102") == play(
        "- name: Install git\n"
        "  ansible.builtin.apt:\n"
        "    name:\n"
        "      - git\n"
        "      # curl for the health checks\n"
        "      # Install curl\n"
        "      - curl\n"
        "    state: present\n"
        "\n"
        "- name: Other\n  ansible.builtin.debug:\n    msg: hi\n"
    )


def test_p102_fix_indent_4_task_file(tmp_path):
    src = (
        "---\n"
        "-   name: Install git\n"
        "    ansible.builtin.dnf:\n"
        "        name: git\n"
        "        state: latest\n"
        "-   name: Install curl\n"
        "    ansible.builtin.dnf:\n"
        "        name: curl   # the client\n"
        "        state: latest\n"
        "-   name: Install vim\n"
        "    ansible.builtin.dnf:\n"
        "        name:\n"
        "            - vim-enhanced\n"
        "        state: latest\n"
    )
    out = fixed(tmp_path, {"tasks/main.yml": src}, "P102", "main.yml")
    assert out == (
        "---\n"
        "-   name: Install git\n"
        "    ansible.builtin.dnf:\n"
        "        name:\n"
        "            - git\n"
        "            # Install curl\n"
        "            - curl  # the client\n"
        "            # Install vim\n"
        "            - vim-enhanced\n"
        "        state: latest\n"
    )


def test_p102_first_task_list_is_extended(tmp_path):
    src = play(
        "- ansible.builtin.apt:\n    name:\n      - git\n      - curl\n    state: present\n"
        "- ansible.builtin.apt:\n    name: 'vim'\n    state: present\n"
    )
    assert fixed(tmp_path, {"site.yml": src}, "P102") == play(
        "- ansible.builtin.apt:\n    name:\n      - git\n      - curl\n      - 'vim'\n    state: present\n"
    )


def test_p102_indentless_lists_stay_indentless(tmp_path):
    src = "- hosts: all\n  tasks:\n  - name: a\n    apt:\n      name: git\n  - name: b\n    apt:\n      name: curl\n"
    assert (
        fixed(tmp_path, {"site.yml": src}, "P102")
        == "- hosts: all\n  tasks:\n  - name: a\n    apt:\n      name:\n      - git\n      # b\n      - curl\n"
    )


def test_p102_free_form_first_task_becomes_a_mapping(tmp_path):
    src = play(
        "- name: Install Java\n  yum: name=java-1.7.0-openjdk state=present\n\n- name: Install Tomcat\n  yum: name=tomcat state=present\n"
    )
    assert fixed(tmp_path, {"site.yml": src}, "P102") == play(
        "- name: Install Java\n  yum:\n    name:\n      - java-1.7.0-openjdk\n      # Install Tomcat\n      - tomcat\n    state: present\n"
    )


def test_p102_runs_of_three_merge_into_the_first_inside_a_block(tmp_path):
    src = play(
        "- name: Packages\n  when: ansible_os_family == 'RedHat'\n  block:\n"
        "    - package:\n        name: a\n      notify: restart app\n"
        "    - package:\n        name: b\n      notify: restart app\n"
        "    - package:\n        name: c\n      notify: restart app\n"
        "    - command: /bin/true\n"
    )
    out = fixed(tmp_path, {"site.yml": src}, "P102")
    assert out == play(
        "- name: Packages\n  when: ansible_os_family == 'RedHat'\n  block:\n"
        "    - package:\n        name:\n          - a\n          - b\n          - c\n      notify: restart app\n"
        "    - command: /bin/true\n"
    )


@pytest.mark.parametrize(
    "second",
    [
        # same module and packages but a different state, condition, privilege or tag
        "- ansible.builtin.apt:\n    name: curl\n    state: absent\n",
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n  when: web | bool\n",
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n  become: false\n",
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n  tags: [tools]\n",
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n  notify: restart app\n",
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n  environment:\n    http_proxy: http://proxy:3128\n",
        # other arguments differ
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n    install_recommends: false\n",
        # a register, a loop, ignore_errors: never merged
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n  register: out\n",
        "- ansible.builtin.apt:\n    name: '{{ item }}'\n    state: present\n  loop: [curl]\n",
        "- ansible.builtin.apt:\n    name: curl\n    state: present\n  ignore_errors: true\n",
        # a templated name may be a list
        "- ansible.builtin.apt:\n    name: '{{ tools }}'\n    state: present\n",
        # another package manager
        "- ansible.builtin.package:\n    name: curl\n    state: present\n",
        # not adjacent
        "- ansible.builtin.debug:\n    msg: between\n- ansible.builtin.apt:\n    name: curl\n    state: present\n",
    ],
)
def test_p102_not_batchable(tmp_path, second):
    assert not found(tmp_path, {"site.yml": play(APT_GIT + second)}, "P102")


def test_p102_yum_and_dnf_are_different_modules(tmp_path):
    src = play("- yum:\n    name: git\n- dnf:\n    name: curl\n")
    assert not found(tmp_path, {"site.yml": src}, "P102")


def test_p102_short_and_fqcn_names_are_the_same_module_and_state_defaults_to_present(tmp_path):
    src = play("- apt:\n    name: git\n- ansible.builtin.apt:\n    name: curl\n    state: present\n")
    assert len(found(tmp_path, {"site.yml": src}, "P102")) == 1


def test_p102_repository_package_ends_a_run(tmp_path):
    src = play("- dnf:\n    name: epel-release\n- dnf:\n    name: fail2ban\n- dnf:\n    name: htop\n")
    fs = found(tmp_path, {"site.yml": src}, "P102")
    assert len(fs) == 1 and "fail2ban, htop" in fs[0].message and "epel" not in fs[0].message


@pytest.mark.parametrize(
    "tasks",
    [
        "- pip:\n    name: pip\n    state: latest\n- pip:\n    name: numpy\n    state: latest\n",
        "- pip:\n    name: requests\n    version: '2.31'\n- pip:\n    name: flask\n    version: '2.31'\n",
        "- community.general.snap:\n    name: code\n    classic: true\n- community.general.snap:\n    name: helm\n    classic: true\n",
    ],
)
def test_p102_module_specific_exclusions(tmp_path, tasks):
    assert not found(tmp_path, {"site.yml": play(tasks)}, "P102")


def test_p102_handlers_are_never_merged(tmp_path):
    src = (
        "- hosts: all\n  handlers:\n"
        "    - name: reinstall a\n      apt:\n        name: a\n"
        "    - name: reinstall b\n      apt:\n        name: b\n"
        "  tasks:\n    - command: /bin/true\n      notify: reinstall a\n"
    )
    assert not found(tmp_path, {"site.yml": src}, "P102")


def test_p102_old_style_action_is_reported_without_fix(tmp_path):
    src = play("- action: apt name=git\n- action: apt name=curl\n")
    fs = found(tmp_path, {"site.yml": src}, "P102")
    assert len(fs) == 1 and fs[0].fix is None and "no automatic fix: old-style `action:`" in fs[0].message + fs[0].help
    src = play("- apt: name=git\n  args:\n    state: present\n- apt: name=curl\n  args:\n    state: present\n")
    fs = found(tmp_path, {"site.yml": src}, "P102")
    assert len(fs) == 1 and fs[0].fix is None and "no automatic fix" in fs[0].message + fs[0].help


def test_p102_noqa_on_the_first_task(tmp_path):
    src = play(APT_GIT.replace("- name: Install git\n", "- name: Install git  # noqa: P102\n") + APT_CURL)
    assert not found(tmp_path, {"site.yml": src}, "P102")


def test_p102_fix_is_idempotent_and_verified(tmp_path):
    src = play(APT_GIT + APT_CURL + APT_GIT.replace("git", "vim"))
    write_tree(tmp_path, {**PAIRS, "site.yml": src})
    res = run_engine(tmp_path, select=["P102"], fix=True, unsafe=True)
    assert res.applied == 1 and not res.failed
    (tmp_path / "site.yml").write_text(next(iter(res.changed.values()))[2])
    again = run_engine(tmp_path, select=["P102"], fix=True, unsafe=True)
    assert not again.changed and not again.findings
    data = load_data(str(tmp_path / "site.yml"), (tmp_path / "site.yml").read_text())
    assert data[0][0]["tasks"] == [
        {"name": "Install git", "ansible.builtin.apt": {"name": ["git", "curl", "vim"], "state": "present"}}
    ]


def test_p102_safe_fixes_only_leave_it_alone(tmp_path):
    write_tree(tmp_path, {**PAIRS, "site.yml": play(APT_GIT + APT_CURL)})
    res = run_engine(tmp_path, select=["P102"], fix=True, unsafe=False)
    assert not res.changed and [f.code for f in res.findings] == ["P102"]


# --------------------------------------------------------------------------- P102 corpus


def _corpus_findings(code: str, sub: str | None = None):
    corpus = corpus_or_skip()
    res = run_engine(corpus, select=[code], paths=[sub] if sub else None)
    return [f for f in res.findings if f.code == code]


def test_p102_corpus_docker_role_containerd_packages(tmp_path):
    # two tasks that do not refresh the cache: below the default `min_tasks`
    assert not _corpus_findings("P102", "ansible-role-docker")
    src = corpus_or_skip() / "ansible-role-docker"
    work = tmp_path / "docker"
    copy_writable(src, work)
    write_tree(work, PAIRS)
    fs = [f for f in run_engine(work, select=["P102"]).findings if f.code == "P102"]
    assert [(f.path, f.line) for f in fs] == [("tasks/setup-RedHat.yml", 46)]
    assert "container-selinux, containerd.io" in fs[0].message and "runc" not in fs[0].message
    # the fix on a copy: one package task in the RHEL 8 block, runc's removal kept apart
    res = run_engine(work, select=["P102"], fix=True, unsafe=True)
    assert not res.failed
    (new,) = [n for _, (d, _, n) in res.changed.items() if d.endswith("setup-RedHat.yml")]
    assert new.endswith(
        "    - name: Ensure container-selinux is installed.\n"
        "      package:\n"
        "        name:\n"
        "          - container-selinux\n"
        "          # Ensure containerd.io is installed.\n"
        "          - containerd.io\n"
        "        state: present\n"
        "  when: ansible_facts.distribution_major_version | int == 8\n"
    )
    assert "name: runc\n        state: absent" in new


def test_p102_corpus_epel_trap_stays_unflagged():
    fs = _corpus_findings("P102", "ansible-for-devops")
    assert not [f for f in fs if f.path == "ansible-for-devops/security/main.yml"]
    # nodejs-role: remi-release (a URL) then epel-release: repository packages, never batched
    assert not [f for f in fs if f.path == "ansible-for-devops/nodejs-role/playbook.yml"]


def test_p102_corpus_findings_pinned():
    # the corpus's only runs are pairs that do not refresh the cache (tomcat-memcached-failover's
    # java + tomcat, the docker role's container-selinux + containerd.io): below `min_tasks`
    assert _corpus_findings("P102") == []


# =========================================================================== P401

REFRESH = "- name: Update the apt cache\n  ansible.builtin.apt:\n    update_cache: {v}\n"
NGINX = "- name: Install nginx\n  ansible.builtin.apt:\n    name: nginx\n    update_cache: true\n"


@pytest.mark.parametrize("v", ["yes", "true", "True", '"yes"', "1", "on"])
def test_p401_second_refresh_reported_with_the_first(tmp_path, v):
    fs = found(tmp_path, {"site.yml": play(REFRESH.format(v=v) + NGINX)}, "P401")
    assert [f.line for f in fs] == [8, 12]
    assert "again at line 9" in fs[0].message
    assert "line 6 already ran" in fs[1].message
    assert all(f.fix is not None and f.fix.safety == "unsafe" for f in fs)


@pytest.mark.parametrize("v", ["no", "false", "'{{ refresh }}'"])
def test_p401_not_a_refresh(tmp_path, v):
    assert not found(tmp_path, {"site.yml": play(REFRESH.format(v=v) + NGINX)}, "P401")


def test_p401_fix_mapping_and_free_form(tmp_path):
    src = play(
        REFRESH.format(v="yes")
        + "- apt: name=git update_cache=yes\n"
        + '- apt: "name=curl update_cache=yes"\n'
        + "- action: apt name=vim update-cache=yes\n"
    )
    assert fixed(tmp_path, {"site.yml": src}, "P401") == play(
        "- name: Update the apt cache\n  ansible.builtin.apt:\n    update_cache: yes\n    cache_valid_time: 3600\n"
        "- apt: name=git update_cache=yes cache_valid_time=3600\n"
        '- apt: "name=curl update_cache=yes cache_valid_time=3600"\n'
        "- action: apt name=vim update-cache=yes cache_valid_time=3600\n"
    )


def test_p401_fix_indent_4_and_option(tmp_path):
    src = (
        "-   name: refresh\n    apt:\n        update_cache: true\n        upgrade: dist\n"
        "-   name: again\n    apt:\n        name: git\n        update_cache: true\n"
    )
    files = {"tasks/main.yml": src, ".ansopt.yml": "rules:\n  P401:\n    cache_valid_time: 600\n"}
    assert fixed(tmp_path, files, "P401", "main.yml") == (
        "-   name: refresh\n    apt:\n        update_cache: true\n        cache_valid_time: 600\n        upgrade: dist\n"
        "-   name: again\n    apt:\n        name: git\n        update_cache: true\n        cache_valid_time: 600\n"
    )


def test_p401_refresh_after_a_source_change_is_kept(tmp_path):
    src = play(
        REFRESH.format(v="yes")
        + "- apt_repository:\n    repo: ppa:ondrej/php\n    update_cache: false\n"
        + "- name: PHP\n  apt:\n    name: php\n    update_cache: true\n"
        + "- name: PHP ext\n  apt:\n    name: php-mysql\n    update_cache: true\n"
    )
    fs = found(tmp_path, {"site.yml": src}, "P401")
    # the first refresh is alone before the PPA; the PHP refresh is needed; only the last goes
    assert [f.line for f in fs] == [19]
    assert fixed(tmp_path, {"site.yml": src}, "P401").count("cache_valid_time") == 1


@pytest.mark.parametrize(
    "between",
    [
        "- deb822_repository:\n    name: x\n    uris: https://x\n    suites: stable\n    components: main\n",
        "- apt_key:\n    url: https://x/key.asc\n",
        "- copy:\n    src: x.list\n    dest: /etc/apt/sources.list.d/x.list\n",
        "- get_url:\n    url: https://x/key.gpg\n    dest: /usr/share/keyrings/x.gpg\n",
        "- shell: curl -fsSL https://deb.nodesource.com/setup_20.x | bash -\n",
        "- apt:\n    deb: https://repo.zabbix.com/zabbix-release_6.0-4_all.deb\n",
        "- include_role:\n    name: other\n",
        "- include_tasks: '{{ os }}.yml'\n",
    ],
)
def test_p401_anything_that_may_change_sources_resets(tmp_path, between):
    assert not found(tmp_path, {"site.yml": play(REFRESH.format(v="yes") + between + NGINX)}, "P401")


@pytest.mark.parametrize(
    "first",
    [
        REFRESH.format(v="yes") + "  when: ansible_os_family == 'Debian'\n",
        REFRESH.format(v="yes") + "  delegate_to: mirror\n",
        REFRESH.format(v="yes") + "  run_once: true\n",
        REFRESH.format(v="yes") + "  check_mode: true\n",
        "- name: Update the apt cache\n  ansible.builtin.apt:\n    update_cache: true\n    cache_valid_time: 3600\n",
        "- name: Maybe\n  when: refresh | bool\n  block:\n"
        + "".join("  " + ln + "\n" for ln in REFRESH.format(v="yes").splitlines()),
    ],
)
def test_p401_first_refresh_must_surely_run(tmp_path, first):
    assert not found(tmp_path, {"site.yml": play(first + NGINX)}, "P401")


def test_p401_conditional_later_refresh_is_redundant(tmp_path):
    fs = found(tmp_path, {"site.yml": play(REFRESH.format(v="yes") + NGINX + "  when: web | bool\n")}, "P401")
    assert len(fs) == 2


def test_p401_plays_are_separate_scopes(tmp_path):
    one = play(REFRESH.format(v="yes"))
    two = "- name: Other\n  hosts: all\n  tasks:\n" + "".join("    " + ln + "\n" for ln in NGINX.splitlines())
    assert not found(tmp_path, {"site.yml": one + two}, "P401")


def test_p401_play_roles_run_between_pre_tasks_and_tasks(tmp_path):
    src = (
        "- hosts: all\n  pre_tasks:\n    - apt:\n        update_cache: true\n"
        "  roles:\n    - common\n"
        "  tasks:\n    - apt:\n        name: nginx\n        update_cache: true\n"
    )
    files = {"site.yml": src, "roles/common/tasks/main.yml": "- debug:\n    msg: hi\n"}
    assert not found(tmp_path, files, "P401")
    # without roles: pre_tasks and tasks are one scope
    src2 = src.replace("  roles:\n    - common\n", "")
    assert len(found(tmp_path, {"site.yml": src2}, "P401")) == 2


def test_p401_handlers_that_change_sources_reset_at_flush(tmp_path):
    flush = "- meta: flush_handlers\n"
    handlers = "  handlers:\n    - name: add repo\n      apt_repository:\n        repo: ppa:x/y\n"
    src = play(REFRESH.format(v="yes") + flush + NGINX) + handlers
    assert not found(tmp_path, {"site.yml": src}, "P401")
    quiet = "  handlers:\n    - name: restart nginx\n      service:\n        name: nginx\n        state: restarted\n"
    assert len(found(tmp_path, {"site.yml": play(REFRESH.format(v="yes") + flush + NGINX) + quiet}, "P401")) == 2


def test_p401_handler_refreshes_are_not_counted(tmp_path):
    src = (
        play(REFRESH.format(v="yes")) + "  handlers:\n    - name: apt update\n      apt:\n        update_cache: true\n"
    )
    assert not found(tmp_path, {"site.yml": src}, "P401")


def test_p401_role_main_and_its_included_files_are_one_scope(tmp_path):
    files = {
        "roles/web/tasks/main.yml": "- apt:\n    update_cache: true\n- include_tasks: debian.yml\n",
        "roles/web/tasks/debian.yml": "- name: nginx\n  apt:\n    name: nginx\n    update_cache: true\n",
    }
    fs = found(tmp_path, files, "P401")
    assert sorted((f.path, f.line) for f in fs) == [("roles/web/tasks/debian.yml", 4), ("roles/web/tasks/main.yml", 2)]
    assert "roles/web/tasks/main.yml:1 already ran" in [f for f in fs if f.path.endswith("debian.yml")][0].message
    assert "this role" in fs[0].message


def test_p401_noqa(tmp_path):
    src = play(
        REFRESH.format(v="yes")
        + NGINX.replace("update_cache: true\n", "update_cache: true  # noqa: apt-cache-refresh\n")
    )
    fs = found(tmp_path, {"site.yml": src}, "P401")
    assert [f.line for f in fs] == [8]


# --------------------------------------------------------------------------- P401 corpus


def test_p401_corpus_has_no_repeated_refresh():
    # Every repeated refresh in the corpus is either already limited by cache_valid_time
    # (ansible-for-devops' pre_tasks), comes right after a source change
    # (`deb822_repository` + `update_cache` when changed, `apt_repository`), or is a handler.
    assert _corpus_findings("P401") == []


def test_p401_corpus_traps(tmp_path):
    corpus = corpus_or_skip()
    # drupal: pre_task with cache_valid_time, apt_repository (refreshes when changed) later
    work = tmp_path / "drupal"
    copy_writable(corpus / "ansible-for-devops" / "drupal", work)
    assert not [f for f in run_engine(work, select=["P401"]).findings if f.code == "P401"]
    # the same play without its cache_valid_time: the PPA still separates the refreshes
    pb = work / "provisioning" / "playbook.yml"
    text = pb.read_text()
    assert "apt: update_cache=yes cache_valid_time=3600" in text
    pb.write_text(text.replace("apt: update_cache=yes cache_valid_time=3600", "apt: update_cache=yes"))
    assert not [f for f in run_engine(work, select=["P401"]).findings if f.code == "P401"]
    # and with a second refresh right after the pre_task: that one is reported, the first too
    pb.write_text(
        pb.read_text().replace(
            "  tasks:\n",
            "  tasks:\n    - name: Refresh again.\n      apt: update_cache=yes\n\n",
            1,
        )
    )
    fs = [f for f in run_engine(work, select=["P401"]).findings if f.code == "P401"]
    assert [f.line for f in fs] == [10, 18]


def test_p401_corpus_conditional_refresh_after_deb822_stays_silent():
    fs = _corpus_findings("P401", "community.general-targets/lookup_passwordstore")
    assert fs == []


def test_p102_lsb_release_is_not_a_repository_package(tmp_path):
    src = play("- apt:\n    name: lsb-release\n- apt:\n    name: gnupg\n")
    assert len(found(tmp_path, {"site.yml": src}, "P102")) == 1


def test_p401_standalone_role_repository_is_a_role_scope(tmp_path):
    files = {
        "tasks/main.yml": "- apt:\n    update_cache: true\n- import_tasks: setup.yml\n",
        "tasks/setup.yml": "- apt:\n    name: x\n    update_cache: true\n",
        "handlers/main.yml": "- name: restart x\n  service:\n    name: x\n    state: restarted\n",
    }
    fs = found(tmp_path, files, "P401")
    assert sorted((f.path, f.line) for f in fs) == [("tasks/main.yml", 2), ("tasks/setup.yml", 3)]
    assert all("this role" in f.message for f in fs)
