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
/* 20 random URL-safe characters. */
void random_password(char out[32]);

#endif
