/*
 * vercmp.h - version comparison by each ecosystem's own rules:
 * dpkg (epoch:upstream-revision, '~' before everything, letters before
 * non-letters), rpm (rpmvercmp: alternating digit/alpha segments, '~' and
 * '^'), semver 2.0.0 (pre-release ordering, build metadata ignored).
 * Each returns <0, 0 or >0 like strcmp.
 */
#ifndef UNGCUU_VERCMP_H
#define UNGCUU_VERCMP_H

enum ecosystem {
	ECO_UNKNOWN = 0,
	ECO_DPKG,      /* Debian, Ubuntu: OSV ecosystems "Debian", "Debian:12", "Ubuntu:22.04" */
	ECO_RPM,       /* Red Hat, AlmaLinux, Rocky Linux, SUSE, openSUSE */
	ECO_SEMVER,    /* npm, Go, crates.io, Hex, NuGet, Packagist, Pub, SwiftURL */
	ECO_GENERIC,   /* Maven, PyPI and the rest: a dotted numeric-aware comparison */
};

int vercmp_dpkg(const char *a, const char *b);
int vercmp_rpm(const char *a, const char *b);
int vercmp_semver(const char *a, const char *b);
int vercmp_generic(const char *a, const char *b);
int vercmp(int ecosystem, const char *a, const char *b);
/* Whether s is a syntactically valid version for the ecosystem. */
int vercmp_valid(int ecosystem, const char *s);
/* The ecosystem of an OSV ecosystem name ("Debian:12" -> ECO_DPKG) or of
 * our inventory names ("debian", "rpm", "npm"...). */
int ecosystem_from(const char *name);
const char *ecosystem_name(int ecosystem);   /* "dpkg", "rpm", "semver", "generic" */

#endif
