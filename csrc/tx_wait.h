/*
 * The bounded wait for a free TX slot (the tx_wait op), for backends
 * whose txsync pushes and reclaims without blocking.
 */
#ifndef NMP_TX_WAIT_H
#define NMP_TX_WAIT_H

#include "port.h"

/*
 * Call txsync until it reports a free slot or timeout_ms passes. Between
 * tries, sleep in ppoll(2) for POLLOUT on fd (fd < 0: no descriptor to
 * poll, just sleep); the pause doubles from 20 us up to 1 ms, so a slow
 * receiver gets time to drain and a fast one is not kept waiting. A
 * descriptor that says writable while txsync still finds the ring full
 * (frames the device refused stay marked for a re-push, which POLLOUT
 * does not see) is not polled again in this wait: the pauses become
 * plain sleeps. Returns txsync's free slots, 0 on timeout, -1 on error.
 */
int nmp_tx_wait_poll(struct nmp_port *p, uint32_t timeout_ms, int fd,
		     struct nmp_err *err);

#endif
