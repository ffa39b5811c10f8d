#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "netdev.h"

int nmp_ioctl_ifreq(int fd, unsigned long req, const char *ifname,
		    struct ifreq *ifr)
{
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", ifname);
	return ioctl(fd, req, ifr);
}

uint64_t nmp_read_ifdrop(const char *ifname)
{
	char path[96];
	unsigned long long v = 0;
	FILE *f;

	if (!ifname[0])
		return 0;
	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/rx_dropped",
		 ifname);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

uint64_t nmp_ifdrop_since(const char *ifname, uint64_t base)
{
	uint64_t now = nmp_read_ifdrop(ifname);

	/* A counter reset (the device re-created) is not negative drops. */
	return now > base ? now - base : 0;
}
