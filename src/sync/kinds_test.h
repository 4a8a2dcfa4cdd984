/*
 * kinds_test.h - TEST BUILDS ONLY (UNGCUU_TEST_HOOKS, meson -Dtest_hooks;
 * never in the Debian package nor a release build): a kind of envelope
 * only "a newer version" knows, to test instances of different versions
 * exchanging (tests/api/sync_versions.test.mjs, docs/SYNC.md "Versions").
 *
 * UNGCUU_TEST_KIND=test.NAME in the environment of a process registers the
 * kind test.NAME (from a parent or a child; applied like ping: counted in
 * sync status `pings`), and `ungcuu sync ping` then queues envelopes of
 * that kind instead of ping. A process without it does not know the kind.
 */
#ifndef UNGCUU_SYNC_KINDS_TEST_H
#define UNGCUU_SYNC_KINDS_TEST_H

#ifdef UNGCUU_TEST_HOOKS
/* Registers the kind UNGCUU_TEST_KIND names, if any (main(), at start). */
void sync_test_kinds_install(void);
/* The kind registered, or NULL. */
const char *sync_test_kind(void);
#endif

#endif
