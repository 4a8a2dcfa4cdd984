/*
 * inventory_int.h - the private parts of inventory.c that read bytes from
 * the host (files a local attacker or an unpacked image can write), exposed
 * for tests/fuzz/fuzz_agent_inventory.c.
 */
#ifndef UNGCUU_AGENT_INVENTORY_INT_H
#define UNGCUU_AGENT_INVENTORY_INT_H

#include <netinet/in.h>
#include <stddef.h>

#include <jansson.h>

/* A listening socket of a /proc/net table. */
struct svc {
	char proto[4];
	char addr[INET6_ADDRSTRLEN];
	unsigned port;
};

struct svcs {
	struct svc *v;
	size_t n, cap;
	int capped;
};

/* os-release(5) text: ID, ID_LIKE, VERSION_ID, VERSION_CODENAME and
 * PRETTY_NAME set in os (as id, id_like, version_id, codename,
 * pretty_name) when they are valid strings of INVENTORY_MAX_STRING bytes. */
void inventory_parse_os_release(const char *data, size_t n, json_t *os);
/* One row of /proc/net/{tcp,tcp6,udp,udp6} (a NUL-terminated line): a
 * listening (TCP) or bound and unconnected (UDP) socket is appended to s. */
void inventory_proc_row(const char *line, int tcp, struct svcs *s);
/* The first line of a hostname(5) file that is not a comment: 1 and *out
 * (a new JSON string), else 0. */
int inventory_first_name(const char *data, size_t n, json_t **out);

#endif
