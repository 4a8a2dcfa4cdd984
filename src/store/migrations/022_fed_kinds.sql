-- 022_fed_kinds: what issue 16 still lacked (h/fed-kinds).
-- A warning withdrawn by its issuer (here, or above us: then source is the
-- peer's name and withdrawn_by is the account standing for that peer). A
-- withdrawn warning stops its clock: nobody is late on it any more.
CREATE TABLE warning_withdrawals (
	warning_id TEXT PRIMARY KEY REFERENCES warnings(id),
	reason TEXT NOT NULL,
	source TEXT NOT NULL DEFAULT '',   -- '' withdrawn here; else the peer it came from
	withdrawn_by TEXT REFERENCES users(id),
	withdrawn_at BIGINT NOT NULL
);
