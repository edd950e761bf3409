"""Real task timings: the ansopt_timing callback inside a real ansible-playbook, `ansopt
profile` on what it wrote, and `ansopt check --timings` guided by it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ansopt.ansible_plugins import CALLBACK_DIR
from ansopt.cli import main
from ansopt.model.timings import Measurements, profile
from ansopt.source import timings as source

from .conftest import write_tree

PLAYBOOK = """\
# the build play: one slow step no pattern knows, one download a pattern knows
- name: Build the app
  hosts: app
  gather_facts: false
  roles:
    - assets
  tasks:
    - name: Compile the assets
      ansible.builtin.command: "sleep {{ nap }}"
      changed_when: false

    - name: Fetch the nightly build
      ansible.builtin.get_url:
        url: "file://{{ playbook_dir }}/nightly.tar.gz"
        dest: "{{ playbook_dir }}/out/nightly.tar.gz"
        force: true

    - name: Greet every user
      ansible.builtin.debug:
        msg: "hello {{ item }}"
      loop: [ann, bob, cid]

    - name: Never on this host
      ansible.builtin.debug:
        msg: skipped
      when: false

    - name: Wait in the background
      ansible.builtin.command: sleep 0
      async: 30
      poll: 1
      changed_when: false

    - name: Ask the controller
      ansible.builtin.debug:
        msg: delegated
      delegate_to: localhost

    - name: Warm the cache
      ansible.builtin.command: "sleep {{ warm }}"
      changed_when: false
"""

ROLE_TASKS = """\
- name: Stamp the build
  ansible.builtin.copy:
    content: "built\\n"
    dest: "{{ playbook_dir }}/out/stamp.txt"
    mode: "0644"
"""

TASK_KEYS = {
    "type",
    "format",
    "run",
    "playbook",
    "play",
    "task",
    "action",
    "path",
    "line",
    "role",
    "host",
    "start",
    "end",
    "duration",
    "status",
    "items",
    "async",
    "poll",
    "delegate_to",
    "handler",
}


def _ansible_playbook() -> str:
    exe = Path(sys.executable).parent / "ansible-playbook"
    if exe.exists():
        return str(exe)
    found = shutil.which("ansible-playbook")
    if not found:
        pytest.skip("ansible-playbook is not installed")
    return found


def run_playbook(
    project: Path,
    warm: float,
    extra_cfg: str = "",
    env_extra: dict | None = None,
    callbacks=("ansopt_timing",),
    plugin_dirs=(str(CALLBACK_DIR),),
) -> subprocess.CompletedProcess:
    (project / "ansible.cfg").write_text(
        "[defaults]\n"
        f"callback_plugins = {':'.join(plugin_dirs)}\n"
        f"callbacks_enabled = {', '.join(callbacks)}\n"
        "[callback_ansopt_timing]\nsummary = 3\n" + extra_cfg
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(project / "ansible.cfg"), ANSIBLE_NOCOLOR="1", **(env_extra or {}))
    env.pop("ANSOPT_TIMING_OUTPUT", None)
    return subprocess.run(
        [
            _ansible_playbook(),
            "-i",
            "app,",
            "-c",
            "local",
            "-e",
            f"ansible_python_interpreter={sys.executable}",
            "-e",
            "nap=5",
            "-e",
            f"warm={warm}",
            "site.yml",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def make_project(base: Path) -> Path:
    write_tree(
        base,
        {
            "site.yml": PLAYBOOK,
            "roles/assets/tasks/main.yml": ROLE_TASKS,
            "nightly.tar.gz": "nightly\n",
            "out/.keep": "",
        },
    )
    return base


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """The project after two runs: a 5 s compile step in both, a cache warmed in 2.5 s in the
    first and at once in the second."""
    project = make_project(tmp_path_factory.mktemp("timed"))
    for warm in (2.5, 0):
        p = run_playbook(project, warm)
        assert p.returncode == 0, p.stdout + p.stderr
    assert "ANSOPT TIMING" in p.stdout
    return project


def _lines(project: Path) -> list[dict]:
    return [json.loads(x) for x in (project / ".ansopt" / "timings.jsonl").read_text().splitlines()]


def test_callback_writes_every_field(recorded):
    lines = _lines(recorded)
    runs = [x for x in lines if x["type"] == "run"]
    tasks = [x for x in lines if x["type"] == "task"]
    plays = [x for x in lines if x["type"] == "play"]
    assert len(runs) == 2 and len(plays) == 2  # appended: both runs sit in one file
    assert runs[0]["run"] != runs[1]["run"]
    site = str(recorded / "site.yml")
    first = [t for t in tasks if t["run"] == runs[0]["run"]]
    assert [t["task"] for t in first] == [
        "assets : Stamp the build",
        "Compile the assets",
        "Fetch the nightly build",
        "Greet every user",
        "Never on this host",
        "Wait in the background",
        "Ask the controller",
        "Warm the cache",
    ]
    for t in tasks:
        assert set(t) == TASK_KEYS, set(t) ^ TASK_KEYS
        assert t["format"] == 2 and t["playbook"] == site and t["play"] == "Build the app"
        assert t["host"] == "app" and t["handler"] is False
        assert isinstance(t["line"], int) and t["line"] > 0
        assert t["start"] <= t["end"] and abs((t["end"] - t["start"]) - t["duration"]) < 0.05
        assert t["action"].startswith("ansible.builtin.")
    by = {t["task"]: t for t in first}
    stamp = by["assets : Stamp the build"]
    assert stamp["role"] == "assets" and stamp["path"] == str(recorded / "roles/assets/tasks/main.yml")
    assert stamp["line"] == 1 and stamp["action"] == "ansible.builtin.copy" and stamp["status"] == "changed"
    compile_ = by["Compile the assets"]
    assert compile_["path"] == site and compile_["line"] == 8 and compile_["role"] is None
    assert compile_["action"] == "ansible.builtin.command" and compile_["status"] == "ok"
    assert compile_["duration"] >= 5.0 and compile_["items"] is None
    assert compile_["async"] is None and compile_["poll"] is None and compile_["delegate_to"] is None
    assert by["Fetch the nightly build"]["action"] == "ansible.builtin.get_url"
    assert by["Greet every user"]["items"] == 3 and by["Greet every user"]["line"] == 18
    assert by["Never on this host"]["status"] == "skipped"
    assert by["Wait in the background"]["async"] == 30 and by["Wait in the background"]["poll"] == 1
    assert by["Ask the controller"]["delegate_to"] == "localhost"
    second = {t["task"]: t for t in tasks if t["run"] == runs[1]["run"]}
    assert by["Warm the cache"]["duration"] >= 2.5 and second["Warm the cache"]["duration"] < 2.0
    play = plays[0]
    assert play["play"] == "Build the app" and play["path"] == site and play["line"] == 2
    assert play["hosts"] == ["app"] and play["strategy"] == "linear" and play["tasks"] == 8
    assert play["start"] <= play["end"] and play["duration"] >= 5.0
    run = runs[0]
    import ansible.release

    assert run["ansible_version"] == ansible.release.__version__
    assert run["forks"] == 5 and run["strategy"] == "linear"
    assert run["pipelining"] is False and run["control_persist"] == "60s"  # ansible-core's defaults
    assert run["playbook"] == site and run["playbooks"] == [site]
    assert run["hosts"]["app"]["skipped"] == 1 and run["hosts"]["app"]["failures"] == 0
    assert run["duration"] >= 5.0 and run["tasks"] == 8


def test_callback_never_fails_a_run(tmp_path):
    project = make_project(tmp_path)
    (project / "blocked").write_text("a file where a folder should be\n")
    p = run_playbook(project, 0, "output = blocked/timings.jsonl\n")
    assert p.returncode == 0, p.stdout + p.stderr
    warnings = [ln for ln in (p.stdout + p.stderr).splitlines() if "ansopt_timing: cannot write" in ln]
    assert len(warnings) == 1, p.stdout + p.stderr
    assert not (project / ".ansopt").exists()


def test_callback_output_option_and_none(tmp_path):
    project = make_project(tmp_path)
    p = run_playbook(project, 0, "output = logs/t.jsonl\n")
    assert p.returncode == 0, p.stderr
    assert (project / "logs" / "t.jsonl").is_file()  # relative to the ansible.cfg that names it
    p = run_playbook(project, 0, "output = none\n")
    assert p.returncode == 0 and not (project / ".ansopt").exists()


def test_profile_lists_the_slow_task_first_and_compares_runs(recorded, monkeypatch):
    monkeypatch.chdir(recorded)
    monkeypatch.setenv("NO_COLOR", "1")
    r = CliRunner().invoke(main, ["profile"])
    assert r.exit_code == 0, r.output
    out = r.output
    assert "\x1b[" not in out
    slow = out.split("Slowest tasks", 1)[1].splitlines()[1]
    assert "site.yml:8" in slow and "Compile the assets" in slow and "ansible.builtin.command" in slow
    assert "2 runs" in slow
    assert "Time per play" in out and "Time per role" in out and "assets" in out
    assert "Time per action" in out and "Fact gathering per host" not in out  # the play gathers nothing
    cmp = out.split("The last two runs of site.yml", 1)[1]
    warm = next(ln for ln in cmp.splitlines() if "Warm the cache" in ln)
    assert warm.strip().startswith("faster") and "site.yml:39" in warm
    r = CliRunner().invoke(main, ["profile", "--format", "json"])
    data = json.loads(r.output)
    assert data["runs"] == 2 and data["slowest"][0]["task"] == "Compile the assets"
    change = next(c for c in data["comparison"]["changes"] if c["task"] == "Warm the cache")
    assert change["delta"] < -2 and change["before"] >= 2.5 and change["line"] == 39
    assert {b["host"] for b in data["timeline"]} == {"app"}


def test_check_timings_flags_the_slow_task_and_drops_the_fast_pattern(recorded, tmp_path, monkeypatch):
    # a copy of the project elsewhere (as in CI): the recorded paths still match by suffix
    copy = tmp_path / "checkout"
    shutil.copytree(recorded, copy, ignore=shutil.ignore_patterns(".ansopt"))
    monkeypatch.chdir(copy)
    timings = str(recorded / ".ansopt" / "timings.jsonl")
    (copy / ".ansopt.yml").write_text("rules:\n  P301:\n    threshold: 3\n")
    runner = CliRunner()
    without = runner.invoke(main, ["check", "--no-timings", "--select", "P301", str(copy)])
    # findings point at the module's line: 13 for the download, 9 for the compile step
    assert "site.yml:13:" in without.output and "site.yml:9:" not in without.output  # the pattern's view
    r = runner.invoke(main, ["check", "--timings", timings, "--format", "json", str(copy)])
    found = [f for f in json.loads(r.output) if f["code"] == "P301"]
    # the slow step no pattern knows; the download the pattern knows measured quick
    assert [f["line"] for f in found] == [9], found
    f = found[0]
    assert f["basis"] == "measured" and f["measured_seconds"] >= 5 and "measured" in f["message"]
    assert "median of 2 runs" in f["message"]
    # the fix's values come from the measured time: limit 600 s (3x the longest run is less),
    # poll: the option's minimum (5 s / 20 is below it)
    assert "async: 600" in f["fix"]["edits"][0]["replacement"] and "poll: 2" in f["fix"]["edits"][0]["replacement"]
    # pattern findings without a measurement are not reported by default, only measured ones
    assert all(x["basis"] == "measured" for x in json.loads(r.output) if x["code"] == "P301")
    # every format says it
    r = runner.invoke(main, ["check", "--timings", timings, "--format", "sarif", str(copy)])
    res = json.loads(r.output)["runs"][0]["results"]
    assert [x["properties"]["basis"] for x in res if x["ruleId"] == "P301"] == ["measured"]
    for fmt in ("text", "github", "junit", "codeclimate"):
        r = runner.invoke(main, ["check", "--timings", timings, "--format", fmt, str(copy)])
        assert "`command` measured 5." in r.output, (fmt, r.output)
    # a threshold above the measured time: nothing
    (copy / ".ansopt.yml").write_text("rules:\n  P301:\n    threshold: 30\n")
    r = runner.invoke(main, ["check", "--timings", timings, "--select", "P301", str(copy)])
    assert "P301" not in r.output, r.output


def test_check_reads_the_callbacks_default_file(recorded, tmp_path, monkeypatch):
    copy = tmp_path / "p"
    shutil.copytree(recorded, copy)
    monkeypatch.chdir(copy)
    (copy / ".ansopt.yml").write_text("rules:\n  P301:\n    threshold: 3\n")
    r = CliRunner().invoke(main, ["check", str(copy)])
    assert "site.yml:9:7: P301" in r.output, r.output
    (copy / ".ansopt.yml").write_text("timings:\n  auto: false\nrules:\n  P301:\n    threshold: 3\n")
    r = CliRunner().invoke(main, ["check", str(copy)])
    assert "P301" not in r.output


def test_bad_timing_file_is_one_line_error(tmp_path):
    make_project(tmp_path)
    bad = tmp_path / "t.jsonl"
    bad.write_text('{"type": "run", "run": "x"}\nnot json\n')
    r = CliRunner().invoke(main, ["check", "--timings", str(bad), str(tmp_path)])
    assert r.exit_code == 2
    assert r.output.strip().splitlines()[-1].startswith(f"ansopt: error: {bad}:2: not a JSON line")


# --------------------------------------------------------------------------- matching and readers


def _rec(**kw) -> source.TaskRecord:
    base = dict(run="r1", task="Compile", host="h1", duration=1.0, status="ok", path="/ci/proj/site.yml", line=8)
    base.update(kw)
    return source.TaskRecord(**base)


def test_match_by_suffix_line_then_name(tmp_path):
    root = tmp_path / "proj"
    write_tree(root, {"site.yml": "", "roles/r/tasks/main.yml": ""})
    data = source.TimingData(
        tasks=[
            _rec(duration=70, host="h1"),
            _rec(duration=90, host="h2"),
            _rec(run="r2", duration=80),
            _rec(run="r0", duration=1, status="skipped"),
            _rec(task="Other", path="/ci/proj/roles/r/tasks/main.yml", line=3, duration=2),
            _rec(task="Elsewhere", path="/ci/other/site.yml", line=30, duration=200),
        ]
    )
    m = Measurements(data, str(root))
    got = m.task(str(root / "site.yml"), 8)
    assert got is not None and got.runs == 2 and got.median == 85 and got.max == 90 and got.hosts == 2
    assert m.task(str(root / "site.yml"), 9) is None  # no name given: no guess
    moved = m.task(str(root / "site.yml"), 11, name="Compile")
    assert moved is not None and moved.median == 85  # lines moved: matched by name
    assert m.task(str(root / "roles/r/tasks/main.yml"), 3).median == 2
    assert m.task(str(root / "site.yml"), 30) is None  # /ci/other is another project


def test_last_runs_bound_the_median(tmp_path):
    write_tree(tmp_path / "proj", {"site.yml": ""})
    recs = [_rec(run=f"r{i}", duration=100.0 if i < 5 else 1.0, start=float(i)) for i in range(8)]
    m = Measurements(source.TimingData(tasks=recs), str(tmp_path / "proj"), last_runs=3)
    assert m.task(str(tmp_path / "proj" / "site.yml"), 8).median == 1.0


POSIX_JSON = {
    "plays": [
        {
            "play": {
                "name": "Build",
                "id": "p1",
                "path": "/w/site.yml:2",
                "duration": {"start": "2026-12-03T10:00:00.000000Z", "end": "2026-12-03T10:00:09.000000Z"},
            },
            "tasks": [
                {
                    "task": {
                        "name": "Compile",
                        "id": "t1",
                        "path": "/w/site.yml:8",
                        "duration": {"start": "2026-12-03T10:00:01.000000Z", "end": "2026-12-03T10:00:08.500000Z"},
                    },
                    "hosts": {
                        "a": {"action": "command", "changed": True},
                        "b": {"action": "command", "skipped": True, "changed": False},
                    },
                }
            ],
        }
    ],
    "stats": {},
}


def test_reads_ansible_posix_json(tmp_path):
    p = tmp_path / "out.json"
    p.write_text("[WARNING]: something before the document\n" + json.dumps(POSIX_JSON, indent=4))
    data = source.read(str(p))
    assert [(t.host, t.status, t.duration, t.path, t.line) for t in data.tasks] == [
        ("a", "changed", 7.5, "/w/site.yml", 8),
        ("b", "skipped", 7.5, "/w/site.yml", 8),
    ]
    assert list(data.runs.values())[0].duration == 9.0
    assert profile(data).slowest[0].task == "Compile"


def test_reads_ansible_posix_jsonl(tmp_path):
    task = {"name": "Compile", "id": "t1", "path": "/w/site.yml:8", "duration": {"start": "2026-12-03T10:00:01Z"}}
    events = [
        {
            "_event": "v2_playbook_on_play_start",
            "play": {"name": "Build", "path": "/w/site.yml:2", "duration": {"start": "2026-12-03T10:00:00Z"}},
            "_timestamp": "2026-12-03T10:00:00Z",
        },
        {"_event": "v2_playbook_on_task_start", "task": task, "hosts": {}, "_timestamp": "2026-12-03T10:00:01Z"},
        {
            "_event": "v2_runner_on_ok",
            "task": dict(task, duration={"start": "2026-12-03T10:00:01Z", "end": "2026-12-03T10:00:04Z"}),
            "hosts": {"a": {"action": "command", "changed": False}},
            "_timestamp": "2026-12-03T10:00:04Z",
        },
        {
            "_event": "v2_runner_on_failed",
            "task": dict(task, duration={"start": "2026-12-03T10:00:01Z", "end": "2026-12-03T10:00:06Z"}),
            "hosts": {"b": {"action": "command", "failed": True}},
            "_timestamp": "2026-12-03T10:00:06Z",
        },
        {"_event": "v2_playbook_on_stats", "stats": {}, "_timestamp": "2026-12-03T10:00:07Z"},
    ]
    p = tmp_path / "out.jsonl"
    p.write_text("".join(json.dumps(e) + "\n" for e in events))
    data = source.read(str(p))
    assert [(t.host, t.status, t.duration) for t in data.tasks] == [("a", "ok", 3.0), ("b", "failed", 5.0)]
    run = list(data.runs.values())[0]
    assert run.duration == 7.0 and run.playbook == "/w/site.yml"


def test_reads_the_older_layout(tmp_path):
    p = tmp_path / "old.jsonl"
    p.write_text(
        json.dumps(
            {
                "play": "P",
                "task": "T",
                "action": "command",
                "host": "h",
                "status": "ok",
                "seconds": 2.5,
                "path": "/w/site.yml:4",
                "time": 100.0,
            }
        )
        + "\n"
        + json.dumps({"run_seconds": 3.0, "time": 100.5, "tasks": 1})
        + "\n"
    )
    data = source.read(str(p))
    assert data.tasks[0].line == 4 and data.tasks[0].duration == 2.5 and data.tasks[0].start == 97.5
    assert list(data.runs.values())[0].duration == 3.0


# --------------------------------------------------------------------------- the HTML page


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip("no Chromium to render the page in (apt-get install chromium)")


def _chromium_run(exe: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--user-data-dir=" + os.environ.get("TMPDIR", "/tmp") + f"/ansopt-chromium-{os.getpid()}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit PNG: enough to count drawn pixels."""
    import struct
    import zlib

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height, ctype = 8, b"", 0, 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows


def test_html_page_renders_a_timeline_in_chromium(recorded, tmp_path, monkeypatch):
    exe = _chromium()
    monkeypatch.chdir(recorded)
    page = tmp_path / "profile.html"
    r = CliRunner().invoke(main, ["profile", "--html", str(page)])
    assert r.exit_code == 0, r.output
    text = page.read_text()
    # self-contained: no script, no fetched resource
    assert "<script" not in text and " src=" not in text and "<link" not in text and "url(" not in text
    dom = _chromium_run(exe, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    latest = [x for x in _lines(recorded) if x["type"] == "task" and x["run"] == _lines(recorded)[-1]["run"]]
    assert dom.stdout.count('<rect class="task') == len(latest) == 8
    assert 'id="timeline"' in dom.stdout and 'id="slowest"' in dom.stdout and 'id="comparison"' in dom.stdout
    shot = tmp_path / "profile.png"
    got = _chromium_run(exe, f"--screenshot={shot}", "--window-size=1200,700", page.as_uri())
    assert got.returncode == 0 and shot.is_file(), got.stderr[-2000:]
    width, height, rows = _png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 700)
    bpp = len(rows[0]) // width
    # the timeline's task bars, in the `ok` colour: one row 900 px wide and 16 px high for the
    # host, less the gaps between tasks (the legend's swatch is 10 x 10 px)
    ok = (0x4C, 0x9F, 0x70)
    drawn = sum(
        1 for row in rows for x in range(0, len(row), bpp) if all(abs(row[x + i] - ok[i]) <= 8 for i in range(3))
    )
    assert drawn > 9000, drawn
    artifacts = Path(os.environ.get("ANSOPT_TEST_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, artifacts / "profile-timeline.png")
    shutil.copy(page, artifacts / "profile.html")


# --------------------------------------------------------------------------- ARA


def test_ara_records_the_same_run(tmp_path):
    pytest.importorskip("ara")
    pytest.importorskip("django")
    project = make_project(tmp_path / "p")
    env = {"ARA_BASE_DIR": str(tmp_path / "ara")}
    ara_plugins = subprocess.run(
        [sys.executable, "-m", "ara.setup.callback_plugins"], capture_output=True, text=True, check=True
    ).stdout.strip()
    p = run_playbook(
        project,
        0,
        env_extra=env,
        callbacks=("ansopt_timing", "ara_default"),
        plugin_dirs=(str(CALLBACK_DIR), ara_plugins),
    )
    assert p.returncode == 0, p.stdout + p.stderr
    run_env = dict(os.environ, NO_COLOR="1", **env)
    prof = subprocess.run(
        [sys.executable, "-m", "ansopt", "profile", "--ara", "--format", "json"],
        cwd=project,
        capture_output=True,
        text=True,
        env=run_env,
        timeout=300,
    )
    assert prof.returncode == 0, prof.stderr
    data = json.loads(prof.stdout)
    assert data["runs"] == 1 and data["sources"] == ["ara"]
    top = data["slowest"][0]
    assert top["task"] == "Compile the assets" and top["line"] == 8 and top["path"] == str(project / "site.yml")
    assert top["action"] == "ansible.builtin.command" and top["median"] >= 5
    # ARA's and ansopt's records of the same run agree on the task list and, within noise, on durations
    ours = {(x["path"], x["line"]): x["duration"] for x in _lines(project) if x["type"] == "task"}
    theirs = {(m["path"], m["line"]): m["median"] for m in data["slowest"]}
    assert set(theirs) <= set(ours) and len(theirs) >= 7
    assert abs(theirs[(str(project / "site.yml"), 8)] - ours[(str(project / "site.yml"), 8)]) < 1.0
    # check --ara: the slow step measured by ARA alone
    (project / ".ansopt.yml").write_text("timings:\n  auto: false\nrules:\n  P301:\n    threshold: 3\n")
    chk = subprocess.run(
        [sys.executable, "-m", "ansopt", "check", "--ara", "--format", "json", "."],
        cwd=project,
        capture_output=True,
        text=True,
        env=run_env,
        timeout=300,
    )
    found = [f for f in json.loads(chk.stdout) if f["code"] == "P301"]
    assert [(f["line"], f["basis"]) for f in found] == [(9, "measured")], chk.stdout + chk.stderr


def test_timings_join_p301_to_the_default_selection_only(tmp_path):
    from ansopt.engine import Engine
    from ansopt.settings import load

    write_tree(tmp_path, {"site.yml": PLAYBOOK})
    t = tmp_path / ".ansopt" / "timings.jsonl"
    t.parent.mkdir()
    t.write_text(
        json.dumps(
            {
                "type": "task",
                "run": "r",
                "task": "Compile the assets",
                "host": "h",
                "duration": 90.0,
                "status": "ok",
                "path": str(tmp_path / "site.yml"),
                "line": 8,
            }
        )
        + "\n"
    )
    settings = load(str(tmp_path))

    def codes(**kw):
        e = Engine(settings, ["."], cwd=str(tmp_path), **kw)
        return {r.code for r in e.rules}, e.measured_only

    got, only = codes()
    assert "P301" in got and only == {"P301"}
    assert "P301" not in codes(select=["C101"])[0]
    assert "P301" not in codes(ignore=["P301"])[0]
    got, only = codes(extend_select=["P301"])
    assert "P301" in got and only == set()  # selected by name: pattern findings too
    assert "P301" not in codes(use_timings=False)[0]
    found = Engine(settings, ["."], cwd=str(tmp_path)).check().findings
    p301 = [f for f in found if f.code == "P301"]
    assert [(f.line, f.basis, f.measured_s) for f in p301] == [(9, "measured", 90.0)]
    # 90 s measured: the limit stays the option's 600 (3 x 90 s is less), poll 90 / 20 -> 4
    assert p301[0].fix is not None and p301[0].fix.description == "add async: 600 and poll: 4"
