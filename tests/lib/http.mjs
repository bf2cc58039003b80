// SPDX-License-Identifier: LGPL-2.1-or-later
// Tiny HTTP servers for browser tests, on 127.0.0.1 with a port the kernel
// picks.  Only node's http module.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export function readBody (req, limit = 1 << 20) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let n = 0;
    req.on('data', (c) => {
      n += c.length;
      if (n > limit) {
        reject(new Error('request body too large'));
        req.destroy();
      } else {
        chunks.push(c);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/* Serves @file's contents for GET/HEAD; false when @file is not there. */
export function sendFile (res, file) {
  let data;
  try {
    data = fs.readFileSync(file);
  } catch {
    return false;
  }
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] || 'application/octet-stream',
    'Cache-Control': 'no-store',
  });
  res.end(data);
  return true;
}

/* Serves the files of @dir (flat, no subdirectories) by name; '/' is @index. */
export function staticHandler (dir, index = 'index.html') {
  return (req, res) => {
    const u = new URL(req.url, 'http://x');
    const name = u.pathname === '/' ? index : path.basename(u.pathname);
    if ((req.method === 'GET' || req.method === 'HEAD') && sendFile(res, path.join(dir, name))) return true;
    return false;
  };
}

/*
 * Starts a server; @handler(req, res) is async and handles the request or
 * returns false for a 404.  Resolves to { url, port, close() }.
 */
export async function startServer (handler, { host = '127.0.0.1' } = {}) {
  const sockets = new Set();
  const server = http.createServer(async (req, res) => {
    try {
      const handled = await handler(req, res);
      if (handled === false && !res.headersSent) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found\n');
      }
    } catch (e) {
      if (!res.headersSent) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(`test server error: ${e.message}\n`);
      }
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address();
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    port,
    url: `http://${hostPart}:${port}`,
    close () {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
