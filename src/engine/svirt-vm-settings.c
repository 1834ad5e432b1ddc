#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "svirt-context.h"
#include "svirt-domain-xml.h"
#include "svirt-engine.h"
#include "svirt-helper-client.h"
#include "svirt-journal.h"
#include "svirt-policy.h"
#include "svirt-private.h"
#include "svirt-settings.h"
#include "svirt-task.h"

/* Settings belong to the persistent definition; a transient VM only has a live one. */
static unsigned int
metadata_flags(virDomainPtr dom)
{
    return virDomainIsPersistent(dom) == 1 ? VIR_DOMAIN_AFFECT_CONFIG : VIR_DOMAIN_AFFECT_LIVE;
}

/* The settings element @xml stored with VM @name. */
static SvirtSettings *
parse_stored(const char *name, const char *xml, GError **error)
{
    g_autoptr(GError) local = NULL;
    SvirtSettings *stored = svirt_settings_parse(xml, strlen(xml), &local);

    if (stored == NULL)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                    _("The security settings stored with VM '%s' are not valid: %s Set them "
                      "again with 'svirtctl set-label'."),
                    name, local->message);
    return stored;
}

SvirtSettings *
svirt_domain_doc_settings_sources(const char *name, xmlDoc *doc, gboolean engine_live,
                                  SvirtSettings **stored_out, SvirtSettingsSource *source,
                                  GError **error)
{
    g_autofree char *metadata = svirt_domain_doc_metadata(doc, SVIRT_METADATA_NS);
    g_autoptr(SvirtSettings) stored = NULL;
    g_autoptr(GError) local = NULL;
    SvirtSettings *settings;
    gboolean native = FALSE;

    if (metadata && !(stored = parse_stored(name, metadata, error)))
        return NULL;
    if (engine_live) {
        settings = stored ? svirt_settings_copy(stored) : svirt_settings_new();
    } else if (!(settings = svirt_domain_doc_settings(doc, stored, &native, &local))) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                    _("The <seclabel model='selinux'> in the definition of VM '%s' is not "
                      "valid: %s Correct it with 'virsh edit', or replace it with 'svirtctl "
                      "set-label'."),
                    name, local->message);
        return NULL;
    }
    if (source && native)
        *source = SVIRT_SETTINGS_SOURCE_SECLABEL;
    else if (source)
        *source = stored ? SVIRT_SETTINGS_SOURCE_METADATA : SVIRT_SETTINGS_SOURCE_DEFAULTS;
    if (stored_out)
        *stored_out = g_steal_pointer(&stored);
    return settings;
}

SvirtSettings *
svirt_domain_read_settings(virDomainPtr dom, const char *uuid, gboolean persistent,
                           SvirtJournal *journal, SvirtSettings **stored_out,
                           SvirtSettingsSource *source, GError **error)
{
    /* Before the call that may fail: virDomainGetName() clears libvirt's last error. */
    const char *name = virDomainGetName(dom);
    g_autoptr(VirString) xml = virDomainGetXMLDesc(dom, persistent ? VIR_DOMAIN_XML_INACTIVE : 0);
    g_autoptr(xmlDoc) doc = NULL;
    gboolean engine_live = !persistent && journal && svirt_journal_lookup_vm(journal, uuid);

    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), name);
        return NULL;
    }
    doc = svirt_xml_parse(xml, error);
    return doc ? svirt_domain_doc_settings_sources(name, doc, engine_live, stored_out, source,
                                                   error)
               : NULL;
}

SvirtSettings *
svirt_domain_settings_sources(SvirtEngine *engine, virDomainPtr dom, SvirtSettings **stored_out,
                              SvirtSettingsSource *source, GError **error)
{
    gboolean persistent = virDomainIsPersistent(dom) == 1;
    g_autoptr(SvirtJournal) journal = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN] = "";

    /* Only a transient VM's live seclabel may be the engine's; the labeller's journal (the
     * system service's for a desktop user), read as shown without waiting for a start that
     * holds its lock, says whether the engine started it. */
    if (!persistent && virDomainGetUUIDString(dom, uuid) == 0)
        journal = svirt_engine_journal_snapshot(engine, NULL);
    return svirt_domain_read_settings(dom, uuid, persistent, journal, stored_out, source, error);
}

SvirtSettings *
svirt_domain_settings(SvirtEngine *engine, virDomainPtr dom, GError **error)
{
    return svirt_domain_settings_sources(engine, dom, NULL, NULL, error);
}

char *
svirt_native_start_blocker(const char *name, const char *xml, gboolean selinux_driver)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (selinux_driver || !xml || !(doc = svirt_xml_parse(xml, NULL)))
        return NULL;
    return svirt_native_start_blocker_doc(name, doc, selinux_driver);
}

char *
svirt_native_start_blocker_doc(const char *name, xmlDoc *doc, gboolean selinux_driver)
{
    if (selinux_driver || !svirt_domain_doc_has_selinux_seclabel(doc))
        return NULL;
    return g_strdup_printf(_("VM '%s' carries libvirt's own SELinux label (<seclabel "
                             "model='selinux'>), but libvirtd on this host has no selinux "
                             "security driver and refuses to start it. Move the label into "
                             "sVirt Manager's settings (Move to sVirt Manager on the Security "
                             "tab, or 'svirtctl adopt-label %s'), or remove it with 'virsh "
                             "edit'."),
                           name, name);
}

SvirtSettings *
svirt_engine_get_settings(SvirtEngine *self, const char *vm, GError **error)
{
    g_autoptr(virDomain) dom = svirt_engine_lookup_domain(self, vm, error);

    return dom ? svirt_domain_settings(self, dom, error) : NULL;
}

/* The attribute the reference policy gives the types VMs run under (svirt_t, qemu_t, ...). */
#define VM_DOMAIN_ATTRIBUTE "virt_domain"

/* Where a binary policy is installed, a static label must be a context it defines, of a type it
 * runs VMs under: one of its virtual_domain_context, or one with the attribute virt_domain. */
gboolean
svirt_settings_check_host(const SvirtSettings *settings, const SvirtPolicyTypes *types,
                          GError **error)
{
    g_autofree char *policy_path = NULL;
    g_autoptr(SvirtSepolPolicy) policy = NULL;
    g_auto(GStrv) domains = NULL;

    if (!svirt_settings_validate(settings, error))
        return FALSE;
    if (settings->mode != SVIRT_SECURITY_MODE_STATIC ||
        !(policy_path = svirt_context_find_policy_file()))
        return svirt_settings_check_policy(settings, types, error);
    policy = svirt_sepol_policy_lock(policy_path, error);
    if (!policy ||
        !(domains = svirt_sepol_policy_types_with_attribute(policy, VM_DOMAIN_ATTRIBUTE, error)))
        return FALSE;
    /* The context check below takes the policy's lock itself. */
    g_clear_pointer(&policy, svirt_sepol_policy_unlock);
    return svirt_settings_check_policy_domains(settings, types, (const char *const *)domains,
                                               error) &&
           svirt_context_check_policy(settings->label, policy_path, error);
}

gboolean
svirt_engine_check_settings(const SvirtSettings *settings, GError **error)
{
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(error);

    return types && svirt_settings_check_host(settings, types, error);
}

static gboolean
define_xml(virDomainPtr dom, const char *xml, const char *name, GError **error)
{
    virDomainPtr defined = virDomainDefineXML(virDomainGetConnect(dom), xml);

    if (!defined) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not store the security settings of VM '%s'"),
                                       name);
        return FALSE;
    }
    virDomainFree(defined);
    return TRUE;
}

/* The persistent definition, with what only privileged readers see (passwords) kept. */
static char *
definition_for_define(virDomainPtr dom, const char *name, GError **error)
{
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_SECURE);
    char *copy;

    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), name);
        return NULL;
    }
    copy = g_strdup(xml);
    free(xml);
    return copy;
}

/* In the metadata; in a persistent definition also as libvirt's own seclabels where libvirtd
 * has the selinux driver, and without the ones it would refuse where it has not. */
static gboolean
store_settings(virDomainPtr dom, const SvirtSettings *settings, GError **error)
{
    const char *name = virDomainGetName(dom);
    g_autofree char *xml = NULL;
    g_autofree char *out = NULL;
    g_autofree char *formatted = NULL;
    gboolean changed = FALSE;

    if (virDomainIsPersistent(dom) == 1) {
        xml = definition_for_define(dom, name, error);
        if (!xml)
            return FALSE;
        out = svirt_domain_xml_write_settings(
            xml, settings, svirt_host_has_selinux_driver(virDomainGetConnect(dom)), &changed,
            error);
        if (!out) {
            g_prefix_error(error, _("Could not store the security settings of VM '%s': "), name);
            return FALSE;
        }
        if (changed)
            return define_xml(dom, out, name, error);
    }
    formatted = svirt_settings_format(settings);
    if (virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, formatted, SVIRT_METADATA_PREFIX,
                             SVIRT_METADATA_NS, metadata_flags(dom)) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not store the security settings of VM '%s'"),
                                       name);
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_engine_set_settings(SvirtEngine *self, const char *vm, const SvirtSettings *settings,
                          GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_return_val_if_fail(settings != NULL, FALSE);

    if (!svirt_engine_check_settings(settings, error))
        return FALSE;
    if (svirt_engine_uses_helper(self)) {
        g_autofree char *uuid_str = NULL;

        if (!svirt_helper_set_settings(vm, settings, &uuid_str, error))
            return FALSE;
        /* The list shows the mode and label the definition now has. */
        dom = svirt_engine_lookup_domain(self, vm, NULL);
        if (dom)
            svirt_engine_notify_domain_changed(self, dom);
        else
            svirt_engine_notify_labels_changed(self, uuid_str);
        return TRUE;
    }
    dom = svirt_engine_lookup_domain(self, vm, error);
    if (dom == NULL)
        return FALSE;
    if (virDomainGetUUIDString(dom, uuid) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the UUID of VM '%s'"),
                                       virDomainGetName(dom));
        return FALSE;
    }
    /* A static label a running VM holds would only be refused at start. */
    if (!svirt_engine_check_level_free(self, uuid, virDomainGetName(dom), settings, error) ||
        !store_settings(dom, settings, error))
        return FALSE;
    /* The mode, a static label and the isolation shown for the VM follow its settings. */
    svirt_engine_notify_domain_changed(self, dom);
    return TRUE;
}

/* What svirt_engine_adopt_native_settings() may move: a persistent VM's selinux seclabels where
 * libvirtd has no selinux driver. */
static char *
adoptable_definition(virDomainPtr dom, const char *name, GError **error)
{
    g_autofree char *xml = NULL;

    if (virDomainIsPersistent(dom) != 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("VM '%s' is transient: it has no definition whose <seclabel> could move."),
                    name);
        return NULL;
    }
    if (svirt_host_has_selinux_driver(virDomainGetConnect(dom))) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("libvirtd on this host has its selinux security driver, which honours "
                      "the <seclabel> of VM '%s': it stays where it is."),
                    name);
        return NULL;
    }
    xml = definition_for_define(dom, name, error);
    if (xml && !svirt_domain_xml_has_selinux_seclabel(xml)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("VM '%s' carries no <seclabel model='selinux'>: there is nothing to move."),
                    name);
        return NULL;
    }
    return g_steal_pointer(&xml);
}

gboolean
svirt_engine_adopt_native_settings(SvirtEngine *self, const char *vm, GError **error)
{
    g_autoptr(virDomain) dom = svirt_engine_lookup_domain(self, vm, error);
    g_autoptr(SvirtSettings) settings = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *out = NULL;
    const char *name;

    if (!dom)
        return FALSE;
    name = virDomainGetName(dom);
    if (!(xml = adoptable_definition(dom, name, error)) ||
        !(settings = svirt_domain_settings(self, dom, error)))
        return FALSE;
    out = svirt_domain_xml_write_settings(xml, settings, FALSE, NULL, error);
    if (!out) {
        g_prefix_error(error, _("Cannot move the <seclabel> of VM '%s': "), name);
        return FALSE;
    }
    if (!define_xml(dom, out, name, error))
        return FALSE;
    svirt_engine_notify_domain_changed(self, dom);
    return TRUE;
}

static gboolean
adopt_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
           GError **error)
{
    return svirt_engine_adopt_native_settings(source, args->vm, error);
}

void
svirt_engine_adopt_native_settings_async(SvirtEngine *engine, const char *vm,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_adopt_native_settings_async, adopt_call,
                   svirt_task_args_new(vm), NULL, SVIRT_TASK_CANCEL_DROPS, cancellable, callback,
                   user_data);
}

gboolean
svirt_engine_adopt_native_settings_finish(SvirtEngine *engine, GAsyncResult *result,
                                          GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_adopt_native_settings_async, result,
                                     error);
}

static gboolean
get_settings_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                  GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_get_settings(source, args->vm, error)) != NULL;
}

void
svirt_engine_get_settings_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_get_settings_async, get_settings_call,
                   svirt_task_args_new(vm), (GDestroyNotify)svirt_settings_free,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

SvirtSettings *
svirt_engine_get_settings_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_get_settings_async, result, error);
}

static gboolean
set_settings_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                  GCancellable *cancellable, GError **error)
{
    return svirt_engine_set_settings(source, args->vm, args->boxed, error);
}

void
svirt_engine_set_settings_async(SvirtEngine *engine, const char *vm,
                                const SvirtSettings *settings, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->boxed = svirt_settings_copy(settings);
    args->boxed_free = (GDestroyNotify)svirt_settings_free;
    svirt_task_run(engine, svirt_engine_set_settings_async, set_settings_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_set_settings_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_set_settings_async, result, error);
}

/* The targets of the disks in @xml, joined by ", "; whether @target is one of them. */
static gboolean
has_disk(const char *xml, const char *target, char **targets, GError **error)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, error);
    g_autoptr(GString) all = g_string_new(NULL);
    gboolean found = FALSE;
    xmlNode *devices;

    if (!doc)
        return FALSE;
    devices = svirt_xml_child(xmlDocGetRootElement(doc), "devices");
    for (xmlNode *node = devices ? devices->children : NULL; node; node = node->next) {
        g_autofree char *dev = NULL;

        if (!svirt_xml_is(node, "disk") ||
            !(dev = svirt_xml_prop(svirt_xml_child(node, "target"), "dev")))
            continue;
        found = found || g_str_equal(dev, target);
        g_string_append_printf(all, "%s%s", all->len ? ", " : "", dev);
    }
    *targets = g_string_free(g_steal_pointer(&all), FALSE);
    return found;
}

gboolean
svirt_engine_set_disk_host_file(SvirtEngine *self, const char *vm, const char *target,
                                gboolean allow, GError **error)
{
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(GError) local = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *targets = NULL;

    g_return_val_if_fail(target != NULL, FALSE);

    settings = svirt_engine_get_settings(self, vm, error);
    if (!settings || !svirt_settings_set_disk_host_file(settings, target, allow, error))
        return FALSE;
    /* Withdrawing an override is always possible, also for a disk that is gone. */
    if (allow) {
        xml = svirt_engine_get_domain_xml(self, vm, TRUE, error);
        if (!xml)
            return FALSE;
        if (!has_disk(xml, target, &targets, &local)) {
            if (local)
                g_propagate_error(error, g_steal_pointer(&local));
            else
                g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                            _("VM '%s' has no disk %s. Its disks are: %s."), vm, target,
                            *targets ? targets : _("none"));
            return FALSE;
        }
    }
    return svirt_engine_set_settings(self, vm, settings, error);
}

static gboolean
set_disk_host_file_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                        GCancellable *cancellable, GError **error)
{
    return svirt_engine_set_disk_host_file(source, args->vm, args->text, args->flag, error);
}

void
svirt_engine_set_disk_host_file_async(SvirtEngine *engine, const char *vm, const char *target,
                                      gboolean allow, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->text = g_strdup(target);
    args->flag = allow;
    svirt_task_run(engine, svirt_engine_set_disk_host_file_async, set_disk_host_file_call, args,
                   NULL, SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_set_disk_host_file_finish(SvirtEngine *engine, GAsyncResult *result,
                                       GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_set_disk_host_file_async, result,
                                     error);
}
