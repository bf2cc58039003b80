# SPDX-License-Identifier: LGPL-2.1-or-later
"""Shared harness pieces for the Python tests and benchmarks that run a
peer in a child process (tests/interop, tests/webrtcsrc, bench); the
webrtcbin peer itself is webrtcbin_peer.py, beside this file.

  ISOLATION_VARS, stock_env()
      the variables scripts/gst-env sets for our build, and the environment
      without them: gst-plugins-bad's webrtcbin with the stock registry.
  wait_until(cond, timeout)
      polls a condition (tests that run a GStreamer pipeline in-process).
  http(url, ...)
      one urllib request: (status, headers, body text), never raising on an
      HTTP status.
  emitter(), stdin_commands(queue)
      the child's side of the protocol: one JSON object per line on stdout
      (events), one per line on stdin (commands, {"cmd": ...}; EOF is a
      {"cmd": "quit"}).
  candidate_addresses(sdp)
      the connection address of each a=candidate line.
  Child
      the driver's side: a child process, its stdout events and stderr
      lines read on threads; find/wait_for/latest/wait_stderr, send, stop.
  Checks
      a driver's base: check() prints PASS:/FAIL: lines and keeps the
      failures; bad_request() checks that a request gets one of the wanted
      4xx with a reason text (and WWW-Authenticate: Bearer with a 401).

Scripts find it with sys.path (this directory: ../lib from tests/*/, or
../tests/lib from bench/).  Nothing here imports gi at module level.
"""

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

ISOLATION_VARS = ("GST_PLUGIN_PATH", "GST_PLUGIN_PATH_1_0",
                  "GST_PLUGIN_SYSTEM_PATH", "GST_PLUGIN_SYSTEM_PATH_1_0",
                  "GST_REGISTRY", "GST_REGISTRY_1_0")


def stock_env(drop=(), drop_prefixes=()):
    """os.environ without ISOLATION_VARS, the names in @drop and those
    starting with one of @drop_prefixes."""
    return {k: v for k, v in os.environ.items()
            if k not in ISOLATION_VARS and k not in drop
            and not k.startswith(tuple(drop_prefixes))}


def wait_until(cond, timeout=30.0, step=0.05):
    """Polls cond() until it is true or @timeout seconds passed; its last
    value."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return cond()


def terminate(proc, timeout=10):
    """Ends a child process: SIGTERM, then SIGKILL after @timeout s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def http(url, data=None, method=None, ctype=None, token=None, headers=None):
    """(status, headers, body text); never raises on an HTTP status."""
    req = urllib.request.Request(url, data=data, method=method)
    if ctype:
        req.add_header("Content-Type", ctype)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=15) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8",
                                                              "replace")
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode("utf-8", "replace")


def emitter():
    """emit(**kw): one JSON object per line on stdout, thread-safe."""
    lock = threading.Lock()

    def emit(**kw):
        with lock:
            sys.stdout.write(json.dumps(kw) + "\n")
            sys.stdout.flush()
    return emit


def stdin_commands(out_queue):
    """Commands from the driver into @out_queue, on a thread; EOF is a
    quit."""
    def run():
        for line in sys.stdin:
            line = line.strip()
            if line:
                try:
                    out_queue.put(json.loads(line))
                except ValueError:
                    pass
        out_queue.put({"cmd": "quit"})
    threading.Thread(target=run, daemon=True).start()


def candidate_addresses(sdp):
    """The connection address of each a=candidate line."""
    return re.findall(r"a=candidate:\S+ \d+ \S+ \d+ (\S+) ", sdp)


class Child:
    """A side in its own process: its JSON events from stdout (a line that
    is not a JSON object is {"event": "text"}, the end {"event": "exit"})
    and, with capture_stderr, its stderr lines (else stderr is ours)."""

    def __init__(self, name, argv, env, capture_stderr=False):
        self.name = name
        self.events = []
        self.cond = threading.Condition()
        self.stderr_lines = []
        self.proc = subprocess.Popen(
            argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE if capture_stderr else None, text=True,
            bufsize=1)
        threading.Thread(target=self._read, daemon=True).start()
        if capture_stderr:
            threading.Thread(target=self._read_err, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.rstrip("\n")
            try:
                ev = json.loads(line)
            except ValueError:
                ev = {"event": "text", "text": line}
            if not isinstance(ev, dict):
                ev = {"event": "text", "text": line}
            with self.cond:
                self.events.append(ev)
                self.cond.notify_all()
        with self.cond:
            self.events.append({"event": "exit"})
            self.cond.notify_all()

    def _read_err(self):
        for line in self.proc.stderr:
            with self.cond:
                self.stderr_lines.append(line.rstrip("\n"))
                self.cond.notify_all()

    def find(self, pred):
        """The first event so far matching pred, or None (no waiting)."""
        with self.cond:
            for ev in self.events:
                if pred(ev):
                    return ev
        return None

    def wait_for(self, pred, timeout):
        """The first event (from the start) matching pred, or None."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for ev in self.events:
                    if pred(ev):
                        return ev
                left = end - time.monotonic()
                if left <= 0 or any(e.get("event") == "exit"
                                    for e in self.events):
                    return None
                self.cond.wait(left)

    def latest(self, kind):
        with self.cond:
            for ev in reversed(self.events):
                if ev.get("event") == kind:
                    return ev
        return None

    def wait_stderr(self, pred, timeout):
        """The first stderr line matching pred, or None."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for ln in self.stderr_lines:
                    if pred(ln):
                        return ln
                left = end - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(left)

    def send(self, **kw):
        """One command ({"cmd": ...}) on the child's stdin."""
        try:
            self.proc.stdin.write(json.dumps(kw) + "\n")
            self.proc.stdin.flush()
        except (OSError, ValueError):
            pass

    def stop(self, timeout=15):
        """Asks the child to quit; killed after @timeout seconds."""
        if self.proc.poll() is None:
            self.send(cmd="quit")
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Checks:
    """PASS:/FAIL: lines; the failed messages in self.failed."""

    def __init__(self):
        self.failed = []

    def check(self, cond, msg):
        print(("PASS: " if cond else "FAIL: ") + msg, flush=True)
        if not cond:
            self.failed.append(msg)
        return cond

    def bad_request(self, what, url, method, data, ctype, token, want):
        """A request that must get a status in @want with a reason text."""
        try:
            st, hdrs, body = http(url, data=data, method=method,
                                  ctype=ctype, token=token)
        except OSError as e:
            st, hdrs, body = None, {}, str(e)
        body = body.strip()
        self.check(st in want and len(body) > 3
                   and not body.startswith("<"),
                   f"{what}: {method} -> {st} '{body[:100]}' "
                   f"(want {sorted(want)} with a reason text)")
        if st == 401:
            self.check("Bearer" in (hdrs.get("WWW-Authenticate") or ""),
                       f"{what}: 401 carries WWW-Authenticate: Bearer")
