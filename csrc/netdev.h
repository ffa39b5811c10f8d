/*
 * Small questions about a network interface, shared by the backends that
 * open one (AF_PACKET, AF_XDP).
 */
#ifndef NMP_NETDEV_H
#define NMP_NETDEV_H

#include <stdint.h>
#include <net/if.h>

/* ioctl(fd, req) on an ifreq naming ifname (SIOCGIFFLAGS, SIOCGIFMTU...). */
int nmp_ioctl_ifreq(int fd, unsigned long req, const char *ifname,
		    struct ifreq *ifr);

/* The interface's rx_dropped counter (0 when it cannot be read). */
uint64_t nmp_read_ifdrop(const char *ifname);

/* Drops counted by the interface since the port opened (when it read
 * `base`): stats()' ifdrop, as libpcap counts it for one handle. */
uint64_t nmp_ifdrop_since(const char *ifname, uint64_t base);

#endif
