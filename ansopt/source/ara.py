"""Timings from ARA (ara.recordansible.com): the playbooks, tasks and results it recorded.

Read through ARA's own API client: its offline client (ARA's default, `ARA_API_CLIENT`)
starts ARA's Django application in this process against the local database (`ARA_BASE_DIR`,
`ARA_DATABASE_*`, as ARA's callback uses them), so nothing has to be served; with
`ARA_API_CLIENT=http` it asks the server at `ARA_API_SERVER`. ARA keeps, per task, its file,
line, action and duration, and per result its host, status and duration: the same records
as ansopt's callback writes (`source.timings`). ARA is an optional extra: `pip install
'ansopt[ara]'`.
"""

from __future__ import annotations

import contextlib
import io
import os
from typing import Any

from .timings import ARA, PlayRecord, RunRecord, TaskRecord, TimingData, TimingsError, epoch, hms

PAGE = 500
MAX_PAGES = 200  # a bound on any one listing: 100,000 results


def _client():
    try:
        from ara.clients.utils import get_client
    except ImportError as e:
        raise TimingsError("ara:1: ARA is not installed (pip install 'ansopt[ara]')") from e
    kind = os.environ.get("ARA_API_CLIENT", "offline")
    endpoint = os.environ.get("ARA_API_SERVER", "http://127.0.0.1:8000")
    try:
        # the offline client runs ARA's database migrations and Django prints them
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            return get_client(
                client=kind,
                endpoint=endpoint,
                username=os.environ.get("ARA_API_USERNAME"),
                password=os.environ.get("ARA_API_PASSWORD"),
            )
    except Exception as e:  # Django, database and network errors alike
        raise TimingsError(f"ara:1: cannot open ARA's records ({kind} client): {e}") from e


def _list(client, endpoint: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    offset = 0
    for _ in range(MAX_PAGES):
        page = client.get(endpoint, limit=PAGE, offset=offset, **params)
        if not isinstance(page, dict):
            raise TimingsError(f"ara:1: {endpoint}: unexpected answer {str(page)[:80]!r}")
        results = page.get("results") or []
        out.extend(results)
        if not page.get("next") or not results:
            break
        offset += len(results)
    return out


def read(playbooks: int = 20, path_contains: str | None = None) -> TimingData:
    """The `playbooks` most recent playbook runs ARA recorded (those whose path contains
    `path_contains`, when given)."""
    client = _client()
    try:
        return _read(client, playbooks, path_contains)
    except TimingsError:
        raise
    except Exception as e:
        raise TimingsError(f"ara:1: reading ARA's records failed: {e}") from e
    finally:
        with contextlib.suppress(Exception):
            client.close()


def _read(client, playbooks: int, path_contains: str | None) -> TimingData:
    data = TimingData(sources=[ARA])
    params: dict[str, Any] = {"order": "-started"}
    if path_contains:
        params["path"] = path_contains
    page = client.get("/api/v1/playbooks", limit=max(1, playbooks), **params)
    recorded = list(reversed((page or {}).get("results") or []))  # oldest first
    files: dict[Any, str | None] = {}
    for pb in recorded:
        pid = pb["id"]
        run = f"ara:{pid}"
        start = epoch(pb.get("started"))
        dur = hms(pb.get("duration"))
        args = pb.get("arguments") or {}
        settings = [("ansible_version", pb.get("ansible_version"))]
        if args.get("forks") is not None:
            settings.append(("forks", args.get("forks")))
        data.runs[run] = RunRecord(
            run,
            ARA,
            playbook=pb.get("path"),
            start=start,
            end=epoch(pb.get("ended")),
            duration=dur,
            settings=tuple(settings),
        )
        hosts = {h["id"]: h.get("name") for h in _list(client, "/api/v1/hosts", playbook=pid)}
        plays = {}
        for p in _list(client, "/api/v1/plays", playbook=pid):
            plays[p["id"]] = p.get("name") or ""
            data.plays.append(
                PlayRecord(
                    run,
                    p.get("name") or "",
                    start=epoch(p.get("started")),
                    end=epoch(p.get("ended")),
                    duration=hms(p.get("duration")),
                )
            )
        tasks = {}
        for t in _list(client, "/api/v1/tasks", playbook=pid):
            path = t.get("path")
            if path is None and t.get("file") is not None:
                fid = t["file"]
                if fid not in files:
                    f = client.get(f"/api/v1/files/{fid}")
                    files[fid] = (f or {}).get("path")
                path = files[fid]
            tasks[t["id"]] = (t, path)
        for r in _list(client, "/api/v1/results", playbook=pid):
            got = tasks.get(r.get("task"))
            if got is None:
                continue
            t, path = got
            status = str(r.get("status") or "ok")
            if status == "failed" and r.get("ignore_errors"):
                status = "ignored"
            delegated = r.get("delegated_to") or []
            data.tasks.append(
                TaskRecord(
                    run=run,
                    task=str(t.get("name") or ""),
                    host=str(hosts.get(r.get("host"), r.get("host"))),
                    duration=hms(r.get("duration")) or 0.0,
                    status=status,
                    path=path,
                    line=t.get("lineno"),
                    action=t.get("action"),
                    play=plays.get(t.get("play")),
                    playbook=pb.get("path"),
                    start=epoch(r.get("started")),
                    end=epoch(r.get("ended")),
                    delegate_to=str(hosts.get(delegated[0], delegated[0])) if delegated else None,
                    handler=bool(t.get("handler")),
                )
            )
    return data
