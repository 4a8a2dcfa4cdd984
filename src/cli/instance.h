/* instance.h - creating an instance (shared by init and demo). */
#ifndef UNGCUU_INSTANCE_H
#define UNGCUU_INSTANCE_H

#include "../domain/domain.h"

/* Whether path already holds an ungcuu database. */
int instance_exists(const char *path);
/* Creates and migrates the database, the key pair and instance settings. */
struct store *instance_create(const char *path, const char *prefix, struct err *e);
/* The rules of this instance (defaults and the stored settings). */
void instance_rules(struct store *db, struct rules *r);
/* Prints, for the journal, that the upgrade of path from schema version
 * `from` failed and that the database is as it was (migrate.c). */
void migrate_failed(const char *path, int from, const struct err *e);
/* 20 random URL-safe characters. */
void random_password(char out[32]);

#endif
