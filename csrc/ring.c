#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "ring.h"

int nmp_ring_alloc(struct nmp_ring *r, uint32_t num_slots, uint32_t buf_size,
		   uint32_t flags, struct nmp_err *err)
{
	size_t len = sizeof(struct nmp_ring_hdr) +
		     (size_t)num_slots * sizeof(struct nmp_slot);
	void *mem;

	/* mmap, not malloc: the memory is handed to JS as an ArrayBuffer and
	 * must be page aligned and zeroed. */
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return nmp_fail(err, "ENOMEM",
				"cannot allocate a ring of %u slots", num_slots);
	memset(r, 0, sizeof(*r));
	r->mem = nmp_mem_wrap(mem, len, nmp_mem_munmap);
	if (!r->mem)
		return nmp_fail(err, "ENOMEM", "out of memory for a ring");
	r->hdr = mem;
	r->slot = (struct nmp_slot *)(r->hdr + 1);
	r->num_slots = num_slots;
	r->hdr->num_slots = num_slots;
	r->hdr->buf_size = buf_size;
	r->hdr->flags = flags;
	return 0;
}

void nmp_ring_free(struct nmp_ring *r)
{
	nmp_mem_unref(r->mem);
	memset(r, 0, sizeof(*r));
}

int64_t nmp_ring_take_head(struct nmp_ring *r, struct nmp_err *err)
{
	/* One read of each: JS may be scribbling while we check. */
	uint32_t head = __atomic_load_n(&r->hdr->head, __ATOMIC_ACQUIRE);
	uint32_t cur = __atomic_load_n(&r->hdr->cur, __ATOMIC_RELAXED);
	uint32_t owned = nmp_ring_dist(r, r->head, r->tail);

	if (head >= r->num_slots ||
	    nmp_ring_dist(r, r->head, head) > owned) {
		nmp_ring_reset(r);
		return nmp_fail(err, "EBADSLOT",
				"ring head %u is outside [%u, %u] (the slots the "
				"application owns); the ring was reset to head %u",
				head, r->head, r->tail, r->head);
	}
	if (cur >= r->num_slots ||
	    nmp_ring_dist(r, head, cur) > nmp_ring_dist(r, head, r->tail)) {
		nmp_ring_reset(r);
		return nmp_fail(err, "EBADSLOT",
				"ring cur %u is outside [head %u, tail %u]; the "
				"ring was reset to head %u", cur, head, r->tail,
				r->head);
	}
	{
		uint32_t moved = nmp_ring_dist(r, r->head, head);
		r->head = head;
		return moved;
	}
}

int nmp_ring_check_tx_lens(struct nmp_ring *r, uint32_t old, uint32_t min_len,
			   uint32_t max_len, const char *port,
			   struct nmp_err *err)
{
	uint32_t i;

	for (i = old; i != r->head; i = nmp_ring_next(r, i)) {
		uint32_t len = r->slot[i].len;
		if (len < min_len || len > max_len) {
			r->head = old;
			nmp_ring_reset(r);
			return nmp_fail(err, "EBADSLOT",
					"TX slot %u has length %u; a frame on %s "
					"is %u to %u bytes. The ring was reset "
					"to head %u", i, len, port, min_len,
					max_len, old);
		}
	}
	return 0;
}

void nmp_ring_publish(struct nmp_ring *r)
{
	__atomic_store_n(&r->hdr->tail, r->tail, __ATOMIC_RELEASE);
}

void nmp_ring_reset(struct nmp_ring *r)
{
	r->hdr->head = r->head;
	r->hdr->cur = r->head;
	nmp_ring_publish(r);
}
