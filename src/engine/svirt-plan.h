#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "svirt-policy.h"
#include "svirt-settings.h"

G_BEGIN_DECLS

typedef enum {
    SVIRT_PLAN_KIND_DISK,
    SVIRT_PLAN_KIND_CDROM,
    SVIRT_PLAN_KIND_FLOPPY,
    SVIRT_PLAN_KIND_BACKING_FILE,
    SVIRT_PLAN_KIND_KERNEL,
    SVIRT_PLAN_KIND_INITRD,
    SVIRT_PLAN_KIND_DTB,
    SVIRT_PLAN_KIND_SERIAL_FILE,
    SVIRT_PLAN_KIND_SERIAL_PIPE,
    SVIRT_PLAN_KIND_SERIAL_SOCKET,
    SVIRT_PLAN_KIND_HOSTDEV,
    SVIRT_PLAN_KIND_DISPLAY_SOCKET, /* a VNC or SPICE display's UNIX socket, or its directory */
} SvirtPlanKind;

typedef enum {
    SVIRT_DESIGNATION_PRIVATE,  /* image type + the VM's level */
    SVIRT_DESIGNATION_SHARED,   /* <shareable/>: image type at s0 */
    SVIRT_DESIGNATION_READONLY, /* <readonly/> disk or CD-ROM: content label at s0 */
    SVIRT_DESIGNATION_CONTENT,  /* backing file, kernel, initrd, dtb: content label at s0 */
    SVIRT_DESIGNATION_SKIPPED,  /* not labelled; reason says why */
} SvirtDesignation;

/* One object the engine labels (or deliberately leaves alone) when the VM starts. */
typedef struct {
    char *path;                   /* file or device; a description for non-files */
    SvirtPlanKind kind;
    SvirtDesignation designation;
    char *label;                  /* full context; NULL when skipped */
    char *reason;                 /* why skipped; for labelled objects an optional note */
    gboolean warning;             /* the reason asks the user to act */
    gboolean restore;             /* the label is restored when the VM stops (shared, read-only
                                   * and content objects: when the last VM using them stops) */
    char *target;                 /* guest disk (vda, hdc) of disks and their backing files */
} SvirtPlanItem;

typedef struct {
    char *vm_name;
    char *vm_uuid;
    SvirtSecurityMode mode;
    char *level;         /* the level of private objects; NULL in mode none */
    char *process_label; /* what QEMU runs as; NULL in mode none */
    GPtrArray *items;    /* of SvirtPlanItem, in the order they are labelled */
} SvirtPlan;

/* Backing chains longer than this are not followed. */
#define SVIRT_PLAN_MAX_BACKING_DEPTH 16

#define SVIRT_TYPE_PLAN_ITEM (svirt_plan_item_get_type())
#define SVIRT_TYPE_PLAN (svirt_plan_get_type())

GType svirt_plan_item_get_type(void) G_GNUC_CONST;
GType svirt_plan_get_type(void) G_GNUC_CONST;

SvirtPlanItem *svirt_plan_item_copy(const SvirtPlanItem *item);
void svirt_plan_item_free(SvirtPlanItem *item);
SvirtPlan *svirt_plan_copy(const SvirtPlan *plan);
void svirt_plan_free(SvirtPlan *plan);

const char *svirt_plan_kind_to_string(SvirtPlanKind kind);
const char *svirt_designation_to_string(SvirtDesignation designation);

/* The plan for starting the VM defined by @domain_xml under @settings. @level is the level a
 * dynamic VM was allocated (e.g. "s0:c1,c2"); it is ignored for static VMs, which use their
 * label's level, and in mode none. A per-object <seclabel model='selinux' relabel='no'/> in
 * <source> skips the object (a disk with its backing files), a <seclabel><label> replaces its
 * label. Reads the headers of images declared qcow2 to follow their backing chains, and reads
 * no other file. */
SvirtPlan *svirt_plan_build(const char *domain_xml, const SvirtSettings *settings,
                            const SvirtPolicyTypes *types, const char *level, GError **error);

/* { "vm", "uuid", "mode", "level", "process_label", "items": [ { "path", "kind",
 *   "designation", "label", "reason", "warning", "restore", "target" } ] } */
JsonNode *svirt_plan_to_json(const SvirtPlan *plan);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtPlanItem, svirt_plan_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtPlan, svirt_plan_free)

G_END_DECLS
