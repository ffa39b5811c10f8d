/*
 * Struct layout as data: JS reads rings through typed arrays using these
 * sizes and offsets, never numbers of its own.
 */
#include <stddef.h>
#include "binding.h"
#include "netmap_abi.h"
#include "port.h"
#include "ring.h"
#include "xdp_prog.h"

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
	PUT("END_NONE", NMP_END_NONE);
	PUT("END_MASTER", NMP_END_MASTER);
	PUT("END_SLAVE", NMP_END_SLAVE);
	PUT("RINGS_HW", NMP_RINGS_HW);
	PUT("RINGS_HOST", NMP_RINGS_HOST);
	PUT("RINGS_ALL", NMP_RINGS_ALL);
	PUT("XDP_MAX_QUEUES", NMP_XDP_MAX_QUEUES);
	PUT("TX_MIN_LEN", NMP_MIN_FRAME);
	return out;
}

/*
 * netmap's ABI as this project defines it (netmap_abi.h), named as in
 * netmap's own header (sizeof_<struct>, offsetof_<struct>_<field>,
 * constants by their netmap names), so that test/netmap-abi.test.ts can
 * compare each against a program built with netmap's real header.
 */
#define SIZE(s, t) PUT("sizeof_" s, sizeof(struct t))
#define OFF(s, t, f) PUT("offsetof_" s "_" #f, offsetof(struct t, f))

napi_value nmp_netmap_layout(napi_env env)
{
	napi_value out;

	NAPI_OK(napi_create_object(env, &out));
	SIZE("netmap_slot", nma_slot);
	OFF("netmap_slot", nma_slot, buf_idx);
	OFF("netmap_slot", nma_slot, len);
	OFF("netmap_slot", nma_slot, flags);
	OFF("netmap_slot", nma_slot, ptr);
	SIZE("netmap_ring", nma_ring);
	OFF("netmap_ring", nma_ring, buf_ofs);
	OFF("netmap_ring", nma_ring, num_slots);
	OFF("netmap_ring", nma_ring, nr_buf_size);
	OFF("netmap_ring", nma_ring, ringid);
	OFF("netmap_ring", nma_ring, dir);
	OFF("netmap_ring", nma_ring, head);
	OFF("netmap_ring", nma_ring, cur);
	OFF("netmap_ring", nma_ring, tail);
	OFF("netmap_ring", nma_ring, flags);
	OFF("netmap_ring", nma_ring, ts);
	OFF("netmap_ring", nma_ring, offset_mask);
	OFF("netmap_ring", nma_ring, buf_align);
	OFF("netmap_ring", nma_ring, sem);
	OFF("netmap_ring", nma_ring, slot);
	SIZE("netmap_if", nma_if);
	OFF("netmap_if", nma_if, ni_name);
	OFF("netmap_if", nma_if, ni_version);
	OFF("netmap_if", nma_if, ni_flags);
	OFF("netmap_if", nma_if, ni_tx_rings);
	OFF("netmap_if", nma_if, ni_rx_rings);
	OFF("netmap_if", nma_if, ni_bufs_head);
	OFF("netmap_if", nma_if, ni_host_tx_rings);
	OFF("netmap_if", nma_if, ni_host_rx_rings);
	OFF("netmap_if", nma_if, ni_spare1);
	OFF("netmap_if", nma_if, ring_ofs);
	SIZE("nmreq_header", nma_req_header);
	OFF("nmreq_header", nma_req_header, nr_version);
	OFF("nmreq_header", nma_req_header, nr_reqtype);
	OFF("nmreq_header", nma_req_header, nr_reserved);
	OFF("nmreq_header", nma_req_header, nr_name);
	OFF("nmreq_header", nma_req_header, nr_options);
	OFF("nmreq_header", nma_req_header, nr_body);
	SIZE("nmreq_option", nma_req_option);
	OFF("nmreq_option", nma_req_option, nro_next);
	OFF("nmreq_option", nma_req_option, nro_reqtype);
	OFF("nmreq_option", nma_req_option, nro_status);
	OFF("nmreq_option", nma_req_option, nro_size);
	SIZE("nmreq_register", nma_req_register);
	OFF("nmreq_register", nma_req_register, nr_offset);
	OFF("nmreq_register", nma_req_register, nr_memsize);
	OFF("nmreq_register", nma_req_register, nr_tx_slots);
	OFF("nmreq_register", nma_req_register, nr_rx_slots);
	OFF("nmreq_register", nma_req_register, nr_tx_rings);
	OFF("nmreq_register", nma_req_register, nr_rx_rings);
	OFF("nmreq_register", nma_req_register, nr_host_tx_rings);
	OFF("nmreq_register", nma_req_register, nr_host_rx_rings);
	OFF("nmreq_register", nma_req_register, nr_mem_id);
	OFF("nmreq_register", nma_req_register, nr_ringid);
	OFF("nmreq_register", nma_req_register, nr_mode);
	OFF("nmreq_register", nma_req_register, nr_extra_bufs);
	OFF("nmreq_register", nma_req_register, nr_flags);
	PUT("NETMAP_API", NMA_API_VERSION);
	PUT("IFNAMSIZ", NMA_IFNAMSIZ);
	PUT("NETMAP_REQ_IFNAMSIZ", NMA_REQ_IFNAMSIZ);
	PUT("NETMAP_REQ_REGISTER", NMA_REQ_REGISTER);
	PUT("NETMAP_REQ_PORT_INFO_GET", NMA_REQ_PORT_INFO_GET);
	PUT("NS_BUF_CHANGED", NMA_NS_BUF_CHANGED);
	PUT("NS_REPORT", NMA_NS_REPORT);
	PUT("NS_FORWARD", NMA_NS_FORWARD);
	PUT("NS_MOREFRAG", NMA_NS_MOREFRAG);
	PUT("NR_TIMESTAMP", NMA_NR_TIMESTAMP);
	PUT("NR_FORWARD", NMA_NR_FORWARD);
	PUT("NR_EXCLUSIVE", NMA_NR_EXCLUSIVE);
	PUT("NR_RX_RINGS_ONLY", NMA_NR_RX_RINGS_ONLY);
	PUT("NR_TX_RINGS_ONLY", NMA_NR_TX_RINGS_ONLY);
	PUT("NR_NO_TX_POLL", NMA_NR_NO_TX_POLL);
	PUT("NR_REG_ALL_NIC", NMA_REG_ALL_NIC);
	PUT("NR_REG_SW", NMA_REG_SW);
	PUT("NR_REG_NIC_SW", NMA_REG_NIC_SW);
	PUT("NR_REG_ONE_NIC", NMA_REG_ONE_NIC);
	PUT("NIOCCTRL", NMA_NIOCCTRL);
	PUT("NIOCTXSYNC", NMA_NIOCTXSYNC);
	PUT("NIOCRXSYNC", NMA_NIOCRXSYNC);
	return out;
}
