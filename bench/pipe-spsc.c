/*
 * The machine's limit for the pipe table: a bare single-producer,
 * single-consumer ring in shared memory between two processes, the
 * reference issue 13 measures pipe: ports against.
 *
 * No library, no system call on the data path: 2048 slots of {buffer
 * index, length} and 2048 buffers of 2048 bytes in one MAP_SHARED region,
 * the producer's and the consumer's index each on its own cache line,
 * batches of up to 256. With TOUCH "all" (issue 13's definition) the
 * producer writes every byte of each frame (a template plus its sequence
 * number) and the consumer reads every byte (sums it); with "seq" both
 * touch only the 4 sequence bytes at offset 14, the work the JS rows of
 * the bench do. The consumer checks the sequence either way. Each process
 * is pinned to its own core and spins: nothing sleeps.
 *
 * Usage: pipe-spsc COUNT [SIZE [all|seq]]
 * Prints: "bare: X Mpps (N packets, B out of sequence, sum S)"
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 2048u
#define BUF_SIZE 2048u
#define BATCH 256u
#define CACHELINE 64

struct slot {
	uint32_t buf;
	uint32_t len;
};

struct ring {
	uint32_t prod __attribute__((aligned(CACHELINE)));
	uint32_t cons __attribute__((aligned(CACHELINE)));
	struct slot slot[SLOTS] __attribute__((aligned(CACHELINE)));
	unsigned char buf[SLOTS][BUF_SIZE] __attribute__((aligned(4096)));
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror("sched_setaffinity (running unpinned)");
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void produce(struct ring *r, uint64_t count, uint32_t size, int all)
{
	unsigned char frame[BUF_SIZE];
	uint32_t prod = 0;
	uint64_t seq = 0;

	for (uint32_t i = 0; i < size; i++)
		frame[i] = (unsigned char)(i * 7);
	while (seq < count) {
		uint32_t cons = __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE);
		uint32_t room = (cons + SLOTS - prod - 1) % SLOTS;
		uint32_t n = room < BATCH ? room : BATCH;

		if (n > count - seq)
			n = (uint32_t)(count - seq);
		for (uint32_t k = 0; k < n; k++) {
			unsigned char *b = r->buf[prod];
			uint32_t s = (uint32_t)seq++;

			if (all)
				memcpy(b, frame, size);
			memcpy(b + 14, &s, sizeof(s));
			r->slot[prod].buf = prod;
			r->slot[prod].len = size;
			prod = prod + 1 == SLOTS ? 0 : prod + 1;
		}
		if (n)
			__atomic_store_n(&r->prod, prod, __ATOMIC_RELEASE);
	}
}

static int consume(struct ring *r, uint64_t count, int all)
{
	uint32_t cons = 0, expect = 0;
	uint64_t got = 0, bad = 0, sum = 0;
	double t0 = 0, t1;

	while (got < count) {
		uint32_t prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE);
		uint32_t n = 0;

		while (cons != prod && n < BATCH) {
			const struct slot *sl = &r->slot[cons];
			const unsigned char *b = r->buf[sl->buf % SLOTS];
			uint32_t len = sl->len < BUF_SIZE ? sl->len : BUF_SIZE;
			uint32_t s;

			if (all) {
				/* Every byte, 8 at a time (the fastest plain read). */
				uint32_t i = 0;
				for (; i + 8 <= len; i += 8) {
					uint64_t w;
					memcpy(&w, b + i, sizeof(w));
					sum += w;
				}
				for (; i < len; i++)
					sum += b[i];
			}
			memcpy(&s, b + 14, sizeof(s));
			sum += s;
			if (s != expect)
				bad++;
			expect = s + 1;
			cons = cons + 1 == SLOTS ? 0 : cons + 1;
			n++;
		}
		if (n) {
			if (got == 0)
				t0 = now_s();
			got += n;
			__atomic_store_n(&r->cons, cons, __ATOMIC_RELEASE);
		}
	}
	t1 = now_s();
	/* t0 is taken after the first batch: count it out of the rate. */
	printf("bare: %.2f Mpps (%llu packets, %llu out of sequence, sum %llu)\n",
	       (double)(got - BATCH) / (t1 - t0) / 1e6,
	       (unsigned long long)got, (unsigned long long)bad,
	       (unsigned long long)sum);
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t count = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	uint32_t size = argc > 2 ? (uint32_t)atoi(argv[2]) : 64;
	int all = argc > 3 ? strcmp(argv[3], "seq") != 0 : 1;
	struct ring *r;
	pid_t child;
	int status;

	if (size < 18 || size > BUF_SIZE || count <= BATCH) {
		fprintf(stderr, "usage: pipe-spsc COUNT(>%u) [SIZE 18..%u [all|seq]]\n",
			BATCH, BUF_SIZE);
		return 2;
	}
	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	memset(r, 0, sizeof(*r));  /* fault every page in before timing */
	child = fork();
	if (child < 0) {
		perror("fork");
		return 1;
	}
	if (child == 0) {
		pin(0);
		produce(r, count, size, all);
		_exit(0);
	}
	pin(1);
	consume(r, count, all);
	if (waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "the producer failed\n");
		return 1;
	}
	return 0;
}
