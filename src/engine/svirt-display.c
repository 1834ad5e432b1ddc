#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <string.h>

#include "svirt-display.h"
#include "svirt-domain-xml.h"
#include "svirt-private.h"
#include "svirt-task.h"

void
svirt_display_info_free(SvirtDisplayInfo *info)
{
    if (!info)
        return;
    g_free(info->vm_name);
    g_free(info->listen);
    g_free(info->address);
    g_free(info);
}

const char *
svirt_display_kind_to_name(SvirtDisplayKind kind)
{
    switch (kind) {
    case SVIRT_DISPLAY_VNC:
        return "VNC";
    case SVIRT_DISPLAY_SPICE:
        return "SPICE";
    case SVIRT_DISPLAY_NONE:
    default:
        return NULL;
    }
}

static SvirtDisplayKind
kind_of(xmlNode *graphics)
{
    g_autofree char *type = svirt_xml_prop(graphics, "type");

    if (g_strcmp0(type, "vnc") == 0)
        return SVIRT_DISPLAY_VNC;
    if (g_strcmp0(type, "spice") == 0)
        return SVIRT_DISPLAY_SPICE;
    return SVIRT_DISPLAY_NONE;
}

/* The listen type and where: the <listen> child, else the older listen= or socket= attribute. */
static void
read_listen(SvirtDisplayInfo *info, xmlNode *graphics)
{
    xmlNode *listen = svirt_xml_child(graphics, "listen");

    if (listen) {
        info->listen = svirt_xml_prop(listen, "type");
        info->address = svirt_xml_prop(listen, "address");
        if (!info->address)
            info->address = svirt_xml_prop(listen, "socket");
        if (!info->address)
            info->address = svirt_xml_prop(listen, "network");
        return;
    }
    if ((info->address = svirt_xml_prop(graphics, "socket")))
        info->listen = g_strdup("socket");
    else if ((info->address = svirt_xml_prop(graphics, "listen")))
        info->listen = g_strdup("address");
}

SvirtDisplayInfo *
svirt_display_info_from_xml(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, error);
    g_autoptr(SvirtDisplayInfo) info = NULL;
    xmlNode *devices;
    int index = 0;

    if (!doc)
        return NULL;
    info = g_new0(SvirtDisplayInfo, 1);
    info->kind = SVIRT_DISPLAY_NONE;
    info->index = -1;
    info->vm_name = svirt_xml_eval_string(doc, "string(/domain/name)");
    devices = svirt_xml_child(xmlDocGetRootElement(doc), "devices");
    for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
        if (!svirt_xml_is(n, "graphics"))
            continue;
        info->kind = kind_of(n);
        if (info->kind != SVIRT_DISPLAY_NONE) {
            info->index = index;
            read_listen(info, n);
            break;
        }
        index++;
    }
    return g_steal_pointer(&info);
}

SvirtDisplayInfo *
svirt_display_get_info(SvirtEngine *engine, const char *vm, GError **error)
{
    g_auto(Vm) v = { 0 };
    g_autofree char *xml = NULL;
    SvirtDisplayInfo *info;
    int active;

    if (!svirt_vm_open(engine, vm, &v, error))
        return NULL;
    active = virDomainIsActive(v.dom);
    if (active < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the state of VM '%s'"), v.name);
        return NULL;
    }
    /* A running VM's live definition: the display QEMU really has. */
    xml = svirt_domain_dup_xml(v.dom, !active, error);
    if (!xml)
        return NULL;
    info = svirt_display_info_from_xml(xml, error);
    if (info)
        info->running = active == 1;
    return info;
}

static gboolean
info_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
          GError **error)
{
    return (*result = svirt_display_get_info(source, args->vm, error)) != NULL;
}

void
svirt_display_get_info_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_display_get_info_async, info_call, svirt_task_args_new(vm),
                   (GDestroyNotify)svirt_display_info_free, SVIRT_TASK_CANCEL_DROPS,
                   cancellable, callback, user_data);
}

SvirtDisplayInfo *
svirt_display_get_info_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_display_get_info_async, result, error);
}

/* The display @dom has, or an error saying why it cannot be shown: one it does not have comes
 * first, since starting the VM would not show it either. */
static SvirtDisplayInfo *
showable_display(virDomainPtr dom, const char *name, GError **error)
{
    int active = virDomainIsActive(dom);
    g_autofree char *xml = NULL;
    g_autoptr(SvirtDisplayInfo) info = NULL;

    if (active < 0) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read the state of VM '%s'"), name);
        return NULL;
    }
    xml = svirt_domain_dup_xml(dom, !active, error);
    if (!xml || !(info = svirt_display_info_from_xml(xml, error)))
        return NULL;
    if (info->kind == SVIRT_DISPLAY_NONE) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND,
                    _("VM '%s' has no graphical display: this VM has only a serial console. "
                      "Add a display while it is stopped to see its screen."),
                    name);
        return NULL;
    }
    if (!active) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("VM '%s' is not running. Start the VM to see its screen."), name);
        return NULL;
    }
    return g_steal_pointer(&info);
}

int
svirt_display_open_fd(SvirtEngine *engine, const char *vm, GError **error)
{
    g_auto(Vm) v = { 0 };
    g_autoptr(SvirtDisplayInfo) info = NULL;
    int fd;

    if (!svirt_vm_open(engine, vm, &v, error))
        return -1;
    info = showable_display(v.dom, v.name, error);
    if (!info)
        return -1;
    /* No password is asked: whoever may open the display through libvirtd may see it. */
    fd = virDomainOpenGraphicsFD(v.dom, info->index, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
    if (fd < 0) {
        svirt_engine_set_libvirt_error(
            error, SVIRT_ERROR_LIBVIRT,
            _("Check that the VM is still running and that libvirtd may reach its display."),
            _("libvirt could not open the %s display of VM '%s'"),
            svirt_display_kind_to_name(info->kind), v.name);
        return -1;
    }
    return fd;
}

static void
fd_box_free(gpointer data)
{
    int *fd = data;

    if (*fd >= 0)
        g_close(*fd, NULL);
    g_free(fd);
}

static gboolean
open_fd_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
             GError **error)
{
    int fd = svirt_display_open_fd(source, args->vm, error);

    if (fd < 0)
        return FALSE;
    *result = g_memdup2(&fd, sizeof(fd));
    return TRUE;
}

void
svirt_display_open_fd_async(SvirtEngine *engine, const char *vm, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
    svirt_task_run(engine, svirt_display_open_fd_async, open_fd_call, svirt_task_args_new(vm),
                   fd_box_free, SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

int
svirt_display_open_fd_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    g_autofree int *box = svirt_task_finish_pointer(engine, svirt_display_open_fd_async, result,
                                                    error);

    return box ? *box : -1;
}
