/*
 * Struct layout as data: JS reads rings through typed arrays using these
 * sizes and offsets, never numbers of its own.
 */
#include <stddef.h>
#include "binding.h"
#include "port.h"
#include "ring.h"

static int put(napi_env env, napi_value obj, const char *key, uint32_t v)
{
	napi_value n;

	return napi_create_uint32(env, v, &n) != napi_ok ||
	       napi_set_named_property(env, obj, key, n) != napi_ok;
}

#define PUT(key, v) if (put(env, out, key, (uint32_t)(v))) { nmp_throw_last(env); return NULL; }

napi_value nmp_layout(napi_env env)
{
	napi_value out;

	NAPI_OK(napi_create_object(env, &out));
	PUT("sizeof_ring_hdr", sizeof(struct nmp_ring_hdr));
	PUT("offsetof_ring_head", offsetof(struct nmp_ring_hdr, head));
	PUT("offsetof_ring_cur", offsetof(struct nmp_ring_hdr, cur));
	PUT("offsetof_ring_tail", offsetof(struct nmp_ring_hdr, tail));
	PUT("offsetof_ring_num_slots", offsetof(struct nmp_ring_hdr, num_slots));
	PUT("offsetof_ring_buf_size", offsetof(struct nmp_ring_hdr, buf_size));
	PUT("offsetof_ring_flags", offsetof(struct nmp_ring_hdr, flags));
	PUT("sizeof_slot", sizeof(struct nmp_slot));
	PUT("offsetof_slot_offset", offsetof(struct nmp_slot, offset));
	PUT("offsetof_slot_caplen", offsetof(struct nmp_slot, caplen));
	PUT("offsetof_slot_len", offsetof(struct nmp_slot, len));
	PUT("offsetof_slot_ts_sec", offsetof(struct nmp_slot, ts_sec));
	PUT("offsetof_slot_ts_nsec", offsetof(struct nmp_slot, ts_nsec));
	PUT("offsetof_slot_flags", offsetof(struct nmp_slot, flags));
	PUT("SLOT_OUTGOING", NMP_SLOT_OUTGOING);
	PUT("RING_RX", NMP_RING_RX);
	PUT("RING_TX", NMP_RING_TX);
	PUT("DIR_INOUT", NMP_DIR_INOUT);
	PUT("DIR_IN", NMP_DIR_IN);
	PUT("DIR_OUT", NMP_DIR_OUT);
	PUT("FANOUT_HASH", NMP_FANOUT_HASH);
	PUT("FANOUT_LB", NMP_FANOUT_LB);
	PUT("FANOUT_CPU", NMP_FANOUT_CPU);
	PUT("FANOUT_ROLLOVER", NMP_FANOUT_ROLLOVER);
	return out;
}
