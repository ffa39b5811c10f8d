/*
 * Memory that JavaScript maps as an ArrayBuffer.
 *
 * Ring headers and packet buffers are mapped once and handed to JS. JS may
 * keep an ArrayBuffer (or a Buffer view of it) after the port is closed or
 * collected, so the memory is reference counted: the port holds one
 * reference and every ArrayBuffer made from it holds one. An explicit
 * close() detaches the ArrayBuffers first (JS then sees zero-length
 * buffers) and drops their references, so the memory goes away at once;
 * if the port is only garbage collected, the memory stays until the last
 * ArrayBuffer is collected too. Either way JS never reads unmapped memory.
 */
#ifndef NMP_MEM_H
#define NMP_MEM_H

#include <stddef.h>

struct nmp_mem {
	void *addr;
	size_t len;
	int refs;
	/* How to give the memory back (munmap, free, ...). */
	void (*release)(void *addr, size_t len);
};

/* Wrap addr/len with one reference held by the caller. NULL on ENOMEM
 * (the memory is then released at once). */
struct nmp_mem *nmp_mem_wrap(void *addr, size_t len,
			     void (*release)(void *addr, size_t len));
void nmp_mem_ref(struct nmp_mem *m);
void nmp_mem_unref(struct nmp_mem *m);

/* release callback for mmap'd memory */
void nmp_mem_munmap(void *addr, size_t len);

#endif
