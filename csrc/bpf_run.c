#include <stdlib.h>
#include <string.h>
#include "bpf_run.h"

enum {
	OP_RET_K, OP_RET_A,
	OP_LD_W_ABS, OP_LD_H_ABS, OP_LD_B_ABS,
	OP_LD_W_IND, OP_LD_H_IND, OP_LD_B_IND,
	OP_LD_W_LEN, OP_LDX_W_LEN, OP_LD_IMM, OP_LDX_IMM,
	OP_LD_MEM, OP_LDX_MEM, OP_LDX_MSH_B, OP_ST, OP_STX,
	OP_JA, OP_JGT_K, OP_JGE_K, OP_JEQ_K, OP_JSET_K,
	OP_JGT_X, OP_JGE_X, OP_JEQ_X, OP_JSET_X,
	OP_ADD_K, OP_SUB_K, OP_MUL_K, OP_AND_K, OP_OR_K, OP_XOR_K,
	OP_LSH_K, OP_RSH_K,
	OP_ADD_X, OP_SUB_X, OP_MUL_X, OP_AND_X, OP_OR_X, OP_XOR_X,
	OP_NEG, OP_TAX, OP_TXA,
	OP_COUNT
};

/* The op for instruction i of n, or -1: the program is left to
 * bpf_filter(). Checks what running it relies on, whatever bpf_validate()
 * checks too: jump targets inside the program, scratch memory in bounds. */
static int op_of(const struct bpf_insn *insns, uint32_t i, uint32_t n)
{
	const struct bpf_insn *in = &insns[i];

	switch (BPF_CLASS(in->code)) {
	case BPF_JMP:
		if (BPF_OP(in->code) == BPF_JA ? in->k >= n - i - 1
		    : in->jt >= n - i - 1 || in->jf >= n - i - 1)
			return -1;
		break;
	case BPF_ST: case BPF_STX:
		if (in->k >= BPF_MEMWORDS)
			return -1;
		break;
	case BPF_LD: case BPF_LDX:
		if (BPF_MODE(in->code) == BPF_MEM && in->k >= BPF_MEMWORDS)
			return -1;
		break;
	}
	if (i == n - 1 && BPF_CLASS(in->code) != BPF_RET)
		return -1;
	switch (in->code) {
	case BPF_RET | BPF_K: return OP_RET_K;
	case BPF_RET | BPF_A: return OP_RET_A;
	case BPF_LD | BPF_W | BPF_ABS: return OP_LD_W_ABS;
	case BPF_LD | BPF_H | BPF_ABS: return OP_LD_H_ABS;
	case BPF_LD | BPF_B | BPF_ABS: return OP_LD_B_ABS;
	case BPF_LD | BPF_W | BPF_IND: return OP_LD_W_IND;
	case BPF_LD | BPF_H | BPF_IND: return OP_LD_H_IND;
	case BPF_LD | BPF_B | BPF_IND: return OP_LD_B_IND;
	case BPF_LD | BPF_W | BPF_LEN: return OP_LD_W_LEN;
	case BPF_LDX | BPF_W | BPF_LEN: return OP_LDX_W_LEN;
	case BPF_LD | BPF_IMM: return OP_LD_IMM;
	case BPF_LDX | BPF_IMM: return OP_LDX_IMM;
	case BPF_LD | BPF_MEM: return OP_LD_MEM;
	case BPF_LDX | BPF_MEM: return OP_LDX_MEM;
	case BPF_LDX | BPF_MSH | BPF_B: return OP_LDX_MSH_B;
	case BPF_ST: return OP_ST;
	case BPF_STX: return OP_STX;
	case BPF_JMP | BPF_JA: return OP_JA;
	case BPF_JMP | BPF_JGT | BPF_K: return OP_JGT_K;
	case BPF_JMP | BPF_JGE | BPF_K: return OP_JGE_K;
	case BPF_JMP | BPF_JEQ | BPF_K: return OP_JEQ_K;
	case BPF_JMP | BPF_JSET | BPF_K: return OP_JSET_K;
	case BPF_JMP | BPF_JGT | BPF_X: return OP_JGT_X;
	case BPF_JMP | BPF_JGE | BPF_X: return OP_JGE_X;
	case BPF_JMP | BPF_JEQ | BPF_X: return OP_JEQ_X;
	case BPF_JMP | BPF_JSET | BPF_X: return OP_JSET_X;
	case BPF_ALU | BPF_ADD | BPF_K: return OP_ADD_K;
	case BPF_ALU | BPF_SUB | BPF_K: return OP_SUB_K;
	case BPF_ALU | BPF_MUL | BPF_K: return OP_MUL_K;
	case BPF_ALU | BPF_AND | BPF_K: return OP_AND_K;
	case BPF_ALU | BPF_OR | BPF_K: return OP_OR_K;
	case BPF_ALU | BPF_XOR | BPF_K: return OP_XOR_K;
	case BPF_ALU | BPF_LSH | BPF_K: return in->k < 32 ? OP_LSH_K : -1;
	case BPF_ALU | BPF_RSH | BPF_K: return in->k < 32 ? OP_RSH_K : -1;
	case BPF_ALU | BPF_ADD | BPF_X: return OP_ADD_X;
	case BPF_ALU | BPF_SUB | BPF_X: return OP_SUB_X;
	case BPF_ALU | BPF_MUL | BPF_X: return OP_MUL_X;
	case BPF_ALU | BPF_AND | BPF_X: return OP_AND_X;
	case BPF_ALU | BPF_OR | BPF_X: return OP_OR_X;
	case BPF_ALU | BPF_XOR | BPF_X: return OP_XOR_X;
	case BPF_ALU | BPF_NEG: return OP_NEG;
	case BPF_MISC | BPF_TAX: return OP_TAX;
	case BPF_MISC | BPF_TXA: return OP_TXA;
	default: return -1;
	}
}

void nmp_bpf_prepare(struct nmp_bpf *b, const struct bpf_program *prog,
		     struct nmp_bpf_op *stack, uint32_t room)
{
	uint32_t i, n;

	b->prog = prog;
	b->ops = NULL;
	b->owned = false;
	if (!prog || prog->bf_len == 0 || !prog->bf_insns)
		return;
	n = prog->bf_len;
	/* Jumps in range, a return at the end, scratch memory in bounds. */
	if (!bpf_validate(prog->bf_insns, (int)n))
		return;
	b->uses_mem = false;
	for (i = 0; i < n; i++) {
		int op = op_of(prog->bf_insns, i, n);
		if (op < 0)
			return;
		if (op == OP_LD_MEM || op == OP_LDX_MEM)
			b->uses_mem = true;
	}
	if (n <= room) {
		b->ops = stack;
	} else if ((b->ops = malloc(n * sizeof(*b->ops)))) {
		b->owned = true;
	} else {
		return;   /* no memory: libpcap runs it */
	}
	for (i = 0; i < n; i++) {
		const struct bpf_insn *in = &prog->bf_insns[i];
		b->ops[i].op = (uint16_t)op_of(prog->bf_insns, i, n);
		b->ops[i].k = in->k;
		b->ops[i].jt = in->jt;
		b->ops[i].jf = in->jf;
	}
}

void nmp_bpf_release(struct nmp_bpf *b)
{
	if (b->owned)
		free(b->ops);
	b->ops = NULL;
	b->owned = false;
}

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint32_t be16(const uint8_t *p)
{
	return (uint32_t)p[0] << 8 | p[1];
}

/* Loads past the captured bytes reject the packet, as in bpf_filter(). */
uint32_t nmp_bpf_run_ops(const struct nmp_bpf *b, const uint8_t *p,
			 uint32_t wirelen, uint32_t buflen)
{
	static const void *const jump[OP_COUNT] = {
		[OP_RET_K] = &&ret_k, [OP_RET_A] = &&ret_a,
		[OP_LD_W_ABS] = &&ld_w_abs, [OP_LD_H_ABS] = &&ld_h_abs,
		[OP_LD_B_ABS] = &&ld_b_abs, [OP_LD_W_IND] = &&ld_w_ind,
		[OP_LD_H_IND] = &&ld_h_ind, [OP_LD_B_IND] = &&ld_b_ind,
		[OP_LD_W_LEN] = &&ld_w_len, [OP_LDX_W_LEN] = &&ldx_w_len,
		[OP_LD_IMM] = &&ld_imm, [OP_LDX_IMM] = &&ldx_imm,
		[OP_LD_MEM] = &&ld_mem, [OP_LDX_MEM] = &&ldx_mem,
		[OP_LDX_MSH_B] = &&ldx_msh_b, [OP_ST] = &&st, [OP_STX] = &&stx,
		[OP_JA] = &&ja, [OP_JGT_K] = &&jgt_k, [OP_JGE_K] = &&jge_k,
		[OP_JEQ_K] = &&jeq_k, [OP_JSET_K] = &&jset_k,
		[OP_JGT_X] = &&jgt_x, [OP_JGE_X] = &&jge_x,
		[OP_JEQ_X] = &&jeq_x, [OP_JSET_X] = &&jset_x,
		[OP_ADD_K] = &&add_k, [OP_SUB_K] = &&sub_k, [OP_MUL_K] = &&mul_k,
		[OP_AND_K] = &&and_k, [OP_OR_K] = &&or_k, [OP_XOR_K] = &&xor_k,
		[OP_LSH_K] = &&lsh_k, [OP_RSH_K] = &&rsh_k,
		[OP_ADD_X] = &&add_x, [OP_SUB_X] = &&sub_x, [OP_MUL_X] = &&mul_x,
		[OP_AND_X] = &&and_x, [OP_OR_X] = &&or_x, [OP_XOR_X] = &&xor_x,
		[OP_NEG] = &&neg, [OP_TAX] = &&tax, [OP_TXA] = &&txa,
	};
	const struct nmp_bpf_op *pc = b->ops;
	uint32_t A = 0, X = 0, mem[BPF_MEMWORDS];
	uint64_t at;

	/* Compiled programs store before they load; zeroed for any other. */
	if (b->uses_mem)
		memset(mem, 0, sizeof(mem));
#define NEXT goto *jump[(++pc)->op]
#define JUMP(cond) do { pc += (cond) ? pc->jt : pc->jf; NEXT; } while (0)
	goto *jump[pc->op];
ret_k:	return pc->k;
ret_a:	return A;
ld_w_abs:
	if ((uint64_t)pc->k + 4 > buflen) return 0;
	A = be32(p + pc->k); NEXT;
ld_h_abs:
	if ((uint64_t)pc->k + 2 > buflen) return 0;
	A = be16(p + pc->k); NEXT;
ld_b_abs:
	if (pc->k >= buflen) return 0;
	A = p[pc->k]; NEXT;
ld_w_ind:
	at = (uint64_t)X + pc->k;
	if (at + 4 > buflen) return 0;
	A = be32(p + at); NEXT;
ld_h_ind:
	at = (uint64_t)X + pc->k;
	if (at + 2 > buflen) return 0;
	A = be16(p + at); NEXT;
ld_b_ind:
	at = (uint64_t)X + pc->k;
	if (at >= buflen) return 0;
	A = p[at]; NEXT;
ld_w_len:	A = wirelen; NEXT;
ldx_w_len:	X = wirelen; NEXT;
ld_imm:		A = pc->k; NEXT;
ldx_imm:	X = pc->k; NEXT;
ld_mem:		A = mem[pc->k]; NEXT;   /* k < BPF_MEMWORDS: validated */
ldx_mem:	X = mem[pc->k]; NEXT;
ldx_msh_b:
	if (pc->k >= buflen) return 0;
	X = (uint32_t)(p[pc->k] & 0xf) << 2; NEXT;
st:		mem[pc->k] = A; NEXT;
stx:		mem[pc->k] = X; NEXT;
ja:		pc += pc->k; NEXT;
jgt_k:		JUMP(A > pc->k);
jge_k:		JUMP(A >= pc->k);
jeq_k:		JUMP(A == pc->k);
jset_k:		JUMP(A & pc->k);
jgt_x:		JUMP(A > X);
jge_x:		JUMP(A >= X);
jeq_x:		JUMP(A == X);
jset_x:		JUMP(A & X);
add_k:		A += pc->k; NEXT;
sub_k:		A -= pc->k; NEXT;
mul_k:		A *= pc->k; NEXT;
and_k:		A &= pc->k; NEXT;
or_k:		A |= pc->k; NEXT;
xor_k:		A ^= pc->k; NEXT;
lsh_k:		A <<= pc->k; NEXT;     /* k < 32: checked when decoded */
rsh_k:		A >>= pc->k; NEXT;
add_x:		A += X; NEXT;
sub_x:		A -= X; NEXT;
mul_x:		A *= X; NEXT;
and_x:		A &= X; NEXT;
or_x:		A |= X; NEXT;
xor_x:		A ^= X; NEXT;
neg:		A = (uint32_t)0 - A; NEXT;
tax:		X = A; NEXT;
txa:		A = X; NEXT;
#undef NEXT
#undef JUMP
}
