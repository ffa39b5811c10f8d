/*
 * Backend selection, the closed state every port starts and ends in, and
 * the defaults backends share.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include "port.h"

static int closed_fail(struct nmp_err *err)
{
	return nmp_fail(err, "ECLOSED", "the port is closed");
}

static int closed_open(struct nmp_port *p, const struct nmp_open_args *a,
		       struct nmp_err *err)
{
	(void)p; (void)a;
	return closed_fail(err);
}

static int closed_op(struct nmp_port *p, struct nmp_err *err)
{
	(void)p;
	return closed_fail(err);
}

static int closed_tx_wait(struct nmp_port *p, uint32_t timeout_ms,
			  struct nmp_err *err)
{
	(void)p; (void)timeout_ms;
	return closed_fail(err);
}

static int closed_poll_fd(struct nmp_port *p)
{
	(void)p;
	return -1;
}

static int closed_stats(struct nmp_port *p, struct nmp_stats *st,
			struct nmp_err *err)
{
	(void)p; (void)st;
	return closed_fail(err);
}

static int closed_setfilter(struct nmp_port *p, const struct bpf_program *prog,
			    struct nmp_err *err)
{
	(void)p; (void)prog;
	return closed_fail(err);
}

static int closed_setdirection(struct nmp_port *p, enum nmp_direction dir,
			       struct nmp_err *err)
{
	(void)p; (void)dir;
	return closed_fail(err);
}

static int closed_failure(struct nmp_port *p, struct nmp_err *err)
{
	(void)p; (void)err;
	return 0;
}

static void closed_close(struct nmp_port *p)
{
	(void)p;
}

const struct nmp_port_ops nmp_closed_ops = {
	.name = "closed",
	.open = closed_open,
	.open_tx = closed_op,
	.rxsync = closed_op,
	.txsync = closed_op,
	.tx_wait = closed_tx_wait,
	.poll_fd = closed_poll_fd,
	.stats = closed_stats,
	.setfilter = closed_setfilter,
	.setdirection = closed_setdirection,
	.failure = closed_failure,
	.close = closed_close,
};

/* Every backend, by the name lib/ports.ts gives it. */
static const struct nmp_port_ops *const backends[] = {
	&nmp_afpacket_ops,
	&nmp_pipe_ops,
	&nmp_xdp_ops,
	&nmp_netmap_ops,
	&nmp_vale_ops,
};

int nmp_port_open(struct nmp_port *p, const struct nmp_open_args *a,
		  struct nmp_err *err)
{
	const struct nmp_port_ops *ops = NULL;
	size_t i;

	if (p->ops && p->ops != &nmp_closed_ops)
		return nmp_fail(err, "EBUSY", "the port is already open");
	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (strcmp(a->backend, backends[i]->name) == 0)
			ops = backends[i];
	if (!ops)
		return nmp_fail(err, "EINVAL", "no backend named \"%.32s\"",
				a->backend);
	memset(p, 0, sizeof(*p));
	p->ops = &nmp_closed_ops;
	if (ops->open(p, a, err) < 0) {
		memset(p, 0, sizeof(*p));
		p->ops = &nmp_closed_ops;
		return -1;
	}
	p->ops = ops;
	return 0;
}

void nmp_port_close(struct nmp_port *p)
{
	if (p->ops)
		p->ops->close(p);
	memset(p, 0, sizeof(*p));
	p->ops = &nmp_closed_ops;
}

int nmp_socket_failure(struct nmp_port *p, struct nmp_err *err)
{
	socklen_t len = sizeof(int);
	int e = 0, fd = p->ops->poll_fd(p);

	if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) < 0 || !e)
		return 0;
	nmp_fail(err, nmp_errno_code(e), "the port failed: %s%s", strerror(e),
		 e == ENETDOWN ? " (the interface went down; bring it up and "
				 "open the port again)" : "");
	return 1;
}

int nmp_port_failure(struct nmp_port *p, struct nmp_err *err)
{
	return p->ops->failure ? p->ops->failure(p, err)
			       : nmp_socket_failure(p, err);
}
