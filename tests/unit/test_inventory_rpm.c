/*
 * test_inventory_rpm.c - the rpm reader (agent/inventory_rpm.c) on real rpm
 * databases. The group setup builds four packages with rpmbuild from three
 * small specs (ungcuu-demo with Epoch 2 and its subpackage
 * ungcuu-demo-libs, noarch; ungcuu-zero with Epoch 0; ungcuu-tool with a
 * '~' version, this machine's arch and one file) and installs them with
 * `rpm --justdb`, plus a public key with `rpm --import`, into temporary
 * roots:
 *   full      var/lib/rpm (RHEL layout): listed exactly, field by field, and
 *             against `rpm -qa` (%{EVR} and %{EPOCHNUM}:%{VERSION}-%{RELEASE},
 *             arch, source rpm); gpg-pubkey left out; through
 *             inventory_collect too, valid by inventory_validate;
 *   sysimage  usr/lib/sysimage/rpm with var/lib/rpm a relative link to it
 *             (Fedora 36+ layout): each package once;
 *   escape    var/lib/rpm an absolute link to full's database, outside the
 *             root: not read;
 * and INVENTORY_MAX_PACKAGES at max and max + 1. Without rpm or rpmbuild
 * (Debian package rpm) those tests are skipped, saying so. Always run:
 * roots without a database (empty, an empty var/lib/rpm as Debian's rpm
 * package leaves, a missing root) and damaged databases (sqlite, Berkeley
 * DB and ndb files holding text; Debian's librpm has no ndb backend at
 * all), which fail naming the database.
 */
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testlib.h"
#include "agent/inventory.h"
#include "domain/vuln/vercmp.h"

static char tmp[PATH_MAX - 256];  /* everything of this file lives here */
static int have_tools;            /* rpm and rpmbuild are on PATH */
static int have_key;              /* rpm --import worked: gpg-pubkey is in */

/* An ed25519 public key made once with gpg for these tests (no secret half
 * kept anywhere): `rpm --import` stores it as package gpg-pubkey. */
static const char test_key[] =
	"-----BEGIN PGP PUBLIC KEY BLOCK-----\n"
	"\n"
	"mDMEawY3vRYJKwYBBAHaRw8BAQdAyfKFFVbRgHa+0kxAWxMpA4Ccss3Xe1Wsa+W+\n"
	"mYpUe0O0IXVuZ2N1dSB0ZXN0IDx0ZXN0QHVuZ2N1dS5pbnZhbGlkPoiQBBMWCAA4\n"
	"FiEEvN6FBSpwdsqZ7adHHp3/KAoqPpAFAmsGN70CGwMFCwkIBwIGFQoJCAsCBBYC\n"
	"AwECHgECF4AACgkQHp3/KAoqPpCXqgEA8foDVqGzp24ZLHkOcIXGBjEgYhvo5HjX\n"
	"r8E1PHnVUdYBAOyzECS5omHzwqlCQHOqC5fpNAr3AdLCDPBwAn6kYkcJ\n"
	"=FSNf\n"
	"-----END PGP PUBLIC KEY BLOCK-----\n";

static const char demo_spec[] =
	"Name: ungcuu-demo\n"
	"Epoch: 2\n"
	"Version: 1.2.3\n"
	"Release: 4.el9\n"
	"Summary: ungcuu test package\n"
	"License: MIT\n"
	"BuildArch: noarch\n"
	"%description\n"
	"Test package of ungcuu's rpm inventory.\n"
	"%package libs\n"
	"Summary: ungcuu test subpackage\n"
	"%description libs\n"
	"Its source rpm is ungcuu-demo's.\n"
	"%files\n"
	"%files libs\n";

/* Epoch 0 is still an epoch: rpm's %{EVR} says "0:". */
static const char zero_spec[] =
	"Name: ungcuu-zero\n"
	"Epoch: 0\n"
	"Version: 5\n"
	"Release: 0.1\n"
	"Summary: ungcuu test package\n"
	"License: MIT\n"
	"BuildArch: noarch\n"
	"%description\n"
	"Test package of ungcuu's rpm inventory.\n"
	"%files\n";

static const char tool_spec[] =
	"Name: ungcuu-tool\n"
	"Version: 0.9~rc1\n"
	"Release: 1\n"
	"Summary: ungcuu test package\n"
	"License: MIT\n"
	"%global debug_package %{nil}\n"
	"%description\n"
	"Test package of ungcuu's rpm inventory, built for this machine.\n"
	"%install\n"
	"mkdir -p %{buildroot}/usr/share/ungcuu-tool\n"
	"echo ungcuu > %{buildroot}/usr/share/ungcuu-tool/README\n"
	"%files\n"
	"/usr/share/ungcuu-tool/README\n";

/* LeakSanitizer (this binary only): librpm 4.18 leaks the sqlite handle
 * when a damaged rpmdb.sqlite fails to open. lib/backend/sqlite.c
 * sqlite_Open frees the index after init_table fails but never calls
 * sqlite_fini for the handle sqlite_init opened; still so upstream (rpm
 * a8f0192ae). librpm is the only sqlite user here; the agent runs once and
 * exits. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libsqlite3.so\n";
}

/* ---- helpers ---- */

static void path_of(char *out, size_t n, const char *rel)
{
	int w = snprintf(out, n, "%s/%s", tmp, rel);
	assert_true(w > 0 && (size_t)w < n);
}

static int write_file(const char *rel, const char *text)
{
	char p[PATH_MAX];
	path_of(p, sizeof(p), rel);
	FILE *f = fopen(p, "w");
	if (f == NULL)
		return -1;
	int rc = fputs(text, f) < 0 ? -1 : 0;
	return fclose(f) != 0 ? -1 : rc;
}

/* mkdir -p of rel under tmp. */
static int mkdirs(const char *rel)
{
	char p[PATH_MAX];
	path_of(p, sizeof(p), rel);
	for (char *s = p + strlen(tmp) + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

/* Runs a shell command (paths under tmp hold no quotes), its output going
 * to tmp/log; 0 when it exits 0. The log is shown when it fails. */
__attribute__((format(printf, 1, 2)))
static int run(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX], full[5 * PATH_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "(%s) >'%s/log' 2>&1", cmd, tmp);
	int st = system(full);
	if (st == 0)
		return 0;
	fprintf(stderr, "# failed (%d): %s\n", st, cmd);
	snprintf(full, sizeof(full), "sed 's/^/#   /' '%s/log' >&2", tmp);
	if (system(full) != 0)
		fprintf(stderr, "# (no log)\n");
	return -1;
}

static int on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX];
	while (path != NULL && *path != '\0') {
		const char *end = strchr(path, ':');
		size_t n = end ? (size_t)(end - path) : strlen(path);
		snprintf(dir, sizeof(dir), "%.*s/%s", (int)n, path, prog);
		if (n > 0 && access(dir, X_OK) == 0)
			return 1;
		path = end ? end + 1 : NULL;
	}
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)flag;
	(void)f;
	return remove(p);
}

/* A root with its database at dbpath ("/var/lib/rpm"), holding the built
 * packages and (when it imports) the test key. */
static int make_root(const char *rel, const char *dbpath)
{
	char root[PATH_MAX];
	path_of(root, sizeof(root), rel);
	if (mkdirs(rel) != 0 ||
	    run("rpm --root '%s' --dbpath '%s' --initdb", root, dbpath) != 0 ||
	    run("rpm --root '%s' --dbpath '%s' -i --nodeps --justdb "
		"'%s'/top/RPMS/*/*.rpm", root, dbpath, tmp) != 0)
		return -1;
	if (run("rpm --root '%s' --dbpath '%s' --import '%s/key.asc'", root,
		dbpath, tmp) == 0)
		have_key = 1;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmp, sizeof(tmp), "%s/ungcuu-rpm-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmp) == NULL)
		return -1;
	if (!have_tools)
		return 0;
	if (write_file("demo.spec", demo_spec) != 0 ||
	    write_file("tool.spec", tool_spec) != 0 ||
	    write_file("zero.spec", zero_spec) != 0 ||
	    write_file("key.asc", test_key) != 0)
		return -1;
	static const char *const specs[] = { "demo", "tool", "zero" };
	for (int i = 0; i < 3; i++)
		if (run("rpmbuild -bb --define '_topdir %s/top' "
			"--define '_tmppath %s' '%s/%s.spec'", tmp, tmp, tmp,
			specs[i]) != 0)
			return -1;
	char link[PATH_MAX], target[PATH_MAX];
	if (make_root("full", "/var/lib/rpm") != 0 ||
	    make_root("sysimage", "/usr/lib/sysimage/rpm") != 0 ||
	    mkdirs("sysimage/var/lib") != 0 || mkdirs("escape/var/lib") != 0)
		return -1;
	/* Fedora 36+: var/lib/rpm -> ../../usr/lib/sysimage/rpm */
	path_of(link, sizeof(link), "sysimage/var/lib/rpm");
	if (symlink("../../usr/lib/sysimage/rpm", link) != 0)
		return -1;
	/* An image pointing at a database outside itself. */
	path_of(link, sizeof(link), "escape/var/lib/rpm");
	path_of(target, sizeof(target), "full/var/lib/rpm");
	if (symlink(target, link) != 0)
		return -1;
	if (!have_key)
		printf("# rpm --import failed: gpg-pubkey not in the "
		       "databases, its exclusion is not tested\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return nftw(tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static const char *pget(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_t *find_pkg(json_t *pkgs, const char *name)
{
	size_t i;
	json_t *p, *found = NULL;
	json_array_foreach(pkgs, i, p) {
		if (strcmp(pget(p, "name"), name) == 0) {
			assert_null(found);     /* each package once */
			found = p;
		}
	}
	return found;
}

static json_t *read_root(const char *rel, int want_rc, struct err *e)
{
	char root[PATH_MAX];
	path_of(root, sizeof(root), rel);
	json_t *pkgs = json_array();
	assert_non_null(pkgs);
	memset(e, 0, sizeof(*e));
	int rc = inventory_rpm(root, pkgs, e);
	if (rc != want_rc)
		fail_msg("inventory_rpm(%s) = %d, wanted %d: %s", root, rc,
			 want_rc, e->arg);
	return pkgs;
}

/* The four packages, as built by the specs above. */
static void check_built(json_t *pkgs)
{
	static const struct {
		const char *name, *version, *arch, *source;
	} want[] = {
		{ "ungcuu-demo", "2:1.2.3-4.el9", "noarch", "ungcuu-demo" },
		{ "ungcuu-demo-libs", "2:1.2.3-4.el9", "noarch", "ungcuu-demo" },
		{ "ungcuu-tool", "0.9~rc1-1", NULL, "ungcuu-tool" },
		{ "ungcuu-zero", "0:5-0.1", "noarch", "ungcuu-zero" },
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	assert_int_equal(json_array_size(pkgs), n);
	for (size_t i = 0; i < n; i++) {
		json_t *p = find_pkg(pkgs, want[i].name);
		if (p == NULL)
			fail_msg("%s not listed", want[i].name);
		assert_int_equal(json_object_size(p), 5);
		assert_string_equal(pget(p, "ecosystem"), "rpm");
		assert_string_equal(pget(p, "version"), want[i].version);
		assert_string_equal(pget(p, "source"), want[i].source);
		if (want[i].arch != NULL) {
			assert_string_equal(pget(p, "arch"), want[i].arch);
		} else {    /* this machine's: x86_64, aarch64, ... */
			assert_non_null(pget(p, "arch"));
			assert_string_not_equal(pget(p, "arch"), "noarch");
		}
	}
}

/* ---- built databases ---- */

static void test_rpm_full(void **state)
{
	(void)state;
	struct err e;
	json_t *pkgs = read_root("full", 0, &e);
	check_built(pkgs);

	/* rpm's own answer, gpg-pubkey included. */
	char cmd[2 * PATH_MAX], line[1024];
	snprintf(cmd, sizeof(cmd), "rpm -qa --root '%s/full' --dbpath "
		 "/var/lib/rpm --qf '%%{NAME} %%{EPOCHNUM}:%%{VERSION}-"
		 "%%{RELEASE} %%{EVR} %%{ARCH} %%{SOURCERPM}\\n' 2>/dev/null",
		 tmp);
	FILE *q = popen(cmd, "r");
	assert_non_null(q);
	size_t matched = 0, keys = 0;
	while (fgets(line, sizeof(line), q) != NULL) {
		char name[256], enum_evr[256], evr[256], arch[64], srpm[512];
		if (sscanf(line, "%255s %255s %255s %63s %511s", name, enum_evr,
			   evr, arch, srpm) != 5)
			fail_msg("rpm -qa said: %s", line);
		if (strcmp(name, "gpg-pubkey") == 0) {
			keys++;
			assert_null(find_pkg(pkgs, name));
			continue;
		}
		json_t *p = find_pkg(pkgs, name);
		if (p == NULL)
			fail_msg("%s listed by rpm -qa, not by us", name);
		assert_string_equal(pget(p, "version"), evr);
		assert_int_equal(vercmp_rpm(pget(p, "version"), enum_evr), 0);
		assert_string_equal(pget(p, "arch"), arch);
		/* source rpm = source-version-release.src.rpm */
		const char *dash = strchr(evr, ':');
		char want[600];
		snprintf(want, sizeof(want), "%s-%s.src.rpm", pget(p, "source"),
			 dash ? dash + 1 : evr);
		assert_string_equal(srpm, want);
		matched++;
	}
	assert_int_equal(pclose(q), 0);
	assert_int_equal(matched, json_array_size(pkgs));
	assert_int_equal(keys, have_key ? 1 : 0);
	printf("# rpm -qa: %zu packages, all matched by name, %%{EVR}, "
	       "epoch:version-release, arch and source rpm; %zu gpg-pubkey "
	       "left out\n", matched, keys);
	json_decref(pkgs);
}

/* inventory_collect lists them after dpkg's (none in this root). */
static void test_rpm_collect(void **state)
{
	(void)state;
	char root[PATH_MAX];
	struct err e = {0};
	path_of(root, sizeof(root), "full");
	json_t *doc = inventory_collect(root, &e);
	if (doc == NULL)
		fail_msg("collect: %s", e.arg);
	assert_int_equal(inventory_validate(doc, &e), 0);
	check_built(json_object_get(doc, "packages"));
	json_decref(doc);
}

static void test_rpm_sysimage(void **state)
{
	(void)state;
	struct err e;
	json_t *pkgs = read_root("sysimage", 0, &e);
	check_built(pkgs);
	json_decref(pkgs);
}

static void test_rpm_escape(void **state)
{
	(void)state;
	struct err e;
	json_t *pkgs = read_root("escape", 0, &e);
	assert_int_equal(json_array_size(pkgs), 0);
	assert_int_equal(e.code, 0);
	json_decref(pkgs);
}

/* The packages array counts dpkg's too: four rpm packages fit after
 * max - 4 others, not after max - 3. */
static void test_rpm_package_limit(void **state)
{
	(void)state;
	char root[PATH_MAX];
	path_of(root, sizeof(root), "full");
	for (int extra = 0; extra < 2; extra++) {
		struct err e = {0};
		json_t *pkgs = json_array();
		assert_non_null(pkgs);
		for (int i = 0; i < INVENTORY_MAX_PACKAGES - 4 + extra; i++)
			assert_int_equal(json_array_append_new(pkgs, json_null()), 0);
		int rc = inventory_rpm(root, pkgs, &e);
		if (extra == 0) {
			assert_int_equal(rc, 0);
			assert_int_equal(json_array_size(pkgs), INVENTORY_MAX_PACKAGES);
		} else {
			assert_int_equal(rc, -1);
			assert_int_equal(e.code, E_TOOLARGE);
			assert_non_null(strstr(e.arg, "full/var/lib/rpm"));
			assert_non_null(strstr(e.arg, "more than 100000 packages"));
		}
		json_decref(pkgs);
	}
}

/* ---- no database, damaged databases (no rpm tools needed) ---- */

static void test_rpm_no_database(void **state)
{
	(void)state;
	struct err e;
	assert_int_equal(mkdirs("none"), 0);
	json_t *pkgs = read_root("none", 0, &e);
	assert_int_equal(json_array_size(pkgs), 0);
	assert_int_equal(e.code, 0);
	json_decref(pkgs);

	/* Debian's rpm package makes an empty /var/lib/rpm. */
	assert_int_equal(mkdirs("emptydir/var/lib/rpm"), 0);
	assert_int_equal(mkdirs("emptydir/usr/lib/sysimage/rpm"), 0);
	pkgs = read_root("emptydir", 0, &e);
	assert_int_equal(json_array_size(pkgs), 0);
	assert_int_equal(e.code, 0);
	json_decref(pkgs);

	/* A root that is not there is the caller's mistake. */
	pkgs = read_root("missing", -1, &e);
	assert_int_equal(e.code, E_IO);
	assert_non_null(strstr(e.arg, "/missing"));
	json_decref(pkgs);
}

static void test_rpm_damaged(void **state)
{
	(void)state;
	static const struct { const char *root, *file; } cases[] = {
		{ "badsqlite", "badsqlite/var/lib/rpm/rpmdb.sqlite" },
		{ "badbdb", "badbdb/var/lib/rpm/Packages" },
		/* SUSE's ndb: Debian's librpm has no such backend */
		{ "badndb", "badndb/var/lib/rpm/Packages.db" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char dir[PATH_MAX], want[PATH_MAX];
		struct err e;
		snprintf(dir, sizeof(dir), "%s/var/lib/rpm", cases[i].root);
		assert_int_equal(mkdirs(dir), 0);
		assert_int_equal(write_file(cases[i].file,
			"not an rpm database, only text long enough to be "
			"read as a header page of one.\n"), 0);
		json_t *pkgs = read_root(cases[i].root, -1, &e);
		assert_int_equal(json_array_size(pkgs), 0);
		assert_int_equal(e.code, E_IO);
		path_of(want, sizeof(want), dir);
		if (strstr(e.arg, want) == NULL)
			fail_msg("the error does not name %s: %s", want, e.arg);
		printf("# %s: %s\n", cases[i].root, e.arg);
		json_decref(pkgs);
	}
}

/* Without rpm or rpmbuild only the tests needing no built database run
 * (cmocka's skip() prints "not ok # SKIP", which Meson counts as a
 * failure). */
int main(void)
{
	const struct CMUnitTest all[] = {
		cmocka_unit_test(test_rpm_full),
		cmocka_unit_test(test_rpm_collect),
		cmocka_unit_test(test_rpm_sysimage),
		cmocka_unit_test(test_rpm_escape),
		cmocka_unit_test(test_rpm_package_limit),
		cmocka_unit_test(test_rpm_no_database),
		cmocka_unit_test(test_rpm_damaged),
	};
	const struct CMUnitTest without_rpm[] = {
		cmocka_unit_test(test_rpm_no_database),
		cmocka_unit_test(test_rpm_damaged),
	};
	have_tools = on_path("rpm") && on_path("rpmbuild");
	if (have_tools)
		return cmocka_run_group_tests(all, setup, teardown);
	printf("# rpm or rpmbuild not found (apt-get install rpm): the 5 tests "
	       "on built rpm databases are skipped\n");
	return cmocka_run_group_tests(without_rpm, setup, teardown);
}
