/*
 * Packet filters: libpcap's compiler, and running its program in the shim
 * for the packets a kernel filter cannot see (cooked headers, backends
 * without one).
 */
#ifndef NMP_FILTER_H
#define NMP_FILTER_H

#include <stdint.h>
#include <pcap/pcap.h>
#include "nmp_err.h"

/* Compile expr for a link type and snaplen, exactly as libpcap would.
 * On success the caller owns prog (nmp_filter_free). EFILTER otherwise. */
int nmp_filter_compile(struct bpf_program *prog, const char *expr,
		       int linktype, uint32_t snaplen, int optimize,
		       uint32_t netmask, struct nmp_err *err);
/* The same for a savefile's link type (a LINKTYPE_ value), compiled as
 * `tcpdump -r` would. */
int nmp_filter_compile_file(struct bpf_program *prog, const char *expr,
			    uint32_t file_linktype, uint32_t snaplen,
			    int optimize, uint32_t netmask, struct nmp_err *err);
void nmp_filter_free(struct bpf_program *prog);

/* Copy a program (for a backend that keeps it). */
int nmp_filter_copy(struct bpf_program *dst, const struct bpf_program *src,
		    struct nmp_err *err);
/* Replace the program a backend keeps with a copy of prog (NULL: no
 * filter): a backend's setfilter. On failure the old program stays. */
int nmp_filter_replace(struct bpf_program *kept, const struct bpf_program *prog,
		       struct nmp_err *err);

/* Run a program: 0 rejects, otherwise the number of bytes to keep. An
 * empty program (bf_len 0) accepts everything. */
static inline uint32_t nmp_filter_run(const struct bpf_program *prog,
				      const uint8_t *pkt, uint32_t wirelen,
				      uint32_t caplen)
{
	if (prog->bf_len == 0)
		return UINT32_MAX;
	return bpf_filter(prog->bf_insns, pkt, wirelen, caplen);
}

#endif
