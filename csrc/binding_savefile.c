/*
 * The hot path of savefile reading: classic pcap records parsed into ring
 * slots in C, a batch per call. Only plain records are taken here (a
 * standard 16-byte header, caplen within the snaplen, a sane fraction of
 * a second); at the first record that is anything else it stops, and the
 * TypeScript parser (lib/savefile/pcap.ts) takes that record with its
 * full rules and error messages. So both give the same packets.
 */
#include <byteswap.h>
#include <string.h>
#include "binding.h"
#include "ring.h"

#define PCAP_RECORD_HDR 16
#define MAX_RECORD (256u * 1024)

static int u32_arg(napi_env env, napi_value v, uint32_t *out)
{
	return nmp_arg_u32(env, v, "argument", out);
}

/*
 * parsePcap(buffer, start, end, ring, tail, free, littleEndian,
 *           nanosecond, snaplen, out) -> undefined
 * Writes slots from `tail` on, at most `free`; out[0] = bytes consumed
 * (whole records only), out[1] = slots written.
 */
napi_value nmp_parse_pcap(napi_env env, napi_callback_info info)
{
	size_t argc = 10, buf_len, ring_len, out_len;
	napi_value argv[10];
	uint32_t start, end, tail, nfree, snaplen, written = 0, pos;
	bool le, nsec, is_ab;
	uint8_t *buf;
	struct nmp_ring_hdr *hdr;
	struct nmp_slot *slot;
	uint32_t *out;
	napi_typedarray_type type;
	napi_value ab;
	size_t off;

	NAPI_OK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
	if (argc < 10 ||
	    napi_is_arraybuffer(env, argv[0], &is_ab) != napi_ok || !is_ab ||
	    napi_get_arraybuffer_info(env, argv[0], (void **)&buf, &buf_len) != napi_ok ||
	    napi_is_arraybuffer(env, argv[3], &is_ab) != napi_ok || !is_ab ||
	    napi_get_arraybuffer_info(env, argv[3], (void **)&hdr, &ring_len) != napi_ok ||
	    napi_get_typedarray_info(env, argv[9], &type, &out_len, (void **)&out,
				     &ab, &off) != napi_ok ||
	    type != napi_uint32_array || out_len < 2) {
		nmp_throw_code(env, "EINVAL", "parsePcap: bad arguments");
		return NULL;
	}
	if (u32_arg(env, argv[1], &start) || u32_arg(env, argv[2], &end) ||
	    u32_arg(env, argv[4], &tail) || u32_arg(env, argv[5], &nfree) ||
	    napi_get_value_bool(env, argv[6], &le) != napi_ok ||
	    napi_get_value_bool(env, argv[7], &nsec) != napi_ok ||
	    u32_arg(env, argv[8], &snaplen))
		return NULL;
	if (end > buf_len || start > end || ring_len < sizeof(*hdr) ||
	    (ring_len - sizeof(*hdr)) / sizeof(*slot) < hdr->num_slots ||
	    tail >= hdr->num_slots || nfree >= hdr->num_slots) {
		nmp_throw_code(env, "EINVAL", "parsePcap: out of range");
		return NULL;
	}
	slot = (struct nmp_slot *)(hdr + 1);
	for (pos = start; written < nfree && end - pos >= PCAP_RECORD_HDR;) {
		uint32_t f[4];
		memcpy(f, buf + pos, sizeof(f));
		if (!le) {
			f[0] = bswap_32(f[0]); f[1] = bswap_32(f[1]);
			f[2] = bswap_32(f[2]); f[3] = bswap_32(f[3]);
		}
		/* ts_sec, ts_frac, caplen, len: anything unusual is TS's. */
		if (f[2] > snaplen || f[2] > MAX_RECORD || f[2] > f[3] ||
		    f[1] >= (nsec ? 1000000000u : 1000000u))
			break;
		if (end - pos - PCAP_RECORD_HDR < f[2])
			break;   /* incomplete: wait for more bytes */
		slot[tail].offset = pos + PCAP_RECORD_HDR;
		slot[tail].caplen = f[2];
		slot[tail].len = f[3];
		slot[tail].ts_sec = f[0];
		slot[tail].ts_nsec = nsec ? f[1] : f[1] * 1000;
		slot[tail].flags = 0;
		tail = tail + 1 == hdr->num_slots ? 0 : tail + 1;
		written++;
		pos += PCAP_RECORD_HDR + f[2];
	}
	out[0] = pos - start;
	out[1] = written;
	return NULL;
}
