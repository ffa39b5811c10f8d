/*
 * The whole native surface of netmap-pcap, in one place.
 */
#include <pcap/pcap.h>
#include "binding.h"

static napi_value lib_version(napi_env env, napi_callback_info info)
{
	napi_value v;

	(void)info;
	NAPI_OK(napi_create_string_utf8(env, pcap_lib_version(),
					NAPI_AUTO_LENGTH, &v));
	return v;
}

static napi_value init(napi_env env, napi_value exports)
{
	napi_value port_class = nmp_port_class(env);
	napi_value layout = nmp_layout(env);
	napi_value netmap_abi = nmp_netmap_layout(env);
	napi_property_descriptor props[] = {
		/* class Port: open, openTx, rxsync, txsync, memory, info,
		 * stats, setFilter, setDirection, pollStart, pollStop, setRef,
		 * waitReadable, failure, close (binding_port.c) */
		{ "Port", NULL, NULL, NULL, NULL, port_class, napi_enumerable, NULL },
		/* sizeof / offsetof / flag constants (binding_layout.c) */
		{ "layout", NULL, NULL, NULL, NULL, layout, napi_enumerable, NULL },
		/* netmap's ABI as port_netmap.c sees it, for its layout test
		 * (binding_layout.c) */
		{ "netmapAbi", NULL, NULL, NULL, NULL, netmap_abi, napi_enumerable, NULL },
		{ "setErrorClass", NULL, nmp_set_error_class, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "findAllDevs", NULL, nmp_find_all_devs, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "libVersion", NULL, lib_version, NULL, NULL, NULL, napi_enumerable, NULL },
		/* filters over memory JS owns (binding_filter.c) */
		{ "compileFilter", NULL, nmp_compile_filter, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "filterSlots", NULL, nmp_filter_slots, NULL, NULL, NULL, napi_enumerable, NULL },
		/* savefile records parsed and filtered into slots, a batch per
		 * call; reads that never wait for the disk (binding_savefile.c) */
		{ "walkSavefile", NULL, nmp_walk_savefile, NULL, NULL, NULL, napi_enumerable, NULL },
		{ "readCached", NULL, nmp_read_cached_js, NULL, NULL, NULL, napi_enumerable, NULL },
	};

	if (!port_class || !layout || !netmap_abi)
		return NULL;
	NAPI_OK(napi_define_properties(env, exports,
				       sizeof(props) / sizeof(props[0]), props));
	return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
