/*
 * inventory.c - the strict validation of an inventory document from outside
 * (an agent upload, a converted Windows collector file); see inventory.h.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "inventory.h"
#include "../../base/jsonv.h"
#include "../../base/limits.h"
#include "../../base/msg.h"
#include "../../base/banned.h"

/* ---- validation ---- */

static const char *const schemas[] = { INVENTORY_SCHEMA, NULL };
static const char *const families[] = { "linux", "windows", NULL };
static const char *const ecosystems[] = { "dpkg", "rpm", "windows", NULL };
static const char *const protos[] = { "tcp", "udp", NULL };

#define STR(name, req) { name, JV_STRING, req, 0, INVENTORY_MAX_STRING, NULL, NULL }
#define END { NULL, 0, 0, 0, 0, NULL, NULL }

static const struct jv_field os_spec[] = {
	{ "family", JV_ENUM, 1, 0, 0, families, NULL },
	STR("id", 0), STR("id_like", 0), STR("version_id", 0),
	STR("codename", 0), STR("pretty_name", 0), STR("kernel", 0),
	STR("build", 0),
	END,
};

/* The top level without its four arrays, which are checked one by one. */
static const struct jv_field top_spec[] = {
	{ "schema", JV_ENUM, 1, 0, 0, schemas, NULL },
	STR("hostname", 0),     /* "" allowed: presence checked by hand */
	{ "collected_at", JV_TIME, 1, 0, 0, NULL, NULL },
	/* The agent's upload number (agent_stamp_read); a file has none. */
	{ "sequence", JV_INT, 0, 1, LIMIT_AGENT_SEQ, NULL, NULL },
	{ "os", JV_OBJECT, 1, 0, 0, NULL, os_spec },
	END,
};

static const struct jv_field pkg_spec[] = {
	{ "ecosystem", JV_ENUM, 1, 0, 0, ecosystems, NULL },
	STR("name", 1), STR("version", 0), STR("arch", 0), STR("source", 0),
	STR("source_version", 0), STR("publisher", 0),
	END,
};

static const struct jv_field svc_spec[] = {
	{ "proto", JV_ENUM, 1, 0, 0, protos, NULL },
	STR("address", 1),
	{ "port", JV_INT, 1, 1, 65535, NULL, NULL },
	STR("process", 0),
	END,
};

static int ip_valid(const char *s)
{
	unsigned char b[16];
	return inet_pton(AF_INET, s, b) == 1 || inet_pton(AF_INET6, s, b) == 1;
}

/* "KB" and 1 to 10 digits, as Windows names its updates. */
static int kb_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 3 || n > 12 || s[0] != 'K' || s[1] != 'B')
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int full(const struct err *e)
{
	return e != NULL && e->nfields >= ERR_MAX_FIELDS;
}

enum item_kind { ITEM_PACKAGE, ITEM_SERVICE, ITEM_HOTFIX, ITEM_ADDRESS };

static int check_item(json_t *v, int kind, const char *ptr, struct err *e)
{
	switch (kind) {
	case ITEM_PACKAGE:
	case ITEM_SERVICE: {
		if (!json_is_object(v))
			return err_field(e, ptr, MSG_WRONG_TYPE, "object");
		int rc = jv_validate(v, kind == ITEM_PACKAGE ? pkg_spec : svc_spec,
				     ptr, e);
		const char *a = jv_str(v, "address");
		if (kind == ITEM_SERVICE && a != NULL && a[0] != '\0' &&
		    !ip_valid(a)) {
			char p2[96];
			snprintf(p2, sizeof(p2), "%s/address", ptr);
			rc = err_field(e, p2, MSG_BAD_VALUE, "IP address");
		}
		return rc;
	}
	case ITEM_HOTFIX:
		if (!json_is_string(v))
			return err_field(e, ptr, MSG_WRONG_TYPE, "string");
		if (!kb_valid(json_string_value(v)))
			return err_field(e, ptr, MSG_BAD_VALUE, "KB1234567");
		return 0;
	default:
		if (!json_is_string(v))
			return err_field(e, ptr, MSG_WRONG_TYPE, "string");
		if (json_string_length(v) > INET6_ADDRSTRLEN ||
		    !ip_valid(json_string_value(v)))
			return err_field(e, ptr, MSG_BAD_VALUE, "IP address");
		return 0;
	}
}

static int check_array(json_t *doc, const char *key, int kind, size_t max,
		       int required, struct err *e)
{
	char ptr[64], num[32];
	json_t *a = json_object_get(doc, key);
	snprintf(ptr, sizeof(ptr), "/%s", key);
	if (a == NULL || json_is_null(a))
		return required ? err_field(e, ptr, MSG_REQUIRED, NULL) : 0;
	if (!json_is_array(a))
		return err_field(e, ptr, MSG_WRONG_TYPE, "array");
	if (json_array_size(a) > max) {
		snprintf(num, sizeof(num), "%zu", max);
		return err_field(e, ptr, MSG_TOO_MANY, num);
	}
	int rc = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) {
		snprintf(ptr, sizeof(ptr), "/%s/%zu", key, i);
		if (check_item(v, kind, ptr, e) != 0)
			rc = -1;
		if (full(e))
			break;
	}
	return rc;
}

int inventory_validate(json_t *doc, struct err *e)
{
	static const char *const arrays[] = { "packages", "services",
					      "hotfixes", "addresses" };
	int rc = 0;

	if (!json_is_object(doc))
		return err_set(e, E_MALFORMED, MSG_JSON_NOT_OBJECT, NULL);
	json_t *top = json_object();
	if (top == NULL || json_object_update(top, doc) != 0) {
		json_decref(top);
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	}
	for (size_t i = 0; i < sizeof(arrays) / sizeof(arrays[0]); i++)
		json_object_del(top, arrays[i]);
	if (jv_validate(top, top_spec, "", e) != 0)
		rc = -1;
	json_decref(top);
	json_t *host = json_object_get(doc, "hostname");
	if (host == NULL || json_is_null(host))
		rc = err_field(e, "/hostname", MSG_REQUIRED, NULL);
	if (check_array(doc, "packages", ITEM_PACKAGE, INVENTORY_MAX_PACKAGES,
			1, e) != 0)
		rc = -1;
	if (check_array(doc, "services", ITEM_SERVICE, INVENTORY_MAX_SERVICES,
			0, e) != 0)
		rc = -1;
	if (check_array(doc, "hotfixes", ITEM_HOTFIX, INVENTORY_MAX_HOTFIXES,
			0, e) != 0)
		rc = -1;
	if (check_array(doc, "addresses", ITEM_ADDRESS, INVENTORY_MAX_ADDRESSES,
			0, e) != 0)
		rc = -1;
	return rc;
}
