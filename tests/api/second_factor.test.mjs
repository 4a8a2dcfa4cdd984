// The second factor (issue 11): TOTP (RFC 6238) enrolment, the two-step
// login, code reuse, recovery codes, the instance setting that requires it
// of some roles, and `ungcuu admin user reset-2fa`. Codes are computed here
// with node:crypto, as an authenticator app would.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, sqlite3 } from '../lib/server.mjs';
import {
  test, before, after, Client, cli, loginAs, tokenFor, assertProblem, newUser, totpCodes,
} from './helpers.mjs';

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

function sql(db, query) {
  return sqlite3(['-cmd', '.timeout 5000', db, query], { encoding: 'utf8' }).trim();
}

const codes = totpCodes;

async function passwordStep(url, username, password) {
  const c = new Client(url, { lang: 'en' });
  const r = await c.req('POST', '/api/v1/session', { username, password });
  return { c, r };
}

async function codeStep(c, challenge, code) {
  const r = await c.req('POST', '/api/v1/session/second-factor', { challenge, code });
  if (r.status === 200) c.csrf = r.body.csrf;
  return r;
}

test('enrol, then log in with the password and a code; a code is good once; recovery codes once', async () => {
  const admin = await loginAs(server, 'admin');
  const nu = await newUser(admin, { roles: ['focal'] });
  const me = new Client(server.url, { lang: 'en' });
  assert.equal((await me.login(nu.username, nu.password)).status, 200);
  let s = await me.get('/api/v1/session');
  assert.deepEqual(s.body.second_factor, { enabled: false, required: false, recovery_codes_left: 0 });

  // Enrolment needs the password (a stolen session alone cannot).
  assertProblem(await me.post('/api/v1/account/totp', { password: 'sai-mat-khau' }), 422, '/password');
  const b = await me.post('/api/v1/account/totp', { password: nu.password });
  assert.equal(b.status, 201, b.text);
  assert.match(b.body.secret, /^[A-Z2-7]{32}$/);
  assert.equal(b.body.uri, `otpauth://totp/ungcuu:${nu.username}?secret=${b.body.secret}&issuer=ungcuu&algorithm=SHA1&digits=6&period=30`);
  const next = codes(b.body.secret);
  assertProblem(await me.post('/api/v1/account/totp/confirm', { code: '000000' }), 422, '/code');
  const used = next();
  const conf = await me.post('/api/v1/account/totp/confirm', { code: used });
  assert.equal(conf.status, 200, conf.text);
  const recovery = conf.body.recovery_codes;
  assert.equal(recovery.length, 10);
  for (const rc of recovery) assert.match(rc, /^[a-z2-7]{4}(-[a-z2-7]{4}){3}$/);
  assert.equal(new Set(recovery).size, 10);
  // stored hashed only
  for (const rc of recovery) assert.equal(sql(server.db, `SELECT COUNT(*) FROM recovery_codes WHERE hash = '${rc}'`), '0');
  // and the TOTP secret sealed under the instance key: the database alone does not give it
  const stored = sql(server.db, `SELECT secret FROM user_totp WHERE user_id = '${nu.user.id}'`);
  assert.match(stored, /^s1:[0-9a-f]+$/);
  assert.ok(!stored.includes(b.body.secret));
  assertProblem(await me.post('/api/v1/account/totp/confirm', { code: used }), 409);
  s = await me.get('/api/v1/session');
  assert.deepEqual(s.body.second_factor, { enabled: true, required: false, recovery_codes_left: 10 });

  // The password alone gives a challenge, no cookie.
  const { c, r } = await passwordStep(server.url, nu.username, nu.password);
  assert.equal(r.status, 202, r.text);
  assert.equal(r.body.second_factor, 'totp');
  assert.equal(r.body.totp, undefined);
  assert.equal(typeof r.body.challenge, 'string');
  assert.ok(Date.parse(r.body.expires_at) > Date.now());
  assert.equal(r.headers.get('set-cookie'), null);
  assert.equal(c.cookie, null);
  // The challenge is no session.
  const fake = new Client(server.url);
  fake.cookie = `ungcuu_session=${r.body.challenge}`;
  assertProblem(await fake.get('/api/v1/session'), 401);
  fake.cookie = null;
  fake.token = r.body.challenge;
  assertProblem(await fake.get('/api/v1/session'), 401);
  // The code that confirmed the enrolment is used up: refused.
  // 401 with the field to blame: /code (try another) or /challenge (start again)
  const reuse = await codeStep(c, r.body.challenge, used);
  assertProblem(reuse, 401, '/code');
  assertProblem(await codeStep(c, 'ucu_' + 'x'.repeat(43), '123456'), 401, '/challenge');
  const code = next();
  const ok = await codeStep(c, r.body.challenge, code);
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.headers.get('set-cookie'), /^ungcuu_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
  assert.equal(ok.body.user.username, nu.username);
  assert.equal((await c.get('/api/v1/session')).status, 200);
  // The challenge is spent; the same code on a new challenge is refused.
  assertProblem(await codeStep(new Client(server.url), r.body.challenge, code), 401);
  const again = await passwordStep(server.url, nu.username, nu.password);
  assertProblem(await codeStep(again.c, again.r.body.challenge, code), 401);
  // A recovery code works once (any case, dashes optional).
  const typed = recovery[0].replace(/-/g, '').toUpperCase();
  const viaRecovery = await codeStep(again.c, again.r.body.challenge, typed);
  assert.equal(viaRecovery.status, 200, viaRecovery.text);
  const third = await passwordStep(server.url, nu.username, nu.password);
  assertProblem(await codeStep(third.c, third.r.body.challenge, recovery[0]), 401);
  s = await me.get('/api/v1/session');
  assert.equal(s.body.second_factor.recovery_codes_left, 9);
  assert.equal(sql(server.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'user.recovery_code_used'`), '1');

  // API tokens are not affected.
  const api = new Client(server.url);
  api.token = tokenFor(server, nu.username);
  assert.equal((await api.get('/api/v1/incidents')).status, 200);

  // New recovery codes, then off, each with a code; then one step again.
  assertProblem(await me.post('/api/v1/account/recovery-codes', { code: '123456' }), 422, '/code');
  const fresh = await me.post('/api/v1/account/recovery-codes', { code: recovery[1] });
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal(fresh.body.recovery_codes.length, 10);
  assertProblem(await me.post('/api/v1/account/totp/disable', { code: recovery[2] }), 422, '/code');
  const off = await me.post('/api/v1/account/totp/disable', { code: fresh.body.recovery_codes[0] });
  assert.equal(off.status, 204, off.text);
  const plain = await passwordStep(server.url, nu.username, nu.password);
  assert.equal(plain.r.status, 200, plain.r.text);
  assertProblem(await me.post('/api/v1/account/totp/disable', { code: '123456' }), 409);
});

test('a secret stored plain by an earlier version is sealed when the server starts, and still opens the login', async () => {
  const own = await startServer({ keep: true });
  try {
    const admin = await loginAs(own, 'admin');
    const nu = await newUser(admin, { roles: ['focal'] });
    const plain = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await own.stop();
    sql(own.db, `INSERT INTO user_totp (user_id, secret, enabled_at, created_at) VALUES ('${nu.user.id}', '${plain}', 1, 1)`);
    await own.restart();
    const stored = sql(own.db, `SELECT secret FROM user_totp WHERE user_id = '${nu.user.id}'`);
    assert.match(stored, /^s1:[0-9a-f]+$/);
    const { c, r } = await passwordStep(own.url, nu.username, nu.password);
    assert.equal(r.status, 202, r.text);
    const ok = await codeStep(c, r.body.challenge, codes(plain)());
    assert.equal(ok.status, 200, ok.text);
  } finally {
    await own.stop();
    rmSync(own.dir, { recursive: true, force: true });
  }
});

test('wrong codes count as failed logins: the challenge dies after 5 and the account locks', async () => {
  const admin = await loginAs(server, 'admin');
  const nu = await newUser(admin, { roles: ['focal'] });
  const me = new Client(server.url);
  assert.equal((await me.login(nu.username, nu.password)).status, 200);
  const b = await me.post('/api/v1/account/totp', { password: nu.password });
  const next = codes(b.body.secret);
  assert.equal((await me.post('/api/v1/account/totp/confirm', { code: next() })).status, 200);
  const { c, r } = await passwordStep(server.url, nu.username, nu.password);
  for (let i = 0; i < 5; i++) {
    sql(server.db, `UPDATE users SET locked_until = 0 WHERE username = '${nu.username}'`);
    assertProblem(await codeStep(c, r.body.challenge, String(100000 + i)), 401);
  }
  assert.equal(sql(server.db, `SELECT failed_logins FROM users WHERE username = '${nu.username}'`), '5');
  assertProblem(await codeStep(c, r.body.challenge, next()), 401, '/challenge');
  // locked: the password step answers like any failure
  const locked = await passwordStep(server.url, nu.username, nu.password);
  assertProblem(locked.r, 401);
});

test('the body of the code step is validated and bounded', async () => {
  const c = new Client(server.url);
  assertProblem(await c.post('/api/v1/session/second-factor', { challenge: 'x' }), 422, '/code');
  assertProblem(await c.post('/api/v1/session/second-factor', { challenge: 'x', code: '1', otp: 1 }), 422, '/otp');
  assertProblem(await c.post('/api/v1/session/second-factor', { challenge: 'x'.repeat(65), code: '1' }), 422, '/challenge');
  assertProblem(await c.post('/api/v1/session/second-factor', { challenge: 'x', code: '123456' }), 401);
});

test('[accounts] second_factor_roles: an administrator without one is sent to enrol; reset-2fa', async () => {
  const cfgDir = server.dir;
  const cfg = join(cfgDir, 'second-factor.ini');
  writeFileSync(cfg, '[accounts]\nsecond_factor_roles = admin, coordinator\n');
  const s2 = await startServer({ args: ['--config', cfg] });
  try {
    const l = s2.login('admin');
    // not required of a reporter: one step
    const rep = s2.login('tamthanh');
    assert.equal((await passwordStep(s2.url, rep.username, rep.password)).r.status, 200);
    const { c, r } = await passwordStep(s2.url, l.username, l.password);
    assert.equal(r.status, 202, r.text);
    assert.equal(r.body.second_factor, 'enrol');
    assert.match(r.body.totp.secret, /^[A-Z2-7]{32}$/);
    assert.match(r.body.totp.uri, /^otpauth:\/\/totp\/ungcuu:admin\?secret=/);
    assert.equal(c.cookie, null);
    const next = codes(r.body.totp.secret);
    assertProblem(await codeStep(c, r.body.challenge, '000000'), 401);
    const done = await codeStep(c, r.body.challenge, next());
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.recovery_codes.length, 10);
    const s = await c.get('/api/v1/session');
    assert.deepEqual(s.body.second_factor, { enabled: true, required: true, recovery_codes_left: 10 });
    // required: cannot be turned off
    assertProblem(await c.post('/api/v1/account/totp/disable', { code: next() }), 409);
    // the next login needs a code
    const again = await passwordStep(s2.url, l.username, l.password);
    assert.equal(again.r.body.second_factor, 'totp');
    // lost phone: reset from the shell, audited; sessions end; enrol again
    const out = cli(['admin', 'user', 'reset-2fa', '--db', s2.db, '--username', 'admin', '--json']);
    assert.equal(JSON.parse(out).second_factor, false);
    assert.equal(sql(s2.db, `SELECT COUNT(*) FROM audit_log WHERE action = 'user.second_factor_reset'`), '1');
    assertProblem(await c.get('/api/v1/session'), 401);
    const third = await passwordStep(s2.url, l.username, l.password);
    assert.equal(third.r.body.second_factor, 'enrol');
    // an unknown person: the command says so
    assert.throws(() => cli(['admin', 'user', 'reset-2fa', '--db', s2.db, '--username', 'khong-co'], { stdio: 'pipe' }));
    // API tokens are not affected by the requirement
    const api = new Client(s2.url);
    api.token = tokenFor(s2, 'admin');
    assert.equal((await api.get('/api/v1/session')).status, 200);
  } finally {
    await s2.stop();
  }
});
