#define _GNU_SOURCE
#include <stdio.h>
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

int nmp_filter_compile_file(struct bpf_program *prog, const char *expr,
			    uint32_t file_linktype, uint32_t snaplen,
			    int optimize, uint32_t netmask, struct nmp_err *err)
{
	/* Savefiles carry LINKTYPE_ values, which differ from this platform's
	 * DLT_ values for a few link types. Rather than keep a second copy of
	 * libpcap's table, let libpcap read a file header holding the link
	 * type: the handle it makes is the one `tcpdump -r` compiles with. */
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t thiszone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = { 0xa1b2c3d4, 2, 4, 0, 0, snaplen, file_linktype };
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	FILE *f = fmemopen(&hdr, sizeof(hdr), "rb");
	pcap_t *p;
	int rc;

	if (!f)
		return nmp_fail(err, "ENOMEM", "cannot create a filter compiler");
	p = pcap_fopen_offline(f, errbuf);
	if (!p) {
		fclose(f);
		return nmp_fail(err, "EFILTER", "cannot compile for link type %u: %s",
				file_linktype, errbuf);
	}
	memset(prog, 0, sizeof(*prog));
	rc = pcap_compile(p, prog, expr, optimize, netmask);
	if (rc < 0)
		nmp_fail(err, "EFILTER", "invalid filter \"%s\": %s", expr,
			 pcap_geterr(p));
	pcap_close(p);   /* closes f too */
	return rc < 0 ? -1 : 0;
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

int nmp_filter_replace(struct bpf_program *kept, const struct bpf_program *prog,
		       struct nmp_err *err)
{
	struct bpf_program copy = { 0, NULL };

	if (prog && nmp_filter_copy(&copy, prog, err) < 0)
		return -1;
	nmp_filter_free(kept);
	*kept = copy;
	return 0;
}
