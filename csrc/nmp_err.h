/*
 * Errors crossing from C to JavaScript.
 *
 * C never throws: every fallible function fills an nmp_err with a stable
 * string code (the `code` of the PcapError that TypeScript builds) and a
 * message that says how to fix the problem, and returns -1.
 */
#ifndef NMP_ERR_H
#define NMP_ERR_H

#include <stdarg.h>
#include <stdio.h>

struct nmp_err {
	const char *code;    /* "EPERM", "ENODEV", "EBADSLOT", ... (static) */
	char msg[512];
};

/* Fill err and return -1, so callers can `return nmp_fail(err, ...)`. */
static inline int nmp_fail(struct nmp_err *err, const char *code,
			   const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static inline int nmp_fail(struct nmp_err *err, const char *code,
			   const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* Map an errno from a system call to our code names. */
const char *nmp_errno_code(int e);

#endif
