#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>
#include "link_watch.h"
#include "netdev.h"

int nmp_link_watch_open(struct nmp_link_watch *w, int ifindex,
			struct nmp_err *err)
{
	struct sockaddr_nl sa;

	w->ifindex = ifindex;
	w->up = 1;
	w->gone = 0;
	w->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		       NETLINK_ROUTE);
	if (w->fd < 0)
		return nmp_fail(err, nmp_errno_code(errno), "cannot watch the "
				"link state: %s", strerror(errno));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = RTMGRP_LINK;
	if (bind(w->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(w->fd);
		w->fd = -1;
		return nmp_fail(err, nmp_errno_code(e), "cannot watch the link "
				"state: %s", strerror(e));
	}
	return 0;
}

/* One message about a link: note what changed for ours. 1 if it went
 * down just now. */
static int note_link(struct nmp_link_watch *w, const struct nlmsghdr *h)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(h);
	int was_up = w->up;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)) ||
	    ifi->ifi_index != w->ifindex)
		return 0;
	if (h->nlmsg_type == RTM_DELLINK) {
		w->gone = 1;
		return 0;
	}
	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	w->up = !!(ifi->ifi_flags & IFF_UP);
	return was_up && !w->up;
}

/* The state as the interface reports it now (after lost news). 1 if it
 * went down since we last knew. */
static int ask_link(struct nmp_link_watch *w)
{
	char name[IF_NAMESIZE];
	struct ifreq ifr;
	int fd, was_up = w->up;

	if (!if_indextoname((unsigned)w->ifindex, name)) {
		w->gone = 1;
		return 0;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	if (nmp_ioctl_ifreq(fd, SIOCGIFFLAGS, name, &ifr) == 0)
		w->up = !!(ifr.ifr_flags & IFF_UP);
	close(fd);
	return was_up && !w->up;
}

int nmp_link_watch_check(struct nmp_link_watch *w, const char *ifname,
			 struct nmp_err *err)
{
	/* Aligned for nlmsghdr; a link message is well under a page. */
	uint32_t buf[2048];
	int went_down = 0;
	ssize_t n;

	while (w->fd >= 0 && !w->gone &&
	       ((n = recv(w->fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
		(n < 0 && (errno == EINTR || errno == ENOBUFS)))) {
		const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
		size_t left = n > 0 ? (size_t)n : 0;

		/* ENOBUFS: news was lost. Ask the interface itself. */
		if (n < 0 && errno == ENOBUFS) {
			went_down |= ask_link(w);
			continue;
		}
		for (; NLMSG_OK(h, left); h = NLMSG_NEXT(h, left))
			went_down |= note_link(w, h);
	}
	if (w->gone)
		return nmp_fail(err, "ENODEV", "%s was deleted: the capture has "
				"ended", ifname);
	if (went_down)
		return nmp_fail(err, "ENETDOWN", "%s went down; packets flow "
				"again when it is up (`ip link set %s up`)",
				ifname, ifname);
	return 0;
}

void nmp_link_watch_close(struct nmp_link_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
