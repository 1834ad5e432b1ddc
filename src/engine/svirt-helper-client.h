#pragma once

#include <gio/gio.h>

#include "svirt-engine.h"
#include "svirt-finding.h"
#include "svirt-journal.h"
#include "svirt-settings.h"

G_BEGIN_DECLS

/* svirt-helper, the system service that does the privileged steps of a desktop user's
 * qemu:///system VMs after asking polkit: its bus name, object and interface. */
#define SVIRT_HELPER_BUS_NAME "org.svirt.Manager1"
#define SVIRT_HELPER_OBJECT_PATH "/org/svirt/Manager1"
#define SVIRT_HELPER_INTERFACE "org.svirt.Manager1"
/* The D-Bus error names of the SVIRT_ERROR codes start with this. */
#define SVIRT_HELPER_ERROR_PREFIX "org.svirt.Manager1.Error."

/* The polkit actions, one per kind of operation (data/org.svirt.Manager.policy). */
#define SVIRT_HELPER_ACTION_MANAGE "org.svirt.Manager.manage-vms"
#define SVIRT_HELPER_ACTION_SECURITY "org.svirt.Manager.change-security"
#define SVIRT_HELPER_ACTION_FIX "org.svirt.Manager.fix-labels"
#define SVIRT_HELPER_ACTION_READ "org.svirt.Manager.read-labels"

/* Maps every SVIRT_ERROR code to a D-Bus error name and back; both ends call it. */
void svirt_helper_register_errors(void);

/* Whether the privileged steps on @uri go through svirt-helper: a process that is not root, on
 * the local qemu:///system. As root, and for any other URI, the engine does them itself. */
gboolean svirt_helper_applies(const char *uri);

/* Each runs the engine call of the same name in svirt-helper, which reads the VM named @vm
 * (a name or UUID) from libvirtd itself. @uuid_out, when not NULL, gets the VM's UUID. A refusal
 * by polkit is SVIRT_ERROR_PERMISSION with a message that says so; a missing service is
 * SVIRT_ERROR_FAILED saying how to install it. */
gboolean svirt_helper_start_vm(const char *vm, const char *mcs_range, char **uuid_out,
                               GError **error);
gboolean svirt_helper_stop_vm(const char *vm, gboolean force, guint timeout_ms, char **uuid_out,
                              GError **error);
gboolean svirt_helper_reconcile(guint *n_restored, guint *n_kept, GError **error);
/* Fixes the finding of the helper's own audit with the kind, VM and path of @finding. */
gboolean svirt_helper_fix(const SvirtFinding *finding, GError **error);
gboolean svirt_helper_set_settings(const char *vm, const SvirtSettings *settings,
                                   char **uuid_out, GError **error);
/* What svirt-helper's label journal holds, as a snapshot; never asks for a password (a caller
 * polkit does not allow at once gets SVIRT_ERROR_PERMISSION). */
SvirtJournal *svirt_helper_read_journal(GError **error);
/* The label journal of whoever labels @engine's VMs, as last written, without waiting for a
 * start that holds its lock: svirt-helper's for a desktop user on qemu:///system, else this
 * host's. For what is shown; a start checks again under the lock. */
SvirtJournal *svirt_engine_journal_snapshot(SvirtEngine *engine, GError **error);
/* The labels on the files of VM @vm's plan, as path -> label (NULL label: none readable); never
 * asks for a password. */
GHashTable *svirt_helper_read_labels(const char *vm, GError **error);
/* A cache for svirt_helper_cached_label(). */
GHashTable *svirt_helper_label_cache_new(void);
/* The label of @path, a file of VM @vm, as svirt-helper reads it, its labels asked once per VM
 * and kept in @cache; FALSE when the helper could not tell. */
gboolean svirt_helper_cached_label(GHashTable *cache, const char *vm, const char *path,
                                   char **label);

G_END_DECLS
