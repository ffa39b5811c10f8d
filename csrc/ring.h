/*
 * The ring JavaScript sees: netmap's ring model over any backend.
 *
 * A ring is a header followed by num_slots slot descriptors, in memory that
 * C allocates once and JS maps once as an ArrayBuffer. The packet bytes
 * live elsewhere (the backend's buffer memory, a second ArrayBuffer); a
 * slot names them by offset.
 *
 * Ownership follows netmap: the application owns the slots in [head, tail),
 * the backend owns the rest. JS may write head, cur and (TX) slot lengths;
 * C keeps its own copy of every index and validates what JS wrote at each
 * sync, so nothing JS writes can make C touch memory out of bounds.
 *
 * The layout crosses to JS as data (sizeof / offsetof constants exported by
 * the binding); JS never hard-codes an offset.
 */
#ifndef NMP_RING_H
#define NMP_RING_H

#include <stdint.h>
#include "mem.h"
#include "nmp_err.h"

/* Shared with JS. All fields 32-bit so one Uint32Array reads everything. */
struct nmp_ring_hdr {
	uint32_t head;       /* first slot owned by the application (JS writes) */
	uint32_t cur;        /* wake-up threshold (JS writes) */
	uint32_t tail;       /* first slot owned by the backend (C writes) */
	uint32_t num_slots;
	uint32_t buf_size;   /* TX: bytes one slot's buffer holds; RX: snaplen */
	uint32_t flags;      /* NMP_RING_* */
};

#define NMP_RING_RX 0x1
#define NMP_RING_TX 0x2

/* One packet. RX: C fills every field. TX: JS writes len only. */
struct nmp_slot {
	uint32_t offset;     /* of the frame's first byte in buffer memory */
	uint32_t caplen;     /* bytes present at offset */
	uint32_t len;        /* length on the wire (TX: bytes to send) */
	uint32_t ts_sec;
	uint32_t ts_nsec;
	uint32_t flags;      /* NMP_SLOT_* */
};

/* slot flags: the direction the packet travelled (RX) */
#define NMP_SLOT_OUTGOING 0x1

/*
 * C's private view of a ring: the validated indices. The shared header is
 * only ever an input that is checked against these.
 */
struct nmp_ring {
	struct nmp_ring_hdr *hdr;    /* shared, followed by the slots */
	struct nmp_slot *slot;
	uint32_t num_slots;
	uint32_t head;               /* last validated head */
	uint32_t tail;               /* what C last published as tail */
	struct nmp_mem *mem;         /* hdr + slots, as JS maps them */
};

static inline uint32_t nmp_ring_next(const struct nmp_ring *r, uint32_t i)
{
	return i + 1 == r->num_slots ? 0 : i + 1;
}

/* Slots from a to b going forward (b reachable from a). */
static inline uint32_t nmp_ring_dist(const struct nmp_ring *r, uint32_t a,
				     uint32_t b)
{
	return b >= a ? b - a : b + r->num_slots - a;
}

/* Allocate hdr + slots (zeroed, page aligned). Returns -1 on ENOMEM.
 * nmp_ring_free drops the ring's reference; JS may still hold others. */
int nmp_ring_alloc(struct nmp_ring *r, uint32_t num_slots, uint32_t buf_size,
		   uint32_t flags, struct nmp_err *err);
void nmp_ring_free(struct nmp_ring *r);

/*
 * Read the head and cur JS wrote and check them as netmap's kernel does:
 * head must lie in [old head, tail] and cur in [head, tail]. On success
 * returns how many slots head moved forward. On a bad value the shared
 * header is reset to the last valid state and -1 returned with EBADSLOT.
 */
int64_t nmp_ring_take_head(struct nmp_ring *r, struct nmp_err *err);

/*
 * TX: check the lengths JS wrote into the slots from old to the head
 * nmp_ring_take_head just accepted: each must lie in [min_len, max_len].
 * On a bad one the ring goes back to head old, and -1 is returned with
 * EBADSLOT naming the slot and the port.
 */
int nmp_ring_check_tx_lens(struct nmp_ring *r, uint32_t old, uint32_t min_len,
			   uint32_t max_len, const char *port,
			   struct nmp_err *err);

/* Publish C's tail to the shared header (after the slots are written). */
void nmp_ring_publish(struct nmp_ring *r);

/* Put head, cur and tail back to C's last valid state. */
void nmp_ring_reset(struct nmp_ring *r);

#endif
