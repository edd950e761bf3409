"""C201 no-fact-cache, C202 fact-cache-ignored, C203 fact-cache-no-connection."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from .conftest import codes, corpus_or_skip, run_engine, write_tree

# two plays that gather: a run gathers twice, which smart gathering and a cache save
GATHERS = """\
- name: Web servers
  hosts: all
  tasks:
    - name: Show the distribution
      ansible.builtin.debug:
        msg: "{{ ansible_facts['distribution'] }}"

- name: Check the web servers
  hosts: all
  tasks:
    - name: Show the kernel
      ansible.builtin.debug:
        msg: "{{ ansible_facts['kernel'] }}"

- name: Report
  hosts: all
  tasks:
    - name: Show the memory
      ansible.builtin.debug:
        msg: "{{ ansible_facts['memtotal_mb'] }}"
"""

NO_GATHER = """\
- name: Web servers
  hosts: all
  gather_facts: false
  tasks:
    - name: Ping
      ansible.builtin.ping:
"""


def findings(
    tmp_path: Path, cfg: str | None, playbook: str | None = GATHERS, select=("C2",), options: str | None = None
):
    files = {}
    if cfg is not None:
        files["ansible.cfg"] = cfg
    if playbook is not None:
        files["site.yml"] = playbook
    if options is not None:
        files[".ansopt.yml"] = options
    write_tree(tmp_path, files)
    res = run_engine(tmp_path, select=list(select))
    assert res.parse_errors == 0
    return [f for f in res.findings if f.code.startswith("C2")]


def fixed(
    tmp_path: Path, cfg: str, select=("C2",), playbook: str = GATHERS, unsafe=True, options: str | None = None
) -> str:
    """The ansible.cfg after `fix` (the raw bytes, line breaks kept)."""
    files = {"ansible.cfg": cfg, "site.yml": playbook}
    if options is not None:
        files[".ansopt.yml"] = options
    write_tree(tmp_path, files)
    res = run_engine(tmp_path, select=list(select), fix=True, unsafe=unsafe)
    assert not res.failed, [f.message for f in res.failed]
    for abspath, (_, _, new) in res.changed.items():
        if abspath.endswith("ansible.cfg"):
            return new
    return cfg


# --------------------------------------------------------------------------- C201


def test_c201_default_config(tmp_path):
    fs = findings(tmp_path, "[defaults]\ninventory = hosts\n")
    assert codes(fs) == ["C201"]
    f = fs[0]
    assert f.severity == "info" and f.line == 1
    assert f.fix is not None and f.fix.safety == "unsafe"
    assert "gathering implicit by default" in f.message and "no fact cache" in f.message
    assert "24 h old" in f.help and "--flush-cache" in f.help


def test_c201_explicit_implicit_and_memory(tmp_path):
    fs = findings(tmp_path, "[defaults]\nforks = 5\ngathering = implicit\nfact_caching = memory\n")
    assert codes(fs) == ["C201"]
    assert fs[0].line == 3  # on `gathering`
    assert "gathering = implicit" in fs[0].message and "fact_caching = memory" in fs[0].message


def test_c201_quoted_values_are_unquoted_like_ansible_core(tmp_path):
    assert codes(findings(tmp_path / "a", '[defaults]\ngathering = "implicit"\n')) == ["C201"]
    assert codes(findings(tmp_path / "b", "[defaults]\ngathering = 'smart'\n")) == []


def test_c201_file_without_defaults_section(tmp_path):
    fs = findings(tmp_path, "[ssh_connection]\npipelining = True\n")
    assert codes(fs) == ["C201"] and fs[0].line == 1


@pytest.mark.parametrize(
    "cfg",
    [
        "[defaults]\ngathering = smart\n",
        "[defaults]\ngathering = explicit\n",
        "[defaults]\ngathering = Smart\n",  # not a valid choice: C405's finding, not ours
        "[defaults]\nfact_caching = jsonfile\nfact_caching_connection = /tmp/f\ngathering = smart\n",
    ],
)
def test_c201_not_reported(tmp_path, cfg):
    assert codes(findings(tmp_path, cfg, select=["C201"])) == []


def test_c201_needs_a_play_that_gathers(tmp_path):
    assert codes(findings(tmp_path / "a", "[defaults]\n", NO_GATHER)) == []
    assert codes(findings(tmp_path / "b", "[defaults]\n", None)) == []  # no playbook: ad-hoc use
    templ = NO_GATHER.replace("gather_facts: false", 'gather_facts: "{{ want_facts }}"')
    assert codes(findings(tmp_path / "c", "[defaults]\n", templ * 3)) == ["C201"]  # may gather, thrice
    # one gathering per run: a cache would only save across runs, with facts up to a day old
    assert codes(findings(tmp_path / "one", "[defaults]\n", GATHERS.split("\n\n")[0] + "\n")) == []
    both = NO_GATHER + GATHERS
    assert codes(findings(tmp_path / "d", "[defaults]\n", both)) == ["C201"]


def test_c201_fix_appends_in_one_block(tmp_path):
    cfg = (
        "# project settings\n"
        "[defaults]\n"
        "inventory = hosts\n"
        "; keep retry files out of the repo\n"
        "retry_files_enabled = False\n"
        "\n"
        "[ssh_connection]\n"
        "pipelining = True\n"
    )
    assert fixed(tmp_path, cfg, select=["C201"]) == (
        "# project settings\n"
        "[defaults]\n"
        "inventory = hosts\n"
        "; keep retry files out of the repo\n"
        "retry_files_enabled = False\n"
        "gathering = smart\n"
        "fact_caching = jsonfile\n"
        "fact_caching_connection = ~/.ansible/fact_cache\n"
        "fact_caching_timeout = 86400\n"
        "\n"
        "[ssh_connection]\n"
        "pipelining = True\n"
    )


def test_c201_fix_replaces_in_place_and_keeps_comments_and_spacing(tmp_path):
    cfg = "[defaults]\ninventory=hosts\ngathering=implicit  ; the default\nfact_caching=memory\nforks=10\n"
    assert fixed(tmp_path, cfg, select=["C201"]) == (
        "[defaults]\ninventory=hosts\ngathering=smart  ; the default\nfact_caching=jsonfile\nforks=10\n"
        "fact_caching_connection=~/.ansible/fact_cache\nfact_caching_timeout=86400\n"
    )


def test_c201_fix_keeps_the_files_connection_and_timeout(tmp_path):
    cfg = "[defaults]\nfact_caching_timeout = 3600\nfact_caching_connection = /var/cache/facts\n"
    fs = findings(tmp_path / "a", cfg)
    assert codes(fs) == ["C201"] and "1 h" in fs[0].help
    assert fixed(tmp_path / "b", cfg, select=["C201"]) == (
        "[defaults]\nfact_caching_timeout = 3600\nfact_caching_connection = /var/cache/facts\n"
        "gathering = smart\nfact_caching = jsonfile\n"
    )


def test_c201_fix_crlf(tmp_path):
    cfg = "[defaults]\r\ninventory = hosts\r\n\r\n[ssh_connection]\r\npipelining = True\r\n"
    out = fixed(tmp_path, cfg, select=["C201"])
    assert out == (
        "[defaults]\r\ninventory = hosts\r\ngathering = smart\r\nfact_caching = jsonfile\r\n"
        "fact_caching_connection = ~/.ansible/fact_cache\r\nfact_caching_timeout = 86400\r\n"
        "\r\n[ssh_connection]\r\npipelining = True\r\n"
    )
    assert "\n" not in out.replace("\r\n", "")


def test_c201_fix_creates_defaults(tmp_path):
    out = fixed(tmp_path, "[ssh_connection]\npipelining = True\n", select=["C201"])
    assert out.startswith("[ssh_connection]\npipelining = True\n\n[defaults]\n")
    assert out.endswith(
        "gathering = smart\nfact_caching = jsonfile\nfact_caching_connection = ~/.ansible/fact_cache\nfact_caching_timeout = 86400\n"
    )


def test_c201_fix_file_without_final_newline(tmp_path):
    out = fixed(tmp_path, "[defaults]\ninventory = hosts", select=["C201"])
    assert out == (
        "[defaults]\ninventory = hosts\ngathering = smart\nfact_caching = jsonfile\n"
        "fact_caching_connection = ~/.ansible/fact_cache\nfact_caching_timeout = 86400\n"
    )


def test_c201_options(tmp_path):
    opts = "rules:\n  C201:\n    cache_dir: /var/cache/ansible/facts\n    timeout: 7200\n"
    fs = findings(tmp_path / "a", "[defaults]\n", options=opts)
    assert "2 h" in fs[0].help
    out = fixed(tmp_path / "b", "[defaults]\n", select=["C201"], options=opts)
    assert "fact_caching_connection = /var/cache/ansible/facts\n" in out and "fact_caching_timeout = 7200\n" in out


def test_c201_cache_dir_that_ini_cannot_hold_gets_no_fix(tmp_path):
    from ansopt.rules._factcache import ini_value_ok
    from ansopt.selection import by_code_or_slug

    assert ini_value_ok("~/.ansible/fact_cache") and ini_value_ok("/a;b")
    for bad in ("", " /x", "/x ", "/x ;y", "/a\nb"):
        assert not ini_value_ok(bad), bad
    rule = by_code_or_slug("C201")
    assert rule.options["cache_dir"][1]["pattern"]


def test_c201_fix_is_unsafe_only(tmp_path):
    assert fixed(tmp_path, "[defaults]\n", select=["C201"], unsafe=False) == "[defaults]\n"


# --------------------------------------------------------------------------- C202


def test_c202_jsonfile_with_default_gathering(tmp_path):
    cfg = "[defaults]\nfact_caching = jsonfile\nfact_caching_connection = ~/.ansible/fact_cache\n"
    fs = findings(tmp_path, cfg)
    assert codes(fs) == ["C202"]
    f = fs[0]
    assert f.severity == "warning" and f.line == 2  # on fact_caching: gathering is not written
    assert "every play gathers facts again" in f.message and "gathering = smart" in f.help
    assert f.fix.safety == "unsafe"


def test_c202_on_gathering_when_written(tmp_path):
    cfg = "[defaults]\ngathering = implicit\nfact_caching = community.general.redis\nfact_caching_timeout = 600\n"
    fs = findings(tmp_path, cfg)
    assert codes(fs) == ["C202"] and fs[0].line == 2
    assert "fact_caching = community.general.redis" in fs[0].message and "up to 600 s old" in fs[0].help


@pytest.mark.parametrize(
    "cfg,playbook",
    [
        ("[defaults]\ngathering = smart\nfact_caching = jsonfile\nfact_caching_connection = /tmp/f\n", GATHERS),
        ("[defaults]\ngathering = explicit\nfact_caching = jsonfile\nfact_caching_connection = /tmp/f\n", GATHERS),
        ("[defaults]\nfact_caching = memory\n", GATHERS),  # C201's
        ("[defaults]\nfact_caching = jsonfile\nfact_caching_connection = /tmp/f\n", NO_GATHER),
        ("[defaults]\nfact_caching = jsonfile\nfact_caching_connection = /tmp/f\n", None),
    ],
)
def test_c202_not_reported(tmp_path, cfg, playbook):
    assert codes(findings(tmp_path, cfg, playbook, select=["C202"])) == []


def test_c202_fix(tmp_path):
    cfg = "[defaults]\ngathering=implicit ; why not\nfact_caching=jsonfile\nfact_caching_connection=/tmp/f\n"
    assert fixed(tmp_path / "a", cfg, select=["C202"]) == cfg.replace("implicit", "smart")
    cfg = "[defaults]\r\nfact_caching = jsonfile\r\nfact_caching_connection = /tmp/f\r\n"
    assert fixed(tmp_path / "b", cfg, select=["C202"]) == cfg + "gathering = smart\r\n"


# --------------------------------------------------------------------------- C203


@pytest.mark.parametrize(
    "name",
    [
        "jsonfile",
        "ansible.builtin.jsonfile",
        "ansible.legacy.jsonfile",
        '"jsonfile"',
        "yaml",
        "community.general.yaml",
        "pickle",
        "community.general.pickle",
    ],
)
def test_c203_file_caches_without_connection(tmp_path, name):
    fs = findings(tmp_path, f"[defaults]\ngathering = smart\nfact_caching = {name}\n")
    assert codes(fs) == ["C203"]
    f = fs[0]
    assert f.severity == "error" and f.line == 3
    assert "is not set" in f.message and "falls back to the memory cache" in f.message
    assert f.fix is not None and f.fix.safety == "unsafe"


@pytest.mark.parametrize(
    "name", ["memory", "redis", "community.general.memcached", "community.mongodb.mongodb", "mycache"]
)
def test_c203_other_caches(tmp_path, name):
    assert codes(findings(tmp_path, f"[defaults]\ngathering = smart\nfact_caching = {name}\n", select=["C203"])) == []


def test_c203_connection_set(tmp_path):
    cfg = "[defaults]\ngathering = smart\nfact_caching = jsonfile\nfact_caching_connection = .facts\n"
    assert codes(findings(tmp_path, cfg)) == []


def test_c203_reported_without_playbooks_and_whatever_the_gathering(tmp_path):
    # a cache that cannot load warns at every run, ad-hoc runs included
    assert codes(findings(tmp_path / "a", "[defaults]\ngathering = explicit\nfact_caching = jsonfile\n", None)) == [
        "C203"
    ]


def test_c203_empty_connection(tmp_path):
    fs = findings(tmp_path / "a", "[defaults]\ngathering = smart\nfact_caching = jsonfile\nfact_caching_connection =\n")
    assert codes(fs) == ["C203"]
    f = fs[0]
    assert f.severity == "warning" and f.line == 4 and "folder of this ansible.cfg" in f.message
    assert f.fix.safety == "safe"
    # yaml's _uri is a string: empty (even after unquoting) means the plugin cannot load
    fs = findings(tmp_path / "b", "[defaults]\ngathering = smart\nfact_caching = yaml\nfact_caching_connection = ''\n")
    assert codes(fs) == ["C203"] and fs[0].severity == "error" and "is empty" in fs[0].message
    # jsonfile's _uri is a path: ansible-core keeps the quotes (a folder named '' is made):
    # a quoted path is left to the type rules
    assert (
        codes(
            findings(
                tmp_path / "c", "[defaults]\ngathering = smart\nfact_caching = jsonfile\nfact_caching_connection = ''\n"
            )
        )
        == []
    )


def test_c203_hash_comment_after_the_plugin_name(tmp_path):
    # `# ...` is part of the value (C406): the plugin meant is still judged
    fs = findings(
        tmp_path, "[defaults]\ngathering = smart\nfact_caching = jsonfile  # persist facts\n", select=["C203"]
    )
    assert codes(fs) == ["C203"]


def test_c203_fix(tmp_path):
    cfg = "[defaults]\ngathering = smart\nfact_caching = jsonfile\n\n[ssh_connection]\npipelining = True\n"
    assert fixed(tmp_path / "a", cfg, select=["C203"]) == cfg.replace(
        "jsonfile\n", "jsonfile\nfact_caching_connection = ~/.ansible/fact_cache\n"
    )
    cfg = "[defaults]\r\ngathering=smart\r\nfact_caching=jsonfile\r\nfact_caching_connection=\r\n"
    assert fixed(tmp_path / "b", cfg, select=["C203"], unsafe=False) == cfg.replace(
        "connection=\r\n", "connection=~/.ansible/fact_cache\r\n"
    )
    opts = "rules:\n  fact-cache-no-connection:\n    cache_dir: /srv/facts\n"
    cfg = "[defaults]\ngathering = smart\nfact_caching = jsonfile\n"
    assert fixed(tmp_path / "c", cfg, select=["C203"], options=opts) == cfg + "fact_caching_connection = /srv/facts\n"


def test_catalogue_knows_required_uri():
    from ansopt import knowledge
    from ansopt.rules._factcache import canonical_cache, connection_type

    assert knowledge.get().plugin_options("cache", "jsonfile")["_uri"].get("required") is True
    assert connection_type("jsonfile") == "path" and connection_type("ansible.builtin.jsonfile") == "path"
    assert connection_type("memory") is None and connection_type("redis") is None
    assert canonical_cache("yaml") == "community.general.yaml" and connection_type("yaml") == "string"
    assert connection_type("pickle") == "path"


# --------------------------------------------------------------------------- together

GATHERING = [None, "implicit", "smart", "explicit"]
PLUGINS = [None, "memory", "jsonfile", "redis"]
CONNECTION = [None, "/tmp/facts"]


def _cfg(g, p, c) -> str:
    lines = ["[defaults]"]
    if g:
        lines.append(f"gathering = {g}")
    if p:
        lines.append(f"fact_caching = {p}")
    if c:
        lines.append(f"fact_caching_connection = {c}")
    return "\n".join(lines) + "\n"


def test_no_double_report(tmp_path):
    """Each combination gets at most one finding per rule, and C201 never with C202/C203."""
    for i, (g, p, c) in enumerate(itertools.product(GATHERING, PLUGINS, CONNECTION)):
        fs = findings(tmp_path / str(i), _cfg(g, p, c))
        got = codes(fs)
        implicit = g in (None, "implicit")
        memory = p in (None, "memory")
        want = []
        if implicit and memory:
            want.append("C201")
        if implicit and not memory:
            want.append("C202")
        if p == "jsonfile" and c is None:
            want.append("C203")
        assert got == want, (g, p, c, got)


@pytest.mark.parametrize("g,p,c", list(itertools.product(GATHERING, PLUGINS, CONNECTION)))
def test_fix_all_converges(tmp_path, g, p, c):
    """Fixing with the three rules (unsafe included) leaves none of their findings."""
    out = fixed(tmp_path / "fix", _cfg(g, p, c))
    assert codes(findings(tmp_path / "after", out)) == [], out


# --------------------------------------------------------------------------- corpus

CORPUS_CFGS = {
    "ansible-examples/phillips_hue/ansible.cfg": [],  # every play: gather_facts: no
    "ansible-for-devops/deployments-rolling/ansible.cfg": [],  # one gathering play per playbook: nothing a cache saves within a run
    "ansible-for-devops/elk/ansible.cfg": [],  # one gathering play per playbook: nothing a cache saves within a run
    "ansible-for-devops/https-letsencrypt/ansible.cfg": [],  # one gathering play per playbook: nothing a cache saves within a run
    "ansible-for-devops/https-nginx-proxy/provisioning/ansible.cfg": [],  # one gathering play per playbook: nothing a cache saves within a run
    "ansible-for-devops/https-self-signed/provisioning/ansible.cfg": [],  # one gathering play per playbook: nothing a cache saves within a run
    "ansible-for-devops/kubernetes/ansible.cfg": [],  # one gathering play per playbook: nothing a cache saves within a run
    "ansible-for-devops/lamp-infrastructure/ansible.cfg": [],  # provisioners add_host new cloud instances: a cache would outlive them
    "ansible-for-devops/orchestration/ansible.cfg": [],  # no playbook: ad-hoc commands
    "ansible-for-devops/orchestration/scripts/ansible.cfg": [],  # no playbook
    "ansible-lint-examples/_fixtures/broken-ansible.cfg/ansible.cfg": [],  # no playbook
    "ansible-lint-examples/namespace_roles_repro/ansible.cfg": [],  # a role, no playbook
}


def test_corpus_findings_pinned():
    corpus = corpus_or_skip()
    cfgs = sorted(str(p.relative_to(corpus)) for p in corpus.rglob("ansible.cfg"))
    assert cfgs == sorted(CORPUS_CFGS)
    res = run_engine(corpus, select=["C2"])
    got: dict[str, list[str]] = {k: [] for k in CORPUS_CFGS}
    for f in res.findings:
        if f.code.startswith("C2"):
            got.setdefault(f.path, []).append(f.code)
    assert got == CORPUS_CFGS
    for f in res.findings:
        if f.code == "C201":
            assert (f.line, f.col, f.severity) == (1, 1, "info")  # on `[defaults]`
            assert f.fix is not None and f.fix.safety == "unsafe"


def test_c202_and_c203_together_each_its_own_problem(tmp_path):
    fs = findings(tmp_path, "[defaults]\ngathering = implicit\nfact_caching = jsonfile\n")
    assert codes(fs) == ["C202", "C203"]
    c202, c203 = sorted(fs, key=lambda f: f.code)
    assert c202.line == 2 and c203.line == 3  # on gathering and on fact_caching
    assert "does not load without fact_caching_connection (C203)" in c202.help
    assert "writes them to the cache" not in c202.message + c202.help
    # both fixes (each adds or changes its own key) end in a clean file
    out = fixed(tmp_path / "fix", "[defaults]\nfact_caching = jsonfile\n")
    # the two insertions meet at one point: C202's goes first, C203's in the next round
    assert (
        out
        == "[defaults]\nfact_caching = jsonfile\ngathering = smart\nfact_caching_connection = ~/.ansible/fact_cache\n"
    )


def test_c201_silent_for_hosts_created_at_run_time_and_local_inventories(tmp_path):
    """add_host of new instances: a 24 h cache would serve a torn-down machine's facts to the
    next one of that name. An inventory of local-connection hosts: a second of local work."""
    play = (
        "- hosts: all\n  tasks:\n    - ansible.builtin.debug:\n        msg: \"{{ ansible_facts['os_family'] }}\"\n" * 3
    )
    cloud = (
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.add_host:\n        name: web1\n"
        + play
    )
    write_tree(tmp_path / "cloud", {"ansible.cfg": "[defaults]\nforks = 5\n", "site.yml": cloud})
    assert not codes(run_engine(tmp_path / "cloud", select=["C201"]).findings)
    local = {
        "ansible.cfg": "[defaults]\ninventory = hosts\n",
        "hosts": "mac ansible_host=127.0.0.1 ansible_connection=local\n",
        "site.yml": play,
    }
    write_tree(tmp_path / "local", local)
    assert not codes(run_engine(tmp_path / "local", select=["C201"]).findings)
    write_tree(tmp_path / "remote", {**local, "hosts": "[web]\nweb1\nweb2\n"})
    assert codes(run_engine(tmp_path / "remote", select=["C201"]).findings) == ["C201"]


def _plays(*patterns: str, serial: str = "") -> str:
    body = "  tasks:\n    - name: Ping\n      ansible.builtin.ping:\n"
    extra = f"  serial: {serial}\n" if serial else ""
    return "\n".join(f"- name: Play {i}\n  hosts: {p}\n{extra if i else ''}{body}" for i, p in enumerate(patterns))


INVENTORY = "[web]\nweb1\nweb2\n[db]\ndb1\n[app:children]\nweb\n"


def test_c201_plays_on_different_hosts_gather_each_host_once(tmp_path):
    cfg = "[defaults]\ninventory = hosts.ini\n"
    for name, pats, want in [
        ("disjoint", ("web", "db", "db:web"), []),  # db:web gathers them again once: one round
        ("overlap", ("app", "web", "web"), ["C201"]),  # web1 and web2 gather thrice: two rounds
        ("all", ("all", "db", "web"), ["C201"]),
        ("twice", ("app", "web"), []),  # one repeated gathering: a second or two
    ]:
        write_tree(tmp_path / name, {"hosts.ini": INVENTORY})
        assert codes(findings(tmp_path / name, cfg, _plays(*pats), select=["C201"])) == want, name


def test_c201_serial_batches_gather_one_after_the_other(tmp_path):
    # the second play gathers its three hosts one at a time: three rounds of waiting
    cfg = "[defaults]\ninventory = hosts.ini\n"
    inv = "[app]\napp1\napp2\napp3\n"
    write_tree(tmp_path / "s", {"hosts.ini": inv})
    assert codes(findings(tmp_path / "s", cfg, _plays("app", "app", serial="1"), select=["C201"])) == ["C201"]
    write_tree(tmp_path / "p", {"hosts.ini": inv})
    assert codes(findings(tmp_path / "p", cfg, _plays("app", "app"), select=["C201"])) == []


def test_c201_without_inventory_same_pattern_or_all_counts(tmp_path):
    assert codes(findings(tmp_path / "a", "[defaults]\n", _plays("web", "db", "app"), select=["C201"])) == []
    three = _plays("web", "web", "web")
    assert codes(findings(tmp_path / "b", "[defaults]\n", three, select=["C201"])) == ["C201"]


def test_c201_silent_when_the_project_reads_the_time_from_facts(tmp_path):
    clock = '    - name: Log\n      ansible.builtin.debug:\n        msg: "{{ ansible_date_time.iso8601 }}"\n'
    play = _plays("all", "all", "all")
    assert codes(findings(tmp_path / "plain", "[defaults]\n", play, select=["C201"])) == ["C201"]
    assert codes(findings(tmp_path / "clock", "[defaults]\n", play + clock, select=["C201"])) == []


@pytest.mark.parametrize(
    "lab",
    ["Vagrantfile", "../Vagrantfile", "terraform/main.tf", "packer/images/node.pkr.hcl", "../terraform-aws/main.tf"],
)
def test_c201_rebuilt_hosts_get_smart_gathering_without_a_cache_across_runs(tmp_path, lab):
    # the hosts are destroyed and made anew under the same names (vagrant destroy/up,
    # terraform apply): a jsonfile cache would serve the old machine's addresses and
    # interfaces for a day; gathering = smart alone gathers each host once per run.
    # The project (p/) keeps its Ansible part in ansible/.
    project = tmp_path / "p"
    files = {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": "a\nb\n", "site.yml": GATHERS}
    write_tree(project / "ansible", files)
    (project / "ansible" / lab).parent.mkdir(parents=True, exist_ok=True)
    (project / "ansible" / lab).write_text("# the lab\n", encoding="utf-8")
    [f] = [f for f in run_engine(project, select=["C201"]).findings if f.code == "C201"]
    assert "every run" not in f.message and "rebuilds the hosts" in f.help, f.help
    res = run_engine(project, select=["C201"], fix=True, unsafe=True)
    new = res.changed[str(project / "ansible" / "ansible.cfg")][2]
    assert new == "[defaults]\ninventory = hosts\ngathering = smart\n"


def test_c201_another_projects_lab_beside_this_one_does_not_count(tmp_path):
    # checked from p/, a Vagrantfile in ../other/ is someone else's
    project = tmp_path / "p"
    write_tree(project, {"ansible.cfg": "[defaults]\ninventory = hosts\n", "hosts": "a\nb\n", "site.yml": GATHERS})
    write_tree(tmp_path / "other", {"Vagrantfile": "# a lab\n"})
    write_tree(tmp_path, {"Vagrantfile": "# a lab\n"})
    [f] = [f for f in run_engine(project, select=["C201"]).findings if f.code == "C201"]
    assert "rebuilds the hosts" not in f.help


def test_c201_lab_files_further_away_do_not_count(tmp_path):
    # a Vagrantfile three levels below the cfg belongs to another project
    project = tmp_path / "p"
    write_tree(
        project,
        {
            "ansible.cfg": "[defaults]\ninventory = hosts\n",
            "hosts": "a\nb\n",
            "site.yml": GATHERS,
            "x/y/z/Vagrantfile": "# a lab\n",
        },
    )
    res = run_engine(project, select=["C201"], fix=True, unsafe=True)
    assert "fact_caching = jsonfile" in res.changed[str(project / "ansible.cfg")][2]


def test_c202_role_test_stubs_do_not_count(tmp_path):
    # `ansible-galaxy init` writes roles/x/tests/test.yml; nobody runs it: the project's own
    # plays gather explicitly
    cfg = "[defaults]\nfact_caching = jsonfile\nfact_caching_connection = /tmp/facts\n"
    own = "- hosts: all\n  gather_facts: false\n  tasks:\n    - ansible.builtin.setup:\n"
    stub = "- hosts: localhost\n  remote_user: root\n  roles:\n    - x\n"
    files = {"ansible.cfg": cfg, "site.yml": own, "roles/x/tests/test.yml": stub, "roles/x/tasks/main.yml": "[]\n"}
    write_tree(tmp_path / "p", files)
    assert not codes(run_engine(tmp_path / "p", select=["C202"]).findings)
    write_tree(tmp_path / "q", {**files, "site.yml": own.replace("  gather_facts: false\n", "")})
    assert codes(run_engine(tmp_path / "q", select=["C202"]).findings) == ["C202"]
