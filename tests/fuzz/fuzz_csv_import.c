/*
 * fuzz_csv_import.c - ioc_parse_csv on arbitrary bytes (an uploaded CSV of
 * indicators, MISP's CSV export), with the round trip of every record
 * through STIX, MISP and CSV: the harness of fuzz_stix_import.c.
 */
#define FUZZ_CSV 1
#include "fuzz_stix_import.c"
