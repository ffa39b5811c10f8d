#include <stdlib.h>
#include <string.h>
#include "filter.h"

int nmp_filter_compile(struct bpf_program *prog, const char *expr,
		       int linktype, uint32_t snaplen, int optimize,
		       uint32_t netmask, struct nmp_err *err)
{
	/* A dead handle carries what the compiler needs: the link type
	 * decides header offsets, the snaplen the accept return value. */
	pcap_t *dead = pcap_open_dead(linktype, (int)snaplen);
	int rc;

	if (!dead)
		return nmp_fail(err, "ENOMEM", "cannot create a filter compiler");
	memset(prog, 0, sizeof(*prog));
	rc = pcap_compile(dead, prog, expr, optimize, netmask);
	if (rc < 0) {
		nmp_fail(err, "EFILTER", "invalid filter \"%s\": %s", expr,
			 pcap_geterr(dead));
		pcap_close(dead);
		return -1;
	}
	pcap_close(dead);
	return 0;
}

void nmp_filter_free(struct bpf_program *prog)
{
	pcap_freecode(prog);
	memset(prog, 0, sizeof(*prog));
}

int nmp_filter_copy(struct bpf_program *dst, const struct bpf_program *src,
		    struct nmp_err *err)
{
	size_t n = src->bf_len * sizeof(struct bpf_insn);

	memset(dst, 0, sizeof(*dst));
	if (src->bf_len == 0)
		return 0;
	dst->bf_insns = malloc(n);
	if (!dst->bf_insns)
		return nmp_fail(err, "ENOMEM", "out of memory for a filter");
	memcpy(dst->bf_insns, src->bf_insns, n);
	dst->bf_len = src->bf_len;
	return 0;
}
