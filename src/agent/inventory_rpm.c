/*
 * inventory_rpm.c - the rpm packages of a host, read from its rpm database
 * through librpm. Built only when Meson finds librpm (UNGCUU_WITH_RPM);
 * inventory_collect calls it after dpkg.
 *
 * The database is looked for under root where distributions keep it, and
 * its format is named from the file found (as rpm's own backend detection
 * does), so the host's rpm macros (Debian's rpm sets %_dbpath to ~/.rpmdb)
 * never decide what is read. Links on the way are resolved and must stay
 * inside root: an image whose var/lib/rpm points at /var/lib/rpm must not
 * report the host's packages as its own. (inventory.c opens its files with
 * openat2(RESOLVE_IN_ROOT) instead; librpm opens paths itself.)
 *
 * librpm is process-wide state: its configuration is read once, and the
 * two macros and the log callback set here are put back before returning
 * (the callback with NULL data: nothing else in ungcuu sets one). The agent
 * collects from one thread; so must any other caller.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmts.h>

#include "inventory.h"
#include "../base/log.h"
#include "../base/msg.h"
#include "../base/banned.h"

/* Where the database lives, relative to root: var/lib/rpm (RHEL, CentOS,
 * Amazon Linux, older Fedora and SUSE) and usr/lib/sysimage/rpm (Fedora 36+,
 * openSUSE, where var/lib/rpm is a link to it). The first holding a
 * database wins. */
static const char *const db_dirs[] = { "var/lib/rpm", "usr/lib/sysimage/rpm" };

/* The file each database format keeps, and rpm's name for that backend. */
static const struct {
	const char *file;
	const char *backend;
} db_files[] = {
	{ "rpmdb.sqlite", "sqlite" },   /* rpm 4.16+: Fedora 33+, RHEL 9 */
	{ "Packages.db", "ndb" },       /* SUSE since 2021 */
	{ "Packages", "bdb_ro" },       /* Berkeley DB: RHEL 7 and 8 */
};

struct rpm_db {
	char realroot[PATH_MAX];   /* root with its links resolved */
	char dbpath[PATH_MAX];     /* the directory under realroot: "/var/lib/rpm" */
	char name[PATH_MAX];       /* root as given + dbpath, for messages */
	const char *backend;
};

/* What librpm logs while we hold it: the first error becomes our error
 * message; warnings go to our log, except the one saying librpm fell back
 * to its dummy backend (built without the one the database needs, as
 * Debian's is without ndb), which reads as an empty database: that one is
 * our error. Its text has been the same, untranslated, since rpm 4.16
 * (lib/backend/dbi.c). */
#define RPM_DUMMY_WARNING "using dummy database"

struct rpm_log {
	char first[512];
	int dummy;
};

static pthread_once_t rpm_once = PTHREAD_ONCE_INIT;
static int rpm_config_rc = -1;   /* set once, by rpm_config */

static void rpm_config(void)
{
	rpm_config_rc = rpmReadConfigFiles(NULL, NULL);
}

static int rpm_log_cb(rpmlogRec rec, rpmlogCallbackData data)
{
	struct rpm_log *l = data;
	const char *m = rpmlogRecMessage(rec);
	size_t n = m != NULL ? strlen(m) : 0;
	while (n > 0 && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	if (rpmlogRecPriority(rec) <= RPMLOG_ERR) {
		if (l->first[0] == '\0')
			snprintf(l->first, sizeof(l->first), "%.*s", (int)n, m);
	} else if (n >= sizeof(RPM_DUMMY_WARNING) - 1 &&
		   strncmp(m, RPM_DUMMY_WARNING, sizeof(RPM_DUMMY_WARNING) - 1) == 0) {
		l->dummy = 1;
	} else if (rpmlogRecPriority(rec) <= RPMLOG_WARNING) {
		log_warn("inventory: rpm: %.*s", (int)n, m);
	}
	return 0;   /* handled: librpm prints nothing itself */
}

/* Whether path (resolved) is realroot or under it. */
static int inside(const char *realroot, const char *path)
{
	size_t l = strlen(realroot);
	if (strcmp(realroot, "/") == 0)
		return 1;
	return strncmp(path, realroot, l) == 0 &&
	       (path[l] == '/' || path[l] == '\0');
}

/* out = a "/" b (a "/" is ""); -1 when that is longer than PATH_MAX. */
static int path_join(char *out, const char *a, const char *b)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", strcmp(a, "/") ? a : "", b);
	return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* Finds the database under db->realroot. 1 found (db filled), 0 none, -1
 * error (a directory we may not read, a path over PATH_MAX). */
static int rpm_find(const char *root, struct rpm_db *db, struct err *e)
{
	char dir[PATH_MAX], file[PATH_MAX], real[PATH_MAX], what[PATH_MAX + 64];
	struct stat st;

	for (size_t i = 0; i < sizeof(db_dirs) / sizeof(db_dirs[0]); i++) {
		if (path_join(dir, db->realroot, db_dirs[i]) != 0) {
			errno = ENAMETOOLONG;
			snprintf(what, sizeof(what), "%s: %s", root, strerror(errno));
			return err_set(e, E_IO, MSG_IO, what);
		}
		for (size_t j = 0; j < sizeof(db_files) / sizeof(db_files[0]); j++) {
			if (path_join(file, dir, db_files[j].file) != 0)
				continue;
			if (stat(file, &st) != 0) {
				if (errno == ENOENT || errno == ENOTDIR)
					continue;
				snprintf(what, sizeof(what), "%s: %s", file,
					 strerror(errno));
				return err_set(e, E_IO, MSG_IO, what);
			}
			if (!S_ISREG(st.st_mode))
				continue;
			if (realpath(file, real) == NULL || !inside(db->realroot, real) ||
			    realpath(dir, real) == NULL || !inside(db->realroot, real)) {
				log_warn("inventory: %s/%s/%s leads outside %s; "
					 "not read", root, db_dirs[i],
					 db_files[j].file, root);
				break;
			}
			const char *under = strcmp(db->realroot, "/") == 0 ?
				real : real + strlen(db->realroot);
			snprintf(db->dbpath, sizeof(db->dbpath), "%s",
				 under[0] != '\0' ? under : "/");
			snprintf(db->name, sizeof(db->name), "%s%s%s", root,
				 root[strlen(root) - 1] == '/' ? "" : "/",
				 db->dbpath + 1);
			db->backend = db_files[j].backend;
			return 1;
		}
	}
	return 0;
}

/* Sets key to the n bytes at p, or fails naming the database and package. */
static int rpm_set(json_t *pkg, const char *key, const char *p, size_t n,
		   const struct rpm_db *db, const char *pkgname, struct err *e)
{
	char what[PATH_MAX + 160];
	json_t *v = NULL;
	if (n <= INVENTORY_MAX_STRING && memchr(p, '\0', n) == NULL)
		v = json_stringn(p, n);
	if (v == NULL) {
		if (n > INVENTORY_MAX_STRING) {
			snprintf(what, sizeof(what), "%s: package %.64s: %s over "
				 "%d bytes", db->name, pkgname, key,
				 INVENTORY_MAX_STRING);
			return err_set(e, E_TOOLARGE, MSG_IO, what);
		}
		snprintf(what, sizeof(what), "%s: package %.64s: %s is not "
			 "UTF-8 text", db->name, pkgname, key);
		return err_set(e, E_INVALID, MSG_IO, what);
	}
	if (json_object_set_new(pkg, key, v) != 0)
		return err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
	return 0;
}

/* The source package's name from SOURCERPM "name-version-release.src.rpm"
 * (".nosrc.rpm" when sources were left out): [*p, *p + return). 0 when
 * there is none to give. */
static size_t source_name(const char *srpm, const char **p)
{
	static const char *const suffixes[] = { ".src.rpm", ".nosrc.rpm" };
	size_t n = srpm != NULL ? strlen(srpm) : 0, cut = 0;
	*p = srpm;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t l = strlen(suffixes[i]);
		if (n > l && strcmp(srpm + n - l, suffixes[i]) == 0)
			cut = l;
	}
	if (cut == 0)
		return 0;
	n -= cut;
	for (int dashes = 0; dashes < 2; dashes++) {
		while (n > 0 && srpm[n - 1] != '-')
			n--;
		if (n == 0)
			return 0;
		n--;    /* the '-' */
	}
	return n;
}

/* One header into packages. Public keys (`rpm --import` stores each as a
 * package named gpg-pubkey) are not software and are left out. */
static int rpm_emit(const struct rpm_db *db, Header h, json_t *packages,
		    struct err *e)
{
	char evr[2 * INVENTORY_MAX_STRING + 16], what[PATH_MAX + 64];
	const char *name = headerGetString(h, RPMTAG_NAME);
	const char *ver = headerGetString(h, RPMTAG_VERSION);
	const char *rel = headerGetString(h, RPMTAG_RELEASE);
	const char *arch = headerGetString(h, RPMTAG_ARCH);
	const char *src;
	int rc = -1;
	json_t *pkg = NULL;

	if (name == NULL || name[0] == '\0' || ver == NULL ||
	    strcmp(name, "gpg-pubkey") == 0)
		return 0;
	if (json_array_size(packages) >= INVENTORY_MAX_PACKAGES) {
		snprintf(what, sizeof(what), "%s: more than %d packages",
			 db->name, INVENTORY_MAX_PACKAGES);
		return err_set(e, E_TOOLARGE, MSG_IO, what);
	}
	/* rpm's own %{EVR}: the epoch when the package has one (even 0). */
	int n;
	if (headerIsEntry(h, RPMTAG_EPOCH))
		n = snprintf(evr, sizeof(evr), "%" PRIu64 ":%s%s%s",
			     headerGetNumber(h, RPMTAG_EPOCH), ver,
			     rel != NULL ? "-" : "", rel != NULL ? rel : "");
	else
		n = snprintf(evr, sizeof(evr), "%s%s%s", ver,
			     rel != NULL ? "-" : "", rel != NULL ? rel : "");
	if (n < 0)
		n = 0;      /* cannot happen; an empty version is refused below */
	pkg = json_object();
	if (pkg == NULL || json_object_set_new(pkg, "ecosystem",
					       json_string("rpm")) != 0) {
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	if (rpm_set(pkg, "name", name, strlen(name), db, name, e) != 0 ||
	    rpm_set(pkg, "version", evr, (size_t)n, db, name, e) != 0)
		goto out;
	if (arch != NULL && arch[0] != '\0' &&
	    rpm_set(pkg, "arch", arch, strlen(arch), db, name, e) != 0)
		goto out;
	size_t sl = source_name(headerGetString(h, RPMTAG_SOURCERPM), &src);
	if (sl > 0 && rpm_set(pkg, "source", src, sl, db, name, e) != 0)
		goto out;
	if (json_array_append_new(packages, pkg) != 0) {
		pkg = NULL;
		err_set(e, E_NOMEM, MSG_INTERNAL, NULL);
		goto out;
	}
	pkg = NULL;
	rc = 0;
out:
	json_decref(pkg);
	return rc;
}

/* librpm's first error, shortened for a message that already names the
 * database: "sqlite failure: <statement>: <reason>" gives the reason, a
 * path inside the database directory loses the directory. */
static const char *rpm_reason(const struct rpm_db *db, const char *msg,
			      const char *none)
{
	static const char sqlfail[] = "sqlite failure: ";
	char dir[PATH_MAX];
	if (msg[0] == '\0')
		return none;
	if (strncmp(msg, sqlfail, sizeof(sqlfail) - 1) == 0) {
		const char *tail = NULL;
		const char *p = strstr(msg, ": ");
		for (; p != NULL; p = strstr(p + 1, ": "))
			tail = p + 2;
		return tail[0] != '\0' ? tail : msg;
	}
	if (path_join(dir, db->realroot, db->dbpath + 1) == 0) {
		size_t l = strlen(dir);
		if (strncmp(msg, dir, l) == 0 && msg[l] == '/' && msg[l + 1] != '\0')
			return msg + l + 1;
	}
	return msg;
}

/* Opens the database and appends its packages. librpm's state is set up
 * by the caller. */
static int rpm_read(const struct rpm_db *db, struct rpm_log *lg,
		    json_t *packages, struct err *e)
{
	char what[PATH_MAX + 200];
	rpmdbMatchIterator it = NULL;
	Header h;
	int rc = -1;
	rpmts ts = rpmtsCreate();

	if (ts == NULL || rpmtsSetRootDir(ts, db->realroot) != 0 ||
	    rpmtsOpenDB(ts, O_RDONLY) != 0) {
		snprintf(what, sizeof(what), "%s: cannot open the rpm database "
			 "(%s): %s", db->name, db->backend,
			 rpm_reason(db, lg->first, "librpm gave no reason"));
		err_set(e, E_IO, MSG_IO, what);
		goto out;
	}
	if (lg->dummy) {
		snprintf(what, sizeof(what), "%s: cannot open the rpm database: "
			 "this librpm has no %s backend", db->name, db->backend);
		err_set(e, E_IO, MSG_IO, what);
		goto out;
	}
	it = rpmtsInitIterator(ts, RPMDBI_PACKAGES, NULL, 0);
	if (it == NULL) {
		snprintf(what, sizeof(what), "%s: cannot read the rpm database: "
			 "%s", db->name, rpm_reason(db, lg->first, "no iterator"));
		err_set(e, E_IO, MSG_IO, what);
		goto out;
	}
	while ((h = rpmdbNextIterator(it)) != NULL) {
		if (rpm_emit(db, h, packages, e) != 0)
			goto out;
	}
	/* librpm skips a damaged header and says so; so do we. */
	if (lg->first[0] != '\0')
		log_warn("inventory: %s: %s", db->name,
			 rpm_reason(db, lg->first, ""));
	rc = 0;
out:
	rpmdbFreeIterator(it);
	rpmtsFree(ts);
	return rc;
}

int inventory_rpm(const char *root, json_t *packages, struct err *e)
{
	struct rpm_db db;
	struct rpm_log lg = { "", 0 };
	char what[PATH_MAX + 320];

	if (!json_is_array(packages))
		return err_set(e, E_INTERNAL, MSG_INTERNAL, "packages");
	if (root == NULL || root[0] == '\0')
		return err_set(e, E_INVALID, MSG_MISSING_OPTION, "root");
	memset(&db, 0, sizeof(db));
	if (realpath(root, db.realroot) == NULL) {
		snprintf(what, sizeof(what), "%s: %s", root, strerror(errno));
		return err_set(e, E_IO, MSG_IO, what);
	}
	int found = rpm_find(root, &db, e);
	if (found <= 0)
		return found;
	/* librpm expands macros in both paths: a '%' would be read as one. */
	if (strchr(db.realroot, '%') != NULL || strchr(db.dbpath, '%') != NULL) {
		snprintf(what, sizeof(what), "%s: librpm cannot open a path "
			 "holding '%%'", db.name);
		return err_set(e, E_INVALID, MSG_IO, what);
	}

	rpmlogCallback prev = rpmlogSetCallback(rpm_log_cb, &lg);
	pthread_once(&rpm_once, rpm_config);
	if (rpm_config_rc != 0) {
		snprintf(what, sizeof(what), "%s: librpm configuration: %.256s",
			 db.name, lg.first[0] ? lg.first : "unreadable");
		rpmlogSetCallback(prev, NULL);
		return err_set(e, E_IO, MSG_IO, what);
	}
	rpmPushMacro(NULL, "_dbpath", NULL, db.dbpath, RMIL_CMDLINE);
	rpmPushMacro(NULL, "_db_backend", NULL, db.backend, RMIL_CMDLINE);
	int rc = rpm_read(&db, &lg, packages, e);
	rpmPopMacro(NULL, "_db_backend");
	rpmPopMacro(NULL, "_dbpath");
	rpmlogSetCallback(prev, NULL);
	return rc;
}
