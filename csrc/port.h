/*
 * The port contract: what every backend provides.
 *
 * Like libpcap's pcap-int.h, a small table of operations that one C file
 * per backend fills in (port_afpacket.c, ...). Nothing above this contract
 * knows which backend it talks to. A port starts and ends on
 * nmp_closed_ops, whose every operation fails cleanly with ECLOSED, so an
 * operation is safe before open, after close and after a failed open.
 *
 * A backend publishes its rings (struct nmp_ring) and the memory their
 * slots point into (struct nmp_mem); the binding maps both into JS once.
 */
#ifndef NMP_PORT_H
#define NMP_PORT_H

#include <stdint.h>
#include <sys/types.h>
#include <pcap/bpf.h>
#include "mem.h"
#include "nmp_err.h"
#include "ring.h"

/* Which packets a port receives, by the direction they travelled. */
enum nmp_direction {
	NMP_DIR_INOUT = 0,
	NMP_DIR_IN = 1,
	NMP_DIR_OUT = 2,
};

/* Load-balancing modes of a fanout group (AF_PACKET's). */
enum nmp_fanout_mode {
	NMP_FANOUT_NONE = -1,
	NMP_FANOUT_HASH = 0,
	NMP_FANOUT_LB = 1,
	NMP_FANOUT_CPU = 2,
	NMP_FANOUT_ROLLOVER = 3,
};

/* Which end of a pipe a name opens (pipe:NAME{N, netmap:NAME}N). */
enum nmp_pipe_end {
	NMP_END_NONE = 0,
	NMP_END_MASTER = 1,
	NMP_END_SLAVE = 2,
};

/* Which rings of an interface a netmap: name opens. */
enum nmp_rings {
	NMP_RINGS_HW = 0,          /* netmap:IF, netmap:IF-N */
	NMP_RINGS_HOST = 1,        /* netmap:IF^ */
	NMP_RINGS_ALL = 2,         /* netmap:IF* */
};

/*
 * Everything open needs; TypeScript has checked and defaulted it all.
 * The port name arrives parsed: lib/ports.ts holds the one grammar, and
 * no backend parses a name again (they only assert the limits their own
 * structures have).
 */
struct nmp_open_args {
	const char *backend;       /* which backend: its ops' name */
	const char *name;          /* the name as given, for messages */
	const char *device;        /* interface, pipe NAME or VALE port */
	int32_t queue;             /* one queue / hardware ring, -1 for all */
	enum nmp_pipe_end end;     /* a pipe end, or NMP_END_NONE */
	uint32_t pipe;             /* the pipe index N of a pipe end */
	enum nmp_rings rings;      /* netmap: which rings */
	const char *vale_switch;   /* valeX:PORT's X (may be empty) */
	uint32_t snaplen;
	int promisc;
	uint32_t timeout_ms;       /* how long a partial batch may wait */
	int immediate;             /* deliver each packet as soon as it comes */
	uint64_t buffer_size;      /* bytes of receive buffer */
	uint32_t rx_slots;         /* slots in the RX ring JS sees */
	enum nmp_direction direction;
	enum nmp_fanout_mode fanout_mode;
	uint16_t fanout_group;
	const char *filter;        /* libpcap expression, or NULL for none */
};

struct nmp_stats {
	uint64_t recv;     /* packets that passed the filter (incl. dropped) */
	uint64_t drop;     /* dropped because the ring was full */
	uint64_t ifdrop;   /* dropped by the interface */
};

/* The shortest frame any backend sends: an Ethernet header. Exported to JS
 * as layout.TX_MIN_LEN. */
#define NMP_MIN_FRAME 14u

struct nmp_port;

struct nmp_port_ops {
	const char *name;
	/* Set the port up; on failure the port is left as it was. */
	int (*open)(struct nmp_port *p, const struct nmp_open_args *a,
		    struct nmp_err *err);
	/* Create the TX ring (lazily: capture-only ports never pay for it). */
	int (*open_tx)(struct nmp_port *p, struct nmp_err *err);
	/* Take back the RX slots JS released (head), publish new ones (tail).
	 * Never blocks. */
	int (*rxsync)(struct nmp_port *p, struct nmp_err *err);
	/*
	 * Send the TX slots JS filled (up to head), reclaim the slots the
	 * other side has finished with (tail), and return the free slots.
	 * Never blocks, and a full ring is not an error: after the sync
	 * [head, tail) may be empty, and the call returns 0. Frames the
	 * kernel refused for now (a full device queue) stay submitted and
	 * are pushed again by the next txsync or tx_wait.
	 */
	int (*txsync)(struct nmp_port *p, struct nmp_err *err);
	/*
	 * Wait, at most timeout_ms, for a free TX slot: txsync, then sleep
	 * in poll(2) for POLLOUT where the descriptor reports it (short
	 * re-syncs otherwise), and txsync again, until a slot is free or the
	 * time is up. Returns the free slots, 0 if the ring is still full
	 * when the time runs out (not an error), -1 on an error txsync
	 * reports. timeout_ms 0: one txsync, no sleep. The only TX operation
	 * that blocks; the binding exposes it as port.txWait(timeoutMs).
	 */
	int (*tx_wait)(struct nmp_port *p, uint32_t timeout_ms,
		       struct nmp_err *err);
	/* The descriptor to poll for readiness, or -1. */
	int (*poll_fd)(struct nmp_port *p);
	int (*stats)(struct nmp_port *p, struct nmp_stats *st,
		     struct nmp_err *err);
	/* prog NULL removes the filter. The program was made by libpcap's
	 * compiler for this port's link type and snaplen. */
	int (*setfilter)(struct nmp_port *p, const struct bpf_program *prog,
			 struct nmp_err *err);
	int (*setdirection)(struct nmp_port *p, enum nmp_direction dir,
			    struct nmp_err *err);
	/*
	 * The failure that stopped the port (a link gone down, a peer gone),
	 * for the binding to report when readiness polling fails: 1 with
	 * err filled, 0 if none. Never blocks. Optional: without it the port
	 * reports its descriptor's pending socket error (nmp_socket_failure).
	 */
	int (*failure)(struct nmp_port *p, struct nmp_err *err);
	/* Undo open (and open_tx). Never fails; the port is closed after. */
	void (*close)(struct nmp_port *p);
};

struct nmp_port {
	const struct nmp_port_ops *ops;
	void *priv;                /* the backend's own state */
	struct nmp_ring rx;        /* rx.hdr is NULL until open */
	struct nmp_ring tx;        /* tx.hdr is NULL until open_tx */
	struct nmp_mem *rx_buf;    /* memory rx slots' offsets point into */
	struct nmp_mem *tx_buf;    /* memory tx slots' offsets point into */
	uint32_t linktype;         /* DLT_* */
	uint32_t snaplen;
	uint32_t tx_max_len;       /* largest frame txsync accepts (the
				    * shortest is NMP_MIN_FRAME) */
	/* 1 while a ring walker syncs and will sync again without sleeping
	 * (the ring API's sync()): rxsync need not prepare the backend's
	 * wake-up when it finds the ring empty. A pipe's sender then makes
	 * no eventfd write for a receiver that spins. 0 (the default):
	 * the caller may sleep on poll_fd next. */
	int rx_spinning;
	const char *mode;          /* how packets reach the rings, for
				    * backends that have a choice (AF_XDP:
				    * "zerocopy", "copy", "generic"); or NULL */
};

extern const struct nmp_port_ops nmp_closed_ops;

/* Backends. */
extern const struct nmp_port_ops nmp_afpacket_ops;
extern const struct nmp_port_ops nmp_pipe_ops;
extern const struct nmp_port_ops nmp_xdp_ops;
extern const struct nmp_port_ops nmp_netmap_ops;
extern const struct nmp_port_ops nmp_vale_ops;

/* Open the port with the backend a->backend names. */
int nmp_port_open(struct nmp_port *p, const struct nmp_open_args *a,
		  struct nmp_err *err);
/* Close (idempotent) and return the port to nmp_closed_ops. */
void nmp_port_close(struct nmp_port *p);
/* The port's failure: its backend's failure op, or the default below. */
int nmp_port_failure(struct nmp_port *p, struct nmp_err *err);
/* The default failure op: the pending SO_ERROR of poll_fd (cleared by
 * reading it), 0 if none or if poll_fd is not a socket. */
int nmp_socket_failure(struct nmp_port *p, struct nmp_err *err);

#endif
