/*
 * test_inventory.c - the host inventory (agent/inventory.c) and the Windows
 * conversion (agent/inventory_windows.c):
 *   dpkg: the osv-scalibr fixtures (Status rules, Source with a version,
 *     epochs, continuation lines, distroless status.d), multi-arch, CRLF,
 *     the file / line / package limits at max and max + 1, and this
 *     machine's own /var/lib/dpkg/status against `dpkg-query -W`;
 *   collection on synthetic root trees (tests/data/inventory/roots):
 *     os-release quoting and fallback, host name, kernel, /proc/net tcp,
 *     tcp6, udp, udp6 decoding, absolute links kept inside the root; and on
 *     "/" (valid, timed);
 *   validation: a good document, every field error with its pointer, each
 *     limit at max and max + 1;
 *   Windows: the collect.ps1 sample (also as UTF-8 with BOM and UTF-16LE),
 *     PowerShell 5.1 array shapes, bad fields, the DISM text.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "testlib.h"
#include "agent/inventory.h"
#include "agent/inventory_int.h"
#include "base/msg.h"

/* ---- where the data is ---- */

static char data_dir[1024];

/* tests/data/inventory, found from the working directory or the test
 * binary upwards (meson runs tests from the build directory, run-all.sh
 * from the source root, and the build directory may be anywhere). */
static int find_data(void **state)
{
	(void)state;
	char start[2][1024];
	ssize_t l = readlink("/proc/self/exe", start[1], sizeof(start[1]) - 1);
	start[1][l > 0 ? l : 0] = '\0';
	if (getcwd(start[0], sizeof(start[0])) == NULL)
		start[0][0] = '\0';
	for (int s = 0; s < 2; s++) {
		char dir[1024];
		memcpy(dir, start[s], sizeof(dir));
		while (dir[0] != '\0') {
			char probe[1100];
			struct stat st;
			snprintf(probe, sizeof(probe),
				 "%s/tests/data/inventory/dpkg/valid", dir);
			if (stat(probe, &st) == 0) {
				snprintf(data_dir, sizeof(data_dir),
					 "%.990s/tests/data/inventory", dir);
				return 0;
			}
			char *slash = strrchr(dir, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
		}
	}
	fprintf(stderr, "tests/data/inventory not found\n");
	return -1;
}

static void data_path(char *out, size_t n, const char *rel)
{
	snprintf(out, n, "%s/%s", data_dir, rel);
}

static char *slurp(const char *rel, size_t *n)
{
	return t_slurp(data_dir, rel, n);
}

/* ---- helpers ---- */

static json_t *find_pkg(json_t *pkgs, const char *name, const char *arch)
{
	size_t i;
	json_t *p;
	json_array_foreach(pkgs, i, p) {
		const char *a = json_string_value(json_object_get(p, "arch"));
		if (strcmp(json_string_value(json_object_get(p, "name")), name) == 0 &&
		    (arch == NULL || (a != NULL && strcmp(a, arch) == 0)))
			return p;
	}
	return NULL;
}

static const char *pget(json_t *p, const char *key)
{
	return json_string_value(json_object_get(p, key));
}

static json_t *parse_fixture(const char *rel, int flags)
{
	size_t n;
	char *buf = slurp(rel, &n);
	json_t *pkgs = json_array();
	struct err e = {0};
	int rc = inventory_dpkg_parse(rel, buf, n, flags, pkgs, &e);
	free(buf);
	if (rc != 0)
		fail_msg("%s: %s", rel, e.arg);
	return pkgs;
}

static json_t *parse_text(const char *text, int flags, struct err *e)
{
	json_t *pkgs = json_array();
	err_clear(e);
	if (inventory_dpkg_parse("test", text, strlen(text), flags, pkgs, e) != 0) {
		json_decref(pkgs);
		return NULL;
	}
	return pkgs;
}

/* ---- dpkg ---- */

static void test_dpkg_valid(void **state)
{
	(void)state;
	json_t *pkgs = parse_fixture("dpkg/valid", 0);
	assert_int_equal(json_array_size(pkgs), 7);
	json_t *p = find_pkg(pkgs, "accountsservice", NULL);
	assert_non_null(p);
	assert_string_equal(pget(p, "ecosystem"), "dpkg");
	assert_string_equal(pget(p, "version"), "22.08.8-6");
	assert_string_equal(pget(p, "arch"), "amd64");
	assert_string_equal(pget(p, "source"), "accountsservice");
	assert_string_equal(pget(p, "source_version"), "22.08.8-6");
	/* epoch kept */
	assert_string_equal(pget(find_pkg(pkgs, "attr", NULL), "version"), "1:2.5.1-4");
	assert_string_equal(pget(find_pkg(pkgs, "adduser", NULL), "arch"), "all");
	/* Source without a version: the binary's version */
	p = find_pkg(pkgs, "libacl1", NULL);
	assert_string_equal(pget(p, "source"), "acl");
	assert_string_equal(pget(p, "source_version"), "2.3.1-3");
	/* Source "util-linux (2.38.1-5)" of a binNMU 2.38.1-5+b1 */
	p = find_pkg(pkgs, "util-linux-extra", NULL);
	assert_string_equal(pget(p, "version"), "2.38.1-5+b1");
	assert_string_equal(pget(p, "source"), "util-linux");
	assert_string_equal(pget(p, "source_version"), "2.38.1-5");
	assert_int_equal(json_object_size(p), 6);
	json_decref(pkgs);
}

static void test_dpkg_statusfield(void **state)
{
	(void)state;
	json_t *pkgs = parse_fixture("dpkg/statusfield", 0);
	/* only the third word counts; no Status is not installed */
	assert_int_equal(json_array_size(pkgs), 3);
	assert_non_null(find_pkg(pkgs, "wantinstall_installed", NULL));
	assert_non_null(find_pkg(pkgs, "wantdeinstall_installed", NULL));
	assert_non_null(find_pkg(pkgs, "wantpurge_installed", NULL));
	assert_null(find_pkg(pkgs, "wantnostatus", NULL));
	assert_null(find_pkg(pkgs, "wantdeinstall_configfiles", NULL));
	assert_null(find_pkg(pkgs, "wantinstall_unpacked", NULL));
	assert_null(find_pkg(pkgs, "wantinstall_halfinstalled", NULL));
	/* no Architecture: no arch key */
	assert_null(json_object_get(find_pkg(pkgs, "wantinstall_installed", NULL), "arch"));
	json_decref(pkgs);
}

static void test_dpkg_transitional(void **state)
{
	(void)state;
	json_t *pkgs = parse_fixture("dpkg/transitional_dummy", 0);
	assert_int_equal(json_array_size(pkgs), 1);
	json_t *p = json_array_get(pkgs, 0);
	assert_string_equal(pget(p, "name"), "git-core");
	assert_string_equal(pget(p, "version"), "1:2.14.2-1");
	assert_string_equal(pget(p, "source"), "git");
	assert_string_equal(pget(p, "source_version"), "1:2.14.2-1");
	json_decref(pkgs);
}

static void test_dpkg_status_d(void **state)
{
	(void)state;
	/* distroless: no Status means installed; a Status still decides */
	json_t *pkgs = parse_fixture("dpkg/status.d/foo", INVENTORY_DPKG_STATUS_D);
	assert_int_equal(json_array_size(pkgs), 1);
	assert_string_equal(pget(json_array_get(pkgs, 0), "name"), "foo");
	assert_string_equal(pget(json_array_get(pkgs, 0), "version"), "1.2.3");
	json_decref(pkgs);
	/* the same text as a main status file: nothing installed */
	pkgs = parse_fixture("dpkg/status.d/foo", 0);
	assert_int_equal(json_array_size(pkgs), 0);
	json_decref(pkgs);
}

static void test_dpkg_shapes(void **state)
{
	(void)state;
	struct err e;
	/* multi-arch twins, continuation lines that look like fields, field
	 * names in any case, CRLF, blank lines of spaces, no final newline */
	json_t *pkgs = parse_text(
		"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n"
		"Version: 2.36-9\nDescription: x\n Package: evil\n Version: 9\n\n"
		"Package: libc6\nStatus: install ok installed\nArchitecture: i386\n"
		"Version: 2.36-9\n \t \n"
		"package: lower\nSTATUS: install ok installed\nversion: 1.0\r\n\r\n"
		"Package: spaced\nStatus:   install   ok   installed  \nVersion:  2.0  \n"
		"Source: src  (  2.0-1  )", 0, &e);
	assert_non_null(pkgs);
	assert_int_equal(json_array_size(pkgs), 4);
	assert_non_null(find_pkg(pkgs, "libc6", "amd64"));
	assert_non_null(find_pkg(pkgs, "libc6", "i386"));
	assert_null(find_pkg(pkgs, "evil", NULL));
	assert_string_equal(pget(find_pkg(pkgs, "lower", NULL), "version"), "1.0");
	json_t *p = find_pkg(pkgs, "spaced", NULL);
	assert_string_equal(pget(p, "version"), "2.0");
	assert_string_equal(pget(p, "source"), "src");
	assert_string_equal(pget(p, "source_version"), "2.0-1");
	json_decref(pkgs);

	/* a stanza without a version, a Status of four words, an empty file */
	pkgs = parse_text("Package: a\nStatus: install ok installed\n\n"
			  "Package: b\nStatus: install ok ok installed\nVersion: 1\n",
			  0, &e);
	assert_int_equal(json_array_size(pkgs), 0);
	json_decref(pkgs);
	pkgs = parse_text("", 0, &e);
	assert_int_equal(json_array_size(pkgs), 0);
	json_decref(pkgs);

	/* values that are no text: refused, naming file and line */
	pkgs = parse_text("Package: a\nStatus: install ok installed\nVersion: \xff\xfe\n", 0, &e);
	assert_null(pkgs);
	assert_non_null(strstr(e.arg, "test:3:"));
	char big[INVENTORY_MAX_STRING + 80];
	int k = snprintf(big, sizeof(big), "Package: a\nStatus: install ok installed\nVersion: ");
	memset(big + k, '1', INVENTORY_MAX_STRING + 1);
	big[k + INVENTORY_MAX_STRING + 1] = '\0';
	pkgs = parse_text(big, 0, &e);
	assert_null(pkgs);
	assert_non_null(strstr(e.arg, "test:3: version over 512 bytes"));
	big[k + INVENTORY_MAX_STRING] = '\0';       /* exactly the max */
	pkgs = parse_text(big, 0, &e);
	assert_non_null(pkgs);
	assert_int_equal(json_array_size(pkgs), 1);
	json_decref(pkgs);
}

static void test_dpkg_line_limit(void **state)
{
	(void)state;
	struct err e = {0};
	size_t n = INVENTORY_MAX_LINE + 200;
	char *buf = malloc(n + 1);
	assert_non_null(buf);
	/* line 4 is a Description of exactly INVENTORY_MAX_LINE bytes */
	int k = snprintf(buf, n, "Package: a\nStatus: install ok installed\nVersion: 1\n");
	memcpy(buf + k, "Description: ", 13);
	memset(buf + k + 13, 'x', INVENTORY_MAX_LINE - 13);
	size_t len = (size_t)k + INVENTORY_MAX_LINE;
	buf[len++] = '\n';
	json_t *pkgs = json_array();
	assert_int_equal(inventory_dpkg_parse("status", buf, len, 0, pkgs, &e), 0);
	assert_int_equal(json_array_size(pkgs), 1);
	/* one byte more on that line */
	memset(buf + k + 13, 'x', INVENTORY_MAX_LINE - 12);
	len = (size_t)k + INVENTORY_MAX_LINE + 1;
	assert_int_equal(inventory_dpkg_parse("status", buf, len, 0, pkgs, &e), -1);
	assert_int_equal(e.code, E_TOOLARGE);
	assert_non_null(strstr(e.arg, "status:4: line over 1048576 bytes"));
	json_decref(pkgs);
	free(buf);
}

static void test_dpkg_file_limit(void **state)
{
	(void)state;
	char dir[] = "/tmp/ungcuu-inv-XXXXXX", path[64];
	struct err e = {0};
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/status", dir);
	/* Sparse files: exactly the max is read (and then fails on its one
	 * 256 MiB line); one byte more is refused before reading. */
	int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, INVENTORY_MAX_FILE + 1), 0);
	close(fd);
	json_t *pkgs = json_array();
	assert_int_equal(inventory_dpkg(path, pkgs, &e), -1);
	assert_int_equal(e.code, E_TOOLARGE);
	assert_non_null(strstr(e.arg, "/status: file over 268435456 bytes"));

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(ftruncate(fd, INVENTORY_MAX_FILE), 0);
	close(fd);
	err_clear(&e);
	assert_int_equal(inventory_dpkg(path, pkgs, &e), -1);
	assert_int_equal(e.code, E_TOOLARGE);
	assert_non_null(strstr(e.arg, "/status:1: line over"));

	/* a missing file */
	unlink(path);
	err_clear(&e);
	assert_int_equal(inventory_dpkg(path, pkgs, &e), -1);
	assert_int_equal(e.code, E_NOTFOUND);
	rmdir(dir);
	json_decref(pkgs);
}

static void test_dpkg_package_limit(void **state)
{
	(void)state;
	static const char stanza[] = "Package: p\nStatus: install ok installed\nVersion: 1\n\n";
	size_t one = sizeof(stanza) - 1;
	size_t n = one * (INVENTORY_MAX_PACKAGES + 1);
	char *buf = malloc(n);
	assert_non_null(buf);
	for (size_t i = 0; i <= INVENTORY_MAX_PACKAGES; i++)
		memcpy(buf + i * one, stanza, one);
	struct err e = {0};
	json_t *pkgs = json_array();
	assert_int_equal(inventory_dpkg_parse("big", buf, n - one, 0, pkgs, &e), 0);
	assert_int_equal(json_array_size(pkgs), INVENTORY_MAX_PACKAGES);
	json_array_clear(pkgs);
	assert_int_equal(inventory_dpkg_parse("big", buf, n, 0, pkgs, &e), -1);
	assert_int_equal(e.code, E_TOOLARGE);
	assert_non_null(strstr(e.arg, "more than 100000 packages"));
	json_decref(pkgs);
	free(buf);
}

/* ---- this machine against dpkg-query ---- */

struct qline {
	char name[256], arch[64], version[256], state[64], src[256], srcver[256];
};

/* `dpkg-query -W` of every package: name, arch, version, state, source,
 * source version; NULL when dpkg-query cannot run. */
static struct qline *dpkg_query(size_t *count)
{
	FILE *f = popen("dpkg-query -W -f='${Package}\\t${Architecture}\\t${Version}\\t"
			"${db:Status-Status}\\t${source:Package}\\t${source:Version}\\n' "
			"2>/dev/null", "r");
	if (f == NULL)
		return NULL;
	size_t cap = 4096, n = 0;
	struct qline *v = malloc(cap * sizeof(*v));
	char line[2048];
	while (v != NULL && fgets(line, sizeof(line), f) != NULL) {
		if (n == cap) {
			cap *= 2;
			struct qline *nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		line[strcspn(line, "\n")] = '\0';
		char *save = NULL, *fields[6] = { 0 };
		char *tok = strtok_r(line, "\t", &save);
		for (int i = 0; i < 6 && tok != NULL; i++) {
			fields[i] = tok;
			tok = strtok_r(NULL, "\t", &save);
		}
		if (fields[3] == NULL)
			continue;
		struct qline *q = &v[n++];
		snprintf(q->name, sizeof(q->name), "%s", fields[0]);
		snprintf(q->arch, sizeof(q->arch), "%s", fields[1]);
		snprintf(q->version, sizeof(q->version), "%s", fields[2]);
		snprintf(q->state, sizeof(q->state), "%s", fields[3]);
		snprintf(q->src, sizeof(q->src), "%s", fields[4] ? fields[4] : "");
		snprintf(q->srcver, sizeof(q->srcver), "%s", fields[5] ? fields[5] : "");
	}
	if (pclose(f) != 0 || n == 0) {
		free(v);
		return NULL;
	}
	*count = n;
	return v;
}

static int same_query(const struct qline *a, size_t na, const struct qline *b,
		      size_t nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

static void test_dpkg_this_machine(void **state)
{
	(void)state;
	struct stat st;
	if (stat("/var/lib/dpkg/status", &st) != 0)
		skip();
	size_t nq = 0, nq2 = 0;
	struct qline *q = dpkg_query(&nq), *q2 = NULL;
	if (q == NULL)
		skip();
	json_t *pkgs = NULL;
	/* apt may run meanwhile: query, parse, query again until both agree */
	for (int attempt = 0; attempt < 5; attempt++) {
		struct err e = {0};
		json_decref(pkgs);
		pkgs = json_array();
		assert_int_equal(inventory_dpkg("/var/lib/dpkg/status", pkgs, &e), 0);
		q2 = dpkg_query(&nq2);
		assert_non_null(q2);
		if (same_query(q, nq, q2, nq2)) {
			free(q2);
			break;
		}
		free(q);
		q = q2;
		nq = nq2;
		sleep(1);
	}

	size_t installed = 0, others = 0, matched = 0;
	for (size_t i = 0; i < nq; i++) {
		if (strcmp(q[i].state, "installed") != 0) {
			others++;
			continue;
		}
		installed++;
		json_t *p = find_pkg(pkgs, q[i].name, q[i].arch);
		if (p == NULL)
			fail_msg("%s:%s listed by dpkg-query, not by us", q[i].name, q[i].arch);
		assert_string_equal(pget(p, "version"), q[i].version);
		assert_string_equal(pget(p, "source"), q[i].src);
		assert_string_equal(pget(p, "source_version"), q[i].srcver);
		matched++;
	}
	assert_int_equal(json_array_size(pkgs), installed);
	assert_int_equal(matched, installed);
	printf("# dpkg-query -W: %zu packages, %zu installed, all %zu matched "
	       "by name, arch, version and source; %zu not installed "
	       "(config-files etc.) left out\n", nq, installed, matched, others);
	json_decref(pkgs);
	free(q);
}

/* ---- collection on root trees ---- */

/* The trees keep their var/ as _var/ in git (nothing named var/ is tracked:
 * that is where instances keep their databases); a test collects from a
 * temporary copy with the real name. */
static json_t *collect_tree(const char *name)
{
	char src[PATH_MAX], root[] = "/tmp/ungcuu-root-XXXXXX", cmd[2 * PATH_MAX + 200];
	char rel[64];
	struct err e = {0};
	snprintf(rel, sizeof(rel), "roots/%s", name);
	data_path(src, sizeof(src), rel);
	if (mkdtemp(root) == NULL)
		fail_msg("mkdtemp: %s", root);
	snprintf(cmd, sizeof(cmd), "cp -a '%s/.' '%s/' && if [ -d '%s/_var' ]; then "
		 "mv '%s/_var' '%s/var'; fi", src, root, root, root, root);
	if (system(cmd) != 0)
		fail_msg("copy %s", name);
	json_t *doc = inventory_collect(root, &e);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fail_msg("rm %s", root);
	if (doc == NULL)
		fail_msg("collect %s: %s", name, e.arg);
	err_clear(&e);
	if (inventory_validate(doc, &e) != 0)
		fail_msg("collect %s: invalid at %s", name, e.fields[0].pointer);
	return doc;
}

/* A /proc/net row's ports are the kernel's four hex digits: a row with a
 * shorter, longer or signed port is not one (sscanf's %x read "153" as
 * 0x153 and cut "100000016" to 0x16; found by fuzz_agent_inventory). */
static void test_proc_row_ports(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"   1: 0100007F:153 00000000:0000 0A 00000000:00000000 00:00000000 00000000   108        0 1 1",
		"   1: 0100007F:100000016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1",
		"   1: 0100007F:+016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1",
		"   1: 0100007F: 016 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1",
		"   1: 0100007F:0016 00000000:00000 0A 00000000:00000000 00:00000000 00000000 0 0 1 1",
		"   1: 0100007F:0016 00000000:-1 07 00000000:00000000 00:00000000 00000000 0 0 1 1",
	};
	struct svcs s = { NULL, 0, 0, 0 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		inventory_proc_row(bad[i], 1, &s);
		inventory_proc_row(bad[i], 0, &s);
		if (s.n != 0)
			fail_msg("row kept: %s", bad[i]);
	}
	inventory_proc_row("   1: 0100007F:1538 00000000:0000 0A 00000000:00000000 00:00000000 "
			   "00000000   108        0 20321 1", 1, &s);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.v[0].port, 0x1538);
	assert_string_equal(s.v[0].proto, "tcp");
	free(s.v);
}

static void test_collect_debian12(void **state)
{
	(void)state;
	json_t *doc = collect_tree("debian12");
	json_t *os = json_object_get(doc, "os");
	assert_string_equal(pget(doc, "schema"), INVENTORY_SCHEMA);
	assert_string_equal(pget(doc, "hostname"), "ubnd-phuquy-web01");
	assert_string_equal(pget(os, "family"), "linux");
	assert_string_equal(pget(os, "id"), "debian");
	assert_string_equal(pget(os, "version_id"), "12");
	assert_string_equal(pget(os, "codename"), "bookworm");
	assert_string_equal(pget(os, "pretty_name"),
			    "Debian GNU/Linux 12 (bookworm) \"Phú Quý\" \\ $HOME `x`");
	assert_null(json_object_get(os, "id_like"));  /* "ID_LIKE = ..." is no assignment */
	assert_string_equal(pget(os, "kernel"), "6.1.0-28-amd64");

	json_t *pkgs = json_object_get(doc, "packages");
	assert_int_equal(json_array_size(pkgs), 4);
	assert_non_null(find_pkg(pkgs, "libc6", "amd64"));
	assert_non_null(find_pkg(pkgs, "libc6", "i386"));
	assert_null(find_pkg(pkgs, "removed-but-configured", NULL));
	assert_null(find_pkg(pkgs, "not-a-package", NULL));
	assert_string_equal(pget(find_pkg(pkgs, "openssh-server", NULL), "source_version"),
			    "1:9.2p1-2+deb12u3");

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* The /proc/net samples were written by a little-endian kernel. */
	static const char *const want =
		"tcp 0.0.0.0 22|tcp :: 22|tcp 2001:db8::1 80|tcp 10.0.2.10 443|"
		"tcp ::1 631|tcp 127.0.0.1 5432|tcp ::ffff:127.0.0.1 8080|"
		"udp 127.0.0.53 53|udp 0.0.0.0 68|udp :: 546|";
	char got[1024] = "";
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(doc, "services"), i, s) {
		size_t l = strlen(got);
		snprintf(got + l, sizeof(got) - l, "%s %s %lld|", pget(s, "proto"),
			 pget(s, "address"),
			 (long long)json_integer_value(json_object_get(s, "port")));
	}
	assert_string_equal(got, want);
#endif
	/* a tree has no interfaces */
	assert_int_equal(json_array_size(json_object_get(doc, "addresses")), 0);
	json_decref(doc);
}

static void test_collect_usrlib(void **state)
{
	(void)state;
	json_t *doc = collect_tree("usrlib");
	json_t *os = json_object_get(doc, "os");
	/* no etc/os-release: usr/lib/os-release; no etc/hostname: the kernel's */
	assert_string_equal(pget(os, "id"), "ubuntu");
	assert_string_equal(pget(os, "id_like"), "debian");
	assert_string_equal(pget(os, "version_id"), "22.04");
	assert_string_equal(pget(os, "pretty_name"), "Ubuntu 22.04.5 LTS");
	assert_string_equal(pget(doc, "hostname"), "ubuntu-box");
	assert_null(json_object_get(os, "kernel"));
	assert_int_equal(json_array_size(json_object_get(doc, "packages")), 0);
	assert_int_equal(json_array_size(json_object_get(doc, "services")), 0);
	json_decref(doc);
}

static void test_collect_distroless(void **state)
{
	(void)state;
	json_t *doc = collect_tree("distroless");
	/* etc/os-release -> /usr/lib/os-release resolves inside the tree */
	assert_string_equal(pget(json_object_get(doc, "os"), "pretty_name"), "Distroless");
	assert_string_equal(pget(doc, "hostname"), "");
	json_t *pkgs = json_object_get(doc, "packages");
	/* status.d/base and status.d/foo (bar: config-files; .md5sums skipped),
	 * in file name order */
	assert_int_equal(json_array_size(pkgs), 2);
	assert_string_equal(pget(json_array_get(pkgs, 0), "name"), "base-files");
	assert_string_equal(pget(json_array_get(pkgs, 1), "name"), "foo");
	json_decref(doc);
}

static void test_collect_empty_and_bad_roots(void **state)
{
	(void)state;
	json_t *doc = collect_tree("empty");
	assert_string_equal(pget(json_object_get(doc, "os"), "family"), "linux");
	assert_int_equal(json_object_size(json_object_get(doc, "os")), 1);
	json_decref(doc);

	struct err e = {0};
	assert_null(inventory_collect("/nonexistent/ungcuu-root", &e));
	assert_int_equal(e.code, E_IO);
	assert_non_null(strstr(e.arg, "/nonexistent/ungcuu-root"));
	char file[PATH_MAX];
	data_path(file, sizeof(file), "dpkg/valid");
	err_clear(&e);
	assert_null(inventory_collect(file, &e));
	assert_int_equal(e.code, E_IO);
	err_clear(&e);
	assert_null(inventory_collect("", &e));
	assert_null(inventory_collect(NULL, &e));
}

static void test_collect_this_host(void **state)
{
	(void)state;
	struct timespec a, b;
	struct err e = {0};
	clock_gettime(CLOCK_MONOTONIC, &a);
	json_t *doc = inventory_collect("/", &e);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (doc == NULL)
		fail_msg("collect /: %s", e.arg);
	double ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
		    (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	assert_int_equal(inventory_validate(doc, &e), 0);
	assert_true(strlen(pget(doc, "hostname")) > 0);
	assert_non_null(pget(json_object_get(doc, "os"), "kernel"));
	/* loopback never listed */
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(doc, "addresses"), i, v) {
		assert_true(strncmp(json_string_value(v), "127.", 4) != 0);
		assert_string_not_equal(json_string_value(v), "::1");
	}
	printf("# collect /: %.1f ms, %zu packages, %zu services, %zu addresses\n",
	       ms, json_array_size(json_object_get(doc, "packages")),
	       json_array_size(json_object_get(doc, "services")),
	       json_array_size(json_object_get(doc, "addresses")));
	assert_true(ms < 10000);
	json_decref(doc);
}

/* ---- validation ---- */

static json_t *good_doc(void)
{
	return json_pack(
		"{s:s, s:s, s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s, s:s, s:s}],"
		" s:[s], s:[{s:s, s:s, s:i}], s:[s, s]}",
		"schema", INVENTORY_SCHEMA, "hostname", "pc-01",
		"collected_at", "2026-11-24T03:15:00Z",
		"os", "family", "linux", "id", "debian", "version_id", "12",
		"packages", "ecosystem", "dpkg", "name", "bash", "version", "5.2.15-2+b7",
		"arch", "amd64",
		"hotfixes", "KB5034441",
		"services", "proto", "tcp", "address", "::", "port", 22,
		"addresses", "192.0.2.10", "2001:db8::10");
}

/* Validates doc (stolen) and checks the first field error. */
static void refused(json_t *doc, const char *pointer, int msg)
{
	struct err e = {0};
	assert_int_equal(inventory_validate(doc, &e), -1);
	assert_int_equal(e.code, E_INVALID);
	assert_true(e.nfields >= 1);
	if (strcmp(e.fields[0].pointer, pointer) != 0 || e.fields[0].msg != msg)
		fail_msg("want %s (%d), got %s (%d: %s)", pointer, msg,
			 e.fields[0].pointer, e.fields[0].msg, e.fields[0].arg);
	json_decref(doc);
}

static void accepted(json_t *doc)
{
	struct err e = {0};
	if (inventory_validate(doc, &e) != 0)
		fail_msg("refused at %s (%d: %s)", e.fields[0].pointer,
			 e.fields[0].msg, e.fields[0].arg);
	json_decref(doc);
}

static json_t *with(json_t *doc, const char *key, json_t *v)
{
	json_object_set_new(doc, key, v);
	return doc;
}

static json_t *without(json_t *doc, const char *key)
{
	json_object_del(doc, key);
	return doc;
}

static json_t *pkg0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "packages"), 0);
}

static void test_validate_fields(void **state)
{
	(void)state;
	accepted(good_doc());
	accepted(with(good_doc(), "hostname", json_string("")));
	accepted(without(without(without(good_doc(), "services"), "hotfixes"), "addresses"));
	accepted(with(good_doc(), "packages", json_array()));

	struct err e = {0};
	json_t *arr = json_array();
	assert_int_equal(inventory_validate(arr, &e), -1);
	assert_int_equal(e.code, E_MALFORMED);
	json_decref(arr);

	refused(without(good_doc(), "schema"), "/schema", MSG_REQUIRED);
	refused(with(good_doc(), "schema", json_string("ungcuu-inventory/2")), "/schema", MSG_BAD_VALUE);
	refused(with(good_doc(), "extra", json_true()), "/extra", MSG_UNKNOWN_FIELD);
	refused(without(good_doc(), "hostname"), "/hostname", MSG_REQUIRED);
	refused(with(good_doc(), "hostname", json_integer(1)), "/hostname", MSG_WRONG_TYPE);
	refused(with(good_doc(), "collected_at", json_string("yesterday")), "/collected_at", MSG_BAD_TIME);
	refused(without(good_doc(), "packages"), "/packages", MSG_REQUIRED);
	refused(with(good_doc(), "packages", json_object()), "/packages", MSG_WRONG_TYPE);
	refused(without(good_doc(), "os"), "/os", MSG_REQUIRED);

	json_t *d = good_doc();
	json_object_del(json_object_get(d, "os"), "family");
	refused(d, "/os/family", MSG_REQUIRED);
	d = good_doc();
	json_object_set_new(json_object_get(d, "os"), "family", json_string("beos"));
	refused(d, "/os/family", MSG_BAD_VALUE);
	d = good_doc();
	json_object_set_new(json_object_get(d, "os"), "ram", json_integer(8));
	refused(d, "/os/ram", MSG_UNKNOWN_FIELD);

	/* packages, with the index in the pointer */
	d = good_doc();
	for (int i = 0; i < 12; i++)
		json_array_append(json_object_get(d, "packages"), pkg0(d));
	json_array_append_new(json_object_get(d, "packages"),
			      json_pack("{s:s, s:s, s:i}", "ecosystem", "dpkg",
					"name", "x", "version", 1));
	refused(d, "/packages/13/version", MSG_WRONG_TYPE);
	d = good_doc();
	json_array_append_new(json_object_get(d, "packages"), json_string("bash"));
	refused(d, "/packages/1", MSG_WRONG_TYPE);
	d = good_doc();
	json_object_set_new(pkg0(d), "ecosystem", json_string("npm"));
	refused(d, "/packages/0/ecosystem", MSG_BAD_VALUE);
	d = good_doc();
	json_object_set_new(pkg0(d), "name", json_string(""));
	refused(d, "/packages/0/name", MSG_EMPTY);
	d = good_doc();
	json_object_del(pkg0(d), "name");
	refused(d, "/packages/0/name", MSG_REQUIRED);
	d = good_doc();
	json_object_set_new(pkg0(d), "license", json_string("GPL"));
	refused(d, "/packages/0/license", MSG_UNKNOWN_FIELD);
	d = good_doc();
	json_object_set_new(pkg0(d), "source", json_stringn("a\0b", 3));
	refused(d, "/packages/0/source", MSG_NUL_CHAR);

	/* services */
	d = good_doc();
	json_object_set_new(json_array_get(json_object_get(d, "services"), 0), "port",
			    json_integer(0));
	refused(d, "/services/0/port", MSG_BAD_VALUE);
	d = good_doc();
	json_object_set_new(json_array_get(json_object_get(d, "services"), 0), "port",
			    json_integer(65536));
	refused(d, "/services/0/port", MSG_BAD_VALUE);
	d = good_doc();
	json_object_set_new(json_array_get(json_object_get(d, "services"), 0), "port",
			    json_integer(65535));
	accepted(d);
	d = good_doc();
	json_object_set_new(json_array_get(json_object_get(d, "services"), 0), "address",
			    json_string("999.1.1.1"));
	refused(d, "/services/0/address", MSG_BAD_VALUE);
	d = good_doc();
	json_object_set_new(json_array_get(json_object_get(d, "services"), 0), "proto",
			    json_string("sctp"));
	refused(d, "/services/0/proto", MSG_BAD_VALUE);

	/* hotfixes and addresses */
	refused(with(good_doc(), "hotfixes", json_pack("[s, s]", "KB1", "KB12x")),
		"/hotfixes/1", MSG_BAD_VALUE);
	refused(with(good_doc(), "hotfixes", json_pack("[i]", 5034441)),
		"/hotfixes/0", MSG_WRONG_TYPE);
	refused(with(good_doc(), "addresses", json_pack("[s]", "localhost")),
		"/addresses/0", MSG_BAD_VALUE);
	refused(with(good_doc(), "addresses", json_pack("[s]", "fe80::1%eth0")),
		"/addresses/0", MSG_BAD_VALUE);

	/* at most ERR_MAX_FIELDS errors, however many are wrong */
	d = good_doc();
	json_t *many = json_array();
	for (int i = 0; i < 1000; i++)
		json_array_append_new(many, json_string("nope"));
	json_object_set_new(d, "hotfixes", many);
	err_clear(&e);
	assert_int_equal(inventory_validate(d, &e), -1);
	assert_int_equal(e.nfields, ERR_MAX_FIELDS);
	json_decref(d);
}

static void test_validate_limits(void **state)
{
	(void)state;
	char s[INVENTORY_MAX_STRING + 2];
	memset(s, 'v', sizeof(s));
	s[INVENTORY_MAX_STRING] = '\0';
	json_t *d = good_doc();
	json_object_set_new(pkg0(d), "version", json_string(s));
	json_object_set_new(json_object_get(d, "os"), "pretty_name", json_string(s));
	accepted(d);
	s[INVENTORY_MAX_STRING] = 'v';
	s[INVENTORY_MAX_STRING + 1] = '\0';
	d = good_doc();
	json_object_set_new(pkg0(d), "version", json_string(s));
	refused(d, "/packages/0/version", MSG_TOO_LONG);
	d = good_doc();
	json_object_set_new(json_object_get(d, "os"), "kernel", json_string(s));
	refused(d, "/os/kernel", MSG_TOO_LONG);
	refused(with(good_doc(), "hostname", json_string(s)), "/hostname", MSG_TOO_LONG);

	/* packages: 100,000 and 100,001 (the same entry, shared) */
	d = good_doc();
	json_t *p = json_incref(pkg0(d));
	json_t *pkgs = json_object_get(d, "packages");
	while (json_array_size(pkgs) < INVENTORY_MAX_PACKAGES)
		json_array_append(pkgs, p);
	json_t *copy = json_incref(d);
	accepted(copy);
	json_array_append(pkgs, p);
	refused(d, "/packages", MSG_TOO_MANY);
	json_decref(p);

	/* hotfixes, services, addresses */
	static const struct { const char *key; size_t max; } lists[] = {
		{ "hotfixes", INVENTORY_MAX_HOTFIXES },
		{ "services", INVENTORY_MAX_SERVICES },
		{ "addresses", INVENTORY_MAX_ADDRESSES },
	};
	for (size_t k = 0; k < 3; k++) {
		d = good_doc();
		json_t *a = json_object_get(d, lists[k].key);
		json_t *item = json_incref(json_array_get(a, 0));
		while (json_array_size(a) < lists[k].max)
			json_array_append(a, item);
		accepted(json_incref(d));
		json_array_append(a, item);
		char ptr[32];
		snprintf(ptr, sizeof(ptr), "/%s", lists[k].key);
		refused(d, ptr, MSG_TOO_MANY);
		json_decref(item);
	}
}

/* ---- Windows ---- */

static json_t *windows(const char *name, const char *data, size_t n,
		       struct err *e)
{
	err_clear(e);
	return inventory_from_windows(name, data, n, e);
}

static void test_windows_sample(void **state)
{
	(void)state;
	size_t n;
	struct err e;
	char *buf = slurp("windows/windows-sample.json", &n);
	json_t *doc = windows("windows-sample.json", buf, n, &e);
	if (doc == NULL)
		fail_msg("refused: %s %s", e.arg, e.nfields ? e.fields[0].pointer : "");
	assert_string_equal(pget(doc, "schema"), INVENTORY_SCHEMA);
	assert_string_equal(pget(doc, "hostname"), "TAMTHANH-KT01");
	assert_string_equal(pget(doc, "collected_at"), "2025-04-14T02:31:07.000Z");
	json_t *os = json_object_get(doc, "os");
	assert_string_equal(pget(os, "family"), "windows");
	assert_string_equal(pget(os, "version_id"), "10.0.19045");
	assert_string_equal(pget(os, "build"), "19045.5737");
	assert_string_equal(pget(os, "pretty_name"), "Microsoft Windows 10 Pro 22H2");

	json_t *hot = json_object_get(doc, "hotfixes");
	assert_int_equal(json_array_size(hot), 5);
	assert_string_equal(json_string_value(json_array_get(hot, 3)), "KB5055518");

	json_t *pkgs = json_object_get(doc, "packages");
	assert_int_equal(json_array_size(pkgs), 10);
	json_t *p = find_pkg(pkgs, "Phần mềm kế toán MISA SME 2025", NULL);
	assert_non_null(p);
	assert_string_equal(pget(p, "ecosystem"), "windows");
	assert_string_equal(pget(p, "publisher"), "Công ty Cổ phần MISA");
	assert_string_equal(pget(p, "arch"), "x86");
	p = find_pkg(pkgs, "UniKey 4.6 RC2", NULL);
	assert_null(json_object_get(p, "version"));    /* no DisplayVersion */
	p = find_pkg(pkgs, "VNPT-CA Plugin & Token Manager", NULL);
	assert_non_null(p);                             /* \u0026 of PS 5.1 */
	p = find_pkg(pkgs, "Zalo", NULL);
	assert_null(json_object_get(p, "arch"));        /* per-user install */

	json_t *svcs = json_object_get(doc, "services");
	assert_int_equal(json_array_size(svcs), 10);
	json_t *s0 = json_array_get(svcs, 1);
	assert_string_equal(pget(s0, "process"), "System");
	assert_int_equal(json_integer_value(json_object_get(s0, "port")), 445);
	assert_string_equal(pget(json_array_get(svcs, 9), "address"), "fe80::1c2b:3d4e:5f60:7a8b");
	assert_int_equal(json_array_size(json_object_get(doc, "addresses")), 2);
	json_decref(doc);

	/* The same with a UTF-8 BOM. */
	char *bom = malloc(n + 3);
	memcpy(bom, "\xEF\xBB\xBF", 3);
	memcpy(bom + 3, buf, n);
	doc = windows("bom.json", bom, n + 3, &e);
	assert_non_null(doc);
	json_decref(doc);
	free(bom);

	/* The same as UTF-16LE with its BOM (what PowerShell 5.1's `>` writes). */
	unsigned char *u16 = malloc(2 * n + 2);
	size_t o = 0;
	u16[o++] = 0xFF;
	u16[o++] = 0xFE;
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)buf[i];
		unsigned cp;
		int len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
		for (int k = 1; k < len; k++)
			cp = cp << 6 | ((unsigned char)buf[i + k] & 0x3F);
		i += (size_t)len;
		assert_true(cp < 0x10000);
		u16[o++] = (unsigned char)(cp & 0xFF);
		u16[o++] = (unsigned char)(cp >> 8);
	}
	doc = windows("utf16.json", (const char *)u16, o, &e);
	if (doc == NULL)
		fail_msg("utf-16 refused: %s", e.arg);
	assert_non_null(find_pkg(json_object_get(doc, "packages"),
				 "Phần mềm kế toán MISA SME 2025", NULL));
	json_decref(doc);
	/* a lone surrogate */
	u16[2] = 0x00;
	u16[3] = 0xD8;
	assert_null(windows("bad16.json", (const char *)u16, o, &e));
	assert_int_equal(e.code, E_MALFORMED);
	free(u16);
	free(buf);
}

static json_t *win_min(void)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:i}}",
			 "schema", INVENTORY_WINDOWS_SCHEMA, "hostname", "PC",
			 "collected_at", "2025-04-14T02:31:07Z",
			 "os", "caption", "Microsoft Windows 11 Pro",
			 "version", "10.0.26100", "build", "26100", "ubr", 3775);
}

/* Converts j (stolen) from its JSON text. */
static json_t *win_conv(json_t *j, struct err *e)
{
	char *text = json_dumps(j, 0);
	json_decref(j);
	json_t *doc = windows("t.json", text, strlen(text), e);
	free(text);
	return doc;
}

static void win_refused(json_t *j, const char *pointer, int msg)
{
	struct err e;
	json_t *doc = win_conv(j, &e);
	if (doc != NULL) {
		json_decref(doc);
		fail_msg("accepted, want %s", pointer);
	}
	assert_true(e.nfields >= 1);
	if (strcmp(e.fields[0].pointer, pointer) != 0 || e.fields[0].msg != msg)
		fail_msg("want %s (%d), got %s (%d)", pointer, msg,
			 e.fields[0].pointer, e.fields[0].msg);
}

static void test_windows_shapes(void **state)
{
	(void)state;
	struct err e;
	/* minimal: no lists at all */
	json_t *doc = win_conv(win_min(), &e);
	assert_non_null(doc);
	assert_string_equal(pget(json_object_get(doc, "os"), "build"), "26100.3775");
	assert_int_equal(json_array_size(json_object_get(doc, "packages")), 0);
	json_decref(doc);

	/* PowerShell 5.1 shapes: {"value":[…],"Count":n} and an unrolled
	 * one-item array; hotfixes as strings, lower case, "File 1",
	 * duplicates; programs without a name, twice the same */
	json_t *j = win_min();
	json_object_set_new(j, "hotfixes", json_pack("{s:[s, s, s, {s:s}, s], s:i}",
		"value", "kb5001", "KB5001", "File 1", "id", "KB5002", "KB", "Count", 5));
	json_object_set_new(j, "programs", json_pack("[{s:s, s:s}, {s:s, s:s}, {s:n}]",
		"name", "A", "version", "1", "name", "A", "version", "1", "name"));
	json_object_set_new(j, "listening", json_pack("{s:s, s:s, s:i}",
		"proto", "TCP", "address", "fe80::1%12", "port", 135));
	json_object_set_new(j, "addresses", json_string("192.0.2.5"));
	json_object_set_new(j, "future_field", json_true());
	doc = win_conv(j, &e);
	if (doc == NULL)
		fail_msg("refused: %s", e.nfields ? e.fields[0].pointer : e.arg);
	json_t *hot = json_object_get(doc, "hotfixes");
	assert_int_equal(json_array_size(hot), 2);
	assert_string_equal(json_string_value(json_array_get(hot, 0)), "KB5001");
	assert_string_equal(json_string_value(json_array_get(hot, 1)), "KB5002");
	assert_int_equal(json_array_size(json_object_get(doc, "packages")), 1);
	json_t *s = json_array_get(json_object_get(doc, "services"), 0);
	assert_string_equal(pget(s, "proto"), "tcp");
	assert_string_equal(pget(s, "address"), "fe80::1");
	assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "addresses"), 0)),
			    "192.0.2.5");
	json_decref(doc);

	/* bad input, named by its pointer in the input */
	win_refused(json_pack("{s:s}", "schema", "ungcuu-windows/9"), "/schema", MSG_BAD_VALUE);
	j = win_min();
	json_object_del(j, "hostname");
	win_refused(j, "/hostname", MSG_REQUIRED);
	j = win_min();
	json_object_set_new(j, "collected_at", json_string("14/04/2025"));
	win_refused(j, "/collected_at", MSG_BAD_TIME);
	j = win_min();
	json_object_del(j, "os");
	win_refused(j, "/os", MSG_REQUIRED);
	j = win_min();
	json_object_set_new(json_object_get(j, "os"), "ubr", json_string("x"));
	win_refused(j, "/os/ubr", MSG_WRONG_TYPE);
	j = win_min();
	json_object_set_new(j, "programs", json_pack("[{s:s}, {s:s}, {s:[]}]",
		"name", "ok", "name", "ok2", "name"));
	win_refused(j, "/programs/2/name", MSG_WRONG_TYPE);
	j = win_min();
	json_object_set_new(j, "listening", json_pack("[{s:s, s:s, s:i}]",
		"proto", "tcp", "address", "0.0.0.0", "port", 70000));
	win_refused(j, "/listening/0/port", MSG_BAD_VALUE);
	j = win_min();
	json_object_set_new(j, "listening", json_pack("[{s:s, s:s, s:i}]",
		"proto", "icmp", "address", "0.0.0.0", "port", 1));
	win_refused(j, "/listening/0/proto", MSG_BAD_VALUE);
	j = win_min();
	json_object_set_new(j, "addresses", json_pack("[s, s]", "10.0.0.1", "not-an-ip"));
	win_refused(j, "/addresses/1", MSG_BAD_VALUE);

	/* strings: 512 bytes kept, 513 refused */
	char big[INVENTORY_MAX_STRING + 2];
	memset(big, 'n', sizeof(big));
	big[INVENTORY_MAX_STRING] = '\0';
	j = win_min();
	json_object_set_new(j, "programs", json_pack("[{s:s}]", "name", big));
	doc = win_conv(j, &e);
	assert_non_null(doc);
	json_decref(doc);
	big[INVENTORY_MAX_STRING] = 'n';
	big[INVENTORY_MAX_STRING + 1] = '\0';
	j = win_min();
	json_object_set_new(j, "programs", json_pack("[{s:s}]", "name", big));
	win_refused(j, "/programs/0/name", MSG_TOO_LONG);

	/* a caption that would pass 512 bytes with its display version is cut
	 * on a character boundary */
	char cap[INVENTORY_MAX_STRING + 1] = "";
	while (strlen(cap) + 2 <= INVENTORY_MAX_STRING - 1)
		memcpy(cap + strlen(cap), "ệ", sizeof("ệ"));
	j = win_min();
	json_object_set_new(json_object_get(j, "os"), "caption", json_string(cap));
	json_object_set_new(json_object_get(j, "os"), "display_version", json_string("24H2"));
	doc = win_conv(j, &e);
	assert_non_null(doc);
	assert_true(strlen(pget(json_object_get(doc, "os"), "pretty_name")) <= INVENTORY_MAX_STRING);
	json_decref(doc);

	/* too many hotfixes */
	j = win_min();
	json_t *many = json_array();
	for (int i = 0; i <= INVENTORY_MAX_HOTFIXES; i++)
		json_array_append_new(many, json_string("KB1"));
	json_object_set_new(j, "hotfixes", many);
	win_refused(j, "/hotfixes", MSG_TOO_MANY);

	/* not JSON, not DISM; broken JSON; too large; empty */
	assert_null(windows("x.txt", "hello", 5, &e));
	assert_int_equal(e.code, E_MALFORMED);
	assert_non_null(strstr(e.arg, "x.txt"));
	assert_null(windows("x.json", "{\"schema\":", 10, &e));
	assert_int_equal(e.code, E_MALFORMED);
	assert_non_null(strstr(e.arg, "x.json"));
	assert_null(windows("dup.json", "{\"a\":1,\"a\":2}", 13, &e));
	assert_int_equal(e.code, E_MALFORMED);
	assert_null(windows("e", "", 0, &e));
	assert_null(windows("e", NULL, 0, &e));
	char *huge = calloc(1, (size_t)INVENTORY_MAX_WINDOWS_FILE + 1);
	assert_non_null(huge);
	huge[0] = '{';
	assert_null(windows("huge.json", huge, (size_t)INVENTORY_MAX_WINDOWS_FILE + 1, &e));
	assert_int_equal(e.code, E_TOOLARGE);
	free(huge);
}

static void test_windows_dism(void **state)
{
	(void)state;
	size_t n;
	struct err e;
	char *buf = slurp("windows/dism_testdata.txt", &n);
	json_t *doc = windows("dism.txt", buf, n, &e);
	if (doc == NULL)
		fail_msg("refused: %s", e.arg);
	json_t *os = json_object_get(doc, "os");
	assert_string_equal(pget(os, "family"), "windows");
	assert_string_equal(pget(os, "version_id"), "10.0.17763");
	assert_string_equal(pget(os, "build"), "17763.3406");
	assert_string_equal(pget(doc, "hostname"), "");
	json_t *hot = json_object_get(doc, "hotfixes");
	/* KB4470788 is Installed; the rollups and the servicing stack are
	 * named by build, not KB */
	assert_int_equal(json_array_size(hot), 1);
	assert_string_equal(json_string_value(json_array_get(hot, 0)), "KB4470788");
	json_decref(doc);

	/* Without "Image Version": the installed rollup gives the build;
	 * a superseded KB is not installed. CRLF as dism writes it. */
	static const char text[] =
		"Package Identity : Package_for_KB5005112~31bf3856ad364e35~amd64~~17763.1911.1.2\r\n"
		"State : Superseded\r\n\r\n"
		"Package Identity : Package_for_KB5034127~31bf3856ad364e35~amd64~~17763.5329.1.2\r\n"
		"State : Installed\r\n\r\n"
		"Package Identity : Package_for_RollupFix~31bf3856ad364e35~amd64~~17763.5329.1.7\r\n"
		"State : Installed\r\n";
	doc = windows("dism2.txt", text, sizeof(text) - 1, &e);
	assert_non_null(doc);
	assert_string_equal(pget(json_object_get(doc, "os"), "build"), "17763.5329");
	hot = json_object_get(doc, "hotfixes");
	assert_int_equal(json_array_size(hot), 1);
	assert_string_equal(json_string_value(json_array_get(hot, 0)), "KB5034127");
	json_decref(doc);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dpkg_valid),
		cmocka_unit_test(test_dpkg_statusfield),
		cmocka_unit_test(test_dpkg_transitional),
		cmocka_unit_test(test_dpkg_status_d),
		cmocka_unit_test(test_dpkg_shapes),
		cmocka_unit_test(test_dpkg_line_limit),
		cmocka_unit_test(test_dpkg_file_limit),
		cmocka_unit_test(test_dpkg_package_limit),
		cmocka_unit_test(test_dpkg_this_machine),
		cmocka_unit_test(test_collect_debian12),
		cmocka_unit_test(test_proc_row_ports),
		cmocka_unit_test(test_collect_usrlib),
		cmocka_unit_test(test_collect_distroless),
		cmocka_unit_test(test_collect_empty_and_bad_roots),
		cmocka_unit_test(test_collect_this_host),
		cmocka_unit_test(test_validate_fields),
		cmocka_unit_test(test_validate_limits),
		cmocka_unit_test(test_windows_sample),
		cmocka_unit_test(test_windows_shapes),
		cmocka_unit_test(test_windows_dism),
	};
	return cmocka_run_group_tests(tests, find_data, NULL);
}
