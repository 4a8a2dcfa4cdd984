/*
 * inventory.h - the inventory document: what the host agent collects: the OS (/etc/os-release,
 * uname), installed packages (the dpkg status file and status.d/; the rpm
 * database through librpm when built with it) and listening services
 * (/proc/net/tcp, tcp6, udp, udp6). Everything is read under `root` ("/" on
 * a real host; a test tree or an unpacked container image otherwise) so it
 * runs unprivileged and is testable. Under a root other than "/", absolute
 * symbolic links resolve inside root (openat2 RESOLVE_IN_ROOT), as in a
 * chroot.
 *
 * The inventory document (JSON), also what a Windows collector file becomes
 * (inventory_from_windows). Fields marked ? may be absent; every string is
 * at most INVENTORY_MAX_STRING bytes.
 * {"schema":"ungcuu-inventory/1",
 *  "hostname":"…",                 ("" when unknown: a container image)
 *  "collected_at":"RFC 3339",
 *  "sequence"?:42,                 (an agent upload's number, 1 .. 2^53-1:
 *                                   above every one its key sent before)
 *  "os":{"family":"linux|windows",
 *        "id"?:"debian", "id_like"?:"…", "version_id"?:"12",
 *        "codename"?:"bookworm", "pretty_name"?:"…",
 *        "kernel"?:"6.1.0-…",      (Linux: uname -r)
 *        "build"?:"19045.5737"},   (Windows: CurrentBuild.UBR, as in KB notes)
 *  "packages":[{"ecosystem":"dpkg|rpm|windows","name":"…",
 *               "version"?:"1:2.39-1",  (absent: a Windows program without one)
 *               "arch"?:"amd64",
 *               "source"?:"…", "source_version"?:"…",
 *                   (dpkg: ${source:Package} and ${source:Version}, i.e.
 *                    the Source field, else the binary's own name/version)
 *               "publisher"?:"…"}],  (Windows)
 *  "hotfixes"?:["KB5034441", …],       (Windows: KB numbers)
 *  "services"?:[{"proto":"tcp|udp","address":"0.0.0.0","port":22,
 *                "process"?:"sshd"}],  (listening TCP; bound, unconnected UDP)
 *  "addresses"?:["192.0.2.10", …]}     (not loopback, not IPv6 link-local)
 * Unknown fields are refused by inventory_validate.
 */
#ifndef UNGCUU_INVENTORY_H
#define UNGCUU_INVENTORY_H

#include <stddef.h>

#include <jansson.h>

#include "../../base/err.h"

#define INVENTORY_SCHEMA "ungcuu-inventory/1"
#define INVENTORY_WINDOWS_SCHEMA "ungcuu-windows/1"

/* Limits (here rather than base/limits.h: only the agent and the import of
 * inventories use them). */
/* Debian's full archive installed at once is about 70,000 binary packages;
 * a real host has 300 to 5,000. */
#define INVENTORY_MAX_PACKAGES 100000
/* Every string of the document: package names and versions are short
 * (Debian's longest version is under 100 bytes); Windows DisplayNames can
 * be sentences. */
#define INVENTORY_MAX_STRING 512
/* A Windows machine installs a few hundred updates in its life. */
#define INVENTORY_MAX_HOTFIXES 10000
/* Listening sockets: a busy host has dozens; one with thousands is a port
 * scan of itself. Collection keeps the first ones (sorted) past this. */
#define INVENTORY_MAX_SERVICES 10000
/* Interface addresses: a router with many VLANs has a few hundred. */
#define INVENTORY_MAX_ADDRESSES 1024
/* A dpkg status file with every Debian package installed is about 200 MiB
 * (descriptions included); 256 MiB bounds the memory the agent takes. */
#define INVENTORY_MAX_FILE (256u * 1024 * 1024)
/* The longest dpkg line (a Conffiles or Description line) is a few KiB. */
#define INVENTORY_MAX_LINE (1024u * 1024)
/* A collector file: 100,000 programs of 300 bytes each is 30 MB. */
#define INVENTORY_MAX_WINDOWS_FILE (64u * 1024 * 1024)

/* Validates an inventory document from outside (agent upload, Windows
 * collector file): shape, sizes, types. 0 or -1 with field errors
 * ("/packages/12/version"; at most ERR_MAX_FIELDS of them). */
int inventory_validate(json_t *doc, struct err *e);

/* Turns what a Windows PC gives us into an inventory document (a new
 * reference, valid by inventory_validate) or NULL with e naming the problem
 * (field errors point into the input). data is either the JSON written by
 * packaging/windows/collect.ps1 (schema "ungcuu-windows/1", UTF-8 with or
 * without BOM, or UTF-16LE with BOM), or the text of
 * `dism /online /get-packages`, which has no host name: the document then
 * has hostname "" and collected_at the time of the conversion. name is what
 * errors call the input (a file name). */
json_t *inventory_from_windows(const char *name, const char *data, size_t n,
			       struct err *e);

#endif
