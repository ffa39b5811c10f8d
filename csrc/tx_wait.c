#include <unistd.h>
#include "tx_wait.h"

#define TX_WAIT_FIRST_PAUSE_US 20u
#define TX_WAIT_MAX_PAUSE_US 1000u
#define TX_WAIT_LIMIT_US 1000000u

int nmp_tx_wait_for_room(struct nmp_port *p,
			 int (*push_and_reclaim)(struct nmp_port *p,
						 struct nmp_err *err),
			 const char *ifname, struct nmp_err *err)
{
	unsigned pause_us = TX_WAIT_FIRST_PAUSE_US, waited_us = 0;

	for (;;) {
		if (push_and_reclaim(p, err) < 0)
			return -1;
		if (p->tx.head != p->tx.tail)
			return 0;
		if (waited_us >= TX_WAIT_LIMIT_US)
			return nmp_fail(err, "EAGAIN", "frames on %s did not leave "
					"within 1 s; is the link congested or down?",
					ifname);
		usleep(pause_us);
		waited_us += pause_us;
		pause_us = pause_us < TX_WAIT_MAX_PAUSE_US ? pause_us * 2 :
			   TX_WAIT_MAX_PAUSE_US;
	}
}
