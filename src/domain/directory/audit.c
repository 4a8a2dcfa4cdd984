/*
 * audit.c - the audit log: keyed hash chain, row after-images sealed in the
 * writing transaction, signed checkpoints outside the database, and the
 * verifier that replays the log against the tables (see audit.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "../../base/buf.h"
#include "../../base/utf8.h"
#include "../../base/crypto.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
#define AUDIT_SCHEMA 5          /* migration 005 adds audit_log.v and .rows */
#define CHECKPOINT_MAGIC "ungcuu-audit-checkpoint 1"
#define MAX_COLS 48

/*
 * The audited tables: what people decide and the instance relies on. Key
 * columns first (1 or 2: the primary key), then every other column kept in
 * the image. Left out: bulk data re-read from its source (host_packages,
 * host_services, host_hotfixes, vulns, vuln_affected), counters, meta and
 * the log itself. Columns in `digest` are kept as "sha256:<hex>" (secrets,
 * bytes). Other columns (login counters) change without an entry. A new
 * table or column is audited by adding it here.
 */
static const struct audit_table {
	const char *name;
	int nkey;
	const char *cols, *digest;
	int since;   /* the migration that creates the table (0: before 005) */
} tables[] = {
	{ "orgs", 1, "id,code,name,kind,parent_id,path,response_team,address,created_at", "", 0 },
	{ "users", 1, "id,username,org_id,roles,full_name,email,phone,pw_hash,disabled,created_at",
	  "pw_hash", 0 },
	/* second factors; last_step (the newest code's time step) is a counter */
	{ "user_totp", 1, "user_id,secret,enabled_at,created_at", "secret", 6 },
	{ "recovery_codes", 1, "id,user_id,hash,used_at,created_at", "hash", 6 },
	{ "tokens", 1, "id,user_id,kind,hash,csrf,created_at,expires_at,revoked_at", "hash,csrf", 0 },
	{ "contacts", 1, "id,org_id,name,phone,email,network_role,on_duty,created_at,updated_at", "", 0 },
	{ "incidents", 1, "id,number,org_id,title,description,type,severity,serious,escalate,status,"
	  "version,rev,tlp,confidential,form,reject_reason,closing_report,detected_at,created_at,"
	  "updated_at,created_by", "", 0 },
	{ "assignees", 2, "incident_id,user_id,created_at", "", 0 },
	{ "deadlines", 2, "incident_id,kind,due_at,met_at", "", 0 },
	{ "events", 1, "id,incident_id,at,actor_id,kind,data", "", 0 },
	{ "support_requests", 1, "id,incident_id,to_org_id,summary,help_needed,urgency,due_at,status,"
	  "note,created_by,created_at,updated_at", "", 0 },
	{ "reports", 1, "id,incident_id,kind,recipient,channel,reference,body,sent_at,created_by,"
	  "created_at", "", 0 },
	{ "tasks", 1, "id,incident_id,title,assignee_id,due_at,done,created_by,created_at,updated_at",
	  "", 0 },
	{ "observables", 1, "id,incident_id,kind,value,tlp,note,created_by,created_at", "", 0 },
	{ "comments", 1, "id,incident_id,body,created_by,created_at", "", 0 },
	{ "attachments", 1, "id,incident_id,name,content_type,size,sha256,created_by,created_at", "", 0 },
	{ "attachment_data", 1, "id,data", "data", 0 },
	{ "systems", 1, "id,org_id,name,purpose,owner,operator,contractor,level,approval_decision,"
	  "info_type,function,user_count,next_check_at,version,created_at,updated_at", "", 0 },
	{ "hosts", 1, "id,org_id,system_id,hostname,addresses,role,os_family,os_id,os_version,os_name,"
	  "kernel,agent_key,last_seen_at,last_scan_at,version,created_at,updated_at", "", 0 },
	/* an agent's keys; last_seq, the replay counter, changes with every upload */
	{ "agent_keys", 1, "public_key,host_id,enrolled_at,retired_at", "", 0 },
	{ "findings", 1, "id,host_id,vuln_id,package,installed_version,fixed_version,cvss,severity,kev,"
	  "origin,status,reason,accepted_until,due_at,first_seen,last_seen,fixed_at,version", "", 0 },
	{ "warnings", 1, "id,org_id,source,reference,title,body,cves,products,severity,deadline,"
	  "version,created_by,created_at", "", 0 },
	{ "warning_targets", 2, "warning_id,org_id,acknowledged_at,acknowledged_by,fixed_at,fixed_by,"
	  "note", "", 0 },
	{ "scans", 1, "id,org_id,kind,name,scanned_at,hosts,findings,created_by,created_at", "", 0 },
	{ "indicators", 1, "id,org_id,kind,value,pattern_type,why,name,description,source,file_name,"
	  "tlp,confidence,to_ids,valid_from,valid_until,tags,related,share_with,origin_id,version,"
	  "created_by,created_at,updated_at", "", 0 },
	{ "indicator_incidents", 2, "indicator_id,incident_id", "", 0 },
	{ "hunts", 1, "id,org_id,title,description,deadline,status,selection,version,created_by,"
	  "created_at,updated_at", "", 0 },
	{ "hunt_indicators", 2, "hunt_id,indicator_id", "", 0 },
	{ "hunt_targets", 2, "hunt_id,org_id", "", 0 },
	{ "hunt_runs", 1, "id,hunt_id,org_id,host_id,hostname,via,files,bytes,errors,hits,incident_id,"
	  "submitted_by,ran_at,created_at", "", 0 },
	{ "sightings", 1, "id,indicator_id,org_id,source,host_id,incident_id,observable_id,hunt_id,"
	  "run_id,path,line,seen_at,created_by,created_at", "", 0 },
	/* h/stix: STIX objects kept as they came (the body, bulk JSON text, as
	 * its digest), their links, the ones made */
	{ "stix_objects", 1, "id,org_id,stix_id,type,tlp,created,modified,body,batch,created_by,"
	  "created_at,updated_at", "body", 11 },
	{ "stix_object_indicators", 2, "object_id,indicator_id", "", 11 },
	{ "stix_made", 1, "key,stix_id,created,modified,digest,created_at,updated_at", "", 11 },
	/* h/misp: MISP events kept as received (012) */
	{ "misp_events", 1, "id,org_id,uuid,info,tlp,doc,version,created_by,created_at,updated_at",
	  "", 12 },
	{ "misp_objects", 1, "id,event_id,uuid,name,position,doc", "", 12 },
	{ "misp_attributes", 1, "id,event_id,object_id,uuid,type,value,tlp,position,doc", "", 12 },
	{ "misp_attribute_indicators", 2, "attribute_id,indicator_id", "", 12 },
	{ "misp_sightings", 1, "id,attribute_id,uuid,position,doc", "", 12 },
	/* the risk register, resources, budget (issue 15, h/risk) */
	{ "risks", 1, "id,org_id,system_id,threat,likelihood,impact,controls,treatment,owner,"
	  "review_at,version,created_by,created_at,updated_at", "", 14 },
	{ "resources", 1, "id,org_id,kind,name,description,quantity,skills,scope,contact,"
	  "contract_from,contract_to,retired_at,version,created_by,created_at,updated_at", "", 14 },
	{ "budget_lines", 1, "id,org_id,year,category,description,planned,spent,status,"
	  "submitted_at,submitted_by,version,created_by,created_at,updated_at", "", 14 },
	{ "finance_offices", 1, "org_id,created_at", "", 14 },
	/* response plans and playbooks (issue 15, h/plans) */
	{ "plan_outline", 1, "code,position,kind,title_vi,title_en,guidance,version,updated_at", "", 15 },
	{ "plans", 1, "id,org_id,system_id,number,based_on,status,title,sections,scenarios,"
	  "submitted_at,submitted_by,decision_number,decision_date,approved_at,approved_by,"
	  "superseded_at,return_reason,version,created_by,created_at,updated_at", "", 15 },
	{ "playbook_runs", 2, "incident_id,threat,plan_id,tasks,created_at", "", 15 },
	{ "playbook_tasks", 1, "task_id,incident_id,plan_id,threat,step,phase", "", 15 },
	/* drills and periodic reports (issue 15, h/reports) */
	{ "drills", 1, "id,org_id,title,kind,status,scenario,planned_at,held_at,systems,participants,"
	  "injects,went_wrong,lessons,version,created_by,created_at,updated_at", "", 16 },
	{ "drill_actions", 1, "id,drill_id,title,owner_id,due_at,done,done_at,created_by,created_at,"
	  "updated_at", "", 16 },
	{ "periodic_reports", 1, "id,org_id,form,period,year,period_from,period_to,due_at,member_code,"
	  "cells,computed,helpers,recommendations,status,sent_at,sent_by,version,created_by,"
	  "created_at,updated_at", "", 16 },
	/* federation (issue 16, h/sync-core): peers, what they host, envelopes
	 * queued and applied, refusals, mirrors; the peers' counters
	 * (out_seq, in_seq, last_contact_at...) move with every exchange;
	 * sync_refused is a bounded log like a counter, not a record */
	{ "sync_peers", 1, "id,name,instance,public_key,url,relation,created_by,created_at", "", 17 },
	{ "sync_peer_orgs", 2, "peer_id,org_code", "", 17 },
	{ "sync_outbox", 1, "id,peer_id,seq,kind,created_at,envelope", "envelope", 17 },
	{ "sync_inbox", 1, "id,peer_id,seq,kind,digest,applied_at", "", 17 },
	{ "sync_map", 1, "id,peer_id,type,remote_id,local_id,created_at", "", 17 },
	/* the standing duty (issue 17, h/notify): the roster, each person's
	 * channels and webhook (its key as a digest). Notifications and their
	 * deliveries are the log of what was sent, not records. */
	{ "duty_shifts", 1, "id,org_id,kind,days,start_min,end_min,starts_at,ends_at,primary_id,"
	  "backup_id,note,created_by,created_at", "", 19 },
	{ "notify_prefs", 2, "user_id,event,channels", "", 19 },
	{ "notify_webhooks", 1, "user_id,url,secret,updated_at", "secret", 19 },
	/* reports by email (issue 17 item 5, h/mail): what each message became,
	 * the triage of unknown senders, the quarantine, the replies */
	{ "mail_messages", 1, "id,message_id,direction,sender,subject,sha256,outcome,incident_id,"
	  "triage_id,created_at", "", 20 },
	{ "mail_triage", 1, "id,sender,subject,body,form,attachments,raw,status,incident_id,reason,"
	  "decided_by,decided_at,created_at", "raw", 20 },
	{ "mail_quarantine", 1, "id,reason,detail,sender,subject,size,sha256,raw,created_at", "raw",
	  20 },
	{ "mail_outbox", 1, "id,recipient,subject,body,message_id,in_reply_to,incident_id,status,"
	  "attempts,last_error,created_at,sent_at", "", 20 },
	/* federation (issue 16, h/sync-kinds): mirrors of other instances'
	 * incidents and what they sent that has no table of its own */
	{ "sync_mirrors", 1, "incident_id,peer_id,remote_id,instance,org_code,org_name,shared,"
	  "updated_at", "", 18 },
	{ "sync_received", 1, "id,peer_id,kind,remote_id,incident_id,payload,received_at,"
	  "withdrawn_at", "", 18 },
	/* the steps of a periodic report's approval (issue 17, h/duty) */
	{ "report_approvals", 1, "id,report_id,action,reason,by_id,at", "", 24 },
	/* syslog alerts (issue 17, h/syslog) */
	{ "alerts", 1, "id,org_id,source,host,kind,match_key,observed,severity,sample,count,"
	  "first_seen,last_seen,status,incident_id,reason,decided_by,decided_at,version,created_at,"
	  "updated_at", "", 21 },
	/* federation kinds (issue 16, h/fed-kinds): a warning's withdrawal */
	{ "warning_withdrawals", 1, "warning_id,reason,source,withdrawn_by,withdrawn_at", "", 22 },
	/* federation across versions (issue 16, h/fed-compat): envelopes of
	 * a kind this version does not know, kept until an upgrade applies
	 * them (the envelope as a digest, like the outbox's) */
	{ "sync_kept", 1, "id,peer_id,seq,kind,envelope,size,kept_at,applied_at,error,error_at",
	  "envelope", 28 },
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))

/* The lists above, split once (pthread_once). */
static struct tinfo {
	int ncol;
	char *col[MAX_COLS];
	int digest[MAX_COLS];
	int sorted[MAX_COLS]; /* column positions in the order of their names */
	char *select_all;     /* SELECT cols FROM t */
	char *select_one;     /* ... WHERE key = $1 [AND key2 = $2] */
	char *select_many;    /* PostgreSQL: ... WHERE key IN (the JSON array $1) */
} info[NTABLES];
static pthread_once_t info_once = PTHREAD_ONCE_INIT;

static int in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t l = c ? (size_t)(c - p) : strlen(p);
		if (l == n && strncmp(p, name, n) == 0)
			return 1;
		p += l + (c ? 1 : 0);
	}
	return 0;
}

static void info_build(void)
{
	for (size_t t = 0; t < NTABLES; t++) {
		struct tinfo *ti = &info[t];
		char sql[2048];
		size_t w;
		for (const char *p = tables[t].cols; *p && ti->ncol < MAX_COLS;) {
			const char *c = strchr(p, ',');
			size_t l = c ? (size_t)(c - p) : strlen(p);
			ti->col[ti->ncol] = strndup(p, l);
			ti->digest[ti->ncol] = in_list(tables[t].digest, ti->col[ti->ncol]);
			ti->ncol++;
			p += l + (c ? 1 : 0);
		}
		/* an image's keys go in sorted, so its text needs no sort when
		 * dumped (take_rows: a batch of the matcher seals 10,000 rows) */
		for (int i = 0; i < ti->ncol; i++) {
			int k = i;
			while (k > 0 && strcmp(ti->col[ti->sorted[k - 1]], ti->col[i]) > 0) {
				ti->sorted[k] = ti->sorted[k - 1];
				k--;
			}
			ti->sorted[k] = i;
		}
		w = (size_t)snprintf(sql, sizeof(sql), "SELECT %s FROM %s", tables[t].cols,
				     tables[t].name);
		ti->select_all = strdup(sql);
		if (tables[t].nkey == 1)
			snprintf(sql + w, sizeof(sql) - w, " WHERE %s = $1", ti->col[0]);
		else
			snprintf(sql + w, sizeof(sql) - w, " WHERE %s = $1 AND %s = $2", ti->col[0],
				 ti->col[1]);
		ti->select_one = strdup(sql);
		snprintf(sql + w, sizeof(sql) - w, " WHERE %s IN (SELECT json_array_elements_text("
			 "CAST($1 AS json)))", ti->col[0]);
		ti->select_many = strdup(sql);
	}
}

/* ---- the key and the per-connection state ---- */

struct audit_conn {
	unsigned char mac_key[32];
	char sk_hex[129], pk_hex[65];
	char checkpoint[4096];   /* "" for a database in memory */
	int ready;               /* the schema has audit_log.v and .rows */
	int baseline_checked;
	int audited_resolved;
	uint64_t audited_mask[NTABLES];
	unsigned char bulk[NTABLES];   /* PostgreSQL, one TEXT key: rows sealed in chunks */
	char actor[128];         /* who wrote the last entry of this transaction */
	int wrote;               /* entries added in this transaction */
	long long first_seq;     /* the first of them */
	int wrote_baseline;      /* one of them is the baseline */
	int cp_due;              /* after COMMIT: write the checkpoint for cp_seq */
	int cp_may_create;       /* ... even when the file is not there */
	long long last_seq;
	char last_hash[SHA256_HEX_LEN];
	int cp_fd;               /* the checkpoint file, opened at the first commit */
};

static char test_key[129];
static int setup_done;

int audit_key_path(const char *db, char *out, size_t n)
{
	return store_side_path(db, ".key", out, n);
}

int audit_checkpoint_path(const char *db, char *out, size_t n)
{
	return store_side_path(db, ".checkpoint", out, n);
}

static int read_key_file(const char *path, char sk[129])
{
	char buf[256];
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n ")] = '\0';
	int ok = strlen(buf) == 128 && strspn(buf, "0123456789abcdef") == 128;
	if (ok)
		memcpy(sk, buf, 129);
	sodium_memzero(buf, sizeof(buf));
	return ok ? 0 : -1;
}

static void conn_release(void *arg)
{
	struct audit_conn *ac = arg;
	if (ac) {
		if (ac->cp_fd >= 0)
			close(ac->cp_fd);
		sodium_memzero(ac, sizeof(*ac));
		free(ac);
	}
}

static int before_commit(struct store *s, void *arg, struct err *e);
static void after_commit(struct store *s, void *arg);

static int attach(struct store *s, const char *location, struct err *e)
{
	char path[4096];
	unsigned char seed[crypto_sign_SEEDBYTES];
	pthread_once(&info_once, info_build);
	struct audit_conn *ac = calloc(1, sizeof(*ac));
	if (ac == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	ac->cp_fd = -1;
	if (test_key[0]) {
		memcpy(ac->sk_hex, test_key, sizeof(ac->sk_hex));
	} else if (audit_key_path(location, path, sizeof(path)) != 0 ||
		   read_key_file(path, ac->sk_hex) != 0) {
		conn_release(ac);
		return err_set(e, E_IO, MSG_AUDIT_NO_KEY, path);
	}
	if (strcmp(location, ":memory:") != 0)
		audit_checkpoint_path(location, ac->checkpoint, sizeof(ac->checkpoint));
	/* The secret key is seed || public key; the MAC key is derived from the
	 * seed so it never equals the signing key. */
	memcpy(ac->pk_hex, ac->sk_hex + 64, 64);
	sodium_hex2bin(seed, sizeof(seed), ac->sk_hex, 64, NULL, NULL, NULL);
	crypto_generichash(ac->mac_key, sizeof(ac->mac_key), (const unsigned char *)"ungcuu audit mac 1",
			   18, seed, sizeof(seed));
	sodium_memzero(seed, sizeof(seed));
	for (size_t t = 0; t < NTABLES; t++)
		if (store_watch(s, tables[t].name, tables[t].nkey, e) < 0) {
			conn_release(ac);
			return -1;
		}
	struct store_hooks h = { .arg = ac, .before_commit = before_commit,
				 .after_commit = after_commit, .release = conn_release };
	store_set_hooks(s, &h);
	return 0;
}

int audit_instance_key(struct store *s, char sk_hex[129])
{
	struct audit_conn *ac = setup_done ? store_hooks_arg(s) : NULL;
	if (ac == NULL || ac->sk_hex[0] == '\0')
		return -1;
	memcpy(sk_hex, ac->sk_hex, 129);
	return 0;
}

void audit_setup(const char *test_sk_hex)
{
	if (setup_done)
		return;
	setup_done = 1;
	if (test_sk_hex)
		snprintf(test_key, sizeof(test_key), "%s", test_sk_hex);
	store_set_open_hook(attach);
}

/* The attached state of this connection, or NULL. */
static struct audit_conn *conn_of(struct store *s)
{
	return setup_done ? store_hooks_arg(s) : NULL;
}

/* ---- hashing ---- */

static void put_field(struct sha256_ctx *h, const char *v)
{
	char len[32];
	if (v == NULL) {
		sha256_update(h, "-;", 2);
		return;
	}
	size_t n = strlen(v);
	int w = snprintf(len, sizeof(len), "%zu:", n);
	sha256_update(h, len, (size_t)w);
	sha256_update(h, v, n);
	sha256_update(h, ";", 1);
}

/* "<n>:" without printf (this runs for every field of every entry). */
static size_t len_prefix(size_t n, char out[32])
{
	char tmp[32];
	size_t k = 0, w = 0;
	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	while (k)
		out[w++] = tmp[--k];
	out[w++] = ':';
	return w;
}

static void mac_field(struct sha256_ctx *h, const char *v)
{
	char len[32];
	if (v == NULL) {
		sha256_update(h, "-;", 2);
		return;
	}
	size_t n = strlen(v);
	sha256_update(h, len, len_prefix(n, len));
	sha256_update(h, v, n);
	sha256_update(h, ";", 1);
}

struct entry {
	long long seq, at;
	const char *actor, *action, *entity, *entity_id, *before, *after, *rows, *prev;
};

/* v1: plain SHA-256, as before migration 005 (kept to check old entries). */
static void entry_hash_v1(const struct entry *x, char out[SHA256_HEX_LEN])
{
	char num[64];
	struct sha256_ctx *h = sha256_begin();
	snprintf(num, sizeof(num), "%lld|%lld|", x->seq, x->at);
	sha256_update(h, num, strlen(num));
	put_field(h, x->actor);
	put_field(h, x->action);
	put_field(h, x->entity);
	put_field(h, x->entity_id);
	put_field(h, x->before);
	put_field(h, x->after);
	put_field(h, x->prev);
	sha256_end(h, out);
}

/* v2: HMAC-SHA-256 (RFC 2104) with the instance's audit key over every
 * field, on OpenSSL's SHA-256 (hardware speed: verify hashes the whole log). */
static void entry_hash_v2(const struct audit_conn *ac, const struct entry *x,
			  char out[SHA256_HEX_LEN])
{
	char num[64], inner_hex[SHA256_HEX_LEN];
	unsigned char pad[64], inner[32];
	struct sha256_ctx *h = sha256_begin();
	memset(pad, 0x36, sizeof(pad));
	for (size_t i = 0; i < sizeof(ac->mac_key); i++)
		pad[i] ^= ac->mac_key[i];
	sha256_update(h, pad, sizeof(pad));
	int w = snprintf(num, sizeof(num), "v2|%lld|%lld|", x->seq, x->at);
	sha256_update(h, num, (size_t)w);
	mac_field(h, x->actor);
	mac_field(h, x->action);
	mac_field(h, x->entity);
	mac_field(h, x->entity_id);
	mac_field(h, x->before);
	mac_field(h, x->after);
	mac_field(h, x->rows);
	mac_field(h, x->prev);
	sha256_end(h, inner_hex);
	sodium_hex2bin(inner, sizeof(inner), inner_hex, 64, NULL, NULL, NULL);
	memset(pad, 0x5c, sizeof(pad));
	for (size_t i = 0; i < sizeof(ac->mac_key); i++)
		pad[i] ^= ac->mac_key[i];
	h = sha256_begin();
	sha256_update(h, pad, sizeof(pad));
	sha256_update(h, inner, sizeof(inner));
	sha256_end(h, out);
	sodium_memzero(pad, sizeof(pad));
}

/* ---- row images ---- */

/*
 * The value a cell has in an image: its text, or "sha256:<hex>" of its bytes
 * for digest columns and for bytes that are not UTF-8 text. NULL stays NULL.
 * cell_value gives it as bytes (tagged is the buffer for the digest form);
 * cell_json as JSON; both agree by construction.
 */
#define TAGGED_LEN (SHA256_HEX_LEN + 8)
static const char *cell_value(struct stmt *st, int i, int digest, char tagged[TAGGED_LEN],
			      size_t *len)
{
	char hex[SHA256_HEX_LEN];
	size_t n;
	if (stmt_isnull(st, i))
		return NULL;
	const void *p = stmt_blob(st, i, &n);
	if (p == NULL)
		p = "";
	if (!digest && utf8_valid(p, n)) {
		*len = n;
		return p;
	}
	sha256_hex(p, n, hex);
	*len = (size_t)snprintf(tagged, TAGGED_LEN, "sha256:%s", hex);
	return tagged;
}

static json_t *cell_json(struct stmt *st, int i, int digest)
{
	char tagged[TAGGED_LEN];
	size_t n = 0;
	const char *v = cell_value(st, i, digest, tagged, &n);
	return v ? json_stringn_nocheck(v, n) : json_null();
}

/* Digest of an image (columns in the table's order); equal images, equal digests. */
#define IMG_LEN 16
static void digest_feed(crypto_generichash_state *h, const char *v, size_t n, int missing)
{
	char len[32];
	if (v == NULL) {
		crypto_generichash_update(h, (const unsigned char *)(missing ? "?;" : "-;"), 2);
		return;
	}
	crypto_generichash_update(h, (const unsigned char *)len, len_prefix(n, len));
	crypto_generichash_update(h, (const unsigned char *)v, n);
}

static void image_digest(size_t t, const json_t *img, unsigned char out[IMG_LEN])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, IMG_LEN);
	for (int i = 0; i < info[t].ncol; i++) {
		const json_t *v = json_object_get(img, info[t].col[i]);
		if (json_is_string(v))
			digest_feed(&h, json_string_value(v), json_string_length(v), 0);
		else
			digest_feed(&h, NULL, 0, v == NULL || !json_is_null(v));
	}
	/* A column the table does not have must not pass unseen. */
	if (json_object_size(img) != (size_t)info[t].ncol)
		crypto_generichash_update(&h, (const unsigned char *)"#extra", 6);
	crypto_generichash_final(&h, out, IMG_LEN);
}

/* The same digest straight from a row (no JSON): the verifier's scan. */
static void row_digest(size_t t, struct stmt *st, unsigned char out[IMG_LEN])
{
	crypto_generichash_state h;
	char tagged[TAGGED_LEN];
	crypto_generichash_init(&h, NULL, 0, IMG_LEN);
	for (int i = 0; i < info[t].ncol; i++) {
		size_t n = 0;
		const char *v = cell_value(st, i, info[t].digest[i], tagged, &n);
		digest_feed(&h, v, n, 0);
	}
	crypto_generichash_final(&h, out, IMG_LEN);
}

/* The image of the row st is on (columns of select_*), its keys in sorted
 * order: dumped as it is, it reads as with JSON_SORT_KEYS. */
static json_t *row_image(size_t t, struct stmt *st)
{
	json_t *img = json_object();
	for (int k = 0; img && k < info[t].ncol; k++) {
		int i = info[t].sorted[k];
		json_object_set_new(img, info[t].col[i], cell_json(st, i, info[t].digest[i]));
	}
	return img;
}

static char *key_join(size_t t, const char *k0, const char *k1)
{
	size_t n = strlen(k0) + (k1 ? strlen(k1) : 0) + 2;
	char *k = malloc(n);
	int two = tables[t].nkey == 2;
	if (k)
		snprintf(k, n, "%s%s%s", k0, two ? "/" : "", two && k1 ? k1 : "");
	return k;
}

/* ---- sealing: the rows a transaction wrote go into an entry ---- */

static int change_cmp(const void *a, const void *b)
{
	const struct store_change *x = a, *y = b;
	if (x->table != y->table)
		return x->table < y->table ? -1 : 1;
	int c = strcmp(x->key[0], y->key[0]);
	if (c == 0 && x->key[1] && y->key[1])
		c = strcmp(x->key[1], y->key[1]);
	return c;
}

/* Which columns of each table (by position) are in its image: an update
 * of other columns (login counters, a column added later) needs no entry. */
static int resolve_audited(struct store *s, struct audit_conn *ac, struct err *e)
{
	int pg = strcmp(store_backend(s), "postgresql") == 0;
	for (size_t t = 0; t < NTABLES; t++) {
		ac->audited_mask[t] = 0;
		ac->bulk[t] = 0;
		struct stmt *st = store_query(s, e, "SELECT cid, name, type FROM pragma_table_info($1)",
					      "t", tables[t].name);
		if (st == NULL)
			return -1;
		int rc;
		while ((rc = stmt_step(st, e)) == 1) {
			int64_t cid = stmt_int(st, 0);
			const char *type = stmt_text(st, 2);
			if (cid == 0 && tables[t].nkey == 1 && pg && type && strcmp(type, "text") == 0)
				ac->bulk[t] = 1;
			if (in_list(tables[t].cols, stmt_text(st, 1)) || cid >= 63)
				ac->audited_mask[t] |= 1ULL << (cid < 63 ? cid : 63);
		}
		stmt_done(st);
		if (rc < 0)
			return -1;
	}
	ac->audited_resolved = 1;
	return 0;
}

/* ", " between the rows of an entry's "[row,row,...]" (JSON_COMPACT). */
static int row_sep(struct buf *rows)
{
	return buf_adds(rows, rows->len > 1 ? "," : "");
}

/* One [table, key, image|null] for the current state of a row, appended
 * to the entry's text as json_dumps would write it in the array. */
static int seal_row(struct store *s, size_t t, const char *k0, const char *k1, struct buf *rows,
		    struct err *e)
{
	struct stmt *st = tables[t].nkey == 1
		? store_query(s, e, info[t].select_one, "t", k0)
		: store_query(s, e, info[t].select_one, "tt", k0, k1 ? k1 : "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	json_t *img = rc == 1 ? row_image(t, st) : json_null();
	stmt_done(st);
	char *key = key_join(t, k0, k1);
	if (rc < 0 || img == NULL || key == NULL) {
		json_decref(img);
		free(key);
		return rc < 0 ? -1 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	json_t *row = json_pack("[s, s, o]", tables[t].name, key, img);
	char *text = row ? json_dumps(row, JSON_COMPACT) : NULL;
	int ok = text && row_sep(rows) == 0 && buf_adds(rows, text) == 0;
	json_decref(row);
	free(text);
	free(key);
	return ok ? 0 : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
}

/* s as a JSON string, escaped as jansson's json_dumps does (", \, the
 * control characters with upper-case hex; UTF-8 as it is). */
static int json_str(struct buf *b, const char *s, size_t n)
{
	return buf_add_json_string(b, s, n, 1);
}

/* The image of the row st is on as JSON text, as json_dumps(row_image)
 * writes it (keys in order, compact): with no JSON objects made, for the
 * thousands of rows a batch seals at once. */
static int image_text(size_t t, struct stmt *st, struct buf *b)
{
	char tagged[TAGGED_LEN];
	int rc = buf_add(b, "{", 1);
	for (int k = 0; rc == 0 && k < info[t].ncol; k++) {
		int i = info[t].sorted[k];
		size_t n = 0;
		const char *v = cell_value(st, i, info[t].digest[i], tagged, &n);
		rc = (k ? buf_add(b, ",", 1) : 0) || json_str(b, info[t].col[i], strlen(info[t].col[i])) ||
		     buf_add(b, ":", 1) || (v ? json_str(b, v, n) : buf_adds(b, "null"));
	}
	return rc == 0 ? buf_add(b, "}", 1) : -1;
}

struct sealed {
	char *key;
	char *img;     /* its image as JSON text */
};

static int sealed_cmp(const void *a, const void *b)
{
	return strcmp(((const struct sealed *)a)->key, ((const struct sealed *)b)->key);
}

/* The [table, key, image|null] of n rows of a table with one TEXT key,
 * keys sorted and unique, in one query (PostgreSQL: a round trip per row
 * was most of the time of writing a batch of findings). */
#define SEAL_CHUNK 5000
static int seal_many(struct store *s, size_t t, struct store_change *const *ch, size_t n,
		     struct buf *rows, struct err *e)
{
	json_t *keys = json_array();
	struct sealed *got = calloc(n ? n : 1, sizeof(*got));
	size_t ngot = 0;
	char *text = NULL;
	int rc = -1;
	for (size_t i = 0; keys && i < n; i++)
		json_array_append_new(keys, json_string(ch[i]->key[0]));
	text = keys && got ? json_dumps(keys, JSON_COMPACT) : NULL;
	if (text == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	struct stmt *st = store_query(s, e, info[t].select_many, "t", text);
	if (st == NULL)
		goto out;
	int step;
	while ((step = stmt_step(st, e)) == 1 && ngot < n) {
		struct buf img;
		buf_init(&img, (size_t)1 << 30);
		const char *key = stmt_text(st, 0);
		got[ngot].key = key ? strdup(key) : NULL;
		if (got[ngot].key == NULL || image_text(t, st, &img) != 0) {
			free(got[ngot].key);
			buf_release(&img);
			step = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
		got[ngot++].img = buf_detach(&img, NULL);
	}
	stmt_done(st);
	if (step < 0)
		goto out;
	if (ngot > 1)
		qsort(got, ngot, sizeof(*got), sealed_cmp);
	/* The keys in the order of the changes (strcmp), a row or null each. */
	rc = 0;
	for (size_t i = 0, k = 0; rc == 0 && i < n; i++) {
		while (k < ngot && strcmp(got[k].key, ch[i]->key[0]) < 0)
			k++;
		int found = k < ngot && strcmp(got[k].key, ch[i]->key[0]) == 0;
		const char *name = tables[t].name, *key = ch[i]->key[0];
		rc = row_sep(rows) || buf_add(rows, "[", 1) || json_str(rows, name, strlen(name)) ||
		     buf_add(rows, ",", 1) || json_str(rows, key, strlen(key)) ||
		     buf_add(rows, ",", 1) || buf_adds(rows, found ? got[k].img : "null") ||
		     buf_add(rows, "]", 1) ? err_set(e, E_NOMEM, MSG_INTERNAL, NULL) : 0;
	}
out:
	for (size_t i = 0; i < ngot; i++) {
		free(got[i].key);
		free(got[i].img);
	}
	free(got);
	free(text);
	json_decref(keys);
	return rc;
}

/* The rows written since the last entry, as JSON text (NULL: none). */
static int take_rows(struct store *s, struct audit_conn *ac, char **out, struct err *e)
{
	struct store_change *ch = NULL, **sel = NULL;
	size_t n = store_changes_take(s, &ch), nsel = 0;
	int rc = -1;
	struct buf rows;
	buf_init(&rows, (size_t)1 << 31);
	*out = NULL;
	if (n == 0) {
		rc = 0;
		goto out;
	}
	if (!ac->audited_resolved && resolve_audited(s, ac, e) != 0)
		goto out;
	if (n > 1) /* qsort(NULL, 0) is undefined */
		qsort(ch, n, sizeof(*ch), change_cmp);
	sel = malloc(n * sizeof(*sel));
	if (buf_add(&rows, "[", 1) != 0 || sel == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		/* Each row once; a key changed by any write counts for all. */
		uint64_t changed = ch[i].changed;
		while (i + 1 < n && change_cmp(&ch[i], &ch[i + 1]) == 0)
			changed |= ch[++i].changed;
		if ((changed & ac->audited_mask[ch[i].table]) != 0)
			sel[nsel++] = &ch[i];
	}
	for (size_t i = 0; i < nsel;) {
		size_t t = (size_t)sel[i]->table, j = i + 1;
		while (j < nsel && (size_t)sel[j]->table == t && j - i < SEAL_CHUNK)
			j++;
		if (ac->bulk[t] && j - i > 1) {
			if (seal_many(s, t, sel + i, j - i, &rows, e) != 0)
				goto out;
			i = j;
			continue;
		}
		if (seal_row(s, t, sel[i]->key[0], sel[i]->key[1], &rows, e) != 0)
			goto out;
		i++;
	}
	/* "[row,row,...]" as json_dumps(JSON_COMPACT) of the array would be */
	if (rows.len > 1) {
		if (buf_add(&rows, "]", 1) != 0) {
			err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			goto out;
		}
		*out = buf_detach(&rows, NULL);
	}
	rc = 0;
out:
	buf_release(&rows);
	free(sel);
	store_changes_free(ch, n);
	return rc;
}

static int is_ready(struct store *s, struct audit_conn *ac)
{
	if (!ac->ready)
		ac->ready = store_schema_version(s) >= AUDIT_SCHEMA;
	return ac->ready;
}

static int write_entry(struct store *s, struct audit_conn *ac, const char *actor,
		       const char *action, const char *entity, const char *entity_id,
		       const char *before, const char *after, const char *rows, struct err *e)
{
	char prev[SHA256_HEX_LEN] = GENESIS, hash[SHA256_HEX_LEN];
	long long seq = 1;
	struct stmt *st = store_query(s, e,
		"SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		seq = stmt_int(st, 0) + 1;
		snprintf(prev, sizeof(prev), "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	struct entry x = { seq, time_now_ms(), actor, action, entity, entity_id, before, after,
			   rows, prev };
	int v = ac && ac->ready ? 2 : 1;
	if (v == 2)
		entry_hash_v2(ac, &x, hash);
	else
		entry_hash_v1(&x, hash);
	if (v == 2 ? store_run(s, e, "INSERT INTO audit_log (seq, at, actor, action, entity, "
			       "entity_id, before, after, prev_hash, hash, v, rows) VALUES "
			       "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 2, $11)", "iitttttttt" "t",
			       (int64_t)seq, (int64_t)x.at, actor, action, entity, entity_id,
			       before, after, prev, hash, rows) < 0
		   : store_run(s, e, "INSERT INTO audit_log (seq, at, actor, action, entity, "
			       "entity_id, before, after, prev_hash, hash) VALUES "
			       "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", "iittttttt" "t",
			       (int64_t)seq, (int64_t)x.at, actor, action, entity, entity_id,
			       before, after, prev, hash) < 0)
		return -1;
	if (store_run(s, e, "INSERT INTO meta (key, value) VALUES ('audit_head', $1) "
		      "ON CONFLICT (key) DO UPDATE SET value = excluded.value", "t", hash) < 0)
		return -1;
	if (ac) {
		if (!ac->wrote)
			ac->first_seq = seq;
		ac->wrote = 1;
		ac->last_seq = seq;
		snprintf(ac->last_hash, sizeof(ac->last_hash), "%s", hash);
	}
	return 0;
}

/*
 * A database that had audited rows before its log was keyed (migration
 * 005) gets one entry with all of them as they stand: from here on the log
 * vouches for them. Checked once per connection.
 */
static int baseline(struct store *s, struct audit_conn *ac, struct err *e)
{
	ac->baseline_checked = 1;
	int has = 0, rc;
	struct stmt *st = store_query(s, e, "SELECT 1 FROM audit_log WHERE v = 2 LIMIT 1", "");
	if (st == NULL)
		return -1;
	rc = stmt_step(st, e);
	stmt_done(st);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	json_t *rows = json_array();
	/* Run by the commit of migration 005 on a new database: tables that
	 * later migrations create are not there yet (and empty once they are). */
	int schema = store_schema_version(s);
	for (size_t t = 0; t < NTABLES && !has; t++) {
		if (tables[t].since > schema)
			continue;
		st = store_query(s, e, info[t].select_all, "");
		if (st == NULL)
			goto fail;
		while ((rc = stmt_step(st, e)) == 1) {
			char *key = key_join(t, stmt_text(st, 0), tables[t].nkey == 2 ? stmt_text(st, 1) : NULL);
			json_t *img = row_image(t, st);
			if (key && img)
				json_array_append_new(rows, json_pack("[s, s, o]", tables[t].name, key, img));
			else
				json_decref(img);
			free(key);
		}
		stmt_done(st);
		if (rc < 0)
			goto fail;
	}
	rc = 0;
	if (json_array_size(rows) > 0) {
		char *text = json_dumps(rows, JSON_COMPACT | JSON_SORT_KEYS);
		rc = text ? write_entry(s, ac, "system", "audit.baseline", "audit", "*", NULL, NULL,
					text, e) : err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		ac->wrote_baseline = rc == 0;
		free(text);
	}
	json_decref(rows);
	return rc;
fail:
	json_decref(rows);
	return -1;
}

/* Before COMMIT: rows written after the transaction's last entry (or in a
 * transaction that wrote none) get an entry of their own. */
static int before_commit(struct store *s, void *arg, struct err *e)
{
	struct audit_conn *ac = arg;
	char *rows = NULL;
	if (!is_ready(s, ac)) {
		struct store_change *ch = NULL;
		size_t nch = store_changes_take(s, &ch); /* before ch is read: */
		store_changes_free(ch, nch);             /* argument order is unspecified */
		return 0;
	}
	if (!ac->baseline_checked && baseline(s, ac, e) != 0)
		return -1;
	if (ac->wrote_baseline) {
		/* The baseline holds every audited row as it stands at this
		 * commit, this transaction's changes included (all migrations
		 * run in one transaction, so a new database's seeded rows are
		 * both): sealing them twice would say nothing more. */
		struct store_change *ch = NULL;
		size_t nch = store_changes_take(s, &ch); /* before ch is read: */
		store_changes_free(ch, nch);             /* argument order is unspecified */
	} else if (take_rows(s, ac, &rows, e) != 0) {
		return -1;
	}
	int rc = 0;
	if (rows)
		rc = write_entry(s, ac, ac->actor[0] ? ac->actor : "system", "rows", "rows", "*",
				 NULL, NULL, rows, e);
	free(rows);
	ac->actor[0] = '\0';
	/* What the checkpoint will say once this commits. A transaction rolled
	 * back leaves `wrote` set: the next commit then anchors the real head,
	 * which is harmless. A missing file is made again only by the first
	 * entries of a log (or its baseline): otherwise someone removed it, and
	 * writing a new one would vouch for whatever the log is now. */
	ac->cp_due = ac->wrote;
	ac->cp_may_create = ac->wrote && (ac->first_seq == 1 || ac->wrote_baseline);
	ac->wrote = ac->wrote_baseline = 0;
	if (rc == 0 && ac->cp_due) {
		struct stmt *st = store_query(s, e, "SELECT seq, hash FROM audit_log "
					      "ORDER BY seq DESC LIMIT 1", "");
		if (st == NULL)
			return -1;
		rc = stmt_step(st, e);
		if (rc == 1) {
			ac->last_seq = stmt_int(st, 0);
			snprintf(ac->last_hash, sizeof(ac->last_hash), "%s", stmt_text(st, 1));
		}
		ac->cp_due = rc == 1;
		stmt_done(st);
		rc = rc < 0 ? -1 : 0;
	}
	return rc;
}

/* ---- checkpoints ---- */

/*
 * <db>.checkpoint holds two fixed-size records, each "ungcuu-audit-checkpoint
 * 1 COUNT HEAD AT SIGNATURE" padded to CP_SLOT bytes; the record for count n
 * goes to slot n % 2 with one pwrite on a descriptor kept open. No file is
 * created or renamed per commit (that cost more than the commit's fsync),
 * a torn write can only damage the slot being written, and writers of two
 * processes never write the same slot for consecutive counts. The valid
 * record with the highest count counts.
 */
#define CP_SLOT 320

static int checkpoint_record(const struct audit_conn *ac, long long count, const char *head,
			     char out[CP_SLOT])
{
	char msg[256], sig[129];
	int n = snprintf(msg, sizeof(msg), "%s %lld %s %lld", CHECKPOINT_MAGIC, count, head,
			 (long long)time_now_ms());
	if (n <= 0 || ed25519_sign_hex(ac->sk_hex, msg, (size_t)n, sig) != 0)
		return -1;
	memset(out, ' ', CP_SLOT);
	n = snprintf(out, CP_SLOT, "%s %s", msg, sig);
	if (n <= 0 || n >= CP_SLOT - 1)
		return -1;
	out[n] = ' ';
	out[CP_SLOT - 1] = '\n';
	return 0;
}

static int checkpoint_pwrite(const struct audit_conn *ac, int fd, long long count,
			     const char *head, int slot)
{
	char rec[CP_SLOT];
	if (checkpoint_record(ac, count, head, rec) != 0)
		return -1;
	return pwrite(fd, rec, CP_SLOT, (off_t)slot * CP_SLOT) == CP_SLOT ? 0 : -1;
}

static int checkpoint_put(const struct audit_conn *ac, const char *path, long long count,
			  const char *head, struct err *e)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, E_IO, MSG_IO, path);
	/* The same record in both slots: nothing older of another file survives. */
	char rec[CP_SLOT];
	int ok = checkpoint_record(ac, count, head, rec) == 0 &&
		 pwrite(fd, rec, CP_SLOT, 0) == CP_SLOT && pwrite(fd, rec, CP_SLOT, CP_SLOT) == CP_SLOT;
	ok = close(fd) == 0 && ok;
	return ok ? 0 : err_set(e, E_IO, MSG_IO, path);
}

/* After COMMIT, still holding the writers' queue: the newest entry is
 * durable (synchronous=FULL), so the checkpoint never runs ahead of the
 * log. A crash before the write leaves it one commit behind, which verify
 * accepts; entries past it are still keyed. */
static void after_commit(struct store *s, void *arg)
{
	struct audit_conn *ac = arg;
	char buf[2 * CP_SLOT + 1];
	(void)s;
	if (!ac->cp_due || ac->checkpoint[0] == '\0')
		return;
	ac->cp_due = 0;
	/* Removed or replaced since it was opened: look again. */
	struct stat a, b;
	if (ac->cp_fd >= 0 && (stat(ac->checkpoint, &a) != 0 || fstat(ac->cp_fd, &b) != 0 ||
			       a.st_ino != b.st_ino || a.st_dev != b.st_dev)) {
		close(ac->cp_fd);
		ac->cp_fd = -1;
	}
	if (ac->cp_fd < 0)
		ac->cp_fd = open(ac->checkpoint, O_RDWR | O_CLOEXEC);
	if (ac->cp_fd < 0 && errno == ENOENT && ac->cp_may_create)
		ac->cp_fd = open(ac->checkpoint, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (ac->cp_fd < 0)
		return;   /* audit-verify reports it */
	/* Never backwards: a higher count there means another writer is ahead,
	 * or the log was cut under us; either way this record must not replace
	 * it. (Read without checking signatures: it only holds a write back.) */
	ssize_t n = pread(ac->cp_fd, buf, 2 * CP_SLOT, 0);
	for (int slot = 0; n > 0 && slot * CP_SLOT < n; slot++) {
		char magic[64], ver[8];
		long long count = 0;
		buf[n] = '\0';
		if (sscanf(buf + slot * CP_SLOT, "%63s %7s %lld", magic, ver, &count) == 3 &&
		    count > ac->last_seq)
			return;
	}
	/* A new (or short) file gets the record in both slots. */
	if (n < 2 * CP_SLOT)
		checkpoint_pwrite(ac, ac->cp_fd, ac->last_seq, ac->last_hash,
				  (int)((ac->last_seq + 1) % 2));
	checkpoint_pwrite(ac, ac->cp_fd, ac->last_seq, ac->last_hash, (int)(ac->last_seq % 2));
}

struct checkpoint {
	long long count, at;
	char head[SHA256_HEX_LEN];
	int state;   /* 0 none, 1 valid, -1 unreadable or bad signature */
	int damaged; /* slots present but not valid */
};

static int checkpoint_parse(const struct audit_conn *ac, const char *rec, long long *count,
			    char head[SHA256_HEX_LEN], long long *at)
{
	char msg[256], magic[64], ver[8], sig[160], h[80];
	if (sscanf(rec, "%63s %7s %lld %79s %lld %159s", magic, ver, count, h, at, sig) != 6 ||
	    strlen(h) != 64)
		return -1;
	size_t n = (size_t)snprintf(msg, sizeof(msg), "%s %s %lld %s %lld", magic, ver, *count, h, *at);
	if (strncmp(rec, msg, n) != 0 || rec[n] != ' ' ||
	    strncmp(msg, CHECKPOINT_MAGIC " ", strlen(CHECKPOINT_MAGIC) + 1) != 0 ||
	    !ed25519_verify_hex(ac->pk_hex, sig, msg, n))
		return -1;
	memcpy(head, h, SHA256_HEX_LEN);
	return 0;
}

static void checkpoint_read(const struct audit_conn *ac, const char *path, struct checkpoint *c)
{
	char buf[2 * CP_SLOT + 1];
	memset(c, 0, sizeof(*c));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		c->state = errno == ENOENT ? 0 : -1;
		return;
	}
	ssize_t n = read(fd, buf, 2 * CP_SLOT);
	close(fd);
	c->state = -1;
	for (int slot = 0; slot < 2; slot++) {
		char rec[CP_SLOT + 1], head[SHA256_HEX_LEN];
		long long count, at;
		if (n < (slot + 1) * CP_SLOT) {
			c->damaged++;
			continue;
		}
		memcpy(rec, buf + slot * CP_SLOT, CP_SLOT);
		rec[CP_SLOT] = '\0';
		if (checkpoint_parse(ac, rec, &count, head, &at) != 0) {
			c->damaged++;
			continue;
		}
		if (c->state != 1 || count > c->count) {
			c->state = 1;
			c->count = count;
			c->at = at;
			memcpy(c->head, head, SHA256_HEX_LEN);
		}
	}
}

int audit_checkpoint_write(struct store *db, const char *path, struct err *e)
{
	struct audit_conn *ac = conn_of(db);
	if (ac == NULL)
		return err_set(e, E_IO, MSG_AUDIT_NO_KEY, path);
	long long count = 0;
	char head[SHA256_HEX_LEN] = GENESIS;
	struct stmt *st = store_query(db, e, "SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1) {
		count = stmt_int(st, 0);
		snprintf(head, sizeof(head), "%s", stmt_text(st, 1));
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	return checkpoint_put(ac, path, count, head, e);
}

/* ---- appending ---- */

int audit_append(struct ctx *c, const char *action, const char *entity,
		 const char *entity_id, const char *before, const char *after,
		 struct err *e)
{
	struct audit_conn *ac = conn_of(c->db);
	const char *who = c->actor ? c->actor->username : "system";
	char *rows = NULL;
	if (ac && is_ready(c->db, ac)) {
		if (!ac->baseline_checked && baseline(c->db, ac, e) != 0)
			return -1;
		if (take_rows(c->db, ac, &rows, e) != 0)
			return -1;
		snprintf(ac->actor, sizeof(ac->actor), "%s", who);
	}
	int rc = write_entry(c->db, ac, who, action, entity, entity_id, before, after, rows, e);
	free(rows);
	return rc;
}

int audit_append_json(struct ctx *c, const char *action, const char *entity,
		      const char *entity_id, const json_t *before,
		      const json_t *after, struct err *e)
{
	size_t flags = JSON_COMPACT | JSON_SORT_KEYS;
	char *b = before ? json_dumps(before, flags) : NULL;
	char *a = after ? json_dumps(after, flags) : NULL;
	int rc = audit_append(c, action, entity, entity_id, b, a, e);
	free(b);
	free(a);
	return rc;
}

/* ---- verifying ---- */

/* What the log says a row became: replayed into an open-addressing table. */
struct slot {
	char *key;             /* NULL: empty slot */
	int table;
	int deleted, seen;
	long long seq;         /* the entry that wrote it last */
	unsigned char img[IMG_LEN];
};

struct state {
	struct slot *s;
	size_t cap, n;
};

static uint64_t slot_hash(int table, const char *key)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)table;
	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return h;
}

static struct slot *state_find(struct state *st, int table, const char *key, int add)
{
	if (add && (st->n + 1) * 2 > st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4096;
		struct slot *n = calloc(cap, sizeof(*n));
		if (n == NULL)
			return NULL;
		for (size_t i = 0; i < st->cap; i++) {
			if (st->s[i].key == NULL)
				continue;
			size_t j = slot_hash(st->s[i].table, st->s[i].key) & (cap - 1);
			while (n[j].key)
				j = (j + 1) & (cap - 1);
			n[j] = st->s[i];
		}
		free(st->s);
		st->s = n;
		st->cap = cap;
	}
	if (st->cap == 0)
		return NULL;
	size_t j = slot_hash(table, key) & (st->cap - 1);
	while (st->s[j].key) {
		if (st->s[j].table == table && strcmp(st->s[j].key, key) == 0)
			return &st->s[j];
		j = (j + 1) & (st->cap - 1);
	}
	if (!add)
		return NULL;
	st->s[j].key = strdup(key);
	if (st->s[j].key == NULL)
		return NULL;
	st->s[j].table = table;
	st->n++;
	return &st->s[j];
}

static void state_free(struct state *st)
{
	for (size_t i = 0; i < st->cap; i++)
		free(st->s[i].key);
	free(st->s);
}

static int table_index(const char *name)
{
	for (size_t t = 0; name && t < NTABLES; t++)
		if (strcmp(tables[t].name, name) == 0)
			return (int)t;
	return -1;
}

static void problem(struct audit_result *r, const char *kind, const char *table,
		    const char *id, const char *field, long long seq, const char *detail)
{
	r->problems++;
	if (r->why[0] == '\0' && table == NULL)
		snprintf(r->why, sizeof(r->why), "%s", detail);
	else if (r->why[0] == '\0')
		snprintf(r->why, sizeof(r->why), "%s %s: %s%s%s", kind, table, id ? id : "",
			 field ? " " : "", field ? field : "");
	if (r->report == NULL)
		r->report = json_array();
	if (r->report == NULL || json_array_size(r->report) >= AUDIT_REPORT_MAX)
		return;
	json_t *p = json_pack("{s:s, s:s?, s:s?, s:s?, s:s}", "kind", kind, "table", table,
			      "id", id, "field", field, "detail", detail);
	if (p && seq > 0)
		json_object_set_new(p, "seq", json_integer(seq));
	json_array_append_new(r->report, p);
}

static void chain_problem(struct audit_result *r, long long seq, const char *detail)
{
	char d[160];
	if (r->first_bad == 0)
		r->first_bad = seq;
	snprintf(d, sizeof(d), "entry %lld: %s", seq, detail);
	problem(r, "chain", NULL, NULL, NULL, seq, d);
}

/* Applies an authentic entry's rows to the replayed state. */
static int replay_rows(struct state *sp, const char *rows, long long seq, struct audit_result *r)
{
	json_error_t je;
	json_t *a = json_loads(rows, 0, &je);
	size_t i;
	json_t *it;
	if (!json_is_array(a)) {
		json_decref(a);
		chain_problem(r, seq, "rows unreadable");
		return 0;
	}
	json_array_foreach(a, i, it) {
		int t = table_index(json_string_value(json_array_get(it, 0)));
		const char *key = json_string_value(json_array_get(it, 1));
		json_t *img = json_array_get(it, 2);
		if (t < 0 || key == NULL)
			continue;   /* a table no longer audited */
		struct slot *sl = state_find(sp, t, key, 1);
		if (sl == NULL) {
			json_decref(a);
			return -1;
		}
		sl->seq = seq;
		sl->deleted = !json_is_object(img);
		if (!sl->deleted)
			image_digest((size_t)t, img, sl->img);
	}
	json_decref(a);
	return 0;
}

/* Pass 1: order, links, keys; replays the rows of every authentic entry. */
static int check_chain(struct store *db, struct audit_conn *ac, struct state *sp,
		       struct audit_result *r, char last[SHA256_HEX_LEN], struct err *e)
{
	char prev[SHA256_HEX_LEN] = GENESIS, hash[SHA256_HEX_LEN];
	long long expect = 1;
	int keyed = 0, rc;
	struct stmt *st = store_query(db, e, "SELECT seq, at, actor, action, entity, entity_id, "
		"before, after, prev_hash, hash, v, rows FROM audit_log ORDER BY seq", "");
	if (st == NULL)
		return -1;
	while ((rc = stmt_step(st, e)) == 1) {
		struct entry x = { stmt_int(st, 0), stmt_int(st, 1), stmt_text(st, 2), stmt_text(st, 3),
				   stmt_text(st, 4), stmt_text(st, 5), stmt_text(st, 6), stmt_text(st, 7),
				   stmt_text(st, 11), stmt_text(st, 8) };
		const char *stored = stmt_text(st, 9);
		int v = (int)stmt_int(st, 10);
		r->entries++;
		if (x.seq != expect) {
			char d[96];
			snprintf(d, sizeof(d), x.seq > expect ? "missing (the next is %lld)"
							       : "out of order (%lld)", x.seq);
			chain_problem(r, expect, d);
		}
		if (v == 2) {
			keyed = 1;
			entry_hash_v2(ac, &x, hash);
		} else {
			entry_hash_v1(&x, hash);
		}
		if (v != 2 && keyed)
			chain_problem(r, x.seq, "unkeyed entry after keyed ones");
		else if (stored == NULL || strcmp(stored, hash) != 0)
			chain_problem(r, x.seq, v == 2 ? "content altered (keyed hash does not match)"
						       : "content altered");
		else if (x.prev == NULL || strcmp(x.prev, prev) != 0)
			chain_problem(r, x.seq, "previous hash does not match");
		/* Only an entry whose own key checks says what rows became. */
		if (v == 2 && stored && strcmp(stored, hash) == 0 && x.rows &&
		    replay_rows(sp, x.rows, x.seq, r) != 0) {
			stmt_done(st);
			return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		}
		snprintf(prev, SHA256_HEX_LEN, "%s", stored ? stored : "");
		expect = x.seq + 1;
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	memcpy(last, prev, SHA256_HEX_LEN);
	return 0;
}

/* The hash of entry seq, or "" when there is none. */
static int hash_at(struct store *db, long long seq, char out[SHA256_HEX_LEN], struct err *e)
{
	out[0] = '\0';
	struct stmt *st = store_query(db, e, "SELECT hash FROM audit_log WHERE seq = $1", "i",
				      (int64_t)seq);
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	if (rc == 1 && stmt_text(st, 0))
		snprintf(out, SHA256_HEX_LEN, "%s", stmt_text(st, 0));
	stmt_done(st);
	return rc < 0 ? -1 : 0;
}

/* The head in meta and the signed checkpoint outside the database. */
static int check_head(struct store *db, struct audit_conn *ac, const char *cpath,
		      const char *last, struct audit_result *r, struct err *e)
{
	char d[200], at[SHA256_HEX_LEN];
	struct stmt *st = store_query(db, e, "SELECT value FROM meta WHERE key = 'audit_head'", "");
	if (st == NULL)
		return -1;
	int rc = stmt_step(st, e);
	const char *head = rc == 1 ? stmt_text(st, 0) : NULL;
	if (r->entries > 0 && (head == NULL || strcmp(head, last) != 0)) {
		snprintf(d, sizeof(d), "entry %lld (the newest) missing: the stored head is not the "
			 "last entry's hash", r->entries + 1);
		if (r->first_bad == 0)
			r->first_bad = r->entries + 1;
		problem(r, "head", NULL, NULL, NULL, r->entries + 1, d);
	} else if (r->entries == 0 && head != NULL) {
		if (r->first_bad == 0)
			r->first_bad = 1;
		problem(r, "head", NULL, NULL, NULL, 1, "all entries removed");
	}
	stmt_done(st);
	if (rc < 0)
		return -1;
	if (cpath == NULL || cpath[0] == '\0')
		return 0;
	struct checkpoint c;
	checkpoint_read(ac, cpath, &c);
	if (c.state == 0) {
		if (r->entries > 0)
			problem(r, "checkpoint", NULL, NULL, NULL, 0,
				"the signed checkpoint file is missing");
		return 0;
	}
	if (c.state < 0) {
		problem(r, "checkpoint", NULL, NULL, NULL, 0,
			"the checkpoint file is unreadable or its signature is not the instance's");
		return 0;
	}
	if (c.damaged)
		problem(r, "checkpoint", NULL, NULL, NULL, 0,
			"one of the two checkpoint records is damaged or not signed by the instance");
	r->checkpoint = c.count;
	if (c.count > r->entries) {
		snprintf(d, sizeof(d), "the signed checkpoint counts %lld entries, the log has %lld: "
			 "the newest entries were cut", c.count, r->entries);
		if (r->first_bad == 0 || r->first_bad > r->entries + 1)
			r->first_bad = r->entries + 1;
		problem(r, "checkpoint", NULL, NULL, NULL, r->entries + 1, d);
		return 0;
	}
	if (c.count == 0)
		return 0;
	if (hash_at(db, c.count, at, e) != 0)
		return -1;
	if (strcmp(at, c.head) != 0) {
		snprintf(d, sizeof(d), "entry %lld is not the one the signed checkpoint names: the log "
			 "was rewritten", c.count);
		if (r->first_bad == 0)
			r->first_bad = c.count;
		problem(r, "checkpoint", NULL, NULL, NULL, c.count, d);
	}
	return 0;
}

/* Names the fields of a row that differ from the image entry seq logged. */
static int name_fields(struct store *db, size_t t, const char *key, long long seq,
		       struct stmt *row, struct audit_result *r, struct err *e)
{
	json_t *logged = NULL, *rows = NULL;
	struct stmt *st = store_query(db, e, "SELECT rows FROM audit_log WHERE seq = $1", "i",
				      (int64_t)seq);
	if (st == NULL)
		return -1;
	if (stmt_step(st, e) == 1 && stmt_text(st, 0))
		rows = json_loads(stmt_text(st, 0), 0, NULL);
	stmt_done(st);
	size_t i;
	json_t *it;
	json_array_foreach(rows, i, it)
	{
		const char *tn = json_string_value(json_array_get(it, 0));
		const char *k = json_string_value(json_array_get(it, 1));
		if (tn && k && strcmp(tn, tables[t].name) == 0 && strcmp(k, key) == 0)
			logged = json_array_get(it, 2);
	}
	int named = 0;
	char d[160];
	for (int c = 0; c < info[t].ncol && logged; c++) {
		json_t *now = cell_json(row, c, info[t].digest[c]);
		if (!json_equal(now, json_object_get(logged, info[t].col[c]))) {
			snprintf(d, sizeof(d), "logged by entry %lld", seq);
			problem(r, "changed", tables[t].name, key, info[t].col[c], seq, d);
			named++;
		}
		json_decref(now);
	}
	if (!named) {
		snprintf(d, sizeof(d), "differs from entry %lld", seq);
		problem(r, "changed", tables[t].name, key, NULL, seq, d);
	}
	json_decref(rows);
	return 0;
}

/* Pass 2: every row of every audited table against the replayed log. */
static int check_rows(struct store *db, struct state *sp, struct audit_result *r, struct err *e)
{
	unsigned char dig[IMG_LEN];
	char d[160];
	for (size_t t = 0; t < NTABLES; t++) {
		struct stmt *st = store_query(db, e, info[t].select_all, "");
		if (st == NULL)
			return -1;
		int rc;
		while ((rc = stmt_step(st, e)) == 1) {
			const char *k0 = stmt_text(st, 0);
			char *key = key_join(t, k0 ? k0 : "",
					     tables[t].nkey == 2 ? stmt_text(st, 1) : NULL);
			if (key == NULL) {
				stmt_done(st);
				return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			}
			r->rows++;
			row_digest(t, st, dig);
			struct slot *sl = state_find(sp, (int)t, key, 0);
			if (sl == NULL) {
				problem(r, "unlogged", tables[t].name, key, NULL, 0, "no entry");
			} else if (sl->deleted) {
				snprintf(d, sizeof(d), "present though entry %lld deleted it", sl->seq);
				problem(r, "unlogged", tables[t].name, key, NULL, sl->seq, d);
			} else if (memcmp(dig, sl->img, IMG_LEN) != 0 &&
				   name_fields(db, t, key, sl->seq, st, r, e) != 0) {
				free(key);
				stmt_done(st);
				return -1;
			}
			if (sl)
				sl->seen = 1;
			free(key);
		}
		stmt_done(st);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < sp->cap; i++) {
		struct slot *sl = &sp->s[i];
		if (sl->key == NULL || sl->seen || sl->deleted)
			continue;
		snprintf(d, sizeof(d), "logged by entry %lld", sl->seq);
		problem(r, "missing", tables[sl->table].name, sl->key, NULL, sl->seq, d);
	}
	return 0;
}

int audit_verify_against(struct store *db, const char *cpath, struct audit_result *r,
			 struct err *e)
{
	struct audit_conn *ac = conn_of(db);
	struct state sp = { 0 };
	char last[SHA256_HEX_LEN];
	int rc = -1;
	memset(r, 0, sizeof(*r));
	if (ac == NULL)
		return err_set(e, E_IO, MSG_AUDIT_NO_KEY, "");
	/* One snapshot for both passes, so a writer cannot come in between
	 * (inside a caller's transaction that one is the snapshot). */
	struct err nested = { 0 };
	int began = store_read_begin(db, &nested) == 0;
	if (check_chain(db, ac, &sp, r, last, e) != 0 ||
	    check_head(db, ac, cpath, last, r, e) != 0 ||
	    check_rows(db, &sp, r, e) != 0)
		goto out;
	rc = 0;
out:
	if (began)
		store_read_end(db);
	state_free(&sp);
	return rc;
}

int audit_verify(struct store *db, struct audit_result *r, struct err *e)
{
	struct audit_conn *ac = conn_of(db);
	return audit_verify_against(db, ac ? ac->checkpoint : NULL, r, e);
}

void audit_result_release(struct audit_result *r)
{
	json_decref(r->report);
	r->report = NULL;
}
