/*
 * fuzz_misp_import.c - ioc_parse_misp on arbitrary bytes (an uploaded MISP
 * event or a MISP server's answer), with the round trip of every record
 * through STIX, MISP and CSV: the harness of fuzz_stix_import.c.
 */
#define FUZZ_MISP 1
#include "fuzz_stix_import.c"
