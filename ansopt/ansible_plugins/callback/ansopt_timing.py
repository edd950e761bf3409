# ansopt's timing callback for ansible-core. Loaded by ansible-core from `callback_plugins`;
# it must not import ansopt (ansible may run from another Python environment).
from __future__ import annotations

DOCUMENTATION = """
name: ansopt_timing
type: aggregate
short_description: Real per-task and per-host timings, as a summary and JSON lines
description:
  - Measures every task on every host (from the moment the task is queued for the host to the
    host's result) and every play, prints the slowest tasks at the end of the run, and appends
    JSON lines to a file, so runs before and after an optimisation sit in one file
    (C(ansopt profile) reads it, C(ansopt check --timings) uses it).
  - One line per task per host (C(type=task)), one per play (C(type=play)) and one per run
    (C(type=run), with the ansible-core version, forks, strategy and the effective pipelining
    and ControlPersist settings).
  - Works beside any stdout callback. It never makes a playbook fail; a file it cannot write
    is one warning.
requirements:
  - enable it in ansible.cfg with C(callbacks_enabled = ansopt_timing) and point
    C(callback_plugins) to the folder printed by C(ansopt callback-path)
options:
  output:
    description:
      - File the JSON lines are appended to. Relative paths are relative to the ansible.cfg
        that sets them (or the working directory, from the environment).
      - Default C(.ansopt/timings.jsonl) in the folder of the (first) playbook; C(none) writes
        no file.
    type: path
    env:
      - name: ANSOPT_TIMING_OUTPUT
    ini:
      - section: callback_ansopt_timing
        key: output
  summary:
    description: How many of the slowest tasks to print at the end (0 prints none).
    type: int
    default: 10
    env:
      - name: ANSOPT_TIMING_SUMMARY
    ini:
      - section: callback_ansopt_timing
        key: summary
"""

import json
import os
import re
import time
import uuid

from ansible.plugins.callback import CallbackBase

FORMAT = 2  # the version of the JSON lines' layout


def _split_path(path):
    """'file.yml:12' -> ('file.yml', 12); the line may be missing. (ansopt.source.timings has
    the reader's copy: this plugin may run in a Python without ansopt, so it imports none.)"""
    if not path:
        return None, None
    head, sep, tail = str(path).rpartition(":")
    if sep and tail.isdigit():
        return head, int(tail)
    return str(path), None


def _action(task):
    """The task's action as ansible-core resolved it (an FQCN), without the warning that
    `Task.resolved_action` gives when sampled at the wrong time."""
    resolved = getattr(task, "_resolved_action", None)
    if resolved:
        return resolved
    action = task.action
    if not action or "{{" in str(action) or "{%" in str(action):
        return action
    try:
        return task._resolve_action(action) or action
    except Exception:
        return action


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "ansopt_timing"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._run_id = uuid.uuid4().hex
        self._run_start = time.time()
        self._run_mono = time.monotonic()
        self._playbook = None
        self._playbooks = []
        self._play = None
        self._task_start = {}  # task uuid -> monotonic time the task started
        self._task_names = {}  # task uuid -> (play, task name)
        self._host_start = {}  # (task uuid, host) -> (epoch, monotonic)
        self._items = {}  # (task uuid, host) -> loop items seen
        self._totals = {}  # "play | task" -> slowest host's seconds
        self._output = None
        self._file = None
        self._failed_write = False
        self._tasks_in_play = 0

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        self._output = self.get_option("output") or None

    # -------------------------------------------------------------- output
    def _path(self):
        if self._output:
            if os.path.basename(self._output).lower() == "none":
                return None
            return os.path.expanduser(self._output)
        base = os.path.dirname(os.path.abspath(self._playbook)) if self._playbook else os.getcwd()
        return os.path.join(base, ".ansopt", "timings.jsonl")

    def _write(self, record):
        if self._failed_write:
            return
        path = None
        try:
            if self._file is None:
                path = self._path()
                if path is None:
                    self._failed_write = True
                    return
                folder = os.path.dirname(path)
                if folder:
                    os.makedirs(folder, exist_ok=True)
                self._file = open(path, "a", encoding="utf-8")
            self._file.write(json.dumps(record, sort_keys=True, default=str) + "\n")
            self._file.flush()
        except OSError as e:
            self._failed_write = True
            self._display.warning(f"ansopt_timing: cannot write {path or self._path()}: {e}")

    def _close(self):
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass
            self._file = None

    # -------------------------------------------------------------- events
    def v2_playbook_on_start(self, playbook):
        name = getattr(playbook, "_file_name", None)
        if name:
            self._playbook = self._playbook or os.path.abspath(name)
            self._playbooks.append(os.path.abspath(name))

    def _end_play(self):
        if self._play is None:
            return
        now = time.time()
        self._write(
            {
                "type": "play",
                "format": FORMAT,
                "run": self._run_id,
                "playbook": self._playbooks[-1] if self._playbooks else None,
                "play": self._play["name"],
                "path": self._play["path"],
                "line": self._play["line"],
                "hosts": self._play["hosts"],
                "strategy": self._play["strategy"],
                "start": self._play["start"],
                "end": now,
                "duration": round(time.monotonic() - self._play["mono"], 4),
                "tasks": self._tasks_in_play,
            }
        )
        self._play = None

    def v2_playbook_on_play_start(self, play):
        self._end_play()
        hosts = play.hosts if isinstance(play.hosts, list) else [play.hosts]
        path, line = _split_path(play.get_path() if hasattr(play, "get_path") else None)
        strategy = getattr(play, "strategy", None)
        if not strategy:
            from ansible import constants

            strategy = constants.DEFAULT_STRATEGY
        self._play = {
            "name": play.get_name().strip() or ",".join(str(h) for h in hosts),
            "hosts": [str(h) for h in hosts],
            "path": path,
            "line": line,
            "strategy": strategy,
            "start": time.time(),
            "mono": time.monotonic(),
        }
        self._tasks_in_play = 0

    def _start(self, task):
        uid = str(task._uuid)
        self._task_start[uid] = time.monotonic()
        self._task_names[uid] = (self._play["name"] if self._play else None, task.get_name().strip())
        self._tasks_in_play += 1

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._start(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._start(task)

    def v2_runner_on_start(self, host, task):
        self._host_start[(str(task._uuid), host.get_name())] = (time.time(), time.monotonic())

    def _item(self, result):
        key = (str(result._task._uuid), result._host.get_name())
        self._items[key] = self._items.get(key, 0) + 1

    v2_runner_item_on_ok = _item
    v2_runner_item_on_failed = _item
    v2_runner_item_on_skipped = _item

    def _result(self, result, status):
        task = result._task
        uid = str(task._uuid)
        host = result._host.get_name()
        now, mono = time.time(), time.monotonic()
        task_mono = self._task_start.get(uid, mono)
        start, start_mono = self._host_start.pop((uid, host), (now - (mono - task_mono), task_mono))
        items = self._items.pop((uid, host), None)
        res = result._result if isinstance(result._result, dict) else {}
        if isinstance(res.get("results"), list):
            items = len(res["results"])
        play, name = self._task_names.get(uid, (self._play["name"] if self._play else None, task.get_name().strip()))
        duration = mono - start_mono
        key = f"{play} | {name}"
        self._totals[key] = max(self._totals.get(key, 0.0), mono - task_mono)
        path, line = _split_path(task.get_path())
        role = task._role.get_name(include_role_fqcn=False) if getattr(task, "_role", None) else None
        delegated = res.get("_ansible_delegated_vars") or {}
        delegate_to = delegated.get("ansible_delegated_host") or task.delegate_to or None
        self._write(
            {
                "type": "task",
                "format": FORMAT,
                "run": self._run_id,
                "playbook": self._playbooks[-1] if self._playbooks else None,
                "play": play,
                "task": name,
                "action": _action(task),
                "path": path,
                "line": line,
                "role": role,
                "host": host,
                "start": start,
                "end": now,
                "duration": round(duration, 4),
                "status": status,
                "items": items,
                "async": _int_or_none(task.async_val) or None,
                "poll": _int_or_none(task.poll) if _int_or_none(task.async_val) else None,
                "delegate_to": str(delegate_to) if delegate_to else None,
                "handler": type(task).__name__ == "Handler",
            }
        )

    def v2_runner_on_ok(self, result, **kwargs):
        self._result(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False, **kwargs):
        self._result(result, "ignored" if ignore_errors else "failed")

    def v2_runner_on_skipped(self, result, **kwargs):
        self._result(result, "skipped")

    def v2_runner_on_unreachable(self, result, **kwargs):
        self._result(result, "unreachable")

    def _settings(self):
        """ansible-core's version, forks, strategy and the ssh connection's effective
        pipelining and ControlPersist, as the run sees them (ansible.cfg and environment)."""
        out = {}
        try:
            from ansible import constants, context
            from ansible.release import __version__

            out["ansible_version"] = __version__
            forks = (context.CLIARGS or {}).get("forks")
            out["forks"] = int(forks) if forks is not None else constants.DEFAULT_FORKS
            out["strategy"] = constants.DEFAULT_STRATEGY
            from ansible.plugins.loader import connection_loader

            connection_loader.get("ssh", class_only=True)
            pipe = constants.config.get_config_value("pipelining", plugin_type="connection", plugin_name="ssh")
            args = constants.config.get_config_value("ssh_args", plugin_type="connection", plugin_name="ssh") or ""
            out["pipelining"] = bool(pipe)
            out["ssh_args"] = args
            match = re.search(r"ControlPersist[= ]\s*(\S+)", args, re.I)
            out["control_persist"] = match.group(1) if match and match.group(1).lower() not in ("no", "0") else None
        except Exception as e:  # never fail a run over its description
            out.setdefault("error", str(e))
        return out

    def v2_playbook_on_stats(self, stats):
        self._end_play()
        total = time.monotonic() - self._run_mono
        hosts = {}
        for host in sorted(getattr(stats, "processed", {}) or {}):
            try:
                hosts[host] = stats.summarize(host)
            except Exception:
                pass
        self._write(
            dict(
                {
                    "type": "run",
                    "format": FORMAT,
                    "run": self._run_id,
                    "playbook": self._playbook,
                    "playbooks": self._playbooks,
                    "start": self._run_start,
                    "end": time.time(),
                    "duration": round(total, 4),
                    "tasks": len(self._totals),
                    "hosts": hosts,
                },
                **self._settings(),
            )
        )
        self._close()
        n = int(self.get_option("summary") or 0)
        if n <= 0:
            return
        self._display.banner("ANSOPT TIMING")
        for key, seconds in sorted(self._totals.items(), key=lambda kv: -kv[1])[:n]:
            self._display.display(f"{seconds:8.2f}s  {key}")
        self._display.display(f"{total:8.2f}s  total run")
