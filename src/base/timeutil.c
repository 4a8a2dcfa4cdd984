/* timeutil.c - civil-time arithmetic without the C library's time zones. */
#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "timeutil.h"
#include "banned.h"

static _Atomic int64_t fake_now;

void time_set_fake_now(int64_t ms)
{
	atomic_store(&fake_now, ms);
}

int64_t time_now_ms(void)
{
	int64_t f = atomic_load(&fake_now);
	if (f)
		return f;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Howard Hinnant's days_from_civil / civil_from_days. */
int64_t time_days_from_civil(int y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

void time_civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t yy = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)(yy + (*m <= 2));
}

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct civil {
	int y;
	unsigned mo, d, h, mi, s, ms;
};

static void split(int64_t ms, struct civil *c)
{
	int64_t days = floordiv(ms, 86400000);
	int64_t rem = ms - days * 86400000;
	time_civil_from_days(days, &c->y, &c->mo, &c->d);
	c->h = (unsigned)(rem / 3600000);
	c->mi = (unsigned)(rem / 60000 % 60);
	c->s = (unsigned)(rem / 1000 % 60);
	c->ms = (unsigned)(rem % 1000);
}

char *time_format_utc(int64_t ms, char out[TIME_RFC3339_LEN])
{
	struct civil c;
	split(ms, &c);
	snprintf(out, TIME_RFC3339_LEN, "%04d-%02u-%02uT%02u:%02u:%02u.%03uZ",
		 c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms);
	return out;
}

char *time_format_local(int64_t ms, char out[TIME_RFC3339_LEN])
{
	struct civil c;
	split(ms + TIME_HCM_OFFSET_MS, &c);
	snprintf(out, TIME_RFC3339_LEN, "%04d-%02u-%02uT%02u:%02u:%02u+07:00",
		 c.y, c.mo, c.d, c.h, c.mi, c.s);
	return out;
}

char *time_format_human(int64_t ms, char out[TIME_RFC3339_LEN])
{
	struct civil c;
	split(ms + TIME_HCM_OFFSET_MS, &c);
	snprintf(out, TIME_RFC3339_LEN, "%02u/%02u/%04d %02u:%02u",
		 c.d, c.mo, c.y, c.h, c.mi);
	return out;
}

int time_local_year(int64_t ms)
{
	struct civil c;
	split(ms + TIME_HCM_OFFSET_MS, &c);
	return c.y;
}

static int digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (unsigned)(**p - '0');
		(*p)++;
	}
	*out = v;
	return 0;
}

static int expect(const char **p, char c)
{
	if (**p != c)
		return -1;
	(*p)++;
	return 0;
}

static unsigned days_in_month(int y, unsigned m)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

int time_parse(const char *s, int64_t *out)
{
	unsigned y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0;
	const char *p = s;
	if (s == NULL || digits(&p, 4, &y) || expect(&p, '-') ||
	    digits(&p, 2, &mo) || expect(&p, '-') || digits(&p, 2, &d))
		return -1;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || expect(&p, ':') || digits(&p, 2, &mi) ||
	    expect(&p, ':') || digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		p++;
		int n = 0;
		while (isdigit((unsigned char)*p)) {
			if (n < 3)
				frac = frac * 10 + (unsigned)(*p - '0');
			n++;
			p++;
		}
		if (n == 0 || n > 9)
			return -1;
		for (; n < 3; n++)
			frac *= 10;
	}
	int sign = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (digits(&p, 2, &oh) || expect(&p, ':') || digits(&p, 2, &om))
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month((int)y, mo) || h > 23 || mi > 59 || sec > 60 ||
	    oh > 23 || om > 59)
		return -1;
	if (sec == 60)
		sec = 59; /* leap second: clamp */
	int64_t days = time_days_from_civil((int)y, mo, d);
	int64_t ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + frac;
	ms -= (int64_t)sign * ((int64_t)oh * 60 + om) * 60000;
	if (ms < 0)
		return -1; /* stored times are milliseconds since 1970 UTC */
	*out = ms;
	return 0;
}

int64_t time_parse_duration(const char *s)
{
	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (v < 0 || v > 100000)
		return -1;
	int64_t unit;
	if (strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "m") == 0)
		unit = 60000;
	else if (strcmp(end, "h") == 0)
		unit = 3600000;
	else if (strcmp(end, "d") == 0)
		unit = 86400000;
	else
		return -1;
	return v * unit;
}
