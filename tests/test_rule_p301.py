"""P301 missing-async: which tasks it reports, its options, the fix text, and the corpus."""

from __future__ import annotations

import pytest

from ansopt.rules.p301_missing_async import action_supports_async, argv_matches, command_matches

from .conftest import copy_writable, corpus_or_skip, run_engine, write_tree


def p301(res):
    return [f for f in res.findings if f.code == "P301"]


def one_task(task: str, play_extra: str = "") -> str:
    """A playbook around one task given at 4 spaces (list item at `    - `)."""
    return f"- hosts: web\n{play_extra}  tasks:\n{task}"


def check_task(tmp_path, task: str, play_extra: str = "", files: dict | None = None):
    write_tree(tmp_path, {"site.yml": one_task(task, play_extra), **(files or {})})
    res = run_engine(tmp_path, select=["P301"])
    assert res.parse_errors == 0 and res.internal_errors == 0, [
        f.message for f in res.findings if f.code.startswith("E")
    ]
    return p301(res)


def fix_text(tmp_path, text: str, name: str = "site.yml", settings: str | None = None) -> str:
    files = {name: text}
    if settings is not None:
        files[".ansopt.yml"] = settings
    write_tree(tmp_path, files)
    res = run_engine(tmp_path, select=["P301"], fix=True, unsafe=True)
    assert not res.failed, [f.message for f in res.failed]
    changed = {p: new for p, (_, _, new) in res.changed.items()}
    assert len(changed) == 1, changed
    return next(iter(changed.values()))


# --------------------------------------------------------------------------- reported


@pytest.mark.parametrize(
    "task, words, fixable",
    [
        (
            "    - ansible.builtin.get_url:\n        url: https://x.example/big.tar.gz\n        dest: /opt/big.tar.gz\n        force: true\n",
            "`get_url` downloads a file on every run",
            True,
        ),
        (
            "    - get_url: url=https://x.example/app.zip dest=/opt/\n",
            "`get_url` downloads a file on every run",
            True,
        ),  # a directory
        (
            "    - ansible.windows.win_get_url:\n        url: https://x.example/setup.msi\n        dest: C:\\setup.msi\n",
            "downloads a file on every run",
            True,
        ),
        ("    - ansible.builtin.apt:\n        upgrade: dist\n", "upgrades every package (`upgrade: dist`)", False),
        ("    - apt: upgrade=yes update_cache=yes\n", "upgrades every package", False),
        ("    - ansible.builtin.dnf:\n        name: '*'\n        state: latest\n", "upgrades every package", False),
        ("    - yum: name=* state=latest\n", "upgrades every package", False),
        (
            "    - ansible.builtin.package:\n        name: ['*']\n        state: latest\n",
            "upgrades every package",
            False,
        ),
        (
            "    - shell: |\n        set -e\n        apt-get update\n        apt-get -y dist-upgrade\n",
            "`apt-get -y dist-upgrade` upgrades",
            False,
        ),
        ("    - command: dnf -y upgrade\n", "`dnf -y upgrade` upgrades every package", False),
        ("    - command: zypper --non-interactive up\n", "upgrades every package", False),
        (
            "    - shell: curl -fsSL -o /opt/model.gguf https://x.example/model.gguf\n",
            "`curl` downloads a file on every run",
            True,
        ),
        ("    - shell: wget -q https://x.example/ubuntu.iso\n", "`wget` downloads a file on every run", True),
        ("    - shell: sudo -u app bash -lc 'cd /srv && npm ci'\n", "`npm ci` reinstalls", True),
    ],
)
def test_reported(tmp_path, task, words, fixable):
    found = check_task(tmp_path, task)
    assert len(found) == 1, task
    assert words in found[0].message
    assert len(found[0].message) <= 120, found[0].message
    assert (found[0].fix is not None) == fixable
    if fixable:
        assert "(the host still waits" in found[0].help and "poll: 2" in found[0].help
    else:
        assert "kills the upgrade" in found[0].message and "no fix" in found[0].help


def test_reported_in_handlers_with_run_once_and_in_blocks(tmp_path):
    play = (
        "- hosts: web\n  tasks:\n    - block:\n        - command: wget https://x.example/a.iso\n          run_once: true\n"
        "  handlers:\n    - name: refresh\n      command: apt-get -y upgrade\n"
    )
    write_tree(tmp_path, {"site.yml": play})
    assert [f.line for f in p301(run_engine(tmp_path, select=["P301"]))] == [4, 8]


def test_reported_in_role_task_files(tmp_path):
    write_tree(
        tmp_path,
        {
            "roles/app/tasks/main.yml": "- name: Fetch\n  ansible.builtin.get_url:\n    url: https://x.example/a.tgz\n    dest: /opt/\n",
            "site.yml": "- hosts: web\n  roles: [app]\n",
        },
    )
    found = p301(run_engine(tmp_path, select=["P301"]))
    assert [(f.path, f.line) for f in found] == [("roles/app/tasks/main.yml", 2)]


def test_unarchive_of_a_url_is_reported_without_fix(tmp_path):
    found = check_task(
        tmp_path,
        "    - unarchive:\n        src: https://x.example/a.tar.gz\n        dest: /opt\n        remote_src: true\n",
    )
    assert len(found) == 1 and found[0].fix is None
    assert "refuses `async`" in found[0].message and "get_url" in found[0].help


def test_unarchive_refuses_async_in_ansible_core():
    """The reason unarchive gets no fix: ansible-core's action plugin raises on async."""
    assert not action_supports_async("ansible.builtin.unarchive")
    assert not action_supports_async("ansible.builtin.copy")
    assert action_supports_async("ansible.builtin.command")
    assert action_supports_async("ansible.builtin.get_url")  # no action plugin: the normal one
    assert action_supports_async("ansible.builtin.dnf")


# --------------------------------------------------------------------------- not reported


@pytest.mark.parametrize(
    "task",
    [
        # already async, any value
        "    - command: wget https://x.example/a.iso\n      async: 600\n      poll: 15\n",
        "    - command: wget https://x.example/a.iso\n      async: 0\n",
        "    - get_url: url=https://x.example/a.tgz dest=/opt/ force=yes\n      async: '{{ t }}'\n",
        # loops
        "    - command: wget https://x.example/{{ item }}\n      loop: [a.iso, b.iso]\n",
        "    - get_url: url=https://x.example/{{ item }} dest=/opt/\n      with_items: [a.tgz, b.tgz]\n",
        # on the controller
        "    - get_url: url=https://x.example/a.tgz dest=/tmp/ force=yes\n      delegate_to: localhost\n",
        "    - local_action: command wget https://x.example/a.iso\n",
        "    - command: wget https://x.example/a.iso\n      connection: local\n",
        "    - block:\n        - command: apt-get -y upgrade\n      delegate_to: 127.0.0.1\n",
        # check mode: nothing is downloaded
        "    - get_url: url=https://x.example/a.tgz dest=/opt/ force=yes\n      check_mode: true\n",
        # win_feature that may reboot the host
        "    - win_feature:\n        name: Web-Server\n        restart: yes\n",
        # copies and templates never
        "    - copy: src=big.iso dest=/opt/big.iso\n",
        "    - ansible.builtin.template: src=a.j2 dest=/etc/a\n",
        "    - ansible.posix.synchronize: src=/data dest=/data\n",
        # small files by extension
        "    - get_url: url=https://dl.example/RPM-GPG-KEY-EPEL-7 dest=/etc/pki/rpm-gpg/\n",
        "    - get_url: url=https://download.docker.com/linux/centos/docker-ce.repo dest=/etc/yum.repos.d/docker-ce.repo\n",
        "    - get_url:\n        url: https://x.example/install.sh\n        dest: /tmp/install.sh\n",
        # unarchive of a file already there, or copied from the controller
        "    - unarchive: src=/opt/a.tgz dest=/opt remote_src=yes\n",
        "    - unarchive: src=files/a.tgz dest=/opt\n",
        # docker_image that builds, loads, removes; templated source
        "    - docker_image:\n        name: app\n        source: build\n        build:\n          path: /src\n",
        "    - docker_image:\n        name: app\n        load_path: /tmp/app.tar\n        source: load\n",
        "    - docker_image:\n        name: app\n        state: absent\n",
        "    - docker_image:\n        name: app\n        source: '{{ src }}'\n",
        # package modules that do not upgrade everything
        "    - apt: name=nginx state=latest\n",
        "    - apt:\n        upgrade: 'no'\n",
        "    - apt:\n        upgrade: '{{ do_upgrade }}'\n",
        "    - dnf: name=nginx state=latest\n",
        "    - dnf: name=* state=present\n",
        "    - pip: name=requests\n",
        # win_updates with reboot refuses async
        "    - ansible.windows.win_updates:\n        reboot: true\n",
        "    - ansible.windows.win_updates:\n        reboot: '{{ allow_reboot }}'\n",
        # git that neither clones nor updates
        "    - git: repo=x dest=/srv/x clone=no update=no\n",
        # command text that is not long-running, or already in the background
        "    - command: git status\n",
        "    - command: mkdir -p /opt/x\n",
        "    - command: make_thing --all\n",
        "    - command: cmake -S . -B build\n",
        "    - command: docker pull --help\n",
        "    - command: make --version\n",
        "    - shell: nohup make > /tmp/build.log 2>&1 &\n",
        "    - shell: wget https://x.example/a.iso &\n",
        "    - shell: setsid ollama pull llama3\n",
        "    - shell: curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/health\n",
        "    - shell: curl -fsSL https://get.docker.com -o /tmp/get-docker.sh\n",
        "    - shell: curl -s https://api.example/status\n",
        "    - shell: wget -qO- https://x.example/install | sh\n",
        "    - shell: wget --spider https://x.example/big.iso\n",
        "    - shell: echo 'wget https://x.example/a.iso' >> /tmp/notes\n",
        "    - shell: apt-get -s upgrade\n",
        "    - shell: yum check-update\n",
        "    - shell: npm install -g pm2\n",
        "    - shell: '# wget https://x.example/a.iso is done by the image role\n        true'\n",
        "    - raw: wget https://x.example/a.iso\n",
        # quick once done: the usual run is a re-run
        "    - command: docker pull vllm/vllm-openai:latest\n",
        "    - community.docker.docker_image:\n        name: redis:7\n        source: pull\n",
        "    - ansible.builtin.git:\n        repo: https://git.example/app.git\n        dest: /srv/app\n",
        "    - ansible.builtin.pip:\n        requirements: /srv/app/requirements.txt\n",
        "    - command:\n        cmd: make -j4\n        chdir: /src\n",
        "    - command: ollama pull llama3\n",
        "    - get_url:\n        url: https://x.example/big.tar.gz\n        dest: /opt/big.tar.gz\n",
        "    - win_get_url:\n        url: https://x.example/setup.msi\n        dest: C:\\setup.msi\n        force: no\n",
        "    - ansible.windows.win_updates:\n        category_names: ['*']\n",
        "    - win_feature:\n        name: Web-Server\n",
        # once only, or a package named
        "    - unarchive:\n        src: https://x.example/a.tgz\n        dest: /opt\n        remote_src: true\n        creates: /opt/a\n",
        "    - command:\n        cmd: curl -o /opt/a.iso https://x.example/a.iso\n        creates: /opt/a.iso\n",
        "    - command: yum -y update nginx\n",
        "    - command: dnf upgrade --refresh openssl\n",
    ],
)
def test_not_reported(tmp_path, task):
    assert not check_task(tmp_path, task), task


def test_localhost_play_is_not_reported(tmp_path):
    for i, extra in enumerate(("  connection: local\n", "")):
        d = tmp_path / str(i)
        hosts = "web" if extra else "localhost"
        write_tree(d, {"site.yml": f"- hosts: {hosts}\n{extra}  tasks:\n    - command: wget https://x.example/a.iso\n"})
        assert not p301(run_engine(d, select=["P301"]))


# --------------------------------------------------------------------------- command parsing


def test_command_splitting():
    dl = ("`wget` downloads a file on every run", "download")
    assert command_matches("cd /src; ./configure && apt-get -y upgrade", []) == [
        ("`apt-get -y upgrade` upgrades every package", "upgrade")
    ]
    assert command_matches("for i in a b; do wget https://x/$i.iso; done", []) == [dl]
    assert command_matches("FOO=1 env BAR=2 sudo -u app timeout 300 wget https://x/a.iso", []) == [dl]
    assert command_matches("wget {{ url | default('https://x/a.iso') }}", []) == [dl]
    assert command_matches("curl -o {{ dest | quote }} https://x/{{ name }}.asc", []) == []
    assert command_matches("echo 'apt-get upgrade; wget https://x/a.iso'", []) == []
    # anything sent to the background: the task starts a process meant to outlive it
    assert command_matches("apt-get -y upgrade &\nwget https://x/a.iso", []) == []
    assert command_matches("curl -o /opt/app.war https://x/app.war; java -jar /opt/app.war &", []) == []
    assert command_matches("wget https://x/a.iso 2>&1 | tee /tmp/log", []) == [dl]
    assert command_matches("docker pull x && make && git clone https://x/y", []) == []  # quick once done
    assert argv_matches(["/usr/bin/wget", "https://x/a.iso"], []) == [dl]
    assert argv_matches(["echo", "wget"], []) == []


# --------------------------------------------------------------------------- options


def test_extra_commands_from_settings(tmp_path):
    task = "    - command: ansible-galaxy collection install -r requirements.yml\n"
    assert not check_task(tmp_path / "a", task)
    write_tree(
        tmp_path / "b",
        {".ansopt.yml": "rules:\n  P301:\n    extra-commands: ['^ansible-galaxy\\s+collection\\s+install\\b']\n"},
    )
    found = check_task(tmp_path / "b", task)
    assert len(found) == 1 and "`ansible-galaxy collection install` (extra_commands)" in found[0].message


def test_extra_modules_from_settings(tmp_path):
    task = "    - community.general.npm:\n        path: /srv/app\n"
    assert not check_task(tmp_path / "a", task)
    write_tree(
        tmp_path / "b", {".ansopt.yml": "rules:\n  missing-async:\n    extra_modules: [community.general.npm]\n"}
    )
    found = check_task(tmp_path / "b", task)
    assert len(found) == 1 and "(extra_modules)" in found[0].message and found[0].fix is not None


def test_extra_modules_never_make_copy_async(tmp_path):
    write_tree(tmp_path, {".ansopt.yml": "rules:\n  P301:\n    extra_modules: [copy]\n"})
    assert not check_task(tmp_path, "    - copy: src=a dest=/b\n")


def test_async_and_poll_options_change_the_fix(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: wget https://x.example/a.iso\n"
    new = fix_text(tmp_path, text, settings="rules:\n  P301:\n    async: 1800\n    poll: 5\n")
    assert (
        new == "- hosts: web\n  tasks:\n    - command: wget https://x.example/a.iso\n      async: 1800\n      poll: 5\n"
    )


def test_bad_option_values_are_rejected(tmp_path):
    from ansopt.settings import SettingsError, load

    write_tree(tmp_path, {".ansopt.yml": "rules:\n  P301:\n    poll: 0\n"})
    with pytest.raises(SettingsError, match="poll"):
        load(str(tmp_path))


# --------------------------------------------------------------------------- the fix text


def test_fix_goes_right_after_the_module_entry_indent_2(tmp_path):
    text = (
        "---\n"
        "- hosts: web\n"
        "  tasks:\n"
        "  - name: Fetch\n"
        "    get_url:\n"
        "      url: https://x.example/a.tgz  # big\n"
        "      dest: /opt/a.tgz\n"
        "      force: true\n"
        "    register: fetched\n"
        "    when: fetch | bool\n"
    )
    want = text.replace("      force: true\n", "      force: true\n    async: 600\n    poll: 2\n")
    assert fix_text(tmp_path, text) == want


def test_fix_indent_4_and_module_first(tmp_path):
    text = (
        "- hosts: web\n"
        "  tasks:\n"
        "      -   command: wget https://x.example/a.iso   # the big one\n"
        "          register: pulled\n"
    )
    want = (
        "- hosts: web\n"
        "  tasks:\n"
        "      -   command: wget https://x.example/a.iso   # the big one\n"
        "          async: 600\n"
        "          poll: 2\n"
        "          register: pulled\n"
    )
    assert fix_text(tmp_path, text) == want


def test_fix_keeps_crlf(tmp_path):
    text = "- hosts: web\r\n  tasks:\r\n    - name: Pull\r\n      shell: |\r\n        wget https://x.example/a.iso\r\n        docker pull y\r\n      tags: [pull]\r\n"
    want = text.replace("docker pull y\r\n", "docker pull y\r\n      async: 600\r\n      poll: 2\r\n")
    assert fix_text(tmp_path, text) == want


def test_fix_at_end_of_file_without_newline(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: npm ci"
    assert fix_text(tmp_path, text) == "- hosts: web\n  tasks:\n    - command: npm ci\n      async: 600\n      poll: 2"


def test_fix_in_a_task_file(tmp_path):
    text = "- name: Fetch\n  ansible.builtin.get_url:\n    url: https://x.example/a.tgz\n    dest: /opt/\n"
    got = fix_text(tmp_path, text, name="roles/base/tasks/main.yml")
    assert got == text + "  async: 600\n  poll: 2\n"


def test_fix_with_poll_already_set_adds_async_only(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: wget https://x.example/a.iso\n      poll: 5\n"
    assert (
        fix_text(tmp_path, text)
        == "- hosts: web\n  tasks:\n    - command: wget https://x.example/a.iso\n      async: 600\n      poll: 5\n"
    )


@pytest.mark.parametrize(
    "task",
    [
        "    - {name: Pull, command: npm ci}\n",  # flow style
        "    - &pull\n      command: wget https://x.example/a.iso\n",  # anchored
        "    - shell: |+\n        wget https://x.example/a.iso\n\n      tags: [x]\n",  # keep chomping: text after it is part of the value
    ],
)
def test_no_fix(tmp_path, task):
    found = check_task(tmp_path, task)
    assert len(found) == 1 and found[0].fix is None


def test_fix_is_idempotent(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: wget https://x.example/a.iso\n"
    new = fix_text(tmp_path, text)
    (tmp_path / "site.yml").write_text(new)
    assert not p301(run_engine(tmp_path, select=["P301"]))


# --------------------------------------------------------------------------- corpus


_CORPUS_RUN: dict = {}


def _corpus_findings():
    corpus = corpus_or_skip()
    if "found" not in _CORPUS_RUN:  # one run of the rule over the corpus for all these tests
        _CORPUS_RUN["found"] = p301(run_engine(corpus, select=["P301"]))
    return corpus, _CORPUS_RUN["found"]


def test_corpus_findings_listed(capsys):
    _, found = _corpus_findings()
    by_file: dict[str, list] = {}
    for f in found:
        by_file.setdefault(f.path, []).append(f)
    with capsys.disabled():
        print(f"\nP301 on the corpus: {len(found)} findings in {len(by_file)} files")
        for path, fs in by_file.items():
            if len(fs) > 5:  # ansible-lint's stress fixture repeats one task hundreds of times
                print(f"  {path}: {len(fs)} findings, e.g. line {fs[0].line}: {fs[0].message.split(',')[0]}")
                continue
            for f in fs:
                print(f"  {f.path}:{f.line}: {'fix' if f.fix else 'no fix'}: {f.message.split(', which')[0]}")
    assert found


@pytest.mark.parametrize(
    "path, line, words, fixable",
    [
        # a full `yum upgrade -y` in a shell task
        ("ansible-examples/language_features/netscaler.yml", 22, "`yum upgrade` upgrades every package", False),
        # an Apache MSI downloaded onto a Windows host, again on every run (win_get_url's force)
        ("ansible-examples/windows/install-msi.yml", 7, "`win_get_url` downloads a file on every run", True),
        # Android platform tools unpacked from their URL on every run: no async possible
        ("community.general-targets/android_sdk/tasks/default-tests.yml", 42, "refuses `async`", False),
    ],
)
def test_corpus_pins(path, line, words, fixable):
    _, found = _corpus_findings()
    hits = [f for f in found if f.path.endswith(path) and f.line == line]
    assert hits, f"no P301 at {path}:{line}"
    assert words in hits[0].message
    assert (hits[0].fix is not None) == fixable


@pytest.mark.parametrize(
    "path, line, why",
    [
        ("ansible-examples/language_features/get_url.yml", 10, "a loop over jQuery files"),
        (
            "ansible-examples/jboss-standalone/roles/jboss-standalone/tasks/main.yml",
            13,
            "get_url to a file: skipped once there",
        ),
        ("ansible-for-devops/deployments/playbooks/deploy.yml", 13, "git: quick once the checkout is current"),
        ("ansible-role-docker/molecule/default/verify.yml", 30, "docker pull: quick once the image is there"),
        ("ansible-for-devops/kubernetes/examples/helm.yml", 7, "unarchive with creates"),
        ("community.general-targets/dnf_versionlock/tasks/lock_updates.yml", 41, "dnf update of named packages"),
        ("ansible-examples/tomcat-memcached-failover/roles/common/tasks/main.yml", 6, "a GPG key: a small file"),
        ("ansible-role-docker/tasks/setup-RedHat.yml", 14, "a .repo file"),
        (
            "ansible-for-devops/docker-hubot/main.yml",
            14,
            "a docker_image pull in a localhost play with connection local",
        ),
        ("community.general-targets/yum_versionlock/tasks/main.yml", 63, "dnf name='*' state=latest in check mode"),
        (
            "community.general-targets/setup_rundeck/tasks/main.yml",
            29,
            "curl downloads, then java -jar rundeck.war & (a daemon)",
        ),
    ],
)
def test_corpus_non_findings(path, line, why):
    corpus, found = _corpus_findings()
    assert (corpus / path).is_file(), path
    assert not [f for f in found if f.path.endswith(path) and f.line == line], why


def test_corpus_fixes_verify(tmp_path):
    """Every P301 fix on real files passes the engine's verification, and a second run has
    nothing left to fix."""

    corpus = corpus_or_skip()
    work = tmp_path / "corpus"
    subs = ["ansible-examples", "ansible-for-devops", "ansible-role-docker"]
    subs += [
        f"community.general-targets/{t}"
        for t in ("dnf_versionlock", "odbc", "pacman", "pnpm", "setup_wildfly_server", "yum_versionlock")
    ]
    for sub in subs:
        if (corpus / sub).is_dir():
            copy_writable(corpus / sub, work / sub)
    res = run_engine(work, select=["P301"], fix=True, unsafe=True)
    assert res.changed and not res.failed, [f.message for f in res.failed]
    from ansopt.fixers.write import write_atomic

    for abspath, (_, _, new) in res.changed.items():
        write_atomic(abspath, new)
    left = p301(run_engine(work, select=["P301"]))
    assert left and all(f.fix is None for f in left)


def test_apt_star_latest_is_a_full_upgrade(tmp_path):
    write_tree(
        tmp_path,
        {
            "site.yml": '- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.apt:\n        name: "*"\n        state: latest\n'
        },
    )
    found = [f for f in run_engine(tmp_path, select=["P301"]).findings if f.code == "P301"]
    assert len(found) == 1 and "upgrades every package" in found[0].message
