/*
 * vercmp.h - version comparison by each ecosystem's own rules:
 * dpkg (epoch:upstream-revision, '~' before everything, letters before
 * non-letters), rpm (rpmvercmp: alternating digit/alpha segments, '~' and
 * '^'), semver 2.0.0 (pre-release ordering, build metadata ignored).
 * Each returns <0, 0 or >0 like strcmp.
 *
 * The comparators take any string (NULL counts as ""), valid or not, and
 * always answer: check vercmp_valid first where an invalid version must be
 * refused. They never allocate nor recurse; time is linear in the lengths.
 * Each is a total order (antisymmetric, transitive) on the strings it is
 * given; vercmp.c says in which details each follows or leaves its
 * reference (dpkg's lib/dpkg/version.c, librpm's rpmvercmp/rpmverCmp,
 * semver.org §11).
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

/* `dpkg --compare-versions`: [epoch:]upstream[-revision]. */
int vercmp_dpkg(const char *a, const char *b);
/* librpm's rpmverCmp: [epoch:]version[-release], each part by rpmvercmp;
 * a missing epoch is 0, a missing release sorts before any release. */
int vercmp_rpm(const char *a, const char *b);
/* semver.org §11, with a leading 'v' dropped and build metadata ignored;
 * a core of fewer or more than three numbers is padded with zeros. */
int vercmp_semver(const char *a, const char *b);
/* Dotted, numeric-aware, with pre-release words (dev < a < b < rc <
 * release < post); the rules are spelled out in vercmp.c. */
int vercmp_generic(const char *a, const char *b);
/* By ecosystem; ECO_UNKNOWN compares like ECO_GENERIC. */
int vercmp(int ecosystem, const char *a, const char *b);
/* Whether s is a syntactically valid version for the ecosystem: dpkg's
 * parseversion rules (no warning either), what rpmbuild accepts as
 * [epoch:]version[-release], strict semver 2.0.0 (plus a leading 'v'), or
 * for ECO_GENERIC printable ASCII without blanks holding a digit. 0 for
 * ECO_UNKNOWN and NULL. */
int vercmp_valid(int ecosystem, const char *s);
/* The ecosystem of an OSV ecosystem name ("Debian:12" -> ECO_DPKG, only the
 * part before the first ':' counts, case ignored) or of our inventory and
 * command-line names ("dpkg", "debian", "rpm", "semver", "generic");
 * ECO_UNKNOWN otherwise. */
int ecosystem_from(const char *name);
const char *ecosystem_name(int ecosystem);   /* "dpkg", "rpm", "semver", "generic" */

#endif
