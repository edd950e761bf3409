"""The ansible.cfg rules driven by ansible-core's catalogue: C301, C302, C401-C406.

Each rule: positive and negative cases, the fix output byte for byte, and the corpus's
ansible.cfg files with their findings pinned."""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from ansopt import knowledge
from ansopt.source.cfgfile import parse_values

from .conftest import corpus_or_skip, run_engine, write_tree


def check(tmp_path: Path, text: str, code: str, name: str = "p"):
    work = write_tree(tmp_path / name, {"ansible.cfg": text})
    res = run_engine(work, select=[code])
    assert res.parse_errors == 0
    return [f for f in res.findings if f.code == code]


def fix(tmp_path: Path, text: str, code: str, unsafe: bool = True, name: str = "f") -> str:
    work = write_tree(tmp_path / name, {"ansible.cfg": text})
    res = run_engine(work, select=[code], fix=True, unsafe=unsafe)
    assert not res.failed, [f.message for f in res.failed]
    for _, (_, _, new) in res.changed.items():
        return new
    return text


K = knowledge.get()


# --------------------------------------------------------------------------- C301


def test_c301_reports_missing_timing_callback_at_defaults_header(tmp_path):
    text = "# fleet\n[defaults]\ninventory = hosts\n"
    [f] = check(tmp_path, text, "C301")
    assert f.line == 2 and f.severity == "info" and f.fix is None
    assert "ansible.posix.profile_tasks" in f.help and "ansible.posix collection" in f.help


def test_c301_without_defaults_section_reports_line_1(tmp_path):
    [f] = check(tmp_path, "[ssh_connection]\npipelining = True\n", "C301")
    assert (f.line, f.col) == (1, 1)


@pytest.mark.parametrize(
    "value",
    [
        "ansible.posix.profile_tasks",
        "profile_tasks",
        "timer, ansible.posix.profile_roles",
        "ara_default",
        "community.general.junit",
        "ansopt_timing",
        "community.general.opentelemetry",
        '"profile_tasks"',
    ],
)
def test_c301_accepts_timing_callbacks(tmp_path, value):
    assert not check(tmp_path, f"[defaults]\ncallbacks_enabled = {value}\n", "C301")


def test_c301_timer_alone_is_not_enough(tmp_path):
    [f] = check(tmp_path, "[defaults]\ncallbacks_enabled = ansible.posix.timer\n", "C301")
    assert "total run time" in f.message and f.line == 2


def test_c301_counts_callback_whitelist_and_hash_commented_lists(tmp_path):
    # callback_whitelist is C302's finding; a `# comment` after the list is C406's
    assert not check(tmp_path, "[defaults]\ncallback_whitelist = profile_tasks\n", "C301", "a")
    assert not check(tmp_path, "[defaults]\ncallbacks_enabled = profile_tasks # timing\n", "C301", "b")


def test_c301_callbacks_in_wrong_section_do_not_count(tmp_path):
    assert check(tmp_path, "[defaults]\nforks = 5\n[ssh_connection]\ncallbacks_enabled = profile_tasks\n", "C301")


def test_c301_noqa_above_defaults(tmp_path):
    assert not check(tmp_path, "# noqa: C301\n[defaults]\nforks = 5\n", "C301")


# --------------------------------------------------------------------------- C302


def test_c302_catalogue_no_longer_knows_callback_whitelist():
    if K.core_version.split(".")[:2] >= ["2", "15"]:
        assert ("defaults", "callback_whitelist") not in K.ini_index


def test_c302_renames_key_keeping_value_and_comment(tmp_path):
    text = "[defaults]\nforks = 5\ncallback_whitelist = timer, profile_tasks ; timing\n"
    [f] = check(tmp_path, text, "C302")
    assert f.line == 3 and f.fix is not None and f.fix.safety == "safe"
    assert "2.15" in f.message and "timer, profile_tasks" in f.message
    new = fix(tmp_path, text, "C302", unsafe=False)
    assert new == "[defaults]\nforks = 5\ncallbacks_enabled = timer, profile_tasks ; timing\n"


def test_c302_both_keys_present_no_fix(tmp_path):
    text = "[defaults]\ncallbacks_enabled = timer\ncallback_whitelist = profile_tasks\n"
    [f] = check(tmp_path, text, "C302")
    assert f.fix is None and "add them to `callbacks_enabled`" in f.help
    assert "(profile_tasks)" in f.message
    assert fix(tmp_path, text, "C302") == text


def test_c302_both_keys_reports_only_the_callbacks_lost(tmp_path):
    text = (
        "[defaults]\ncallbacks_enabled = ansible.posix.timer, junit\ncallback_whitelist = timer, profile_tasks, junit\n"
    )
    [f] = check(tmp_path, text, "C302")
    assert "callbacks (profile_tasks) do not run" in f.message


def test_c302_silent_on_a_line_kept_for_older_ansible(tmp_path):
    """Both names, the old one a subset of the new: the line is for Ansible 2.10, nothing is lost."""
    for text in (
        "[defaults]\ncallbacks_enabled = profile_tasks, timer\ncallback_whitelist = profile_tasks\n",
        "[defaults]\ncallback_whitelist=profile_tasks,ansible.posix.timer\ncallbacks_enabled=profile_tasks,timer\n",
        "[defaults]\ncallbacks_enabled = profile_tasks, timer\ncallback_whitelist = profile_tasks # ansible 2.10 name\n",
    ):
        assert not check(tmp_path, text, "C302")


def test_c302_silent_on_callbacks_enabled_and_other_sections(tmp_path):
    assert not check(tmp_path, "[defaults]\ncallbacks_enabled = timer\n", "C302", "a")
    assert not check(tmp_path, "[ssh_connection]\ncallback_whitelist = timer\n", "C302", "b")


# --------------------------------------------------------------------------- C401


@pytest.mark.parametrize(
    "header, meant",
    [
        ("ssh-connection", "ssh_connection"),
        ("Defaults", "defaults"),
        ("ssh_conection", "ssh_connection"),
        ("ssh_connections", "ssh_connection"),
        ("shh_connection", "ssh_connection"),
        ("privilege_escalaton", "privilege_escalation"),
        ("default", "defaults"),
    ],
)
def test_c401_misspelt_sections(tmp_path, header, meant):
    [f] = check(tmp_path, f"[{header}]\npipelining = True\n", "C401")
    assert f.severity == "warning" and f"did you mean [{meant}]" in f.help and f.line == 1


@pytest.mark.parametrize(
    "header",
    [
        "defaults",
        "DEFAULT",
        "galaxy_server.release",
        "callback_profile_tasks",
        "libssh_connection",
        "inventory_plugin_aws_ec2",
        "paramiko_connection",
        "persistent_connection",
    ],
)
def test_c401_known_and_collection_plugin_sections_are_silent(tmp_path, header):
    assert not check(tmp_path, f"[{header}]\nsome_key = 1\n", "C401")


def test_c401_section_by_its_keys(tmp_path):
    [f] = check(tmp_path, "[ssh]\npipelining = True\nssh_args = -C\n", "C401")
    assert "did you mean [ssh_connection]" in f.help and f.severity == "warning"


def test_c401_unknown_non_plugin_section_is_info(tmp_path):
    [f] = check(tmp_path, "[ara]\napi_client = http\n", "C401", "a")
    assert f.severity == "info" and "collection plugin" in f.message
    assert not check(tmp_path, "[notes]\n# nothing here\n", "C401", "b")  # empty: no effect


def test_c401_has_no_fix(tmp_path):
    text = "[ssh-connection]\npipelining = True\n"
    assert fix(tmp_path, text, "C401") == text


# --------------------------------------------------------------------------- C402


def test_c402_typo_with_unsafe_fix(tmp_path):
    text = "[ssh_connection]\npipelinig = True ; faster\n"
    [f] = check(tmp_path, text, "C402")
    assert "did you mean `pipelining`" in f.message and f.fix.safety == "unsafe" and f.severity == "warning"
    assert fix(tmp_path, text, "C402", unsafe=False) == text
    assert fix(tmp_path, text, "C402", name="g") == "[ssh_connection]\npipelining = True ; faster\n"


def test_c402_dashes_and_far_suggestions(tmp_path):
    assert fix(tmp_path, "[defaults]\nhost-key-checking = False\n", "C402") == "[defaults]\nhost_key_checking = False\n"
    [f] = check(tmp_path, "[ssh_connection]\npipeline = True\n", "C402")
    assert "`pipelining`" in f.message and f.fix is None  # three edits away: suggest, do not rename


def test_c402_no_fix_when_target_exists(tmp_path):
    [f] = check(tmp_path, "[defaults]\nforks = 5\nforcks = 10\n", "C402")
    assert f.fix is None and "already sets `forks`" in f.help


def test_c402_far_suggestion_does_not_claim_the_key_is_set(tmp_path):
    """Three edits away and not in the section: no fix, and no word about the section setting it."""
    [f] = check(tmp_path, "[ssh_connection]\nssh_comon_args_x = -o Foo\n", "C402")
    assert "already sets" not in f.message + f.help


def test_c402_unknown_without_suggestion_is_info(tmp_path):
    [f] = check(tmp_path, "[defaults]\nmy_team_setting = 1\n", "C402")
    assert f.severity == "info" and f.fix is None


@pytest.mark.parametrize(
    "text",
    [
        "[defaults]\nForks = 5\n",  # keys are case-insensitive
        "[inventory]\ncache = yes\ncache_plugin = jsonfile\n",  # inventory_cache doc fragment
        "[callback_profile_tasks]\nsort_order = none\n",  # unknown section: C401's
        "[defaults]\ncontrol_path = x\n",  # valid elsewhere: C403's
        "[defaults]\ngather_subset = !all\n",  # removed: C404's
        "[defaults]\ncallback_whitelist = timer\n",  # C302's
        "[DEFAULT]\nanything = 1\n",
        "[galaxy_server.x]\nurl = https://galaxy.example\ntoken = abc\n",
    ],
)
def test_c402_silent(tmp_path, text):
    assert not check(tmp_path, text, "C402")


def test_c402_galaxy_server_keys(tmp_path):
    [f] = check(tmp_path, "[galaxy_server.x]\nurl = https://g\ntokn = abc\n", "C402")
    assert "`token`" in f.message


# --------------------------------------------------------------------------- C403


def test_c403_moves_key_into_existing_section(tmp_path):
    text = "[defaults]\ninventory = hosts\nssh_args = -C -o ControlPersist=60s ; reuse\nforks = 5\n\n[ssh_connection]\npipelining = True\n"
    [f] = check(tmp_path, text, "C403")
    assert "`ssh_args` is read from [ssh_connection] only" in f.message and f.line == 3
    assert f.fix.safety == "unsafe"
    assert fix(tmp_path, text, "C403") == (
        "[defaults]\ninventory = hosts\nforks = 5\n\n[ssh_connection]\npipelining = True\nssh_args = -C -o ControlPersist=60s ; reuse\n"
    )


def test_c403_creates_missing_section_and_keeps_continuation_lines(tmp_path):
    text = "[defaults]\nforks = 20\nssh_args = -C\n  -o ControlPersist=60s\ninventory = hosts"
    new = fix(tmp_path, text, "C403")
    assert parse_values(new) == {
        "defaults": {"forks": "20", "inventory": "hosts"},
        "ssh_connection": {"ssh_args": "-C\n-o ControlPersist=60s"},
    }
    assert "ssh_args = -C\n  -o ControlPersist=60s\n" in new
    assert new.count("[ssh_connection]") == 1


@pytest.mark.parametrize(
    "text, switches_on",
    [
        # become left in [defaults] is dormant: moving it would become root for every task
        ("[defaults]\nbecome = True\nbecome_user = deploy\n", "become for every task"),
        # no %h: one socket for every host with the same port and user
        ("[defaults]\ncontrol_path = /tmp/ansible-%%r-%%p\n", "one master socket shared by every host"),
        # a proxy is not connection reuse
        ("[defaults]\nssh_args = -o ControlPersist=60s -o ProxyCommand='ssh -W %h:%p bastion'\n", "proxycommand"),
        ("[defaults]\nssh_args = -A -o ControlPersist=60s\n", "beyond connection reuse"),
    ],
)
def test_c403_move_that_switches_something_on_is_report_only(tmp_path, text, switches_on):
    found = check(tmp_path, text, "C403")
    assert found and all(f.fix is None for f in found)
    assert switches_on in found[0].message + found[0].help and "would switch on" in found[0].message


def test_c403_control_path_with_host_is_moved(tmp_path):
    [f] = check(tmp_path, "[defaults]\ncontrol_path = %(directory)s/%%h-%%r\n", "C403")
    assert f.fix is not None


def test_c403_target_already_set_no_fix(tmp_path):
    text = "[defaults]\ncontrol_path = /tmp/a\n[ssh_connection]\ncontrol_path = /tmp/b\n"
    [f] = check(tmp_path, text, "C403")
    assert f.fix is None and "already sets control_path = /tmp/b" in f.help


def test_c403_several_targets_no_fix(tmp_path):
    [f] = check(tmp_path, "[defaults]\ncontrol_path_dir = ~/.cp\n", "C403")
    assert f.fix is None and "[persistent_connection]" in f.help and "[ssh_connection]" in f.help


@pytest.mark.parametrize(
    "text",
    [
        "[defaults]\npipelining = True\n",
        "[connection]\npipelining = True\n",
        "[ssh_connection]\nhost_key_checking = False\ntimeout = 10\n",
        "[ssh_connection]\npipelinig = True\n",  # a typo, not a wrong section: C402
        "[foo_connection]\nssh_args = -C\n",  # unknown section: C401
    ],
)
def test_c403_silent(tmp_path, text):
    assert not check(tmp_path, text, "C403")


def test_c403_remote_user_under_ssh_connection(tmp_path):
    [f] = check(tmp_path, "[defaults]\nforks = 5\n[ssh_connection]\nremote_user = deploy\n", "C403")
    # moving it would change the user every host is reached as: report-only
    assert "is ignored in [ssh_connection]" in f.message and "[defaults]" in f.message and f.fix is None


# --------------------------------------------------------------------------- C404


def test_c404_table_keys_are_unknown_to_the_installed_catalogue():
    from ansopt.rules.c404_cfg_removed_key import REMOVED

    for (sec, key), (version, _, _) in REMOVED.items():
        if K.core_version.split(".")[:2] >= version.split("."):
            assert (sec, key) not in K.ini_index, (sec, key)


def test_c404_gather_subset_no_fix(tmp_path):
    [f] = check(tmp_path, "[defaults]\ngather_subset = !hardware\n", "C404")
    assert "2.18" in f.message and "module_defaults" in f.help and f.fix is None


def test_c404_renames(tmp_path):
    text = "[defaults]\ncollections_paths = ./collections\ncow_whitelist = tux\n[ssh_connection]\nscp_if_ssh = False\n"
    [f] = check(tmp_path / "default", text, "C404")  # cowsay and scp_if_ssh: nothing a run does changes
    assert "collections_paths" in f.message
    assert fix(tmp_path / "default", text, "C404") == text.replace("collections_paths", "collections_path")
    for name in ("p", "f", "g"):
        write_tree(tmp_path / name, {".ansopt.yml": "rules:\n  C404:\n    deprecated: true\n"})
    assert len(check(tmp_path, text, "C404")) == 3
    assert fix(tmp_path, text, "C404") == (
        "[defaults]\ncollections_path = ./collections\ncowsay_enabled_stencils = tux\n[ssh_connection]\ntransfer_method = sftp\n"
    )
    assert fix(tmp_path, text, "C404", unsafe=False, name="g") == text


def test_c404_no_fix_when_new_key_present_or_value_unmappable(tmp_path):
    text = "[defaults]\ncollections_paths = a\ncollections_path = b\n[ssh_connection]\nscp_if_ssh = maybe\n"
    write_tree(tmp_path / "p", {".ansopt.yml": "rules:\n  C404:\n    deprecated: true\n"})
    found = check(tmp_path, text, "C404")
    assert len(found) == 2 and all(f.fix is None for f in found)
    assert "already sets `collections_path`" in found[0].help


def test_c404_reports_table_key_only_when_catalogue_lacks_it(monkeypatch):
    from ansopt.rules.c404_cfg_removed_key import removed

    assert removed("defaults", "gather_subset") is not None
    monkeypatch.setitem(K.ini_index, ("defaults", "gather_subset"), [("", "", "DEFAULT_GATHER_SUBSET")])
    assert removed("defaults", "gather_subset") is None


def test_c404_deprecated_from_catalogue(tmp_path):
    if not K.ini_deprecations("defaults", "jinja2_native"):
        pytest.skip("this ansible-core does not deprecate jinja2_native")
    assert not check(tmp_path / "off", "[defaults]\njinja2_native = True\n", "C404")  # a warning only: opt-in
    write_tree(tmp_path / "p", {".ansopt.yml": "rules:\n  C404:\n    deprecated: true\n"})
    [f] = check(tmp_path, "[defaults]\njinja2_native = True\n", "C404")
    assert "deprecated" in f.message and "2.23" in f.message and f.fix is None


def test_c404_deprecated_but_still_read_by_plugin(tmp_path):
    if not K.ini_deprecations("paramiko_connection", "host_key_auto_add"):
        pytest.skip("not deprecated in this ansible-core")
    write_tree(tmp_path / "p", {".ansopt.yml": "rules:\n  C404:\n    deprecated: true\n"})
    [f] = check(tmp_path, "[paramiko_connection]\nhost_key_auto_add = True\n", "C404")
    assert "paramiko_ssh connection plugin still reads this key" in f.help


@pytest.mark.parametrize(
    "line",
    [
        "[defaults]\ncommand_warnings = False",
        "[defaults]\njinja2_native_warning = True",
        "[defaults]\nsudo_user = root",
        "[defaults]\nsudo_exe = sudo",
        "[defaults]\nsudo = no",
        "[ssh_connection]\nscp_if_ssh = True",
    ],
)
def test_c404_inert_removed_keys_only_with_the_option(tmp_path, line):
    """A removed key whose loss changes nothing a run does is tidying, not a finding."""
    assert not check(tmp_path / "off", line + "\n", "C404")
    write_tree(tmp_path / "p", {".ansopt.yml": "rules:\n  C404:\n    deprecated: true\n"})
    [f] = check(tmp_path, line + "\n", "C404")
    assert "was removed in" in f.message


def test_c404_removed_key_that_matters_is_reported(tmp_path):
    for line in ("sudo_user = deploy", "sudo = True", "squash_actions = apt,yum"):
        [f] = check(tmp_path / line.split()[0], f"[defaults]\n{line}\n", "C404")
        assert "was removed in" in f.message


def test_c404_silent(tmp_path):
    assert not check(
        tmp_path,
        "[defaults]\ncallback_whitelist = timer\nforks = 5\n[ssh_connection]\nsftp_batch_mode = True\n",
        "C404",
    )


# --------------------------------------------------------------------------- C405


@pytest.mark.parametrize(
    "text, words",
    [
        ("[defaults]\nforks = many\n", ["not an integer", "DEFAULT_FORKS"]),
        ('[defaults]\nforks = "10"\n', ["quotes are part of the value"]),
        ("[defaults]\nforks = 2.5\n", ["not an integer"]),
        ("[defaults]\nforks =\n", ["it is empty"]),
        ("[ssh_connection]\npipelining = Ture\n", ["not a boolean", "False", "`True`"]),
        ('[ssh_connection]\npipelining = "True"\n', ["quotes are part of the value"]),
        ("[defaults]\ngathering = Smart\n", ["case-sensitively", "did you mean `smart`"]),
        ("[defaults]\ndisplay_traceback = error, warnings\n", ["`warnings`"]),
        ("[defaults]\ninternal_poll_interval = fast\n", ["not a number"]),
        ("[ssh_connection]\nretries = abc\n", ["ssh connection plugin"]),
        ("[defaults]\nforks = many # lots\n", ["`forks = many`"]),
        ("[galaxy_server.x]\nurl = https://g\nvalidate_certs = maybe\n", ["not a boolean"]),
    ],
)
def test_c405_bad_values(tmp_path, text, words):
    [f] = check(tmp_path, text, "C405")
    assert f.severity == "error" and f.fix is None
    for w in words:
        assert w in f.message + f.help, (w, f.message, f.help)


@pytest.mark.parametrize(
    "text",
    [
        "[defaults]\nforks = 10\ntimeout = 1e2\n",
        "[ssh_connection]\npipelining = yes\nhost_key_checking = off\n",
        "[defaults]\ngathering = 'smart'\n",  # strings are unquoted before the choices check
        "[defaults]\nforks = 20 # a hash comment: C406's finding\n",
        "[ssh_connection]\ncontrol_path = %(directory)s/%%C\n",
        "[defaults]\nlocal_tmp = $HOME/.ansible/tmp\nroles_path = {{CWD}}/roles\n",
        "[callback_profile_tasks]\nsort_order = sideways\n",  # unknown section: not checked
        "[defaults]\nforks = many ; noqa: C405\n",
    ],
)
def test_c405_good_values(tmp_path, text):
    assert not check(tmp_path, text, "C405")


# --------------------------------------------------------------------------- C406


def test_c406_fix_replaces_hash_with_semicolon(tmp_path):
    text = "[defaults]\nforks = 20  # more hosts\n[ssh_connection]\npipelining = True\t# faster\n"
    found = check(tmp_path, text, "C406")
    assert [f.line for f in found] == [2, 4] and all(f.fix.safety == "safe" for f in found)
    assert "does not parse" in found[0].message and "False" in found[1].message
    new = fix(tmp_path, text, "C406", unsafe=False)
    assert new == "[defaults]\nforks = 20  ; more hosts\n[ssh_connection]\npipelining = True\t; faster\n"
    assert parse_values(new) == {"defaults": {"forks": "20"}, "ssh_connection": {"pipelining": "True"}}


@pytest.mark.parametrize(
    "text",
    [
        "[ssh_connection]\nssh_args = -o Foo=a#b\n",
        "[defaults]\n# forks = 20  # comment line\nforks = 20\n",
        "[defaults]\nforks = 20 ; a # in a ; comment\n",
        "[defaults]\nforks = 20\n  # indented comment line\n",
    ],
)
def test_c406_silent(tmp_path, text):
    assert not check(tmp_path, text, "C406")


def test_c406_string_values_need_prose_for_a_fix(tmp_path):
    [f] = check(tmp_path, "[ssh_connection]\nssh_args = -C #1\n", "C406", "a")
    assert f.fix is None and "if it is meant as a comment" in f.help
    [g] = check(tmp_path, "[ssh_connection]\nssh_args = -C # reuse connections\n", "C406", "b")
    assert g.fix is not None


def test_c406_value_that_is_only_a_comment(tmp_path):
    [f] = check(tmp_path, "[defaults]\nforks = # use the default\n", "C406")
    assert f.fix is None and "only a comment" in f.message


def test_c406_hash_noqa_is_not_a_comment(tmp_path):
    [f] = check(tmp_path, "[ssh_connection]\npipelining = False # noqa: C101\n", "C406")
    assert f.fix is not None


# --------------------------------------------------------------------------- corpus

CORPUS_FINDINGS = {
    "ansible-examples/phillips_hue/ansible.cfg": [(19, "C301"), (19, "C302")],
    "ansible-lint-examples/_fixtures/broken-ansible.cfg/ansible.cfg": [(1, "C301"), (2, "C405")],
    "ansible-lint-examples/namespace_roles_repro/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/https-nginx-proxy/provisioning/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/orchestration/scripts/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/orchestration/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/https-self-signed/provisioning/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/elk/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/kubernetes/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/https-letsencrypt/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/lamp-infrastructure/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/deployments-rolling/ansible.cfg": [(1, "C301")],
}
MY_CODES = ["C301", "C302", "C401", "C402", "C403", "C404", "C405", "C406"]


@pytest.fixture(scope="module")
def corpus_cfgs(tmp_path_factory):
    src = corpus_or_skip()
    dst = tmp_path_factory.mktemp("cfgs")
    found = sorted(p.relative_to(src).as_posix() for p in src.rglob("ansible.cfg"))
    assert found == sorted(CORPUS_FINDINGS), "the corpus's ansible.cfg files changed"
    for rel in found:
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, dst / rel)
    return dst


def test_corpus_findings_pinned(corpus_cfgs):
    res = run_engine(corpus_cfgs, select=MY_CODES)
    assert res.internal_errors == 0
    got: dict[str, list] = {}
    for f in res.findings:
        got.setdefault(f.path, []).append((f.line, f.code))
    assert {k: sorted(v) for k, v in got.items()} == CORPUS_FINDINGS
    by = {(f.path, f.code): f for f in res.findings}
    hue = "ansible-examples/phillips_hue/ansible.cfg"
    assert "callbacks (time) do not run" in by[(hue, "C302")].message
    broken = "ansible-lint-examples/_fixtures/broken-ansible.cfg/ansible.cfg"
    assert "CACHE_PLUGIN_TIMEOUT" in by[(broken, "C405")].message + by[(broken, "C405")].help


def test_corpus_fix_changes_only_intended_lines(corpus_cfgs):
    import os

    from click.testing import CliRunner

    from ansopt.cli import main

    before = {p: p.read_text() for p in corpus_cfgs.rglob("ansible.cfg")}
    old = os.getcwd()
    os.chdir(corpus_cfgs)
    try:
        CliRunner().invoke(
            main, ["fix", "--write", "--unsafe-fixes", "--select", ",".join(MY_CODES), "."], catch_exceptions=False
        )
    finally:
        os.chdir(old)
    changed = {}
    for p, text in before.items():
        new = p.read_text()
        if new != text:
            diff = [d for d in difflib.ndiff(text.splitlines(), new.splitlines()) if d[:1] in "+-"]
            changed[p.relative_to(corpus_cfgs).as_posix()] = diff
    assert changed == {
        "ansible-examples/phillips_hue/ansible.cfg": [
            "- callback_whitelist = time",
            "+ callbacks_enabled = time",
        ]
    }


def test_c404_become_history(tmp_path):
    from .conftest import run_engine, write_tree

    write_tree(tmp_path, {"ansible.cfg": "[defaults]\nsudo_user = deploy\nask_su_pass = True\nsquash_actions = apt\n"})
    found = {f.line: f.help for f in run_engine(tmp_path, select=["C404"]).findings if f.code == "C404"}
    assert "become_user" in found[2] and "become_ask_pass" in found[3] and "delete it" in found[4]


def test_c404_collections_paths_rename_that_would_hide_the_defaults(tmp_path):
    [f] = check(tmp_path / "a", "[defaults]\ncollections_paths = ./\n", "C404")  # the project itself
    assert f.fix is None and "hide the collections installed in the default paths" in f.help
    (tmp_path / "b" / "p" / "ansible_collections").mkdir(parents=True)
    [f] = check(tmp_path / "b", "[defaults]\ncollections_paths = ./\n", "C404")
    assert f.fix is not None
    [f] = check(tmp_path / "c", "[defaults]\ncollections_paths = ~/.ansible/collections:./\n", "C404")
    assert f.fix is not None


def test_c404_a_removed_key_set_to_its_replacements_default_changes_nothing(tmp_path):
    from .conftest import run_engine, write_tree

    same = "[defaults]\nhostfile = /etc/ansible/hosts\ncollections_paths = ~/.ansible/collections:/usr/share/ansible/collections\n"
    write_tree(tmp_path / "same", {"ansible.cfg": same})
    assert not [f for f in run_engine(tmp_path / "same", select=["C404"]).findings if f.code == "C404"]
    write_tree(tmp_path / "own", {"ansible.cfg": "[defaults]\nhostfile = ./hosts\n"})
    assert [f.line for f in run_engine(tmp_path / "own", select=["C404"]).findings if f.code == "C404"] == [2]
