/*
 * The AF_PACKET backend: TPACKET_V3 receive rings, PACKET_TX_RING transmit.
 *
 * RX. The kernel fills fixed-size blocks in a ring it shares with us; a
 * block turns TP_STATUS_USER when it is full or its retire timeout (the
 * session timeout) expires. rxsync walks the user-owned blocks in order
 * and publishes one slot per packet, pointing into the block: nothing is
 * copied. A block goes back to the kernel only when JS has released (moved
 * head past) every slot that points into it. Everything read from the
 * shared blocks is bounds-checked before use, because JS can write there.
 *
 * TX. On the capture socket itself, from slot buffers in private memory,
 * set up on first use: JS writes a frame into a slot's buffer and its
 * length into the slot; txsync checks the lengths and hands every new
 * frame to the kernel with one sendmmsg(2) that does not wait. The kernel
 * copies each frame it takes, so its slot is free again at once; frames it
 * does not take yet (socket buffer or veth peer full) stay pending, in
 * order, for the next txsync. txsync never waits for room: tx_wait polls
 * the socket for POLLOUT.
 *
 * Why the capture socket and not a socket of its own (or PACKET_TX_RING):
 * the kernel gives every packet socket on the device a copy of each frame
 * sent, except the socket that sent it. Sent from a second socket, every
 * frame was also cloned into this session's own RX ring: a third less
 * rate on veth (0.62 against 0.94 Mpps, bench/RESULTS.md), and a capture
 * that saw its own injected frames, which libpcap's does not. sendmmsg
 * also beat PACKET_TX_RING on both machines measured (1.05 against 0.99
 * Mpps on AMD EPYC, 2.15 against 1.88 on Intel Xeon), and a frame veth
 * refuses (ENOBUFS) is sent again, where the TX ring (with PACKET_LOSS)
 * handed its slot back as if it had left.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <pcap/dlt.h>
#include "filter.h"
#include "netdev.h"
#include "port.h"
#include "tx_wait.h"

/* Blocks: at least 128 KiB (holds any GRO/GSO packet), at most 1 MiB, an
 * eighth of the buffer between. Bigger blocks mean fewer wake-ups: with
 * 60-byte frames, 1 MiB blocks cut the consumer's CPU per packet from ~47
 * to ~20 ns on veth (the wake-up, not the packet, was the cost). */
#define AFP_MIN_BLOCK (128u * 1024)
#define AFP_MAX_BLOCK (1024u * 1024)
/* TX slots: 1024 (sendmmsg's most per call, UIO_MAXIOV) of the MTU's
 * frame size, in at most 2 MiB; frames up to 64 KiB (veth's largest MTU). */
#define AFP_TX_BYTES (2u * 1024 * 1024)
#define AFP_TX_SLOTS 1024u
#define AFP_TX_MAX_FRAME 65536u
#define AFP_HDR_ROOM (TPACKET_ALIGN(sizeof(struct tpacket3_hdr)))
#define AFP_SLL_HDR_LEN 16                 /* DLT_LINUX_SLL header */
#define AFP_VLAN_TAG_LEN 4

struct afp {
	int fd;
	int ifindex;               /* 0 for "any" */
	int lo_ifindex;            /* outgoing copies here are duplicates */
	int cooked;                /* SOCK_DGRAM: we build the SLL header */
	char ifname[IFNAMSIZ];

	uint8_t *map;              /* the RX ring, block after block */
	uint32_t block_size;
	uint32_t block_nr;
	uint64_t *block_end;       /* per held block: abs slot after its last */
	uint32_t release_blk;      /* oldest block we hold */
	uint32_t held;             /* blocks we hold, from release_blk on */
	int parsing;               /* the newest held block has packets left */
	uint32_t parse_left;
	uint32_t parse_off;
	uint64_t abs_head;         /* slots JS released, ever */
	uint64_t abs_tail;         /* slots we published, ever */

	enum nmp_direction dir;
	struct bpf_program shim_filter;  /* cooked ports filter here */
	struct nmp_stats acc;            /* PACKET_STATISTICS resets on read */
	uint64_t ifdrop_base;

	uint8_t *tx_mem;           /* TX slot buffers (p->tx_buf) */
	uint32_t tx_stride;        /* bytes from one TX buffer to the next */
	uint32_t tx_pending;       /* first TX slot the kernel has not taken */
	struct mmsghdr *tx_msgs;   /* one per TX slot, iovec i each */
	struct iovec *tx_iov;
};

static const char *fix_privileges =
	"run as root, or grant the capability with "
	"`sudo setcap cap_net_raw,cap_net_admin+eip $(readlink -f $(which node))`";

/* Link type of an interface, and whether it needs cooked capture. */
static int link_type_of(int fd, const char *ifname, uint32_t *linktype,
			int *cooked, struct nmp_err *err)
{
	struct ifreq ifr;

	if (nmp_ioctl_ifreq(fd, SIOCGIFHWADDR, ifname, &ifr) < 0)
		return nmp_fail(err, nmp_errno_code(errno),
				"cannot read the hardware type of %s: %s",
				ifname, strerror(errno));
	switch (ifr.ifr_hwaddr.sa_family) {
	case ARPHRD_ETHER:
	case ARPHRD_LOOPBACK:     /* Linux gives lo an Ethernet header */
		*linktype = DLT_EN10MB;
		*cooked = 0;
		break;
	default:
		/* As libpcap does for link layers it has no DLT for. */
		*linktype = DLT_LINUX_SLL;
		*cooked = 1;
	}
	return 0;
}

static int check_device(int fd, struct afp *a, const char *dev,
			struct nmp_err *err)
{
	struct ifreq ifr;

	if (strlen(dev) == 0 || strlen(dev) >= IFNAMSIZ)
		return nmp_fail(err, "ENODEV",
				"bad device name \"%s\": a Linux interface "
				"name has 1 to %d characters; list them with "
				"findAllDevs() or `ip link`", dev, IFNAMSIZ - 1);
	a->ifindex = (int)if_nametoindex(dev);
	if (a->ifindex == 0)
		return nmp_fail(err, "ENODEV",
				"no such device \"%s\": list devices with "
				"findAllDevs() or `ip link`", dev);
	strcpy(a->ifname, dev);
	if (nmp_ioctl_ifreq(fd, SIOCGIFFLAGS, dev, &ifr) == 0 &&
	    !(ifr.ifr_flags & IFF_UP))
		return nmp_fail(err, "ENETDOWN",
				"interface %s is down: bring it up with "
				"`ip link set %s up`", dev, dev);
	return 0;
}

static int setup_rx_ring(struct afp *a, const struct nmp_open_args *args,
			 struct nmp_err *err)
{
	struct tpacket_req3 req;
	int version = TPACKET_V3;
	int reserve = AFP_VLAN_TAG_LEN;   /* room to put a stripped tag back */
	uint32_t block = AFP_MAX_BLOCK;
	uint64_t nr;

	while (block > AFP_MIN_BLOCK && (uint64_t)block * 8 > args->buffer_size)
		block >>= 1;
	nr = args->buffer_size / block;

	if (nr < 2)
		nr = 2;
	if (setsockopt(a->fd, SOL_PACKET, PACKET_VERSION, &version,
		       sizeof(version)) < 0)
		return nmp_fail(err, "ENOTSUP",
				"this kernel has no TPACKET_V3 rings: %s",
				strerror(errno));
	if (setsockopt(a->fd, SOL_PACKET, PACKET_RESERVE, &reserve,
		       sizeof(reserve)) < 0)
		return nmp_fail(err, nmp_errno_code(errno),
				"PACKET_RESERVE failed: %s", strerror(errno));
	memset(&req, 0, sizeof(req));
	req.tp_block_size = block;
	req.tp_block_nr = (unsigned)nr;
	req.tp_frame_size = TPACKET_ALIGNMENT << 7;  /* only a V3 formality */
	req.tp_frame_nr = (unsigned)(nr * (block / req.tp_frame_size));
	/* The kernel's timeout unit is ms; 0 would mean "its own default". */
	req.tp_retire_blk_tov = args->immediate ? 1 :
		(args->timeout_ms ? args->timeout_ms : 1);
	if (setsockopt(a->fd, SOL_PACKET, PACKET_RX_RING, &req,
		       sizeof(req)) < 0)
		return nmp_fail(err, nmp_errno_code(errno),
				"cannot create a %llu-byte receive ring: %s; "
				"try a smaller bufferSize",
				(unsigned long long)nr * block,
				strerror(errno));
	a->block_size = block;
	a->block_nr = (uint32_t)nr;
	a->map = mmap(NULL, (size_t)nr * block, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_LOCKED, a->fd, 0);
	if (a->map == MAP_FAILED)   /* MAP_LOCKED may exceed RLIMIT_MEMLOCK */
		a->map = mmap(NULL, (size_t)nr * block,
			      PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	if (a->map == MAP_FAILED) {
		a->map = NULL;
		return nmp_fail(err, "ENOMEM", "cannot map the receive ring: %s",
				strerror(errno));
	}
	a->block_end = calloc(nr, sizeof(*a->block_end));
	if (!a->block_end)
		return nmp_fail(err, "ENOMEM", "out of memory");
	return 0;
}

static int join_fanout(struct afp *a, const struct nmp_open_args *args,
		       struct nmp_err *err)
{
	int v;

	if (args->fanout_mode == NMP_FANOUT_NONE)
		return 0;
	v = (int)args->fanout_group | ((int)args->fanout_mode << 16);
	if (setsockopt(a->fd, SOL_PACKET, PACKET_FANOUT, &v, sizeof(v)) < 0)
		return nmp_fail(err, nmp_errno_code(errno),
				"cannot join fanout group %u: %s (every member "
				"of a group must use the same mode)",
				args->fanout_group, strerror(errno));
	return 0;
}

static int afp_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			 struct nmp_err *err);
static void ignore_outgoing(struct afp *a);

static int apply_filter_expr(struct nmp_port *p, const char *expr,
			     struct nmp_err *err)
{
	struct bpf_program prog;
	int rc;

	if (nmp_filter_compile(&prog, expr, (int)p->linktype, p->snaplen, 1,
			       PCAP_NETMASK_UNKNOWN, err) < 0)
		return -1;
	rc = afp_setfilter(p, &prog, err);
	nmp_filter_free(&prog);
	return rc;
}

static void afp_free(struct afp *a)
{
	if (a->fd >= 0)
		close(a->fd);
	free(a->tx_msgs);
	free(a->tx_iov);
	nmp_filter_free(&a->shim_filter);
	free(a->block_end);
	free(a);
}

static int afp_open(struct nmp_port *p, const struct nmp_open_args *args,
		    struct nmp_err *err)
{
	struct afp *a = calloc(1, sizeof(*a));
	struct sockaddr_ll sll;
	struct packet_mreq mr;
	int any = strcmp(args->device, "any") == 0;
	size_t map_len;

	if (args->queue >= 0) {  /* lib/ports.ts refuses IF-N before this */
		free(a);
		return nmp_fail(err, "ENOTSUP", "AF_PACKET cannot bind a socket "
				"to one queue (%s)", args->name);
	}
	if (!a)
		return nmp_fail(err, "ENOMEM", "out of memory");
	a->dir = args->direction;
	p->priv = a;
	p->snaplen = args->snaplen;
	a->lo_ifindex = (int)if_nametoindex("lo");
	/* Protocol 0: receive nothing until the ring and filter are ready. */
	a->fd = socket(AF_PACKET, (any ? SOCK_DGRAM : SOCK_RAW) | SOCK_CLOEXEC, 0);
	if (a->fd < 0) {
		if (errno == EPERM || errno == EACCES)
			nmp_fail(err, "EPERM", "capturing on %s needs "
				 "CAP_NET_RAW: %s", args->device, fix_privileges);
		else
			nmp_fail(err, nmp_errno_code(errno),
				 "cannot open a packet socket: %s",
				 strerror(errno));
		goto fail;
	}
	if (any) {
		a->cooked = 1;
		p->linktype = DLT_LINUX_SLL;
	} else {
		if (check_device(a->fd, a, args->device, err) < 0 ||
		    link_type_of(a->fd, args->device, &p->linktype,
				 &a->cooked, err) < 0)
			goto fail;
		if (a->cooked) {   /* re-open as SOCK_DGRAM */
			close(a->fd);
			a->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (a->fd < 0) {
				nmp_fail(err, nmp_errno_code(errno),
					 "cannot open a packet socket: %s",
					 strerror(errno));
				goto fail;
			}
		}
	}
	if (setup_rx_ring(a, args, err) < 0)
		goto fail;
	ignore_outgoing(a);
	if (args->promisc && a->ifindex) {
		/* A membership, not IFF_PROMISC: the kernel drops it when the
		 * socket closes, even if the process dies. */
		memset(&mr, 0, sizeof(mr));
		mr.mr_ifindex = a->ifindex;
		mr.mr_type = PACKET_MR_PROMISC;
		if (setsockopt(a->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr,
			       sizeof(mr)) < 0) {
			nmp_fail(err, nmp_errno_code(errno),
				 "cannot make %s promiscuous: %s",
				 args->device, strerror(errno));
			goto fail;
		}
	}
	/* The filter goes on before bind, so no unfiltered packet slips in. */
	if (args->filter && apply_filter_expr(p, args->filter, err) < 0)
		goto fail;
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = a->ifindex;
	if (bind(a->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		nmp_fail(err, nmp_errno_code(errno), "cannot bind to %s: %s",
			 args->device, strerror(errno));
		goto fail;
	}
	if (join_fanout(a, args, err) < 0)
		goto fail;
	if (nmp_ring_alloc(&p->rx, args->rx_slots, args->snaplen, NMP_RING_RX,
			   err) < 0)
		goto fail;
	/* The ring starts empty: JS owns nothing, tail == head. */
	map_len = (size_t)a->block_nr * a->block_size;
	p->rx_buf = nmp_mem_wrap(a->map, map_len, nmp_mem_munmap);
	a->map = p->rx_buf ? p->rx_buf->addr : NULL;
	if (!p->rx_buf) {
		nmp_ring_free(&p->rx);
		nmp_fail(err, "ENOMEM", "out of memory");
		goto fail;
	}
	a->ifdrop_base = nmp_read_ifdrop(a->ifname);
	return 0;
fail:
	p->priv = NULL;
	if (a->map)
		munmap(a->map, (size_t)a->block_nr * a->block_size);
	afp_free(a);
	return -1;
}

static struct tpacket_block_desc *block_at(struct afp *a, uint32_t b)
{
	return (struct tpacket_block_desc *)(a->map + (size_t)b * a->block_size);
}

/* Give back, oldest first, the blocks whose every slot JS has released. */
static void release_blocks(struct afp *a)
{
	while (a->held > 0) {
		if (a->held == 1 && a->parsing)
			break;   /* the oldest is still being read */
		if (a->block_end[a->release_blk] > a->abs_head)
			break;
		__atomic_store_n(&block_at(a, a->release_blk)->hdr.bh1.block_status,
				 TP_STATUS_KERNEL, __ATOMIC_RELEASE);
		a->release_blk = (a->release_blk + 1) % a->block_nr;
		a->held--;
	}
}

/* Start reading the next block if the kernel has handed it over. */
static int take_next_block(struct afp *a)
{
	uint32_t b = (a->release_blk + a->held) % a->block_nr;
	struct tpacket_block_desc *d = block_at(a, b);
	uint32_t status;

	/* Hold at most an eighth of the blocks (one at least), so the kernel
	 * keeps nearly the whole buffer to fill while JS works, whatever the
	 * packet sizes, as libpcap, which holds one block, does. */
	if (a->held >= (a->block_nr >= 16 ? a->block_nr / 8 : 1))
		return 0;
	status = __atomic_load_n(&d->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
	if (!(status & TP_STATUS_USER))
		return 0;
	a->held++;
	a->parse_left = d->hdr.bh1.num_pkts;
	a->parse_off = d->hdr.bh1.offset_to_first_pkt;
	a->parsing = a->parse_left > 0;
	if (!a->parsing)
		a->block_end[b] = a->abs_tail;
	return 1;
}

/* Put back the 802.1Q tag the kernel took out (as libpcap does), so
 * packets and `vlan` filters look the same as on the wire. */
static uint8_t *reinsert_vlan(const struct tpacket3_hdr *h, uint8_t *pkt,
			      uint32_t *caplen, uint32_t *len)
{
	uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) ?
			h->hv1.tp_vlan_tpid : ETH_P_8021Q;
	uint16_t tag[2] = { htons(tpid), htons(h->hv1.tp_vlan_tci) };

	if (*caplen < 2 * ETH_ALEN ||
	    h->tp_mac < AFP_HDR_ROOM + sizeof(struct sockaddr_ll) + AFP_VLAN_TAG_LEN)
		return pkt;
	memmove(pkt - AFP_VLAN_TAG_LEN, pkt, 2 * ETH_ALEN);
	pkt -= AFP_VLAN_TAG_LEN;
	memcpy(pkt + 2 * ETH_ALEN, tag, sizeof(tag));
	*caplen += AFP_VLAN_TAG_LEN;
	*len += AFP_VLAN_TAG_LEN;
	return pkt;
}

/* Build the DLT_LINUX_SLL header in the room before the network header. */
static uint8_t *add_cooked_header(const struct tpacket3_hdr *h,
				  const struct sockaddr_ll *sll, uint8_t *pkt,
				  uint32_t *caplen, uint32_t *len)
{
	uint16_t f[3];
	uint8_t addr[8] = { 0 };

	if (h->tp_mac < AFP_HDR_ROOM + sizeof(*sll) + AFP_SLL_HDR_LEN)
		return NULL;
	pkt -= AFP_SLL_HDR_LEN;
	f[0] = htons(sll->sll_pkttype);
	f[1] = htons(sll->sll_hatype);
	f[2] = htons(sll->sll_halen);
	memcpy(pkt, f, sizeof(f));
	memcpy(addr, sll->sll_addr, sll->sll_halen < 8 ? sll->sll_halen : 8);
	memcpy(pkt + 6, addr, 8);
	memcpy(pkt + 14, &sll->sll_protocol, 2);
	*caplen += AFP_SLL_HDR_LEN;
	*len += AFP_SLL_HDR_LEN;
	return pkt;
}

/* Should this packet reach JS? Direction, loopback duplicates. */
static int wanted(const struct afp *a, const struct sockaddr_ll *sll)
{
	int out = sll->sll_pkttype == PACKET_OUTGOING;

	if (out && sll->sll_ifindex == a->lo_ifindex)
		return 0;   /* lo delivers each packet out and in: keep one */
	if (a->dir == NMP_DIR_IN && out)
		return 0;
	if (a->dir == NMP_DIR_OUT && !out)
		return 0;
	return 1;
}

/* Read one packet of the block being parsed; publish it if wanted.
 * Returns 1 if a slot was filled. A corrupt block ends its parse. */
static int parse_one(struct nmp_port *p, struct afp *a)
{
	uint32_t b = (a->release_blk + a->held - 1) % a->block_nr;
	uint8_t *blk = (uint8_t *)block_at(a, b);
	struct tpacket3_hdr *h;
	struct sockaddr_ll *sll;
	uint32_t off = a->parse_off, caplen, len, keep;
	uint8_t *pkt;
	struct nmp_slot *s;
	int filled = 0;

	if (off < sizeof(struct tpacket_block_desc) ||
	    (uint64_t)off + AFP_HDR_ROOM + sizeof(*sll) > a->block_size)
		goto corrupt;
	h = (struct tpacket3_hdr *)(blk + off);
	if (h->tp_mac < AFP_HDR_ROOM + sizeof(*sll) ||
	    (uint64_t)off + h->tp_mac + h->tp_snaplen > a->block_size)
		goto corrupt;
	sll = (struct sockaddr_ll *)((uint8_t *)h + AFP_HDR_ROOM);
	pkt = (uint8_t *)h + h->tp_mac;
	caplen = h->tp_snaplen;
	len = h->tp_len;
	if (wanted(a, sll)) {
		int tagged = !a->cooked && (h->tp_status & TP_STATUS_VLAN_VALID);
		if (a->cooked)
			pkt = add_cooked_header(h, sll, pkt, &caplen, &len);
		else if (tagged)
			pkt = reinsert_vlan(h, pkt, &caplen, &len);
		/* Only what the kernel could not judge is filtered here. */
		keep = !pkt ? 0 : (a->cooked || tagged) ?
			nmp_filter_run(&a->shim_filter, pkt, len, caplen) : UINT32_MAX;
		if (keep) {
			s = &p->rx.slot[p->rx.tail];
			s->offset = (uint32_t)(pkt - a->map);
			s->caplen = caplen < p->snaplen ? caplen : p->snaplen;
			if (s->caplen > keep)
				s->caplen = keep;
			s->len = len;
			s->ts_sec = h->tp_sec;
			s->ts_nsec = h->tp_nsec;
			s->flags = sll->sll_pkttype == PACKET_OUTGOING ?
				   NMP_SLOT_OUTGOING : 0;
			p->rx.tail = nmp_ring_next(&p->rx, p->rx.tail);
			a->abs_tail++;
			filled = 1;
		}
	}
	if (--a->parse_left == 0)
		goto done;
	if (h->tp_next_offset < AFP_HDR_ROOM)
		goto corrupt;
	a->parse_off = off + h->tp_next_offset;
	/* The kernel wrote the next header on another CPU: start fetching it
	 * now (the bounds are checked when it is parsed). */
	if ((uint64_t)a->parse_off + AFP_HDR_ROOM <= a->block_size)
		__builtin_prefetch(blk + a->parse_off);
	return filled;
corrupt:
	/* Only JS scribbling on the ring gets here; drop the block's rest. */
	a->parse_left = 0;
done:
	a->parsing = 0;
	a->block_end[b] = a->abs_tail;
	return filled;
}

static int afp_rxsync(struct nmp_port *p, struct nmp_err *err)
{
	struct afp *a = p->priv;
	int64_t moved = nmp_ring_take_head(&p->rx, err);
	uint32_t room;

	if (moved < 0)
		return -1;
	a->abs_head += (uint64_t)moved;
	release_blocks(a);
	/* netmap keeps one slot empty so that head == tail means "none". */
	room = p->rx.num_slots - 1 - (uint32_t)(a->abs_tail - a->abs_head);
	while (room > 0) {
		if (!a->parsing && !take_next_block(a))
			break;
		if (a->parsing)
			room -= (uint32_t)parse_one(p, a);
	}
	nmp_ring_publish(&p->rx);
	/* Blocks that held only unwanted packets can go back at once. */
	release_blocks(a);
	return (int)(a->abs_tail - a->abs_head);
}

static int afp_open_tx(struct nmp_port *p, struct nmp_err *err)
{
	struct afp *a = p->priv;
	struct ifreq ifr;
	uint32_t max_len, stride, slots, i;
	size_t len;
	uint8_t *mem;

	if (p->tx.hdr)
		return 0;
	if (a->ifindex == 0 || a->cooked)
		return nmp_fail(err, "ENOTSUP", "cannot send on %s: injection "
				"needs a single Ethernet interface",
				a->ifindex ? a->ifname : "\"any\"");
	if (nmp_ioctl_ifreq(a->fd, SIOCGIFMTU, a->ifname, &ifr) < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot set up "
				"sending on %s: %s", a->ifname, strerror(errno));
	max_len = (uint32_t)ifr.ifr_mtu + ETH_HLEN;
	if (max_len > AFP_TX_MAX_FRAME)
		max_len = AFP_TX_MAX_FRAME;
	stride = (max_len + 63) & ~63u;
	slots = AFP_TX_BYTES / stride;
	if (slots > AFP_TX_SLOTS)
		slots = AFP_TX_SLOTS;
	if (slots < 16)
		slots = 16;
	len = (size_t)slots * stride;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return nmp_fail(err, nmp_errno_code(errno), "cannot set up "
				"sending on %s: %s", a->ifname, strerror(errno));
	free(a->tx_msgs);
	free(a->tx_iov);
	a->tx_msgs = calloc(slots, sizeof(*a->tx_msgs));
	a->tx_iov = calloc(slots, sizeof(*a->tx_iov));
	if (!a->tx_msgs || !a->tx_iov) {
		munmap(mem, len);
		return nmp_fail(err, "ENOMEM", "out of memory");
	}
	if (nmp_ring_alloc(&p->tx, slots, max_len, NMP_RING_TX, err) < 0) {
		munmap(mem, len);
		return -1;
	}
	p->tx_buf = nmp_mem_wrap(mem, len, nmp_mem_munmap);
	if (!p->tx_buf) {
		nmp_ring_free(&p->tx);
		return nmp_fail(err, "ENOMEM", "out of memory");
	}
	for (i = 0; i < slots; i++) {
		p->tx.slot[i].offset = i * stride;
		a->tx_msgs[i].msg_hdr.msg_iov = &a->tx_iov[i];
		a->tx_msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* netmap's TX start: JS owns every slot but one. */
	p->tx.head = 0;
	p->tx.tail = slots - 1;
	nmp_ring_reset(&p->tx);
	a->tx_mem = mem;
	a->tx_stride = stride;
	a->tx_pending = 0;
	p->tx_max_len = max_len;
	return 0;
}

/* A send that failed for good, or for now (a link down comes back). The
 * kernel sets the socket's ifindex to -1 when the interface goes away
 * (see afp_failure): that is ENODEV, whatever send() said. */
static int tx_error(struct afp *a, int e, struct nmp_err *err)
{
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);

	memset(&sll, 0, sizeof(sll));
	if ((e == ENXIO || e == ENODEV || e == ENETDOWN) &&
	    getsockname(a->fd, (struct sockaddr *)&sll, &len) == 0 &&
	    sll.sll_ifindex == -1)
		return nmp_fail(err, "ENODEV", "%s was deleted: sending has "
				"ended; open the port again once it exists",
				a->ifname);
	return nmp_fail(err, nmp_errno_code(e), "sending on %s failed: %s",
			a->ifname, strerror(e));
}

/*
 * Hand the kernel every pending frame, up to head, with sendmmsg(2) on
 * the capture socket, without waiting. Each frame the kernel takes is
 * copied into an skb, so its slot is free at once. What it does not take
 * (a full socket buffer: EAGAIN; veth's peer full: ENOBUFS, the frame
 * dropped there) stays pending for the next txsync: nothing is skipped.
 */
static int tx_push(struct nmp_port *p, struct afp *a, struct nmp_err *err)
{
	while (a->tx_pending != p->tx.head) {
		uint32_t i = a->tx_pending, n = 0;
		int sent;

		while (i != p->tx.head) {
			a->tx_iov[n].iov_base = a->tx_mem + (size_t)i * a->tx_stride;
			a->tx_iov[n].iov_len = p->tx.slot[i].len;
			n++;
			i = nmp_ring_next(&p->tx, i);
		}
		sent = sendmmsg(a->fd, a->tx_msgs, n, MSG_DONTWAIT);
		/* A link that went down left ENETDOWN pending on the socket,
		 * and the first send after it is back returns it (and clears
		 * it). A link still down says ENETDOWN again. */
		if (sent < 0 && errno == ENETDOWN)
			sent = sendmmsg(a->fd, a->tx_msgs, n, MSG_DONTWAIT);
		if (sent < 0) {
			if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
				return 0;
			return tx_error(a, errno, err);
		}
		a->tx_pending = (a->tx_pending + (uint32_t)sent) % p->tx.num_slots;
		if ((uint32_t)sent < n)
			return 0;   /* the kernel stopped early: later */
	}
	return 0;
}

static int afp_txsync(struct nmp_port *p, struct nmp_err *err)
{
	struct afp *a = p->priv;
	uint32_t old = p->tx.head, i;
	int64_t moved;
	int rc;

	if (!p->tx.hdr && afp_open_tx(p, err) < 0)
		return -1;
	moved = nmp_ring_take_head(&p->tx, err);
	if (moved < 0)
		return -1;
	/* Check every new slot before the kernel sees any of them. */
	if (nmp_ring_check_tx_lens(&p->tx, old, NMP_MIN_FRAME, p->tx_max_len,
				   a->ifname, err) < 0)
		return -1;
	/* The frame is in slot i's buffer, whatever JS did to its offset. */
	for (i = old; i != p->tx.head; i = nmp_ring_next(&p->tx, i))
		p->tx.slot[i].offset = i * a->tx_stride;
	/* One system call for the batch (and what the last one left). */
	rc = tx_push(p, a, err);
	/* Every slot before the first pending one is free again. */
	p->tx.tail = a->tx_pending == 0 ? p->tx.num_slots - 1 : a->tx_pending - 1;
	nmp_ring_publish(&p->tx);
	if (rc < 0)
		return -1;
	return (int)nmp_ring_dist(&p->tx, p->tx.head, p->tx.tail);
}

/* POLLOUT on the socket: room in its send buffer again. Frames veth
 * refused (ENOBUFS) are not in it: tx_wait then just sleeps between
 * tries (see tx_wait.h). */
static int afp_tx_wait(struct nmp_port *p, uint32_t timeout_ms,
		       struct nmp_err *err)
{
	struct afp *a = p->priv;

	if (!p->tx.hdr && afp_open_tx(p, err) < 0)
		return -1;
	return nmp_tx_wait_poll(p, timeout_ms, a->fd, err);
}

static int afp_poll_fd(struct nmp_port *p)
{
	return ((struct afp *)p->priv)->fd;
}

static int afp_stats(struct nmp_port *p, struct nmp_stats *st,
		     struct nmp_err *err)
{
	struct afp *a = p->priv;
	struct tpacket_stats_v3 k;
	socklen_t len = sizeof(k);

	/* The kernel zeroes its counters on every read: accumulate. */
	if (getsockopt(a->fd, SOL_PACKET, PACKET_STATISTICS, &k, &len) < 0)
		return nmp_fail(err, nmp_errno_code(errno),
				"cannot read packet statistics: %s",
				strerror(errno));
	a->acc.recv += k.tp_packets;   /* includes the dropped ones */
	a->acc.drop += k.tp_drops;
	a->acc.ifdrop = nmp_ifdrop_since(a->ifname, a->ifdrop_base);
	*st = a->acc;
	return 0;
}

/*
 * The kernel runs filters on packets whose 802.1Q tag it has taken out
 * (VLAN offload), so libpcap's program, written for the bytes on the wire,
 * would judge them wrongly. The kernel program therefore accepts every
 * packet that had a tag, and the shim runs the real program on those once
 * the tag is back in place. Untagged packets are filtered in the kernel.
 */
static int kernel_program(const struct bpf_program *prog, uint32_t snaplen,
			  struct sock_fprog *out)
{
	struct sock_filter prefix[] = {
		/* A = 1 if the kernel holds a VLAN tag for this packet */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT),
		/* no tag: on to libpcap's program (skip one); tag: accept */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, snaplen),
	};
	size_t n = sizeof(prefix) / sizeof(prefix[0]);
	struct sock_filter *f;

	if (prog->bf_len + n > BPF_MAXINSNS)
		return -1;
	f = malloc((prog->bf_len + n) * sizeof(*f));
	if (!f)
		return -1;
	memcpy(f, prefix, sizeof(prefix));
	/* struct bpf_insn and struct sock_filter have the same layout, and
	 * BPF jumps are relative, so the program runs unchanged after us. */
	memcpy(f + n, prog->bf_insns, prog->bf_len * sizeof(*f));
	out->len = (unsigned short)(prog->bf_len + n);
	out->filter = f;
	return 0;
}

static int afp_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			 struct nmp_err *err)
{
	struct afp *a = p->priv;
	struct bpf_program copy = { 0, NULL };
	struct sock_fprog fprog;
	int rc;

	/* The shim's copy: every packet of a cooked port (a kernel filter
	 * would see them without the cooked header the program expects),
	 * tagged packets of the others. */
	if (prog && nmp_filter_copy(&copy, prog, err) < 0)
		return -1;
	if (a->cooked) {
		nmp_filter_free(&a->shim_filter);
		a->shim_filter = copy;
		return 0;
	}
	if (!prog) {
		if (setsockopt(a->fd, SOL_SOCKET, SO_DETACH_FILTER, NULL, 0) < 0 &&
		    errno != ENOENT)
			return nmp_fail(err, nmp_errno_code(errno),
					"cannot remove the filter: %s",
					strerror(errno));
		nmp_filter_free(&a->shim_filter);
		return 0;
	}
	if (kernel_program(prog, p->snaplen, &fprog) < 0) {
		nmp_filter_free(&copy);
		return nmp_fail(err, "EFILTER", "the filter is too long for the "
				"kernel (%u instructions)", prog->bf_len);
	}
	rc = setsockopt(a->fd, SOL_SOCKET, SO_ATTACH_FILTER, &fprog,
			sizeof(fprog));
	free(fprog.filter);
	if (rc < 0) {
		nmp_filter_free(&copy);
		return nmp_fail(err, errno == ENOMEM ? "ENOMEM" : "EFILTER",
				"the kernel refused the filter: %s%s",
				strerror(errno), errno == ENOMEM ?
				" (raise /proc/sys/net/core/optmem_max)" : "");
	}
	nmp_filter_free(&a->shim_filter);
	a->shim_filter = copy;
	return 0;
}

/* 'in' only: the kernel need not copy outgoing packets into the ring at
 * all (Linux 4.20+); older kernels leave it to wanted(). */
static void ignore_outgoing(struct afp *a)
{
	int on = a->dir == NMP_DIR_IN;

	setsockopt(a->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &on, sizeof(on));
}

static int afp_setdirection(struct nmp_port *p, enum nmp_direction dir,
			    struct nmp_err *err)
{
	struct afp *a = p->priv;

	(void)err;
	a->dir = dir;
	ignore_outgoing(a);
	return 0;
}

static void afp_close(struct nmp_port *p)
{
	struct afp *a = p->priv;

	nmp_ring_free(&p->rx);
	nmp_ring_free(&p->tx);
	nmp_mem_unref(p->rx_buf);
	nmp_mem_unref(p->tx_buf);
	p->rx_buf = p->tx_buf = NULL;
	if (a)
		afp_free(a);
	p->priv = NULL;
}

/*
 * What stopped the port: the socket's pending error, as for any socket,
 * except one case. The kernel reports a deleted interface as ENETDOWN, as
 * it does a link set down, but on unregister it also sets the socket's
 * ifindex to -1 (af_packet.c, packet_notifier), which getsockname() shows.
 * Such a socket never captures again, even if an interface of that name
 * comes back, so that is ENODEV (fatal), not ENETDOWN (recoverable).
 */
static int afp_failure(struct nmp_port *p, struct nmp_err *err)
{
	struct afp *a = p->priv;
	struct sockaddr_ll sll;
	socklen_t len = sizeof(sll);

	if (!nmp_socket_failure(p, err))
		return 0;
	memset(&sll, 0, sizeof(sll));
	if (a && strcmp(err->code, "ENETDOWN") == 0 &&
	    getsockname(a->fd, (struct sockaddr *)&sll, &len) == 0 &&
	    sll.sll_ifindex == -1)
		nmp_fail(err, "ENODEV", "%s was deleted: the capture has ended; "
			 "open the port again once it exists", a->ifname);
	return 1;
}

const struct nmp_port_ops nmp_afpacket_ops = {
	.name = "afpacket",
	.open = afp_open,
	.open_tx = afp_open_tx,
	.rxsync = afp_rxsync,
	.txsync = afp_txsync,
	.tx_wait = afp_tx_wait,
	.poll_fd = afp_poll_fd,
	.stats = afp_stats,
	.setfilter = afp_setfilter,
	.setdirection = afp_setdirection,
	.failure = afp_failure,
	.close = afp_close,
};
