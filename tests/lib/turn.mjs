// SPDX-License-Identifier: LGPL-2.1-or-later
// coturn's turnserver (apt coturn, scripts/setup.sh) for tests that send
// media through a real TURN relay (RFC 8656), started inside the test's
// loopback-only namespace and stopped by its cleanup:
//
//   const turn = await startTurn(t);    // listening once it answers STUN
//   turn.url;        // turn://user:pass@127.0.0.1:PORT?transport=udp
//   turn.port; turn.user; turn.pass;
//   turn.log();      // its log so far (-v: allocations, permissions, usage)
//   turn.peerUsage(); // [{rp, rb, sp, sb}] of its "peer usage" log lines
//   await turn.sessionsClosed(10000); // every allocation logged its end
//   await turn.stop();  // SIGTERM
//
// Long-term credentials, UDP only (no TLS, DTLS or TCP), no CLI, listening
// and relaying on 127.0.0.1 only, loopback peers allowed (coturn refuses
// them by default, and every peer here is on loopback).  A missing
// turnserver is an error, never a skip.

import dgram from 'node:dgram';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnChild } from './child.mjs';

const READY_TIMEOUT_MS = 10000;

/* A UDP port on 127.0.0.1 nothing holds now (the namespace is ours). */
async function freeUdpPort () {
  const s = dgram.createSocket('udp4');
  await new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '127.0.0.1', resolve);
  });
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/* Resolves once a STUN Binding request to @port gets a success response
 * (RFC 8489 section 6: class 0x0101, our transaction id). */
async function waitForStun (port, exited) {
  const s = dgram.createSocket('udp4');
  const tid = crypto.randomBytes(12);
  const req = Buffer.concat([Buffer.from([0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42]), tid]);
  let gone = false;
  exited.then(() => { gone = true; });
  try {
    const answered = new Promise((resolve) => {
      s.on('message', (m) => {
        if (m.length >= 20 && m.readUInt16BE(0) === 0x0101 && m.subarray(8, 20).equals(tid)) resolve(true);
      });
    });
    const end = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < end && !gone) {
      s.send(req, port, '127.0.0.1');
      const ok = await Promise.race([answered, new Promise((resolve) => setTimeout(() => resolve(false), 100))]);
      if (ok) return true;
    }
    return false;
  } finally {
    s.close();
  }
}

export async function startTurn (t, { user = 'user', pass = 'pass', realm = 'wrtc-test' } = {}) {
  const bin = spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' });
  if (bin.status !== 0) {
    throw new Error("coturn's turnserver not found: run scripts/setup.sh (apt-get install coturn)");
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wrtc-turn-'));
  const port = await freeUdpPort();
  const logFile = path.join(dir, 'turn.log');
  const argv = [
    '-n', '--no-cli', '--no-tls', '--no-dtls', '--no-tcp', '--no-tcp-relay',
    '--listening-ip=127.0.0.1', `--listening-port=${port}`, '--relay-ip=127.0.0.1',
    // a range of its own for the relayed addresses (the namespace is private)
    '--min-port=40000', '--max-port=40999',
    '--lt-cred-mech', `--user=${user}:${pass}`, `--realm=${realm}`, '--fingerprint',
    '--allow-loopback-peers', '--no-multicast-peers',
    '-v', '--simple-log', '--no-stdout-log', `--log-file=${logFile}`,
    `--db=${path.join(dir, 'turndb')}`, `--pidfile=${path.join(dir, 'turn.pid')}`,
  ];
  // SIGTERM: coturn logs each session's closing usage before it exits
  const proc = spawnChild(t, 'turnserver', argv, { stop: (c) => c.kill('SIGTERM') });
  t.onCleanup(() => fs.rmSync(dir, { recursive: true, force: true }));
  proc.child.on('error', (e) => t.log(`turnserver: ${e.message}`));
  const log = () => { try { return fs.readFileSync(logFile, 'utf8'); } catch { return ''; } };
  if (!await waitForStun(port, proc.exited)) {
    throw new Error(`coturn did not answer STUN on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms\n` +
      `output: ${proc.output()}\nlog: ${log().slice(-2000)}`);
  }
  return {
    port,
    user,
    pass,
    realm,
    url: `turn://${user}:${pass}@127.0.0.1:${port}?transport=udp`,
    exited: proc.exited,
    log,
    /* coturn's per-session relay counters ("peer usage: ... rp=, rb=, sp=,
     * sb="): packets and bytes received from and sent to peers through the
     * relayed address.  Logged periodically and when a session ends. */
    peerUsage () {
      return [...log().matchAll(/peer usage: .*?rp=(\d+), rb=(\d+), sp=(\d+), sb=(\d+)/g)]
        .map((m) => ({ rp: +m[1], rb: +m[2], sp: +m[3], sb: +m[4] }));
    },
    /* True once every session that began ("new") has ended ("closed"),
     * within @ms: coturn logs a session's usage when it ends, about a second
     * after the client's zero-lifetime REFRESH. */
    async sessionsClosed (ms = 10000) {
      const end = Date.now() + ms;
      for (;;) {
        const l = log();
        const opened = (l.match(/: new, realm=/g) || []).length;
        const closed = (l.match(/: closed \(2nd stage\)/g) || []).length;
        if (opened > 0 && closed >= opened) return true;
        if (Date.now() > end) return false;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async stop (ms = 5000) { return proc.stop(ms); },
  };
}
