/*
 * fuzz_inventory.c - the inventory parsers of outside input, each on the
 * same bytes:
 *   inventory_dpkg_parse   as a status file and as a distroless status.d
 *                          file (a container image's, an agent's host);
 *   inventory_from_windows a collect.ps1 JSON file or DISM text from a PC;
 *   inventory_validate     the bytes as a JSON document (an agent upload).
 * Invariants: what the dpkg parser keeps makes a valid document, and what
 * inventory_from_windows returns is valid; a failure fills the error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/inventory.h"
#include "base/jsonv.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

static void dpkg(const char *p, size_t n, int flags)
{
	struct err e = {0};
	json_t *pkgs = json_array();
	if (pkgs == NULL)
		return;
	if (inventory_dpkg_parse("fuzz", p, n, flags, pkgs, &e) != 0) {
		if (e.code == E_OK)
			abort();
		json_decref(pkgs);
		return;
	}
	json_t *doc = json_pack("{s:s, s:s, s:s, s:{s:s}, s:o}",
				"schema", INVENTORY_SCHEMA, "hostname", "h",
				"collected_at", "2026-11-24T03:15:00Z",
				"os", "family", "linux", "packages", pkgs);
	if (doc == NULL)
		return;
	err_clear(&e);
	if (inventory_validate(doc, &e) != 0)
		abort();    /* the parser kept something a server would refuse */
	json_decref(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	const char *p = (const char *)d;
	struct err e = {0};

	dpkg(p, n, 0);
	dpkg(p, n, INVENTORY_DPKG_STATUS_D);

	json_t *doc = inventory_from_windows("fuzz", p, n, &e);
	if (doc == NULL && e.code == E_OK)
		abort();
	if (doc != NULL) {
		err_clear(&e);
		if (inventory_validate(doc, &e) != 0)
			abort();
		json_decref(doc);
	}

	err_clear(&e);
	json_t *j = jv_parse(p, n, &e);
	if (j != NULL) {
		err_clear(&e);
		if (inventory_validate(j, &e) != 0 && e.code == E_OK)
			abort();
		json_decref(j);
	}
	return 0;
}
