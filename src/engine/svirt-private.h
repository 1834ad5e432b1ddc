#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libvirt/libvirt.h>

#include "svirt-engine.h"
#include "svirt-held-levels.h"
#include "svirt-journal.h"
#include "svirt-mcs.h"
#include "svirt-plan.h"
#include "svirt-policy.h"
#include "svirt-reach.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStoragePool, virStoragePoolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStorageVol, virStorageVolFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetwork, virNetworkFree)

/* A string member of a JSON object; JSON null when @value is NULL. */
static inline void
svirt_json_add_string(JsonBuilder *b, const char *name, const char *value)
{
    json_builder_set_member_name(b, name);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

/* libxml2 strings go back to libxml2's allocator. */
typedef xmlChar XmlString;

static inline void
svirt_xml_string_free(XmlString *str)
{
    xmlFree(str);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(XmlString, svirt_xml_string_free)

/* Strings libvirt returns are malloc()ed and go back with free(), not g_free(). */
typedef char VirString;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VirString, free)

/* svirt_plan_build() of a definition already parsed. */
SvirtPlan *svirt_plan_build_doc(xmlDoc *doc, const SvirtSettings *settings,
                                const SvirtPolicyTypes *types, const char *level, GError **error);

/* Called for each file in the plan of each VM on a connection, with the path resolved (the
 * plan's path when it does not resolve). */
typedef void (*SvirtVmFileFunc)(virDomainPtr dom, const char *uuid, const SvirtPlanItem *item,
                                const char *resolved, gpointer user_data);

/* Walks the files every VM on @conn uses, as planned from its persistent definition; only
 * paths and designations are meaningful, the labels are placeholders. FALSE, with libvirt's
 * error left for the caller, when the VMs cannot be listed. */
gboolean svirt_foreach_vm_file(virConnectPtr conn, SvirtVmFileFunc func, gpointer user_data);

/* A VM looked up on its own connection: closes both at scope end (g_auto(Vm)). */
typedef struct {
    virConnectPtr conn;
    virDomainPtr dom;
    char uuid[VIR_UUID_STRING_BUFLEN];
    const char *name;
} Vm;

gboolean svirt_vm_open(SvirtEngine *engine, const char *name, Vm *vm, GError **error);
void svirt_vm_close(Vm *vm);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Vm, svirt_vm_close)

/* The running VMs on @conn: UUID -> name. */
GHashTable *svirt_list_running_vms(virConnectPtr conn, GError **error);
/* Whether libvirtd on @conn has its selinux security driver, as its capabilities say, unless
 * svirt_host_override_selinux_driver() said otherwise. */
gboolean svirt_host_has_selinux_driver(virConnectPtr conn);
/* For tests: every host has the driver (@present 1), none has (0), or libvirtd says (-1). */
void svirt_host_override_selinux_driver(int present);

/* The definition of @dom (its persistent one when @inactive), as a GLib string. */
char *svirt_domain_dup_xml(virDomainPtr dom, gboolean inactive, GError **error);
/* The security settings of @dom: libvirt's own <seclabel model='selinux'> in its definition,
 * else what its metadata stores, else the defaults. */
SvirtSettings *svirt_domain_settings(SvirtEngine *engine, virDomainPtr dom, GError **error);
/* The same, also with what the metadata alone holds (*@stored NULL when nothing) and where the
 * settings come from. */
SvirtSettings *svirt_domain_settings_sources(SvirtEngine *engine, virDomainPtr dom,
                                             SvirtSettings **stored, SvirtSettingsSource *source,
                                             GError **error);
/* The same, for a caller that knows whether @dom is @persistent and holds a journal snapshot
 * (NULL: none) that says whether the engine started a transient VM: one libvirt call. */
SvirtSettings *svirt_domain_read_settings(virDomainPtr dom, const char *uuid, gboolean persistent,
                                          SvirtJournal *journal, SvirtSettings **stored_out,
                                          SvirtSettingsSource *source, GError **error);
/* The same from the definition @doc of VM @name, already read: the persistent one, or a
 * transient VM's live one, whose seclabel is the engine's when @engine_live (the journal
 * records that the engine started it). No libvirt call. */
SvirtSettings *svirt_domain_doc_settings_sources(const char *name, xmlDoc *doc,
                                                 gboolean engine_live, SvirtSettings **stored_out,
                                                 SvirtSettingsSource *source, GError **error);
/* Why libvirtd would refuse to start VM @name defined by @xml: a selinux <seclabel> where it
 * has no selinux driver; NULL when nothing is known. What to do is part of the message. */
char *svirt_native_start_blocker(const char *name, const char *xml, gboolean selinux_driver);
/* svirt_native_start_blocker() on a definition already parsed. */
char *svirt_native_start_blocker_doc(const char *name, xmlDoc *doc, gboolean selinux_driver);

/* svirt_engine_check_settings() with the policy types already loaded. */
gboolean svirt_settings_check_host(const SvirtSettings *settings, const SvirtPolicyTypes *types,
                                   GError **error);

/* The engine's set of held levels (lock it before use). */
SvirtHeldLevels *svirt_engine_get_held_levels(SvirtEngine *self);
/* Brings @held up to date with the running VMs on @conn and the VMs @journal says are being
 * started, and its allocator with @range; the caller holds the journal lock and @held's.
 * @selinux_driver: whether libvirtd on @conn has its selinux driver (without it, a VM the
 * journal does not know holds no level). */
gboolean svirt_held_levels_sync_locked(SvirtHeldLevels *held, virConnectPtr conn,
                                       SvirtJournal *journal, gboolean selinux_driver,
                                       const char *range, GError **error);

/* The process label of running VM @uuid, which @journal has no record of, from its live
 * definition @live: the engine's live labels where the journal holds files for it (a VM an
 * engine started before the journal recorded VMs), else the label of its selinux seclabel. */
char *svirt_domain_doc_running_label(SvirtJournal *journal, const char *uuid, xmlDoc *live);

/* What a list pass read of one VM, for the reach map of the pass. */
typedef struct {
    const char *uuid;
    const char *name;
    gboolean running;
    /* For a running VM the journal has no record of: svirt_domain_doc_running_label(); NULL
     * when none. */
    const char *live_label;
    const SvirtSettings *settings; /* NULL when they could not be read */
} SvirtPassVm;

/* svirt_engine_collect_reach_map() from what a list pass already read, with the journal
 * snapshot of the pass (NULL when unreadable): no libvirt call. */
SvirtReachMap *svirt_reach_map_from_pass(const char *range, SvirtJournal *journal,
                                         const SvirtPassVm *vms, guint n_vms, GError **error);

/* Drops @uuid as a holder of every journal entry and restores what nobody holds any more; the
 * caller holds the journal lock. Why a path could not be restored (its entry stays) is added to
 * @unrestored when it is not NULL, else it is the error. */
gboolean svirt_release_holder_locked(SvirtJournal *journal, const char *uuid, guint *n_restored,
                                     GString *unrestored, GError **error);

G_END_DECLS
