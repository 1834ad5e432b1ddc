#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define SVIRT_ERROR (svirt_error_quark())

typedef enum {
    SVIRT_ERROR_FAILED,           /* anything not listed below */
    SVIRT_ERROR_CONNECT,          /* the hypervisor connection could not be opened */
    SVIRT_ERROR_DISCONNECTED,     /* the connection went away */
    SVIRT_ERROR_LIBVIRT,          /* a libvirt call failed */
    SVIRT_ERROR_NOT_FOUND,        /* no such VM, file or object */
    SVIRT_ERROR_INVALID_CONTEXT,  /* a malformed or invalid SELinux context */
    SVIRT_ERROR_INVALID_RANGE,    /* a malformed or unusable MCS category range */
    SVIRT_ERROR_EXHAUSTED,        /* every category pair of the range is in use */
    SVIRT_ERROR_IN_USE,           /* a level or object is held by another VM */
    SVIRT_ERROR_INVALID_SETTINGS, /* per-VM security settings are not valid */
    SVIRT_ERROR_POLICY,           /* the SELinux policy could not be read */
    SVIRT_ERROR_UNSAFE,           /* labelling the object would expose the host */
    SVIRT_ERROR_UNSUPPORTED,      /* the filesystem or object cannot carry labels */
    SVIRT_ERROR_PERMISSION,       /* missing privilege */
    SVIRT_ERROR_SHARED_LEVEL,     /* a static label at the shared level, not allowed for it */
    SVIRT_ERROR_TIMED_OUT,        /* a host-wide lock stayed taken longer than the caller waits */
} SvirtErrorCode;

GQuark svirt_error_quark(void);

G_END_DECLS
