"""The testbed's network: N managed hosts as network namespaces, each with its own sshd.

Layout (all names carry a tag made of this process's PID, so two testbeds never collide and a
stale one left by a killed run is recognised and removed):

* a controller namespace ``atb<tag>c``; ansible-playbook runs inside it;
* host namespaces ``atb<tag>h<i>`` (i = 1..N), each joined to the controller by a veth pair:
  controller side ``10.213.<i>.1/24``, host side ``10.213.<i>.2/24``;
* in each host namespace an sshd, started in a private mount namespace where ``/etc/passwd``
  is bind-mounted over by a copy that gives root a clean home of its own
  (``<work>/hosts/h<i>/home``, no shell start-up files) and ``/bin/sh`` as its shell, so every
  host has its own ``~/.ansible/tmp`` although all hosts share one filesystem;
* for ``rtt_ms > 0``, one delaying TCP relay (``relay.py``) in the controller namespace:
  ``127.0.0.1:<22000 + i>`` forwards to host i's sshd and holds every chunk for half the round
  trip in each direction (this kernel has no ``sch_netem``).

Everything is undone by ``Testbed.close()``: processes are stopped by the PIDs this module
started, namespaces deleted, the work folder's sockets left to the caller.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "atb"
SSHD = "/usr/sbin/sshd"
RELAY = Path(__file__).with_name("relay.py")
STANDIN_BIN = Path(__file__).with_name("standin") / "bin"


class TestbedUnavailable(RuntimeError):
    """The machine cannot host a testbed (not root, no netns, no sshd); the message says why."""


def requirements() -> str | None:
    """Why a testbed cannot start here, or None when it can."""
    if sys.platform != "linux":
        return "the testbed needs Linux network namespaces"
    if os.geteuid() != 0:
        return "the testbed needs root (it creates network namespaces and starts sshd)"
    for tool in ("ip", "unshare", "ssh", "ssh-keygen", "sudo"):
        if shutil.which(tool) is None:
            return f"the testbed needs `{tool}` on PATH (apt-get install iproute2 util-linux openssh-client sudo)"
    if not os.access(SSHD, os.X_OK):
        return f"the testbed needs {SSHD} (apt-get install openssh-server)"
    probe = f"{PREFIX}probe{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"cannot create a network namespace: {made.stderr.strip() or 'ip netns add failed'}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def _run(*argv: str, ns: str | None = None) -> str:
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(argv)
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {done.stderr.strip()}")
    return done.stdout


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ancestors() -> set[int]:
    """This process and the ones above it (never reaped, whatever their command line says)."""
    out, pid = set(), os.getpid()
    while pid > 1 and pid not in out:
        out.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            pid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return out


def remove_stale() -> list[str]:
    """Delete testbed namespaces whose creating process is gone (a run killed with SIGKILL)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    removed = []
    for line in out.splitlines():
        name = line.split()[0] if line.split() else ""
        m = re.fullmatch(rf"{PREFIX}(\d+)(c|h\d+)", name)
        if m and not _pid_alive(int(m.group(1))):
            subprocess.run(["ip", "netns", "del", name], capture_output=True)
            removed.append(name)
    return removed


@dataclass
class Host:
    index: int
    ns: str
    address: str  # host side of the veth pair
    root: Path  # the host's own paths: home, state of the stand-ins
    sshd: subprocess.Popen | None = None

    @property
    def name(self) -> str:
        return f"node{self.index}"


@dataclass
class Testbed:
    work: Path
    count: int = 4
    rtt_ms: float = 0.0
    tag: str = field(default_factory=lambda: str(os.getpid()))
    hosts: list[Host] = field(default_factory=list)
    relay: subprocess.Popen | None = None
    _namespaces: list[str] = field(default_factory=list)

    @property
    def controller_ns(self) -> str:
        return f"{PREFIX}{self.tag}c"

    @property
    def controller_home(self) -> Path:
        """Short on purpose: ssh's ControlPath (~/.ansible/cp/<hash>) must stay under the
        108-byte socket path limit however deep the work folder is."""
        return Path("/tmp") / f"{PREFIX}{self.tag}home"

    # ---------------------------------------------------------------- start / stop
    def start(self) -> Testbed:
        why = requirements()
        if why:
            raise TestbedUnavailable(why)
        remove_stale()
        self.work.mkdir(parents=True, exist_ok=True)
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation folder
        try:
            self._keys()
            self._namespace(self.controller_ns)
            _run("ip", "link", "set", "lo", "up", ns=self.controller_ns)
            for i in range(1, self.count + 1):
                self._host(i)
            self._known_hosts()
            self.set_rtt(self.rtt_ms)
            self._wait_ready()
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop every process this testbed started (by PID) and delete its namespaces."""
        if self._namespaces:
            try:
                self.close_masters()
            except (OSError, subprocess.SubprocessError):
                pass
        procs = [h.sshd for h in self.hosts] + [self.relay]
        for p in procs:
            if p is not None and p.poll() is None:
                p.terminate()
        deadline = time.monotonic() + 5
        for p in procs:
            if p is None:
                continue
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        self.relay = None
        for h in self.hosts:
            h.sshd = None
        self._reap()
        for ns in reversed(self._namespaces):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)
        self._namespaces.clear()
        shutil.rmtree(self.controller_home, ignore_errors=True)

    def _reap(self) -> None:
        """Stop what the runs left behind that names this testbed's folder (a ControlPersist
        master whose socket is gone, a playbook run cut short): found by PID in /proc."""
        marks = (str(self.work).encode(), str(self.controller_home).encode())
        spare = _ancestors()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) in spare:
                continue
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if any(m in cmdline for m in marks):
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except OSError:
                    pass

    def __enter__(self) -> Testbed:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- pieces
    def _namespace(self, name: str) -> None:
        _run("ip", "netns", "add", name)
        self._namespaces.append(name)

    def _keys(self) -> None:
        keys = self.work / "keys"
        keys.mkdir(exist_ok=True)
        for name in ("host_key", "client_key"):
            if not (keys / name).exists():
                _run(
                    "ssh-keygen",
                    "-q",
                    "-t",
                    "ed25519",
                    "-N",
                    "",
                    "-C",
                    f"ansopt-testbed-{name}",
                    "-f",
                    str(keys / name),
                )
        ssh = self.controller_home / ".ssh"
        ssh.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._passwd(self.work / "etc" / "controller", self.controller_home)
        shutil.copy(keys / "client_key", ssh / "id_ed25519")
        os.chmod(ssh / "id_ed25519", 0o600)
        shutil.copy(keys / "client_key.pub", ssh / "id_ed25519.pub")
        (keys / "authorized_keys").write_text((keys / "client_key.pub").read_text())

    def _host(self, i: int) -> None:
        ns = f"{PREFIX}{self.tag}h{i}"
        self._namespace(ns)
        ctl_if, host_if = f"{PREFIX}{self.tag}c{i}", f"{PREFIX}{self.tag}h{i}"
        if len(ctl_if) > 15:  # interface names are at most 15 bytes
            ctl_if, host_if = f"{PREFIX}c{i}x{self.tag[-6:]}", f"{PREFIX}h{i}x{self.tag[-6:]}"
        _run("ip", "link", "add", ctl_if, "type", "veth", "peer", "name", host_if)
        _run("ip", "link", "set", ctl_if, "netns", self.controller_ns)
        _run("ip", "link", "set", host_if, "netns", ns)
        _run("ip", "addr", "add", f"10.213.{i}.1/24", "dev", ctl_if, ns=self.controller_ns)
        _run("ip", "link", "set", ctl_if, "up", ns=self.controller_ns)
        _run("ip", "addr", "add", f"10.213.{i}.2/24", "dev", host_if, ns=ns)
        _run("ip", "link", "set", host_if, "up", ns=ns)
        _run("ip", "link", "set", "lo", "up", ns=ns)
        root = self.work / "hosts" / f"h{i}"
        host = Host(i, ns, f"10.213.{i}.2", root)
        self.hosts.append(host)
        self.reset_host(host)
        self._sshd(host)

    def reset_host(self, host: Host) -> None:
        """A fresh machine: empty home (no start-up files), no stand-in state."""
        if host.root.exists():
            shutil.rmtree(host.root)
        (host.root / "home").mkdir(parents=True)
        os.chmod(host.root / "home", 0o700)

    def _passwd(self, folder: Path, home: Path) -> None:
        """A copy of /etc/passwd in which root's home is `home` and its shell /bin/sh."""
        folder.mkdir(parents=True, exist_ok=True)
        lines = []
        for line in Path("/etc/passwd").read_text().splitlines():
            parts = line.split(":")
            if parts[0] == "root" and len(parts) == 7:
                parts[5], parts[6] = str(home), "/bin/sh"
            lines.append(":".join(parts))
        (folder / "passwd").write_text("\n".join(lines) + "\n")

    def _sshd(self, host: Host) -> None:
        etc = self.work / "etc" / f"h{host.index}"
        self._passwd(etc, host.root / "home")
        path = f"{STANDIN_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
        conf = etc / "sshd_config"
        conf.write_text(
            "\n".join(
                [
                    f"ListenAddress {host.address}",
                    "Port 22",
                    f"HostKey {self.work / 'keys' / 'host_key'}",
                    f"AuthorizedKeysFile {self.work / 'keys' / 'authorized_keys'}",
                    "PermitRootLogin prohibit-password",
                    "PasswordAuthentication no",
                    "KbdInteractiveAuthentication no",
                    "UsePAM no",
                    "StrictModes no",
                    "UseDNS no",
                    "PrintMotd no",
                    "PrintLastLog no",
                    "MaxStartups 100:30:200",
                    "MaxSessions 100",
                    f"PidFile {etc / 'sshd.pid'}",
                    f"SetEnv PATH={path} TESTBED_ROOT={host.root} TESTBED_HOST={host.name} TESTBED_CONFIG={self.work / 'standin.json'}",
                    "Subsystem sftp /usr/lib/openssh/sftp-server",
                    "",
                ]
            )
        )
        script = f"mount --bind {etc / 'passwd'} /etc/passwd && exec {SSHD} -D -e -f {conf}"
        log = open(etc / "sshd.log", "ab")  # noqa: SIM115 - handed to the child
        host.sshd = subprocess.Popen(
            ["ip", "netns", "exec", host.ns, "unshare", "--mount", "--propagation", "private", "sh", "-c", script],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
        log.close()

    def _known_hosts(self) -> None:
        pub = (self.work / "keys" / "host_key.pub").read_text().split()
        lines = []
        for h in self.hosts:
            lines.append(f"{h.address} {pub[0]} {pub[1]}")
            lines.append(f"[127.0.0.1]:{self.relay_port(h)} {pub[0]} {pub[1]}")
        (self.controller_home / ".ssh" / "known_hosts").write_text("\n".join(lines) + "\n")

    def relay_port(self, host: Host) -> int:
        return 22000 + host.index

    def set_rtt(self, rtt_ms: float) -> None:
        """Route the inventory through the delaying relay (rtt_ms > 0) or straight to sshd."""
        if self.relay is not None and self.relay.poll() is None:
            self.relay.terminate()
            self.relay.wait(timeout=5)
        self.relay = None
        self.rtt_ms = rtt_ms
        if rtt_ms <= 0:
            return
        routes = [f"127.0.0.1:{self.relay_port(h)}={h.address}:22" for h in self.hosts]
        log = open(self.work / "relay.log", "ab")  # noqa: SIM115
        self.relay = subprocess.Popen(
            ["ip", "netns", "exec", self.controller_ns, sys.executable, str(RELAY), "--rtt-ms", str(rtt_ms), *routes],
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
        )
        log.close()
        self._wait_ready()

    def endpoint(self, host: Host) -> tuple[str, int]:
        """Where the controller reaches the host's sshd at the current RTT."""
        if self.rtt_ms > 0:
            return "127.0.0.1", self.relay_port(host)
        return host.address, 22

    def _wait_ready(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        for h in self.hosts:
            addr, port = self.endpoint(h)
            while True:
                if h.sshd is not None and h.sshd.poll() is not None:
                    log = (self.work / "etc" / f"h{h.index}" / "sshd.log").read_text(errors="replace")
                    raise RuntimeError(f"sshd of {h.name} exited: {log.strip()[-400:]}")
                probe = self.ssh(h, "true", timeout=5, check=False)
                if probe.returncode == 0:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{h.name} ({addr}:{port}) did not answer over SSH: {probe.stderr.strip()}")
                time.sleep(0.2)

    # ---------------------------------------------------------------- running things
    def env(self) -> dict[str, str]:
        """The controller's environment: its own HOME (its ~/.ssh, ~/.ansible)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
        env["HOME"] = str(self.controller_home)
        env.pop("SSH_AUTH_SOCK", None)
        return env

    def in_controller(self, argv: list[str]) -> list[str]:
        """argv run in the controller namespace, where root's home is the controller's own
        (ssh reads ~/.ssh from the password database, not from $HOME)."""
        script = f'mount --bind {self.work / "etc" / "controller" / "passwd"} /etc/passwd && exec "$@"'
        return ["ip", "netns", "exec", self.controller_ns, "unshare", "--mount", "--propagation", "private"] + [
            "sh",
            "-c",
            script,
            "sh",
            *argv,
        ]

    def ssh(self, host: Host, command: str, timeout: float = 30, check: bool = True) -> subprocess.CompletedProcess:
        addr, port = self.endpoint(host)
        argv = ["ssh", "-o", "BatchMode=yes", "-o", "ControlMaster=no", "-o", "ControlPath=none"]
        argv += ["-p", str(port), f"root@{addr}", command]
        done = subprocess.run(self.in_controller(argv), capture_output=True, text=True, timeout=timeout, env=self.env())
        if check and done.returncode != 0:
            raise RuntimeError(f"ssh {host.name} {command!r}: {done.stderr.strip()}")
        return done

    def close_masters(self) -> int:
        """Close every ControlPersist master the controller left (``ssh -O exit``); how many."""
        closed = 0
        for sock in self.controller_home.rglob("*"):
            try:
                is_sock = sock.is_socket()
            except OSError:
                continue
            if not is_sock:
                continue
            subprocess.run(
                self.in_controller(["ssh", "-o", f"ControlPath={sock}", "-O", "exit", "testbed"]),
                capture_output=True,
                timeout=10,
                env=self.env(),
            )
            closed += 1
            sock.unlink(missing_ok=True)  # ssh -O exit may remove it at any moment
        return closed


def install_signal_handlers() -> None:
    """SIGTERM/SIGHUP raise KeyboardInterrupt, so `finally:` blocks tidy up."""

    def _raise(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise)
