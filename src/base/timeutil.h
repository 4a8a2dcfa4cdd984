/*
 * timeutil.h - time as UTC milliseconds since the epoch (int64_t). Stored UTC,
 * shown in Asia/Ho_Chi_Minh (UTC+7 all year: Vietnam keeps no daylight time).
 */
#ifndef UNGCUU_TIMEUTIL_H
#define UNGCUU_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define TIME_HCM_OFFSET_MS (7LL * 3600 * 1000)
#define TIME_RFC3339_LEN 32

int64_t time_now_ms(void);
/* For tests: when set (non-zero), time_now_ms returns it. */
void time_set_fake_now(int64_t ms);
/* "2026-11-24T03:15:00.000Z" */
char *time_format_utc(int64_t ms, char out[TIME_RFC3339_LEN]);
/* "2026-11-24T10:15:00+07:00" */
char *time_format_local(int64_t ms, char out[TIME_RFC3339_LEN]);
/* "24/11/2026 10:15" in Asia/Ho_Chi_Minh, for people. */
char *time_format_human(int64_t ms, char out[TIME_RFC3339_LEN]);
/* RFC 3339 with Z or a numeric offset, optional fraction; 0 ok, -1 bad. */
int time_parse(const char *s, int64_t *ms);
/* "90s", "30m", "2h", "5d" -> ms; -1 on bad input. */
int64_t time_parse_duration(const char *s);
/* Days since epoch <-> civil date (proleptic Gregorian). */
int64_t time_days_from_civil(int y, unsigned m, unsigned d);
void time_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d);
/* Year in Asia/Ho_Chi_Minh of a UTC instant (for incident numbers). */
int time_local_year(int64_t ms);

#endif
