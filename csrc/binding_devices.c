/*
 * findAllDevs(): libpcap's device list, as plain objects.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <string.h>
#include "binding.h"

static napi_value addr_string(napi_env env, const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN] = "";
	napi_value v;

	if (!sa)
		return NULL;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  buf, sizeof(buf));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
			  buf, sizeof(buf));
	else
		return NULL;
	if (napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &v) != napi_ok)
		return NULL;
	return v;
}

static int set_addr(napi_env env, napi_value obj, const char *key,
		    const struct sockaddr *sa)
{
	napi_value v = addr_string(env, sa);

	return v ? napi_set_named_property(env, obj, key, v) : napi_ok;
}

static napi_value device_object(napi_env env, const pcap_if_t *d)
{
	napi_value dev, addrs, v;
	const pcap_addr_t *a;
	uint32_t i = 0;

	NAPI_OK(napi_create_object(env, &dev));
	NAPI_OK(napi_create_string_utf8(env, d->name, NAPI_AUTO_LENGTH, &v));
	NAPI_OK(napi_set_named_property(env, dev, "name", v));
	if (d->description) {
		NAPI_OK(napi_create_string_utf8(env, d->description,
						NAPI_AUTO_LENGTH, &v));
		NAPI_OK(napi_set_named_property(env, dev, "description", v));
	}
	NAPI_OK(napi_create_uint32(env, d->flags, &v));
	NAPI_OK(napi_set_named_property(env, dev, "flags", v));
	NAPI_OK(napi_create_array(env, &addrs));
	for (a = d->addresses; a; a = a->next) {
		napi_value o;
		if (!addr_string(env, a->addr))
			continue;     /* link-layer addresses: not listed */
		NAPI_OK(napi_create_object(env, &o));
		NAPI_OK(set_addr(env, o, "addr", a->addr));
		NAPI_OK(set_addr(env, o, "netmask", a->netmask));
		NAPI_OK(set_addr(env, o, "broadaddr", a->broadaddr));
		NAPI_OK(set_addr(env, o, "dstaddr", a->dstaddr));
		NAPI_OK(napi_set_element(env, addrs, i++, o));
	}
	NAPI_OK(napi_set_named_property(env, dev, "addresses", addrs));
	return dev;
}

napi_value nmp_find_all_devs(napi_env env, napi_callback_info info)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_if_t *all = NULL, *d;
	napi_value out, dev;
	uint32_t i = 0;

	(void)info;
	if (pcap_findalldevs(&all, errbuf) < 0) {
		nmp_throw_code(env, "EIO", errbuf);
		return NULL;
	}
	if (napi_create_array(env, &out) != napi_ok)
		goto fail;
	for (d = all; d; d = d->next) {
		dev = device_object(env, d);
		if (!dev || napi_set_element(env, out, i++, dev) != napi_ok)
			goto fail;
	}
	pcap_freealldevs(all);
	return out;
fail:
	pcap_freealldevs(all);
	nmp_throw_last(env);
	return NULL;
}
