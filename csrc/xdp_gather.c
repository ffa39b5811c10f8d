#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "xdp_gather.h"

uint64_t nmp_xdp_gather_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int watch(int epfd, int op, int fd, uint32_t events)
{
	struct epoll_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	return epoll_ctl(epfd, op, fd, &ev);
}

/* Arm the timer us from now; 0 disarms it (and clears a past expiry). */
static void set_timer(struct nmp_xdp_gather *g, uint32_t us)
{
	struct itimerspec it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = us / 1000000u;
	it.it_value.tv_nsec = (long)(us % 1000000u) * 1000;
	timerfd_settime(g->timer_fd, 0, &it, NULL);
}

int nmp_xdp_gather_open(struct nmp_xdp_gather *g, int sock_fd, int extra_fd,
			int immediate, uint32_t max_us, uint32_t target,
			struct nmp_err *err)
{
	memset(g, 0, sizeof(*g));
	g->sock_fd = sock_fd;
	g->immediate = immediate;
	g->max_us = max_us < XDP_GATHER_MIN_US ? XDP_GATHER_MIN_US : max_us;
	g->target = target ? target : 1;
	g->hold_us = XDP_GATHER_MIN_US;
	g->epfd = epoll_create1(EPOLL_CLOEXEC);
	g->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (g->epfd < 0 || g->timer_fd < 0 ||
	    watch(g->epfd, EPOLL_CTL_ADD, sock_fd, EPOLLIN) < 0 ||
	    watch(g->epfd, EPOLL_CTL_ADD, g->timer_fd, EPOLLIN) < 0 ||
	    (extra_fd >= 0 && watch(g->epfd, EPOLL_CTL_ADD, extra_fd, EPOLLIN) < 0)) {
		int e = errno;
		nmp_xdp_gather_close(g);
		return nmp_fail(err, nmp_errno_code(e), "cannot set up waiting "
				"for packets: %s", strerror(e));
	}
	return 0;
}

/* Leave the socket out of the poll set; wake on the timer instead. */
static void start_hold(struct nmp_xdp_gather *g, uint64_t now, uint32_t us)
{
	if (!g->holding)
		watch(g->epfd, EPOLL_CTL_MOD, g->sock_fd, 0);
	g->holding = 1;
	g->hold_us = us;
	g->hold_start_ns = now;
	g->deadline_ns = now + (uint64_t)us * 1000u;
	set_timer(g, us);
}

/* Nothing came during a hold: sleep until the next packet. */
static void sleep_on_socket(struct nmp_xdp_gather *g)
{
	watch(g->epfd, EPOLL_CTL_MOD, g->sock_fd, EPOLLIN);
	set_timer(g, 0);
	g->holding = 0;
}

int nmp_xdp_gather_due(struct nmp_xdp_gather *g, uint32_t ready, uint64_t now)
{
	if (g->immediate)
		return 1;
	if (ready == 0) {
		if (g->holding && now >= g->deadline_ns)
			sleep_on_socket(g);
		return 0;
	}
	if (ready >= g->target)
		return 1;
	if (!g->holding) {
		/* The first packets after a quiet time: as long a hold as the
		 * last one (max_us keeps any hold safe at the peak rate). */
		start_hold(g, now, g->hold_us);
		return 0;
	}
	return now >= g->deadline_ns;
}

void nmp_xdp_gather_delivered(struct nmp_xdp_gather *g, uint32_t n,
			      uint64_t now)
{
	uint64_t next;

	if (g->immediate)
		return;
	if (!g->holding || n == 0) {
		start_hold(g, now, g->hold_us);
		return;
	}
	/* The hold that would have gathered `target` packets at this rate. */
	next = (now - g->hold_start_ns) / 1000u * g->target / n;
	if (next > 2ull * g->hold_us)
		next = 2ull * g->hold_us;
	if (next > g->max_us)
		next = g->max_us;
	if (next < XDP_GATHER_MIN_US)
		next = XDP_GATHER_MIN_US;
	start_hold(g, now, (uint32_t)next);
}

void nmp_xdp_gather_close(struct nmp_xdp_gather *g)
{
	if (g->epfd >= 0)
		close(g->epfd);
	if (g->timer_fd >= 0)
		close(g->timer_fd);
	g->epfd = g->timer_fd = -1;
}
