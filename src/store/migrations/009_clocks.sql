-- 009_clocks: the notification clock (T1, five days from detection) now
-- starts when an incident is acknowledged, not when it is verified
-- (issue 12: an acknowledged incident showed no clock and sorted last).
-- Incidents already acknowledged get theirs here, with the default five
-- days (432,000,000 ms); an instance configured otherwise corrects the due
-- time by re-entering the detection time. A notification already recorded
-- as sent meets it, as deadline_start does.
INSERT INTO deadlines (incident_id, kind, due_at, met_at)
SELECT i.id, 'notification', i.detected_at + 432000000, NULL
FROM incidents i
WHERE i.status = 'acknowledged'
  AND NOT EXISTS (SELECT 1 FROM deadlines d WHERE d.incident_id = i.id AND d.kind = 'notification');

UPDATE deadlines SET met_at = (SELECT MIN(r.sent_at) FROM reports r
                               WHERE r.incident_id = deadlines.incident_id AND r.kind = 'notification')
WHERE kind = 'notification' AND met_at IS NULL
  AND EXISTS (SELECT 1 FROM reports r WHERE r.incident_id = deadlines.incident_id AND r.kind = 'notification');

-- Registry records can be retired (a system taken out of service, a host
-- scrapped) instead of staying in every list as if in use (issue 12).
ALTER TABLE systems ADD COLUMN retired_at BIGINT;
ALTER TABLE hosts ADD COLUMN retired_at BIGINT;
