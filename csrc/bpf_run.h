/*
 * A classic BPF interpreter for filters run over a whole batch (the
 * savefile walk): the program is decoded once per batch into dense op
 * numbers and run with one indirect jump per instruction, each op
 * dispatching on its own (computed goto), which the CPU predicts far
 * better than the single switch of libpcap's bpf_filter().
 *
 * It gives bpf_filter()'s result for the programs it takes: those
 * bpf_validate() accepts, built only of loads, stores, jumps, returns and
 * the ALU ops whose meaning is plain (no division, modulo or shift by X,
 * no shift by 32 or more). Any other program runs in bpf_filter() itself,
 * so nothing about a filter's meaning is ours.
 */
#ifndef NMP_BPF_RUN_H
#define NMP_BPF_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <pcap/pcap.h>

struct nmp_bpf_op {
	uint32_t k;
	uint16_t op;      /* enum in bpf_run.c */
	uint8_t jt, jf;
};

struct nmp_bpf {
	const struct bpf_program *prog;  /* NULL or empty: accept everything */
	struct nmp_bpf_op *ops;          /* NULL: run prog with bpf_filter() */
	bool owned;                      /* ops were malloc'd */
	bool uses_mem;                   /* loads scratch memory */
};

/* Decode prog (may be NULL) into b, using room for `room` ops at `stack`
 * when it fits. Never fails: what it cannot decode runs in libpcap. */
void nmp_bpf_prepare(struct nmp_bpf *b, const struct bpf_program *prog,
		     struct nmp_bpf_op *stack, uint32_t room);
void nmp_bpf_release(struct nmp_bpf *b);

uint32_t nmp_bpf_run_ops(const struct nmp_bpf *b, const uint8_t *p,
			 uint32_t wirelen, uint32_t buflen);

/* 0 rejects; otherwise the bytes to keep, as bpf_filter() returns. */
static inline uint32_t nmp_bpf_run(const struct nmp_bpf *b, const uint8_t *p,
				   uint32_t wirelen, uint32_t buflen)
{
	if (!b->prog || b->prog->bf_len == 0)
		return UINT32_MAX;
	if (b->ops)
		return nmp_bpf_run_ops(b, p, wirelen, buflen);
	return bpf_filter(b->prog->bf_insns, p, wirelen, buflen);
}

#endif
