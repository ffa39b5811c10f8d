/*
 * The savefile reader's native calls: walkSavefile (records parsed and
 * filtered into ring slots, a batch per call: csrc/savefile_walk.c) and
 * readCached (a read that never waits for the disk: savefile_read.c).
 * Every index JS passes is checked against the memory it names.
 */
#include <stdlib.h>
#include <string.h>
#include "binding.h"
#include "savefile_read.h"
#include "savefile_walk.h"

/* params: format, littleEndian, nanosecond, snaplen, base, nifaces, then
 * (snaplen, units) per interface of the current pcapng section. */
enum { P_FORMAT, P_LE, P_NSEC, P_SNAPLEN, P_BASE, P_NIFACES, P_IFACES };
#define STACK_IFACES 16
/* Room for the first program's decoded ops (pcap_compile's are short);
 * a longer one, or another interface's, is decoded into the heap. */
#define STACK_OPS 256

static int typed_u32(napi_env env, napi_value v, uint32_t **data, size_t *count)
{
	napi_typedarray_type type;
	napi_value ab;
	size_t off;
	bool is_ta = false;

	if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
	    napi_get_typedarray_info(env, v, &type, count, (void **)data, &ab,
				     &off) != napi_ok || type != napi_uint32_array)
		return -1;
	return 0;
}

static int array_buffer(napi_env env, napi_value v, void **data, size_t *len)
{
	bool is_ab = false;

	return napi_is_arraybuffer(env, v, &is_ab) == napi_ok && is_ab &&
	       napi_get_arraybuffer_info(env, v, data, len) == napi_ok ? 0 : -1;
}

/* programs[i] as a compiled filter, or NULL (none, or not a filter). */
static const struct bpf_program *program_at(napi_env env, napi_value programs,
					    uint32_t i)
{
	napi_value e;
	napi_valuetype t;
	void *p = NULL;
	bool is_array = false;

	if (napi_is_array(env, programs, &is_array) != napi_ok || !is_array ||
	    napi_get_element(env, programs, i, &e) != napi_ok ||
	    napi_typeof(env, e, &t) != napi_ok || t != napi_external ||
	    napi_get_value_external(env, e, &p) != napi_ok)
		return NULL;
	return p;
}

/*
 * walkSavefile(buffer, start, end, ring, tail, free, params, programs, out)
 * Slots from `tail` on, at most `free`; programs by interface index
 * (pcap: [0]). out[0] = where the walk stopped (an offset in buffer),
 * out[1] = slots written, out[2] = records parsed.
 */
napi_value nmp_walk_savefile(napi_env env, napi_callback_info info)
{
	size_t argc = 9, buf_len, ring_len, nparams, nout;
	napi_value argv[9];
	struct nmp_sf_iface stack_ifaces[STACK_IFACES], *ifaces = stack_ifaces;
	struct nmp_bpf stack_filters[STACK_IFACES], *filters = stack_filters;
	struct nmp_bpf_op ops[STACK_OPS];
	struct nmp_sf_walk w;
	struct nmp_ring_hdr *hdr;
	uint32_t *params, *out, i, nfilters = 0;
	void *buf;

	memset(&w, 0, sizeof(w));
	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 9 || array_buffer(env, argv[0], &buf, &buf_len) ||
	    array_buffer(env, argv[3], (void **)&hdr, &ring_len) ||
	    typed_u32(env, argv[6], &params, &nparams) || nparams < P_IFACES ||
	    typed_u32(env, argv[8], &out, &nout) || nout < 3) {
		nmp_throw_code(env, "EINVAL", "walkSavefile: bad arguments");
		return NULL;
	}
	if (nmp_arg_u32(env, argv[1], "start", &w.pos) ||
	    nmp_arg_u32(env, argv[2], "end", &w.end) ||
	    nmp_arg_u32(env, argv[4], "tail", &w.tail) ||
	    nmp_arg_u32(env, argv[5], "free", &w.nfree))
		return NULL;
	if (w.end > buf_len || w.pos > w.end || ring_len < sizeof(*hdr) ||
	    (ring_len - sizeof(*hdr)) / sizeof(struct nmp_slot) < hdr->num_slots ||
	    w.tail >= hdr->num_slots || w.nfree >= hdr->num_slots ||
	    (params[P_FORMAT] == NMP_SF_PCAPNG &&
	     (nparams - P_IFACES) / 2 < params[P_NIFACES])) {
		nmp_throw_code(env, "EINVAL", "walkSavefile: out of range");
		return NULL;
	}
	w.buf = buf;
	w.slot = (struct nmp_slot *)(hdr + 1);
	w.num_slots = hdr->num_slots;
	w.format = params[P_FORMAT];
	w.le = params[P_LE] != 0;
	w.nsec = params[P_NSEC] != 0;
	w.snaplen = params[P_SNAPLEN];
	if (w.format == NMP_SF_PCAP) {
		nmp_bpf_prepare(&filters[0], program_at(env, argv[7], 0), ops, STACK_OPS);
		w.filter = &filters[0];
		nfilters = 1;
	} else if (w.format == NMP_SF_PCAPNG) {
		w.base = params[P_BASE];
		w.nifaces = params[P_NIFACES];
		if (w.nifaces > STACK_IFACES &&
		    (!(ifaces = malloc(w.nifaces * sizeof(*ifaces))) ||
		     !(filters = malloc(w.nifaces * sizeof(*filters))))) {
			if (ifaces != stack_ifaces)
				free(ifaces);
			nmp_throw_code(env, "ENOMEM", "out of memory");
			return NULL;
		}
		for (i = 0; i < w.nifaces; i++) {
			nmp_bpf_prepare(&filters[i], program_at(env, argv[7], w.base + i),
					ops, i == 0 ? STACK_OPS : 0);
			ifaces[i].snaplen = params[P_IFACES + 2 * i];
			ifaces[i].units = params[P_IFACES + 2 * i + 1];
			ifaces[i].filter = &filters[i];
		}
		nfilters = w.nifaces;
		w.iface = ifaces;
	}
	nmp_sf_walk(&w);
	for (i = 0; i < nfilters; i++)
		nmp_bpf_release(&filters[i]);
	if (ifaces != stack_ifaces)
		free(ifaces);
	if (filters != stack_filters)
		free(filters);
	out[0] = w.pos;
	out[1] = w.written;
	out[2] = w.seen;
	return NULL;
}

/*
 * readCached(fd, buffer, at, max, position) -> bytes read (0: end of file),
 * -1: not in the page cache, -2: not possible on this file (use a thread).
 */
napi_value nmp_read_cached_js(napi_env env, napi_callback_info info)
{
	size_t argc = 5, buf_len;
	napi_value argv[5], result;
	uint32_t fd, at, max;
	int64_t pos;
	void *buf;
	ssize_t n;
	int err = 0;

	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 5 || array_buffer(env, argv[1], &buf, &buf_len)) {
		nmp_throw_code(env, "EINVAL", "readCached: bad arguments");
		return NULL;
	}
	if (nmp_arg_u32(env, argv[0], "fd", &fd) ||
	    nmp_arg_u32(env, argv[2], "at", &at) ||
	    nmp_arg_u32(env, argv[3], "max", &max) ||
	    nmp_arg_i64(env, argv[4], "position", &pos))
		return NULL;
	if (at > buf_len || max > buf_len - at || pos < 0) {
		nmp_throw_code(env, "EINVAL", "readCached: out of range");
		return NULL;
	}
	n = nmp_read_cached((int)fd, (uint8_t *)buf + at, max, pos, &err);
	if (n == -3) {
		char msg[160];
		snprintf(msg, sizeof(msg), "reading the savefile failed: %s", strerror(err));
		nmp_throw_code(env, "EIO", msg);
		return NULL;
	}
	NAPI_OK(napi_create_int64(env, n, &result));
	return result;
}
