/*
 * Shared pieces of the Node-API binding (binding*.c).
 */
#ifndef NMP_BINDING_H
#define NMP_BINDING_H

#include <node_api.h>
#include "nmp_err.h"

/* Bail out of a napi callback when a call fails (an exception is pending). */
#define NAPI_OK(call)                                                  \
	do {                                                           \
		if ((call) != napi_ok) {                               \
			nmp_throw_last(env);                           \
			return NULL;                                   \
		}                                                      \
	} while (0)

/* Throw a PcapError (the class TypeScript registered) built from err. */
void nmp_throw(napi_env env, const struct nmp_err *err);
/* Throw a PcapError with a code and message. */
void nmp_throw_code(napi_env env, const char *code, const char *msg);
/* Make sure a failed napi call leaves an exception behind. */
void nmp_throw_last(napi_env env);

/* Argument readers: return 0, or throw EINVAL naming the argument. */
int nmp_arg_u32(napi_env env, napi_value v, const char *name, uint32_t *out);
int nmp_arg_i64(napi_env env, napi_value v, const char *name, int64_t *out);
int nmp_arg_string(napi_env env, napi_value v, const char *name, char *buf,
		   size_t size);
int nmp_prop_u32(napi_env env, napi_value obj, const char *key, uint32_t *out);
int nmp_prop_i64(napi_env env, napi_value obj, const char *key, int64_t *out);
int nmp_prop_string(napi_env env, napi_value obj, const char *key, char *buf,
		    size_t size);

/* Module-level exports, defined in their own files. */
napi_value nmp_port_class(napi_env env);
napi_value nmp_layout(napi_env env);
napi_value nmp_netmap_layout(napi_env env);
napi_value nmp_find_all_devs(napi_env env, napi_callback_info info);
napi_value nmp_set_error_class(napi_env env, napi_callback_info info);
napi_value nmp_compile_filter(napi_env env, napi_callback_info info);
napi_value nmp_filter_slots(napi_env env, napi_callback_info info);
napi_value nmp_walk_savefile(napi_env env, napi_callback_info info);
napi_value nmp_read_cached_js(napi_env env, napi_callback_info info);

#endif
