/*
 * The four rings an AF_XDP socket shares with the kernel (fill,
 * completion, RX, TX): single-producer / single-consumer arrays of
 * power-of-two size with free-running 32-bit indices, mapped from the
 * socket. This is the protocol only (the kernel's documentation of AF_XDP
 * describes it); libbpf 1.x no longer ships helpers for it.
 *
 * The side that produces writes entries, then publishes its index with a
 * release store; the other side reads that index with an acquire load.
 * Each side keeps a cached copy of the other's index so that most calls
 * touch no shared cache line.
 */
#ifndef NMP_XSK_RING_H
#define NMP_XSK_RING_H

#include <stdint.h>
#include <linux/if_xdp.h>

struct xsk_ring {
	uint32_t *producer;
	uint32_t *consumer;
	uint32_t *flags;        /* XDP_RING_NEED_WAKEUP */
	void *entries;          /* u64 addresses or struct xdp_desc */
	uint32_t mask;          /* size - 1 */
	uint32_t size;
	uint32_t cached_prod;
	uint32_t cached_cons;
	void *map;              /* the mapping, for munmap */
	size_t map_len;
};

static inline uint64_t *xsk_ring_addr(struct xsk_ring *r, uint32_t i)
{
	return &((uint64_t *)r->entries)[i & r->mask];
}

static inline struct xdp_desc *xsk_ring_desc(struct xsk_ring *r, uint32_t i)
{
	return &((struct xdp_desc *)r->entries)[i & r->mask];
}

/* Producer side (fill, TX): free entries we may write from cached_prod;
 * the shared index is read only when the cached one shows fewer than want. */
static inline uint32_t xsk_prod_free(struct xsk_ring *r, uint32_t want)
{
	uint32_t free = r->size - (r->cached_prod - r->cached_cons);

	if (free >= want)
		return free;
	r->cached_cons = __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	return r->size - (r->cached_prod - r->cached_cons);
}

/* Producer side: hand everything written up to cached_prod over. */
static inline void xsk_prod_submit(struct xsk_ring *r)
{
	__atomic_store_n(r->producer, r->cached_prod, __ATOMIC_RELEASE);
}

static inline int xsk_needs_wakeup(const struct xsk_ring *r)
{
	return __atomic_load_n(r->flags, __ATOMIC_RELAXED) & XDP_RING_NEED_WAKEUP;
}

/* Consumer side (RX, completion): entries ready from cached_cons on; the
 * shared index is read only when the cached one shows fewer than want. */
static inline uint32_t xsk_cons_ready(struct xsk_ring *r, uint32_t want)
{
	uint32_t ready = r->cached_prod - r->cached_cons;

	if (ready >= want)
		return ready;
	r->cached_prod = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE);
	return r->cached_prod - r->cached_cons;
}

/* Consumer side: give back everything read up to cached_cons. */
static inline void xsk_cons_release(struct xsk_ring *r)
{
	__atomic_store_n(r->consumer, r->cached_cons, __ATOMIC_RELEASE);
}

#endif
