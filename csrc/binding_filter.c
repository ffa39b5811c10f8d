/*
 * Filters for packets that are already in memory (savefiles, rings built
 * in JS): compile once, then judge a whole batch of slots per native call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binding.h"
#include "filter.h"
#include "ring.h"

#define MAX_PROGRAMS 4096

static void program_finalize(napi_env env, void *data, void *hint)
{
	(void)env; (void)hint;
	nmp_filter_free(data);
	free(data);
}

/* compileFilter(expr, linktype, snaplen, optimize, netmask, isFile)
 * -> Filter. isFile: linktype is a savefile's LINKTYPE_ value. */
napi_value nmp_compile_filter(napi_env env, napi_callback_info info)
{
	size_t argc = 6, len;
	napi_value argv[6], out;
	uint32_t linktype, snaplen, optimize, netmask;
	bool is_file = false;
	struct bpf_program *prog;
	struct nmp_err err;
	char *expr;
	int rc;

	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 5 ||
	    napi_get_value_string_utf8(env, argv[0], NULL, 0, &len) != napi_ok) {
		nmp_throw_code(env, "EINVAL", "filter must be a string");
		return NULL;
	}
	if (nmp_arg_u32(env, argv[1], "linktype", &linktype) ||
	    nmp_arg_u32(env, argv[2], "snaplen", &snaplen) ||
	    nmp_arg_u32(env, argv[3], "optimize", &optimize) ||
	    nmp_arg_u32(env, argv[4], "netmask", &netmask))
		return NULL;
	if (argc >= 6)
		napi_get_value_bool(env, argv[5], &is_file);
	expr = malloc(len + 1);
	prog = calloc(1, sizeof(*prog));
	if (!expr || !prog) {
		free(expr);
		free(prog);
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return NULL;
	}
	napi_get_value_string_utf8(env, argv[0], expr, len + 1, &len);
	rc = is_file ?
		nmp_filter_compile_file(prog, expr, linktype, snaplen,
					(int)optimize, netmask, &err) :
		nmp_filter_compile(prog, expr, (int)linktype, snaplen,
				   (int)optimize, netmask, &err);
	free(expr);
	if (rc < 0) {
		free(prog);
		nmp_throw(env, &err);
		return NULL;
	}
	if (napi_create_external(env, prog, program_finalize, NULL, &out) != napi_ok) {
		program_finalize(env, prog, NULL);
		nmp_throw_last(env);
		return NULL;
	}
	return out;
}

/* The data and length of a TypedArray or ArrayBuffer argument. */
static int bytes_of(napi_env env, napi_value v, const char *name, void **data,
		    size_t *len)
{
	bool is_ab = false, is_ta = false;
	napi_typedarray_type type;
	size_t count, offset;
	napi_value ab;

	napi_is_arraybuffer(env, v, &is_ab);
	if (is_ab)
		return napi_get_arraybuffer_info(env, v, data, len) == napi_ok ? 0 : -1;
	napi_is_typedarray(env, v, &is_ta);
	if (is_ta && napi_get_typedarray_info(env, v, &type, &count, data, &ab,
					      &offset) == napi_ok) {
		napi_value bpe;
		uint32_t size = 1;
		if (napi_get_named_property(env, v, "BYTES_PER_ELEMENT", &bpe) == napi_ok)
			napi_get_value_uint32(env, bpe, &size);
		*len = count * size;
		return 0;
	}
	{
		char msg[96];
		snprintf(msg, sizeof(msg), "%s must be an ArrayBuffer or typed array", name);
		nmp_throw_code(env, "EINVAL", msg);
	}
	return -1;
}

/*
 * filterSlots(ring, buffer, programs, head, tail) -> new tail
 *
 * ring: the ring header and slots (ringLayout), buffer: the packet bytes.
 * Slot flags' low 16 bits name the program (an index into programs; a
 * missing entry accepts). Accepted slots move up to close the gaps, in
 * order; the filter's result also bounds caplen, as libpcap's does. A slot
 * whose bytes fall outside buffer is dropped, never read.
 */
napi_value nmp_filter_slots(napi_env env, napi_callback_info info)
{
	size_t argc = 5, ring_len, buf_len;
	napi_value argv[5], out;
	struct bpf_program *progs[64] = { 0 }, **prog = progs;
	struct nmp_ring_hdr *hdr;
	struct nmp_slot *slot;
	uint32_t head, tail, nprogs = 0, i, w, n;
	uint8_t *buf;
	bool is_array = false;

	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 5 || bytes_of(env, argv[0], "ring", (void **)&hdr, &ring_len) ||
	    bytes_of(env, argv[1], "buffer", (void **)&buf, &buf_len) ||
	    nmp_arg_u32(env, argv[3], "head", &head) ||
	    nmp_arg_u32(env, argv[4], "tail", &tail))
		return NULL;
	if (ring_len < sizeof(*hdr) ||
	    (ring_len - sizeof(*hdr)) / sizeof(*slot) < hdr->num_slots ||
	    head >= hdr->num_slots || tail >= hdr->num_slots) {
		nmp_throw_code(env, "EBADSLOT", "ring indices out of range");
		return NULL;
	}
	n = hdr->num_slots;
	slot = (struct nmp_slot *)(hdr + 1);
	napi_is_array(env, argv[2], &is_array);
	if (is_array)
		napi_get_array_length(env, argv[2], &nprogs);
	if (nprogs > MAX_PROGRAMS)
		nprogs = MAX_PROGRAMS;
	if (nprogs > 64 && !(prog = calloc(nprogs, sizeof(*prog)))) {
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return NULL;
	}
	for (i = 0; i < nprogs; i++) {
		napi_value e;
		napi_valuetype t;
		void *p = NULL;
		if (napi_get_element(env, argv[2], i, &e) == napi_ok &&
		    napi_typeof(env, e, &t) == napi_ok && t == napi_external &&
		    napi_get_value_external(env, e, &p) == napi_ok)
			prog[i] = p;
	}
	for (i = head, w = head; i != tail; i = i + 1 == n ? 0 : i + 1) {
		struct nmp_slot s = slot[i];
		uint32_t which = s.flags & 0xffff, keep = UINT32_MAX;
		if ((uint64_t)s.offset + s.caplen > buf_len)
			continue;
		if (which < nprogs && prog[which])
			keep = nmp_filter_run(prog[which], buf + s.offset, s.len,
					      s.caplen);
		if (!keep)
			continue;
		if (s.caplen > keep)
			s.caplen = keep;
		slot[w] = s;
		w = w + 1 == n ? 0 : w + 1;
	}
	if (prog != progs)
		free(prog);
	NAPI_OK(napi_create_uint32(env, w, &out));
	return out;
}
