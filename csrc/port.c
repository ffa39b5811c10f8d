/*
 * Backend selection and the closed state every port starts and ends in.
 */
#include <string.h>
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
	.poll_fd = closed_poll_fd,
	.stats = closed_stats,
	.setfilter = closed_setfilter,
	.setdirection = closed_setdirection,
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
