#pragma once

#include <glib.h>

#include "svirt-context.h"
#include "svirt-mcs.h"

G_BEGIN_DECLS

/* The levels running VMs hold, with an allocator that has them reserved, kept by the engine
 * from one start to the next instead of being rebuilt for each.
 *
 * A start brings it up to date under the journal lock: it names every VM that holds a level
 * now (svirt_held_levels_see() between _begin() and _end()) with a key that changes whenever
 * the VM's level may have changed (its run, or the label the journal recorded). Only a VM
 * that is new or whose key changed has its level read; a VM not named again is released. So
 * the set is exactly what the journal and libvirtd say at that moment, whoever started or
 * stopped the VMs, and the pair chosen after it is free.
 *
 * Callers serialise with svirt_held_levels_lock(). */
typedef struct _SvirtHeldLevels SvirtHeldLevels;

/* Reads the level of a VM; FALSE when it holds none. */
typedef gboolean (*SvirtHeldLevelLoad)(gpointer data, SvirtLevel *out);

SvirtHeldLevels *svirt_held_levels_new(void);
void svirt_held_levels_free(SvirtHeldLevels *held);

void svirt_held_levels_lock(SvirtHeldLevels *held);
void svirt_held_levels_unlock(SvirtHeldLevels *held);

/* Forgets everything: the connection changed, and with it what a run key means. */
void svirt_held_levels_reset(SvirtHeldLevels *held);

void svirt_held_levels_begin(SvirtHeldLevels *held);
void svirt_held_levels_see(SvirtHeldLevels *held, const char *uuid, const char *name,
                           const char *key, SvirtHeldLevelLoad load, gpointer data);
/* Drops the VMs not seen since _begin() and reserves the levels of the others on the
 * allocator of @range, which is built again only when the range changed. */
gboolean svirt_held_levels_end(SvirtHeldLevels *held, const char *range, GError **error);

/* A free pair for @holder, not kept: the journal records it, and the next update sees it
 * there. */
gboolean svirt_held_levels_allocate(SvirtHeldLevels *held, const char *holder, SvirtLevel *out,
                                    GError **error);
/* Whether @level (a static one) may be taken by @holder; it is not kept either. */
gboolean svirt_held_levels_check(SvirtHeldLevels *held, const SvirtLevel *level,
                                 const char *holder, GError **error);

guint svirt_held_levels_size(SvirtHeldLevels *held);
/* How many levels were read and how many times the allocator was built, since it was made. */
guint svirt_held_levels_n_loads(SvirtHeldLevels *held);
guint svirt_held_levels_n_builds(SvirtHeldLevels *held);
/* The allocator as last brought up to date; NULL before the first update. */
SvirtMcs *svirt_held_levels_get_mcs(SvirtHeldLevels *held);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtHeldLevels, svirt_held_levels_free)

G_END_DECLS
