/*
 * inventory.h - what the host agent collects: the OS (/etc/os-release,
 * uname), installed packages (the dpkg status file; rpm through librpm when
 * built with it) and listening services (/proc/net/tcp, tcp6, udp, udp6).
 * Everything is read under `root` ("/" on a real host; a test tree in
 * tests) so it runs unprivileged and is testable.
 *
 * The inventory document (JSON), also what the Windows collector writes:
 * {"schema":"ungcuu-inventory/1","hostname":"…","collected_at":"RFC 3339",
 *  "os":{"family":"linux|windows","id":"debian","version_id":"12",
 *        "pretty_name":"…","kernel":"6.1.0-…","build":"…"},
 *  "packages":[{"ecosystem":"dpkg|rpm|windows","name":"…","version":"…",
 *               "arch":"amd64","source":"…"}],
 *  "hotfixes":["KB5034441", …],
 *  "services":[{"proto":"tcp","address":"0.0.0.0","port":22}],
 *  "addresses":["192.0.2.10", …]}
 */
#ifndef UNGCUU_INVENTORY_H
#define UNGCUU_INVENTORY_H

#include <stddef.h>

#include <jansson.h>

#include "../base/err.h"

/* Collects the inventory of the host whose files are under root. */
json_t *inventory_collect(const char *root, struct err *e);

/* The packages of a dpkg status file (installed ones only: the third word
 * of Status is "installed"), appended to the array `packages`. */
int inventory_dpkg(const char *path, json_t *packages, struct err *e);

/* Validates an inventory document from outside (agent upload, Windows
 * collector file): shape, sizes, types. 0 or -1 with field errors. */
int inventory_validate(json_t *doc, struct err *e);

/* Turns the JSON written by packaging/windows/collect.ps1 into an
 * inventory document (a new reference) or NULL with e naming the problem. */
json_t *inventory_from_windows(const char *name, const char *data, size_t n,
			       struct err *e);

#endif
