/* uuid.h - UUIDv7 ids as text: time-ordered, monotonic within this process. */
#ifndef UNGCUU_UUID_H
#define UNGCUU_UUID_H

#define UUID_LEN 37 /* 36 characters and the NUL */

char *uuid7(char out[UUID_LEN]);
int uuid_valid(const char *s);

#endif
