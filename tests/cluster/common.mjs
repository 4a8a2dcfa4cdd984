// tests/cluster/common.mjs - the bounded waits and the bounded request the
// cluster tests (nodes.mjs, patroni.mjs) share.
import assert from 'node:assert/strict';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// cond() until it gives something true (returned), at most `tries` times
// `every` ms apart; then the test fails naming what never happened.
export async function until(what, cond, tries = 300, every = 100) {
  for (let i = 0; i < tries; i++) {
    const v = await cond();
    if (v) return v;
    await sleep(every);
  }
  assert.fail(`never happened: ${what}`);
}

// One request with a bound: a node that hangs fails the test here; one that
// refuses the connection is status 0.
export async function get(url, path, init = {}) {
  try {
    const r = await fetch(url + path, { signal: AbortSignal.timeout(20_000), ...init });
    const text = await r.text();
    let body = null;
    try { body = JSON.parse(text); } catch { body = null; }
    return { status: r.status, ctype: r.headers.get('content-type') ?? '', body, text };
  } catch (err) {
    if (err.name === 'TimeoutError') throw new Error(`${path}: no answer in 20 s (a hang)`);
    return { status: 0, ctype: '', body: null, text: String(err) };
  }
}
