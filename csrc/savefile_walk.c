#include <byteswap.h>
#include <string.h>
#include "savefile_walk.h"

#define PCAP_RECORD_HDR 16u
#define MAX_RECORD (256u * 1024)      /* libpcap's MAXIMUM_SNAPLEN */
#define MAX_BLOCK (16u * 1024 * 1024) /* libpcap's INITIAL_MAX_BLOCKSIZE */
#define BT_EPB 6u
#define EPB_HDR 28u                   /* type, length, iface, ts hi, ts lo, caplen, len */
#define EPB_MIN (EPB_HDR + 4u)        /* ... and the trailing length */

static inline uint32_t rd32(const uint8_t *p, bool le)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return le ? v : bswap_32(v);
}

/* Run the filter and, if it accepts, publish the packet in the next slot.
 * The filter's result bounds caplen, as libpcap's does. */
static inline void emit(struct nmp_sf_walk *w, const struct nmp_bpf *filter,
			uint32_t off, uint32_t caplen, uint32_t len,
			uint32_t sec, uint32_t nsec, uint32_t flags)
{
	struct nmp_slot *s;
	uint32_t keep = UINT32_MAX;

	w->seen++;
	if (filter && !(keep = nmp_bpf_run(filter, w->buf + off, len, caplen)))
		return;
	s = &w->slot[w->tail];
	s->offset = off;
	s->caplen = caplen < keep ? caplen : keep;
	s->len = len;
	s->ts_sec = sec;
	s->ts_nsec = nsec;
	s->flags = flags;
	w->tail = w->tail + 1 == w->num_slots ? 0 : w->tail + 1;
	w->written++;
}

static void walk_pcap(struct nmp_sf_walk *w)
{
	const uint32_t frac_max = w->nsec ? 1000000000u : 1000000u;
	const uint32_t mul = w->nsec ? 1 : 1000;
	uint32_t pos = w->pos;

	while (w->written < w->nfree && w->end - pos >= PCAP_RECORD_HDR) {
		const uint8_t *p = w->buf + pos;
		uint32_t sec = rd32(p, w->le), frac = rd32(p + 4, w->le);
		uint32_t caplen = rd32(p + 8, w->le), len = rd32(p + 12, w->le);
		/* Cut to the snaplen, a carried fraction, caplen > len: the
		 * TypeScript parser's (rare) cases. */
		if (caplen > w->snaplen || caplen > MAX_RECORD || caplen > len ||
		    frac >= frac_max)
			break;
		if (w->end - pos - PCAP_RECORD_HDR < caplen)
			break;   /* incomplete: more bytes are needed */
		emit(w, w->filter, pos + PCAP_RECORD_HDR, caplen, len, sec,
		     frac * mul, 0);
		pos += PCAP_RECORD_HDR + caplen;
	}
	w->pos = pos;
}

static void walk_pcapng(struct nmp_sf_walk *w)
{
	uint32_t pos = w->pos;

	while (w->written < w->nfree && w->end - pos >= EPB_MIN) {
		const uint8_t *p = w->buf + pos;
		const struct nmp_sf_iface *ifc;
		uint32_t blen, idx, caplen, nsec;
		uint64_t t, sec;

		if (rd32(p, w->le) != BT_EPB)
			break;
		blen = rd32(p + 4, w->le);
		if (blen < EPB_MIN || (blen & 3) || blen > MAX_BLOCK ||
		    w->end - pos < blen || rd32(p + blen - 4, w->le) != blen)
			break;
		idx = rd32(p + 8, w->le);
		if (idx >= w->nifaces)
			break;
		ifc = &w->iface[idx];
		caplen = rd32(p + 20, w->le);
		if (caplen > ifc->snaplen || caplen > MAX_RECORD ||
		    caplen > blen - EPB_MIN)
			break;
		t = (uint64_t)rd32(p + 12, w->le) << 32 | rd32(p + 16, w->le);
		/* Constant divisors, so the compiler multiplies instead. */
		if (ifc->units == NMP_SF_UNITS_USEC) {
			sec = t / 1000000u;
			nsec = (uint32_t)(t % 1000000u) * 1000u;
		} else if (ifc->units == NMP_SF_UNITS_NSEC) {
			sec = t / 1000000000u;
			nsec = (uint32_t)(t % 1000000000u);
		} else {
			break;
		}
		if (sec > UINT32_MAX)
			break;   /* past 2106: the slot cannot hold it; TS decides */
		emit(w, ifc->filter, pos + EPB_HDR, caplen, rd32(p + 24, w->le),
		     (uint32_t)sec, nsec, w->base + idx);
		pos += blen;
	}
	w->pos = pos;
}

void nmp_sf_walk(struct nmp_sf_walk *w)
{
	w->written = 0;
	w->seen = 0;
	if (w->pos > w->end || w->nfree >= w->num_slots || w->tail >= w->num_slots)
		return;
	if (w->format == NMP_SF_PCAP)
		walk_pcap(w);
	else if (w->format == NMP_SF_PCAPNG)
		walk_pcapng(w);
}
