/*
 * The C reference for pipe: ports: the same backend (csrc/port_pipe.c,
 * through the port contract) driven from C, two processes, so the JS
 * numbers have a ceiling to be read against. `npm run bench` builds it
 * into bench/out/pipe-ref and runs it (bench/pipe.ts); by hand:
 *
 *   cc -O2 -o /tmp/pipe-ref bench/pipe-ref.c csrc/port_pipe.c csrc/ring.c \
 *      csrc/mem.c csrc/nmp_err.c csrc/filter.c -lpcap -lpthread
 *   /tmp/pipe-ref [packets=50000000] [size=64] [slots=4096] [spin=0]
 *
 * spin: how many empty syncs the receiver makes before it sleeps in
 * poll(2) (0: sleep at once, as a session does).
 *
 * The sender writes a sequence number into each frame and sets its length;
 * the receiver reads the number back (touching the packet) and checks it.
 * Both walk the ring exactly as JS does: write head/cur into the shared
 * header, one sync per batch; an empty receiver sleeps in poll(2).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../csrc/port.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* name is "BASE{0" or "BASE}0"; the backend takes it parsed, as from
 * lib/ports.ts. */
static void open_end(struct nmp_port *p, const char *name, uint32_t slots)
{
	struct nmp_open_args a;
	struct nmp_err err;
	char base[64];
	size_t n = strcspn(name, "{}");

	memset(&a, 0, sizeof(a));
	memset(p, 0, sizeof(*p));
	snprintf(base, sizeof(base), "%.*s", (int)n, name);
	a.backend = "pipe";
	a.name = name;
	a.device = base;
	a.queue = -1;
	a.end = name[n] == '{' ? NMP_END_MASTER : NMP_END_SLAVE;
	a.pipe = (uint32_t)strtoul(name + n + 1, NULL, 10);
	a.snaplen = 262144;
	a.timeout_ms = 100;
	a.buffer_size = (uint64_t)slots * 2048;
	a.rx_slots = slots;
	a.fanout_mode = NMP_FANOUT_NONE;
	if (nmp_pipe_ops.open(p, &a, &err) < 0) {
		fprintf(stderr, "open %s: %s: %s\n", name, err.code, err.msg);
		exit(1);
	}
	p->ops = &nmp_pipe_ops;
}

static void sender(const char *name, uint64_t n, uint32_t size, uint32_t slots)
{
	struct nmp_port p;
	struct nmp_err err;
	uint64_t seq = 0;
	uint8_t *buf;
	double t0;

	open_end(&p, name, slots);
	if (p.ops->open_tx(&p, &err) < 0) {
		fprintf(stderr, "open_tx: %s\n", err.msg);
		exit(1);
	}
	buf = p.tx_buf->addr;
	t0 = now();
	while (seq < n) {
		uint32_t h = p.tx.hdr->head, t = p.tx.hdr->tail;
		while (h != t && seq < n) {
			struct nmp_slot *s = &p.tx.slot[h];
			memcpy(buf + s->offset + 14, &seq, sizeof(seq));
			s->len = size;
			h = h + 1 == p.tx.num_slots ? 0 : h + 1;
			seq++;
		}
		p.tx.hdr->head = p.tx.hdr->cur = h;
		if (p.ops->txsync(&p, &err) < 0) {
			fprintf(stderr, "txsync: %s\n", err.msg);
			exit(1);
		}
	}
	/* Wait for the receiver to take the last frames. */
	while (p.ops->txsync(&p, &err) >= 0 &&
	       p.tx.hdr->tail != (p.tx.hdr->head + p.tx.num_slots - 1) % p.tx.num_slots)
		usleep(100);
	fprintf(stderr, "sender:   %.2f Mpps\n", n / (now() - t0) / 1e6);
	p.ops->close(&p);
}

static void receiver(const char *name, uint64_t n, uint32_t slots,
		     uint32_t spin)
{
	uint32_t idle = 0;
	struct nmp_port p;
	struct nmp_err err;
	uint64_t got = 0, bad = 0, syncs = 0, sleeps = 0;
	uint8_t *buf;
	double t0 = 0;

	open_end(&p, name, slots);
	buf = p.rx_buf->addr;
	while (got < n) {
		int k = p.ops->rxsync(&p, &err);
		uint32_t h, t;

		syncs++;
		if (k < 0) {
			fprintf(stderr, "rxsync: %s\n", err.msg);
			exit(1);
		}
		if (k == 0) {
			struct pollfd pf = { p.ops->poll_fd(&p), POLLIN, 0 };
			if (++idle < spin)
				continue;
			idle = 0;
			sleeps++;
			poll(&pf, 1, 1000);
			continue;
		}
		if (!t0)
			t0 = now();
		for (h = p.rx.hdr->head, t = p.rx.hdr->tail; h != t;
		     h = h + 1 == p.rx.num_slots ? 0 : h + 1) {
			uint64_t seq;
			memcpy(&seq, buf + p.rx.slot[h].offset + 14, sizeof(seq));
			bad += seq != got;
			got++;
		}
		p.rx.hdr->head = p.rx.hdr->cur = h;
	}
	p.ops->rxsync(&p, &err);
	printf("receiver: %.2f Mpps (%llu packets, %llu out of sequence, "
	       "%.0f packets per sync, %llu sleeps)\n",
	       got / (now() - t0) / 1e6, (unsigned long long)got,
	       (unsigned long long)bad, (double)got / syncs,
	       (unsigned long long)sleeps);
	p.ops->close(&p);
}

int main(int argc, char **argv)
{
	uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 0) : 50000000;
	uint32_t size = argc > 2 ? (uint32_t)atoi(argv[2]) : 64;
	uint32_t slots = argc > 3 ? (uint32_t)atoi(argv[3]) : 4096;
	uint32_t spin = argc > 4 ? (uint32_t)atoi(argv[4]) : 0;
	char m[64], s[64];
	pid_t pid;
	int st = 0;

	snprintf(m, sizeof(m), "ref%d{0", (int)getpid());
	snprintf(s, sizeof(s), "ref%d}0", (int)getpid());
	pid = fork();
	if (pid == 0) {
		sender(m, n, size, slots);
		_exit(0);
	}
	receiver(s, n, slots, spin);
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "sender failed (status %#x)\n", st);
		return 1;
	}
	return 0;
}
