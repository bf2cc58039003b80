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
