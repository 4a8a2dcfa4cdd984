// The version of a scanned service that nmap gives only inside its CPE is
// read with the CPE reader (cpe23_attr), unquoted: "cpe:/a:example:widget:
// 1.5%2b1" is version "1.5+1" (vuln.c had its own reader that kept the
// quoting backslash, "1.5\+1", and cut at a quoted ':'). The finding shows
// the version as the vendor writes it and compares that one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, cli } from '../lib/server.mjs';

const T = { timeout: 60_000 };
let srv;
const client = (user) => {
  const c = new Client(srv.url);
  c.token = cli(['admin', 'token', 'create', '--db', srv.db, '--username', user]).trim();
  return c;
};
const upload = (c, kind, body, query = '') => c.req('POST', `/api/v1/imports/${kind}?name=${kind}-file${query}`,
  body, { 'Content-Type': 'application/octet-stream' });

before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const nvd = (id, end) => JSON.stringify({ resultsPerPage: 1, startIndex: 0, totalResults: 1, format: 'NVD_CVE',
  version: '2.0', timestamp: '2026-11-24T00:00:00.000', vulnerabilities: [{ cve: { id, sourceIdentifier: 'test',
    published: '2026-11-01T00:00:00.000', lastModified: '2026-11-01T00:00:00.000', vulnStatus: 'Analyzed',
    descriptions: [{ lang: 'en', value: 'widget test' }],
    configurations: [{ nodes: [{ operator: 'OR', negate: false, cpeMatch: [{ vulnerable: true,
      criteria: 'cpe:2.3:a:example:widget:*:*:*:*:*:*:*:*', versionEndExcluding: end, matchCriteriaId: 'X' }] }] }] } }] });

const nmap = (addr, cpe) => `<?xml version="1.0" encoding="UTF-8"?>
<nmaprun scanner="nmap" args="nmap -sV" start="1764000000" version="7.94" xmloutputversion="1.05">
<host starttime="1764000000" endtime="1764000001"><status state="up" reason="syn-ack"/>
<address addr="${addr}" addrtype="ipv4"/><hostnames></hostnames>
<ports><port protocol="tcp" portid="8080"><state state="open" reason="syn-ack"/><service name="http" product="Widget" method="probed" conf="10"><cpe>${cpe}</cpe></service></port></ports>
</host></nmaprun>
`;

test('a version found only in a service CPE is unquoted before it is shown and compared', T, async () => {
  const admin = client('admin');
  const focal = client('tamthanh');
  assert.equal((await upload(admin, 'nvd', nvd('CVE-2099-0101', '2.0'))).status, 200);
  for (const [addr, cpe, want] of [['192.0.2.51', 'cpe:/a:example:widget:1.5%2b1', '1.5+1'],
    ['192.0.2.52', 'cpe:/a:example:widget:1%3a1.9', '1:1.9']]) {
    const scan = await upload(focal, 'nmap', nmap(addr, cpe), '&org=pq-tamthanh');
    assert.equal(scan.status, 200, scan.text);
    const host = (await focal.get('/api/v1/hosts?org=pq-tamthanh&limit=200')).body.items
      .find((h) => h.name === addr || h.address === addr || (h.addresses ?? []).includes(addr));
    assert.ok(host, `no host ${addr}`);
    const f = (await focal.get(`/api/v1/findings?host=${host.id}`)).body.items
      .filter((x) => x.vuln_id === 'CVE-2099-0101');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].installed_version, want);
  }
});
