/*
 * inventory_windows.c - what a Windows PC gives us, turned into an
 * inventory document: the JSON file of packaging/windows/collect.ps1
 * (schema "ungcuu-windows/1", described in packaging/windows/README.md) or
 * the text of `dism /online /get-packages` (English output only).
 *
 * Both come from outside: every field is type-checked and bounded, a field
 * error points into the input ("/programs/3/name"), and the result passes
 * inventory_validate before it is returned. Windows PowerShell 5.1's
 * ConvertTo-Json quirks are accepted: an array written as
 * {"value":[…],"Count":n}, or a one-item array unrolled to its item.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory.h"
#include "../../base/jsonv.h"
#include "../../base/msg.h"
#include "../../base/timeutil.h"
#include "../../base/banned.h"

/* ---- input encodings ---- */

/* UTF-16LE (after its BOM) to a new NUL-terminated UTF-8 buffer; NULL on
 * a lone surrogate or an odd length. Windows PowerShell 5.1's `>` writes
 * this, so a redirected `dism` output arrives in it. */
static char *utf16le_to_utf8(const unsigned char *p, size_t n, size_t *len)
{
	if (n % 2 != 0)
		return NULL;
	char *out = malloc(n / 2 * 3 + 1);
	size_t o = 0;
	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i += 2) {
		uint32_t c = (uint32_t)p[i] | (uint32_t)p[i + 1] << 8;
		if (c >= 0xD800 && c <= 0xDBFF) {
			if (i + 3 >= n)
				goto bad;
			uint32_t lo = (uint32_t)p[i + 2] | (uint32_t)p[i + 3] << 8;
			if (lo < 0xDC00 || lo > 0xDFFF)
				goto bad;
			c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (c >= 0xDC00 && c <= 0xDFFF) {
			goto bad;
		}
		if (c < 0x80) {
			out[o++] = (char)c;
		} else if (c < 0x800) {
			out[o++] = (char)(0xC0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else if (c < 0x10000) {
			out[o++] = (char)(0xE0 | c >> 12);
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | c >> 18);
			out[o++] = (char)(0x80 | ((c >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (c & 0x3F));
		}
	}
	out[o] = '\0';
	*len = o;
	return out;
bad:
	free(out);
	return NULL;
}

/* ---- checks shared by both inputs ---- */

static int ip_valid(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* An address without its IPv6 zone ("fe80::1%12"), into out. */
static int ip_clean(const char *s, char *out, size_t n)
{
	size_t l = strcspn(s, "%");
	if (l == 0 || l >= n)
		return -1;
	memcpy(out, s, l);
	out[l] = '\0';
	return ip_valid(out) ? 0 : -1;
}

/* "KB" + digits, upper-cased into out; -1 for anything else ("File 1",
 * which Win32_QuickFixEngineering lists on some machines). */
static int kb_clean(const char *s, char out[16])
{
	size_t n = strlen(s);
	if (n < 3 || n > 12 || toupper((unsigned char)s[0]) != 'K' ||
	    toupper((unsigned char)s[1]) != 'B')
		return -1;
	for (size_t i = 2; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return -1;
	out[0] = 'K';
	out[1] = 'B';
	memcpy(out + 2, s + 2, n - 1);
	return 0;
}

/* Adds a string to a list once (seen is the set of what was added). */
static int add_unique(json_t *list, json_t *seen, const char *s)
{
	if (json_object_get(seen, s) != NULL)
		return 0;
	if (json_object_set_new(seen, s, json_true()) != 0 ||
	    json_array_append_new(list, json_string(s)) != 0)
		return -1;
	return 0;
}

/* ---- the collect.ps1 JSON ---- */

/* Items of what should be an array (see the file comment). */
static size_t arr_len(const json_t *v)
{
	if (json_is_array(v))
		return json_array_size(v);
	json_t *inner = json_object_get(v, "value");
	if (json_is_object(v) && json_is_array(inner) &&
	    json_object_get(v, "Count") != NULL)
		return json_array_size(inner);
	return v == NULL || json_is_null(v) ? 0 : 1;
}

static json_t *arr_item(json_t *v, size_t i)
{
	if (json_is_array(v))
		return json_array_get(v, i);
	json_t *inner = json_object_get(v, "value");
	if (json_is_object(v) && json_is_array(inner) &&
	    json_object_get(v, "Count") != NULL)
		return json_array_get(inner, i);
	return v;
}

/* The string at key of o: NULL when absent, null or "" (and then a field
 * error if required); a field error when it is not a string or too long.
 * Numbers are written as text (a registry DWORD read without a cast). */
static const char *in_str(json_t *o, const char *key, const char *ptr,
			  int required, char num[32], int *bad, struct err *e)
{
	char p2[64];
	json_t *v = json_object_get(o, key);
	snprintf(p2, sizeof(p2), "%s/%s", ptr, key);
	if (json_is_integer(v)) {
		snprintf(num, 32, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return num;
	}
	if (v != NULL && !json_is_null(v) && !json_is_string(v)) {
		*bad = 1;
		err_field(e, p2, MSG_WRONG_TYPE, "string");
		return NULL;
	}
	const char *s = json_string_value(v);
	size_t l = json_string_length(v);
	if (s == NULL || l == 0) {
		if (required) {
			*bad = 1;
			err_field(e, p2, MSG_REQUIRED, NULL);
		}
		return NULL;
	}
	if (l > INVENTORY_MAX_STRING || memchr(s, '\0', l) != NULL) {
		char max[16];
		snprintf(max, sizeof(max), "%d", INVENTORY_MAX_STRING);
		*bad = 1;
		err_field(e, p2, l > INVENTORY_MAX_STRING ? MSG_TOO_LONG
							  : MSG_NUL_CHAR, max);
		return NULL;
	}
	return s;
}

/* Cuts s to at most max bytes, before a UTF-8 character, never inside. */
static void utf8_cut(char *s, size_t max)
{
	size_t l = strlen(s);
	if (l <= max)
		return;
	l = max;
	while (l > 0 && ((unsigned char)s[l] & 0xC0) == 0x80)
		l--;
	s[l] = '\0';
}

/* key = s when s is not NULL. */
static int put(json_t *o, const char *key, const char *s)
{
	if (s == NULL)
		return 0;
	return json_object_set_new(o, key, json_string(s));
}

static int win_os(json_t *in, json_t *os, int *bad, struct err *e)
{
	char n1[32], n2[32], n3[32], n4[32], buf[INVENTORY_MAX_STRING * 2 + 2];
	json_t *src = json_object_get(in, "os");
	if (!json_is_object(src)) {
		*bad = 1;
		return err_field(e, "/os", src ? MSG_WRONG_TYPE : MSG_REQUIRED,
				 "object");
	}
	const char *caption = in_str(src, "caption", "/os", 0, n1, bad, e);
	const char *dv = in_str(src, "display_version", "/os", 0, n2, bad, e);
	const char *ver = in_str(src, "version", "/os", 0, n3, bad, e);
	const char *build = in_str(src, "build", "/os", 0, n4, bad, e);
	json_t *ubr = json_object_get(src, "ubr");
	if (ubr != NULL && !json_is_null(ubr) &&
	    (!json_is_integer(ubr) || json_integer_value(ubr) < 0)) {
		*bad = 1;
		err_field(e, "/os/ubr", MSG_WRONG_TYPE, "integer");
	}
	if (*bad)
		return -1;

	int rc = put(os, "family", "windows") | put(os, "id", "windows") |
		 put(os, "version_id", ver);
	if (caption != NULL) {
		/* "Microsoft Windows 11 Pro" + " 23H2" unless already there */
		if (dv != NULL && strstr(caption, dv) == NULL)
			snprintf(buf, sizeof(buf), "%s %s", caption, dv);
		else
			snprintf(buf, sizeof(buf), "%s", caption);
		utf8_cut(buf, INVENTORY_MAX_STRING);
		rc |= put(os, "pretty_name", buf);
	}
	if (build != NULL && json_is_integer(ubr)) {
		snprintf(buf, sizeof(buf), "%s.%" JSON_INTEGER_FORMAT, build,
			 json_integer_value(ubr));
		rc |= put(os, "build", buf);
	} else {
		rc |= put(os, "build", build);
	}
	return rc != 0 ? err_set(e, E_NOMEM, MSG_INTERNAL, NULL) : 0;
}

static int win_hotfixes(json_t *in, json_t *out, int *bad, struct err *e)
{
	char ptr[64], kb[16], num[32];
	json_t *src = json_object_get(in, "hotfixes");
	json_t *seen = json_object();
	size_t n = arr_len(src);
	int rc = 0;

	if (seen == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (n > INVENTORY_MAX_HOTFIXES) {
		snprintf(num, sizeof(num), "%d", INVENTORY_MAX_HOTFIXES);
		*bad = 1;
		rc = err_field(e, "/hotfixes", MSG_TOO_MANY, num);
		n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *h = arr_item(src, i);
		const char *id;
		snprintf(ptr, sizeof(ptr), "/hotfixes/%zu", i);
		if (json_is_string(h)) {
			id = json_string_value(h);
		} else if (json_is_object(h)) {
			id = in_str(h, "id", ptr, 1, num, bad, e);
		} else {
			*bad = 1;
			rc = err_field(e, ptr, MSG_WRONG_TYPE, "object");
			continue;
		}
		if (id == NULL || kb_clean(id, kb) != 0)
			continue;
		if (add_unique(out, seen, kb) != 0) {
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
			break;
		}
	}
	json_decref(seen);
	return *bad ? -1 : rc;
}

static int win_programs(json_t *in, json_t *out, int *bad, struct err *e)
{
	char ptr[64], num[32], n1[32], n2[32], n3[32], n4[32];
	char key[INVENTORY_MAX_STRING * 3 + 3];
	json_t *src = json_object_get(in, "programs");
	json_t *seen = json_object();
	size_t n = arr_len(src);
	int rc = 0;

	if (seen == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (n > INVENTORY_MAX_PACKAGES) {
		snprintf(num, sizeof(num), "%d", INVENTORY_MAX_PACKAGES);
		*bad = 1;
		rc = err_field(e, "/programs", MSG_TOO_MANY, num);
		n = 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *p = arr_item(src, i);
		int pbad = 0;
		snprintf(ptr, sizeof(ptr), "/programs/%zu", i);
		if (!json_is_object(p)) {
			*bad = 1;
			err_field(e, ptr, MSG_WRONG_TYPE, "object");
			continue;
		}
		const char *name = in_str(p, "name", ptr, 0, n1, &pbad, e);
		const char *ver = in_str(p, "version", ptr, 0, n2, &pbad, e);
		const char *pub = in_str(p, "publisher", ptr, 0, n3, &pbad, e);
		const char *arch = in_str(p, "arch", ptr, 0, n4, &pbad, e);
		if (pbad) {
			*bad = 1;
			continue;
		}
		if (name == NULL)
			continue;   /* an Uninstall key with no DisplayName */
		/* The same program under HKLM and HKCU, or twice in one hive
		 * (an MSI and its bootstrapper), is one package. */
		snprintf(key, sizeof(key), "%s\x1f%s\x1f%s", name,
			 ver ? ver : "", arch ? arch : "");
		if (json_object_get(seen, key) != NULL)
			continue;
		json_t *pkg = json_object();
		if (pkg == NULL || json_object_set_new(seen, key, json_true()) ||
		    put(pkg, "ecosystem", "windows") || put(pkg, "name", name) ||
		    put(pkg, "version", ver) || put(pkg, "arch", arch) ||
		    put(pkg, "publisher", pub) ||
		    json_array_append_new(out, pkg) != 0) {
			json_decref(pkg);
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		}
	}
	json_decref(seen);
	return *bad ? -1 : rc;
}

static int win_services(json_t *in, json_t *out, int *bad, struct err *e)
{
	char ptr[80], num[32], n1[32], n2[32], n3[32], addr[48], proto[8];
	char key[128];
	json_t *src = json_object_get(in, "listening");
	json_t *seen = json_object();
	size_t n = arr_len(src);
	int rc = 0;

	if (seen == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (n > INVENTORY_MAX_SERVICES) {
		snprintf(num, sizeof(num), "%d", INVENTORY_MAX_SERVICES);
		*bad = 1;
		rc = err_field(e, "/listening", MSG_TOO_MANY, num);
		n = 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *s = arr_item(src, i);
		int sbad = 0;
		snprintf(ptr, sizeof(ptr), "/listening/%zu", i);
		if (!json_is_object(s)) {
			*bad = 1;
			err_field(e, ptr, MSG_WRONG_TYPE, "object");
			continue;
		}
		const char *pr = in_str(s, "proto", ptr, 1, n1, &sbad, e);
		const char *ad = in_str(s, "address", ptr, 1, n2, &sbad, e);
		const char *pn = in_str(s, "process", ptr, 0, n3, &sbad, e);
		json_t *port = json_object_get(s, "port");
		if (!json_is_integer(port) || json_integer_value(port) < 1 ||
		    json_integer_value(port) > 65535) {
			char p2[96];
			snprintf(p2, sizeof(p2), "%s/port", ptr);
			sbad = 1;
			err_field(e, p2, MSG_BAD_VALUE, "1..65535");
		}
		if (pr != NULL) {
			size_t l = strlen(pr);
			for (size_t k = 0; k < l && k < sizeof(proto) - 1; k++)
				proto[k] = (char)tolower((unsigned char)pr[k]);
			proto[l < sizeof(proto) - 1 ? l : sizeof(proto) - 1] = '\0';
			if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0) {
				char p2[96];
				snprintf(p2, sizeof(p2), "%s/proto", ptr);
				sbad = 1;
				err_field(e, p2, MSG_BAD_VALUE, "tcp, udp");
			}
		}
		if (ad != NULL && ip_clean(ad, addr, sizeof(addr)) != 0) {
			char p2[96];
			snprintf(p2, sizeof(p2), "%s/address", ptr);
			sbad = 1;
			err_field(e, p2, MSG_BAD_VALUE, "IP address");
		}
		if (sbad) {
			*bad = 1;
			continue;
		}
		snprintf(key, sizeof(key), "%s %s %lld", proto, addr,
			 (long long)json_integer_value(port));
		if (json_object_get(seen, key) != NULL)
			continue;
		json_t *o = json_pack("{s:s, s:s, s:I}", "proto", proto,
				      "address", addr, "port",
				      json_integer_value(port));
		if (o == NULL || json_object_set_new(seen, key, json_true()) ||
		    put(o, "process", pn) || json_array_append_new(out, o) != 0) {
			json_decref(o);
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		}
	}
	json_decref(seen);
	return *bad ? -1 : rc;
}

static int win_addresses(json_t *in, json_t *out, int *bad, struct err *e)
{
	char ptr[64], num[32], addr[48];
	json_t *src = json_object_get(in, "addresses");
	json_t *seen = json_object();
	size_t n = arr_len(src);
	int rc = 0;

	if (seen == NULL)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	if (n > INVENTORY_MAX_ADDRESSES) {
		snprintf(num, sizeof(num), "%d", INVENTORY_MAX_ADDRESSES);
		*bad = 1;
		rc = err_field(e, "/addresses", MSG_TOO_MANY, num);
		n = 0;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		json_t *a = arr_item(src, i);
		snprintf(ptr, sizeof(ptr), "/addresses/%zu", i);
		if (!json_is_string(a) ||
		    ip_clean(json_string_value(a), addr, sizeof(addr)) != 0) {
			*bad = 1;
			err_field(e, ptr, MSG_BAD_VALUE, "IP address");
			continue;
		}
		if (add_unique(out, seen, addr) != 0)
			rc = err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	json_decref(seen);
	return *bad ? -1 : rc;
}

static json_t *from_json(const char *name, const char *p, size_t n,
			 struct err *e)
{
	char hnum[32], tnum[32], when[TIME_RFC3339_LEN];
	json_t *doc = NULL, *os = NULL, *pkgs = NULL, *hot = NULL,
	       *svcs = NULL, *addrs = NULL;
	int bad = 0;
	int64_t ms = 0;

	json_t *in = jv_parse(p, n, e);
	if (in == NULL) {
		char arg[sizeof(e->arg)];
		snprintf(arg, sizeof(arg), "%.60s: %.90s", name, e->arg);
		err_set(e, e->code, e->msg, arg);
		return NULL;
	}
	const char *schema = jv_str(in, "schema");
	if (schema == NULL || strcmp(schema, INVENTORY_WINDOWS_SCHEMA) != 0) {
		err_field(e, "/schema", MSG_BAD_VALUE, INVENTORY_WINDOWS_SCHEMA);
		goto out;
	}
	const char *host = in_str(in, "hostname", "", 1, hnum, &bad, e);
	const char *at = in_str(in, "collected_at", "", 1, tnum, &bad, e);
	if (at != NULL && time_parse(at, &ms) != 0) {
		bad = 1;
		err_field(e, "/collected_at", MSG_BAD_TIME, NULL);
	}
	os = json_object();
	pkgs = json_array();
	hot = json_array();
	svcs = json_array();
	addrs = json_array();
	if (os == NULL || pkgs == NULL || hot == NULL || svcs == NULL ||
	    addrs == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	/* Every part runs so that one answer names all the bad fields. */
	int r1 = win_os(in, os, &bad, e);
	int r2 = win_hotfixes(in, hot, &bad, e);
	int r3 = win_programs(in, pkgs, &bad, e);
	int r4 = win_services(in, svcs, &bad, e);
	int r5 = win_addresses(in, addrs, &bad, e);
	if (bad || r1 || r2 || r3 || r4 || r5)
		goto out;
	doc = json_pack("{s:s, s:s, s:s, s:O, s:O, s:O, s:O, s:O}",
			"schema", INVENTORY_SCHEMA, "hostname", host,
			"collected_at", time_format_utc(ms, when),
			"os", os, "packages", pkgs, "hotfixes", hot,
			"services", svcs, "addresses", addrs);
	if (doc == NULL)
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
out:
	json_decref(in);
	json_decref(os);
	json_decref(pkgs);
	json_decref(hot);
	json_decref(svcs);
	json_decref(addrs);
	return doc;
}

/* ---- dism /online /get-packages ---- */

struct dism {
	char image[64];         /* "10.0.17763.3406" */
	char rollup[64];        /* "17763.3406" of the installed RollupFix */
	char ident[256];        /* the package being read */
	char state[32];
	json_t *kbs, *seen;
	int blocks;
};

/* The version after "~~" of an identity, cut to its first two parts. */
static void rollup_build(const char *ident, char *out, size_t n)
{
	const char *v = strstr(ident, "~~");
	if (v == NULL)
		return;
	v += 2;
	size_t l = 0;
	int dots = 0;
	while (v[l] != '\0' && (isdigit((unsigned char)v[l]) || v[l] == '.')) {
		if (v[l] == '.' && ++dots == 2)
			break;
		l++;
	}
	if (dots >= 1 && l > 0 && l < n) {
		memcpy(out, v, l);
		out[l] = '\0';
	}
}

static int dism_flush(struct dism *d)
{
	const char *kb;
	char id[16];
	int rc = 0;
	if (d->ident[0] == '\0')
		return 0;
	if (strcmp(d->state, "Installed") == 0) {
		kb = strstr(d->ident, "Package_for_KB");
		if (kb == d->ident) {
			size_t l = strspn(kb + 14, "0123456789");
			if (l > 0 && l <= 10) {
				id[0] = 'K';
				id[1] = 'B';
				memcpy(id + 2, kb + 14, l);
				id[l + 2] = '\0';
				rc = add_unique(d->kbs, d->seen, id);
			}
		}
		if (strncmp(d->ident, "Package_for_RollupFix", 21) == 0) {
			char b[64] = "";
			rollup_build(d->ident, b, sizeof(b));
			/* Several can show Installed after a failed cleanup;
			 * the highest build is what runs. */
			if (b[0] != '\0' && strverscmp(b, d->rollup) > 0)
				memcpy(d->rollup, b, strlen(b) + 1);
		}
	}
	d->ident[0] = '\0';
	d->state[0] = '\0';
	return rc;
}

static void copy_value(char *dst, size_t n, const char *v, size_t vl)
{
	if (vl >= n)
		vl = n - 1;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
}

static json_t *from_dism(const char *name, const char *p, size_t n,
			 struct err *e)
{
	struct dism d;
	char now[TIME_RFC3339_LEN], buf[80];
	json_t *doc = NULL, *os = NULL;
	size_t off = 0;

	memset(&d, 0, sizeof(d));
	d.kbs = json_array();
	d.seen = json_object();
	if (d.kbs == NULL || d.seen == NULL) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	while (off < n) {
		const char *line = p + off;
		const char *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;
		off += len + (nl != NULL);
		const char *colon = memchr(line, ':', len);
		if (colon == NULL)
			continue;
		const char *k = line, *v = colon + 1;
		size_t kl = (size_t)(colon - line), vl = len - kl - 1;
		while (kl > 0 && isspace((unsigned char)k[kl - 1]))
			kl--;
		while (vl > 0 && isspace((unsigned char)*v)) {
			v++;
			vl--;
		}
		while (vl > 0 && isspace((unsigned char)v[vl - 1]))
			vl--;
		if (kl == 16 && memcmp(k, "Package Identity", 16) == 0) {
			if (dism_flush(&d) != 0)
				goto nomem;
			copy_value(d.ident, sizeof(d.ident), v, vl);
			d.blocks++;
		} else if (kl == 5 && memcmp(k, "State", 5) == 0) {
			copy_value(d.state, sizeof(d.state), v, vl);
		} else if (kl == 13 && memcmp(k, "Image Version", 13) == 0) {
			copy_value(d.image, sizeof(d.image), v, vl);
		}
	}
	if (dism_flush(&d) != 0)
		goto nomem;
	if (d.blocks == 0) {
		snprintf(buf, sizeof(buf), "%.40s: no Package Identity", name);
		err_set(e, E_MALFORMED, MSG_MALFORMED_JSON, buf);
		goto out;
	}

	os = json_pack("{s:s, s:s}", "family", "windows", "id", "windows");
	if (os == NULL)
		goto nomem;
	/* Image Version "10.0.17763.3406": version_id 10.0.17763, build
	 * 17763.3406; without it, the installed cumulative update's. */
	unsigned a, b, c, u;
	if (sscanf(d.image, "%u.%u.%u.%u", &a, &b, &c, &u) == 4) {
		snprintf(buf, sizeof(buf), "%u.%u.%u", a, b, c);
		if (put(os, "version_id", buf) != 0)
			goto nomem;
		snprintf(buf, sizeof(buf), "%u.%u", c, u);
		if (put(os, "build", buf) != 0)
			goto nomem;
	} else if (d.rollup[0] != '\0' && put(os, "build", d.rollup) != 0) {
		goto nomem;
	}
	doc = json_pack("{s:s, s:s, s:s, s:O, s:[], s:O}",
			"schema", INVENTORY_SCHEMA, "hostname", "",
			"collected_at", time_format_utc(time_now_ms(), now),
			"os", os, "packages", "hotfixes", d.kbs);
	if (doc == NULL)
		goto nomem;
	goto out;
nomem:
	err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
out:
	json_decref(os);
	json_decref(d.kbs);
	json_decref(d.seen);
	return doc;
}

/* ---- entry ---- */

json_t *inventory_from_windows(const char *name, const char *data, size_t n,
			       struct err *e)
{
	struct err ignored;
	char *conv = NULL;
	json_t *doc = NULL;
	const unsigned char *u = (const unsigned char *)data;

	if (e == NULL)
		e = &ignored;
	if (name == NULL)
		name = "windows inventory";
	if (data == NULL)
		n = 0;
	if (n > INVENTORY_MAX_WINDOWS_FILE) {
		char max[32];
		snprintf(max, sizeof(max), "%u", INVENTORY_MAX_WINDOWS_FILE);
		err_set(e, E_TOOLARGE, MSG_TOO_LARGE, max);
		return NULL;
	}
	if (n >= 2 && u[0] == 0xFF && u[1] == 0xFE) {
		conv = utf16le_to_utf8(u + 2, n - 2, &n);
		if (conv == NULL) {
			char arg[128];
			snprintf(arg, sizeof(arg), "%.80s: bad UTF-16", name);
			err_set(e, E_MALFORMED, MSG_MALFORMED_JSON, arg);
			return NULL;
		}
		data = conv;
	} else if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
		data += 3;
		n -= 3;
	}
	size_t i = 0;
	while (i < n && isspace((unsigned char)data[i]))
		i++;
	if (i < n && data[i] == '{') {
		doc = from_json(name, data, n, e);
	} else if (n > 0 && memmem(data, n, "Package Identity", 16) != NULL) {
		doc = from_dism(name, data, n, e);
	} else {
		char arg[160];
		snprintf(arg, sizeof(arg),
			 "%.80s: neither collect.ps1 JSON nor DISM output", name);
		err_set(e, E_MALFORMED, MSG_MALFORMED_JSON, arg);
	}
	free(conv);
	if (doc != NULL && inventory_validate(doc, e) != 0) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}
