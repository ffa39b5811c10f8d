/*
 * netmap's user-space ABI, API version 14: this project's own definitions.
 *
 * Written from the layouts and constants netmap documents (sys/net/netmap.h
 * and netmap_user.h of the netmap project), so that the binding builds
 * without netmap's headers installed. Only what port_netmap.c uses is here.
 * test/netmap-abi.test.ts checks every size, offset and constant against
 * netmap's real header, and the binding exports them for that test
 * (binding_layout.c).
 */
#ifndef NMP_NETMAP_ABI_H
#define NMP_NETMAP_ABI_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/types.h>

#define NMA_API_VERSION 14
#define NMA_IFNAMSIZ 16          /* netmap_if's name: the kernel's IFNAMSIZ */
#define NMA_REQ_IFNAMSIZ 64      /* nmreq_header's port name */

/* One packet descriptor in a kernel ring. */
struct nma_slot {
	uint32_t buf_idx;        /* which buffer of the pool holds the bytes */
	uint16_t len;
	uint16_t flags;          /* NMA_NS_* */
	uint64_t ptr;            /* indirect buffers; unused here */
};

/* slot flags */
#define NMA_NS_BUF_CHANGED 0x0001   /* buf_idx was changed by its owner */
#define NMA_NS_REPORT 0x0002
#define NMA_NS_FORWARD 0x0004
#define NMA_NS_MOREFRAG 0x0020      /* more fragments of this packet follow */

/* A kernel ring: this header, then num_slots slots. head and cur are the
 * application's to write; tail is the kernel's. */
struct nma_ring {
	int64_t buf_ofs;         /* the buffer pool, relative to this header */
	uint32_t num_slots;
	uint32_t nr_buf_size;
	uint16_t ringid;
	uint16_t dir;            /* 0 tx, 1 rx */
	uint32_t head;
	uint32_t cur;
	uint32_t tail;
	uint32_t flags;          /* NMA_NR_* */
	struct timeval ts;       /* time of the last sync (with NR_TIMESTAMP) */
	uint64_t offset_mask;
	uint64_t buf_align;
	/* room the kernel reserves, aligned to netmap's 128-byte cache line */
	uint8_t sem[128] __attribute__((aligned(128)));
	struct nma_slot slot[];
};

/* ring flags */
#define NMA_NR_TIMESTAMP 0x0002
#define NMA_NR_FORWARD 0x0004

/* Per open descriptor: which rings it has, as offsets from this header.
 * ring_ofs lists hardware TX, host TX, hardware RX, host RX rings in that
 * order; 0 marks a ring this descriptor did not register. */
struct nma_if {
	char ni_name[NMA_IFNAMSIZ];
	uint32_t ni_version;
	uint32_t ni_flags;
	uint32_t ni_tx_rings;
	uint32_t ni_rx_rings;
	uint32_t ni_bufs_head;   /* first extra buffer; each holds the next */
	uint32_t ni_host_tx_rings;
	uint32_t ni_host_rx_rings;
	uint32_t ni_spare1[3];
	ssize_t ring_ofs[];
};

/* Every control request: this header, pointing at a request body. */
struct nma_req_header {
	uint16_t nr_version;
	uint16_t nr_reqtype;     /* NMA_REQ_* */
	uint32_t nr_reserved;
	char nr_name[NMA_REQ_IFNAMSIZ];
	uint64_t nr_options;     /* user pointer to a chain of nma_req_option */
	uint64_t nr_body;        /* user pointer to the body */
};

/* The common head of every request option. */
struct nma_req_option {
	uint64_t nro_next;
	uint32_t nro_reqtype;
	uint32_t nro_status;
	uint64_t nro_size;
};

/* request types */
#define NMA_REQ_REGISTER 1
#define NMA_REQ_PORT_INFO_GET 2

/* The body of NMA_REQ_REGISTER: in, the wanted rings; out, the geometry. */
struct nma_req_register {
	uint64_t nr_offset;      /* of the nma_if in the mapped region */
	uint64_t nr_memsize;     /* bytes to mmap */
	uint32_t nr_tx_slots;
	uint32_t nr_rx_slots;
	uint16_t nr_tx_rings;
	uint16_t nr_rx_rings;
	uint16_t nr_host_tx_rings;
	uint16_t nr_host_rx_rings;
	uint16_t nr_mem_id;
	uint16_t nr_ringid;
	uint32_t nr_mode;        /* NMA_REG_* */
	uint32_t nr_extra_bufs;  /* in: wanted, out: granted */
	uint64_t nr_flags;       /* NMA_NR_* register flags */
};

/* register flags */
#define NMA_NR_EXCLUSIVE 0x800
#define NMA_NR_RX_RINGS_ONLY 0x2000
#define NMA_NR_TX_RINGS_ONLY 0x4000
#define NMA_NR_NO_TX_POLL 0x20000

/* register modes: which rings of the port */
#define NMA_REG_ALL_NIC 1        /* every hardware ring */
#define NMA_REG_SW 2             /* the host-stack rings */
#define NMA_REG_NIC_SW 3         /* both */
#define NMA_REG_ONE_NIC 4        /* hardware ring nr_ringid */

#define NMA_NIOCCTRL _IOWR('i', 151, struct nma_req_header)
#define NMA_NIOCTXSYNC _IO('i', 148)
#define NMA_NIOCRXSYNC _IO('i', 149)

#endif
