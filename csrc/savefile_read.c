#define _GNU_SOURCE
#include <errno.h>
#include <sys/uio.h>
#include "savefile_read.h"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008  /* linux/fs.h, since Linux 4.14 */
#endif

ssize_t nmp_read_cached(int fd, void *dst, size_t len, int64_t pos, int *err)
{
	struct iovec iov = { dst, len };
	ssize_t n;

	do
		n = preadv2(fd, &iov, 1, (off_t)pos, RWF_NOWAIT);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		return n;
	if (errno == EAGAIN)
		return NMP_READ_WOULD_BLOCK;
	/* Old kernels, file systems without NOWAIT reads, pipes. */
	if (errno == EOPNOTSUPP || errno == EINVAL || errno == ENOSYS ||
	    errno == ESPIPE)
		return NMP_READ_UNSUPPORTED;
	*err = errno;
	return -3;
}
