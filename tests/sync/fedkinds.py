#!/usr/bin/env python3
"""tests/sync/fedkinds.py - real changes for tests/sync/federation.sh, and the
comparison of what both sides hold (issue 16, h/fed-ui). Standard library only.

  fedkinds.py load URL LOGINS TAG STEP...
      makes changes through the API of the server at URL as the demo's
      people (LOGINS: `ungcuu demo --json`); each STEP is one of
        escalate:N    tamthanh files N incidents (GREEN), dieuphoi
                      acknowledges each and asks the province (stttt-bth)
                      for support: one support.request envelope up each
        indicators:N  tinh issues N GREEN indicators: one envelope down each
        warnings:N    tinh warns Tam Thanh N times: one envelope down each
        answer        tinh accepts (with a note) and comments on every
                      mirrored request still "sent": two envelopes down each
      TAG makes the records of this call its own; prints how many
      changes were made (each is one envelope).
  fedkinds.py same DISTRICT_DB PROVINCE_DB
      exit 0 when every envelope each side queued for the other was
      applied there exactly once (the sender's outbox and the receiver's
      inbox hold the same envelope ids, seqs and kinds, each once) and both
      sides show the same escalations, answers, comments, warnings and
      indicators made by `load`, each once; else prints what differs, exit 1.
"""
import json
import sqlite3
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

PREFIX = 'fedload'


class Api:
    def __init__(self, url, username, password):
        self.url, self.cookie, self.csrf = url, None, None
        r = self.req('POST', '/api/v1/session', {'username': username, 'password': password})
        self.csrf = r['csrf']

    def req(self, method, path, body=None, headers=None, ok=(200, 201, 204)):
        h = dict(headers or {})
        if self.cookie:
            h['Cookie'] = self.cookie
        if self.csrf and method != 'GET':
            h['X-CSRF-Token'] = self.csrf
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            h['Content-Type'] = 'application/json'
        rq = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(rq, timeout=30) as r:
                status, text, sc = r.status, r.read().decode(), r.headers.get('Set-Cookie')
        except urllib.error.HTTPError as e:
            status, text, sc = e.code, e.read().decode(), None
        if sc:
            self.cookie = sc.split(';')[0]
        if status not in ok:
            raise SystemExit(f'{method} {path}: {status} {text[:300]}')
        return json.loads(text) if text else None


def load(url, logins_file, tag, steps):
    logins = {x['username']: x['password'] for x in json.load(open(logins_file))['logins']}
    who = {}

    def as_(u):
        if u not in who:
            who[u] = Api(url, u, logins[u])
        return who[u]

    made = 0
    now = datetime.now(timezone.utc)
    iso = lambda d: d.strftime('%Y-%m-%dT%H:%M:%S.000Z')
    for step in steps:
        what, _, n = step.partition(':')
        n = int(n or 0)
        if what == 'escalate':
            tam, coord = as_('tamthanh'), as_('dieuphoi')
            for k in range(n):
                i = tam.req('POST', '/api/v1/incidents', {
                    'title': f'{PREFIX} {tag}-{k} cổng xã bị thay giao diện', 'type': 'defacement',
                    'description': 'Trang chủ bị thay bằng nội dung lạ.', 'tlp': 'GREEN',
                    'detected_at': iso(now - timedelta(minutes=30))})
                i = coord.req('POST', f"/api/v1/incidents/{i['id']}/transitions", {'to': 'acknowledged'},
                              {'If-Match': f'"{i["version"]}"'})
                coord.req('POST', f"/api/v1/incidents/{i['id']}/support-requests", {
                    'summary': f'Đề nghị tỉnh hỗ trợ {tag}-{k}', 'to_org_code': 'stttt-bth'})
                made += 1
        elif what == 'indicators':
            tinh = as_('tinh')
            for k in range(n):
                tinh.req('POST', '/api/v1/indicators', {'kind': 'domain', 'tlp': 'GREEN',
                         'value': f'{PREFIX}-{tag}-{k}.example', 'name': f'Máy chủ điều khiển {tag}-{k}'})
                made += 1
        elif what == 'warnings':
            tinh = as_('tinh')
            for k in range(n):
                tinh.req('POST', '/api/v1/warnings', {'title': f'{PREFIX} {tag}-{k} vá lỗ hổng cổng thông tin',
                         'severity': 'high', 'deadline': iso(now + timedelta(days=7)),
                         'target_org_codes': ['pq-tamthanh']})
                made += 1
        elif what == 'answer':
            tinh = as_('tinh')
            cursor = None
            todo = []
            for _ in range(100):
                q = f'/api/v1/sync/received?section=incident&state=open&limit=500&q={PREFIX}'
                page = tinh.req('GET', q + (f'&cursor={urllib.parse.quote(cursor)}' if cursor else ''))
                todo += [x['incident']['id'] for x in page['items']]
                cursor = page['next_cursor']
                if not cursor:
                    break
            for iid in todo:
                inc = tinh.req('GET', f'/api/v1/incidents/{iid}')
                for sr in inc.get('support_requests', []):
                    if sr['status'] != 'sent':
                        continue
                    tinh.req('POST', f"/api/v1/incidents/{iid}/support-requests/{sr['id']}/transitions",
                             {'to': 'accepted', 'note': f'{PREFIX} nhận {inc["number"]}'})
                    tinh.req('POST', f'/api/v1/incidents/{iid}/comments',
                             {'body': f'{PREFIX} chỉ đạo {inc["number"]}'})
                    made += 2
        else:
            raise SystemExit(f'unknown step {step}')
    print(made)


def rows(db, sql, *args):
    return sorted(tuple(r) for r in db.execute(sql, args).fetchall())


def same(district, province):
    d = sqlite3.connect(f'file:{district}?mode=ro', uri=True, timeout=30)
    p = sqlite3.connect(f'file:{province}?mode=ro', uri=True, timeout=30)
    bad = []

    def envelopes(sender, to_name, receiver, from_name):
        out = rows(sender, 'SELECT o.id, o.seq, o.kind FROM sync_outbox o JOIN sync_peers s ON '
                   's.id = o.peer_id WHERE s.name = ?', to_name)
        inn = rows(receiver, 'SELECT i.id, i.seq, i.kind FROM sync_inbox i JOIN sync_peers s ON '
                   's.id = i.peer_id WHERE s.name = ?', from_name)
        cur = receiver.execute('SELECT in_seq FROM sync_peers WHERE name = ?', (from_name,)).fetchone()[0]
        if out != inn or len({x[0] for x in inn}) != len(inn) or cur != len(out):
            bad.append(f'{from_name} -> {to_name}: {len(out)} queued, {len(inn)} applied '
                       f'({len(set(out) - set(inn))} missing, {len(set(inn) - set(out))} unknown), '
                       f'cursor {cur}')
        return len(out)

    def compare(what, a, b):
        if a != b or len(set(a)) != len(a):
            bad.append(f'{what}: district {len(a)}, province {len(b)}; only at the district '
                       f'{sorted(set(a) - set(b))[:3]}, only at the province {sorted(set(b) - set(a))[:3]}'
                       + (', duplicates' if len(set(a)) != len(a) else ''))

    up = envelopes(d, 'province', p, 'district')
    down = envelopes(p, 'district', d, 'province')
    like = f'{PREFIX}%'
    # escalations: each of the district's requests to the province is one
    # mirror there, with the district's number, title and request
    compare('escalations',
            rows(d, 'SELECT i.number, i.title, s.summary FROM support_requests s JOIN incidents i ON '
                 'i.id = s.incident_id JOIN orgs o ON o.id = s.to_org_id WHERE o.code = ? AND '
                 'i.title LIKE ?', 'stttt-bth', like),
            rows(p, 'SELECT i.number, i.title, s.summary FROM sync_mirrors m JOIN incidents i ON '
                 'i.id = m.incident_id JOIN support_requests s ON s.incident_id = i.id WHERE '
                 'i.title LIKE ?', like))
    # answers: the province's decision and note on the district's request
    compare('answers',
            rows(d, 'SELECT i.number, s.status, s.note FROM support_requests s JOIN incidents i ON '
                 'i.id = s.incident_id WHERE i.title LIKE ? AND s.status <> ?', like, 'sent'),
            rows(p, 'SELECT i.number, s.status, s.note FROM sync_mirrors m JOIN incidents i ON '
                 'i.id = m.incident_id JOIN support_requests s ON s.incident_id = i.id WHERE '
                 'i.title LIKE ? AND s.status <> ?', like, 'sent'))
    # (the district's copy signs the body with the province's person: the
    # first line is what was written)
    compare('comments',
            sorted((num, body.split('\n')[0]) for num, body in
                   rows(d, 'SELECT i.number, c.body FROM comments c JOIN incidents i ON '
                        'i.id = c.incident_id WHERE c.body LIKE ?', like)),
            rows(p, 'SELECT i.number, c.body FROM comments c JOIN incidents i ON i.id = c.incident_id '
                 'WHERE c.body LIKE ?', like))
    # warnings and indicators: the province's own, each once at the district
    compare('warnings',
            rows(d, "SELECT w.title, w.severity, w.deadline FROM warnings w JOIN sync_map m ON "
                 "m.local_id = w.id AND m.type = 'warning' WHERE w.title LIKE ?", like),
            rows(p, 'SELECT title, severity, deadline FROM warnings WHERE title LIKE ?', like))
    compare('warning targets',
            rows(d, "SELECT w.title, o.code FROM warnings w JOIN warning_targets t ON t.warning_id = "
                 "w.id JOIN orgs o ON o.id = t.org_id WHERE w.title LIKE ?", like),
            rows(p, "SELECT w.title, o.code FROM warnings w JOIN warning_targets t ON t.warning_id = "
                 "w.id JOIN orgs o ON o.id = t.org_id WHERE w.title LIKE ?", like))
    compare('indicators',
            rows(d, "SELECT kind, value, tlp, name FROM indicators WHERE source = 'province' AND "
                 "value LIKE ?", like),
            rows(p, 'SELECT kind, value, tlp, name FROM indicators WHERE value LIKE ?', like))
    if bad:
        print('\n'.join(bad))
        return 1
    n = lambda db, sql: db.execute(sql, (like,)).fetchone()[0]
    print(f'{up} envelopes up, {down} down, each applied once; '
          f"{n(p, 'SELECT COUNT(*) FROM sync_mirrors m JOIN incidents i ON i.id = m.incident_id WHERE i.title LIKE ?')} escalations, "
          f"{n(d, 'SELECT COUNT(*) FROM comments WHERE body LIKE ?')} comments, "
          f"{n(d, 'SELECT COUNT(*) FROM warnings WHERE title LIKE ?')} warnings, "
          f"{n(d, 'SELECT COUNT(*) FROM indicators WHERE value LIKE ?')} indicators the same on both sides")
    return 0


if __name__ == '__main__':
    a = sys.argv[1:]
    if len(a) >= 4 and a[0] == 'load':
        load(a[1], a[2], a[3], a[4:])
    elif len(a) == 3 and a[0] == 'same':
        sys.exit(same(a[1], a[2]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
