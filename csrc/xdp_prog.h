/*
 * The XDP program behind xdp: ports: it redirects each packet to the
 * AF_XDP socket registered for its RX queue in an XSKMAP, and lets every
 * other packet go on to the kernel's stack (XDP_PASS).
 *
 * The program is attached through a BPF link, never through netlink: a
 * link goes away with the last descriptor that holds it, so a process that
 * dies (even by SIGKILL) leaves nothing attached. Every port holds its own
 * descriptor of the interface's one link: the first port on an interface
 * creates it, later ports (other queues, other threads, other processes)
 * find it and hold it too, so it stays as long as any port needs it.
 */
#ifndef NMP_XDP_PROG_H
#define NMP_XDP_PROG_H

#include <stdint.h>
#include "nmp_err.h"

/* Queues an XSKMAP can name: a queue id at or over this is refused. */
#define NMP_XDP_MAX_QUEUES 256

struct nmp_xdp_prog {
	int link_fd;     /* our descriptor of the interface's link */
	int map_fd;      /* the XSKMAP the program redirects through */
	int native;      /* 1: driver (native) XDP; 0: generic (skb) XDP */
};

/* Attach the program to ifindex, or join the one a port already attached.
 * On failure nothing is left attached or open. */
int nmp_xdp_prog_attach(struct nmp_xdp_prog *x, int ifindex,
			const char *ifname, struct nmp_err *err);

/* Register socket fd for a queue; the kernel removes it when the socket
 * closes. */
int nmp_xdp_prog_add_socket(struct nmp_xdp_prog *x, uint32_t queue, int fd,
			    const char *ifname, struct nmp_err *err);

/* Drop our hold; the program detaches with the last holder. */
void nmp_xdp_prog_release(struct nmp_xdp_prog *x);

#endif
