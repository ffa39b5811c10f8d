/*
 * Gathering AF_XDP packets into batches before waking the reader.
 *
 * An XDP socket is readable as soon as one packet is on its RX ring, so a
 * reader woken by poll(2) gets a handful of packets per wake-up, and the
 * wake-up (the sleep, the system calls, a turn of the event loop) costs
 * far more than the packets: on veth, ~70 packets per wake-up made capture
 * cost 3.5 times the plain port's CPU per packet. A packet socket's
 * TPACKET_V3 ring wakes its reader only when a block is full or its
 * timeout ends; the kernel offers no such threshold for XDP sockets, so it
 * is made here with a timer:
 *
 * - Idle, the reader sleeps on the socket: the first packet wakes it.
 * - Packets then gather: rxsync delivers nothing, the socket leaves the
 *   poll set and a timer (the "hold") joins it. When the hold ends, or
 *   once `target` packets wait, rxsync delivers them all.
 * - While packets keep coming the port stays on the timer, and each hold
 *   is sized from the rate just seen so that a batch is about `target`
 *   packets: it grows at most twofold per batch, shrinks at once, and stays
 *   within [XDP_GATHER_MIN_US, max_us]. A hold that ends with nothing
 *   puts the reader back to sleep on the socket.
 *
 * max_us bounds the added latency (and the timestamp error: AF_XDP has no
 * receive timestamps, a batch is stamped when it is delivered); it is the
 * session timeout, and at most what the port's frames can absorb at the
 * highest rate copy mode reaches (see xdp_gather.c). Immediate mode
 * delivers every packet at once, as before.
 *
 * The descriptor to poll is an epoll set holding the socket or the timer,
 * and any other descriptor the port adds (its link watch).
 */
#ifndef NMP_XDP_GATHER_H
#define NMP_XDP_GATHER_H

#include <stdint.h>
#include "nmp_err.h"

#define XDP_GATHER_MIN_US 50u

struct nmp_xdp_gather {
	int epfd;              /* what the port's poll_fd returns */
	int timer_fd;
	int sock_fd;
	int immediate;
	int holding;           /* on the timer, the socket out of the set */
	uint64_t hold_start_ns;  /* CLOCK_MONOTONIC */
	uint64_t deadline_ns;
	uint32_t hold_us;
	uint32_t max_us;
	uint32_t target;
};

/* Set up the poll set: the socket, and extra_fd (-1 for none). */
int nmp_xdp_gather_open(struct nmp_xdp_gather *g, int sock_fd, int extra_fd,
			int immediate, uint32_t max_us, uint32_t target,
			struct nmp_err *err);

/* The time the gather works in (CLOCK_MONOTONIC, ns). */
uint64_t nmp_xdp_gather_now(void);

/*
 * At rxsync, with `ready` packets on the RX ring: 1 to deliver them now,
 * 0 to let them gather (a hold is started if none runs). Makes at most
 * two system calls, and only when the port switches between sleeping on
 * the socket and the timer.
 */
int nmp_xdp_gather_due(struct nmp_xdp_gather *g, uint32_t ready,
		       uint64_t now);

/* After a delivery of n packets that nmp_xdp_gather_due allowed: size and
 * start the next hold. */
void nmp_xdp_gather_delivered(struct nmp_xdp_gather *g, uint32_t n,
			      uint64_t now);

void nmp_xdp_gather_close(struct nmp_xdp_gather *g);

#endif
