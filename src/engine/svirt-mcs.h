#pragma once

#include <glib.h>

#include "svirt-context.h"

G_BEGIN_DECLS

/* Allocator of unique MCS category pairs s:cA,cB (A < B) inside one range s:cLOW.cHIGH, plus a
 * registry of every other level held by a running VM. Not thread-safe: callers serialise. */
typedef struct _SvirtMcs SvirtMcs;

SvirtMcs *svirt_mcs_new(guint sensitivity, guint cat_low, guint cat_high, GError **error);
SvirtMcs *svirt_mcs_new_from_range_string(const char *range, GError **error);
void svirt_mcs_free(SvirtMcs *mcs);

char *svirt_mcs_host_range(void);

void svirt_mcs_set_seed(SvirtMcs *mcs, guint32 seed);

guint svirt_mcs_get_sensitivity(const SvirtMcs *mcs);
guint svirt_mcs_get_cat_low(const SvirtMcs *mcs);
guint svirt_mcs_get_cat_high(const SvirtMcs *mcs);
char *svirt_mcs_dup_range_string(const SvirtMcs *mcs);
gboolean svirt_mcs_is_pair_in_range(const SvirtMcs *mcs, const SvirtLevel *level);

guint64 svirt_mcs_capacity(const SvirtMcs *mcs);
guint64 svirt_mcs_n_free(const SvirtMcs *mcs);
guint64 svirt_mcs_n_blocked(const SvirtMcs *mcs);

gboolean svirt_mcs_allocate(SvirtMcs *mcs, const char *holder, SvirtLevel *out, GError **error);
gboolean svirt_mcs_reserve(SvirtMcs *mcs, const SvirtLevel *level, const char *holder,
                           GError **error);
gboolean svirt_mcs_release(SvirtMcs *mcs, const SvirtLevel *level);
const char *svirt_mcs_holder(const SvirtMcs *mcs, const SvirtLevel *level);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtMcs, svirt_mcs_free)

G_END_DECLS
