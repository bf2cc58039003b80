// SPDX-License-Identifier: LGPL-2.1-or-later
// Runs the current test script again inside a private network namespace
// that has only `lo` (TESTING.md, "Network"), so browsers, helper servers and
// our pipelines can reach nothing but 127.0.0.1 and ::1, and every ICE pair
// is loopback by construction.
//
// The namespace also gets its own PID namespace: the re-executed script is
// its PID 1, so when it exits, however it exits, the kernel kills every
// browser process it left behind.  Nothing can outlive a test.

import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import process from 'node:process';

const MARK = 'GST_WRTC_BROWSER_NETNS';

const SETUP = 'set -e; ip link set lo up; ' +
  'ip route add default dev lo src 127.0.0.1; ' +
  'ip -6 route add default dev lo src ::1; ' +
  'exec "$@"';

function which (prog) {
  const r = spawnSync('sh', ['-c', `command -v ${prog}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/* Throws unless this process sees only the loopback interface. */
export function assertLoopbackOnly () {
  const ifs = os.networkInterfaces();
  const names = Object.keys(ifs);
  const bad = names.filter((n) => n !== 'lo');
  if (bad.length) {
    throw new Error(`not in a loopback-only namespace: interfaces ${names.join(', ')}`);
  }
  const addrs = (ifs.lo || []).map((a) => a.address);
  if (!addrs.includes('127.0.0.1')) {
    throw new Error(`lo has no 127.0.0.1 (addresses: ${addrs.join(', ') || 'none'})`);
  }
}

/*
 * Call first thing in a test script.  Outside the namespace it re-executes
 * the script inside one and never returns (the process exits with the
 * child's status); inside it checks the namespace and returns.
 */
export async function enterLoopbackNetns () {
  if (process.env[MARK] === '1') {
    assertLoopbackOnly();
    return;
  }
  for (const prog of ['unshare', 'ip']) {
    if (!which(prog)) {
      console.error(`FAIL: '${prog}' not found (scripts/setup.sh installs util-linux and iproute2)`);
      process.exit(1);
    }
  }
  const args = ['--net', '--pid', '--fork', '--kill-child', '--mount-proc'];
  // Not root (a developer's machine): a user namespace gives us the
  // capabilities inside it.  CI runs as root.
  if (process.getuid && process.getuid() !== 0) args.unshift('--map-root-user');
  args.push('sh', '-c', SETUP, 'sh', process.execPath, ...process.execArgv,
    ...process.argv.slice(1));
  const child = spawn('unshare', args, {
    stdio: 'inherit',
    env: { ...process.env, [MARK]: '1' },
  });
  const forward = (sig) => () => child.kill(sig);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, forward(sig));
  const code = await new Promise((resolve) => {
    child.on('error', (e) => {
      console.error(`FAIL: cannot start unshare: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (c, sig) => resolve(c ?? (sig ? 128 + os.constants.signals[sig] : 1)));
  });
  process.exit(code);
}
