#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "binding.h"

/* Per-environment state (worker threads each load the binding). */
struct nmp_instance {
	napi_ref pcap_error;   /* the PcapError class TypeScript registered */
};

static void free_instance(napi_env env, void *data, void *hint)
{
	struct nmp_instance *inst = data;

	(void)hint;
	if (inst->pcap_error)
		napi_delete_reference(env, inst->pcap_error);
	free(inst);
}

static struct nmp_instance *instance(napi_env env)
{
	struct nmp_instance *inst = NULL;

	if (napi_get_instance_data(env, (void **)&inst) == napi_ok && inst)
		return inst;
	inst = calloc(1, sizeof(*inst));
	if (inst && napi_set_instance_data(env, inst, free_instance, NULL) != napi_ok) {
		free(inst);
		inst = NULL;
	}
	return inst;
}

napi_value nmp_set_error_class(napi_env env, napi_callback_info info)
{
	struct nmp_instance *inst = instance(env);
	size_t argc = 1;
	napi_value ctor;

	NAPI_OK(napi_get_cb_info(env, info, &argc, &ctor, NULL, NULL));
	if (!inst) {
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return NULL;
	}
	if (inst->pcap_error)
		napi_delete_reference(env, inst->pcap_error);
	NAPI_OK(napi_create_reference(env, ctor, 1, &inst->pcap_error));
	return NULL;
}

void nmp_throw_code(napi_env env, const char *code, const char *msg)
{
	struct nmp_instance *inst = instance(env);
	napi_ref ref = inst ? inst->pcap_error : NULL;
	napi_value ctor, args[2], error;

	if (ref && napi_get_reference_value(env, ref, &ctor) == napi_ok &&
	    ctor &&
	    napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &args[0]) == napi_ok &&
	    napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &args[1]) == napi_ok &&
	    napi_new_instance(env, ctor, 2, args, &error) == napi_ok) {
		napi_throw(env, error);
		return;
	}
	napi_throw_error(env, code, msg);
}

void nmp_throw(napi_env env, const struct nmp_err *err)
{
	nmp_throw_code(env, err->code ? err->code : "EIO", err->msg);
}

void nmp_throw_last(napi_env env)
{
	bool pending = false;
	const napi_extended_error_info *info = NULL;

	napi_is_exception_pending(env, &pending);
	if (pending)
		return;
	napi_get_last_error_info(env, &info);
	nmp_throw_code(env, "EINVAL", info && info->error_message ?
		       info->error_message : "Node-API call failed");
}

static int bad_arg(napi_env env, const char *name, const char *want)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "%s must be %s", name, want);
	nmp_throw_code(env, "EINVAL", msg);
	return -1;
}

int nmp_arg_u32(napi_env env, napi_value v, const char *name, uint32_t *out)
{
	if (napi_get_value_uint32(env, v, out) != napi_ok)
		return bad_arg(env, name, "an unsigned 32-bit integer");
	return 0;
}

int nmp_arg_i64(napi_env env, napi_value v, const char *name, int64_t *out)
{
	if (napi_get_value_int64(env, v, out) != napi_ok)
		return bad_arg(env, name, "an integer");
	return 0;
}

int nmp_arg_string(napi_env env, napi_value v, const char *name, char *buf,
		   size_t size)
{
	size_t len;

	if (napi_get_value_string_utf8(env, v, buf, size, &len) != napi_ok)
		return bad_arg(env, name, "a string");
	if (len + 1 >= size)
		return bad_arg(env, name, "shorter");
	return 0;
}

int nmp_prop_u32(napi_env env, napi_value obj, const char *key, uint32_t *out)
{
	napi_value v;

	if (napi_get_named_property(env, obj, key, &v) != napi_ok)
		return bad_arg(env, key, "present");
	return nmp_arg_u32(env, v, key, out);
}

int nmp_prop_string(napi_env env, napi_value obj, const char *key, char *buf,
		    size_t size)
{
	napi_value v;

	if (napi_get_named_property(env, obj, key, &v) != napi_ok)
		return bad_arg(env, key, "present");
	return nmp_arg_string(env, v, key, buf, size);
}

int nmp_prop_i64(napi_env env, napi_value obj, const char *key, int64_t *out)
{
	napi_value v;

	if (napi_get_named_property(env, obj, key, &v) != napi_ok)
		return bad_arg(env, key, "present");
	return nmp_arg_i64(env, v, key, out);
}
