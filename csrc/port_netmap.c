/*
 * The netmap backend: native /dev/netmap ports.
 *
 * `netmap:IF` (every hardware ring of IF), `netmap:IF-N` (ring pair N),
 * `netmap:IF^` (the host-stack rings), `netmap:IF*` (both), netmap pipes
 * `netmap:NAME{N` / `netmap:NAME}N`, and VALE switch ports `valeX:PORT`
 * (the same code under the name "vale"). One NETMAP_REQ_REGISTER request
 * (API 14, csrc/netmap_abi.h) binds the rings; the region it describes is
 * mapped once and is the memory JS reads packets from and writes them to.
 *
 * RX. The kernel RX rings stay private to C; the JS ring (p->rx) gets one
 * slot per accepted packet, pointing into the mapped buffer pool, so JS
 * reads in place. C keeps, per kernel ring, the next slot to look at
 * (`read`) and how many of that ring's slots JS still holds (`held`); a
 * ring's head stays at the oldest held slot and cur at `read`, so poll()
 * wakes only for packets C has not seen. With extra buffers (bufferSize),
 * C swaps a spare buffer into the kernel slot (NS_BUF_CHANGED) and lets
 * JS hold the packet's own buffer instead: the kernel ring then goes back
 * whole at every sync, and JS may hold more packets than the ring has
 * slots. Filter and direction run here, in the shim, with libpcap's
 * compiled program. What passes the filter but does not fit in the JS ring
 * is dropped and counted (stats.drop), as AF_PACKET does when its ring is
 * full; netmap itself counts no drops on Linux.
 *
 * TX. The JS TX ring mirrors the first bound kernel TX ring slot for slot:
 * JS writes a frame into the buffer of slot i in place; txsync checks the
 * lengths, copies them into the kernel slots and calls NIOCTXSYNC, so every
 * batch is flushed at once (libpcap's netmap backend waits for the next
 * poll). txsync never waits; tx_wait polls for POLLOUT, bounded.
 *
 * Everything read from the shared region (tails, buffer indices, lengths,
 * the extra-buffer list) is checked before use: JS can write into that
 * region too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <pcap/dlt.h>
#include "filter.h"
#include "netdev.h"
#include "netmap_abi.h"
#include "port.h"
#include "tx_wait.h"

#define NM_DEVICE "/dev/netmap"
#define NM_MAX_EXTRA_BUFS 65536u

static const char *no_netmap =
	"the netmap kernel module is not loaded (" NM_DEVICE " does not exist): "
	"load netmap.ko (see https://github.com/luigirizzo/netmap), or use a "
	"plain interface name (e.g. eth0, AF_PACKET) or a pipe: port "
	"(pipe:NAME{N, shared memory) instead";

/* One kernel RX ring and C's position in it. */
struct nm_rx {
	struct nma_ring *ring;
	uint32_t read;           /* next slot C has not looked at */
	uint32_t held;           /* slots of this ring JS holds in place */
	int host;                /* a host-stack ring: packets the host sent */
};

/* Where the packet in a JS RX slot came from. */
struct nm_src {
	uint32_t ring;           /* index into nm->rx */
	uint32_t slot;           /* kernel slot (held in place) */
	uint32_t buf;            /* buffer index (swapped out: ours) */
	uint32_t swapped;
};

struct nm {
	int fd;
	char label[96];          /* the name as given, for messages */
	char ifname[NMA_REQ_IFNAMSIZ];  /* for rx_dropped; "" if none */
	struct nma_req_register reg;
	uint8_t *mem;
	size_t memsize;
	struct nma_if *nifp;
	uint64_t buf_base;       /* offset of buffer 0 in the region */
	uint32_t buf_size;

	struct nm_rx *rx;
	uint32_t nrx;
	uint32_t next_rx;        /* the ring to start filling from (fairness) */
	struct nm_src *src;      /* per JS RX slot */
	struct nma_ring *txr;    /* the kernel TX ring JS's TX ring mirrors */

	uint32_t *spare;         /* extra buffers not in use */
	uint32_t nspare;
	uint32_t nextra;         /* extra buffers the kernel granted */

	struct bpf_program shim_filter;
	enum nmp_direction dir;
	uint64_t recv, drop, ifdrop_base;
};

/* ---- names ---- */

/* nr_name, mode and ring id for the name lib/ports.ts parsed. */
static int register_name(const struct nmp_open_args *a,
			 struct nma_req_header *h, struct nma_req_register *r,
			 char *ifname, struct nmp_err *err)
{
	int n;

	r->nr_mode = NMA_REG_ALL_NIC;
	if (a->end != NMP_END_NONE)      /* a netmap pipe: the kernel reads it */
		n = snprintf(h->nr_name, NMA_REQ_IFNAMSIZ, "%s%c%u", a->device,
			     a->end == NMP_END_MASTER ? '{' : '}', a->pipe);
	else
		n = snprintf(h->nr_name, NMA_REQ_IFNAMSIZ, "%s", a->device);
	if (n <= 0 || n >= NMA_REQ_IFNAMSIZ)
		return nmp_fail(err, "EINVAL", "bad netmap port name \"%s\": "
				"netmap takes 1 to %d characters", a->name,
				NMA_REQ_IFNAMSIZ - 1);
	if (a->end != NMP_END_NONE)
		return 0;
	if (a->rings == NMP_RINGS_HOST) {
		r->nr_mode = NMA_REG_SW;
	} else if (a->rings == NMP_RINGS_ALL) {
		r->nr_mode = NMA_REG_NIC_SW;
	} else if (a->queue >= 0) {
		r->nr_mode = NMA_REG_ONE_NIC;
		r->nr_ringid = (uint16_t)a->queue;
	}
	snprintf(ifname, NMA_REQ_IFNAMSIZ, "%s", h->nr_name);
	return 0;
}

/* ---- the region ---- */

/* The offset of buffer idx in the region, or -1 if it lies outside. */
static int64_t buf_offset(const struct nm *nm, uint32_t idx)
{
	uint64_t off = nm->buf_base + (uint64_t)idx * nm->buf_size;

	if (off + nm->buf_size > nm->memsize)
		return -1;
	return (int64_t)off;
}

/* The ring at ring_ofs[i], checked to lie inside the region. */
static struct nma_ring *ring_at(struct nm *nm, uint32_t i)
{
	ssize_t ofs = nm->nifp->ring_ofs[i];
	uint64_t at = (uint64_t)((uint8_t *)nm->nifp - nm->mem) + (uint64_t)ofs;
	struct nma_ring *r;

	if (ofs == 0 || at + sizeof(struct nma_ring) > nm->memsize)
		return NULL;
	r = (struct nma_ring *)(nm->mem + at);
	if (r->num_slots < 2 || at + sizeof(*r) + (uint64_t)r->num_slots *
	    sizeof(struct nma_slot) > nm->memsize)
		return NULL;
	return r;
}

/* Buffers are found from any ring (they share one pool): check that they
 * all agree, and that offsets fit the 32-bit slot offsets JS reads. */
static int check_pool(struct nm *nm, struct nma_ring *r, struct nmp_err *err)
{
	uint64_t base = (uint64_t)((uint8_t *)r - nm->mem) + (uint64_t)r->buf_ofs;

	if (nm->buf_size == 0) {
		nm->buf_base = base;
		nm->buf_size = r->nr_buf_size;
	}
	if (base != nm->buf_base || r->nr_buf_size != nm->buf_size ||
	    nm->buf_size < NMP_MIN_FRAME || base >= nm->memsize)
		return nmp_fail(err, "EIO", "%s: the rings do not share one "
				"buffer pool", nm->label);
	return 0;
}

static int find_rings(struct nmp_port *p, struct nm *nm, struct nmp_err *err)
{
	struct nma_if *ni = nm->nifp;
	uint32_t ntx = nm->reg.nr_tx_rings + ni->ni_host_tx_rings;
	uint32_t nrx = nm->reg.nr_rx_rings + ni->ni_host_rx_rings;
	uint32_t i;

	if (ntx + nrx > 1024 || (uint64_t)((uint8_t *)ni - nm->mem) +
	    sizeof(*ni) + (ntx + nrx) * sizeof(ssize_t) > nm->memsize)
		return nmp_fail(err, "EIO", "%s: bad netmap_if", nm->label);
	nm->rx = calloc(nrx ? nrx : 1, sizeof(*nm->rx));
	if (!nm->rx)
		return nmp_fail(err, "ENOMEM", "out of memory");
	for (i = 0; i < ntx && !nm->txr; i++)
		if (ni->ring_ofs[i])
			nm->txr = ring_at(nm, i);
	for (i = 0; i < nrx; i++) {
		struct nma_ring *r;
		if (!ni->ring_ofs[ntx + i])
			continue;             /* not registered by this fd */
		if (!(r = ring_at(nm, ntx + i)))
			return nmp_fail(err, "EIO", "%s: bad ring offset",
					nm->label);
		if (check_pool(nm, r, err) < 0)
			return -1;
		nm->rx[nm->nrx].ring = r;
		nm->rx[nm->nrx].read = r->head < r->num_slots ? r->head : 0;
		nm->rx[nm->nrx].host = i >= nm->reg.nr_rx_rings;
		nm->nrx++;
	}
	if (nm->txr && check_pool(nm, nm->txr, err) < 0)
		return -1;
	if (!nm->nrx || !nm->txr)
		return nmp_fail(err, "EIO", "%s: the port has no %s ring",
				nm->label, nm->nrx ? "TX" : "RX");
	if (nm->memsize > UINT32_MAX)
		return nmp_fail(err, "ENOTSUP", "%s: the netmap region is %zu "
				"bytes; slot offsets are 32-bit, so it must be "
				"under 4 GiB (lower netmap's buf_num)", nm->label,
				nm->memsize);
	(void)p;
	return 0;
}

/* Take the extra buffers off the kernel's list (each holds the next). */
static int take_extra(struct nm *nm, struct nmp_err *err)
{
	uint32_t idx = nm->nifp->ni_bufs_head, n = 0;

	nm->spare = calloc(nm->nextra ? nm->nextra : 1, sizeof(*nm->spare));
	if (!nm->spare)
		return nmp_fail(err, "ENOMEM", "out of memory");
	while (idx && n < nm->nextra) {
		int64_t off = buf_offset(nm, idx);
		if (off < 0)
			return nmp_fail(err, "EIO", "%s: extra buffer %u is "
					"outside the region", nm->label, idx);
		nm->spare[n++] = idx;
		memcpy(&idx, nm->mem + off, sizeof(idx));
	}
	nm->nspare = n;
	nm->nextra = n;
	nm->nifp->ni_bufs_head = 0;
	return 0;
}

/* Hand every buffer we own back on the kernel's list before unregistering,
 * or the kernel would lose them. */
static void give_back_extra(struct nmp_port *p, struct nm *nm)
{
	uint32_t head = 0, i;

	if (!nm->nifp || !nm->spare)
		return;
	if (p->rx.hdr && nm->src)
		for (i = p->rx.head; i != p->rx.tail; i = nmp_ring_next(&p->rx, i))
			if (nm->src[i].swapped && nm->nspare < nm->nextra)
				nm->spare[nm->nspare++] = nm->src[i].buf;
	for (i = 0; i < nm->nspare; i++) {
		int64_t off = buf_offset(nm, nm->spare[i]);
		if (off < 0)
			continue;
		memcpy(nm->mem + off, &head, sizeof(head));
		head = nm->spare[i];
	}
	nm->nifp->ni_bufs_head = head;
}

/* ---- open / close ---- */

static void nm_free(struct nmp_port *p, struct nm *nm)
{
	give_back_extra(p, nm);
	if (nm->fd >= 0)
		close(nm->fd);
	nmp_filter_free(&nm->shim_filter);
	free(nm->rx);
	free(nm->src);
	free(nm->spare);
	free(nm);
}

static int nm_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			struct nmp_err *err);

/* Extra buffers for bufferSize: enough for a ring's worth of packets held
 * by JS, each buffer a netmap buffer (2048 bytes by default). */
static uint32_t extra_wanted(const struct nmp_open_args *a)
{
	uint64_t n = a->buffer_size / 2048;

	if (n > a->rx_slots)
		n = a->rx_slots;
	return n > NM_MAX_EXTRA_BUFS ? NM_MAX_EXTRA_BUFS : (uint32_t)n;
}

static int do_register(struct nm *nm, struct nma_req_header *h,
		       struct nmp_err *err)
{
	h->nr_version = NMA_API_VERSION;
	h->nr_reqtype = NMA_REQ_REGISTER;
	h->nr_body = (uint64_t)(uintptr_t)&nm->reg;
	if (ioctl(nm->fd, NMA_NIOCCTRL, h) == 0)
		return 0;
	switch (errno) {
	case ENXIO:
	case ENOENT:
	case ENODEV:
		return nmp_fail(err, "ENODEV", "%s: netmap has no port \"%s\" "
				"(no such interface, or the ring number is out "
				"of range); list interfaces with `ip link`",
				nm->label, h->nr_name);
	case EBUSY:
		return nmp_fail(err, "EBUSY", "%s is already open in netmap "
				"mode in a way that excludes this one (another "
				"process, or the other end of the pipe twice)",
				nm->label);
	case EPERM:
	case EACCES:
		return nmp_fail(err, "EPERM", "%s: netmap needs root to "
				"register a port; run as root", nm->label);
	default:
		return nmp_fail(err, nmp_errno_code(errno), "%s: netmap "
				"refused to register the port: %s", nm->label,
				strerror(errno));
	}
}

static int open_common(struct nmp_port *p, const struct nmp_open_args *a,
		       int vale, struct nmp_err *err)
{
	struct nm *nm = calloc(1, sizeof(*nm));
	const char *label = a->name;
	struct nma_req_header h;
	void *mem;

	if (!nm)
		return nmp_fail(err, "ENOMEM", "out of memory");
	nm->fd = -1;
	p->priv = nm;
	snprintf(nm->label, sizeof(nm->label), "%s", label);
	memset(&h, 0, sizeof(h));
	if (a->fanout_mode != NMP_FANOUT_NONE) {
		nmp_fail(err, "ENOTSUP", "fanout groups are AF_PACKET's; with "
			 "netmap open one ring per worker (netmap:IF-N)");
		goto fail;
	}
	if (vale) {
		int n = snprintf(h.nr_name, NMA_REQ_IFNAMSIZ, "vale%s:%s",
				 a->vale_switch, a->device);
		if (n <= 0 || n >= NMA_REQ_IFNAMSIZ) {
			nmp_fail(err, "EINVAL", "bad VALE port name \"%s\"", label);
			goto fail;
		}
		nm->reg.nr_mode = NMA_REG_ALL_NIC;
	} else if (register_name(a, &h, &nm->reg, nm->ifname, err) < 0) {
		goto fail;
	}
	p->linktype = DLT_EN10MB;
	p->snaplen = a->snaplen;
	nm->dir = a->direction;
	if (a->filter) {
		struct bpf_program prog;
		int rc;
		if (nmp_filter_compile(&prog, a->filter, DLT_EN10MB, p->snaplen,
				       1, PCAP_NETMASK_UNKNOWN, err) < 0)
			goto fail;
		rc = nm_setfilter(p, &prog, err);
		nmp_filter_free(&prog);
		if (rc < 0)
			goto fail;
	}
	nm->fd = open(NM_DEVICE, O_RDWR | O_CLOEXEC);
	if (nm->fd < 0) {
		if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
			nmp_fail(err, "ENODEV", "cannot open %s: %s", label,
				 no_netmap);
		else
			nmp_fail(err, nmp_errno_code(errno), "cannot open "
				 NM_DEVICE " for %s: %s%s", label,
				 strerror(errno), errno == EACCES ?
				 "; run as root" : "");
		goto fail;
	}
	nm->reg.nr_extra_bufs = extra_wanted(a);
	if (do_register(nm, &h, err) < 0) {
		/* Extra buffers are a nicety: a small pool may not have them. */
		if (!nm->reg.nr_extra_bufs || strcmp(err->code, "ENOMEM"))
			goto fail;
		nm->reg.nr_extra_bufs = 0;
		if (do_register(nm, &h, err) < 0)
			goto fail;
	}
	nm->nextra = nm->reg.nr_extra_bufs;
	mem = mmap(NULL, nm->reg.nr_memsize, PROT_READ | PROT_WRITE, MAP_SHARED,
		   nm->fd, 0);
	if (mem == MAP_FAILED) {
		nmp_fail(err, nmp_errno_code(errno), "%s: cannot map netmap's "
			 "%llu bytes: %s", label,
			 (unsigned long long)nm->reg.nr_memsize, strerror(errno));
		goto fail;
	}
	/* One region serves both directions; each side holds a reference. */
	p->rx_buf = nmp_mem_wrap(mem, nm->reg.nr_memsize, nmp_mem_munmap);
	if (!p->rx_buf) {
		nmp_fail(err, "ENOMEM", "out of memory");
		goto fail;
	}
	nm->mem = mem;
	nm->memsize = nm->reg.nr_memsize;
	if (nm->reg.nr_offset + sizeof(struct nma_if) > nm->memsize) {
		nmp_fail(err, "EIO", "%s: netmap_if outside the region", label);
		goto fail;
	}
	nm->nifp = (struct nma_if *)(nm->mem + nm->reg.nr_offset);
	if (find_rings(p, nm, err) < 0 || take_extra(nm, err) < 0)
		goto fail;
	if (nmp_ring_alloc(&p->rx, a->rx_slots, p->snaplen, NMP_RING_RX, err) < 0)
		goto fail;
	nm->src = calloc(a->rx_slots, sizeof(*nm->src));
	if (!nm->src) {
		nmp_fail(err, "ENOMEM", "out of memory");
		goto fail;
	}
	nm->ifdrop_base = nmp_read_ifdrop(nm->ifname);
	return 0;
fail:
	nmp_ring_free(&p->rx);
	nm_free(p, nm);
	nmp_mem_unref(p->rx_buf);
	p->rx_buf = NULL;
	p->priv = NULL;
	return -1;
}

static int nm_open(struct nmp_port *p, const struct nmp_open_args *a,
		   struct nmp_err *err)
{
	return open_common(p, a, 0, err);
}

static int vale_open(struct nmp_port *p, const struct nmp_open_args *a,
		     struct nmp_err *err)
{
	return open_common(p, a, 1, err);
}

static void nm_close(struct nmp_port *p)
{
	struct nm *nm = p->priv;

	if (nm)
		nm_free(p, nm);    /* needs the JS ring: spare buffers in it */
	nmp_ring_free(&p->rx);
	nmp_ring_free(&p->tx);
	nmp_mem_unref(p->rx_buf);
	nmp_mem_unref(p->tx_buf);
	p->rx_buf = p->tx_buf = NULL;
	p->priv = NULL;
}

/* ---- RX ---- */

static inline uint32_t kring_next(const struct nma_ring *r, uint32_t i)
{
	return i + 1 == r->num_slots ? 0 : i + 1;
}

/* Hand back the JS slots in [from, p->rx.head): spare buffers return to
 * the pool, slots held in place let their ring's head move. */
static void rx_release(struct nmp_port *p, struct nm *nm, uint32_t from)
{
	uint32_t i, k;

	for (i = from; i != p->rx.head; i = nmp_ring_next(&p->rx, i)) {
		struct nm_src *s = &nm->src[i];
		if (s->swapped) {
			if (nm->nspare < nm->nextra)
				nm->spare[nm->nspare++] = s->buf;
		} else {
			struct nm_rx *x = &nm->rx[s->ring];
			/* JS releases in order: this was the ring's oldest. */
			x->ring->head = kring_next(x->ring, s->slot);
			x->held--;
		}
	}
	for (k = 0; k < nm->nrx; k++) {
		struct nm_rx *x = &nm->rx[k];
		if (!x->held)
			x->ring->head = x->read;
		x->ring->cur = x->read;
	}
}

/* Move what the kernel published into the JS ring. */
static int rx_fill(struct nmp_port *p, struct nm *nm, struct nmp_err *err)
{
	struct timespec ts;
	uint32_t k, n;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (n = 0; n < nm->nrx; n++) {
		struct nm_rx *x;
		uint32_t tail;
		k = (nm->next_rx + n) % nm->nrx;
		x = &nm->rx[k];
		tail = __atomic_load_n(&x->ring->tail, __ATOMIC_ACQUIRE);
		if (tail >= x->ring->num_slots)
			return nmp_fail(err, "EIO", "%s: the kernel ring's tail "
					"%u is out of range", nm->label, tail);
		for (; x->read != tail; x->read = kring_next(x->ring, x->read)) {
			struct nma_slot *ks = &x->ring->slot[x->read];
			uint32_t idx = ks->buf_idx, len = ks->len, caplen, keep;
			int64_t off = buf_offset(nm, idx);
			int want = x->host ? nm->dir != NMP_DIR_IN
					   : nm->dir != NMP_DIR_OUT;
			uint32_t t = p->rx.tail;
			struct nmp_slot *sl;

			if (off < 0)
				continue;         /* never touch it */
			caplen = len < nm->buf_size ? len : nm->buf_size;
			keep = want ? nmp_filter_run(&nm->shim_filter,
						     nm->mem + off, len, caplen) : 0;
			if (!keep)
				continue;
			nm->recv++;
			if (nmp_ring_next(&p->rx, t) == p->rx.head) {
				nm->drop++;       /* the JS ring is full */
				continue;
			}
			if (caplen > p->snaplen)
				caplen = p->snaplen;
			sl = &p->rx.slot[t];
			sl->offset = (uint32_t)off;
			sl->caplen = caplen < keep ? caplen : keep;
			sl->len = len;
			sl->ts_sec = (uint32_t)ts.tv_sec;
			sl->ts_nsec = (uint32_t)ts.tv_nsec;
			sl->flags = x->host ? NMP_SLOT_OUTGOING : 0;
			nm->src[t].ring = k;
			nm->src[t].slot = x->read;
			nm->src[t].buf = idx;
			if (nm->nspare) {
				/* Keep the packet's buffer; the slot gets a spare. */
				ks->buf_idx = nm->spare[--nm->nspare];
				ks->flags |= NMA_NS_BUF_CHANGED;
				nm->src[t].swapped = 1;
			} else {
				nm->src[t].swapped = 0;
				if (!x->held++)
					x->ring->head = x->read;
			}
			p->rx.tail = nmp_ring_next(&p->rx, t);
		}
		if (!x->held)
			x->ring->head = x->read;
		x->ring->cur = x->read;
	}
	nm->next_rx = nm->nrx ? (nm->next_rx + 1) % nm->nrx : 0;
	return 0;
}

static int nm_rxsync(struct nmp_port *p, struct nmp_err *err)
{
	struct nm *nm = p->priv;
	uint32_t old = p->rx.head;

	if (nmp_ring_take_head(&p->rx, err) < 0)
		return -1;
	rx_release(p, nm, old);
	if (ioctl(nm->fd, NMA_NIOCRXSYNC, NULL) < 0)
		return nmp_fail(err, nmp_errno_code(errno), "%s: NIOCRXSYNC: %s",
				nm->label, strerror(errno));
	if (rx_fill(p, nm, err) < 0)
		return -1;
	nmp_ring_publish(&p->rx);
	return (int)nmp_ring_dist(&p->rx, p->rx.head, p->rx.tail);
}

/* ---- TX ---- */

/* Point JS's TX slots [from, to) at the buffers their kernel slots hold
 * now (netmap pipes swap buffers between the two ends). */
static void tx_refresh(struct nmp_port *p, struct nm *nm, uint32_t from,
		       uint32_t to)
{
	uint32_t i;

	for (i = from; i != to; i = nmp_ring_next(&p->tx, i)) {
		int64_t off = buf_offset(nm, nm->txr->slot[i].buf_idx);
		/* A bad index (only JS can have written it into the shared
		 * region) gets buffer 0's place; the kernel refuses it. */
		p->tx.slot[i].offset = off < 0 ? (uint32_t)nm->buf_base
					       : (uint32_t)off;
	}
}

static int nm_open_tx(struct nmp_port *p, struct nmp_err *err)
{
	struct nm *nm = p->priv;
	struct nma_ring *r = nm->txr;
	uint32_t head, tail;

	if (p->tx.hdr)
		return 0;
	if (nmp_ring_alloc(&p->tx, r->num_slots, nm->buf_size, NMP_RING_TX,
			   err) < 0)
		return -1;
	head = r->head;
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	if (head >= r->num_slots || tail >= r->num_slots) {
		nmp_ring_free(&p->tx);
		return nmp_fail(err, "EIO", "%s: bad TX ring indices", nm->label);
	}
	p->tx.head = head;
	p->tx.tail = tail;
	/* Every slot: from the slot after tail round to tail itself. */
	tx_refresh(p, nm, nmp_ring_next(&p->tx, tail), tail);
	tx_refresh(p, nm, tail, nmp_ring_next(&p->tx, tail));
	nmp_ring_reset(&p->tx);
	nmp_mem_ref(p->rx_buf);
	p->tx_buf = p->rx_buf;
	p->tx_max_len = nm->buf_size < 65535 ? nm->buf_size : 65535;
	return 0;
}

static int nm_txsync(struct nmp_port *p, struct nmp_err *err)
{
	struct nm *nm = p->priv;
	struct nma_ring *r;
	uint32_t old, i, tail, old_tail;
	int64_t moved;

	if (!p->tx.hdr && nm_open_tx(p, err) < 0)
		return -1;
	r = nm->txr;
	old = p->tx.head;
	moved = nmp_ring_take_head(&p->tx, err);
	if (moved < 0)
		return -1;
	if (nmp_ring_check_tx_lens(&p->tx, old, NMP_MIN_FRAME, p->tx_max_len,
				   nm->label, err) < 0)
		return -1;
	for (i = old; i != p->tx.head; i = nmp_ring_next(&p->tx, i)) {
		/* The frame is in the slot's own buffer (tx_refresh gave JS
		 * its offset); the kernel checks buf_idx itself. */
		r->slot[i].len = (uint16_t)p->tx.slot[i].len;
		r->slot[i].flags = 0;
	}
	old_tail = p->tx.tail;
	r->head = r->cur = p->tx.head;
	if (ioctl(nm->fd, NMA_NIOCTXSYNC, NULL) < 0)
		return nmp_fail(err, nmp_errno_code(errno), "%s: NIOCTXSYNC: %s",
				nm->label, strerror(errno));
	tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
	/* The kernel may only give slots back: tail moves forward, never
	 * past head. */
	if (tail >= r->num_slots ||
	    nmp_ring_dist(&p->tx, old_tail, tail) >
	    nmp_ring_dist(&p->tx, old_tail, p->tx.head == 0 ?
			  r->num_slots - 1 : p->tx.head - 1))
		return nmp_fail(err, "EIO", "%s: the kernel TX tail %u is out "
				"of range", nm->label, tail);
	p->tx.tail = tail;
	tx_refresh(p, nm, old_tail, tail);
	nmp_ring_publish(&p->tx);
	return (int)nmp_ring_dist(&p->tx, p->tx.head, p->tx.tail);
}

/* netmap's own wait: poll(2) for POLLOUT runs a txsync in the kernel. */
static int nm_tx_wait(struct nmp_port *p, uint32_t timeout_ms,
		      struct nmp_err *err)
{
	struct nm *nm = p->priv;
	if (!p->tx.hdr && nm_open_tx(p, err) < 0)
		return -1;
	return nmp_tx_wait_poll(p, timeout_ms, nm->fd, err);
}

/* ---- the rest of the contract ---- */

static int nm_poll_fd(struct nmp_port *p)
{
	return ((struct nm *)p->priv)->fd;
}

static int nm_stats(struct nmp_port *p, struct nmp_stats *st,
		    struct nmp_err *err)
{
	struct nm *nm = p->priv;

	(void)err;
	st->recv = nm->recv;
	st->drop = nm->drop;
	st->ifdrop = nmp_ifdrop_since(nm->ifname, nm->ifdrop_base);
	return 0;
}

static int nm_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			struct nmp_err *err)
{
	return nmp_filter_replace(&((struct nm *)p->priv)->shim_filter, prog, err);
}

static int nm_setdirection(struct nmp_port *p, enum nmp_direction dir,
			   struct nmp_err *err)
{
	(void)err;
	((struct nm *)p->priv)->dir = dir;
	return 0;
}

/* netmap: and valeX: ports differ only in their name and how they open. */
#define NM_OPS(backend, open_fn) {		\
	.name = backend,			\
	.open = open_fn,			\
	.open_tx = nm_open_tx,			\
	.rxsync = nm_rxsync,			\
	.txsync = nm_txsync,			\
	.tx_wait = nm_tx_wait,			\
	.poll_fd = nm_poll_fd,			\
	.stats = nm_stats,			\
	.setfilter = nm_setfilter,		\
	.setdirection = nm_setdirection,	\
	.close = nm_close,			\
}

const struct nmp_port_ops nmp_netmap_ops = NM_OPS("netmap", nm_open);
const struct nmp_port_ops nmp_vale_ops = NM_OPS("vale", vale_open);
