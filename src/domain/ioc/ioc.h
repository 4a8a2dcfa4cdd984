/*
 * ioc.h - indicators of compromise: the model, the normal form of each kind
 * of value, the TLP 2.0 sharing rule, the STIX 2.1 pattern parser, and the
 * importers and exporters of STIX 2.1, MISP event JSON, plain lists and CSV.
 * Pure functions: no database, no I/O beyond the bytes given.
 *
 * Importers hand records to a sink one at a time, like feed.h. All or
 * nothing: the whole file is checked before the first record is handed
 * over, so a malformed file changes nothing. Errors name the file and the
 * position in e->arg, with e->code E_MALFORMED (syntax), E_INVALID (wrong
 * structure or value), E_TOOLARGE (an IOC_MAX_* limit) or E_NOMEM, and
 * e->msg one of MSG_IOC_SYNTAX, MSG_IOC_SCHEMA, MSG_IOC_VALUE, MSG_IOC_LIMIT,
 * MSG_IOC_PATTERN:
 *   "c2.json: line 3, column 17 (byte 40): '}' expected near ']'"
 *   "c2.json: /objects/2 (indicator--53fe...): pattern, column 27: ']' expected"
 *   "list.txt: line 4: not an indicator: 'foo bar'"
 *   "iocs.csv: line 3, column 2 (value): not an IPv4 address: '1.2.3'"
 *
 * A STIX pattern that is valid but is not a set of plain indicators (a
 * MATCHES regular expression, an AND of two observations, a registry key)
 * is not dropped: it is handed over as an IOC_PATTERN record holding the
 * pattern text, with `why` saying which part could not be turned into an
 * indicator, and counted in the stats with its id.
 *
 * Tags read the same in every format (STIX labels, MISP tags, CSV tags):
 * "tlp:X" is a TLP label (the most restrictive one wins, with STIX
 * markings too), misp-galaxy:TYPE="NAME" of a known galaxy type a related
 * object, ungcuu:confidence="N" the confidence; the others are plain tags,
 * trimmed. Exporters write those fields in their own form and leave such
 * plain tags out, so a record comes back unchanged.
 *
 * Records and their strings are lent to the sink for the call only.
 */
#ifndef UNGCUU_IOC_H
#define UNGCUU_IOC_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "../../base/err.h"

struct arena;

/* Limits on untrusted indicator files (past one: E_TOOLARGE naming the
 * field, never a crash or a silent cut):
 * - an atomic value (address, domain, URL, hash, e-mail, file name): DNS
 *   names stop at 253 bytes, the longest URLs seen in phishing feeds at a
 *   few KiB; 8 KiB leaves room;
 * - a text (YARA rule, pattern, name, description, tag): real YARA rules
 *   with long hex strings reach tens of KiB;
 * - tags, related objects and values of one record (IN sets, OR-joined
 *   comparisons): MISP events carry tens of tags, patterns tens of values;
 * - nesting of parentheses in a STIX pattern: real ones use two or three;
 *   the parser recurses, so this bounds its stack. */
#define IOC_MAX_VALUE 8192
#define IOC_MAX_TEXT (64 * 1024)
#define IOC_MAX_LIST 1000
#define STIX_PATTERN_MAX_DEPTH 64

enum ioc_kind {
	IOC_IPV4,          /* "192.0.2.1" */
	IOC_IPV6,          /* RFC 5952: "2001:db8::1" */
	IOC_CIDR,          /* network address, host bits cleared: "10.0.0.0/8", "2001:db8::/32" */
	IOC_DOMAIN,        /* lower case, no final dot, IDN labels as xn-- (punycode) */
	IOC_URL,           /* scheme and host lower case, the rest as given */
	IOC_SHA256,        /* lower-case hex */
	IOC_SHA1,
	IOC_MD5,
	IOC_EMAIL,         /* lower case */
	IOC_FILENAME,      /* as given: "invoice.exe" */
	IOC_YARA,          /* the text of a YARA rule */
	IOC_PATTERN,       /* a pattern kept as text: not matched, see pattern_type */
	IOC__COUNT
};

/* TLP 2.0 (FIRST). TLP:WHITE of TLP 1.0 reads as CLEAR. Ordered from the
 * least to the most restrictive; TLP_NONE means the input carried no label
 * (the caller applies its default: an unlabelled record never leaves, see
 * tlp_may_share). */
enum tlp {
	TLP_NONE,
	TLP_CLEAR,
	TLP_GREEN,
	TLP_AMBER,
	TLP_AMBER_STRICT,
	TLP_RED,
	TLP__COUNT
};

/* An object an indicator points at through a STIX relationship or a MISP
 * galaxy: type is a STIX SDO type ("malware", "campaign", "threat-actor",
 * "intrusion-set", "tool", "attack-pattern", "infrastructure",
 * "vulnerability"). */
struct ioc_ref {
	const char *type;
	const char *name;
};

struct ioc {
	int kind;                     /* enum ioc_kind */
	const char *value;            /* normal form (ioc_normalise) */
	const char *pattern_type;     /* IOC_PATTERN: "stix", "snort", "sigma", "suricata"...;
				       * NULL for the other kinds */
	const char *why;              /* IOC_PATTERN: why it is not an indicator, for people */
	const char *name;             /* STIX name (MISP has none) */
	const char *file_name;        /* a hash: the name of the file it was seen as
				       * (MISP filename|sha256, STIX file:name beside
				       * the hash); else NULL */
	const char *description;      /* STIX description, MISP comment */
	const char *source;           /* who published it: the STIX created_by_ref identity,
				       * the MISP Orgc; NULL unknown (the importer's file) */
	int tlp;                      /* enum tlp */
	int confidence;               /* 0..100, -1 unknown */
	int to_ids;                   /* 1: for detection (STIX indicators, MISP to_ids);
				       * 0: context only, never matched */
	int64_t valid_from;           /* UTC ms; 0 = not given (valid since ever) */
	int64_t valid_until;          /* UTC ms; 0 = does not expire */
	int64_t created, modified;    /* UTC ms; 0 unknown */
	const char *const *tags;      /* STIX labels, MISP tags (tlp:*, galaxies and
				       * ungcuu:* left out: they have fields) */
	size_t ntags;
	const struct ioc_ref *related;
	size_t nrelated;
	const char *origin_id;        /* the STIX object or MISP attribute uuid it came
				       * from (CSV: a uuid column); NULL for lists */
	/* Filled by the caller (storage), never by the importers: */
	const char *org;              /* owning organisation id */
	const char *const *share_with;   /* organisation ids named for TLP:AMBER */
	size_t nshare_with;
	const char *const *incidents; /* ids of the incidents it came from */
	size_t nincidents;
};

/* Return 0 to go on, -1 (with e filled) to stop. */
typedef int (*ioc_sink)(void *arg, const struct ioc *ioc, struct err *e);

/* What an import did besides handing records over (st may be NULL). */
#define IOC_STATS_KEPT 16
struct ioc_stats {
	long records;                 /* handed to the sink */
	long kinds[IOC__COUNT];       /* of them, by kind */
	long unconverted;             /* IOC_PATTERN records (patterns kept as text) */
	size_t nkept;                 /* the first IOC_STATS_KEPT of them: */
	struct {
		char id[80];          /* origin id */
		char why[120];
	} kept[IOC_STATS_KEPT];
	long revoked;                 /* STIX objects with revoked: true, left out */
	long superseded;              /* older versions of a STIX object (same id) */
	long skipped;                 /* left out, not indicators: MISP attributes of
				       * other types (link, comment, regkey...) or
				       * deleted; STIX observables outside an
				       * infrastructure; blank and comment lines */
};

/* ---- kinds, values ---- */

/* "ipv4" ... "pattern"; NULL out of range. */
const char *ioc_kind_name(int kind);
/* The kind of a name: ours ("sha256"), case-insensitive, or a MISP
 * attribute type ("ip-dst", "hostname", "email-src"...). -1 unknown. */
int ioc_kind_parse(const char *name);
/* The kind of a bare value from a plain list, after refanging ("hxxp",
 * "[.]", "[at]"): an address, network, hash, URL, e-mail, domain, or a file
 * name when it ends in a known file extension (".exe", ".docm"...) or is not
 * a host name. -1 for anything else (blank, spaces in a non-file...). */
int ioc_classify(const char *value);
/* One value of a plain list, as `ungcuu import list`, POST
 * /indicators/import/list and `ungcuu sweep --rules` all read it. s: the
 * line's value (white space and comment gone), NUL-terminated and
 * writable: it is refanged in place. A "kind:" prefix (a name
 * ioc_kind_parse knows, or fqdn, mailto; not a URL's scheme) gives the kind
 * ("ip:" and the like let the value say v4, v6 or network); else a ":port"
 * after an IPv4 address or a host name is dropped and the kind is, in this
 * order: 32, 40 or 64 hex digits: a hash; an address or network (one with
 * a prefix that is no length: a network, whose normal form refuses it);
 * with "://": a URL; with "@": an e-mail address; starting with "/" or
 * holding "\": a file name; "host/path" with a host name or IPv4 address:
 * a URL without its scheme; then, as ioc_classify: a name ending in a file
 * extension (".exe", ".pdf"; not ".zip", a real top-level domain) is a
 * file name, a host name a domain, and a name with a short alphanumeric
 * extension ("report 2024.xyz") a file name. *value is
 * set to the value proper within s (for a file name, the name at the end
 * of its path). Returns the kind, or -1: none of these. */
int ioc_list_value(char *s, const char **value);
/* The normal form of value as kind, allocated in a; *kind may change
 * between IPv4/IPv6/CIDR (a /32 network is an address; an address with a
 * prefix is a network). NULL when value is not one (why, a static English
 * phrase, says what is wrong) or a runs out. */
const char *ioc_normalise(struct arena *a, int *kind, const char *value, const char **why);
/* A Unicode domain name in its ASCII (xn--) form, IDNA2008 with the TR46
 * mapping (libidn2): free with idn2_free; NULL with why when not a name. */
char *ioc_idna_ascii(const char *name, const char **why);
/* Whether the record takes part in matching at now (UTC ms): to_ids, not a
 * pattern kept as text, valid_from <= now < valid_until. */
int ioc_active(const struct ioc *i, int64_t now);
/* The UUIDv5 (ungcuu's namespace) over "KIND:VALUE" (for a pattern,
 * "pattern:TYPE:VALUE") into out: the same record always gets the same STIX
 * id and MISP uuid, so what we export comes back unchanged. */
#define IOC_UUID_LEN 37
char *ioc_uuid(const struct ioc *i, char out[IOC_UUID_LEN]);

/* ---- TLP ---- */

/* "TLP:AMBER+STRICT", "amber+strict", "tlp:amber", "WHITE" (-> CLEAR),
 * case-insensitive -> enum tlp; -1 unknown. */
int tlp_parse(const char *s);
/* "CLEAR" ... "RED"; NULL for TLP_NONE and out of range. */
const char *tlp_name(int tlp);
/*
 * Whether information labelled label (tlp_parse) may go to recipient_org:
 *   RED           never (not even to its owner: it does not leave the instance);
 *   AMBER+STRICT  only inside the owner organisation (recipient == owner);
 *   AMBER         to the owner and to the organisations named (named_orgs,
 *                 NULL-terminated, may be NULL);
 *   GREEN         "community": any organisation of this instance's tree;
 *   CLEAR         anyone.
 * recipient_org is the id of an organisation of this instance's tree, or
 * NULL for anyone else (a file for the public, a party we do not know):
 * such a recipient gets CLEAR only. A missing or unknown label shares
 * nothing. 1 may share, 0 may not.
 */
int tlp_may_share(const char *label, const char *owner_org, const char *recipient_org,
		  const char *const *named_orgs);
/* The same rule on a record's tlp, org and share_with. */
int ioc_may_share(const struct ioc *i, const char *recipient_org);

/* ---- STIX 2.1 patterns (stix_pattern.c) ---- */

/* An indicator a pattern is equivalent to. */
struct stix_hit {
	int kind;
	const char *value;            /* normal form */
	const char *file_name;        /* a hash compared together with file:name, or NULL */
};

/*
 * Parses a STIX 2.1 pattern (the whole grammar of STIXPattern.g4:
 * observation expressions in brackets joined by AND/OR/FOLLOWEDBY, their
 * WITHIN/REPEATS/START..STOP qualifiers (parsed, ignored), comparisons
 * joined by AND/OR with = != > < >= <= IN LIKE MATCHES ISSUBSET ISSUPERSET
 * EXISTS and NOT, string, number, boolean, h'' b'' t'' literals, object
 * paths with quoted keys and [n]/[*] steps, comments, Unicode spaces).
 * Returns the number of indicators the pattern is equivalent to, with
 * *hits (allocated in a) holding them: an equality or IN on a supported
 * path (ipv4-addr:value, ipv6-addr:value, domain-name:value, url:value,
 * email-addr:value, file:name, file:hashes.MD5/'SHA-1'/'SHA-256',
 * network-traffic:dst_ref.value/src_ref.value,
 * email-message:from_ref.value/sender_ref.value), ISSUBSET of a CIDR on an
 * address path, several of those joined by OR inside or between
 * observations, and hashes joined by AND with file:name on one file.
 * Returns 0 when the pattern is valid but something else (why, allocated
 * in a, names the first such part), -1 on a syntax error or a limit (e
 * filled: MSG_IOC_PATTERN, "column N: ..." with N counted in characters
 * from 1).
 */
int stix_pattern_parse(const char *pattern, size_t n, struct arena *a, struct stix_hit **hits,
		       const char **why, struct err *e);
/* The STIX pattern of an indicator ("[ipv4-addr:value = '10.0.0.1']",
 * quotes and backslashes escaped; a hash with a file_name adds
 * "AND file:name = '...'") allocated in a; for IOC_PATTERN the stored
 * text; NULL for IOC_YARA (a YARA pattern is its rule) or no memory. */
const char *stix_pattern_of(struct arena *a, int kind, const char *value, const char *file_name);

/* ---- import ---- */

/* Any of the parsers of this section. */
typedef long (*ioc_parser)(const char *name, const char *data, size_t n, ioc_sink sink,
			   void *arg, struct ioc_stats *st, struct err *e);

/* STIX 2.1: a bundle, a TAXII 2.1 envelope ({"objects": [...]}), a bare
 * object or array of objects, or any JSON holding "objects" lists (a TAXII
 * server's collections). The latest version of each id counts; revoked
 * objects are left out. Each indicator with pattern_type stix gives the
 * records its pattern is equivalent to (else one IOC_PATTERN record),
 * pattern_type yara an IOC_YARA record, any other type an IOC_PATTERN
 * record. Observables (ipv4-addr, domain-name... objects) that an
 * infrastructure consists of are indicators too. TLP from
 * object_marking_refs (TLP 1.0 and 2.0 ids, and marking-definition objects
 * of the file); related from relationships to named objects; source from
 * created_by_ref; tags from labels. */
long ioc_parse_stix(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		    struct ioc_stats *st, struct err *e);
/* One object of a STIX file as it came (ioc_stix_objects). */
struct stix_object {
	const char *id, *type;
	const char *created, *modified;   /* the text as written; "" when absent */
	int tlp;                          /* its TLP markings (as ioc_parse_stix reads
					   * them); TLP_NONE: none */
	const char *body;                 /* the object, compact JSON, keys in the
					   * file's order */
};
typedef int (*stix_object_sink)(void *arg, const struct stix_object *o, struct err *e);
/* Every object of a STIX file ioc_parse_stix takes (the latest version of
 * each id, revoked ones too: a revocation is news), in the file's order,
 * so that the store keeps what it does not model. The number handed
 * over, or -1 with e filled as ioc_parse_stix does. */
long ioc_stix_objects(const char *name, const char *data, size_t n, stix_object_sink sink,
		      void *arg, struct err *e);
/* The TLP 2.0 marking-definition id of a label (NULL for TLP_NONE), and
 * the label of an official TLP 1.0 or 2.0 marking id (TLP_NONE: not one). */
const char *ioc_stix_tlp_marking(int tlp);
int ioc_stix_marking_tlp(const char *id);

/* MISP: {"Event": {...}}, a bare event, a list of those, or a REST answer
 * {"response": [...]}. Attributes (also inside Object[]) of indicator types
 * become records with their to_ids (1 when absent); composite types give
 * their indicator part (ip-dst|port -> the address, filename|sha256 -> the
 * hash with its file_name, domain|ip -> both); in a file object the
 * filename names the hashes. stix2-pattern attributes go through the
 * pattern parser, snort and sigma are kept as text; other types (link,
 * comment, regkey, port...) and deleted attributes give no record (counted
 * as skipped; checked all the same: the store keeps them as context, see
 * misp.h).
 * Tags as above: the attribute's label, else the event's; tags and related
 * objects of the event and of the attribute. Orgc gives the source,
 * first_seen/last_seen the validity (as misp-stix maps them), timestamp
 * created/modified. MISP has no name: records carry none. */
long ioc_parse_misp(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		    struct ioc_stats *st, struct err *e);
/* One value a line, read by ioc_list_value (KIND:VALUE, or the kind told
 * from the value); blank lines and '#' comments (whole lines, or after
 * white space) are skipped. */
long ioc_parse_list(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		    struct ioc_stats *st, struct err *e);
/* RFC 4180 CSV whose first line names the columns, in any order: value
 * (required), type (ioc_kind_parse, or a MISP type, composite ones split;
 * empty = ioc_classify), tlp, confidence, valid_from, valid_until (RFC
 * 3339), to_ids (1/0, true/false, yes/no), tags and related ("TYPE:NAME")
 * as lists separated by ';' (a ';' or '\' inside an item escaped with
 * '\'), name, file_name, description (or MISP's comment), source,
 * pattern_type (a pattern of type stix, or none, goes through the pattern
 * parser). Other columns are ignored, so MISP's CSV export reads too
 * (uuid, attribute_tag split at ','; with its category column, types that
 * are not indicators are skipped instead of refused). A cell starting
 * with ' followed by = + - @ ' tab or CR loses the ' (the exporter's guard
 * against spreadsheet formulas). */
long ioc_parse_csv(const char *name, const char *data, size_t n, ioc_sink sink, void *arg,
		   struct ioc_stats *st, struct err *e);

/* ---- export ---- */

#define IOC_STIX_ID_MAX 320
#define IOC_STIX_TIME_MAX 40

struct ioc_export {
	/* in */
	const char *recipient_org;    /* tlp_may_share's recipient: NULL = outside the tree */
	const char *producer;         /* our organisation's name (STIX identity, MISP Orgc);
				       * NULL leaves it out */
	const char *producer_id;      /* its id (a UUID: MISP Orgc uuid and the uuid of
				       * ungcuu's own event); NULL: derived from producer */
	const char *title;            /* MISP Event.info; NULL = "ungcuu export" */
	int64_t now;                  /* UTC ms for objects without created/modified and
				       * the MISP event date; 0 = the current time */
	/* STIX only (all optional): objects kept as they came, added as they
	 * are (borrowed; ordered with the others by id); per record, 1 when
	 * those objects stand for it (shared and counted, not made again);
	 * and the stamp that gives an object ungcuu makes its id and times
	 * by what it stands for (key: "indicator:ORG:UUIDv5",
	 * "malware:NAME", "relationship:TYPE:SRC:DST"). digest NULL: only the
	 * id (made once, kept); else the SHA-256 of its content without times
	 * -> created and modified (moved when the digest changed). Without a
	 * stamp: UUIDv5 ids, times now. */
	json_t *stix_objects;
	const unsigned char *stix_kept;
	unsigned stix_tlp_used;       /* bit per TLP (1 << enum tlp) those objects were
				       * relabelled with: its marking-definition goes too */
	int (*stamp)(void *arg, const char *key, const char *type, const char *digest,
		     char id[IOC_STIX_ID_MAX], char created[IOC_STIX_TIME_MAX],
		     char modified[IOC_STIX_TIME_MAX], struct err *e);
	void *stamp_arg;
	/* out */
	size_t exported;              /* records written */
	size_t withheld;              /* left out by the TLP rule (ioc_may_share) */
	size_t unsupported;           /* left out: the format has no form for it (STIX: to_ids
				       * 0; MISP: a pattern type it has no attribute type for) */
};

/*
 * A STIX 2.1 bundle: one indicator per record (id "indicator--" +
 * ioc_uuid, pattern_type stix or the record's, valid_from = the record's,
 * else created), the TLP 2.0 marking-definitions used, with their official
 * ids, in object_marking_refs, the related objects and "indicates"
 * relationships to them, and an identity for the producer. New reference,
 * or NULL with e filled (E_NOMEM).
 */
json_t *ioc_export_stix(const struct ioc *iocs, size_t n, struct ioc_export *x, struct err *e);
/* A MISP event {"Event": {...}}: one attribute per record (uuid =
 * ioc_uuid), type and category by kind, to_ids, comment, first_seen /
 * last_seen, distribution "5" (as the event), deleted false, tags with one
 * tlp:*, galaxies and ungcuu:confidence; the event tagged with the most
 * restrictive label exported, its distribution from it (misp.h), its uuid
 * and Orgc the producer's and its times those of the newest record, so
 * that the same records give the same event (ungcuu's own event: the
 * indicators that came from no MISP event, see misp.h). */
json_t *ioc_export_misp(const struct ioc *iocs, size_t n, struct ioc_export *x, struct err *e);
/* CSV (RFC 4180, CRLF) with the header
 * type,value,tlp,confidence,valid_from,valid_until,to_ids,tags,related,name,file_name,description,source,pattern_type
 * that ioc_parse_csv reads back; a cell a spreadsheet would take for a
 * formula (= + - @ ' first) gets a ' before it. malloc'd (caller frees),
 * NULL on E_NOMEM. */
char *ioc_export_csv(const struct ioc *iocs, size_t n, struct ioc_export *x, struct err *e);

#endif
