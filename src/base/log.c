/* log.c - stderr logging (systemd's journal adds the rest). */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "timeutil.h"
#include "banned.h"

static int max_level = LOG_INFO;

void log_set_level(int level)
{
	max_level = level;
}

void log_msg(int level, const char *fmt, ...)
{
	static const char *names[] = { "error", "warn", "info", "debug" };
	if (level > max_level)
		return;
	char line[1024], ts[TIME_RFC3339_LEN];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s %s %s\n", time_format_utc(time_now_ms(), ts),
		names[level], line);
}
