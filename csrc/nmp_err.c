#include <errno.h>
#include "nmp_err.h"

const char *nmp_errno_code(int e)
{
	switch (e) {
	case EPERM:
	case EACCES:       return "EPERM";
	case ENODEV:
	case ENXIO:        return "ENODEV";
	case ENETDOWN:     return "ENETDOWN";
	case EMSGSIZE:     return "EMSGSIZE";
	case ENOMEM:
	case ENOBUFS:      return "ENOMEM";
	case EINVAL:       return "EINVAL";
	case EAGAIN:       return "EAGAIN";
	case EBUSY:        return "EBUSY";
	case EPIPE:        return "EPIPE";
	case EAFNOSUPPORT:
	case EOPNOTSUPP:   return "ENOTSUP";
	default:           return "EIO";
	}
}
