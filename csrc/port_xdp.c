/*
 * The AF_XDP backend: `xdp:IF` and `xdp:IF-Q`, one socket on one queue.
 *
 * Memory. One UMEM, mapped once: RX frames first, then TX frames, all of
 * one chunk size. JS maps the whole UMEM as the buffer memory of both its
 * rings, so packets are read and written in place. The socket's four
 * kernel rings (fill, completion, RX, TX) stay private to C: JS sees only
 * the ring model (ring.h), which C translates to and from them, checking
 * everything JS wrote.
 *
 * RX. The kernel takes free frames from the fill ring and hands filled
 * ones back on the RX ring. rxsync first returns to the fill ring the
 * frames of the slots JS released, then moves RX descriptors into JS
 * slots, running the filter (libpcap's program, in the shim: AF_XDP has no
 * socket filter) and recycling what it rejects at once. Every frame is in
 * exactly one place (fill ring, kernel, RX ring, a JS slot) and the fill
 * ring holds them all, so returning a frame never finds it full.
 *
 * TX. JS slot i always names TX frame i. txsync posts the new slots on the
 * TX ring, kicks the kernel when it asks for it (need_wakeup; always in
 * copy mode) and frees slots, in order, as their frames complete.
 *
 * AF_XDP carries no receive timestamps: a batch gets the time of its
 * rxsync.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <pcap/dlt.h>
#include "filter.h"
#include "link_watch.h"
#include "netdev.h"
#include "port.h"
#include "tx_wait.h"
#include "xdp_gather.h"
#include "xdp_prog.h"
#include "xsk_ring.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/* Frames: 2 KiB (the kernel's smallest chunk) while a full-size frame
 * fits after the 256 bytes of headroom the kernel keeps; 4 KiB beyond. */
#define XDP_SMALL_CHUNK 2048u
#define XDP_LARGE_CHUNK 4096u
#define XDP_KERNEL_HEADROOM 256u
#define XDP_MIN_RX_FRAMES 64u
#define XDP_MAX_RX_FRAMES (1u << 17)
#define XDP_TX_FRAMES 2048u
#define XDP_MIN_BUSY_PAUSE_US 20u
#define XDP_BIND_RETRIES 100
#define XDP_BIND_RETRY_US 5000u
/* Frames one sendto() may move in copy mode (XDP_MAX_TX_SKB_BUDGET, Linux
 * 6.17+; older kernels move 32). */
#ifndef XDP_MAX_TX_SKB_BUDGET
#define XDP_MAX_TX_SKB_BUDGET 9
#endif
#define XDP_TX_BUDGET 256u
#define XDP_KERNEL_TX_BATCH 32u
/* The highest receive rates of one queue, to bound how long packets may
 * gather (xdp_gather.h) before the frames run out: in copy mode the kernel
 * copies every frame (veth delivered ~1 Mpps on the machines measured;
 * twice that is assumed), zero-copy NICs reach line rate. The bound is the
 * time half the RX frames last at that rate: the other half is room for a
 * burst above it and for a reader that wakes late. */
#define XDP_COPY_PEAK_PPS 2000000u
#define XDP_ZEROCOPY_PEAK_PPS 16000000u

struct xdp {
	int fd;
	int promisc_fd;            /* holds promiscuous mode, or -1 */
	int ifindex;
	uint32_t queue;
	char ifname[IFNAMSIZ];
	struct nmp_xdp_prog prog;

	uint8_t *umem;             /* rx_frames, then tx_frames, of chunk */
	uint32_t chunk;
	uint32_t rx_frames;
	uint32_t tx_frames;
	struct xsk_ring fill, comp, rx, tx;
	uint64_t *slot_frame;      /* per JS RX slot: the frame it holds */
	uint8_t *tx_done;          /* per JS TX slot: completed, not yet freed */
	int zerocopy;
	uint64_t tx_dropped;       /* frames the device refused (EBUSY) */
	uint32_t tx_budget;        /* frames one kick moves in copy mode */
	unsigned busy_pause_us;    /* pause after such a refusal */

	struct nmp_xdp_gather gather;  /* poll_fd, and batching wake-ups */
	struct nmp_link_watch link;    /* ENETDOWN / ENODEV */

	struct bpf_program filter;
	uint64_t passed;           /* packets that passed the filter */
	uint64_t ifdrop_base;
};

static const char *fix_socket_privileges =
	"run as root, or grant the capabilities with `sudo setcap "
	"cap_net_raw,cap_net_admin,cap_bpf,cap_sys_admin+eip "
	"$(readlink -f $(which node))`";

/* The interface and queue lib/ports.ts parsed; C asserts its own limits. */
static int port_device(struct xdp *x, const struct nmp_open_args *a,
		       struct nmp_err *err)
{
	size_t n = strlen(a->device);

	x->queue = a->queue < 0 ? 0 : (uint32_t)a->queue;
	if (x->queue >= NMP_XDP_MAX_QUEUES)
		return nmp_fail(err, "EINVAL", "queue %u of %s is over the %d "
				"queues (0 to %d) an xdp: port can name",
				x->queue, a->device, NMP_XDP_MAX_QUEUES,
				NMP_XDP_MAX_QUEUES - 1);
	if (n == 0 || n >= IFNAMSIZ)
		return nmp_fail(err, "ENODEV", "bad device name \"%.32s\": a "
				"Linux interface name has 1 to %d characters",
				a->device, IFNAMSIZ - 1);
	memcpy(x->ifname, a->device, n + 1);
	return 0;
}

/* RX queues of the interface as sysfs lists them, or -1. */
static int count_rx_queues(const char *ifname)
{
	char path[80];
	struct dirent *e;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/queues", ifname);
	d = opendir(path);
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += strncmp(e->d_name, "rx-", 3) == 0;
	closedir(d);
	return n;
}

/* Exists, is up, carries Ethernet; sets ifindex. */
static int check_device(struct xdp *x, uint32_t *mtu, struct nmp_err *err)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	x->ifindex = (int)if_nametoindex(x->ifname);
	if (x->ifindex == 0)
		rc = nmp_fail(err, "ENODEV", "no such device \"%s\": list devices "
			      "with findAllDevs() or `ip link`", x->ifname);
	else if (fd < 0)
		rc = nmp_fail(err, nmp_errno_code(errno), "cannot query %s: %s",
			      x->ifname, strerror(errno));
	else if (nmp_ioctl_ifreq(fd, SIOCGIFFLAGS, x->ifname, &ifr) == 0 &&
		 !(ifr.ifr_flags & IFF_UP))
		rc = nmp_fail(err, "ENETDOWN", "interface %s is down: bring it up "
			      "with `ip link set %s up`", x->ifname, x->ifname);
	else if (nmp_ioctl_ifreq(fd, SIOCGIFHWADDR, x->ifname, &ifr) == 0 &&
		 ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		rc = nmp_fail(err, "ENOTSUP", "%s is not an Ethernet interface; "
			      "xdp: ports need one (capture it without the "
			      "prefix)", x->ifname);
	else if (nmp_ioctl_ifreq(fd, SIOCGIFMTU, x->ifname, &ifr) < 0)
		rc = nmp_fail(err, nmp_errno_code(errno), "cannot read the MTU of "
			      "%s: %s", x->ifname, strerror(errno));
	else
		*mtu = (uint32_t)ifr.ifr_mtu;
	if (fd >= 0)
		close(fd);
	return rc;
}

static int open_socket(struct xdp *x, struct nmp_err *err)
{
	x->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->fd >= 0)
		return 0;
	if (errno == EPERM || errno == EACCES)
		return nmp_fail(err, "EPERM", "an AF_XDP socket on %s needs "
				"CAP_NET_RAW: %s", x->ifname,
				fix_socket_privileges);
	if (errno == EAFNOSUPPORT)
		return nmp_fail(err, "ENOTSUP", "this kernel has no AF_XDP "
				"sockets: it needs CONFIG_XDP_SOCKETS (Linux "
				"4.18+); use the plain backend (%s)", x->ifname);
	return nmp_fail(err, nmp_errno_code(errno), "cannot open an AF_XDP "
			"socket: %s", strerror(errno));
}

static uint32_t pow2_at_least(uint64_t v)
{
	uint32_t p = 1;

	while (p < v && p < (1u << 31))
		p <<= 1;
	return p;
}

static int register_umem(struct xdp *x, const struct nmp_open_args *a,
			 uint32_t mtu, struct nmp_err *err)
{
	struct xdp_umem_reg reg;
	uint64_t want = a->buffer_size / XDP_SMALL_CHUNK;
	size_t len;

	x->chunk = mtu + ETH_HLEN + 4 + XDP_KERNEL_HEADROOM <= XDP_SMALL_CHUNK ?
		   XDP_SMALL_CHUNK : XDP_LARGE_CHUNK;
	/* Twice the JS ring: the kernel keeps frames to fill while JS holds
	 * a full ring. */
	if (want < 2ull * a->rx_slots)
		want = 2ull * a->rx_slots;
	x->rx_frames = pow2_at_least(want);
	if (x->rx_frames < XDP_MIN_RX_FRAMES)
		x->rx_frames = XDP_MIN_RX_FRAMES;
	if (x->rx_frames > XDP_MAX_RX_FRAMES)
		x->rx_frames = XDP_MAX_RX_FRAMES;
	x->tx_frames = XDP_TX_FRAMES;
	len = (size_t)(x->rx_frames + x->tx_frames) * x->chunk;
	x->umem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (x->umem == MAP_FAILED) {
		x->umem = NULL;
		return nmp_fail(err, "ENOMEM", "cannot allocate %zu bytes of "
				"packet memory; try a smaller bufferSize", len);
	}
	memset(&reg, 0, sizeof(reg));
	reg.addr = (uint64_t)(uintptr_t)x->umem;
	reg.len = len;
	reg.chunk_size = x->chunk;
	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_REG, &reg, sizeof(reg)) < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot register %zu "
				"bytes of packet memory with the kernel: %s (the "
				"memory is locked: raise `ulimit -l`, or run "
				"with CAP_IPC_LOCK; or try a smaller bufferSize)",
				len, strerror(errno));
	return 0;
}

static int map_ring(struct xdp *x, struct xsk_ring *r, const struct xdp_ring_offset *o,
		    uint32_t size, size_t entry, off_t pgoff, struct nmp_err *err)
{
	uint8_t *m;

	r->map_len = o->desc + (size_t)size * entry;
	m = mmap(NULL, r->map_len, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_POPULATE, x->fd, pgoff);
	if (m == MAP_FAILED)
		return nmp_fail(err, nmp_errno_code(errno), "cannot map an AF_XDP "
				"ring: %s", strerror(errno));
	r->map = m;
	r->producer = (uint32_t *)(m + o->producer);
	r->consumer = (uint32_t *)(m + o->consumer);
	r->flags = (uint32_t *)(m + o->flags);
	r->entries = m + o->desc;
	r->size = size;
	r->mask = size - 1;
	r->cached_prod = *r->producer;
	r->cached_cons = *r->consumer;
	return 0;
}

static int setup_rings(struct xdp *x, struct nmp_err *err)
{
	struct xdp_mmap_offsets off;
	socklen_t olen = sizeof(off);
	uint32_t i;

	if (setsockopt(x->fd, SOL_XDP, XDP_UMEM_FILL_RING, &x->rx_frames,
		       sizeof(x->rx_frames)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_UMEM_COMPLETION_RING, &x->tx_frames,
		       sizeof(x->tx_frames)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_RX_RING, &x->rx_frames,
		       sizeof(x->rx_frames)) < 0 ||
	    setsockopt(x->fd, SOL_XDP, XDP_TX_RING, &x->tx_frames,
		       sizeof(x->tx_frames)) < 0 ||
	    getsockopt(x->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &olen) < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot create the "
				"AF_XDP rings: %s", strerror(errno));
	if (map_ring(x, &x->fill, &off.fr, x->rx_frames, sizeof(uint64_t),
		     XDP_UMEM_PGOFF_FILL_RING, err) < 0 ||
	    map_ring(x, &x->comp, &off.cr, x->tx_frames, sizeof(uint64_t),
		     XDP_UMEM_PGOFF_COMPLETION_RING, err) < 0 ||
	    map_ring(x, &x->rx, &off.rx, x->rx_frames, sizeof(struct xdp_desc),
		     XDP_PGOFF_RX_RING, err) < 0 ||
	    map_ring(x, &x->tx, &off.tx, x->tx_frames, sizeof(struct xdp_desc),
		     XDP_PGOFF_TX_RING, err) < 0)
		return -1;
	/* Fewer kicks per ring-full in copy mode where the kernel allows it. */
	x->tx_budget = XDP_TX_BUDGET;
	if (setsockopt(x->fd, SOL_XDP, XDP_MAX_TX_SKB_BUDGET, &x->tx_budget,
		       sizeof(x->tx_budget)) < 0)
		x->tx_budget = XDP_KERNEL_TX_BATCH;
	/* Every RX frame starts on the fill ring. */
	for (i = 0; i < x->rx_frames; i++)
		*xsk_ring_addr(&x->fill, x->fill.cached_prod++) =
			(uint64_t)i * x->chunk;
	xsk_prod_submit(&x->fill);
	return 0;
}

static int bind_queue(struct xdp *x, struct nmp_err *err)
{
	struct sockaddr_xdp sxdp;
	struct xdp_options opts;
	socklen_t olen = sizeof(opts);
	int queues, rc, tries = 0;

	/* Neither XDP_COPY nor XDP_ZEROCOPY: the kernel takes zero-copy where
	 * the driver has it and falls back to copying. */
	memset(&sxdp, 0, sizeof(sxdp));
	sxdp.sxdp_family = AF_XDP;
	sxdp.sxdp_flags = XDP_USE_NEED_WAKEUP;
	sxdp.sxdp_ifindex = (uint32_t)x->ifindex;
	sxdp.sxdp_queue_id = x->queue;
	/* A socket just closed on this queue lets go of it a moment later
	 * (the kernel releases its memory in deferred work): EBUSY for up to
	 * half a second means "not yet", not "taken". */
	while ((rc = bind(x->fd, (struct sockaddr *)&sxdp, sizeof(sxdp))) < 0 &&
	       errno == EBUSY && tries++ < XDP_BIND_RETRIES)
		usleep(XDP_BIND_RETRY_US);
	if (rc == 0) {
		if (getsockopt(x->fd, SOL_XDP, XDP_OPTIONS, &opts, &olen) == 0)
			x->zerocopy = !!(opts.flags & XDP_OPTIONS_ZEROCOPY);
		return 0;
	}
	queues = count_rx_queues(x->ifname);
	if (errno == EINVAL && queues >= 0 && x->queue >= (uint32_t)queues)
		return nmp_fail(err, "ENODEV", "%s has no queue %u: it has %d "
				"(0 to %d; see `ethtool -l %s`)", x->ifname,
				x->queue, queues, queues - 1, x->ifname);
	if (errno == EBUSY)
		return nmp_fail(err, "EBUSY", "queue %u of %s is already taken "
				"by another AF_XDP socket (an xdp: port open "
				"elsewhere?)", x->queue, x->ifname);
	return nmp_fail(err, nmp_errno_code(errno), "cannot bind an AF_XDP "
			"socket to queue %u of %s: %s", x->queue, x->ifname,
			strerror(errno));
}

/*
 * XDP sees only what the NIC accepts, so promiscuous mode matters as it
 * does for a packet socket. It is held as a membership of a packet socket
 * that receives nothing: the kernel drops it when that socket closes, even
 * if the process dies.
 */
static int hold_promisc(struct xdp *x, struct nmp_err *err)
{
	struct packet_mreq mr;

	x->promisc_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (x->promisc_fd < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot make %s "
				"promiscuous: %s", x->ifname, strerror(errno));
	memset(&mr, 0, sizeof(mr));
	mr.mr_ifindex = x->ifindex;
	mr.mr_type = PACKET_MR_PROMISC;
	if (setsockopt(x->promisc_fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
		       sizeof(mr)) < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot make %s "
				"promiscuous: %s", x->ifname, strerror(errno));
	return 0;
}

static void unmap_ring(struct xsk_ring *r)
{
	if (r->map)
		munmap(r->map, r->map_len);
	r->map = NULL;
}

static void xdp_free(struct xdp *x)
{
	/* The link first: the program stops redirecting to a socket that is
	 * about to go. Closing the socket takes it out of the map. */
	nmp_xdp_prog_release(&x->prog);
	nmp_xdp_gather_close(&x->gather);
	nmp_link_watch_close(&x->link);
	if (x->fd >= 0)
		close(x->fd);
	if (x->promisc_fd >= 0)
		close(x->promisc_fd);
	unmap_ring(&x->fill);
	unmap_ring(&x->comp);
	unmap_ring(&x->rx);
	unmap_ring(&x->tx);
	nmp_filter_free(&x->filter);
	free(x->slot_frame);
	free(x->tx_done);
	free(x);
}

/* How long packets may gather: the session timeout (0 means the least,
 * as on the plain port), and no longer than half the RX frames last at
 * the peak rate. */
static uint32_t gather_max_us(const struct xdp *x, const struct nmp_open_args *a)
{
	uint64_t peak = x->zerocopy ? XDP_ZEROCOPY_PEAK_PPS : XDP_COPY_PEAK_PPS;
	uint64_t frames_us = (uint64_t)x->rx_frames / 2 * 1000000u / peak;
	uint64_t timeout_us = (uint64_t)(a->timeout_ms ? a->timeout_ms : 1) * 1000u;

	return (uint32_t)(frames_us < timeout_us ? frames_us : timeout_us);
}

/* A batch big enough to end a hold at once: a quarter of the frames,
 * half the JS ring. */
static uint32_t gather_target(const struct xdp *x, const struct nmp_open_args *a)
{
	uint32_t t = x->rx_frames / 4;

	return a->rx_slots / 2 < t ? a->rx_slots / 2 : t;
}

static int xdp_open(struct nmp_port *p, const struct nmp_open_args *a,
		    struct nmp_err *err)
{
	struct xdp *x = calloc(1, sizeof(*x));
	uint32_t mtu = 0;
	size_t umem_len;

	if (!x)
		return nmp_fail(err, "ENOMEM", "out of memory");
	x->fd = x->promisc_fd = -1;
	x->gather.epfd = x->gather.timer_fd = x->link.fd = -1;
	x->prog.link_fd = x->prog.map_fd = -1;
	x->busy_pause_us = XDP_MIN_BUSY_PAUSE_US;
	p->priv = x;
	p->snaplen = a->snaplen;
	p->linktype = DLT_EN10MB;
	if (port_device(x, a, err) < 0 ||
	    check_device(x, &mtu, err) < 0 ||
	    open_socket(x, err) < 0 ||
	    register_umem(x, a, mtu, err) < 0 ||
	    setup_rings(x, err) < 0)
		goto fail;
	if (a->direction == NMP_DIR_OUT) {
		nmp_fail(err, "ENOTSUP", "an xdp: port sees only the packets %s "
			 "receives; capture outgoing packets on the plain port",
			 x->ifname);
		goto fail;
	}
	/* The filter is in place before the first packet can arrive. */
	if (a->filter && nmp_filter_compile(&x->filter, a->filter, DLT_EN10MB,
					    a->snaplen, 1, PCAP_NETMASK_UNKNOWN,
					    err) < 0)
		goto fail;
	if ((a->promisc && hold_promisc(x, err) < 0) ||
	    bind_queue(x, err) < 0 ||
	    nmp_xdp_prog_attach(&x->prog, x->ifindex, x->ifname, err) < 0 ||
	    nmp_xdp_prog_add_socket(&x->prog, x->queue, x->fd, x->ifname, err) < 0)
		goto fail;
	x->slot_frame = calloc(a->rx_slots, sizeof(*x->slot_frame));
	x->tx_done = calloc(x->tx_frames, 1);
	if (!x->slot_frame || !x->tx_done) {
		nmp_fail(err, "ENOMEM", "out of memory");
		goto fail;
	}
	if (nmp_link_watch_open(&x->link, x->ifindex, err) < 0 ||
	    nmp_xdp_gather_open(&x->gather, x->fd, x->link.fd, a->immediate,
				gather_max_us(x, a), gather_target(x, a), err) < 0)
		goto fail;
	if (nmp_ring_alloc(&p->rx, a->rx_slots, a->snaplen, NMP_RING_RX, err) < 0)
		goto fail;
	umem_len = (size_t)(x->rx_frames + x->tx_frames) * x->chunk;
	p->rx_buf = nmp_mem_wrap(x->umem, umem_len, nmp_mem_munmap);
	x->umem = NULL;   /* p->rx_buf owns it now */
	if (!p->rx_buf) {
		nmp_ring_free(&p->rx);
		nmp_fail(err, "ENOMEM", "out of memory");
		goto fail;
	}
	x->umem = p->rx_buf->addr;
	p->tx_max_len = mtu + ETH_HLEN < x->chunk ? mtu + ETH_HLEN : x->chunk;
	p->mode = x->zerocopy ? "zerocopy" : x->prog.native ? "copy" : "generic";
	x->ifdrop_base = nmp_read_ifdrop(x->ifname);
	return 0;
fail:
	p->priv = NULL;
	if (x->umem)
		munmap(x->umem, (size_t)(x->rx_frames + x->tx_frames) * x->chunk);
	xdp_free(x);
	return -1;
}

/* Ask the kernel to move packets when it says it waits for us. */
static void kick_rx(struct xdp *x)
{
	if (xsk_needs_wakeup(&x->fill))
		recvfrom(x->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
}

/* Frames of the slots JS released go back to the fill ring. */
static void refill(struct nmp_port *p, struct xdp *x, uint32_t from,
		   uint32_t count)
{
	uint32_t i = from;

	/* The fill ring holds every RX frame: there is always room. */
	while (count-- > 0) {
		*xsk_ring_addr(&x->fill, x->fill.cached_prod++) = x->slot_frame[i];
		i = nmp_ring_next(&p->rx, i);
	}
	xsk_prod_submit(&x->fill);
}

static int xdp_rxsync(struct nmp_port *p, struct nmp_err *err)
{
	struct xdp *x = p->priv;
	uint32_t old = p->rx.head, room, ready, rejected = 0, taken = 0;
	uint32_t budget = x->rx_frames;
	uint64_t mono;
	uint64_t rx_bytes = (uint64_t)x->rx_frames * x->chunk;
	struct timespec now = { 0, 0 };
	int stamped = 0;
	int64_t moved = nmp_ring_take_head(&p->rx, err);

	if (moved < 0)
		return -1;
	if (moved > 0)
		refill(p, x, old, (uint32_t)moved);
	room = p->rx.num_slots - 1 - nmp_ring_dist(&p->rx, p->rx.head, p->rx.tail);
	ready = xsk_cons_ready(&x->rx, x->rx_frames);
	mono = nmp_xdp_gather_now();
	if (!nmp_xdp_gather_due(&x->gather, ready, mono) || ready == 0) {
		nmp_ring_publish(&p->rx);
		/* Nothing came: perhaps the link went down. (While a hold
		 * runs, its timer brings us back here.) */
		if (ready == 0 && !x->gather.holding &&
		    nmp_link_watch_check(&x->link, x->ifname, err) < 0)
			return -1;
		return (int)nmp_ring_dist(&p->rx, p->rx.head, p->rx.tail);
	}
	/* A budget of one ring's worth, so a flood of rejected packets cannot
	 * keep us here. */
	while (room > 0 && budget-- > 0 &&
	       (ready > 0 || (ready = xsk_cons_ready(&x->rx, room)) > 0)) {
		const struct xdp_desc *d = xsk_ring_desc(&x->rx, x->rx.cached_cons++);
		uint64_t frame = d->addr - d->addr % x->chunk;
		uint32_t len = d->len, keep;
		struct nmp_slot *s;

		ready--;
		taken++;
		if (!stamped) {
			clock_gettime(CLOCK_REALTIME, &now);
			stamped = 1;
		}
		/* From the kernel, so sane; checked anyway, as slots point
		 * into memory JS reads. */
		keep = d->addr + len <= rx_bytes && len <= x->chunk ?
			nmp_filter_run(&x->filter, x->umem + d->addr, len, len) : 0;
		if (!keep) {
			*xsk_ring_addr(&x->fill, x->fill.cached_prod++) = frame;
			rejected++;
			continue;
		}
		s = &p->rx.slot[p->rx.tail];
		s->offset = (uint32_t)d->addr;
		s->caplen = len < p->snaplen ? len : p->snaplen;
		if (s->caplen > keep)
			s->caplen = keep;
		s->len = len;
		s->ts_sec = (uint32_t)now.tv_sec;
		s->ts_nsec = (uint32_t)now.tv_nsec;
		s->flags = 0;
		x->slot_frame[p->rx.tail] = frame;
		p->rx.tail = nmp_ring_next(&p->rx, p->rx.tail);
		x->passed++;
		room--;
	}
	xsk_cons_release(&x->rx);
	if (rejected)
		xsk_prod_submit(&x->fill);
	nmp_ring_publish(&p->rx);
	nmp_xdp_gather_delivered(&x->gather, taken, mono);
	kick_rx(x);
	return (int)nmp_ring_dist(&p->rx, p->rx.head, p->rx.tail);
}

static int xdp_open_tx(struct nmp_port *p, struct nmp_err *err)
{
	struct xdp *x = p->priv;
	uint32_t i;

	if (p->tx.hdr)
		return 0;
	if (nmp_ring_alloc(&p->tx, x->tx_frames, p->tx_max_len, NMP_RING_TX,
			   err) < 0)
		return -1;
	nmp_mem_ref(p->rx_buf);   /* TX frames live in the same UMEM */
	p->tx_buf = p->rx_buf;
	for (i = 0; i < x->tx_frames; i++)
		p->tx.slot[i].offset = (x->rx_frames + i) * x->chunk;
	/* netmap's TX start: JS owns every slot but one. */
	p->tx.head = 0;
	p->tx.tail = x->tx_frames - 1;
	nmp_ring_reset(&p->tx);
	return 0;
}

/*
 * Tell the kernel about posted frames. In copy mode one sendto() moves at
 * most tx_budget frames (see XDP_TX_BUDGET) and answers EAGAIN when more
 * are left, so it is repeated while the kernel keeps taking frames.
 * EBUSY means the device dropped a frame it had no room for (a veth whose
 * peer's queue is full): the kernel has completed that frame, so it cannot
 * be sent again. A short pause, doubling up to a millisecond, then lets
 * the receiver drain before the next frames go. Other refusals (EAGAIN
 * from a busy device, ENOBUFS) leave the frames posted for the next kick.
 */
static int kick_tx(struct xdp *x, struct nmp_err *err)
{
	unsigned rounds = x->tx_frames / x->tx_budget + 2;

	if (x->zerocopy && !xsk_needs_wakeup(&x->tx))
		return 0;
	while (rounds-- > 0) {
		uint32_t before = __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE);

		if (before == x->tx.cached_prod)
			break;   /* the kernel has taken every posted frame */
		if (sendto(x->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0) {
			if (errno == EBUSY) {
				x->tx_dropped++;
				usleep(x->busy_pause_us);
				if (x->busy_pause_us < 1000)
					x->busy_pause_us *= 2;
				break;   /* one pause per kick: txsync stays short */
			}
			if (errno != EAGAIN && errno != ENOBUFS && errno != EINTR)
				return nmp_fail(err, nmp_errno_code(errno),
						"sending on %s failed: %s",
						x->ifname, strerror(errno));
		} else if (x->busy_pause_us > XDP_MIN_BUSY_PAUSE_US) {
			x->busy_pause_us /= 2;
		}
		if (x->zerocopy ||
		    __atomic_load_n(x->tx.consumer, __ATOMIC_ACQUIRE) == before)
			break;   /* one wake-up is enough / no progress */
	}
	return 0;
}

/* Completed frames free their slots; slots come back in ring order even
 * if the kernel completes them out of it. */
static void tx_reclaim(struct nmp_port *p, struct xdp *x)
{
	uint64_t base = (uint64_t)x->rx_frames * x->chunk;
	uint32_t n = xsk_cons_ready(&x->comp, x->tx_frames), j;

	while (n-- > 0) {
		uint64_t addr = *xsk_ring_addr(&x->comp, x->comp.cached_cons++);
		uint64_t i = (addr - base) / x->chunk;
		if (addr >= base && i < x->tx_frames)
			x->tx_done[i] = 1;
	}
	xsk_cons_release(&x->comp);
	for (j = nmp_ring_next(&p->tx, p->tx.tail);
	     j != p->tx.head && x->tx_done[j]; j = nmp_ring_next(&p->tx, j)) {
		x->tx_done[j] = 0;
		p->tx.tail = j;
	}
}

static int xdp_txsync(struct nmp_port *p, struct nmp_err *err)
{
	struct xdp *x = p->priv;
	uint32_t old = p->tx.head, i;
	int64_t moved;
	int rc = 0;

	if (!p->tx.hdr && xdp_open_tx(p, err) < 0)
		return -1;
	moved = nmp_ring_take_head(&p->tx, err);
	if (moved < 0)
		return -1;
	/* Check every new slot before the kernel sees any of them. */
	if (nmp_ring_check_tx_lens(&p->tx, old, NMP_MIN_FRAME, p->tx_max_len,
				   x->ifname, err) < 0)
		return -1;
	/* The TX ring has a place for every frame: no check for room. */
	for (i = old; i != p->tx.head; i = nmp_ring_next(&p->tx, i)) {
		struct xdp_desc *d = xsk_ring_desc(&x->tx, x->tx.cached_prod++);
		p->tx.slot[i].offset = (x->rx_frames + i) * x->chunk;
		d->addr = p->tx.slot[i].offset;
		d->len = p->tx.slot[i].len;
		d->options = 0;
	}
	if (moved > 0)
		xsk_prod_submit(&x->tx);
	/* Kick whenever frames are in flight: some may have waited for a
	 * full device last time. */
	if (nmp_ring_next(&p->tx, p->tx.tail) != p->tx.head)
		rc = kick_tx(x, err);
	tx_reclaim(p, x);
	nmp_ring_publish(&p->tx);
	return rc < 0 ? -1 : (int)nmp_ring_dist(&p->tx, p->tx.head, p->tx.tail);
}

/* POLLOUT on an XSK: the TX ring has room (and, in copy mode, the poll
 * itself pushes posted frames). */
static int xdp_tx_wait(struct nmp_port *p, uint32_t timeout_ms,
		       struct nmp_err *err)
{
	struct xdp *x = p->priv;

	if (!p->tx.hdr && xdp_open_tx(p, err) < 0)
		return -1;
	return nmp_tx_wait_poll(p, timeout_ms, x->fd, err);
}

static int xdp_poll_fd(struct nmp_port *p)
{
	return ((struct xdp *)p->priv)->gather.epfd;
}

static int xdp_stats(struct nmp_port *p, struct nmp_stats *st,
		     struct nmp_err *err)
{
	struct xdp *x = p->priv;
	struct xdp_statistics k;
	socklen_t len = sizeof(k);

	memset(&k, 0, sizeof(k));
	if (getsockopt(x->fd, SOL_XDP, XDP_STATISTICS, &k, &len) < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot read AF_XDP "
				"statistics: %s", strerror(errno));
	/* The kernel's counters are cumulative; its drops happen before the
	 * filter, so they count as received, as in libpcap. */
	st->drop = k.rx_dropped + k.rx_ring_full + k.rx_fill_ring_empty_descs;
	st->recv = x->passed + st->drop;
	st->ifdrop = nmp_ifdrop_since(x->ifname, x->ifdrop_base);
	return 0;
}

static int xdp_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			 struct nmp_err *err)
{
	return nmp_filter_replace(&((struct xdp *)p->priv)->filter, prog, err);
}

static int xdp_setdirection(struct nmp_port *p, enum nmp_direction dir,
			    struct nmp_err *err)
{
	struct xdp *x = p->priv;

	if (dir == NMP_DIR_OUT)
		return nmp_fail(err, "ENOTSUP", "an xdp: port sees only the "
				"packets %s receives; capture outgoing packets "
				"on the plain port", x->ifname);
	return 0;
}

static void xdp_close(struct nmp_port *p)
{
	struct xdp *x = p->priv;

	if (x)
		xdp_free(x);
	p->priv = NULL;
	nmp_ring_free(&p->rx);
	nmp_ring_free(&p->tx);
	nmp_mem_unref(p->rx_buf);
	nmp_mem_unref(p->tx_buf);
	p->rx_buf = p->tx_buf = NULL;
}

const struct nmp_port_ops nmp_xdp_ops = {
	.name = "xdp",
	.open = xdp_open,
	.open_tx = xdp_open_tx,
	.rxsync = xdp_rxsync,
	.txsync = xdp_txsync,
	.tx_wait = xdp_tx_wait,
	.poll_fd = xdp_poll_fd,
	.stats = xdp_stats,
	.setfilter = xdp_setfilter,
	.setdirection = xdp_setdirection,
	.close = xdp_close,
};
