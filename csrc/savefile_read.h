/*
 * Reading a savefile without a thread: preadv2(RWF_NOWAIT) copies what the
 * page cache holds and returns at once; only when the bytes are not cached
 * does the caller fall back to a read on libuv's thread pool. A file read
 * again and again (the common case for analysis) then costs one system
 * call per read and no round trip through the event loop.
 */
#ifndef NMP_SAVEFILE_READ_H
#define NMP_SAVEFILE_READ_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Returned when the bytes are not in the page cache (read them on a thread). */
#define NMP_READ_WOULD_BLOCK (-1)
/* Returned when this file or kernel cannot do it (use threads from now on). */
#define NMP_READ_UNSUPPORTED (-2)

/* Read up to len bytes at file offset pos into dst: the count (0 at the
 * end of the file), one of the values above, or -3 with *err = errno. */
ssize_t nmp_read_cached(int fd, void *dst, size_t len, int64_t pos, int *err);

#endif
