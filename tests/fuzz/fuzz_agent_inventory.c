/*
 * fuzz_agent_inventory.c - the agent's readers of host files
 * (agent/inventory.c, through inventory_int.h) on the same bytes:
 *   inventory_parse_os_release  /etc/os-release (any text);
 *   inventory_proc_row          each line as a row of /proc/net/tcp* and
 *                               /proc/net/udp*;
 *   inventory_first_name        /etc/hostname.
 * Invariants: os-release gives only its five fields, each a non-empty
 * string, and writing them back as KEY="..." reads back the same object
 * (a normal form); every socket kept has a port in 1..65535, its protocol
 * and an address inet_pton reads back unchanged, and its port is the four
 * hex digits of the row; a host name is one
 * trimmed line that is not a comment.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/inventory.h"
#include "agent/inventory_int.h"
#include "base/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static const char *const fields[][2] = {
	{ "id", "ID" }, { "id_like", "ID_LIKE" }, { "version_id", "VERSION_ID" },
	{ "codename", "VERSION_CODENAME" }, { "pretty_name", "PRETTY_NAME" },
};

static void os_release(const char *p, size_t n)
{
	json_t *os = json_object(), *again = json_object();
	struct buf b;
	buf_init(&b, 1 << 20);
	if (os == NULL || again == NULL)
		goto out;
	inventory_parse_os_release(p, n, os);
	const char *key;
	json_t *v;
	json_object_foreach(os, key, v) {
		const char *name = NULL;
		for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (strcmp(key, fields[i][0]) == 0)
				name = fields[i][1];
		const char *s = json_string_value(v);
		if (name == NULL || s == NULL || json_string_length(v) == 0 ||
		    json_string_length(v) > INVENTORY_MAX_STRING || strchr(s, '\n'))
			abort();
		if (buf_printf(&b, "%s=\"", name) != 0)
			goto out;
		for (; *s; s++) {
			if (strchr("\"\\$`", *s) && buf_add(&b, "\\", 1) != 0)
				goto out;
			if (buf_add(&b, s, 1) != 0)
				goto out;
		}
		if (buf_add(&b, "\"\n", 2) != 0)
			goto out;
	}
	inventory_parse_os_release(b.p ? b.p : "", b.len, again);
	if (!json_equal(os, again))
		abort();
out:
	buf_release(&b);
	json_decref(os);
	json_decref(again);
}

/* The port kept is the one the row says: the kernel's four hex digits
 * after the local address, no more, no fewer, no sign. */
static void same_port(const char *line, unsigned port)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	p = strchr(p, ':');                   /* after "sl" */
	if (p == NULL || (p = strchr(p + 1, ':')) == NULL)
		abort();
	p++;
	unsigned v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			abort();
		v = v * 16 + (unsigned)d;
	}
	if (!isspace((unsigned char)p[4]) || v != port)
		abort();
}

static void proc(const char *p, size_t n)
{
	struct svcs s = { NULL, 0, 0, 0 };
	char line[600];
	for (const char *q = p, *end = p + n; q < end;) {
		const char *nl = memchr(q, '\n', (size_t)(end - q));
		size_t len = nl ? (size_t)(nl - q) : (size_t)(end - q);
		if (len < sizeof(line)) {
			memcpy(line, q, len);
			line[len] = '\0';
			for (int tcp = 0; tcp < 2; tcp++) {
				size_t had = s.n;
				inventory_proc_row(line, tcp, &s);
				if (s.n != had)
					same_port(line, s.v[had].port);
			}
		}
		q += len + 1;
	}
	for (size_t i = 0; i < s.n; i++) {
		const struct svc *v = &s.v[i];
		unsigned char a[16];
		char back[INET6_ADDRSTRLEN];
		int fam = strchr(v->addr, ':') ? AF_INET6 : AF_INET;
		if (v->port < 1 || v->port > 65535 ||
		    (strcmp(v->proto, "tcp") != 0 && strcmp(v->proto, "udp") != 0) ||
		    inet_pton(fam, v->addr, a) != 1 ||
		    inet_ntop(fam, a, back, sizeof(back)) == NULL || strcmp(back, v->addr) != 0)
			abort();
	}
	free(s.v);
}

static void hostname(const char *p, size_t n)
{
	json_t *name = NULL;
	if (inventory_first_name(p, n, &name)) {
		const char *s = json_string_value(name);
		size_t l = s ? strlen(s) : 0;
		if (l == 0 || s[0] == '#' || strchr(s, '\n') || strchr(" \t\r", s[0]) ||
		    strchr(" \t\r", s[l - 1]))
			abort();
	} else if (name != NULL) {
		abort();
	}
	json_decref(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	/* An exact-size copy: ASan sees a read past the n bytes. */
	char *p = malloc(n ? n : 1);
	if (p == NULL)
		return 0;
	memcpy(p, d, n);
	os_release(p, n);
	proc(p, n);
	hostname(p, n);
	free(p);
	return 0;
}
