"""Starting and stopping the course's servers: every server command (mlflow-ui, dashboard, live, lab) uses this.

A course server is a child process on 127.0.0.1 at a given port. ``start`` refuses a busy port at once (with the
fix: another ``--port``), starts the child in its own process group, and polls a health URL until it answers or a
deadline passes; a child that exits or never answers is stopped and reported (``ServerError``), never announced as
up. ``stop`` ends the child *and its children* (SIGTERM to the process group, then SIGKILL to whatever survives,
found by PID). ``serve_until_stopped`` keeps a command in the foreground and stops everything it started however the
command ends: Ctrl+C (SIGINT), SIGTERM, a closed terminal (SIGHUP) or an error.

Each child's output goes to ``build/logs/<name>.log``; when a server fails to start, the end of its log is shown.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpers.paths import BUILD_DIR, relative

__all__ = [
    "HOST",
    "ServerError",
    "Server",
    "Stopped",
    "busy_port_message",
    "check_port",
    "free_port",
    "port_in_use",
    "start",
    "stop",
    "answers",
    "serve_until_stopped",
    "stop_all",
    "stop_on_signals",
]

#: Every course server listens on this address only (nothing is exposed to the network).
HOST = "127.0.0.1"
#: Where each server's output goes (``<name>.log``).
LOG_DIR = BUILD_DIR / "logs"
#: Seconds a server may take from start to a healthy answer (MLflow and the Evidently UI take 5-15 s when the
#: machine is quiet, and up to two minutes on a busy 2-core one).
START_TIMEOUT = 180.0
#: Seconds a server gets to exit after SIGTERM before it and its children are killed.
STOP_TIMEOUT = 10.0
_KNOWN_PORTS = {5000: " (macOS uses it for AirPlay)", 8888: " (the usual Jupyter port: another Jupyter running?)"}


class ServerError(RuntimeError):
    """A server could not be started: busy port, bad port, the process exited or never answered its health URL."""


def check_port(port) -> int:
    """``port`` as an int, or ``ValueError`` naming it and the valid range (1024-65535)."""
    if isinstance(port, str) and port.strip().isdigit():
        port = int(port.strip())
    if isinstance(port, bool) or not isinstance(port, int):
        raise ValueError(f"port must be a whole number from 1024 to 65535, got {port!r}")
    if not 1024 <= port <= 65535:
        raise ValueError(
            f"port {port} is out of range: choose a port from 1024 to 65535 (lower ports need administrator rights)"
        )
    return port


def port_in_use(port: int, host: str = HOST) -> bool:
    """True when something answers on ``host:port`` or the address cannot be bound (as a server would bind it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # what servers set: TIME_WAIT is no obstacle
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
                return True
            raise
    return False


def free_port(host: str = HOST) -> int:
    """A port the operating system reports free on ``host`` right now (for tests and a second server)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def busy_port_message(port: int, name: str = "server") -> str:
    """What a learner reads when ``port`` is taken: which port, the likely owner, and the fix."""
    other = port + 1 if port < 65535 else 1024
    return (
        f"port {port} is in use{_KNOWN_PORTS.get(port, '')}: choose another with --port {other} "
        f"(the {name} was not started)"
    )


@dataclass
class Server:
    """A started server: its name, URL, process and log file."""

    name: str
    port: int
    url: str
    process: subprocess.Popen
    log_path: Path
    started_seconds: float = 0.0  #: seconds from start to the first healthy answer
    login_url: str = ""  #: the address to open (with JupyterLab's token); the plain ``url`` when empty
    _log: object = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        return self.process.pid


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers with HTTP 2xx within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return 200 <= response.status < 300
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def _tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(text[-lines:])


def start(
    name: str,
    command: Sequence[str],
    port: int,
    health_path: str = "/",
    env: Mapping[str, str] | None = None,
    timeout: float = START_TIMEOUT,
    log_path: Path | None = None,
    cwd: Path | None = None,
) -> Server:
    """Start ``command`` (a server that will listen on 127.0.0.1:``port``) and wait until it is healthy.

    Args:
        name: what the server is, for messages and its log file (``build/logs/<name>.log``).
        command: the command line; it must make the server listen on 127.0.0.1:``port``.
        port: checked first: a busy port fails at once with the fix, before anything starts.
        health_path: polled (``http://127.0.0.1:<port><health_path>``) until it answers 2xx.
        env: extra environment variables for the child (added to this process's environment).
        timeout: seconds to wait for the health URL.

    Returns:
        The running ``Server``; stop it with ``stop`` (or use ``serve_until_stopped``).

    Raises:
        ValueError: a port outside 1024-65535.
        ServerError: the port is in use, the process exited, or it did not answer within ``timeout`` seconds
            (the process and its children are stopped first; the message shows the end of its log).
    """
    port = check_port(port)
    if port_in_use(port):
        raise ServerError(busy_port_message(port, name))
    log_path = Path(log_path) if log_path is not None else LOG_DIR / f"{name.replace(' ', '-')}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
    if os.name == "posix":
        options = {"start_new_session": True, "preexec_fn": _die_with_parent if sys.platform == "linux" else None}
    else:
        options = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    started = time.monotonic()
    process = subprocess.Popen(
        list(command), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})}, cwd=cwd, **options,
    )  # fmt: skip
    server = Server(name, port, f"http://{HOST}:{port}", process, log_path, _log=log)
    try:
        server.started_seconds = _wait_until_healthy(server, health_path, started, timeout)
        return server
    except BaseException:  # ServerError, Ctrl+C while waiting ...: never leave the child behind
        stop_all([server])
        raise


def _wait_until_healthy(server: Server, health_path: str, started: float, timeout: float) -> float:
    """Poll the server's health URL until it answers 2xx; returns the seconds since ``started`` (a monotonic time).
    Raises ``ServerError`` (with the end of its log) when the process exits or ``timeout`` seconds pass."""
    health = server.url + health_path
    while True:
        if server.process.poll() is not None:
            raise ServerError(
                f"the {server.name} exited with code {server.process.returncode} before answering on port "
                f"{server.port}; its log ({relative(server.log_path)}) ends:\n{_tail(server.log_path)}"
            )
        if answers(health):
            return time.monotonic() - started
        if time.monotonic() > started + timeout:
            raise ServerError(
                f"the {server.name} did not answer {health} within {timeout:.0f} s and was stopped; "
                f"its log ({relative(server.log_path)}) ends:\n{_tail(server.log_path)}"
            )
        time.sleep(0.25)


def _die_with_parent() -> None:
    """In the child, before the server starts (Linux): get SIGTERM when the command dies, even by SIGKILL, which
    leaves the command no chance to clean up."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def stop(server: Server | subprocess.Popen, timeout: float = STOP_TIMEOUT) -> None:
    """Stop a server and every process it started, by PID; safe to call twice.

    SIGTERM goes to the server's process group (the server and the children that stayed in its group), so each can
    shut down cleanly; after ``timeout`` seconds anything still alive, including children that left the group
    (e.g. Jupyter kernels), is killed by PID.
    """
    import psutil

    process = server.process if isinstance(server, Server) else server
    children = _descendants(process.pid)  # collected first: once the parent is gone they cannot be found from it
    if process.poll() is None:
        try:
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
        except (ProcessLookupError, PermissionError):
            pass
    for child in children:  # children in their own session did not get the group's signal
        with contextlib.suppress(psutil.Error):
            child.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if os.name == "posix":
                os.killpg(process.pid, signal.SIGKILL)
            process.kill()
        process.wait(timeout=timeout)
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    psutil.wait_procs(alive, timeout=timeout)
    log = getattr(server, "_log", None)
    if log is not None and not log.closed:
        log.close()


class Stopped(Exception):
    """Raised in the main thread by SIGTERM / SIGHUP (inside ``stop_on_signals``) so that clean-up code runs."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within this block SIGTERM and SIGHUP raise ``Stopped`` and SIGINT (Ctrl+C) ``KeyboardInterrupt``, so the
    command's clean-up code runs however it is stopped. Call it from the main thread."""

    def raise_stopped(signum, frame):
        raise Stopped(signum)

    saved = {}
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            saved[signum] = signal.signal(signum, raise_stopped)
    # Ctrl+C raises KeyboardInterrupt even where the shell started us with SIGINT ignored (a background job)
    saved[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def serve_until_stopped(servers: Sequence[Server], announce: str = "") -> int:
    """Keep the command in the foreground until Ctrl+C, SIGTERM or SIGHUP, or until a server exits; stop them all.

    Returns the command's exit status: 0 when stopped by the user, the server's exit code (or 1) when a server
    ended on its own.
    """
    try:
        with stop_on_signals():
            if announce:
                print(announce, flush=True)
            while True:
                for server in servers:
                    code = server.process.poll()
                    if code is not None:
                        print(
                            f"the {server.name} stopped on its own (exit code {code}); its log "
                            f"({relative(server.log_path)}) ends:\n{_tail(server.log_path)}",
                            file=sys.stderr,
                        )
                        return code or 1
                time.sleep(0.5)
    except (KeyboardInterrupt, Stopped):
        print("stopping ...", flush=True)
        return 0
    finally:
        stop_all(servers)


def stop_all(servers: Sequence[Server]) -> None:
    """Stop every server (last started first) with Ctrl+C and SIGTERM ignored meanwhile, so a second Ctrl+C
    cannot interrupt the clean-up half way and leave a child behind."""
    ignored = {}
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None:
            with contextlib.suppress(ValueError):  # not the main thread: signals cannot be changed there
                ignored[signum] = signal.signal(signum, signal.SIG_IGN)
    try:
        for server in reversed(list(servers)):
            stop(server)
    finally:
        for signum, handler in ignored.items():
            signal.signal(signum, handler)
