// Syslog senders for the tests (h/syslog): bsdutils' `logger` (as an agency's
// server sends), raw UDP datagrams from a chosen loopback address (to stand
// for several senders), raw TCP bytes (octet counting, broken framing), and
// a bounded wait for what the server made of them.
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A [syslog] configuration file; sources: [['127.0.0.2', 'pq-tamthanh'], ...].
export function syslogConfig(port, { sources = [], rules = [], extra = '' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'ungcuu-syslog-'));
  const file = join(dir, 'ungcuu.ini');
  const lines = ['[syslog]', `listen = 127.0.0.1:${port}`, 'reload = 1s'];
  for (const [addr, org] of sources) lines.push(`source = ${addr} ${org}`);
  for (const r of rules) lines.push(`rule = ${r}`);
  writeFileSync(file, `${lines.join('\n')}\n${extra}`);
  return file;
}

// `logger --server 127.0.0.1 --port P [--tcp] [--octet-count] -t TAG MESSAGE`.
export function logger(port, message, { tcp = false, octet = false, rfc3164 = false, tag = 'ungcuu-test' } = {}) {
  const args = ['--server', '127.0.0.1', '--port', String(port), '-t', tag];
  if (tcp) args.push('--tcp');
  else args.push('--udp');
  if (octet) args.push('--octet-count');
  if (rfc3164) args.push('--rfc3164');
  execFileSync('logger', [...args, message], { timeout: 10_000 });
}

// One UDP datagram from `from` (any 127.0.0.0/8 address on Linux).
export function udp(port, data, from = '127.0.0.1') {
  return new Promise((ok, fail) => {
    const s = createSocket('udp4');
    s.once('error', fail);
    s.bind(0, from, () => {
      s.send(Buffer.isBuffer(data) ? data : Buffer.from(data), port, '127.0.0.1', (err) => {
        s.close();
        if (err) fail(err); else ok();
      });
    });
  });
}

// Writes bytes over one TCP connection and closes it.
export function tcp(port, data) {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1', () => {
      s.end(Buffer.isBuffer(data) ? data : Buffer.from(data));
    });
    s.on('error', fail);
    s.on('close', () => ok());
  });
}

// Polls fn() (async, returns a truthy value when done) up to n × 100 ms.
export async function until(fn, what, n = 100) {
  for (let i = 0; i < n; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}
