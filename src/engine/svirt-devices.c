#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-devices.h"
#include "svirt-domain-xml.h"
#include "svirt-graphics.h"
#include "svirt-labeler.h"
#include "svirt-private.h"
#include "svirt-task.h"

/* Targets a new disk may take: vda … vdz, then vdaa … vdzz. */
#define MAX_TARGETS (26 + 26 * 26)

void
svirt_vm_overview_free(SvirtVmOverview *overview)
{
    if (!overview)
        return;
    g_free(overview->name);
    g_free(overview->uuid);
    g_free(overview->os_type);
    g_free(overview->arch);
    g_free(overview->machine);
    g_free(overview->uri);
    g_free(overview->display);
    g_free(overview);
}

static xmlDoc *
parse_definition(const char *xml, const char *vm_name, GError **error)
{
    xmlDoc *doc = svirt_xml_parse(xml, NULL);

    if (!doc)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Could not read the definition of VM '%s'. Check it with 'virsh "
                      "dumpxml %s'."),
                    vm_name, vm_name);
    return doc;
}

SvirtVmOverview *
svirt_engine_get_vm_overview(SvirtEngine *engine, const char *vm, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(SvirtVmOverview) overview = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autoptr(VirString) xml = NULL;
    g_autofree char *current = NULL;
    g_autofree char *vcpus = NULL;
    xmlNode *root, *os, *type;
    char uuid[VIR_UUID_STRING_BUFLEN];
    int state = VIR_DOMAIN_NOSTATE, reason;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    dom = svirt_engine_lookup_domain(engine, vm, error);
    if (!dom)
        return NULL;
    overview = g_new0(SvirtVmOverview, 1);
    overview->name = g_strdup(virDomainGetName(dom));
    if (virDomainGetUUIDString(dom, uuid) < 0 || virDomainGetState(dom, &state, &reason, 0) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the state of VM '%s'"),
                                       overview->name);
        return NULL;
    }
    overview->uuid = g_strdup(uuid);
    overview->state = (SvirtVmState)state;
    overview->persistent = virDomainIsPersistent(dom) == 1;
    overview->uri = g_strdup(svirt_engine_get_uri(engine));

    /* The live definition of a running VM, else the persistent one; with secrets, which say
     * whether a display has a password (none of them is kept). */
    xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_SECURE);
    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"),
                                       overview->name);
        return NULL;
    }
    doc = parse_definition(xml, overview->name, error);
    if (!doc)
        return NULL;
    root = xmlDocGetRootElement(doc);
    {
        g_autofree char *memory = svirt_xml_text(svirt_xml_child(root, "memory"));
        g_autofree char *unit = svirt_xml_prop(svirt_xml_child(root, "memory"), "unit");

        /* libvirt writes memory in KiB whatever unit it was defined in. */
        overview->memory_kib = memory ? g_ascii_strtoull(memory, NULL, 10) : 0;
        if (unit && g_ascii_strcasecmp(unit, "KiB") != 0 && g_ascii_strcasecmp(unit, "k") != 0)
            g_debug("VM %s: memory in unexpected unit %s", overview->name, unit);
    }
    vcpus = svirt_xml_text(svirt_xml_child(root, "vcpu"));
    current = svirt_xml_prop(svirt_xml_child(root, "vcpu"), "current");
    overview->vcpus = (guint)g_ascii_strtoull(current ? current : vcpus ? vcpus : "1", NULL, 10);
    os = svirt_xml_child(root, "os");
    type = svirt_xml_child(os, "type");
    overview->os_type = svirt_xml_text(type);
    overview->arch = svirt_xml_prop(type, "arch");
    overview->machine = svirt_xml_prop(type, "machine");
    overview->display = svirt_display_describe_reach(xml);
    return g_steal_pointer(&overview);
}

/* The domain, refused when it runs or has no persistent definition to edit. */
static virDomainPtr
lookup_stopped(SvirtEngine *engine, const char *vm, GError **error)
{
    g_autoptr(virDomain) dom = svirt_engine_lookup_domain(engine, vm, error);

    if (!dom)
        return NULL;
    if (virDomainIsActive(dom) == 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("VM '%s' is running: its disks can only be changed while it is shut "
                      "down. Shut the VM down, then try again."),
                    virDomainGetName(dom));
        return NULL;
    }
    if (virDomainIsPersistent(dom) != 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("VM '%s' has no persistent definition to change. Define it with 'virsh "
                      "define' first."),
                    virDomainGetName(dom));
        return NULL;
    }
    virResetLastError();
    return g_steal_pointer(&dom);
}

static xmlDoc *
persistent_definition(virDomainPtr dom, GError **error)
{
    /* Before the call that may fail: virDomainGetName() clears libvirt's last error. */
    const char *name = virDomainGetName(dom);
    g_autoptr(VirString) xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE |
                                                            VIR_DOMAIN_XML_SECURE);

    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the definition of VM '%s'"), name);
        return NULL;
    }
    return parse_definition(xml, name, error);
}

static xmlNode *
find_disk(xmlDoc *doc, const char *target)
{
    xmlNode *devices = svirt_xml_child(xmlDocGetRootElement(doc), "devices");

    for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
        g_autofree char *dev = NULL;

        if (!svirt_xml_is(n, "disk"))
            continue;
        dev = svirt_xml_prop(svirt_xml_child(n, "target"), "dev");
        if (g_strcmp0(dev, target) == 0)
            return n;
    }
    return NULL;
}

static void
set_not_a_disk(GError **error, virDomainPtr dom, const char *target)
{
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                _("VM '%s' has no disk '%s'. Reload the VM's details to see its disks."),
                virDomainGetName(dom), target);
}

static gboolean
redefine(virDomainPtr dom, xmlDoc *doc, const char *failed, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(virDomain) defined = NULL;
    g_autofree char *out = svirt_xml_dump(doc);

    conn = virDomainGetConnect(dom);
    if (conn)
        virConnectRef(conn);
    defined = conn ? virDomainDefineXMLFlags(conn, out, VIR_DOMAIN_DEFINE_VALIDATE) : NULL;
    if (!defined) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("The definition was left as it was."), "%s", failed);
        return FALSE;
    }
    return TRUE;
}

gboolean
svirt_engine_set_disk_designation(SvirtEngine *engine, const char *vm, const char *target,
                                  SvirtDesignation designation, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *device = NULL;
    g_autofree char *failed = NULL;
    xmlNode *disk;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), FALSE);
    g_return_val_if_fail(target != NULL, FALSE);
    if (designation != SVIRT_DESIGNATION_PRIVATE && designation != SVIRT_DESIGNATION_SHARED &&
        designation != SVIRT_DESIGNATION_READONLY) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("A disk is private, shared or read-only; '%s' cannot be set on disk "
                      "'%s'."),
                    svirt_designation_to_string(designation), target);
        return FALSE;
    }
    dom = lookup_stopped(engine, vm, error);
    if (!dom)
        return FALSE;
    doc = persistent_definition(dom, error);
    if (!doc)
        return FALSE;
    disk = find_disk(doc, target);
    if (!disk) {
        set_not_a_disk(error, dom, target);
        return FALSE;
    }
    device = svirt_xml_prop(disk, "device");
    if (g_strcmp0(device, "cdrom") == 0 && designation != SVIRT_DESIGNATION_READONLY) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Disk '%s' of VM '%s' is a CD-ROM, which is always read-only. Add the "
                      "image as a disk to write to it."),
                    target, virDomainGetName(dom));
        return FALSE;
    }
    svirt_xml_remove_children(disk, "shareable");
    svirt_xml_remove_children(disk, "readonly");
    if (designation == SVIRT_DESIGNATION_SHARED)
        svirt_xml_add(disk, "shareable", NULL);
    else if (designation == SVIRT_DESIGNATION_READONLY)
        svirt_xml_add(disk, "readonly", NULL);
    /* TRANSLATORS: the first %s is a disk target such as vdb, the second a VM name */
    failed = g_strdup_printf(_("Could not change the designation of disk '%s' of VM '%s'"),
                             target, virDomainGetName(dom));
    if (!redefine(dom, doc, failed, error))
        return FALSE;
    /* Which disks are shared decides the isolation a VM list shows. */
    svirt_engine_notify_domain_changed(engine, dom);
    return TRUE;
}

static gboolean
target_in_use(GPtrArray *used, const char *name)
{
    for (guint i = 0; i < used->len; i++) {
        if (g_str_equal(g_ptr_array_index(used, i), name))
            return TRUE;
    }
    return FALSE;
}

static char *
target_name(guint index)
{
    if (index < 26)
        return g_strdup_printf("vd%c", 'a' + index);
    index -= 26;
    return g_strdup_printf("vd%c%c", 'a' + index / 26, 'a' + index % 26);
}

/* The first virtio target no disk of @doc uses; refused when @resolved is already a disk. */
static char *
free_target(virDomainPtr dom, xmlDoc *doc, const char *resolved, GError **error)
{
    g_autoptr(GPtrArray) used = g_ptr_array_new_with_free_func(g_free);
    xmlNode *devices = svirt_xml_child(xmlDocGetRootElement(doc), "devices");

    for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
        g_autofree char *file = NULL;
        g_autofree char *dev = NULL;
        g_autofree char *other = NULL;

        if (!svirt_xml_is(n, "disk"))
            continue;
        dev = svirt_xml_prop(svirt_xml_child(n, "target"), "dev");
        file = svirt_xml_prop(svirt_xml_child(n, "source"), "file");
        if (!file)
            file = svirt_xml_prop(svirt_xml_child(n, "source"), "dev");
        other = file ? svirt_labeler_resolve_path(file) : NULL;
        if (g_strcmp0(other, resolved) == 0) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                        _("%s is already disk '%s' of VM '%s'."), resolved,
                        dev ? dev : "?", virDomainGetName(dom));
            return NULL;
        }
        if (dev)
            g_ptr_array_add(used, g_steal_pointer(&dev));
    }
    for (guint i = 0; i < MAX_TARGETS; i++) {
        g_autofree char *name = target_name(i);

        if (!target_in_use(used, name))
            return g_steal_pointer(&name);
    }
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED,
                _("VM '%s' has no free virtio disk target left. Remove a disk first."),
                virDomainGetName(dom));
    return NULL;
}

char *
svirt_engine_add_disk(SvirtEngine *engine, const char *vm, const char *path,
                      SvirtDesignation designation, GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *resolved = NULL;
    g_autofree char *target = NULL;
    g_autofree char *xml = NULL;
    SvirtDiskXml disk;
    const char *vm_name;
    gboolean block;
    struct stat st;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    g_return_val_if_fail(path != NULL, NULL);
    if (designation != SVIRT_DESIGNATION_PRIVATE && designation != SVIRT_DESIGNATION_SHARED &&
        designation != SVIRT_DESIGNATION_READONLY) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("A new disk is private, shared or read-only, not '%s'."),
                    svirt_designation_to_string(designation));
        return NULL;
    }

    resolved = svirt_labeler_resolve_path(path);
    if (!resolved || stat(resolved, &st) < 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                    _("Cannot add %s as a disk: %s. Create the image first, for example with "
                      "'qemu-img create'."),
                    path, g_strerror(errno));
        return NULL;
    }
    block = S_ISBLK(st.st_mode);
    if (!block && !S_ISREG(st.st_mode)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE,
                    _("Cannot add %s as a disk: it is neither a regular file nor a block "
                      "device. Choose a disk image."),
                    resolved);
        return NULL;
    }
    /* A place an administrator may allow for one disk is refused at the start, whose message
     * names the disk to allow; the host's own places are refused now. */
    if (!svirt_labeler_check_location_for(resolved,
                                          block ? SVIRT_LABEL_TARGET_BLOCK
                                                : SVIRT_LABEL_TARGET_FILE,
                                          &svirt_label_for_new_disk, error))
        return NULL;
    if (block && !svirt_labeler_check_block_device(st.st_rdev, resolved, error))
        return NULL;

    dom = lookup_stopped(engine, vm, error);
    if (!dom)
        return NULL;
    doc = persistent_definition(dom, error);
    if (!doc)
        return NULL;
    target = free_target(dom, doc, resolved, error);
    if (!target)
        return NULL;
    disk = (SvirtDiskXml){ resolved, "disk", target, "virtio", "raw", designation };
    xml = svirt_disk_xml_format(&disk);
    vm_name = virDomainGetName(dom);
    if (virDomainAttachDeviceFlags(dom, xml, VIR_DOMAIN_AFFECT_CONFIG) < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT,
                                       _("The definition was left as it was."),
                                       _("Could not add %s to VM '%s'"), resolved, vm_name);
        return NULL;
    }
    svirt_engine_notify_domain_changed(engine, dom);
    return g_steal_pointer(&target);
}

gboolean
svirt_engine_remove_disk(SvirtEngine *engine, const char *vm, const char *target,
                         GError **error)
{
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *failed = NULL;
    xmlNode *disk;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), FALSE);
    g_return_val_if_fail(target != NULL, FALSE);
    dom = lookup_stopped(engine, vm, error);
    if (!dom)
        return FALSE;
    doc = persistent_definition(dom, error);
    if (!doc)
        return FALSE;
    disk = find_disk(doc, target);
    if (!disk) {
        set_not_a_disk(error, dom, target);
        return FALSE;
    }
    xmlUnlinkNode(disk);
    xmlFreeNode(disk);
    /* TRANSLATORS: the first %s is a disk target such as vdb, the second a VM name */
    failed = g_strdup_printf(_("Could not remove disk '%s' from VM '%s'"), target,
                             virDomainGetName(dom));
    if (!redefine(dom, doc, failed, error))
        return FALSE;
    /* Which disks are shared decides the isolation a VM list shows. */
    svirt_engine_notify_domain_changed(engine, dom);
    return TRUE;
}

gboolean
svirt_engine_add_display(SvirtEngine *engine, const char *vm, SvirtDisplayKind kind,
                         GError **error)
{
    g_autoptr(virDomain) found = NULL;
    g_autoptr(virDomain) dom = NULL;
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *failed = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *virt_type = NULL;
    g_autoptr(GPtrArray) displays = NULL;
    GError *local = NULL;
    const char *name;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), FALSE);
    if (kind != SVIRT_DISPLAY_VNC && kind != SVIRT_DISPLAY_SPICE) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                    _("A display to add is VNC or SPICE. To leave a VM without one, add "
                      "nothing."));
        return FALSE;
    }
    found = svirt_engine_lookup_domain(engine, vm, error);
    if (!found)
        return FALSE;
    name = virDomainGetName(found);
    if (virDomainIsActive(found) == 1) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("VM '%s' is running: a display can only be added while it is shut down. "
                      "Shut the VM down, then try again."),
                    name);
        return FALSE;
    }
    dom = lookup_stopped(engine, vm, error);
    if (!dom || !(doc = persistent_definition(dom, error)))
        return FALSE;
    xml = svirt_xml_dump(doc);
    displays = svirt_display_list(xml);
    if (displays->len > 0) {
        const SvirtDisplay *first = g_ptr_array_index(displays, 0);

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_IN_USE,
                    _("VM '%s' already has a display (%s). Nothing was added."), name,
                    first->type ? first->type : "?");
        return FALSE;
    }
    virt_type = svirt_xml_eval_string(doc, "string(/domain/@type)");
    if (!svirt_engine_has_display_kind(engine, kind, virt_type, &local)) {
        if (local)
            g_propagate_error(error, local);
        else
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED,
                        _("The host's QEMU offers no %s display for VM '%s'. Add a VNC display "
                          "instead."),
                        kind == SVIRT_DISPLAY_SPICE ? "SPICE" : "VNC", name);
        return FALSE;
    }
    svirt_domain_xml_add_display(doc, kind);
    /* TRANSLATORS: %s is a VM name */
    failed = g_strdup_printf(_("Could not add a display to VM '%s'"), name);
    if (!redefine(dom, doc, failed, error))
        return FALSE;
    svirt_engine_notify_domain_changed(engine, dom);
    return TRUE;
}

static gboolean
overview_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
              GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_get_vm_overview(source, args->vm, error)) != NULL;
}

void
svirt_engine_get_vm_overview_async(SvirtEngine *engine, const char *vm,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
    svirt_task_run(engine, svirt_engine_get_vm_overview_async, overview_call,
                   svirt_task_args_new(vm), (GDestroyNotify)svirt_vm_overview_free,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

SvirtVmOverview *
svirt_engine_get_vm_overview_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_get_vm_overview_async, result, error);
}

static gboolean
designation_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                 GCancellable *cancellable, GError **error)
{
    return svirt_engine_set_disk_designation(source, args->vm, args->text, args->number, error);
}

void
svirt_engine_set_disk_designation_async(SvirtEngine *engine, const char *vm, const char *target,
                                        SvirtDesignation designation, GCancellable *cancellable,
                                        GAsyncReadyCallback callback, gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->text = g_strdup(target);
    args->number = designation;
    svirt_task_run(engine, svirt_engine_set_disk_designation_async, designation_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_set_disk_designation_finish(SvirtEngine *engine, GAsyncResult *result,
                                         GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_set_disk_designation_async, result,
                                     error);
}

static gboolean
add_disk_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
              GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_add_disk(source, args->vm, args->text, args->number,
                                            error)) != NULL;
}

void
svirt_engine_add_disk_async(SvirtEngine *engine, const char *vm, const char *path,
                            SvirtDesignation designation, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->text = g_strdup(path);
    args->number = designation;
    svirt_task_run(engine, svirt_engine_add_disk_async, add_disk_call, args, g_free,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

char *
svirt_engine_add_disk_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_add_disk_async, result, error);
}

static gboolean
remove_disk_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                 GCancellable *cancellable, GError **error)
{
    return svirt_engine_remove_disk(source, args->vm, args->text, error);
}

void
svirt_engine_remove_disk_async(SvirtEngine *engine, const char *vm, const char *target,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->text = g_strdup(target);
    svirt_task_run(engine, svirt_engine_remove_disk_async, remove_disk_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_remove_disk_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_remove_disk_async, result, error);
}

static gboolean
add_display_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                 GCancellable *cancellable, GError **error)
{
    return svirt_engine_add_display(source, args->vm, args->number, error);
}

void
svirt_engine_add_display_async(SvirtEngine *engine, const char *vm, SvirtDisplayKind kind,
                               GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(vm);

    args->number = kind;
    svirt_task_run(engine, svirt_engine_add_display_async, add_display_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_add_display_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_boolean(engine, svirt_engine_add_display_async, result, error);
}
