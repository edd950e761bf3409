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
    assert res.parse_errors == 0 and res.internal_errors == 0, [f.message for f in res.findings if f.code.startswith("E")]
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
    "task, words",
    [
        ("    - ansible.builtin.get_url:\n        url: https://x.example/big.tar.gz\n        dest: /opt/big.tar.gz\n", "`ansible.builtin.get_url` downloads"),
        ("    - get_url: url=https://x.example/app.zip dest=/opt/app.zip\n", "`get_url` downloads"),
        ("    - ansible.windows.win_get_url:\n        url: https://x.example/setup.msi\n        dest: C:\\setup.msi\n", "downloads a file"),
        ("    - community.docker.docker_image:\n        name: vllm/vllm-openai\n        source: pull\n", "pulls an image"),
        ("    - docker_image:\n        name: redis:7\n", "pulls an image"),  # no source, no build: pulls
        ("    - community.docker.docker_image_pull:\n        name: redis:7\n", "pulls an image"),
        ("    - docker_image_pull:\n        name: redis:7\n", "pulls an image"),  # short name, not routed by ansible-core
        ("    - ansible.builtin.apt:\n        upgrade: dist\n", "`upgrade: dist` upgrades every package"),
        ("    - apt: upgrade=yes update_cache=yes\n", "upgrades every package"),
        ("    - ansible.builtin.dnf:\n        name: '*'\n        state: latest\n", "upgrades every package"),
        ("    - yum: name=* state=latest\n", "upgrades every package"),
        ("    - ansible.builtin.package:\n        name: ['*']\n        state: latest\n", "upgrades every package"),
        ("    - ansible.builtin.pip:\n        requirements: /srv/app/requirements.txt\n        virtualenv: /srv/venv\n", "requirements file"),
        ("    - ansible.builtin.git:\n        repo: https://git.example/app.git\n        dest: /srv/app\n", "clones or updates"),
        ("    - ansible.windows.win_updates:\n        category_names: ['*']\n", "Windows updates"),
        ("    - win_feature:\n        name: Web-Server\n", "Windows features"),
        ("    - chocolatey.chocolatey.win_chocolatey:\n        name: git\n", "installs packages"),
        ("    - ansible.builtin.command: docker pull vllm/vllm-openai:latest\n", "`docker pull` downloads an image"),
        ("    - ansible.builtin.shell: cd /srv/app && docker compose pull\n", "`docker compose pull` downloads images"),
        ("    - shell: |\n        set -e\n        apt-get update\n        apt-get -y dist-upgrade\n", "`apt-get -y dist-upgrade` upgrades"),
        ("    - ansible.builtin.command:\n        cmd: make -j4\n        chdir: /src\n", "`make` builds from source"),
        ("    - ansible.builtin.command:\n        argv: [git, clone, 'https://git.example/x.git', /srv/x]\n", "`git clone` downloads a repository"),
        ("    - command: /opt/venv/bin/pip install -r /srv/app/requirements.txt\n", "`pip install -r`"),
        ("    - shell: curl -fsSL -o /opt/model.gguf https://x.example/model.gguf\n", "`curl` downloads a file"),
        ("    - shell: wget -q https://x.example/ubuntu.iso\n", "`wget` downloads a file"),
        ("    - command: ollama pull llama3\n", "`ollama pull` downloads a model"),
        ("    - command: huggingface-cli download org/model\n", "downloads a model"),
        ("    - shell: sudo -u app bash -lc 'cd /srv && npm ci'\n", "`npm ci`"),
        ("    - command: cargo build --release\n", "`cargo build` compiles"),
    ],
)
def test_reported(tmp_path, task, words):
    found = check_task(tmp_path, task)
    assert len(found) == 1, task
    assert words in found[0].message
    assert "(the host still waits" in found[0].message


def test_reported_in_handlers_with_run_once_and_in_blocks(tmp_path):
    play = (
        "- hosts: web\n  tasks:\n    - block:\n        - command: docker pull x\n          run_once: true\n"
        "  handlers:\n    - name: refresh\n      command: docker compose pull\n"
    )
    write_tree(tmp_path, {"site.yml": play})
    assert [f.line for f in p301(run_engine(tmp_path, select=["P301"]))] == [4, 8]


def test_reported_in_role_task_files(tmp_path):
    write_tree(tmp_path, {"roles/app/tasks/main.yml": "- name: Fetch\n  ansible.builtin.get_url:\n    url: https://x.example/a.tgz\n    dest: /opt/a.tgz\n", "site.yml": "- hosts: web\n  roles: [app]\n"})
    found = p301(run_engine(tmp_path, select=["P301"]))
    assert [(f.path, f.line) for f in found] == [("roles/app/tasks/main.yml", 2)]


def test_unarchive_of_a_url_is_reported_without_fix(tmp_path):
    found = check_task(tmp_path, "    - unarchive:\n        src: https://x.example/a.tar.gz\n        dest: /opt\n        remote_src: true\n")
    assert len(found) == 1 and found[0].fix is None
    assert "refuses `async`" in found[0].message and "get_url" in found[0].message


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
        "    - command: docker pull x\n      async: 600\n      poll: 15\n",
        "    - command: docker pull x\n      async: 0\n",
        "    - get_url: url=https://x.example/a.tgz dest=/opt/a.tgz\n      async: '{{ t }}'\n",
        # loops
        "    - command: docker pull {{ item }}\n      loop: [a, b]\n",
        "    - get_url: url=https://x.example/{{ item }} dest=/opt/\n      with_items: [a.tgz, b.tgz]\n",
        # on the controller
        "    - get_url: url=https://x.example/a.tgz dest=/tmp/a.tgz\n      delegate_to: localhost\n",
        "    - local_action: command docker pull x\n",
        "    - command: docker pull x\n      connection: local\n",
        "    - block:\n        - command: make\n      delegate_to: 127.0.0.1\n",
        # check mode: nothing is downloaded
        "    - get_url: url=https://x.example/a.tgz dest=/opt/a.tgz\n      check_mode: true\n",
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
        "    - shell: docker pull x &\n",
        "    - shell: setsid ollama pull llama3\n",
        "    - shell: curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/health\n",
        "    - shell: curl -fsSL https://get.docker.com -o /tmp/get-docker.sh\n",
        "    - shell: curl -s https://api.example/status\n",
        "    - shell: wget -qO- https://x.example/install | sh\n",
        "    - shell: wget --spider https://x.example/big.iso\n",
        "    - shell: echo 'docker pull x' >> /tmp/notes\n",
        "    - shell: apt-get -s upgrade\n",
        "    - shell: yum check-update\n",
        "    - shell: npm install -g pm2\n",
        "    - shell: '# docker pull x is done by the image role\n        true'\n",
        "    - raw: docker pull x\n",
    ],
)
def test_not_reported(tmp_path, task):
    assert not check_task(tmp_path, task), task


def test_localhost_play_is_not_reported(tmp_path):
    for i, extra in enumerate(("  connection: local\n", "")):
        d = tmp_path / str(i)
        hosts = "web" if extra else "localhost"
        write_tree(d, {"site.yml": f"- hosts: {hosts}\n{extra}  tasks:\n    - command: docker pull x\n"})
        assert not p301(run_engine(d, select=["P301"]))


# --------------------------------------------------------------------------- command parsing


def test_command_splitting():
    assert command_matches("cd /src; ./configure && make", []) == ["`make` builds from source"]
    assert command_matches("for i in a b; do docker pull $i; done", []) == ["`docker pull` downloads an image"]
    assert command_matches("FOO=1 env BAR=2 sudo -u app timeout 300 make install", []) == ["`make` builds from source"]
    assert command_matches("docker pull {{ img | default('x') }}", []) == ["`docker pull` downloads an image"]
    assert command_matches("curl -o {{ dest | quote }} https://x/{{ name }}.asc", []) == []
    assert command_matches("echo 'make; docker pull x'", []) == []
    # anything sent to the background: the task starts a process meant to outlive it
    assert command_matches("make &\ndocker pull x", []) == []
    assert command_matches("curl -o /opt/app.war https://x/app.war; java -jar /opt/app.war &", []) == []
    assert command_matches("docker pull x 2>&1 | tee /tmp/log", []) == ["`docker pull` downloads an image"]
    assert argv_matches(["/usr/bin/docker", "pull", "x"], []) == ["`docker pull` downloads an image"]
    assert argv_matches(["echo", "make"], []) == []


# --------------------------------------------------------------------------- options


def test_extra_commands_from_settings(tmp_path):
    task = "    - command: ansible-galaxy collection install -r requirements.yml\n"
    assert not check_task(tmp_path / "a", task)
    write_tree(tmp_path / "b", {".ansopt.yml": "rules:\n  P301:\n    extra-commands: ['^ansible-galaxy\\s+collection\\s+install\\b']\n"})
    found = check_task(tmp_path / "b", task)
    assert len(found) == 1 and "`ansible-galaxy collection install` (extra_commands)" in found[0].message


def test_extra_modules_from_settings(tmp_path):
    task = "    - community.general.npm:\n        path: /srv/app\n"
    assert not check_task(tmp_path / "a", task)
    write_tree(tmp_path / "b", {".ansopt.yml": "rules:\n  missing-async:\n    extra_modules: [community.general.npm]\n"})
    found = check_task(tmp_path / "b", task)
    assert len(found) == 1 and "(extra_modules)" in found[0].message and found[0].fix is not None


def test_extra_modules_never_make_copy_async(tmp_path):
    write_tree(tmp_path, {".ansopt.yml": "rules:\n  P301:\n    extra_modules: [copy]\n"})
    assert not check_task(tmp_path, "    - copy: src=a dest=/b\n")


def test_async_and_poll_options_change_the_fix(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: docker pull x\n"
    new = fix_text(tmp_path, text, settings="rules:\n  P301:\n    async: 1800\n    poll: 5\n")
    assert new == "- hosts: web\n  tasks:\n    - command: docker pull x\n      async: 1800\n      poll: 5\n"


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
        "    register: fetched\n"
        "    when: fetch | bool\n"
    )
    want = text.replace("      dest: /opt/a.tgz\n", "      dest: /opt/a.tgz\n    async: 600\n    poll: 15\n")
    assert fix_text(tmp_path, text) == want


def test_fix_indent_4_and_module_first(tmp_path):
    text = (
        "- hosts: web\n"
        "  tasks:\n"
        "      -   command: docker pull x   # the big one\n"
        "          register: pulled\n"
    )
    want = (
        "- hosts: web\n"
        "  tasks:\n"
        "      -   command: docker pull x   # the big one\n"
        "          async: 600\n"
        "          poll: 15\n"
        "          register: pulled\n"
    )
    assert fix_text(tmp_path, text) == want


def test_fix_keeps_crlf(tmp_path):
    text = "- hosts: web\r\n  tasks:\r\n    - name: Pull\r\n      shell: |\r\n        docker pull x\r\n        docker pull y\r\n      tags: [pull]\r\n"
    want = text.replace("docker pull y\r\n", "docker pull y\r\n      async: 600\r\n      poll: 15\r\n")
    assert fix_text(tmp_path, text) == want


def test_fix_at_end_of_file_without_newline(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: make"
    assert fix_text(tmp_path, text) == "- hosts: web\n  tasks:\n    - command: make\n      async: 600\n      poll: 15"


def test_fix_in_a_task_file(tmp_path):
    text = "- name: Upgrade\n  ansible.builtin.apt:\n    upgrade: dist\n"
    got = fix_text(tmp_path, text, name="roles/base/tasks/main.yml")
    assert got == text + "  async: 600\n  poll: 15\n"


def test_fix_with_poll_already_set_adds_async_only(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: docker pull x\n      poll: 5\n"
    assert fix_text(tmp_path, text) == "- hosts: web\n  tasks:\n    - command: docker pull x\n      async: 600\n      poll: 5\n"


@pytest.mark.parametrize(
    "task",
    [
        "    - {name: Pull, command: docker pull x}\n",  # flow style
        "    - &pull\n      command: docker pull x\n",  # anchored
        "    - shell: |+\n        docker pull x\n\n      tags: [x]\n",  # keep chomping: text after it is part of the value
    ],
)
def test_no_fix(tmp_path, task):
    found = check_task(tmp_path, task)
    assert len(found) == 1 and found[0].fix is None


def test_fix_is_idempotent(tmp_path):
    text = "- hosts: web\n  tasks:\n    - command: docker pull x\n"
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
        # a JBoss AS zip (about 130 MB) and a Tomcat tarball
        ("ansible-examples/jboss-standalone/roles/jboss-standalone/tasks/main.yml", 13, "`get_url` downloads", True),
        ("ansible-examples/tomcat-standalone/roles/tomcat/tasks/main.yml", 14, "`get_url` downloads", True),
        # the Solr tarball from archive.apache.org
        ("ansible-for-devops/solr/provisioning/playbook.yml", 17, "`get_url` downloads", True),
        # cloning the application on deploy
        ("ansible-for-devops/deployments/playbooks/deploy.yml", 13, "`git` clones", True),
        # a full `yum upgrade -y` in a shell task, and dnf name='*' state=latest
        ("ansible-examples/language_features/netscaler.yml", 22, "`yum upgrade` upgrades packages", True),
        ("community.general-targets/dnf_versionlock/tasks/lock_updates.yml", 41, "`dnf update` upgrades packages", True),
        # an Apache MSI downloaded onto a Windows host
        ("ansible-examples/windows/install-msi.yml", 7, "`win_get_url` downloads", True),
        # a docker pull in the Docker role's molecule verifier
        ("ansible-role-docker/molecule/default/verify.yml", 30, "`docker pull`", True),
        # helm's release tarball unpacked from its URL: reported, no fix possible
        ("ansible-for-devops/kubernetes/examples/helm.yml", 7, "refuses `async`", False),
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
        ("ansible-examples/tomcat-memcached-failover/roles/tomcat/tasks/main.yml", 17, "with_items"),
        ("ansible-examples/tomcat-memcached-failover/roles/common/tasks/main.yml", 6, "a GPG key: a small file"),
        ("ansible-role-docker/tasks/setup-RedHat.yml", 14, "a .repo file"),
        ("ansible-for-devops/includes/provisioning/tasks/composer.yml", 3, "the Composer installer, a .php script"),
        ("ansible-for-devops/docker-hubot/main.yml", 14, "a docker_image pull in a localhost play with connection local"),
        ("ansible-for-devops/docker/main.yml", 7, "docker_image that builds"),
        ("ansible-examples/windows/enable-iis.yml", 9, "win_feature with restart: yes (a reboot inside an async job)"),
        ("community.general-targets/yum_versionlock/tasks/main.yml", 63, "dnf name='*' state=latest in check mode"),
        ("community.general-targets/setup_rundeck/tasks/main.yml", 29, "curl downloads, then java -jar rundeck.war & (a daemon)"),
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
    subs += [f"community.general-targets/{t}" for t in ("dnf_versionlock", "odbc", "pacman", "pnpm", "setup_wildfly_server", "yum_versionlock")]
    for sub in subs:
        if (corpus / sub).is_dir():
            copy_writable(corpus / sub, work / sub)
    res = run_engine(work, select=["P301"], fix=True, unsafe=True)
    assert res.changed and not res.failed, [f.message for f in res.failed]
    from ansopt.engine import write_atomic

    for abspath, (_, _, new) in res.changed.items():
        write_atomic(abspath, new)
    left = p301(run_engine(work, select=["P301"]))
    assert left and all(f.fix is None for f in left)


def test_apt_star_latest_is_a_full_upgrade(tmp_path):
    write_tree(tmp_path, {"site.yml": "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.apt:\n        name: \"*\"\n        state: latest\n"})
    found = [f for f in run_engine(tmp_path, select=["P301"]).findings if f.code == "P301"]
    assert len(found) == 1 and "upgrades every package" in found[0].message
