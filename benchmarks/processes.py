"""Child processes of the benchmark: started, watched and stopped by PID, and measured.

Every child runs in a session of its own (a terminal's Ctrl-C reaches only the benchmark,
which stops them in order) and gets SIGTERM should the benchmark die without cleaning up
(Linux' parent-death signal). Peak memory is the kernel's high-water mark: VmHWM from
/proc/PID/status while a process runs, ru_maxrss from wait4 once it has exited.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
PR_SET_PDEATHSIG = 1


class ChildFailed(RuntimeError):
    """A child exited early or never became ready; the message ends with its log's tail."""


def _parent_death_guard() -> Callable[[], None] | None:
    """A preexec_fn giving the child SIGTERM when the forking thread dies (Linux only)."""
    if sys.platform != "linux" or threading.current_thread() is not threading.main_thread():
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    parent = os.getpid()

    def guard() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM))
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)

    return guard


class Child:
    """One child process with its output in `log`; `stop()` ends it and its own children."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        log: Path,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        show_stderr: bool = False,
    ) -> None:
        """Output goes to `log`; with `show_stderr` the child's stderr (progress bars) goes
        to ours instead."""
        self.name = name
        self.log = log
        self.exit_code: int | None = None
        self.max_rss_kb: int | None = None  # from wait4, once it has exited
        with log.open("ab") as output:
            self._popen = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=None if show_stderr else subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                cwd=cwd,
                start_new_session=True,
                preexec_fn=_parent_death_guard(),
            )
        self.pid = self._popen.pid

    @property
    def running(self) -> bool:
        return self.exit_code is None and self._reap(block=False) is None

    def descendants(self) -> list[int]:
        """PIDs of the child's children and their children (e.g. uvicorn's workers)."""
        found: list[int] = []
        pending = [self.pid]
        while pending:
            pid = pending.pop()
            for kid in _children(pid):
                found.append(kid)
                pending.append(kid)
        return found

    def wait(self, timeout: float) -> int:
        """Wait for the exit (ChildFailed after `timeout`); returns the exit code."""
        deadline = time.monotonic() + timeout
        while (code := self._reap(block=False)) is None:
            if time.monotonic() > deadline:
                raise ChildFailed(f"{self.name} still runs after {timeout:.0f} s{self.tail()}")
            time.sleep(0.1)
        return code

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM the child (and whatever it forked), SIGKILL what is left after `timeout`."""
        if self.exit_code is not None:
            return
        family = self.descendants()
        _signal(self.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while self._reap(block=False) is None and time.monotonic() < deadline:
            time.sleep(0.05)
        if self.exit_code is None:
            _signal(self.pid, signal.SIGKILL)
            self._reap(block=True)
        for pid in family:  # orphans of a child that died first; they are not ours to wait
            if _alive(pid):
                _signal(pid, signal.SIGKILL)

    def tail(self, lines: int = 25) -> str:
        if not self.log.is_file():
            return ""
        text = self.log.read_text(errors="replace").splitlines()[-lines:]
        return f"; last lines of {self.log}:\n" + "\n".join(text)

    def _reap(self, block: bool) -> int | None:
        if self.exit_code is not None:
            return self.exit_code
        try:
            pid, status, usage = os.wait4(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:  # reaped elsewhere
            self.exit_code = self._popen.returncode if self._popen.returncode is not None else -1
            return self.exit_code
        if pid == 0:
            return None
        self.exit_code = os.waitstatus_to_exitcode(status)
        self.max_rss_kb = int(usage.ru_maxrss)
        self._popen.returncode = self.exit_code  # so Popen never waits for it again
        return self.exit_code


def peak_rss_mb(pid: int) -> float | None:
    """The process' peak resident set (VmHWM) in MB; None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def wait_for_http(url: str, child: Child, timeout: float) -> None:
    """Return once `url` answers 200; ChildFailed if the child exits or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not child.running:
            raise ChildFailed(f"{child.name} exited with code {child.exit_code}{child.tail()}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            _NO_PROXY.open(url, timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.2)
    raise ChildFailed(f"{child.name} did not answer {url} within {timeout:.0f} s{child.tail()}")


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError, ValueError):
            kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)
