// SPDX-License-Identifier: LGPL-2.1-or-later
// A WHEP server for player tests until webrtcsink exists: serves the real
// player page under /live/, and relays its WHEP requests to a sender page
// (fixtures/whep-sender.html, under /sender/) that answers with the
// browser's fake camera.  Knobs let a test make it misbehave the way a real
// server can (errors on POST, 404 on PATCH).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBody, sendFile, startServer } from './http.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const FIXTURES = path.join(here, '..', 'browser', 'fixtures');
const ANSWER_TIMEOUT_MS = 10000;

export async function startWhepRelay (pagesDir) {
  const relay = {
    config: null,        // served as /live/config.json when set; else 404
    failPosts: 0,        // answer this many POSTs with 503 first
    failPatches: 0,      // answer this many PATCHes with 404 first
    token: null,         // when set, requests without it get 401
    log: [],             // { method, path, status, headers, body }
    sessions: new Map(), // id -> { open }
  };
  let nextId = 1;
  let outbox = [];
  let pollers = [];
  const answers = new Map(); // id -> resolve

  const toSender = (msg) => {
    outbox.push(msg);
    for (const p of pollers.splice(0)) p();
  };

  const record = (req, status, body) => {
    relay.log.push({ method: req.method, path: new URL(req.url, 'http://x').pathname, status, headers: req.headers, body });
  };

  const server = await startServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    const p = u.pathname;

    // --- the sender page's side ---
    if (p.startsWith('/sender/')) {
      if (req.method === 'GET' && p === '/sender/poll') {
        if (!outbox.length) {
          await new Promise((resolve) => {
            pollers.push(resolve);
            setTimeout(resolve, 5000);
          });
        }
        const msgs = outbox;
        outbox = [];
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify(msgs));
        return true;
      }
      const m = p.match(/^\/sender\/answer\/(\d+)$/);
      if (req.method === 'POST' && m) {
        const body = await readBody(req);
        const done = answers.get(Number(m[1]));
        if (done) done({ error: req.headers['x-error'] ? body : null, sdp: body });
        res.writeHead(204);
        res.end();
        return true;
      }
      if (req.method === 'GET') {
        return sendFile(res, path.join(FIXTURES, p === '/sender/' ? 'whep-sender.html' : path.basename(p)));
      }
      return false;
    }

    // --- what webrtcsink will serve ---
    if (!p.startsWith('/live/')) return false;
    if (req.method === 'GET') {
      if (p === '/live/config.json') {
        if (!relay.config) return false;
        res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        res.end(JSON.stringify(relay.config));
        return true;
      }
      return sendFile(res, path.join(pagesDir, p === '/live/' ? 'player.html' : path.basename(p)));
    }
    const reply = (status, headers, body = '') => {
      record(req, status, req._body);
      res.writeHead(status, headers);
      res.end(body);
      return true;
    };
    req._body = await readBody(req);
    if (relay.token && req.headers.authorization !== `Bearer ${relay.token}`) {
      return reply(401, { 'Content-Type': 'text/plain', 'WWW-Authenticate': 'Bearer' }, 'bad token\n');
    }
    if (req.method === 'POST' && p === '/live/whep') {
      if (relay.failPosts > 0) {
        relay.failPosts--;
        return reply(503, { 'Content-Type': 'text/plain', 'Retry-After': '1' }, 'restarting\n');
      }
      const id = nextId++;
      const got = new Promise((resolve) => {
        answers.set(id, resolve);
        setTimeout(() => resolve({ error: 'the sender page did not answer' }), ANSWER_TIMEOUT_MS);
      });
      toSender({ id, offer: req._body });
      const a = await got;
      answers.delete(id);
      if (a.error) return reply(500, { 'Content-Type': 'text/plain' }, `${a.error}\n`);
      relay.sessions.set(id, { open: true });
      return reply(201, { 'Content-Type': 'application/sdp', Location: `session/${id}`, ETag: `"e${id}"` }, a.sdp);
    }
    const m = p.match(/^\/live\/session\/(\d+)$/);
    const s = m && relay.sessions.get(Number(m[1]));
    if (req.method === 'PATCH' && m) {
      if (!s || !s.open) return reply(404, { 'Content-Type': 'text/plain' }, 'no such session\n');
      if (relay.failPatches > 0) {
        relay.failPatches--;
        s.open = false;
        toSender({ id: Number(m[1]), delete: true });
        return reply(404, { 'Content-Type': 'text/plain' }, 'session gone\n');
      }
      toSender({ id: Number(m[1]), patch: req._body });
      return reply(204, {});
    }
    if (req.method === 'DELETE' && m) {
      if (!s || !s.open) return reply(404, { 'Content-Type': 'text/plain' }, 'no such session\n');
      s.open = false;
      toSender({ id: Number(m[1]), delete: true });
      return reply(200, {});
    }
    return reply(405, { 'Content-Type': 'text/plain', Allow: 'POST, PATCH, DELETE' }, 'method not allowed\n');
  });

  relay.url = server.url;
  relay.close = () => {
    for (const p of pollers.splice(0)) p();
    return server.close();
  };
  relay.count = (method, status) => relay.log.filter((e) => e.method === method && (status === undefined || e.status === status)).length;
  return relay;
}
