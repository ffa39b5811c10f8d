/*
 * The pipe backend: netmap pipes between processes and threads.
 *
 * `pipe:NAME{N` is the master end of pipe N called NAME, `pipe:NAME}N` the
 * slave end. What one end sends, the other receives; nothing on the data
 * path enters the kernel.
 *
 * Memory. One memfd holds both directions: a control area (for each
 * direction the producer and consumer indices and two "wake me" flags,
 * each on its own cache line, then one descriptor per slot) and, per
 * direction, num_slots fixed-size buffers. Shared slot i of a direction
 * always uses buffer i, so the shared ring is at once the TX ring of one
 * end and the RX ring of the other: the sender's JS writes a frame into
 * the buffer in place, the receiver's JS reads it in place, and there is
 * nothing to copy and no buffer index to swap. The JS-visible rings
 * (p->rx, p->tx) are private to each end; rxsync/txsync move validated
 * indices and descriptors between them and the shared ones. Buffers are
 * mapped as separate regions, so JS never sees the control area.
 *
 * Rendezvous. Whichever end opens first creates the memfd (sealed against
 * shrinking, so the peer cannot make us fault) and listens on an abstract
 * unix socket named after NAME and N; nothing is left in the filesystem,
 * and the name goes away with the process. A small thread accepts the
 * other end, checks it (same user, the opposite end, not yet taken) and
 * hands it the memfd and the eventfds with SCM_RIGHTS; it refuses every
 * later caller with EBUSY while the creator stays open. The connection
 * stays open as the liveness signal: its EOF is the peer closing or dying.
 *
 * Indices. Per direction, `prod` (written only by the sender) and `cons`
 * (only by the receiver) run modulo num_slots, one slot kept empty;
 * release stores and acquire loads order the descriptors and buffer bytes
 * with them. Every value read from shared memory is checked before use,
 * as is everything JS writes into its rings (EBADSLOT).
 *
 * Waiting. Per direction one eventfd for "data" (the receiver sleeps on
 * it; it is in the epoll set poll_fd returns) and one for "space" (a full
 * sender sleeps on it in tx_wait; txsync never waits). A side only writes an eventfd
 * when the other announced it is going to sleep (a flag in shared memory),
 * so two busy ends make no system call at all. poll_fd is level-triggered
 * like a socket: readable while JS has packets to take, when new ones
 * come, and when the peer is gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <pcap/dlt.h>
#include "filter.h"
#include "port.h"

#define PIPE_MAGIC 0x4e4d5050u          /* "NMPP" */
#define PIPE_VERSION 1u
#define PIPE_NAME_MAX 32
#define PIPE_INDEX_MAX 65535u
#define PIPE_BUF_MIN 2048u              /* an Ethernet frame and then some */
#define PIPE_BUF_MAX 65536u
#define PIPE_DIR_MAX (1u << 31)         /* slot offsets are 32-bit */
#define PIPE_HANDSHAKE_MS 2000
#define PIPE_CONNECT_TRIES 200
#define PIPE_NFDS 5                     /* memfd + 2 eventfds per direction */
#define CACHELINE 64

enum { END_MASTER = 0, END_SLAVE = 1 };

/* Direction d carries packets from end d to end 1 - d. */
struct pipe_dir {
	uint32_t prod __attribute__((aligned(CACHELINE)));  /* sender */
	uint32_t cons __attribute__((aligned(CACHELINE)));  /* receiver */
	/* 1: the receiver sleeps; the sender rings `data` and clears it */
	uint32_t data_wait __attribute__((aligned(CACHELINE)));
	/* 1: the sender waits for room; the receiver rings `space` */
	uint32_t space_wait __attribute__((aligned(CACHELINE)));
};

struct pipe_desc {
	uint32_t len;
	uint32_t ts_sec;
	uint32_t ts_nsec;
	uint32_t flags;
};

/* The start of the memfd. Geometry is read once, by the joiner, and
 * checked; the rest is only ever read for messages. */
struct pipe_shm {
	uint32_t magic;
	uint32_t version;
	uint32_t num_slots;
	uint32_t buf_size;
	uint32_t pid[2];       /* of each end, for messages */
	uint32_t closed[2];    /* the end closed cleanly (rather than died) */
	struct pipe_dir dir[2] __attribute__((aligned(CACHELINE)));
	/* then struct pipe_desc desc[2][num_slots] */
};

/* The handshake on the unix socket. */
struct pipe_hello {
	uint32_t magic;
	uint32_t version;
	uint32_t end;          /* which end the caller wants */
};

enum {
	REPLY_OK = 0,
	REPLY_SAME_END,        /* the end asked for is the creator's */
	REPLY_TAKEN,           /* the other end is already open */
	REPLY_PEER_GONE,       /* the other end was open and left */
	REPLY_VERSION,
	REPLY_USER,
};

struct pipe_reply {
	uint32_t magic;
	uint32_t status;
	uint32_t pid;
	uint32_t peer_pid;     /* REPLY_TAKEN / REPLY_PEER_GONE: who had it */
};

struct pipe_geom {
	uint32_t num_slots;
	uint32_t buf_size;
	size_t ctl_len;        /* header + descriptors, page aligned */
	size_t buf_len;        /* one direction's buffers, page aligned */
	size_t total;
};

struct pipe {
	int end;
	int creator;
	char label[64];        /* "pipe:NAME{N", for messages */
	char other[64];        /* the other end's name */
	struct pipe_geom g;

	int listen_fd;         /* creator: the abstract socket, else -1 */
	int peer_fd;           /* the connection to the peer, -1 until joined;
				  written once by the accept thread */
	int epfd;              /* poll_fd: rx data eventfd + peer_fd */
	int stop_fd;           /* eventfd: stops the accept thread */
	int memfd;
	int efd_data[2];
	int efd_space[2];
	pthread_t thread;
	int thread_running;
	int thread_joined;     /* the thread's view: a peer was accepted */
	uint32_t thread_peer_pid;

	struct pipe_shm *shm;  /* the control area */
	struct pipe_dir *rxd, *txd;
	struct pipe_desc *rx_desc, *tx_desc;
	uint8_t *rx_bytes, *tx_bytes;

	/* RX: C's read position in the shared ring, the cons last stored,
	 * and for each JS slot the shared slot it shows (they differ once
	 * the filter has dropped packets). */
	uint32_t rx_read;
	uint32_t rx_cons;
	uint32_t *rx_src;
	int data_armed;        /* we set rxd->data_wait and it is still set */
	int self_rung;         /* we wrote our own data eventfd */
	/* TX: the cons last seen. */
	uint32_t tx_cons;

	int dead;              /* the peer is gone: EPIPE from now on */
	uint64_t checked_ns;   /* when an empty rxsync last asked the socket */
	int quiet;             /* poll_fd no longer watches the peer */
	int corrupt;           /* the peer broke the shared indices */
	enum nmp_direction dir;
	struct bpf_program shim_filter;
	uint64_t recv;
};

/* ---- names ---- */

/* The pipe's NAME as lib/ports.ts parsed it; C only asserts the limits
 * its own buffers have (the grammar and its messages live in ports.ts). */
static int pipe_name(const struct nmp_open_args *a, char *name, int *end,
		     uint32_t *index, struct nmp_err *err)
{
	size_t n = strlen(a->device);

	if (n == 0 || n > PIPE_NAME_MAX || a->end == NMP_END_NONE ||
	    a->pipe > PIPE_INDEX_MAX)
		return nmp_fail(err, "EINVAL", "bad pipe port \"%.64s\"",
				a->name);
	memcpy(name, a->device, n + 1);
	*end = a->end == NMP_END_MASTER ? END_MASTER : END_SLAVE;
	*index = a->pipe;
	return 0;
}

static socklen_t socket_name(struct sockaddr_un *sa, const char *name,
			     uint32_t index)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* Abstract (leading NUL): no file, gone with the last socket. */
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "netmap-pcap/pipe/%s/%u", name, index);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* ---- geometry and mapping ---- */

static size_t page_round(size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (n + pg - 1) / pg * pg;
}

static int geometry(struct pipe_geom *g, uint32_t num_slots, uint32_t buf_size,
		    struct nmp_err *err)
{
	uint64_t dir_bytes = (uint64_t)num_slots * buf_size;

	if (num_slots < 2 || num_slots > (1u << 20) || buf_size < PIPE_BUF_MIN ||
	    buf_size > PIPE_BUF_MAX || buf_size % CACHELINE)
		return nmp_fail(err, "EINVAL", "bad pipe geometry: %u slots of "
				"%u bytes", num_slots, buf_size);
	if (dir_bytes >= PIPE_DIR_MAX)
		return nmp_fail(err, "ENOMEM", "a pipe of %u slots of %u bytes "
				"needs %llu bytes per direction, over the 2 GiB "
				"limit; use fewer ringSlots or a smaller "
				"bufferSize", num_slots, buf_size,
				(unsigned long long)dir_bytes);
	g->num_slots = num_slots;
	g->buf_size = buf_size;
	g->ctl_len = page_round(sizeof(struct pipe_shm) +
				2 * (size_t)num_slots * sizeof(struct pipe_desc));
	g->buf_len = page_round((size_t)dir_bytes);
	g->total = g->ctl_len + 2 * g->buf_len;
	return 0;
}

/* Buffer size from the options: bufferSize / ringSlots, rounded down to a
 * cache line, within [PIPE_BUF_MIN, PIPE_BUF_MAX]. */
static uint32_t buf_size_for(const struct nmp_open_args *a)
{
	uint64_t b = a->buffer_size / a->rx_slots / CACHELINE * CACHELINE;

	if (b < PIPE_BUF_MIN)
		b = PIPE_BUF_MIN;
	if (b > PIPE_BUF_MAX)
		b = PIPE_BUF_MAX;
	return (uint32_t)b;
}

static void *map_region(int fd, size_t len, size_t off)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_POPULATE, fd, (off_t)off);

	return m == MAP_FAILED ? NULL : m;
}

/* One direction's buffers, as refcounted memory JS may map. */
static struct nmp_mem *map_buffers(struct pipe *pp, int dir)
{
	void *b = map_region(pp->memfd, pp->g.buf_len,
			     pp->g.ctl_len + (size_t)dir * pp->g.buf_len);

	return b ? nmp_mem_wrap(b, pp->g.buf_len, nmp_mem_munmap) : NULL;
}

/* Map the control area and both buffer regions. */
static int map_all(struct nmp_port *p, struct pipe *pp, struct nmp_err *err)
{
	int rx = 1 - pp->end, tx = pp->end;

	pp->shm = map_region(pp->memfd, pp->g.ctl_len, 0);
	if (!pp->shm || !(p->rx_buf = map_buffers(pp, rx)) ||
	    !(p->tx_buf = map_buffers(pp, tx)))
		return nmp_fail(err, "ENOMEM", "cannot map the pipe's %zu bytes "
				"of shared memory: %s; use fewer ringSlots or a "
				"smaller bufferSize", pp->g.total, strerror(errno));
	pp->rx_bytes = p->rx_buf->addr;
	pp->tx_bytes = p->tx_buf->addr;
	pp->rxd = &pp->shm->dir[rx];
	pp->txd = &pp->shm->dir[tx];
	pp->rx_desc = (struct pipe_desc *)(pp->shm + 1) + (size_t)rx * pp->g.num_slots;
	pp->tx_desc = (struct pipe_desc *)(pp->shm + 1) + (size_t)tx * pp->g.num_slots;
	return 0;
}

/* ---- the creator ---- */

static int create_shared(struct pipe *pp, const struct nmp_open_args *a,
			 struct nmp_err *err)
{
	int i;

	if (geometry(&pp->g, a->rx_slots, buf_size_for(a), err) < 0)
		return -1;
	pp->memfd = memfd_create(pp->label, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (pp->memfd < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot create the "
				"pipe's shared memory: %s", strerror(errno));
	if (ftruncate(pp->memfd, (off_t)pp->g.total) < 0)
		return nmp_fail(err, "ENOMEM", "cannot size the pipe's shared "
				"memory to %zu bytes: %s", pp->g.total,
				strerror(errno));
	/* Neither end can shrink it under the other (SIGBUS) */
	if (fcntl(pp->memfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_SEAL) < 0)
		return nmp_fail(err, "EIO", "cannot seal the pipe's shared "
				"memory: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		pp->efd_data[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		pp->efd_space[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (pp->efd_data[i] < 0 || pp->efd_space[i] < 0)
			return nmp_fail(err, nmp_errno_code(errno),
					"cannot create an eventfd: %s",
					strerror(errno));
	}
	return 0;
}

static void init_shared(struct pipe *pp)
{
	struct pipe_shm *s = pp->shm;

	s->num_slots = pp->g.num_slots;
	s->buf_size = pp->g.buf_size;
	s->version = PIPE_VERSION;
	/* Both receivers start asleep: the first packet rings. */
	s->dir[0].data_wait = 1;
	s->dir[1].data_wait = 1;
	__atomic_store_n(&s->magic, PIPE_MAGIC, __ATOMIC_RELEASE);
}

static uid_t peer_uid(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0)
		return (uid_t)-1;
	return cr.uid;
}

static int user_ok(int fd)
{
	uid_t u = peer_uid(fd), me = geteuid();

	return u == me || u == 0 || me == 0;
}

static void send_reply(int c, uint32_t status, uint32_t peer_pid,
		       const int *fds, int nfds)
{
	struct pipe_reply r = { PIPE_MAGIC, status, (uint32_t)getpid(), peer_pid };
	struct iovec iov = { &r, sizeof(r) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * PIPE_NFDS)];
		struct cmsghdr align;
	} u;
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (nfds > 0) {
		struct cmsghdr *cm;
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&m);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	(void)sendmsg(c, &m, MSG_NOSIGNAL);
}

/* The accept thread's own look at the peer it let in. */
static int peer_hung_up(int fd)
{
	struct pollfd pf = { .fd = fd, .events = POLLRDHUP };

	return poll(&pf, 1, 0) > 0 &&
	       (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* One caller on the listening socket: let it in, or tell it why not. */
static void serve_one(struct pipe *pp)
{
	struct timeval tv = { 0, 500 * 1000 };
	struct pipe_hello h;
	uint32_t status;
	int c = accept4(pp->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (c < 0)
		return;
	if (setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    recv(c, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    h.magic != PIPE_MAGIC) {
		close(c);
		return;
	}
	if (h.version != PIPE_VERSION)
		status = REPLY_VERSION;
	else if (!user_ok(c))
		status = REPLY_USER;
	else if (h.end != (uint32_t)(1 - pp->end))
		status = REPLY_SAME_END;
	else if (pp->thread_joined)
		status = peer_hung_up(pp->peer_fd) ? REPLY_PEER_GONE : REPLY_TAKEN;
	else
		status = REPLY_OK;
	if (status == REPLY_TAKEN &&
	    __atomic_load_n(&pp->shm->closed[1 - pp->end], __ATOMIC_ACQUIRE))
		status = REPLY_PEER_GONE;
	if (status != REPLY_OK) {
		send_reply(c, status, pp->thread_peer_pid, NULL, 0);
		close(c);
		return;
	}
	{
		int fds[PIPE_NFDS] = { pp->memfd, pp->efd_data[0], pp->efd_space[0],
				       pp->efd_data[1], pp->efd_space[1] };
		struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
		struct ucred cr;
		socklen_t len = sizeof(cr);

		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cr, &len) == 0)
			pp->thread_peer_pid = (uint32_t)cr.pid;
		send_reply(c, REPLY_OK, 0, fds, PIPE_NFDS);
		ev.data.fd = c;
		epoll_ctl(pp->epfd, EPOLL_CTL_ADD, c, &ev);
		pp->thread_joined = 1;
		/* From here the port's syncs watch the peer. */
		__atomic_store_n(&pp->peer_fd, c, __ATOMIC_RELEASE);
	}
}

static void *accept_main(void *arg)
{
	struct pipe *pp = arg;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = pp->listen_fd, .events = POLLIN },
			{ .fd = pp->stop_fd, .events = POLLIN },
		};
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		if (fds[0].revents & POLLIN)
			serve_one(pp);
		else if (fds[0].revents)
			break;
	}
	return NULL;
}

static int start_thread(struct pipe *pp, struct nmp_err *err)
{
	sigset_t all, old;
	int rc;

	pp->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (pp->stop_fd < 0)
		return nmp_fail(err, nmp_errno_code(errno),
				"cannot create an eventfd: %s", strerror(errno));
	/* Signals stay with Node's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pp->thread, NULL, accept_main, pp);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0)
		return nmp_fail(err, "ENOMEM", "cannot start the pipe's accept "
				"thread: %s", strerror(rc));
	pp->thread_running = 1;
	return 0;
}

/* ---- the joiner ---- */

static int refusal(struct pipe *pp, const struct pipe_reply *r,
		   struct nmp_err *err)
{
	switch (r->status) {
	case REPLY_SAME_END:
		return nmp_fail(err, "EBUSY", "%s is already open (in process "
				"%u); each end of a pipe can be open once",
				pp->label, r->pid);
	case REPLY_TAKEN:
		return nmp_fail(err, "EBUSY", "%s is already open (in process "
				"%u); each end of a pipe can be open once",
				pp->label, r->peer_pid);
	case REPLY_PEER_GONE:
		return nmp_fail(err, "EBUSY", "%s was open and has gone; its "
				"peer %s (process %u) still holds the pipe: "
				"close and reopen %s first", pp->label,
				pp->other, r->pid, pp->other);
	case REPLY_USER:
		return nmp_fail(err, "EPERM", "%s is held by process %u of "
				"another user; both ends of a pipe must run as "
				"the same user", pp->other, r->pid);
	case REPLY_VERSION:
		return nmp_fail(err, "ENOTSUP", "%s is held by process %u "
				"running another version of netmap-pcap",
				pp->other, r->pid);
	default:
		return nmp_fail(err, "EIO", "%s: unexpected answer %u from "
				"process %u", pp->label, r->status, r->pid);
	}
}

/* Receive the reply and, with it, the fds. */
static int handshake(struct nmp_port *p, struct pipe *pp, int fd,
		     struct nmp_err *err)
{
	struct pipe_hello h = { PIPE_MAGIC, PIPE_VERSION, (uint32_t)pp->end };
	struct pipe_reply r;
	struct iovec iov = { &r, sizeof(r) };
	union {
		char buf[CMSG_SPACE(sizeof(int) * PIPE_NFDS)];
		struct cmsghdr align;
	} u;
	struct msghdr m;
	struct cmsghdr *cm;
	struct timeval tv = { PIPE_HANDSHAKE_MS / 1000, 0 };
	int fds[PIPE_NFDS], nfds = 0, i;
	ssize_t n;

	(void)p;
	if (!user_ok(fd))
		return nmp_fail(err, "EPERM", "%s is held by a process of another "
				"user; both ends of a pipe must run as the same "
				"user", pp->other);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, &h, sizeof(h), MSG_NOSIGNAL) != (ssize_t)sizeof(h))
		return nmp_fail(err, "EIO", "cannot reach %s: %s", pp->other,
				strerror(errno));
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = u.buf;
	m.msg_controllen = sizeof(u.buf);
	do
		n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	for (cm = CMSG_FIRSTHDR(&m); n >= 0 && cm; cm = CMSG_NXTHDR(&m, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			int k = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			for (i = 0; i < k; i++) {
				int f;
				memcpy(&f, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
				if (nfds < PIPE_NFDS)
					fds[nfds++] = f;
				else
					close(f);
			}
		}
	}
	if (n != (ssize_t)sizeof(r) || r.magic != PIPE_MAGIC) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return nmp_fail(err, "EAGAIN", "%s did not answer within "
					"%d ms (is its process stopped?)",
					pp->other, PIPE_HANDSHAKE_MS);
		return nmp_fail(err, "EIO", "%s hung up during the handshake",
				pp->other);
	}
	if (r.status != REPLY_OK || nfds != PIPE_NFDS) {
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (r.status == REPLY_OK)
			return nmp_fail(err, "EIO", "%s sent %d descriptors, not %d",
					pp->other, nfds, PIPE_NFDS);
		return refusal(pp, &r, err);
	}
	pp->memfd = fds[0];
	pp->efd_data[0] = fds[1];
	pp->efd_space[0] = fds[2];
	pp->efd_data[1] = fds[3];
	pp->efd_space[1] = fds[4];
	return 0;
}

/* Check the memfd the creator sent before mapping anything. */
static int check_shared(struct pipe *pp, struct nmp_err *err)
{
	struct pipe_shm hdr;
	struct stat st;
	int seals = fcntl(pp->memfd, F_GET_SEALS);

	if (seals < 0 || !(seals & F_SEAL_SHRINK) ||
	    pread(pp->memfd, &hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    fstat(pp->memfd, &st) < 0)
		return nmp_fail(err, "EIO", "%s sent unusable shared memory",
				pp->other);
	if (hdr.magic != PIPE_MAGIC || hdr.version != PIPE_VERSION)
		return nmp_fail(err, "ENOTSUP", "%s runs another version of "
				"netmap-pcap", pp->other);
	if (geometry(&pp->g, hdr.num_slots, hdr.buf_size, err) < 0)
		return -1;
	if ((uint64_t)st.st_size != pp->g.total)
		return nmp_fail(err, "EIO", "%s sent shared memory of %lld bytes, "
				"not %zu", pp->other, (long long)st.st_size,
				pp->g.total);
	return 0;
}

/* ---- open / close ---- */

static void pipe_free(struct pipe *pp)
{
	int i;

	if (pp->thread_running) {
		uint64_t one = 1;
		if (write(pp->stop_fd, &one, sizeof(one)) < 0) { /* never full */ }
		pthread_join(pp->thread, NULL);
	}
	if (pp->shm && pp->g.ctl_len) {
		/* Tell the peer this was a close, not a crash. */
		__atomic_store_n(&pp->shm->closed[pp->end], 1, __ATOMIC_RELEASE);
		munmap(pp->shm, pp->g.ctl_len);
	}
	if (pp->peer_fd >= 0)
		close(pp->peer_fd);
	if (pp->listen_fd >= 0)
		close(pp->listen_fd);
	if (pp->epfd >= 0)
		close(pp->epfd);
	if (pp->stop_fd >= 0)
		close(pp->stop_fd);
	if (pp->memfd >= 0)
		close(pp->memfd);
	for (i = 0; i < 2; i++) {
		if (pp->efd_data[i] >= 0)
			close(pp->efd_data[i]);
		if (pp->efd_space[i] >= 0)
			close(pp->efd_space[i]);
	}
	nmp_filter_free(&pp->shim_filter);
	free(pp->rx_src);
	free(pp);
}

static int pipe_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			  struct nmp_err *err);

static int pipe_open(struct nmp_port *p, const struct nmp_open_args *a,
		     struct nmp_err *err)
{
	struct pipe *pp = calloc(1, sizeof(*pp));
	char name[PIPE_NAME_MAX + 1];
	struct sockaddr_un sa;
	struct epoll_event ev = { .events = EPOLLIN };
	socklen_t salen;
	uint32_t index = 0;
	int i, tries, fd = -1;

	if (!pp)
		return nmp_fail(err, "ENOMEM", "out of memory");
	pp->listen_fd = pp->peer_fd = pp->epfd = pp->stop_fd = pp->memfd = -1;
	for (i = 0; i < 2; i++)
		pp->efd_data[i] = pp->efd_space[i] = -1;
	p->priv = pp;
	if (pipe_name(a, name, &pp->end, &index, err) < 0)
		goto fail;
	if (a->fanout_mode != NMP_FANOUT_NONE) {
		nmp_fail(err, "ENOTSUP", "fanout groups are for interfaces; a "
			 "pipe end has one ring");
		goto fail;
	}
	snprintf(pp->label, sizeof(pp->label), "pipe:%s%c%u", name,
		 pp->end == END_MASTER ? '{' : '}', index);
	snprintf(pp->other, sizeof(pp->other), "pipe:%s%c%u", name,
		 pp->end == END_MASTER ? '}' : '{', index);
	pp->dir = a->direction;
	p->linktype = DLT_EN10MB;
	p->snaplen = a->snaplen;
	/* Everything that can fail on our own comes before the rendezvous:
	 * once joined, our failing would look like a crash to the peer. */
	if (a->filter) {
		struct bpf_program prog;
		int rc;
		if (nmp_filter_compile(&prog, a->filter, (int)p->linktype,
				       p->snaplen, 1, PCAP_NETMASK_UNKNOWN, err) < 0)
			goto fail;
		rc = pipe_setfilter(p, &prog, err);
		nmp_filter_free(&prog);
		if (rc < 0)
			goto fail;
	}
	salen = socket_name(&sa, name, index);

	/* Whichever end comes first creates the pipe; the second joins. A
	 * creator that is just closing refuses connections: try again. */
	for (tries = 0; ; tries++) {
		fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			nmp_fail(err, nmp_errno_code(errno), "cannot make a unix "
				 "socket: %s", strerror(errno));
			goto fail;
		}
		if (bind(fd, (struct sockaddr *)&sa, salen) == 0) {
			pp->creator = 1;
			break;
		}
		if (errno != EADDRINUSE) {
			nmp_fail(err, nmp_errno_code(errno), "cannot bind %s: %s",
				 pp->label, strerror(errno));
			goto fail;
		}
		if (connect(fd, (struct sockaddr *)&sa, salen) == 0)
			break;
		if ((errno != ECONNREFUSED && errno != ENOENT) ||
		    tries >= PIPE_CONNECT_TRIES) {
			nmp_fail(err, errno == ECONNREFUSED ? "EBUSY" :
				 nmp_errno_code(errno), "cannot reach %s: %s",
				 pp->other, strerror(errno));
			goto fail;
		}
		close(fd);
		fd = -1;
		usleep(1000);
	}
	pp->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (pp->epfd < 0) {
		nmp_fail(err, nmp_errno_code(errno), "cannot create an epoll "
			 "set: %s", strerror(errno));
		goto fail;
	}
	if (pp->creator) {
		pp->listen_fd = fd;
		fd = -1;
		if (create_shared(pp, a, err) < 0 || map_all(p, pp, err) < 0)
			goto fail;
		init_shared(pp);
	} else {
		if (handshake(p, pp, fd, err) < 0 || check_shared(pp, err) < 0 ||
		    map_all(p, pp, err) < 0)
			goto fail;
	}
	__atomic_store_n(&pp->shm->pid[pp->end], (uint32_t)getpid(),
			 __ATOMIC_RELAXED);
	if (nmp_ring_alloc(&p->rx, pp->g.num_slots, p->snaplen, NMP_RING_RX,
			   err) < 0)
		goto fail;
	pp->rx_src = calloc(pp->g.num_slots, sizeof(*pp->rx_src));
	if (!pp->rx_src) {
		nmp_fail(err, "ENOMEM", "out of memory");
		goto fail;
	}
	/* The receive side starts where the sender is (0 unless it has sent
	 * before we joined: then those packets are waiting for us). */
	pp->rx_read = pp->rx_cons = __atomic_load_n(&pp->rxd->cons, __ATOMIC_ACQUIRE);
	if (pp->rx_read >= pp->g.num_slots) {
		nmp_fail(err, "EIO", "%s: corrupt shared indices", pp->label);
		goto fail;
	}
	p->rx.head = p->rx.tail = 0;
	nmp_ring_reset(&p->rx);
	pp->data_armed = 1;    /* data_wait starts set */
	ev.data.fd = pp->efd_data[1 - pp->end];
	if (epoll_ctl(pp->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev) < 0) {
		nmp_fail(err, nmp_errno_code(errno), "cannot watch the pipe: %s",
			 strerror(errno));
		goto fail;
	}
	if (pp->creator) {
		if (listen(pp->listen_fd, 8) < 0) {
			nmp_fail(err, nmp_errno_code(errno), "cannot listen on "
				 "%s: %s", pp->label, strerror(errno));
			goto fail;
		}
		fcntl(pp->listen_fd, F_SETFL, O_NONBLOCK);
		if (start_thread(pp, err) < 0)
			goto fail;
	} else {
		ev.events = EPOLLIN | EPOLLRDHUP;
		ev.data.fd = fd;
		if (epoll_ctl(pp->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			nmp_fail(err, nmp_errno_code(errno), "cannot watch the "
				 "pipe: %s", strerror(errno));
			goto fail;
		}
		pp->peer_fd = fd;
		fd = -1;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	nmp_ring_free(&p->rx);
	nmp_mem_unref(p->rx_buf);
	nmp_mem_unref(p->tx_buf);
	p->rx_buf = p->tx_buf = NULL;
	if (pp->shm) {
		munmap(pp->shm, pp->g.ctl_len);
		pp->shm = NULL;
	}
	p->priv = NULL;
	pipe_free(pp);
	return -1;
}

static void pipe_close(struct nmp_port *p)
{
	struct pipe *pp = p->priv;

	nmp_ring_free(&p->rx);
	nmp_ring_free(&p->tx);
	nmp_mem_unref(p->rx_buf);
	nmp_mem_unref(p->tx_buf);
	p->rx_buf = p->tx_buf = NULL;
	if (pp)
		pipe_free(pp);
	p->priv = NULL;
}

/* ---- the peer ---- */

static int peer_fd(struct pipe *pp)
{
	return __atomic_load_n(&pp->peer_fd, __ATOMIC_ACQUIRE);
}

/* Is the peer still there? Never waits. Nothing is sent on the connection
 * after the handshake, so its readability means EOF (or a misbehaving
 * peer, whose bytes are thrown away). */
static int peer_alive(struct pipe *pp)
{
	int fd = peer_fd(pp);
	char junk[64];
	ssize_t n;

	if (pp->dead)
		return 0;
	if (fd < 0)
		return 1;    /* not joined yet: waiting is not an error */
	for (;;) {
		n = recv(fd, junk, sizeof(junk), MSG_DONTWAIT);
		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 1;
		pp->dead = 1;
		return 0;
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The peer check of an empty rxsync, cheap enough to spin on: a peer that
 * closed says so in shared memory (one load); whether one died is asked of
 * the socket at most once a millisecond. (poll_fd reports a dead peer at
 * once, so a session that sleeps wakes for it; the limit only bounds what
 * a spinning caller pays, and at worst makes a woken one look again for
 * a millisecond.) */
static int peer_seems_alive(struct pipe *pp)
{
	uint64_t t;

	if (pp->dead)
		return 0;
	if (__atomic_load_n(&pp->shm->closed[1 - pp->end], __ATOMIC_ACQUIRE)) {
		pp->dead = 1;
		return 0;
	}
	t = mono_ns();
	if (t - pp->checked_ns < 1000000)
		return 1;
	pp->checked_ns = t;
	return peer_alive(pp);
}

/* Stop poll_fd from reporting the dead peer, so a session hears of it
 * once (from the rxsync that found it) rather than on every poll. */
static void go_quiet(struct pipe *pp)
{
	uint64_t v;
	int fd = peer_fd(pp);

	if (pp->quiet)
		return;
	pp->quiet = 1;
	if (fd >= 0)
		epoll_ctl(pp->epfd, EPOLL_CTL_DEL, fd, NULL);
	epoll_ctl(pp->epfd, EPOLL_CTL_DEL, pp->efd_data[1 - pp->end], NULL);
	if (read(pp->efd_data[1 - pp->end], &v, sizeof(v)) < 0) { /* empty */ }
}

static int fail_epipe(struct pipe *pp, struct nmp_err *err)
{
	uint32_t pid = __atomic_load_n(&pp->shm->pid[1 - pp->end], __ATOMIC_RELAXED);

	if (pp->corrupt)
		return nmp_fail(err, "EIO", "%s: the other end (process %u) "
				"wrote inconsistent ring indices into the shared "
				"memory; the pipe is unusable, close it",
				pp->label, pid);
	if (__atomic_load_n(&pp->shm->closed[1 - pp->end], __ATOMIC_ACQUIRE))
		return nmp_fail(err, "EPIPE", "%s: the other end (%s, process "
				"%u) closed the pipe; close this end too and "
				"reopen both to use the pipe again", pp->label,
				pp->other, pid);
	return nmp_fail(err, "EPIPE", "%s: the other end (%s, process %u) "
			"exited or was killed; close this end and reopen both "
			"to use the pipe again", pp->label, pp->other, pid);
}

static void ring_eventfd(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0) { /* counter full: still ready */ }
}

static void drain_eventfd(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0) { /* nothing pending */ }
}

/* ---- RX ---- */

/* Publish the packets the sender has added since the last look. */
static int rx_fill(struct nmp_port *p, struct pipe *pp)
{
	uint32_t n = pp->g.num_slots, bs = pp->g.buf_size;
	uint32_t prod = __atomic_load_n(&pp->rxd->prod, __ATOMIC_ACQUIRE);
	uint32_t held = nmp_ring_dist(&p->rx, pp->rx_cons, pp->rx_read);
	uint32_t fresh;
	int want = pp->dir != NMP_DIR_OUT;   /* everything here came in */

	if (pp->corrupt)
		return -1;
	if (prod >= n)
		goto corrupt;
	fresh = nmp_ring_dist(&p->rx, pp->rx_read, prod);
	/* The sender can never get ahead of what we gave back. */
	if ((uint64_t)held + fresh > n - 1)
		goto corrupt;
	while (pp->rx_read != prod) {
		uint32_t s = pp->rx_read;
		const struct pipe_desc *d = &pp->rx_desc[s];
		/* One read of each: the peer may be scribbling. */
		uint32_t len = __atomic_load_n(&d->len, __ATOMIC_RELAXED);
		uint32_t caplen = len < bs ? len : bs;
		uint32_t keep;

		/* The filter judges the whole frame; snaplen cuts after, as
		 * in the kernel. */
		keep = want ? nmp_filter_run(&pp->shim_filter,
					     pp->rx_bytes + (size_t)s * bs, len,
					     caplen) : 0;
		if (caplen > p->snaplen)
			caplen = p->snaplen;
		if (keep) {
			struct nmp_slot *sl = &p->rx.slot[p->rx.tail];
			sl->offset = s * bs;
			sl->caplen = caplen < keep ? caplen : keep;
			sl->len = len;
			sl->ts_sec = __atomic_load_n(&d->ts_sec, __ATOMIC_RELAXED);
			sl->ts_nsec = __atomic_load_n(&d->ts_nsec, __ATOMIC_RELAXED);
			sl->flags = 0;
			pp->rx_src[p->rx.tail] = s;
			p->rx.tail = nmp_ring_next(&p->rx, p->rx.tail);
			pp->recv++;
		}
		pp->rx_read = s + 1 == n ? 0 : s + 1;
	}
	return 0;
corrupt:
	pp->corrupt = 1;
	pp->dead = 1;
	return -1;
}

/* Give the sender back every shared slot JS no longer holds. */
static void rx_release(struct nmp_port *p, struct pipe *pp)
{
	uint32_t cons = p->rx.head == p->rx.tail ? pp->rx_read :
			pp->rx_src[p->rx.head];

	if (cons == pp->rx_cons)
		return;
	pp->rx_cons = cons;
	/* Release: JS's reads of those buffers happen before the sender may
	 * reuse them. */
	__atomic_store_n(&pp->rxd->cons, cons, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pp->rxd->space_wait, __ATOMIC_RELAXED) &&
	    __atomic_exchange_n(&pp->rxd->space_wait, 0, __ATOMIC_ACQ_REL))
		ring_eventfd(pp->efd_space[1 - pp->end]);
}

/*
 * JS has nothing left: get ready to sleep. The data eventfd must end up
 * readable exactly when there is something to take, like a socket:
 *  - the sender rings it (then clears data_wait) only if data_wait is set;
 *  - we drain it only here, when the ring is empty, and only when someone
 *    rang it (data_wait seen cleared, or we rang it ourselves);
 *  - after setting data_wait we look once more (the sender may have
 *    published before it saw the flag); if that finds packets, we ring
 *    the eventfd ourselves so a sleeping session still wakes for them.
 */
static void rx_prepare_sleep(struct nmp_port *p, struct pipe *pp)
{
	int efd = pp->efd_data[1 - pp->end];
	int drain = 0;

	if (pp->data_armed &&
	    !__atomic_load_n(&pp->rxd->data_wait, __ATOMIC_ACQUIRE)) {
		pp->data_armed = 0;   /* the sender rang, then cleared it */
		drain = 1;
	}
	if (pp->self_rung) {
		pp->self_rung = 0;
		drain = 1;
	}
	if (drain)
		drain_eventfd(efd);
	if (pp->data_armed)
		return;
	__atomic_store_n(&pp->rxd->data_wait, 1, __ATOMIC_RELAXED);
	pp->data_armed = 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (rx_fill(p, pp) == 0 && p->rx.head != p->rx.tail) {
		ring_eventfd(efd);
		pp->self_rung = 1;
	}
	rx_release(p, pp);
}

static int pipe_rxsync(struct nmp_port *p, struct nmp_err *err)
{
	struct pipe *pp = p->priv;
	int64_t moved = nmp_ring_take_head(&p->rx, err);

	if (moved < 0)
		return -1;
	if (rx_fill(p, pp) == 0)
		rx_release(p, pp);
	if (p->rx.head == p->rx.tail) {
		if (pp->corrupt || !peer_seems_alive(pp)) {
			/* What it published just before it went comes first. */
			if (rx_fill(p, pp) == 0 && p->rx.head != p->rx.tail) {
				rx_release(p, pp);
				nmp_ring_publish(&p->rx);
				return (int)nmp_ring_dist(&p->rx, p->rx.head,
							  p->rx.tail);
			}
			/* Everything has been delivered: say so, once. */
			go_quiet(pp);
			nmp_ring_publish(&p->rx);
			return fail_epipe(pp, err);
		}
		if (!p->rx_spinning)
			rx_prepare_sleep(p, pp);
	}
	nmp_ring_publish(&p->rx);
	return (int)nmp_ring_dist(&p->rx, p->rx.head, p->rx.tail);
}

/* ---- TX ---- */

static int pipe_open_tx(struct nmp_port *p, struct nmp_err *err)
{
	struct pipe *pp = p->priv;
	uint32_t i, n = pp->g.num_slots, prod, cons;

	if (p->tx.hdr)
		return 0;
	if (nmp_ring_alloc(&p->tx, n, pp->g.buf_size, NMP_RING_TX, err) < 0)
		return -1;
	for (i = 0; i < n; i++)
		p->tx.slot[i].offset = i * pp->g.buf_size;
	prod = __atomic_load_n(&pp->txd->prod, __ATOMIC_RELAXED);
	cons = __atomic_load_n(&pp->txd->cons, __ATOMIC_ACQUIRE);
	if (prod >= n || cons >= n) {
		nmp_ring_free(&p->tx);
		return nmp_fail(err, "EIO", "%s: corrupt shared indices",
				pp->label);
	}
	pp->tx_cons = cons;
	/* netmap's TX start: JS owns every free slot but one. */
	p->tx.head = prod;
	p->tx.tail = cons == 0 ? n - 1 : cons - 1;
	nmp_ring_reset(&p->tx);
	p->tx_max_len = pp->g.buf_size;
	return 0;
}

/* Take back the slots the receiver has released. */
static int tx_reclaim(struct nmp_port *p, struct pipe *pp)
{
	uint32_t n = pp->g.num_slots;
	uint32_t cons = __atomic_load_n(&pp->txd->cons, __ATOMIC_ACQUIRE);

	/* cons only moves forward, and never past what we sent (head). */
	if (cons >= n || nmp_ring_dist(&p->tx, pp->tx_cons, cons) >
			 nmp_ring_dist(&p->tx, pp->tx_cons, p->tx.head)) {
		pp->corrupt = 1;
		pp->dead = 1;
		return -1;
	}
	pp->tx_cons = cons;
	p->tx.tail = cons == 0 ? n - 1 : cons - 1;
	return 0;
}

/* The ring is full: wait, at most timeout_ms, for the receiver to make
 * room (its "space" eventfd) or to go away (its socket). */
static int tx_sleep(struct nmp_port *p, struct pipe *pp, int timeout_ms)
{
	int efd = pp->efd_space[pp->end];
	int fd = peer_fd(pp);
	struct pollfd fds[2] = {
		{ .fd = efd, .events = POLLIN },
		{ .fd = fd, .events = POLLIN | POLLRDHUP },
	};
	int rc;

	drain_eventfd(efd);
	__atomic_store_n(&pp->txd->space_wait, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (tx_reclaim(p, pp) < 0)
		return -1;
	if (p->tx.head != p->tx.tail)
		return 0;
	do
		rc = poll(fds, fd >= 0 ? 2 : 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	if (fd >= 0 && fds[1].revents && !peer_alive(pp))
		return -1;
	return tx_reclaim(p, pp);
}

static int pipe_txsync(struct nmp_port *p, struct nmp_err *err)
{
	struct pipe *pp = p->priv;
	uint32_t old, i, bs;
	int64_t moved;

	if (!p->tx.hdr && pipe_open_tx(p, err) < 0)
		return -1;
	/* A peer that closed says so in shared memory (one load); one that
	 * died is found by the wait below, once the ring is full. */
	if (pp->dead ||
	    __atomic_load_n(&pp->shm->closed[1 - pp->end], __ATOMIC_ACQUIRE)) {
		pp->dead = 1;
		return fail_epipe(pp, err);
	}
	old = p->tx.head;
	bs = pp->g.buf_size;
	moved = nmp_ring_take_head(&p->tx, err);
	if (moved < 0)
		return -1;
	/* Check every new slot before the receiver can see any of them. */
	if (nmp_ring_check_tx_lens(&p->tx, old, NMP_MIN_FRAME, bs, pp->label,
				   err) < 0)
		return -1;
	if (moved > 0) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		for (i = old; i != p->tx.head; i = nmp_ring_next(&p->tx, i)) {
			struct pipe_desc *d = &pp->tx_desc[i];
			d->len = p->tx.slot[i].len;
			d->ts_sec = (uint32_t)ts.tv_sec;
			d->ts_nsec = (uint32_t)ts.tv_nsec;
			d->flags = 0;
			/* The frame is in buffer i, whatever JS did to this. */
			p->tx.slot[i].offset = i * bs;
		}
		/* Release: descriptors and frame bytes before the index. */
		__atomic_store_n(&pp->txd->prod, p->tx.head, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Ring, then clear: the receiver drains only once it sees the
		 * flag cleared, so it never misses the count. */
		if (__atomic_load_n(&pp->txd->data_wait, __ATOMIC_RELAXED)) {
			ring_eventfd(pp->efd_data[pp->end]);
			__atomic_store_n(&pp->txd->data_wait, 0, __ATOMIC_RELEASE);
		}
	}
	if (tx_reclaim(p, pp) < 0) {
		nmp_ring_publish(&p->tx);
		return fail_epipe(pp, err);
	}
	nmp_ring_publish(&p->tx);
	return (int)nmp_ring_dist(&p->tx, p->tx.head, p->tx.tail);
}

/* Sleep on the space eventfd until the receiver frees a slot. */
static int pipe_tx_wait(struct nmp_port *p, uint32_t timeout_ms,
			struct nmp_err *err)
{
	struct pipe *pp = p->priv;
	struct timespec t0, t;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int64_t left;

		n = pipe_txsync(p, err);
		if (n != 0)
			return n;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = (int64_t)timeout_ms -
		       ((int64_t)(t.tv_sec - t0.tv_sec) * 1000 +
			(t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0)
			return 0;
		if (tx_sleep(p, pp, (int)left) < 0) {
			nmp_ring_publish(&p->tx);
			return fail_epipe(pp, err);
		}
	}
}

/* ---- the rest of the contract ---- */

/* A pipe has no socket error: its failure is the peer gone (closed,
 * died, or wrote corrupt indices), which poll_fd reports as readable. */
static int pipe_failure(struct nmp_port *p, struct nmp_err *err)
{
	struct pipe *pp = p->priv;

	if (!pp->corrupt && peer_alive(pp) &&
	    !__atomic_load_n(&pp->shm->closed[1 - pp->end], __ATOMIC_ACQUIRE))
		return 0;
	pp->dead = 1;
	fail_epipe(pp, err);
	return 1;
}

static int pipe_poll_fd(struct nmp_port *p)
{
	return ((struct pipe *)p->priv)->epfd;
}

static int pipe_stats(struct nmp_port *p, struct nmp_stats *st,
		      struct nmp_err *err)
{
	struct pipe *pp = p->priv;

	(void)err;
	st->recv = pp->recv;
	st->drop = 0;      /* a full pipe holds the sender back instead */
	st->ifdrop = 0;
	return 0;
}

static int pipe_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			  struct nmp_err *err)
{
	return nmp_filter_replace(&((struct pipe *)p->priv)->shim_filter, prog, err);
}

static int pipe_setdirection(struct nmp_port *p, enum nmp_direction dir,
			     struct nmp_err *err)
{
	(void)err;
	((struct pipe *)p->priv)->dir = dir;
	return 0;
}

const struct nmp_port_ops nmp_pipe_ops = {
	.name = "pipe",
	.open = pipe_open,
	.open_tx = pipe_open_tx,
	.rxsync = pipe_rxsync,
	.txsync = pipe_txsync,
	.tx_wait = pipe_tx_wait,
	.poll_fd = pipe_poll_fd,
	.stats = pipe_stats,
	.setfilter = pipe_setfilter,
	.setdirection = pipe_setdirection,
	.failure = pipe_failure,
	.close = pipe_close,
};
