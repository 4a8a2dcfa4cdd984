// Sessions and credentials: the cookie and its CSRF token, API tokens
// (unknown, revoked, expired), log-out, and the throttling of failed logins.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, sqlite3 } from '../lib/server.mjs';
import {
  test, before, after, Client, cli, loginAs, tokenFor, bearer, report, countIncidents, assertProblem, sha256, raw,
  newUser, run,
} from './helpers.mjs';

let server;

before(async () => { server = await startServer(); });
after(async () => { await server?.stop(); });

function sql(query) {
  return sqlite3(['-cmd', '.timeout 5000', server.db, query], { encoding: 'utf8' }).trim();
}

test('GET /api/v1/health answers 200 without login', async () => {
  const r = await raw(server.url, 'GET', '/api/v1/health');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.equal(r.body.status, 'ok');
  assert.equal(typeof r.body.version, 'string');
  assert.ok(r.body.version.length > 0);
});

test('POST /session sets an HttpOnly SameSite=Strict cookie and returns user + csrf', async () => {
  const l = server.login('dieuphoi');
  const c = new Client(server.url);
  const r = await c.login(l.username, l.password);
  assert.equal(r.status, 200, r.text);
  const sc = r.headers.get('set-cookie');
  assert.ok(sc, 'Set-Cookie present');
  assert.match(sc, /^ungcuu_session=[^;]+/);
  const attrs = sc.split(';').map((s) => s.trim().toLowerCase());
  assert.ok(attrs.includes('httponly'), sc);
  assert.ok(attrs.includes('samesite=strict'), sc);
  assert.equal(typeof r.body.csrf, 'string');
  assert.ok(r.body.csrf.length >= 32);
  const u = r.body.user;
  assert.equal(u.username, 'dieuphoi');
  assert.deepEqual([...u.roles].sort(), ['coordinator', 'responder']);
  assert.equal(u.org.code, 'pq');
  for (const k of ['id', 'code', 'name', 'kind']) assert.equal(typeof u.org[k], 'string');
  assert.equal(u.disabled, false);
  assert.equal(u.password, undefined);
  assert.equal(u.pw_hash, undefined);

  const g = await c.get('/api/v1/session');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.body.user.id, u.id);
  assert.equal(g.body.csrf, r.body.csrf);
});

test('bad credentials: wrong password and unknown user are 401 problems', async () => {
  const l = server.login('nguphung');
  const c = new Client(server.url);
  assertProblem(await c.login(l.username, 'wrong-password'), 401);
  assert.equal(c.cookie, null, 'no cookie after a failed login');
  assertProblem(await c.login('no-such-user', 'whatever-password'), 401);
  // the real password still works (two failures do not lock)
  const ok = await c.login(l.username, l.password);
  assert.equal(ok.status, 200, ok.text);
});

test('a state-changing request with the cookie needs X-CSRF-Token, else 403 and nothing changes', async () => {
  const c = await loginAs(server, 'tamthanh');
  const before_ = await countIncidents(c);
  const csrf = c.csrf;
  c.csrf = null;
  assertProblem(await c.post('/api/v1/incidents', report()), 403);
  assertProblem(await c.post('/api/v1/incidents', report(), { 'X-CSRF-Token': 'f'.repeat(64) }), 403);
  assertProblem(await c.post('/api/v1/incidents', report(), { 'X-CSRF-Token': '' }), 403);
  assert.equal(await countIncidents(c), before_, 'nothing created without a valid CSRF token');
  // reading needs no CSRF token
  assert.equal((await c.get('/api/v1/incidents')).status, 200);
  c.csrf = csrf;
  const ok = await c.post('/api/v1/incidents', report());
  assert.equal(ok.status, 201, ok.text);
  assert.equal(await countIncidents(c), before_ + 1);
});

test('a CSRF token of another session is refused', async () => {
  const a = await loginAs(server, 'vanhoa');
  const b = await loginAs(server, 'vanhoa');
  assert.notEqual(a.csrf, b.csrf);
  const n = await countIncidents(a);
  assertProblem(await a.post('/api/v1/incidents', report(), { 'X-CSRF-Token': b.csrf }), 403);
  assert.equal(await countIncidents(a), n);
});

test('no credentials, a malformed Authorization header or an unknown token → 401', async () => {
  for (const path of ['/api/v1/incidents', '/api/v1/session', '/api/v1/orgs', '/api/v1/stats']) {
    assertProblem(await raw(server.url, 'GET', path), 401);
  }
  assertProblem(await raw(server.url, 'GET', '/api/v1/incidents', undefined,
    { Authorization: 'Basic ZGlldXBob2k6eA==' }), 401);
  assertProblem(await raw(server.url, 'GET', '/api/v1/incidents', undefined,
    { Authorization: 'Bearer ' }), 401);
  assertProblem(await raw(server.url, 'GET', '/api/v1/incidents', undefined,
    { Authorization: `Bearer ${'a'.repeat(47)}` }), 401);
  assertProblem(await raw(server.url, 'GET', '/api/v1/incidents', undefined,
    { Cookie: `ungcuu_session=${'b'.repeat(47)}` }), 401);
  // a write without credentials changes nothing
  const admin = await loginAs(server, 'dieuphoi');
  const n = await countIncidents(admin);
  assertProblem(await raw(server.url, 'POST', '/api/v1/incidents', JSON.stringify(report()),
    { 'Content-Type': 'application/json' }), 401);
  assert.equal(await countIncidents(admin), n);
});

test('an API token works as Bearer without CSRF; revoked → 401', async () => {
  const c = bearer(server, 'vnpt');
  assert.match(c.token, /^\S{20,}$/);
  const s = await c.get('/api/v1/session');
  assert.equal(s.status, 200, s.text);
  assert.equal(s.body.user.username, 'vnpt');
  const w = await c.post('/api/v1/incidents', report());
  assert.equal(w.status, 201, w.text);
  const out = cli(['admin', 'token', 'revoke', '--db', server.db, '--username', 'vnpt']);
  assert.match(out, /1/);
  assertProblem(await c.get('/api/v1/incidents'), 401);
  const n = await countIncidents(await loginAs(server, 'vnpt'));
  assertProblem(await c.post('/api/v1/incidents', report()), 401);
  assert.equal(await countIncidents(await loginAs(server, 'vnpt')), n);
});

test('an expired token → 401 (session and API token)', async () => {
  // Expired in the database before their first use (the server keeps who a
  // token belongs to for a few seconds once seen; a real expiry is hours).
  const api = bearer(server, 'longhai', { lang: 'en' });
  const sess = await loginAs(server, 'longhai', { lang: 'en' });
  const cookieTok = sess.cookie.split('=')[1];
  for (const tok of [api.token, cookieTok]) {
    sql(`UPDATE tokens SET expires_at = ${Date.now() - 60_000} WHERE hash = '${sha256(tok)}'`);
  }
  const p1 = assertProblem(await api.get('/api/v1/incidents'), 401);
  const p2 = assertProblem(await sess.get('/api/v1/session'), 401);
  assert.match(p1.detail, /expired/i);
  assert.match(p2.detail, /expired/i);
  // a fresh token of the same person works: it was the expiry that counted
  const fresh = bearer(server, 'longhai');
  assert.equal((await fresh.get('/api/v1/incidents')).status, 200);
});

test('DELETE /session logs out: the cookie no longer works', async () => {
  const c = await loginAs(server, 'lanhdao');
  const cookie = c.cookie;
  // logging out is a write: it needs the CSRF token too
  const bad = await c.del('/api/v1/session', { 'X-CSRF-Token': 'nope' });
  assertProblem(bad, 403);
  assert.equal((await c.get('/api/v1/session')).status, 200);
  const r = await c.del('/api/v1/session');
  assert.equal(r.status, 204, r.text);
  assert.match(r.headers.get('set-cookie') ?? '', /ungcuu_session=;.*Max-Age=0/i);
  const again = new Client(server.url);
  again.cookie = cookie;
  assertProblem(await again.get('/api/v1/session'), 401);
});

test('a login body with an unknown field is 422; a missing password 422', async () => {
  const c = new Client(server.url);
  assertProblem(await c.post('/api/v1/session', { username: 'dieuphoi', password: 'x', remember: true }), 422, '/remember');
  assertProblem(await c.post('/api/v1/session', { username: 'dieuphoi' }), 422, '/password');
  assert.equal(c.cookie, null);
});

// Issue 11, item 10: a disabled account answered "Account disabled" and a
// locked one 429 with Retry-After, while an unknown name answered 401: the
// answers told which usernames exist. Now every refusal is the same answer.
test('wrong password, unknown user, disabled and locked accounts get the one same answer', async () => {
  const admin = await loginAs(server, 'admin');
  const locked = await newUser(admin);
  const disabled = await newUser(admin);
  const wrong = await newUser(admin);
  assert.equal((await admin.post(`/api/v1/users/${disabled.user.id}/disable`)).status, 200);
  // Four failures counted, then one more locks it for 15 minutes.
  sql(`UPDATE users SET failed_logins = 4 WHERE username = '${locked.username}'`);
  const c = new Client(server.url, { lang: 'en' });
  const first = await c.login(locked.username, 'sai-mat-khau-nua');
  assertProblem(first, 401);
  assert.ok(Number(sql(`SELECT locked_until FROM users WHERE username = '${locked.username}'`)) > Date.now() + 60_000);
  const answers = {
    'wrong password': await c.login(wrong.username, 'sai-mat-khau-nua'),
    'unknown user': await c.login(`khong-co-${process.pid}`, wrong.password),
    'disabled (right password)': await c.login(disabled.username, disabled.password),
    'locked (right password)': await c.login(locked.username, locked.password),
    'locked (wrong password)': await c.login(locked.username, 'sai-mat-khau-nua'),
  };
  const shape = (r) => JSON.stringify({ status: r.status, body: r.body, ct: r.headers.get('content-type'),
    retry: r.headers.get('retry-after'), cookie: r.headers.get('set-cookie') });
  const expected = shape(answers['wrong password']);
  for (const [why, r] of Object.entries(answers)) {
    assert.equal(shape(r), expected, `${why} answers like a wrong password`);
  }
  assert.equal(answers['wrong password'].status, 401);
  assert.equal(answers['wrong password'].headers.get('retry-after'), null);
  assert.equal(c.cookie, null);
  // Other accounts are not affected by the lock.
  const other = server.login('nguphung');
  assert.equal((await new Client(server.url).login(other.username, other.password)).status, 200);
  // The audit log has the true reason of counted failures.
  assert.ok(Number(sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'session.login_failed' AND after LIKE '%wrong password%'`)) >= 2);
});

test('the lock still holds: slowed from the 3rd failure, locked at the 5th, then free again', async () => {
  const l = await newUser(await loginAs(server, 'admin'));
  const c = new Client(server.url);
  for (let i = 1; i <= 3; i++) assertProblem(await c.login(l.username, `sai-${i}`), 401);
  // slowed: right after the 3rd failure even the right password is refused
  assertProblem(await c.login(l.username, l.password), 401);
  sql(`UPDATE users SET failed_logins = 4, locked_until = 0 WHERE username = '${l.username}'`);
  assertProblem(await c.login(l.username, 'sai-5'), 401);
  assertProblem(await c.login(l.username, l.password), 401);
  // the lock expires (moved back here instead of waiting 15 minutes)
  sql(`UPDATE users SET locked_until = ${Date.now() - 1000} WHERE username = '${l.username}'`);
  assert.equal((await c.login(l.username, l.password)).status, 200);
});

// Issue 11, item 10: passwords of 8 bytes such as 12345678 were accepted.
test('POST /users refuses short and common passwords, and the username inside', async () => {
  const admin = await loginAs(server, 'admin');
  const base = { org_code: 'pq-tamthanh', roles: ['reporter'] };
  for (const password of ['12345678', 'mật khẩu ơi', '123456789012', 'qwertyuiop123', 'P@ssw0rd2024!',
    'anhyeuem12345', 'Matkhau@123456', 'aaaaaaaaaaaaaaaa', 'abcdefghijklmn', `can.bo.moi-${process.pid}`]) {
    const p = assertProblem(await admin.post('/api/v1/users', { ...base, username: `can.bo.moi-${process.pid}`, password }), 422, '/password');
    assert.ok(p.errors.length >= 1);
  }
  const ok = await admin.post('/api/v1/users', { ...base, username: `can.bo.moi-${process.pid}`, password: 'trâu ơi ta bảo' });
  assert.equal(ok.status, 201, ok.text);
});

test('an anonymous body over 16 KiB (login) is refused with 413', async () => {
  const r = await raw(server.url, 'POST', '/api/v1/session',
    JSON.stringify({ username: 'dieuphoi', password: 'x'.repeat(20_000) }),
    { 'Content-Type': 'application/json' });
  assertProblem(r, 413);
});

test('a token of a user later disabled no longer works', async () => {
  const admin = await loginAs(server, 'admin');
  const nu = await newUser(admin, { roles: ['reporter', 'focal'] });
  const c = new Client(server.url);
  c.token = tokenFor(server, nu.username);
  assert.equal((await c.get('/api/v1/session')).status, 200);
  const sess = new Client(server.url);
  assert.equal((await sess.login(nu.username, nu.password)).status, 200);
  const d = await admin.post(`/api/v1/users/${nu.user.id}/disable`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.disabled, true);
  assertProblem(await c.get('/api/v1/session'), 401);
  assertProblem(await sess.get('/api/v1/session'), 401);
  assertProblem(await new Client(server.url).login(nu.username, nu.password), 401);
});

// Issue 11, item 10: `admin token revoke` revoked the API tokens only; the
// person's browser sessions stayed alive.
test('revoking a person\'s tokens ends their web sessions too', async () => {
  const nu = await newUser(await loginAs(server, 'admin'));
  const sess = new Client(server.url);
  assert.equal((await sess.login(nu.username, nu.password)).status, 200);
  const api = new Client(server.url);
  api.token = tokenFor(server, nu.username);
  assert.equal((await sess.get('/api/v1/session')).status, 200);
  const out = cli(['admin', 'token', 'revoke', '--db', server.db, '--username', nu.username]);
  assert.match(out, /^2$/m);
  assertProblem(await sess.get('/api/v1/session'), 401);
  assertProblem(await api.get('/api/v1/session'), 401);
  // logging in again works: revocation is not disabling
  assert.equal((await new Client(server.url).login(nu.username, nu.password)).status, 200);
});

test('changing one\'s password ends every session of the person; the API token stays', async () => {
  const nu = await newUser(await loginAs(server, 'admin'));
  const a = new Client(server.url);
  const b = new Client(server.url);
  assert.equal((await a.login(nu.username, nu.password)).status, 200);
  assert.equal((await b.login(nu.username, nu.password)).status, 200);
  const api = new Client(server.url);
  api.token = tokenFor(server, nu.username);
  assertProblem(await a.post('/api/v1/account/password', { current_password: 'sai', new_password: 'mot-cau-rat-dai-2025' }), 422, '/current_password');
  assertProblem(await a.post('/api/v1/account/password', { current_password: nu.password, new_password: '12345678' }), 422, '/new_password');
  assertProblem(await a.post('/api/v1/account/password', { current_password: nu.password, new_password: 'qwerty123456' }), 422, '/new_password');
  assert.equal((await b.get('/api/v1/session')).status, 200, 'refusals changed nothing');
  const r = await a.post('/api/v1/account/password', { current_password: nu.password, new_password: 'mot-cau-rat-dai-2025' });
  assert.equal(r.status, 204, r.text);
  assert.match(r.headers.get('set-cookie') ?? '', /Max-Age=0/);
  assertProblem(await b.get('/api/v1/session'), 401);
  const again = new Client(server.url);
  again.cookie = b.cookie;
  assertProblem(await again.get('/api/v1/session'), 401);
  assert.equal((await api.get('/api/v1/session')).status, 200);
  assertProblem(await new Client(server.url).login(nu.username, nu.password), 401);
  assert.equal((await new Client(server.url).login(nu.username, 'mot-cau-rat-dai-2025')).status, 200);
});

test('admin user set-password: unlocks, ends the sessions; a weak one is refused', async () => {
  const nu = await newUser(await loginAs(server, 'admin'));
  const s1 = new Client(server.url);
  assert.equal((await s1.login(nu.username, nu.password)).status, 200);
  sql(`UPDATE users SET failed_logins = 5, locked_until = ${Date.now() + 900_000} WHERE username = '${nu.username}'`);
  const weak = run(['admin', 'user', 'set-password', '--db', server.db, '--username', nu.username, '--password-stdin'],
    { input: '12345678\n' });
  assert.notEqual(weak.status, 0);
  const set = run(['admin', 'user', 'set-password', '--db', server.db, '--username', nu.username, '--password-stdin'],
    { input: 'mot-cau-moi-rat-dai\n' });
  assert.equal(set.status, 0, set.stderr);
  assertProblem(await s1.get('/api/v1/session'), 401);
  assert.equal((await new Client(server.url).login(nu.username, 'mot-cau-moi-rat-dai')).status, 200);
  const gen = run(['admin', 'user', 'set-password', '--db', server.db, '--username', nu.username, '--json']);
  assert.equal(gen.status, 0, gen.stderr);
  const pw = JSON.parse(gen.stdout).password;
  assert.ok(pw.length >= 12);
  assert.equal((await new Client(server.url).login(nu.username, pw)).status, 200);
  assert.ok(Number(sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'user.password_reset'`)) >= 2);
});

test('every kind of write with the cookie but without X-CSRF-Token is 403 and changes nothing', async () => {
  const coord = await loginAs(server, 'dieuphoi');
  const made = await coord.post('/api/v1/incidents', report({ org_code: 'pq-tamthanh' }));
  assert.equal(made.status, 201, made.text);
  const id = made.body.id;
  const csrf = coord.csrf;
  coord.csrf = null;
  const im = { 'If-Match': '"1"' };
  const writes = [
    ['POST', `/api/v1/incidents/${id}/transitions`, { to: 'acknowledged' }, im],
    ['PATCH', `/api/v1/incidents/${id}`, { title: 'Đổi' }, im],
    ['POST', `/api/v1/incidents/${id}/comments`, { body: 'x' }, {}],
    ['POST', `/api/v1/incidents/${id}/observables`, { kind: 'ip', value: '203.0.113.1' }, {}],
    ['POST', `/api/v1/incidents/${id}/tasks`, { title: 'x' }, {}],
    ['POST', `/api/v1/incidents/${id}/reports`, { kind: 'progress' }, {}],
    ['POST', `/api/v1/incidents/${id}/attachments`, 'x', { 'Content-Type': 'text/plain', 'X-Filename': 'a.txt' }],
    ['POST', '/api/v1/contacts', { org_code: 'pq', name: 'x' }, {}],
  ];
  for (const [m, p, b, h] of writes) assertProblem(await coord.req(m, p, b, h), 403);
  coord.csrf = csrf;
  const g = await coord.get(`/api/v1/incidents/${id}`);
  assert.equal(g.body.version, 1);
  assert.equal(g.body.timeline.length, 1);
  for (const k of ['comments', 'observables', 'tasks', 'reports', 'attachments']) assert.equal(g.body[k].length, 0, k);
  assert.ok(!(await coord.get('/api/v1/contacts')).body.items.some((c) => c.name === 'x'));
});
