// The request headers read by hand (found by fuzz_http_headers):
// - If-Match is a version and nothing else: "N", W/"N" or N, digits only. A
//   sign, a missing quote, trailing bytes or more digits than a version has
//   were read by strtoll as a version (or, for "-1", as no header at all),
//   so "+1" moved an incident at version 1.
// - X-Filename decodes to a UTF-8 name without control characters: "%00"
//   cut the name short, and bytes that are not UTF-8 were stored.
import assert from 'node:assert/strict';
import { startServer } from '../lib/server.mjs';
import { test, before, after, bearer, file, getIncident, assertProblem } from './helpers.mjs';

let server, coord;

before(async () => {
  server = await startServer();
  coord = bearer(server, 'dieuphoi', { lang: 'en' });
});
after(async () => { await server?.stop(); });

test('a malformed If-Match answers 412 and changes nothing', async () => {
  const { id } = await file(coord);
  assert.equal((await getIncident(coord, id)).version, 1);
  for (const v of ['+1', '"+1"', '"1', '1"', '"1"x', '1x', '"-1"', '-1', '"0x1"',
    '"00000000000000000001"', 'W/', '""', '*']) {
    const r = await coord.post(`/api/v1/incidents/${id}/transitions`, { to: 'acknowledged' },
      { 'If-Match': v });
    assert.equal(r.status, 412, `If-Match ${v}: ${r.status} ${r.text}`);
    assertProblem(r, 412);
    assert.equal((await getIncident(coord, id)).version, 1, `If-Match ${v} moved it`);
  }
  for (const v of ['"1"', 'W/"1"', '1']) {
    const r = await coord.post(`/api/v1/incidents/${id}/transitions`, { to: 'acknowledged' },
      { 'If-Match': v });
    if (r.status === 200) {
      assert.equal(r.body.version, 2);
      return;
    }
  }
  assert.fail('no well-formed If-Match was taken');
});

test('an X-Filename with %00, a control character or bytes that are not UTF-8 is refused, nothing stored', async () => {
  const { id } = await file(coord);
  const base = `/api/v1/incidents/${id}/attachments`;
  for (const name of ['a%00b.txt', '%00', 'a%0Ab.txt', 'a%7Fb.txt', '%FF.txt', '%C3%28.txt', '%ED%A0%80.txt']) {
    const r = await coord.post(base, 'x', { 'Content-Type': 'text/plain', 'X-Filename': name });
    assert.equal(r.status, 422, `X-Filename ${name}: ${r.status} ${r.text}`);
    assertProblem(r, 422);
  }
  assert.equal((await getIncident(coord, id)).attachments.length, 0);
  const ok = await coord.post(base, 'x', { 'Content-Type': 'text/plain', 'X-Filename': 'b%E1%BA%B1ng-ch%E1%BB%A9ng.txt' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.name, 'bằng-chứng.txt');
});
