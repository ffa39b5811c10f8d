/*
 * The savefile hot path in C: walk the records of a read buffer, run the
 * filter on each, and write the accepted ones as ring slots pointing into
 * that buffer, so JavaScript gets a batch of (offset, caplen, len, ts) and
 * parses nothing per packet.
 *
 * Only the common records are taken here: plain pcap records, and pcapng
 * Enhanced Packet Blocks on a known interface with µs or ns timestamps.
 * The walk stops before anything else (another block type, an odd length,
 * a record cut by the end of the buffer, anything an error message must
 * describe) and the TypeScript parser (lib/savefile/) takes that record
 * with its full rules, so both paths give the same packets and errors.
 */
#ifndef NMP_SAVEFILE_WALK_H
#define NMP_SAVEFILE_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include "bpf_run.h"
#include "ring.h"

enum nmp_sf_format { NMP_SF_PCAP = 1, NMP_SF_PCAPNG = 2 };

/* Timestamp units of a pcapng interface the walk can convert. */
enum nmp_sf_units { NMP_SF_UNITS_OTHER = 0, NMP_SF_UNITS_USEC = 1, NMP_SF_UNITS_NSEC = 2 };

struct nmp_sf_iface {
	uint32_t snaplen;                /* libpcap-adjusted */
	uint32_t units;                  /* enum nmp_sf_units */
	const struct nmp_bpf *filter;    /* prepared (bpf_run.h) */
};

struct nmp_sf_walk {
	/* the bytes: buf[pos, end) are unparsed */
	const uint8_t *buf;
	uint32_t pos, end;
	/* the ring: slots from tail on, at most nfree */
	struct nmp_slot *slot;
	uint32_t num_slots, tail, nfree;
	uint32_t format;                 /* enum nmp_sf_format */
	bool le;                         /* byte order of the file / section */
	/* pcap */
	bool nsec;
	uint32_t snaplen;
	const struct nmp_bpf *filter;
	/* pcapng: the current section's interfaces; slot flags = base + index */
	uint32_t base, nifaces;
	const struct nmp_sf_iface *iface;
	/* results */
	uint32_t written;                /* slots written (accepted) */
	uint32_t seen;                   /* records parsed (accepted or not) */
};

/* Walk from w->pos; on return w->pos is the first record not taken. */
void nmp_sf_walk(struct nmp_sf_walk *w);

#endif
