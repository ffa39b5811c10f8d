/*
 * The Port class JavaScript sees: a thin wrapper over struct nmp_port.
 *
 * Ring and buffer memory are handed out as external ArrayBuffers, once
 * each; close() detaches them so JS sees empty buffers instead of freed
 * memory (see mem.h for the lifetime rules). Readiness comes from libuv's
 * uv_poll on the port's descriptor, so waiting never blocks the event loop.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <uv.h>
#include "binding.h"
#include "filter.h"
#include "port.h"

enum { MEM_RX_RING, MEM_RX_BUF, MEM_TX_RING, MEM_TX_BUF, MEM_COUNT };

/* Joint custody of one ArrayBuffer's reference on a struct nmp_mem. */
struct holder {
	struct nmp_mem *mem;
	int dropped;     /* the reference on mem was given back */
	int finalized;   /* V8 collected the ArrayBuffer */
	int orphaned;    /* the port is gone; the finalizer frees us */
};

struct poller {
	uv_poll_t handle;
	napi_env env;
	napi_ref callback;
	napi_async_context ctx;
	int refed;
};

struct port_wrap {
	struct nmp_port port;
	napi_env env;
	napi_ref arraybuffer[MEM_COUNT];   /* weak */
	struct holder *holder[MEM_COUNT];
	struct poller *poller;
	int unrefed;                       /* unref() before polling started */
};

static void holder_drop(struct holder *h)
{
	if (!h->dropped) {
		h->dropped = 1;
		nmp_mem_unref(h->mem);
	}
}

static void arraybuffer_finalize(napi_env env, void *data, void *hint)
{
	struct holder *h = hint;

	(void)env; (void)data;
	holder_drop(h);
	if (h->orphaned)
		free(h);
	else
		h->finalized = 1;
}

/* Let go of the ArrayBuffers; detach them if we may call into JS. */
static void release_arraybuffers(struct port_wrap *w, int detach)
{
	int i;

	for (i = 0; i < MEM_COUNT; i++) {
		struct holder *h = w->holder[i];
		napi_value ab = NULL;

		if (w->arraybuffer[i]) {
			if (detach &&
			    napi_get_reference_value(w->env, w->arraybuffer[i],
						     &ab) == napi_ok && ab)
				napi_detach_arraybuffer(w->env, ab);
			napi_delete_reference(w->env, w->arraybuffer[i]);
			w->arraybuffer[i] = NULL;
		}
		if (!h)
			continue;
		if (detach)
			holder_drop(h);   /* nothing in JS can reach the memory */
		if (h->finalized)
			free(h);
		else
			h->orphaned = 1;
		w->holder[i] = NULL;
	}
}

static void poller_closed(uv_handle_t *handle)
{
	free(handle->data);
}

static void poller_stop(struct port_wrap *w)
{
	struct poller *p = w->poller;

	if (!p)
		return;
	w->poller = NULL;
	uv_poll_stop(&p->handle);
	napi_delete_reference(p->env, p->callback);
	napi_async_destroy(p->env, p->ctx);
	uv_close((uv_handle_t *)&p->handle, poller_closed);
}

static void do_close(struct port_wrap *w, int detach)
{
	poller_stop(w);
	release_arraybuffers(w, detach);
	nmp_port_close(&w->port);
}

static void port_finalize(napi_env env, void *data, void *hint)
{
	(void)env; (void)hint;
	do_close(data, 0);
	free(data);
}

static struct port_wrap *this_port(napi_env env, napi_callback_info info,
				   size_t *argc, napi_value *argv)
{
	napi_value self;
	void *w = NULL;

	if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok ||
	    napi_unwrap(env, self, &w) != napi_ok) {
		nmp_throw_code(env, "EINVAL", "not a Port");
		return NULL;
	}
	return w;
}

static napi_value port_new(napi_env env, napi_callback_info info)
{
	struct port_wrap *w = calloc(1, sizeof(*w));
	napi_value self;

	if (!w) {
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return NULL;
	}
	w->env = env;
	w->port.ops = &nmp_closed_ops;
	if (napi_get_cb_info(env, info, NULL, NULL, &self, NULL) != napi_ok ||
	    napi_wrap(env, self, w, port_finalize, NULL, NULL) != napi_ok) {
		free(w);
		nmp_throw_last(env);
		return NULL;
	}
	return self;
}

/* The "filter" property: null, or a string the caller must free. */
static int read_filter(napi_env env, napi_value o, char **out)
{
	napi_value v;
	napi_valuetype t;
	size_t len;

	*out = NULL;
	if (napi_get_named_property(env, o, "filter", &v) != napi_ok ||
	    napi_typeof(env, v, &t) != napi_ok)
		return -1;
	if (t == napi_null || t == napi_undefined)
		return 0;
	if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) {
		nmp_throw_code(env, "EINVAL", "filter must be a string");
		return -1;
	}
	*out = malloc(len + 1);
	if (!*out) {
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return -1;
	}
	napi_get_value_string_utf8(env, v, *out, len + 1, &len);
	return 0;
}

static int read_open_args(napi_env env, napi_value o, struct nmp_open_args *a)
{
	uint32_t promisc, immediate, direction, group;
	int64_t buffer_size, fanout;

	memset(a, 0, sizeof(*a));
	if (nmp_prop_u32(env, o, "snaplen", &a->snaplen) ||
	    nmp_prop_u32(env, o, "promisc", &promisc) ||
	    nmp_prop_u32(env, o, "timeoutMs", &a->timeout_ms) ||
	    nmp_prop_u32(env, o, "immediate", &immediate) ||
	    nmp_prop_i64(env, o, "bufferSize", &buffer_size) ||
	    nmp_prop_u32(env, o, "rxSlots", &a->rx_slots) ||
	    nmp_prop_u32(env, o, "direction", &direction) ||
	    nmp_prop_i64(env, o, "fanoutMode", &fanout) ||
	    nmp_prop_u32(env, o, "fanoutGroup", &group))
		return -1;
	/* TypeScript validated these; C asserts the ranges it relies on. */
	if (a->rx_slots < 2 || buffer_size <= 0 || direction > NMP_DIR_OUT ||
	    fanout < NMP_FANOUT_NONE || fanout > NMP_FANOUT_ROLLOVER ||
	    group > 0xffff) {
		nmp_throw_code(env, "EINVAL", "open arguments out of range");
		return -1;
	}
	a->promisc = promisc != 0;
	a->immediate = immediate != 0;
	a->buffer_size = (uint64_t)buffer_size;
	a->direction = direction;
	a->fanout_mode = (enum nmp_fanout_mode)fanout;
	a->fanout_group = (uint16_t)group;
	return 0;
}

/* The parsed port name (lib/ports.ts's PortName, as NativePortName). */
struct port_name_buf {
	char backend[16], name[256], device[64], vale_switch[32];
};

static int read_port_name(napi_env env, napi_value o, struct port_name_buf *b,
			  struct nmp_open_args *a)
{
	napi_value v;
	int64_t queue;
	uint32_t end, pipe, rings;

	if (napi_get_named_property(env, o, "port", &v) != napi_ok ||
	    nmp_prop_string(env, v, "backend", b->backend, sizeof(b->backend)) ||
	    nmp_prop_string(env, v, "name", b->name, sizeof(b->name)) ||
	    nmp_prop_string(env, v, "device", b->device, sizeof(b->device)) ||
	    nmp_prop_string(env, v, "valeSwitch", b->vale_switch,
			    sizeof(b->vale_switch)) ||
	    nmp_prop_i64(env, v, "queue", &queue) ||
	    nmp_prop_u32(env, v, "end", &end) ||
	    nmp_prop_u32(env, v, "pipe", &pipe) ||
	    nmp_prop_u32(env, v, "rings", &rings))
		return -1;
	if (queue < -1 || queue > 65535 || end > NMP_END_SLAVE ||
	    pipe > 65535 || rings > NMP_RINGS_ALL) {
		nmp_throw_code(env, "EINVAL", "port name fields out of range");
		return -1;
	}
	a->backend = b->backend;
	a->name = b->name;
	a->device = b->device;
	a->vale_switch = b->vale_switch;
	a->queue = (int32_t)queue;
	a->end = (enum nmp_pipe_end)end;
	a->pipe = pipe;
	a->rings = (enum nmp_rings)rings;
	return 0;
}

static napi_value port_open(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct nmp_open_args a;
	struct port_name_buf names;
	struct nmp_err err;
	char *filter;

	if (!w || argc < 1 ||
	    read_open_args(env, argv[0], &a) ||
	    read_port_name(env, argv[0], &names, &a) ||
	    read_filter(env, argv[0], &filter))
		return NULL;
	a.filter = filter;
	if (nmp_port_open(&w->port, &a, &err) < 0)
		nmp_throw(env, &err);
	free(filter);
	return NULL;
}

/* rxsync, txsync, openTx share one shape: call, throw or return a count. */
static napi_value port_sync(napi_env env, napi_callback_info info,
			    int (*op)(struct nmp_port *, struct nmp_err *))
{
	size_t argc = 0;
	struct port_wrap *w = this_port(env, info, &argc, NULL);
	struct nmp_err err;
	napi_value out;
	int n;

	if (!w)
		return NULL;
	n = op(&w->port, &err);
	if (n < 0) {
		nmp_throw(env, &err);
		return NULL;
	}
	NAPI_OK(napi_create_int32(env, n, &out));
	return out;
}

static int op_rxsync(struct nmp_port *p, struct nmp_err *e)
{
	return p->ops->rxsync(p, e);
}

static int op_txsync(struct nmp_port *p, struct nmp_err *e)
{
	return p->ops->txsync(p, e);
}

static int op_open_tx(struct nmp_port *p, struct nmp_err *e)
{
	return p->ops->open_tx(p, e);
}

/* rxsync(mayWait = true): false from ring walkers that sync again
 * without sleeping (see nmp_port.rx_spinning). */
static napi_value port_rxsync(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], out;
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct nmp_err err;
	bool may_wait = true;
	int n;

	if (!w)
		return NULL;
	if (argc >= 1 && napi_get_value_bool(env, argv[0], &may_wait) != napi_ok) {
		nmp_throw_code(env, "EINVAL", "mayWait must be a boolean");
		return NULL;
	}
	w->port.rx_spinning = !may_wait;
	n = op_rxsync(&w->port, &err);
	w->port.rx_spinning = 0;
	if (n < 0) {
		nmp_throw(env, &err);
		return NULL;
	}
	NAPI_OK(napi_create_int32(env, n, &out));
	return out;
}

static napi_value port_txsync(napi_env env, napi_callback_info info)
{
	return port_sync(env, info, op_txsync);
}

static napi_value port_open_tx(napi_env env, napi_callback_info info)
{
	return port_sync(env, info, op_open_tx);
}

/* memory(which): the ArrayBuffer over a ring or its buffers, made once. */
static napi_value port_memory(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], ab = NULL;
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct nmp_mem *mem[MEM_COUNT];
	struct holder *h;
	uint32_t which;

	if (!w || argc < 1 || nmp_arg_u32(env, argv[0], "which", &which))
		return NULL;
	if (which >= MEM_COUNT) {
		nmp_throw_code(env, "EINVAL", "no such memory region");
		return NULL;
	}
	if (w->arraybuffer[which] &&
	    napi_get_reference_value(env, w->arraybuffer[which], &ab) == napi_ok &&
	    ab)
		return ab;
	mem[MEM_RX_RING] = w->port.rx.mem;
	mem[MEM_RX_BUF] = w->port.rx_buf;
	mem[MEM_TX_RING] = w->port.tx.mem;
	mem[MEM_TX_BUF] = w->port.tx_buf;
	if (!mem[which]) {
		nmp_throw_code(env, w->port.ops == &nmp_closed_ops ? "ECLOSED" :
			       "EINVAL", w->port.ops == &nmp_closed_ops ?
			       "the port is closed" : "that ring is not set up");
		return NULL;
	}
	/* A collected ArrayBuffer leaves its holder to its finalizer. */
	if (w->arraybuffer[which]) {
		napi_delete_reference(env, w->arraybuffer[which]);
		w->arraybuffer[which] = NULL;
		if (w->holder[which]->finalized)
			free(w->holder[which]);
		else
			w->holder[which]->orphaned = 1;
		w->holder[which] = NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return NULL;
	}
	h->mem = mem[which];
	nmp_mem_ref(h->mem);
	if (napi_create_external_arraybuffer(env, h->mem->addr, h->mem->len,
					     arraybuffer_finalize, h, &ab) != napi_ok ||
	    napi_create_reference(env, ab, 0, &w->arraybuffer[which]) != napi_ok) {
		holder_drop(h);
		free(h);
		nmp_throw_last(env);
		return NULL;
	}
	w->holder[which] = h;
	return ab;
}

/* out.mode = how packets reach the rings, where the backend says. */
static void set_mode(napi_env env, napi_value out, const struct nmp_port *p)
{
	napi_value v;

	if (p->mode &&
	    napi_create_string_utf8(env, p->mode, NAPI_AUTO_LENGTH, &v) == napi_ok)
		napi_set_named_property(env, out, "mode", v);
}

static napi_value port_info(napi_env env, napi_callback_info info)
{
	size_t argc = 0;
	struct port_wrap *w = this_port(env, info, &argc, NULL);
	napi_value out, v;

	if (!w)
		return NULL;
	NAPI_OK(napi_create_object(env, &out));
	NAPI_OK(napi_create_int32(env, w->port.ops->poll_fd(&w->port), &v));
	NAPI_OK(napi_set_named_property(env, out, "fd", v));
	NAPI_OK(napi_create_uint32(env, w->port.linktype, &v));
	NAPI_OK(napi_set_named_property(env, out, "linktype", v));
	NAPI_OK(napi_create_uint32(env, w->port.snaplen, &v));
	NAPI_OK(napi_set_named_property(env, out, "snaplen", v));
	NAPI_OK(napi_create_uint32(env, w->port.tx_max_len, &v));
	NAPI_OK(napi_set_named_property(env, out, "txMaxLen", v));
	NAPI_OK(napi_create_string_utf8(env, w->port.ops->name,
					NAPI_AUTO_LENGTH, &v));
	NAPI_OK(napi_set_named_property(env, out, "backend", v));
	set_mode(env, out, &w->port);
	return out;
}

static napi_value port_stats(napi_env env, napi_callback_info info)
{
	size_t argc = 0;
	struct port_wrap *w = this_port(env, info, &argc, NULL);
	struct nmp_stats st;
	struct nmp_err err;
	napi_value out, v;

	if (!w)
		return NULL;
	if (w->port.ops->stats(&w->port, &st, &err) < 0) {
		nmp_throw(env, &err);
		return NULL;
	}
	NAPI_OK(napi_create_object(env, &out));
	NAPI_OK(napi_create_double(env, (double)st.recv, &v));
	NAPI_OK(napi_set_named_property(env, out, "recv", v));
	NAPI_OK(napi_create_double(env, (double)st.drop, &v));
	NAPI_OK(napi_set_named_property(env, out, "drop", v));
	NAPI_OK(napi_create_double(env, (double)st.ifdrop, &v));
	NAPI_OK(napi_set_named_property(env, out, "ifdrop", v));
	set_mode(env, out, &w->port);
	return out;
}

/* setFilter(expr | null, optimize, netmask) */
static napi_value port_set_filter(napi_env env, napi_callback_info info)
{
	size_t argc = 3;
	napi_value argv[3];
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct bpf_program prog;
	struct nmp_err err;
	napi_valuetype t;
	uint32_t optimize, netmask;
	size_t len;
	char *expr;
	int rc;

	if (!w || argc < 3 || napi_typeof(env, argv[0], &t) != napi_ok ||
	    nmp_arg_u32(env, argv[1], "optimize", &optimize) ||
	    nmp_arg_u32(env, argv[2], "netmask", &netmask))
		return NULL;
	if (w->port.ops == &nmp_closed_ops) {
		nmp_throw_code(env, "ECLOSED", "the port is closed");
		return NULL;
	}
	if (t == napi_null) {
		if (w->port.ops->setfilter(&w->port, NULL, &err) < 0)
			nmp_throw(env, &err);
		return NULL;
	}
	NAPI_OK(napi_get_value_string_utf8(env, argv[0], NULL, 0, &len));
	expr = malloc(len + 1);
	if (!expr) {
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return NULL;
	}
	napi_get_value_string_utf8(env, argv[0], expr, len + 1, &len);
	rc = nmp_filter_compile(&prog, expr, (int)w->port.linktype,
				w->port.snaplen, (int)optimize, netmask, &err);
	free(expr);
	if (rc < 0) {
		nmp_throw(env, &err);
		return NULL;
	}
	rc = w->port.ops->setfilter(&w->port, &prog, &err);
	nmp_filter_free(&prog);
	if (rc < 0)
		nmp_throw(env, &err);
	return NULL;
}

static napi_value port_set_direction(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct nmp_err err;
	uint32_t dir;

	if (!w || argc < 1 || nmp_arg_u32(env, argv[0], "direction", &dir))
		return NULL;
	if (dir > NMP_DIR_OUT) {
		nmp_throw_code(env, "EINVAL", "direction out of range");
		return NULL;
	}
	if (w->port.ops->setdirection(&w->port, dir, &err) < 0)
		nmp_throw(env, &err);
	return NULL;
}

static napi_value port_close(napi_env env, napi_callback_info info)
{
	size_t argc = 0;
	struct port_wrap *w = this_port(env, info, &argc, NULL);

	if (w)
		do_close(w, 1);
	return NULL;
}

static void poller_ready(uv_poll_t *handle, int status, int events)
{
	struct poller *p = handle->data;
	napi_env env = p->env;
	napi_handle_scope scope;
	napi_value cb, recv, argv[2], result;

	if (napi_open_handle_scope(env, &scope) != napi_ok)
		return;
	if (napi_get_reference_value(env, p->callback, &cb) == napi_ok && cb &&
	    napi_get_global(env, &recv) == napi_ok &&
	    napi_create_int32(env, status, &argv[0]) == napi_ok &&
	    napi_create_int32(env, events, &argv[1]) == napi_ok &&
	    /* make_callback: async hooks and microtasks as for any I/O. */
	    napi_make_callback(env, p->ctx, recv, cb, 2, argv, &result) ==
		    napi_pending_exception) {
		/* A throwing listener is an uncaught exception, as for any
		 * I/O callback: 'uncaughtException' or exit. */
		napi_value e;
		if (napi_get_and_clear_last_exception(env, &e) == napi_ok)
			napi_fatal_exception(env, e);
	}
	napi_close_handle_scope(env, scope);
}

/* pollStart(callback): call callback(status, events) when readable. */
static napi_value port_poll_start(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], name;
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct poller *p;
	uv_loop_t *loop;
	int fd;

	if (!w || argc < 1)
		return NULL;
	fd = w->port.ops->poll_fd(&w->port);
	if (fd < 0) {
		nmp_throw_code(env, "ECLOSED", "the port is closed");
		return NULL;
	}
	if (w->poller)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		nmp_throw_code(env, "ENOMEM", "out of memory");
		return NULL;
	}
	p->env = env;
	p->handle.data = p;
	if (napi_get_uv_event_loop(env, &loop) != napi_ok ||
	    uv_poll_init(loop, &p->handle, fd) != 0) {
		free(p);
		nmp_throw_code(env, "EIO", "cannot watch the port's descriptor");
		return NULL;
	}
	if (napi_create_reference(env, argv[0], 1, &p->callback) != napi_ok ||
	    napi_create_string_utf8(env, "netmap-pcap:poll", NAPI_AUTO_LENGTH,
				    &name) != napi_ok ||
	    napi_async_init(env, NULL, name, &p->ctx) != napi_ok) {
		uv_close((uv_handle_t *)&p->handle, poller_closed);
		nmp_throw_last(env);
		return NULL;
	}
	w->poller = p;
	if (w->unrefed)
		uv_unref((uv_handle_t *)&p->handle);
	uv_poll_start(&p->handle, UV_READABLE, poller_ready);
	return NULL;
}

static napi_value port_poll_stop(napi_env env, napi_callback_info info)
{
	size_t argc = 0;
	struct port_wrap *w = this_port(env, info, &argc, NULL);

	if (w)
		poller_stop(w);
	return NULL;
}

/* setRef(bool): whether a waiting port keeps the process alive. */
static napi_value port_set_ref(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1];
	struct port_wrap *w = this_port(env, info, &argc, argv);
	bool on;

	if (!w || argc < 1 || napi_get_value_bool(env, argv[0], &on) != napi_ok)
		return NULL;
	w->unrefed = !on;
	if (w->poller) {
		if (on)
			uv_ref((uv_handle_t *)&w->poller->handle);
		else
			uv_unref((uv_handle_t *)&w->poller->handle);
	}
	return NULL;
}

/* waitReadable(timeoutMs): block this thread until readable (busy loops,
 * workers). Returns true if readable, false on timeout. */
static napi_value port_wait_readable(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], out;
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct pollfd pfd;
	int64_t timeout;
	int rc;

	if (!w || argc < 1 || nmp_arg_i64(env, argv[0], "timeoutMs", &timeout))
		return NULL;
	pfd.fd = w->port.ops->poll_fd(&w->port);
	pfd.events = POLLIN;
	if (pfd.fd < 0) {
		nmp_throw_code(env, "ECLOSED", "the port is closed");
		return NULL;
	}
	do
		rc = poll(&pfd, 1, timeout > INT32_MAX ? INT32_MAX : (int)timeout);
	while (rc < 0 && errno == EINTR);
	NAPI_OK(napi_get_boolean(env, rc > 0, &out));
	return out;
}

/* txWait(timeoutMs): wait, at most timeoutMs, for a free TX slot (the
 * tx_wait op). Returns the free slots; 0 means still full. */
static napi_value port_tx_wait(napi_env env, napi_callback_info info)
{
	size_t argc = 1;
	napi_value argv[1], out;
	struct port_wrap *w = this_port(env, info, &argc, argv);
	struct nmp_err err;
	int64_t timeout;
	int n;

	if (!w || argc < 1 || nmp_arg_i64(env, argv[0], "timeoutMs", &timeout))
		return NULL;
	if (timeout < 0 || timeout > 60000) {
		nmp_throw_code(env, "EINVAL", "timeoutMs must be 0 to 60000");
		return NULL;
	}
	n = w->port.ops->tx_wait(&w->port, (uint32_t)timeout, &err);
	if (n < 0) {
		nmp_throw(env, &err);
		return NULL;
	}
	NAPI_OK(napi_create_int32(env, n, &out));
	return out;
}

/* failure(): what stopped the port (a link that went down, a peer gone:
 * the backend's failure op) as { code, message }, or null. */
static napi_value port_failure(napi_env env, napi_callback_info info)
{
	size_t argc = 0;
	struct port_wrap *w = this_port(env, info, &argc, NULL);
	napi_value out;
	struct nmp_err err;

	if (!w)
		return NULL;
	if (!nmp_port_failure(&w->port, &err)) {
		NAPI_OK(napi_get_null(env, &out));
		return out;
	}
	{
		napi_value msg, code, ctor_err;
		NAPI_OK(napi_create_string_utf8(env, err.msg, NAPI_AUTO_LENGTH, &msg));
		NAPI_OK(napi_create_string_utf8(env, err.code, NAPI_AUTO_LENGTH, &code));
		NAPI_OK(napi_create_object(env, &ctor_err));
		NAPI_OK(napi_set_named_property(env, ctor_err, "code", code));
		NAPI_OK(napi_set_named_property(env, ctor_err, "message", msg));
		return ctor_err;
	}
}

napi_value nmp_port_class(napi_env env)
{
	napi_property_descriptor methods[] = {
		{ "open", NULL, port_open, NULL, NULL, NULL, napi_default, NULL },
		{ "openTx", NULL, port_open_tx, NULL, NULL, NULL, napi_default, NULL },
		{ "rxsync", NULL, port_rxsync, NULL, NULL, NULL, napi_default, NULL },
		{ "txsync", NULL, port_txsync, NULL, NULL, NULL, napi_default, NULL },
		{ "txWait", NULL, port_tx_wait, NULL, NULL, NULL, napi_default, NULL },
		{ "memory", NULL, port_memory, NULL, NULL, NULL, napi_default, NULL },
		{ "info", NULL, port_info, NULL, NULL, NULL, napi_default, NULL },
		{ "stats", NULL, port_stats, NULL, NULL, NULL, napi_default, NULL },
		{ "setFilter", NULL, port_set_filter, NULL, NULL, NULL, napi_default, NULL },
		{ "setDirection", NULL, port_set_direction, NULL, NULL, NULL, napi_default, NULL },
		{ "pollStart", NULL, port_poll_start, NULL, NULL, NULL, napi_default, NULL },
		{ "pollStop", NULL, port_poll_stop, NULL, NULL, NULL, napi_default, NULL },
		{ "setRef", NULL, port_set_ref, NULL, NULL, NULL, napi_default, NULL },
		{ "waitReadable", NULL, port_wait_readable, NULL, NULL, NULL, napi_default, NULL },
		{ "failure", NULL, port_failure, NULL, NULL, NULL, napi_default, NULL },
		{ "close", NULL, port_close, NULL, NULL, NULL, napi_default, NULL },
	};
	napi_value cls;

	NAPI_OK(napi_define_class(env, "Port", NAPI_AUTO_LENGTH, port_new, NULL,
				  sizeof(methods) / sizeof(methods[0]), methods,
				  &cls));
	return cls;
}
