-- 006_second_factor.sql: a second factor for people (issue 11): TOTP
-- secrets, single-use recovery codes, and the short-lived challenge that
-- links the password step of a login to its code step.

CREATE TABLE user_totp (
	user_id TEXT PRIMARY KEY REFERENCES users(id),
	secret TEXT NOT NULL,             -- base32, as the authenticator app has it
	enabled_at BIGINT,                -- NULL while the enrolment awaits its first code
	last_step BIGINT NOT NULL DEFAULT 0, -- newest accepted time step: a code is good once
	created_at BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
	id TEXT PRIMARY KEY,
	user_id TEXT NOT NULL REFERENCES users(id),
	hash TEXT NOT NULL,               -- sha256 of the code (80 random bits)
	used_at BIGINT,
	created_at BIGINT NOT NULL
);
CREATE INDEX recovery_codes_user ON recovery_codes(user_id);

CREATE TABLE login_challenges (
	hash TEXT PRIMARY KEY,            -- sha256 of the challenge; never stored itself
	user_id TEXT NOT NULL REFERENCES users(id),
	kind TEXT NOT NULL,               -- totp (a code is due) | enrol (must enrol first)
	attempts INTEGER NOT NULL DEFAULT 0,
	expires_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX login_challenges_user ON login_challenges(user_id);
