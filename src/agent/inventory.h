/*
 * inventory.h - the agent's collectors of the inventory document (its shape,
 * limits and validation are in domain/asset/inventory.h, which the server
 * reads too).
 */
#ifndef UNGCUU_AGENT_INVENTORY_H
#define UNGCUU_AGENT_INVENTORY_H

#include "../domain/asset/inventory.h"

/* Collects the inventory of the host whose files are under root (a new
 * reference). Parts that are absent (no dpkg, no /proc under a test tree)
 * are left out; NULL with e filled only on a real error (root is not a
 * directory, a status file over the limits, out of memory). */
json_t *inventory_collect(const char *root, struct err *e);

/* The packages of a dpkg status file (installed ones only: the third word
 * of Status is "installed"), appended to the array `packages`. A file over
 * INVENTORY_MAX_FILE or a line over INVENTORY_MAX_LINE is an error (E_TOOLARGE)
 * naming the file and line. */
int inventory_dpkg(const char *path, json_t *packages, struct err *e);

/* The packages of the rpm database under root (var/lib/rpm, else
 * usr/lib/sysimage/rpm; sqlite, ndb or Berkeley DB), read through librpm,
 * appended to `packages`: {"ecosystem":"rpm", name, version
 * "[epoch:]version-release" (as rpm's %{EVR}), arch, source (the source
 * rpm's name)}; gpg-pubkey entries are left out. 0 with nothing appended
 * when root has no rpm database; -1 with e naming the database when it
 * cannot be read. Built only with librpm (UNGCUU_WITH_RPM, inventory_rpm.c);
 * librpm is process-wide state, so call it from one thread at a time. */
int inventory_rpm(const char *root, json_t *packages, struct err *e);

/* Flags of inventory_dpkg_parse. */
enum {
	/* A distroless status.d/<pkg> file: dpkg's Status field is absent
	 * there and its absence means installed. */
	INVENTORY_DPKG_STATUS_D = 1,
};

/* inventory_dpkg on bytes already read (a status file from an image, the
 * fuzzer); name is what errors call the file. */
int inventory_dpkg_parse(const char *name, const char *data, size_t n,
			 int flags, json_t *packages, struct err *e);

#endif
