/* uuid.c - UUIDv7 (RFC 9562) with a 12-bit counter in rand_a for ordering. */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "timeutil.h"
#include "uuid.h"
#include "banned.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t last_ms;
static unsigned counter;

char *uuid7(char out[UUID_LEN])
{
	unsigned char b[16];
	randombytes_buf(b, sizeof(b));
	int64_t ms = time_now_ms();
	pthread_mutex_lock(&lock);
	if (ms <= last_ms) {
		if (++counter > 0xfff) {
			last_ms++;
			counter = 0;
		}
		ms = last_ms;
	} else {
		last_ms = ms;
		counter = b[6] & 0x03; /* random start, room to count up */
	}
	unsigned c = counter;
	pthread_mutex_unlock(&lock);
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | ((c >> 8) & 0x0f));
	b[7] = (unsigned char)(c & 0xff);
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	snprintf(out, UUID_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return out;
}

int uuid_valid(const char *s)
{
	if (s == NULL || strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i])) {
			return 0;
		}
	}
	return 1;
}
