#include <stdlib.h>
#include <sys/mman.h>
#include "mem.h"

struct nmp_mem *nmp_mem_wrap(void *addr, size_t len,
			     void (*release)(void *addr, size_t len))
{
	struct nmp_mem *m = malloc(sizeof(*m));

	if (!m) {
		release(addr, len);
		return NULL;
	}
	m->addr = addr;
	m->len = len;
	m->refs = 1;
	m->release = release;
	return m;
}

/* Only the JS thread that owns the port touches the count: no atomics. */
void nmp_mem_ref(struct nmp_mem *m)
{
	m->refs++;
}

void nmp_mem_unref(struct nmp_mem *m)
{
	if (!m || --m->refs > 0)
		return;
	m->release(m->addr, m->len);
	free(m);
}

void nmp_mem_munmap(void *addr, size_t len)
{
	munmap(addr, len);
}
