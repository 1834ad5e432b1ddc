#pragma once

#include <gio/gio.h>
#include <libvirt/libvirt.h>

#include "svirt-error.h"
#include "svirt-mcs.h"
#include "svirt-plan.h"
#include "svirt-reach.h"
#include "svirt-settings.h"
#include "svirt-vm.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(virConnect, virConnectClose)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virDomain, virDomainFree)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virStream, virStreamFree)

#define SVIRT_TYPE_ENGINE (svirt_engine_get_type())

G_DECLARE_FINAL_TYPE(SvirtEngine, svirt_engine, SVIRT, ENGINE, GObject)

void svirt_engine_init_libvirt(void);
const char *svirt_engine_default_uri(void);

SvirtEngine *svirt_engine_new(const char *uri);

const char *svirt_engine_get_requested_uri(SvirtEngine *self);
const char *svirt_engine_get_uri(SvirtEngine *self);
gboolean svirt_engine_is_connected(SvirtEngine *self);
/* Whether starts, stops, reconcile, audit fixes and settings go through svirt-helper, the
 * polkit-authorised system service: this process is not root and the URI is the local
 * qemu:///system. The helper then also restores labels of VMs that stop, and reconciles. */
gboolean svirt_engine_uses_helper(SvirtEngine *self);

gboolean svirt_engine_connect(SvirtEngine *self, GCancellable *cancellable, GError **error);
void svirt_engine_connect_async(SvirtEngine *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_connect_finish(SvirtEngine *self, GAsyncResult *result, GError **error);
void svirt_engine_disconnect(SvirtEngine *self);

GPtrArray *svirt_engine_list_vms(SvirtEngine *self, GCancellable *cancellable, GError **error);
void svirt_engine_list_vms_async(SvirtEngine *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *svirt_engine_list_vms_finish(SvirtEngine *self, GAsyncResult *result,
                                        GError **error);

/* The categories dynamic labels are drawn from when a call names none; NULL or "" for the
 * host's range. */
void svirt_engine_set_mcs_range(SvirtEngine *self, const char *range);
/* @override when set, else the engine's range, else the host's. */
char *svirt_engine_dup_mcs_range(SvirtEngine *self, const char *override);

/* A new reference to the open connection, for engine modules; release with virConnectClose(). */
virConnectPtr svirt_engine_dup_connection(SvirtEngine *self, GError **error);

/* A VM by name or UUID; SVIRT_ERROR_NOT_FOUND when there is none. */
virDomainPtr svirt_engine_lookup_domain(SvirtEngine *self, const char *vm, GError **error);
SvirtVmInfo *svirt_engine_lookup_vm(SvirtEngine *self, const char *vm, GError **error);
/* The persistent definition with @inactive (the live one for a transient VM), else the live
 * definition of a running VM. */
char *svirt_engine_get_domain_xml(SvirtEngine *self, const char *vm, gboolean inactive,
                                  GError **error);

/* The VM's security settings: libvirt's own <seclabel model='selinux'> of its definition where
 * it has one (which wins over the metadata), else its metadata's; a VM without either has the
 * defaults (dynamic, relabel yes). Settings that are stored but invalid are an error. */
SvirtSettings *svirt_engine_get_settings(SvirtEngine *self, const char *vm, GError **error);
void svirt_engine_get_settings_async(SvirtEngine *engine, const char *vm,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data);
SvirtSettings *svirt_engine_get_settings_finish(SvirtEngine *engine, GAsyncResult *result,
                                                GError **error);
/* What svirt_engine_set_settings() checks before it stores anything: a static label's type and,
 * where a binary policy is installed, the whole label against it. */
gboolean svirt_engine_check_settings(const SvirtSettings *settings, GError **error);
/* Validates @settings (syntax, and a static label against the installed policy) and stores
 * them in the VM's persistent definition, in its metadata and, where libvirtd has the selinux
 * driver, as libvirt's own <seclabel> too, so that a start by libvirtd alone honours them;
 * where it has not, a selinux <seclabel> libvirtd would refuse is removed. Nothing is stored
 * when they are invalid. */
gboolean svirt_engine_set_settings(SvirtEngine *self, const char *vm,
                                   const SvirtSettings *settings, GError **error);
void svirt_engine_set_settings_async(SvirtEngine *engine, const char *vm,
                                     const SvirtSettings *settings, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_set_settings_finish(SvirtEngine *engine, GAsyncResult *result,
                                          GError **error);
/* Allows (or no longer allows) the disk with target @target of VM @vm a file that looks like
 * the host's, in the VM's stored settings: the administrator's override of the refusals that
 * may be overridden (svirt-labeler.h). Allowing a target the persistent definition has no disk
 * for is SVIRT_ERROR_NOT_FOUND. It applies from the next start. */
gboolean svirt_engine_set_disk_host_file(SvirtEngine *self, const char *vm, const char *target,
                                         gboolean allow, GError **error);
void svirt_engine_set_disk_host_file_async(SvirtEngine *engine, const char *vm,
                                           const char *target, gboolean allow,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_set_disk_host_file_finish(SvirtEngine *engine, GAsyncResult *result,
                                                GError **error);

/* Where libvirtd has no selinux security driver, it refuses to start a VM whose definition
 * carries a <seclabel model='selinux'>: this moves those seclabels into the VM's settings in its
 * metadata, so that the VM keeps the same settings and starts. A label of a device's own, which
 * the settings cannot hold, is refused (SVIRT_ERROR_UNSUPPORTED) and nothing changes. */
gboolean svirt_engine_adopt_native_settings(SvirtEngine *self, const char *vm, GError **error);
void svirt_engine_adopt_native_settings_async(SvirtEngine *engine, const char *vm,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean svirt_engine_adopt_native_settings_finish(SvirtEngine *engine, GAsyncResult *result,
                                                   GError **error);

/* Reserves in @mcs the level each running VM holds, and each VM another process is starting:
 * the labels the journal recorded when the engine started it, else libvirt's selinux
 * <seclabel> label. Levels two running VMs share are logged, not an error. */
gboolean svirt_engine_collect_reservations(SvirtEngine *self, SvirtMcs *mcs, GError **error);
/* Whether a start could reserve the static level of @settings for VM @uuid (@name) next to the
 * VMs running now, @uuid itself left out: SVIRT_ERROR_IN_USE with the message a start gives. */
gboolean svirt_engine_check_level_free(SvirtEngine *self, const char *uuid, const char *name,
                                       const SvirtSettings *settings, GError **error);

/* The levels VMs hold (running) or will hold (static labels), and the dynamic range. */
SvirtReachMap *svirt_engine_collect_reach_map(SvirtEngine *self, GError **error);
/* Which VMs the static label of @settings (NULL: the stored settings) would let @vm reach, and
 * which would reach it. */
SvirtReach *svirt_engine_check_reach(SvirtEngine *self, const char *vm,
                                     const SvirtSettings *settings, GError **error);
void svirt_engine_check_reach_async(SvirtEngine *self, const char *vm,
                                    const SvirtSettings *settings, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
SvirtReach *svirt_engine_check_reach_finish(SvirtEngine *self, GAsyncResult *result,
                                            GError **error);

/* The plan a start of @vm would follow now: a dynamic VM gets the pair an allocation in
 * @mcs_range (NULL: the host's) would give next to the running VMs; a static VM its label's
 * level. Nothing is reserved or labelled. */
SvirtPlan *svirt_engine_plan_vm(SvirtEngine *self, const char *vm, const char *mcs_range,
                                GError **error);
void svirt_engine_plan_vm_async(SvirtEngine *self, const char *vm, const char *mcs_range,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
SvirtPlan *svirt_engine_plan_vm_finish(SvirtEngine *self, GAsyncResult *result,
                                       GError **error);

/* Emits "labels-changed" for @uuid on the main loop, from any thread. */
void svirt_engine_notify_labels_changed(SvirtEngine *self, const char *uuid);
/* The same for @dom, after a change to its definition that the label columns show. */
void svirt_engine_notify_domain_changed(SvirtEngine *self, virDomainPtr dom);
/* Also emits "labels-changed" for each VM whose labels another process on the host changed
 * (svirtctl, the qemu hook, another sVirt Manager), as the label journal they all write shows.
 * Once per engine; it ends with the engine. Call it on the main context. */
void svirt_engine_watch_labels(SvirtEngine *self);
/* TRUE once svirt_engine_watch_labels() has read where things stand: later changes are
 * announced. */
gboolean svirt_engine_is_watching_labels(SvirtEngine *self);

void svirt_engine_set_libvirt_error(GError **error, SvirtErrorCode code, const char *hint,
                                    const char *format, ...) G_GNUC_PRINTF(4, 5);

G_END_DECLS
