/*
 * gen — a raw-Ethernet AF_PACKET frame generator for the benchmarks.
 *
 * Build (no Makefile, no dependencies beyond libc):
 *     mkdir -p bench/out && gcc -O2 -Wall -o bench/out/gen bench/gen.c
 *
 * Usage:
 *     gen -i IF [-n COUNT] [-s SIZE|imix] [-p raw|udp] [-b BATCH]
 *         [-m txring|sendmmsg|send] [-d SECONDS] [-w BYTES] [--bypass]
 * Example (inside the bench netns, see bench/netns.sh):
 *     ip netns exec nmpgen-1 bench/out/gen -i nmp0 -n 2000000 -m txring
 *
 * It measures the transmit paths Linux offers a packet socket:
 *   txring    PACKET_TX_RING: frames are written into a ring shared with
 *             the kernel and flagged TP_STATUS_SEND_REQUEST; one
 *             send(fd, NULL, 0, 0) per batch transmits every flagged frame.
 *   sendmmsg  one sendmmsg() per batch, one message (one copy) per frame.
 *   send      one send() per frame (libpcap's pcap_inject).
 *
 * Frames: dst 02:00:00:00:00:02, src 02:00:00:00:00:01 (locally
 * administered), then
 *   -p raw    ethertype 0x88b5 (IEEE local experimental) and a 32-bit
 *             big-endian sequence number at offset 14 (the default);
 *   -p udp    IPv4/UDP: 198.18.0.1:1024 -> 198.19.0.1:9 (both in the
 *             benchmarking block 198.18.0.0/15, RFC 2544), TTL 64, a valid
 *             header checksum, UDP checksum 0 (none), the sequence number
 *             at offset 42 (the first payload bytes),
 * so a receiver can check order (and decoders have real headers to read).
 * The rest of each frame is the byte pattern i & 0xff.
 * Sizes: -s N, every frame N bytes; -s imix, the "simple IMIX" of 60, 590
 * and 1514-byte frames in 7:4:1 (64/594/1518 with the FCS, the offline
 * bench's mix), sent in a fixed interleaved cycle of 12 (IMIX_CYCLE).
 *
 * Output: one JSON line on stdout,
 *   {"mode":..,"sent":N,"seconds":S,"pps":P,"cpu_ns_per_pkt":X,...}
 * where CPU is user+sys of this process (getrusage) over the send loop only.
 * Diagnostics go to stderr.
 *
 * Every loop is bounded both in frames (COUNT) and in time (-d, default
 * 10 s); a blocked send is bounded by SO_SNDTIMEO.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define ETHERTYPE_LOCAL_EXP 0x88b5
#define MIN_FRAME 60   /* Ethernet minimum without FCS */
#define MAX_FRAME 1514 /* 1500-byte MTU + 14-byte header */
#define SEQ_OFF 14
#define UDP_HDRS 42 /* Ethernet 14 + IPv4 20 + UDP 8 */
#define UDP_SEQ_OFF UDP_HDRS

/* Frame k of an IMIX run is IMIX_SIZE[IMIX_CYCLE[k % 12]] bytes: 7 x 60,
 * 4 x 590, 1 x 1514, spread over the cycle rather than in runs of one size. */
static const unsigned IMIX_SIZE[3] = { 60, 590, 1514 };
static const uint8_t IMIX_CYCLE[12] = { 0, 0, 1, 0, 0, 1, 0, 2, 0, 1, 0, 1 };
#define IMIX_MAX 1514
/* -p udp -s imix: each size's IPv4 and UDP headers (bytes 14..41). */
static uint8_t imix_headers[3][UDP_HDRS - 14];

static const uint8_t dst_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t src_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

enum { MODE_TXRING, MODE_SENDMMSG, MODE_SEND };
static const char *const mode_names[] = { "txring", "sendmmsg", "send" };

struct opts {
	const char *ifname;
	unsigned long count;
	unsigned size, batch;
	double seconds;
	int bypass;
	int mode;   /* MODE_TXRING, MODE_SENDMMSG, MODE_SEND */
	int sndbuf; /* SO_SNDBUF bytes, 0 = kernel default */
	int imix;   /* -s imix: sizes from IMIX_CYCLE; `size` is then the largest */
	int udp;    /* -p udp: IPv4/UDP frames instead of ethertype 0x88b5 */
};

struct result {
	unsigned long sent;
	unsigned long retries; /* sends that failed with ENOBUFS and were retried */
	int tpacket_version;   /* txring only */
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: gen -i IF [-n COUNT] [-s SIZE|imix] [-p raw|udp] [-b BATCH]\n"
		"           [-m txring|sendmmsg|send] [-d SECONDS] [-w BYTES] [--bypass]\n"
		"  -i IF       interface to send on (required)\n"
		"  -n COUNT    frames to send (default 1000000)\n"
		"  -s SIZE     frame size without FCS, %d..%d (default 60), or imix:\n"
		"              60, 590 and 1514 bytes in 7:4:1\n"
		"  -p KIND     raw (ethertype 0x88b5, the default) or udp (IPv4/UDP,\n"
		"              198.18.0.1:1024 -> 198.19.0.1:9)\n"
		"  -b BATCH    frames per system call (default 256)\n"
		"  -m MODE     txring (PACKET_TX_RING), sendmmsg, or send (one send()\n"
		"              per frame, as pcap_inject) (default txring)\n"
		"  -d SECONDS  stop after this long even if COUNT is not reached (default 10)\n"
		"  -w BYTES    SO_SNDBUF (sendmmsg: caps frames in flight; default: kernel's)\n"
		"  --bypass    PACKET_QDISC_BYPASS: hand frames straight to the driver\n"
		"example: gen -i nmp0 -n 2000000 -s 60 -m sendmmsg --bypass\n",
		MIN_FRAME, MAX_FRAME);
}

static void die(const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static inline uint32_t seq_off(const struct opts *o)
{
	return o->udp ? UDP_SEQ_OFF : SEQ_OFF;
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The IPv4 and UDP headers of a `len`-byte frame, written at `ip`
 * (offset 14 of the frame). */
static void ipv4_udp_headers(uint8_t *ip, unsigned len)
{
	static const uint8_t src_ip[4] = { 198, 18, 0, 1 }, dst_ip[4] = { 198, 19, 0, 1 };
	uint8_t *udp = ip + 20;
	memset(ip, 0, 28);
	ip[0] = 0x45;          /* IPv4, 20-byte header */
	put16(ip + 2, len - 14);
	put16(ip + 6, 0x4000); /* don't fragment */
	ip[8] = 64;
	ip[9] = 17;            /* UDP */
	memcpy(ip + 12, src_ip, 4);
	memcpy(ip + 16, dst_ip, 4);
	uint32_t sum = 0;
	for (int i = 0; i < 20; i += 2)
		sum += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(ip + 10, ~sum & 0xffff);
	put16(udp, 1024);
	put16(udp + 2, 9);     /* discard */
	put16(udp + 4, len - 34);
}

/* Header and a fixed payload pattern over `o->size` bytes (with -s imix,
 * the largest frame). Written once per buffer at setup: per frame only the
 * sequence number changes (and, for IMIX IPv4/UDP, the headers of that
 * frame's size), which is what a real generator pays, so every mode does
 * the same per-frame work. */
static void frame_template(uint8_t *p, const struct opts *o)
{
	memcpy(p, dst_mac, 6);
	memcpy(p + 6, src_mac, 6);
	unsigned type = o->udp ? 0x0800 : ETHERTYPE_LOCAL_EXP;
	p[12] = type >> 8;
	p[13] = type & 0xff;
	for (unsigned i = SEQ_OFF; i < o->size; i++)
		p[i] = (uint8_t)i;
	if (o->udp)
		ipv4_udp_headers(p + 14, o->size);
}

/* Make frame number `seq` in `p` (a template buffer): its sequence number
 * and, for IPv4/UDP IMIX, its size's headers. Returns its length. */
static inline unsigned put_frame(uint8_t *p, const struct opts *o, uint32_t seq)
{
	unsigned len = o->size;
	if (o->imix) {
		unsigned c = IMIX_CYCLE[seq % 12];
		len = IMIX_SIZE[c];
		if (o->udp)
			memcpy(p + 14, imix_headers[c], sizeof imix_headers[c]);
	}
	uint32_t be = htonl(seq);
	memcpy(p + seq_off(o), &be, 4);
	return len;
}

/* A packet socket bound to one interface. Protocol 0: the socket receives
 * nothing, so no receive work is charged to the generator. */
static int open_socket(const struct opts *o)
{
	int fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		die("socket(AF_PACKET) (needs CAP_NET_RAW: run as root)");

	unsigned ifindex = if_nametoindex(o->ifname);
	if (!ifindex) {
		fprintf(stderr, "gen: no interface named %s\n", o->ifname);
		exit(1);
	}
	/* Frames longer than MTU + header are refused by the kernel (EMSGSIZE);
	 * say so up front instead of failing in the loop. */
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", o->ifname);
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0 && o->size > (unsigned)ifr.ifr_mtu + 14) {
		fprintf(stderr, "gen: -s %u exceeds %s's MTU %d + 14\n", o->size,
			o->ifname, ifr.ifr_mtu);
		exit(1);
	}

	struct sockaddr_ll sll;
	memset(&sll, 0, sizeof sll);
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0)
		die("bind");

	if (o->bypass) {
		int one = 1;
		if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) < 0)
			die("PACKET_QDISC_BYPASS");
	}
	/* sendmmsg copies each frame into an skb charged to the socket until
	 * the receiver frees it; SO_SNDBUF is thus the only cap on frames in
	 * flight. A virtual device with a small receive ring (veth: 256)
	 * drops what does not fit, so a smaller buffer turns drops into
	 * blocking. (A TX ring needs none of this: its blocking send waits
	 * until every frame is released.) */
	if (o->sndbuf && setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &o->sndbuf,
				    sizeof o->sndbuf) < 0)
		die("SO_SNDBUFFORCE");
	/* A blocking send waits for the driver; never forever. */
	struct timeval tv = { .tv_sec = 1 };
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0)
		die("SO_SNDTIMEO");
	return fd;
}

/* ---- sendmmsg ---------------------------------------------------------- */

static void run_sendmmsg(int fd, const struct opts *o, double deadline,
			 struct result *r)
{
	unsigned b = o->batch;
	uint8_t *bufs = malloc((size_t)b * o->size);
	struct mmsghdr *msgs = calloc(b, sizeof *msgs);
	struct iovec *iov = calloc(b, sizeof *iov);
	if (!bufs || !msgs || !iov)
		die("malloc");
	/* One buffer per message: each frame of a batch carries its own
	 * sequence number. msg_name stays NULL: the socket is bound. */
	for (unsigned i = 0; i < b; i++) {
		frame_template(bufs + (size_t)i * o->size, o);
		iov[i].iov_base = bufs + (size_t)i * o->size;
		iov[i].iov_len = o->size;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	while (r->sent < o->count && !stop && now_s() < deadline) {
		unsigned n = b;
		if (o->count - r->sent < n)
			n = o->count - r->sent;
		for (unsigned i = 0; i < n; i++)
			iov[i].iov_len = put_frame(bufs + (size_t)i * o->size, o, (uint32_t)(r->sent + i));
		int k = sendmmsg(fd, msgs, n, 0);
		if (k < 0) {
			/* Device or qdisc full: retry the same sequence numbers,
			 * so a receiver still sees them in order. */
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				r->retries++;
				continue;
			}
			die("sendmmsg");
		}
		/* A partial send leaves the rest for the next round, which
		 * rewrites them from the first buffer on. */
		r->sent += k;
	}
	free(iov);
	free(msgs);
	free(bufs);
}

/* ---- send(), one frame per call --------------------------------------- */

/* What libpcap's pcap_inject does per frame: one send() on a bound socket.
 * The frames cycle through BATCH buffers as sendmmsg's do, so both pay the
 * same per-frame writes. */
static void run_send(int fd, const struct opts *o, double deadline,
		     struct result *r)
{
	unsigned b = o->batch;
	uint8_t *bufs = malloc((size_t)b * o->size);
	if (!bufs)
		die("malloc");
	for (unsigned i = 0; i < b; i++)
		frame_template(bufs + (size_t)i * o->size, o);
	while (r->sent < o->count && !stop) {
		uint8_t *f = bufs + (size_t)(r->sent % b) * o->size;
		unsigned len = put_frame(f, o, (uint32_t)r->sent);
		if (send(fd, f, len, 0) < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				r->retries++;
				continue;
			}
			die("send");
		}
		/* The clock once per 256 frames: a clock read costs ~20 ns. */
		if ((++r->sent & 255) == 0 && now_s() >= deadline)
			break;
	}
	free(bufs);
}

/* ---- PACKET_TX_RING ---------------------------------------------------- */

struct txring {
	uint8_t *map;
	size_t map_len;
	unsigned frame_size, frame_nr;
	unsigned data_off; /* where the kernel reads frame bytes in a slot */
	int version;
};

static unsigned pow2_at_least(unsigned x)
{
	unsigned p = 1;
	while (p < x)
		p <<= 1;
	return p;
}

/* Ring of 2*BATCH slots. Slot size is a power of two so slots never
 * straddle a block and slot i simply sits at i * frame_size. */
static int setup_txring(int fd, const struct opts *o, int version,
			struct txring *t)
{
	/* Without PACKET_TX_HAS_OFF the kernel takes frame data right after
	 * the aligned header, i.e. at TPACKET_ALIGN(sizeof(header)):
	 * 32 bytes for V2, 48 for V3. */
	unsigned hdr = version == TPACKET_V3 ? TPACKET_ALIGN(sizeof(struct tpacket3_hdr))
					     : TPACKET_ALIGN(sizeof(struct tpacket2_hdr));
	long page = sysconf(_SC_PAGESIZE);
	unsigned fsz = pow2_at_least(hdr + o->size);
	unsigned bsz = fsz > (unsigned)page ? fsz : (unsigned)page;
	unsigned per_block = bsz / fsz;
	unsigned frames = 2 * o->batch;
	unsigned blocks = (frames + per_block - 1) / per_block;

	int v = version;
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof v) < 0)
		return -1;

	/* tpacket_req3 starts with the same four fields as tpacket_req; for a
	 * V3 *TX* ring the kernel demands the three V3-only fields be zero
	 * (block retire timer, private area, feature word are RX-only). */
	struct tpacket_req3 req;
	memset(&req, 0, sizeof req);
	req.tp_block_size = bsz;
	req.tp_block_nr = blocks;
	req.tp_frame_size = fsz;
	req.tp_frame_nr = blocks * per_block;
	socklen_t len = version == TPACKET_V3 ? sizeof(struct tpacket_req3)
					      : sizeof(struct tpacket_req);
	if (setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, len) < 0)
		return -1;

	t->map_len = (size_t)bsz * blocks;
	t->map = mmap(NULL, t->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (t->map == MAP_FAILED)
		die("mmap TX ring");
	t->frame_size = fsz;
	t->frame_nr = req.tp_frame_nr;
	t->data_off = hdr;
	t->version = version;
	for (unsigned i = 0; i < t->frame_nr; i++)
		frame_template(t->map + (size_t)i * fsz + hdr, o);
	return 0;
}

/* The status word is not at the same offset in both layouts (V3 puts
 * tp_next_offset first), so go through the right struct. */
static inline volatile uint32_t *slot_status(struct txring *t, unsigned i)
{
	uint8_t *s = t->map + (size_t)i * t->frame_size;
	if (t->version == TPACKET_V3)
		return &((struct tpacket3_hdr *)s)->tp_status;
	return &((struct tpacket2_hdr *)s)->tp_status;
}

static inline void slot_len(struct txring *t, unsigned i, unsigned len)
{
	uint8_t *s = t->map + (size_t)i * t->frame_size;
	if (t->version == TPACKET_V3) {
		struct tpacket3_hdr *h = (struct tpacket3_hdr *)s;
		h->tp_len = len;
		h->tp_snaplen = len;
		h->tp_next_offset = 0; /* V3 TX refuses variable-sized slots */
	} else {
		struct tpacket2_hdr *h = (struct tpacket2_hdr *)s;
		h->tp_len = len;
		h->tp_snaplen = len;
	}
}

/* Kick the kernel: transmit every slot flagged SEND_REQUEST. Blocking, so
 * it returns once the driver has released them (bounded by SO_SNDTIMEO). */
static void kick(int fd, struct result *r)
{
	if (send(fd, NULL, 0, 0) < 0) {
		/* ENOBUFS: the driver dropped one; the kernel leaves it and
		 * the rest flagged, so the next kick retries them in order. */
		if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR ||
		    errno == ETIMEDOUT) {
			r->retries++;
			return;
		}
		die("send (TX ring)");
	}
}

static void run_txring(int fd, const struct opts *o, double deadline,
		       struct result *r)
{
	struct txring t;
	memset(&t, 0, sizeof t);
	/* V3 TX rings exist since Linux 4.11; fall back to V2 before that. */
	if (setup_txring(fd, o, TPACKET_V3, &t) < 0) {
		fprintf(stderr, "gen: TPACKET_V3 TX ring refused (%s), using TPACKET_V2\n",
			strerror(errno));
		/* The version cannot change once a ring exists; here none does. */
		if (setup_txring(fd, o, TPACKET_V2, &t) < 0)
			die("PACKET_TX_RING (TPACKET_V2)");
	}
	r->tpacket_version = t.version == TPACKET_V3 ? 3 : 2;

	unsigned long queued = 0;
	unsigned head = 0;
	while (queued < o->count && !stop && now_s() < deadline) {
		unsigned n = o->batch;
		if (o->count - queued < n)
			n = o->count - queued;
		unsigned filled = 0;
		while (filled < n) {
			volatile uint32_t *st = slot_status(&t, head);
			uint32_t s = __atomic_load_n(st, __ATOMIC_ACQUIRE);
			if (s & TP_STATUS_WRONG_FORMAT) {
				fprintf(stderr, "gen: kernel refused a frame (TP_STATUS_WRONG_FORMAT)\n");
				exit(1);
			}
			if (s != TP_STATUS_AVAILABLE) {
				/* Still owned by the kernel (a retried or in-flight
				 * frame): push what we have and re-check. */
				kick(fd, r);
				if (stop || now_s() >= deadline)
					break;
				continue;
			}
			uint8_t *data = t.map + (size_t)head * t.frame_size + t.data_off;
			slot_len(&t, head, put_frame(data, o, (uint32_t)queued));
			/* Release: the frame bytes must be visible before the
			 * kernel can see the slot as ours-to-send. */
			__atomic_store_n(st, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
			head = (head + 1) % t.frame_nr;
			queued++;
			filled++;
		}
		kick(fd, r);
	}

	/* Drain: frames left flagged after a failed kick get a bounded number
	 * of further tries. Whatever still is not back is not counted. */
	double drain_end = now_s() + 1.0;
	unsigned long pending;
	for (;;) {
		pending = 0;
		for (unsigned i = 0; i < t.frame_nr; i++)
			if (__atomic_load_n(slot_status(&t, i), __ATOMIC_ACQUIRE) !=
			    TP_STATUS_AVAILABLE)
				pending++;
		if (!pending || now_s() >= drain_end)
			break;
		kick(fd, r);
	}
	r->sent = queued - pending;
	munmap(t.map, t.map_len);
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1000000, .size = 60, .batch = 256,
			  .seconds = 10, .mode = MODE_TXRING };
	static const struct option longopts[] = {
		{ "bypass", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "i:n:s:p:b:m:d:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'i': o.ifname = optarg; break;
		case 'n': o.count = strtoul(optarg, NULL, 10); break;
		case 's':
			o.imix = !strcmp(optarg, "imix");
			o.size = o.imix ? IMIX_MAX : strtoul(optarg, NULL, 10);
			break;
		case 'p':
			if (!strcmp(optarg, "raw")) o.udp = 0;
			else if (!strcmp(optarg, "udp")) o.udp = 1;
			else { fprintf(stderr, "gen: -p must be raw or udp\n"); return 2; }
			break;
		case 'b': o.batch = strtoul(optarg, NULL, 10); break;
		case 'd': o.seconds = strtod(optarg, NULL); break;
		case 'w': o.sndbuf = atoi(optarg); break;
		case 'B': o.bypass = 1; break;
		case 'm':
			if (!strcmp(optarg, "txring")) o.mode = MODE_TXRING;
			else if (!strcmp(optarg, "sendmmsg")) o.mode = MODE_SENDMMSG;
			else if (!strcmp(optarg, "send")) o.mode = MODE_SEND;
			else { fprintf(stderr, "gen: -m must be txring, sendmmsg or send\n"); return 2; }
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* Check everything up front, before touching the network. */
	if (!o.ifname) { fprintf(stderr, "gen: -i IF is required\n"); usage(stderr); return 2; }
	if (o.size < MIN_FRAME || o.size > MAX_FRAME) {
		fprintf(stderr, "gen: -s must be %d..%d or imix\n", MIN_FRAME, MAX_FRAME); return 2;
	}
	for (int i = 0; i < 3; i++)
		ipv4_udp_headers(imix_headers[i], IMIX_SIZE[i]);
	if (o.batch < 1 || o.batch > 65536) { fprintf(stderr, "gen: -b must be 1..65536\n"); return 2; }
	if (o.count < 1 || o.count > 0xffffffffUL) {
		fprintf(stderr, "gen: -n must be 1..4294967295 (32-bit sequence)\n"); return 2;
	}
	if (o.sndbuf < 0) { fprintf(stderr, "gen: -w must be >= 0\n"); return 2; }
	if (!(o.seconds > 0 && o.seconds <= 3600)) { fprintf(stderr, "gen: -d must be in (0, 3600]\n"); return 2; }

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal; /* no SA_RESTART: a blocked send returns EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	int fd = open_socket(&o);
	struct result r = { 0 };

	/* Time and CPU cover the send loop only, not socket or ring setup. */
	double cpu0 = cpu_s(), t0 = now_s();
	if (o.mode == MODE_TXRING)
		run_txring(fd, &o, t0 + o.seconds, &r);
	else if (o.mode == MODE_SENDMMSG)
		run_sendmmsg(fd, &o, t0 + o.seconds, &r);
	else
		run_send(fd, &o, t0 + o.seconds, &r);
	double secs = now_s() - t0, cpu = cpu_s() - cpu0;
	close(fd);

	if (r.retries)
		fprintf(stderr, "gen: %lu sends hit ENOBUFS/timeout and were retried\n", r.retries);
	if (r.sent < o.count)
		fprintf(stderr, "gen: sent %lu of %lu (time cap or signal)\n", r.sent, o.count);

	char size_json[16] = "\"imix\"";
	if (!o.imix)
		snprintf(size_json, sizeof size_json, "%u", o.size);
	printf("{\"mode\":\"%s\",\"sent\":%lu,\"seconds\":%.6f,\"pps\":%.0f,"
	       "\"cpu_ns_per_pkt\":%.1f,\"size\":%s,\"frames\":\"%s\",\"batch\":%u,\"bypass\":%s,"
	       "\"tpacket\":%d,\"retries\":%lu}\n",
	       mode_names[o.mode], r.sent, secs,
	       secs > 0 ? r.sent / secs : 0.0,
	       r.sent ? cpu * 1e9 / r.sent : 0.0, size_json, o.udp ? "udp" : "raw", o.batch,
	       o.bypass ? "true" : "false", r.tpacket_version, r.retries);
	return 0;
}
