// SPDX-License-Identifier: LGPL-2.1-or-later
// Real browser offers saved under offers/ (made by the player page in
// Chromium and Firefox; see offers/README.md) through our JSEP layer: each
// must parse, and the answer for a VP8 + Opus sender must use the
// browser's own payload types, fold RTX, bundle both mids and take
// a=setup:active.  No browser needed: a quick regression test.
//
//   node offers-corpus.mjs --checker EXE

import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from '../lib/run.mjs';
import { checkAnswer, requireChecker, runChecker } from '../lib/answercheck.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = parseArgs();
let passed = 0;
let failed = 0;
const t = {
  check (cond, msg) {
    if (cond) passed++; else failed++;
    console.log(`${cond ? 'PASS' : 'FAIL'}: ${msg}`);
    return cond;
  },
};

try {
  const checker = requireChecker(args.checker);
  const dir = path.join(here, 'offers');
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sdp')).sort();
  t.check(files.some((f) => f.startsWith('chromium')) && files.some((f) => f.startsWith('firefox')),
    `offers/ holds Chromium and Firefox offers (${files.join(', ')})`);
  for (const f of files) {
    const offer = fs.readFileSync(path.join(dir, f), 'utf8');
    checkAnswer(t, f, offer, runChecker(checker, offer));
  }
} catch (e) {
  t.check(false, e.message);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
