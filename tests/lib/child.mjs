// SPDX-License-Identifier: LGPL-2.1-or-later
// A process a browser test runs beside its browsers, inside the test's
// loopback-only namespace (the test is already in it), stopped by the test's
// cleanup.
//
//   const p = await startPipeline(t, ['videotestsrc', '!', 'webrtcsink', ...],
//     { env: { GST_TRACERS: 'leaks' } });   // gst-launch-1.0 -e, its URL
//   p.url; p.output();                       // stdout + stderr so far
//   const r = await p.stop(20000);           // SIGINT: {code, signal} or null
//
//   const c = spawnChild(t, cmd, argv, { stdin: 'pipe', stop: (child) => ... });
//   const j = spawnJsonChild(t, cmd, argv, opts);  // one JSON object a line
//   await j.waitFor((e) => e.event === 'url', 20000); j.latest('counts');
//
// spawnChild() collects stdout and stderr and registers a cleanup: unless
// the process has exited, `stop(child)` (default SIGINT), then SIGKILL after
// killAfterMs.  `env` holds variables added to this process's environment.

import { spawn } from 'node:child_process';
import process from 'node:process';

const sigint = (child) => child.kill('SIGINT');

export function spawnChild (t, cmd, argv, { env = {}, stdin = 'ignore', stop = sigint, killAfterMs = 5000 } = {}) {
  const child = spawn(cmd, argv, {
    stdio: [stdin, 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const running = () => child.exitCode === null && child.signalCode === null;
  t.onCleanup(async () => {
    if (!running()) return;
    stop(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    timer.unref();
    await exited;
    clearTimeout(timer);
  });
  return {
    child,
    exited,
    stdout: () => out,
    stderr: () => err,
    output: () => out + err,
    /* stop(child), then {code, signal} once it exits, or null after ms. */
    stop (ms) {
      stop(child);
      const timer = new Promise((resolve) => setTimeout(() => resolve(null), ms).unref());
      return Promise.race([exited, timer]);
    },
  };
}

/* spawnChild() of a process printing one JSON object per line on stdout:
 * its events (a line that is not JSON is {event: 'text', text}, the end
 * {event: 'exit', code, signal}), a wait for the first (from the start)
 * that matches, and the latest of a kind. */
export function spawnJsonChild (t, cmd, argv, opts) {
  const proc = spawnChild(t, cmd, argv, opts);
  const events = [];
  const waiters = new Set();
  let buf = '';
  const notify = () => {
    for (const w of waiters) {
      const ev = events.find(w.pred);
      if (ev) { waiters.delete(w); clearTimeout(w.timer); w.resolve(ev); }
    }
  };
  proc.child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try { events.push(JSON.parse(line)); } catch { events.push({ event: 'text', text: line }); }
    }
    notify();
  });
  proc.child.once('exit', (code, signal) => { events.push({ event: 'exit', code, signal }); notify(); });
  return {
    ...proc,
    events,
    /* The first event matching pred, or null after ms (a deadline only). */
    waitFor (pred, ms) {
      const ev = events.find(pred);
      if (ev) return Promise.resolve(ev);
      return new Promise((resolve) => {
        const w = { pred, resolve };
        w.timer = setTimeout(() => { waiters.delete(w); resolve(null); }, ms);
        waiters.add(w);
      });
    },
    latest (name) {
      for (let i = events.length - 1; i >= 0; i--) if (events[i].event === name) return events[i];
      return null;
    },
  };
}

/* gst-launch-1.0 -e PIPELINE; resolves once its stdout matches urlPattern
 * (the URL is the first group), rejects if it exits before. */
export function startPipeline (t, pipeline, { urlPattern = /webrtcsink: open (\S+)/, env = {} } = {}) {
  const p = spawnChild(t, 'gst-launch-1.0', ['-e', ...pipeline], { env });
  return new Promise((resolve, reject) => {
    p.child.stdout.on('data', () => {
      const m = p.stdout().match(urlPattern);
      if (m) resolve({ ...p, url: m[1] });
    });
    p.child.on('exit', (code) => reject(new Error(`gst-launch-1.0 exited (${code}) before printing a URL:\n${p.output()}`)));
    p.child.on('error', reject);
  });
}
