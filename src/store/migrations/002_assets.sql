-- 002_assets: the registry of information systems and the hosts that make
-- them up (NĐ85/2016 levels), host inventories (packages, services,
-- hotfixes), vulnerability feeds, findings, authority warnings and scans.

CREATE TABLE systems (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	name TEXT NOT NULL,
	purpose TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL DEFAULT '',
	operator TEXT NOT NULL DEFAULT '',
	contractor TEXT NOT NULL DEFAULT '',
	level INTEGER,                      -- security level 1..5 (NĐ85 Đ6-12)
	approval_decision TEXT NOT NULL DEFAULT '',
	info_type TEXT NOT NULL DEFAULT '', -- public | private | personal | state_secret
	function TEXT NOT NULL DEFAULT '',  -- internal | citizen_facing | infrastructure | ics | other
	user_count BIGINT,
	next_check_at BIGINT,               -- T10: next security check due
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX systems_org ON systems(org_id);

CREATE TABLE hosts (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	system_id TEXT REFERENCES systems(id),
	hostname TEXT NOT NULL,
	addresses TEXT NOT NULL DEFAULT '[]',
	role TEXT NOT NULL DEFAULT '',
	os_family TEXT NOT NULL DEFAULT '',
	os_id TEXT NOT NULL DEFAULT '',
	os_version TEXT NOT NULL DEFAULT '',
	os_name TEXT NOT NULL DEFAULT '',
	kernel TEXT NOT NULL DEFAULT '',
	agent_key TEXT UNIQUE,              -- its agent's Ed25519 public key (hex)
	last_seen_at BIGINT,                -- last inventory from an agent or a file
	last_scan_at BIGINT,                -- last vulnerability scan (nmap, OpenVAS)
	version BIGINT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL
);
CREATE INDEX hosts_org ON hosts(org_id);
CREATE INDEX hosts_hostname ON hosts(hostname);

-- Clustered on its key (WITHOUT ROWID): the matcher reads a host's
-- packages in key order, 2,000 rows a host, with no second lookup per row.
-- (A PostgreSQL migration runner drops the clause: its tables are heaps.)
CREATE TABLE host_packages (
	host_id TEXT NOT NULL REFERENCES hosts(id),
	ecosystem TEXT NOT NULL,            -- dpkg | rpm | windows | cpe
	name TEXT NOT NULL,
	version TEXT NOT NULL,
	arch TEXT NOT NULL DEFAULT '',
	source TEXT NOT NULL DEFAULT '',    -- dpkg source package (what Debian's advisories name)
	PRIMARY KEY (host_id, ecosystem, name, arch)
) WITHOUT ROWID;

CREATE TABLE host_services (
	host_id TEXT NOT NULL REFERENCES hosts(id),
	proto TEXT NOT NULL,
	port INTEGER NOT NULL,
	address TEXT NOT NULL DEFAULT '',
	name TEXT NOT NULL DEFAULT '',
	product TEXT NOT NULL DEFAULT '',
	version TEXT NOT NULL DEFAULT '',
	cpe TEXT NOT NULL DEFAULT '',
	origin TEXT NOT NULL,               -- agent | nmap | openvas
	seen_at BIGINT NOT NULL,
	PRIMARY KEY (host_id, proto, port, address)
);

CREATE TABLE host_hotfixes (
	host_id TEXT NOT NULL REFERENCES hosts(id),
	kb TEXT NOT NULL,
	PRIMARY KEY (host_id, kb)
);

CREATE TABLE vulns (
	id TEXT PRIMARY KEY,                -- CVE-…, GHSA-…, DSA-…
	aliases TEXT NOT NULL DEFAULT '[]',
	summary TEXT NOT NULL DEFAULT '',
	cvss REAL,
	severity TEXT,
	published BIGINT,
	modified BIGINT,
	withdrawn INTEGER NOT NULL DEFAULT 0,
	kev INTEGER NOT NULL DEFAULT 0,
	kev_due BIGINT,
	kev_action TEXT NOT NULL DEFAULT '',
	sources TEXT NOT NULL DEFAULT '',   -- osv,nvd,kev
	updated_at BIGINT NOT NULL
);

-- Which package versions a vulnerability affects; re-importing a record
-- replaces its rows from that source.
CREATE TABLE vuln_affected (
	vuln_id TEXT NOT NULL REFERENCES vulns(id),
	source TEXT NOT NULL,               -- osv | nvd
	ecosystem TEXT NOT NULL,            -- as the feed names it ("Debian:12", "npm", "cpe")
	package TEXT NOT NULL,              -- name, or a CPE 2.3 criteria
	introduced TEXT,
	fixed TEXT,
	last_affected TEXT,
	start_incl TEXT,
	start_excl TEXT,
	end_incl TEXT,
	end_excl TEXT,
	versions TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX vuln_affected_vuln ON vuln_affected(vuln_id, source);
CREATE INDEX vuln_affected_package ON vuln_affected(package);

CREATE TABLE findings (
	id TEXT PRIMARY KEY,
	host_id TEXT NOT NULL REFERENCES hosts(id),
	vuln_id TEXT NOT NULL REFERENCES vulns(id),
	package TEXT NOT NULL,
	installed_version TEXT NOT NULL DEFAULT '',
	fixed_version TEXT NOT NULL DEFAULT '',
	cvss REAL,
	severity TEXT,
	kev INTEGER NOT NULL DEFAULT 0,
	origin TEXT NOT NULL,               -- inventory | nmap | openvas
	status TEXT NOT NULL,               -- open | fixed | accepted
	reason TEXT NOT NULL DEFAULT '',
	accepted_until BIGINT,
	due_at BIGINT,
	first_seen BIGINT NOT NULL,
	last_seen BIGINT NOT NULL,
	fixed_at BIGINT,
	version BIGINT NOT NULL DEFAULT 1,
	UNIQUE (host_id, vuln_id, package)
);
CREATE INDEX findings_host ON findings(host_id, status);
CREATE INDEX findings_status ON findings(status, due_at);

CREATE TABLE warnings (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),   -- the issuer
	source TEXT NOT NULL DEFAULT '',            -- e.g. "VNCERT/CC", "Sở TT&TT"
	reference TEXT NOT NULL DEFAULT '',         -- the authority's document number
	title TEXT NOT NULL,
	body TEXT NOT NULL DEFAULT '',
	cves TEXT NOT NULL DEFAULT '[]',
	products TEXT NOT NULL DEFAULT '[]',        -- package names or CPE criteria
	severity TEXT NOT NULL,
	deadline BIGINT NOT NULL,
	version BIGINT NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL
);

CREATE TABLE warning_targets (
	warning_id TEXT NOT NULL REFERENCES warnings(id),
	org_id TEXT NOT NULL REFERENCES orgs(id),
	acknowledged_at BIGINT,
	acknowledged_by TEXT REFERENCES users(id),
	fixed_at BIGINT,
	fixed_by TEXT REFERENCES users(id),
	note TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (warning_id, org_id)
);

CREATE TABLE scans (
	id TEXT PRIMARY KEY,
	org_id TEXT NOT NULL REFERENCES orgs(id),
	kind TEXT NOT NULL,                 -- nmap | openvas
	name TEXT NOT NULL,
	scanned_at BIGINT NOT NULL,
	hosts INTEGER NOT NULL,
	findings INTEGER NOT NULL,
	created_by TEXT REFERENCES users(id),
	created_at BIGINT NOT NULL
);
CREATE INDEX scans_org ON scans(org_id, scanned_at);
