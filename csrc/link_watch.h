/*
 * Watching an interface's state through rtnetlink, for backends whose
 * socket hears nothing when the link goes down (AF_XDP: the kernel tells
 * an XDP socket only when its device is unregistered, and even then its
 * poll(2) stays silent). The watch's descriptor is readable when the
 * kernel has news of any link; nmp_link_watch_check reads it.
 */
#ifndef NMP_LINK_WATCH_H
#define NMP_LINK_WATCH_H

#include "nmp_err.h"

struct nmp_link_watch {
	int fd;           /* NETLINK_ROUTE, RTMGRP_LINK; -1 when closed */
	int ifindex;
	int up;           /* IFF_UP as last seen */
	int gone;         /* the interface was deleted */
};

/* Start watching ifindex (which is up). On failure fd stays -1. */
int nmp_link_watch_open(struct nmp_link_watch *w, int ifindex,
			struct nmp_err *err);

/*
 * Read the news. 0: nothing to report. -1 with err set: the interface went
 * down (ENETDOWN, once each time it does) or was deleted (ENODEV, on
 * every call from then on). Never blocks.
 */
int nmp_link_watch_check(struct nmp_link_watch *w, const char *ifname,
			 struct nmp_err *err);

void nmp_link_watch_close(struct nmp_link_watch *w);

#endif
