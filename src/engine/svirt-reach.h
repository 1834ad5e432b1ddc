#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Whether a static label keeps its VM apart from the other VMs. Under MCS a VM reaches the files
 * of every level its own (high) level dominates, so a static level is not isolated from a VM
 * whose level it dominates or that dominates it; one that covers more than a pair of the
 * dynamic range reaches the VMs given those pairs; one without categories is the shared level
 * every VM reaches. Pure: the caller says which levels the other VMs hold. */
typedef struct _SvirtReachMap SvirtReachMap;

/* @mcs_range: where dynamic pairs come from, e.g. "s0:c0.c1023" (SVIRT_ERROR_INVALID_RANGE). */
SvirtReachMap *svirt_reach_map_new(const char *mcs_range, GError **error);
void svirt_reach_map_free(SvirtReachMap *map);
/* Records that VM @uuid, called @name, holds @level while it runs or will hold it (its static
 * label's high level). Each VM's level counts once; a level that does not parse is left out. */
void svirt_reach_map_add(SvirtReachMap *map, const char *uuid, const char *name,
                         const char *level);

typedef struct {
    char *level;              /* the level examined: the label's high level */
    char *range;              /* the dynamic range */
    gboolean isolated;
    gboolean shared_level;    /* no categories: every VM reaches its files */
    GPtrArray *same;          /* of char *: VMs at the same level */
    GPtrArray *reaches;       /* VMs whose level it dominates */
    GPtrArray *reached_by;    /* VMs whose level dominates it */
    guint64 dynamic_reached;  /* pairs of the dynamic range, other than its own, it dominates */
    guint64 dynamic_reaching; /* pairs of the dynamic range, other than its own, that dominate
                               * it */
    char *summary;            /* why it is not isolated, in sentences; NULL when it is */
} SvirtReach;

/* What a VM @uuid with the static @label would reach and be reached by, the VM itself left out.
 * SVIRT_ERROR_INVALID_CONTEXT for a label that does not parse or has no level. */
SvirtReach *svirt_reach_map_check(const SvirtReachMap *map, const char *uuid, const char *label,
                                  GError **error);
void svirt_reach_free(SvirtReach *reach);
/* {"isolated", "shared_level", "level", "range", "same", "reaches", "reached_by",
 *  "dynamic_reached", "dynamic_reaching", "summary"} */
JsonNode *svirt_reach_to_json(const SvirtReach *reach);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtReachMap, svirt_reach_map_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtReach, svirt_reach_free)

G_END_DECLS
