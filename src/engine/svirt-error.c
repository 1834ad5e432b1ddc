#include "config.h"

#include "svirt-error.h"

G_DEFINE_QUARK(svirt-error-quark, svirt_error)
