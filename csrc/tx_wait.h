/*
 * Waiting for a free TX slot, for backends whose kernel frees slots on its
 * own time (AF_PACKET's TX ring, AF_XDP's completion ring).
 */
#ifndef NMP_TX_WAIT_H
#define NMP_TX_WAIT_H

#include "port.h"

/*
 * Call push_and_reclaim (send what is pending, take back sent slots) until
 * the TX ring has a free slot, or fail with EAGAIN after a second. The
 * pause between tries doubles from 20 us up to 1 ms, so a slow receiver
 * gets time to drain.
 */
int nmp_tx_wait_for_room(struct nmp_port *p,
			 int (*push_and_reclaim)(struct nmp_port *p,
						 struct nmp_err *err),
			 const char *ifname, struct nmp_err *err);

#endif
