/*
 * fuzz_list_import.c - ioc_parse_list on arbitrary bytes (a plain list of
 * indicators from a report, for `ungcuu import list` and `ungcuu sweep
 * --rules`), with the round trip of every record through STIX, MISP and
 * CSV: the harness of fuzz_stix_import.c.
 */
#define FUZZ_LIST 1
#include "fuzz_stix_import.c"
