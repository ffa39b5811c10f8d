#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <time.h>
#include "tx_wait.h"

#define TX_WAIT_FIRST_PAUSE_NS 20000L
#define TX_WAIT_MAX_PAUSE_NS 1000000L

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int nmp_tx_wait_poll(struct nmp_port *p, uint32_t timeout_ms, int fd,
		     struct nmp_err *err)
{
	int64_t deadline = now_ns() + (int64_t)timeout_ms * 1000000;
	long pause_ns = TX_WAIT_FIRST_PAUSE_NS;
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };

	for (;;) {
		int64_t left;
		struct timespec ts;
		int n = p->ops->txsync(p, err);

		if (n != 0)
			return n;   /* room, or an error */
		left = deadline - now_ns();
		if (left <= 0)
			return 0;
		if (left > pause_ns)
			left = pause_ns;
		ts.tv_sec = 0;
		ts.tv_nsec = left;
		pfd.revents = 0;
		if (ppoll(&pfd, pfd.fd >= 0 ? 1 : 0, &ts, NULL) > 0) {
			/* Writable (or an error to hear): re-sync at once; if
			 * that finds no room, the descriptor is not telling
			 * us about it here. */
			n = p->ops->txsync(p, err);
			if (n != 0)
				return n;
			pfd.fd = -1;
		}
		if (pause_ns < TX_WAIT_MAX_PAUSE_NS)
			pause_ns *= 2;
	}
}
