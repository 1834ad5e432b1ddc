#pragma once

#include <glib.h>

#include "svirt-context.h"

G_BEGIN_DECLS

/* Allocator of unique MCS category pairs s:cA,cB (A < B) inside one range s:cLOW.cHIGH, plus a
 * registry of every other level held by a running VM (static labels, other sensitivities).
 *
 * Under MCS a VM reaches the files of any level its own dominates. So a reserved level that is
 * not a pair of the range also takes out of allocation every pair it dominates or that
 * dominates it (s0:c5 blocks every pair with c5), and reserving a level that dominates or is
 * dominated by a held one fails with SVIRT_ERROR_IN_USE. Levels without categories are the
 * shared level and only conflict with an equal one.
 *
 * Not thread-safe: callers serialise. */
typedef struct _SvirtMcs SvirtMcs;

SvirtMcs *svirt_mcs_new(guint sensitivity, guint cat_low, guint cat_high, GError **error);
SvirtMcs *svirt_mcs_new_from_range_string(const char *range, GError **error);
void svirt_mcs_free(SvirtMcs *mcs);

/* The low sensitivity of the context with the categories of its high level when they form one
 * run of at least two, else c0.c1023; "s0:c0.c1023" for NULL or an unusable context. */
char *svirt_mcs_range_from_context(const char *context);
/* svirt_mcs_range_from_context() of this process's context (getcon()). */
char *svirt_mcs_host_range(void);

void svirt_mcs_set_seed(SvirtMcs *mcs, guint32 seed);

guint svirt_mcs_get_sensitivity(const SvirtMcs *mcs);
guint svirt_mcs_get_cat_low(const SvirtMcs *mcs);
guint svirt_mcs_get_cat_high(const SvirtMcs *mcs);
char *svirt_mcs_dup_range_string(const SvirtMcs *mcs);
gboolean svirt_mcs_is_pair_in_range(const SvirtMcs *mcs, const SvirtLevel *level);

/* capacity = n(n-1)/2 for n categories; n_free excludes held and blocked pairs. */
guint64 svirt_mcs_capacity(const SvirtMcs *mcs);
guint64 svirt_mcs_n_free(const SvirtMcs *mcs);
guint64 svirt_mcs_n_blocked(const SvirtMcs *mcs);

/* A pair chosen uniformly among the free ones, in bounded time; SVIRT_ERROR_EXHAUSTED when
 * none is left. */
gboolean svirt_mcs_allocate(SvirtMcs *mcs, const char *holder, SvirtLevel *out, GError **error);
/* Any level: a pair of the range or a static level. SVIRT_ERROR_IN_USE names the holder. */
gboolean svirt_mcs_reserve(SvirtMcs *mcs, const SvirtLevel *level, const char *holder,
                           GError **error);
/* FALSE when the level was not held. */
gboolean svirt_mcs_release(SvirtMcs *mcs, const SvirtLevel *level);
/* NULL when the level is not held. */
const char *svirt_mcs_holder(const SvirtMcs *mcs, const SvirtLevel *level);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtMcs, svirt_mcs_free)

G_END_DECLS
