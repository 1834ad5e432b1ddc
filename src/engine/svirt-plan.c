#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "svirt-context.h"
#include "svirt-domain-xml.h"
#include "svirt-error.h"
#include "svirt-plan.h"
#include "svirt-qcow2.h"
#include "svirt-private.h"

G_DEFINE_BOXED_TYPE(SvirtPlanItem, svirt_plan_item, svirt_plan_item_copy, svirt_plan_item_free)
G_DEFINE_BOXED_TYPE(SvirtPlan, svirt_plan, svirt_plan_copy, svirt_plan_free)

SvirtPlanItem *
svirt_plan_item_copy(const SvirtPlanItem *item)
{
    SvirtPlanItem *copy;

    g_return_val_if_fail(item != NULL, NULL);

    copy = g_memdup2(item, sizeof(*item));
    copy->path = g_strdup(item->path);
    copy->label = g_strdup(item->label);
    copy->reason = g_strdup(item->reason);
    copy->target = g_strdup(item->target);
    return copy;
}

void
svirt_plan_item_free(SvirtPlanItem *item)
{
    if (item == NULL)
        return;
    g_free(item->path);
    g_free(item->label);
    g_free(item->reason);
    g_free(item->target);
    g_free(item);
}

static SvirtPlan *
plan_new(void)
{
    SvirtPlan *plan = g_new0(SvirtPlan, 1);

    plan->items = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_plan_item_free);
    return plan;
}

SvirtPlan *
svirt_plan_copy(const SvirtPlan *plan)
{
    SvirtPlan *copy;

    g_return_val_if_fail(plan != NULL, NULL);

    copy = plan_new();
    copy->vm_name = g_strdup(plan->vm_name);
    copy->vm_uuid = g_strdup(plan->vm_uuid);
    copy->mode = plan->mode;
    copy->level = g_strdup(plan->level);
    copy->process_label = g_strdup(plan->process_label);
    for (guint i = 0; i < plan->items->len; i++)
        g_ptr_array_add(copy->items, svirt_plan_item_copy(g_ptr_array_index(plan->items, i)));
    return copy;
}

void
svirt_plan_free(SvirtPlan *plan)
{
    if (plan == NULL)
        return;
    g_free(plan->vm_name);
    g_free(plan->vm_uuid);
    g_free(plan->level);
    g_free(plan->process_label);
    g_ptr_array_unref(plan->items);
    g_free(plan);
}

const char *
svirt_plan_kind_to_string(SvirtPlanKind kind)
{
    switch (kind) {
    case SVIRT_PLAN_KIND_DISK:
        return "disk";
    case SVIRT_PLAN_KIND_CDROM:
        return "cdrom";
    case SVIRT_PLAN_KIND_FLOPPY:
        return "floppy";
    case SVIRT_PLAN_KIND_BACKING_FILE:
        return "backing-file";
    case SVIRT_PLAN_KIND_KERNEL:
        return "kernel";
    case SVIRT_PLAN_KIND_INITRD:
        return "initrd";
    case SVIRT_PLAN_KIND_DTB:
        return "dtb";
    case SVIRT_PLAN_KIND_SERIAL_FILE:
        return "serial-file";
    case SVIRT_PLAN_KIND_SERIAL_PIPE:
        return "serial-pipe";
    case SVIRT_PLAN_KIND_SERIAL_SOCKET:
        return "serial-socket";
    case SVIRT_PLAN_KIND_HOSTDEV:
        return "hostdev";
    case SVIRT_PLAN_KIND_DISPLAY_SOCKET:
        return "display-socket";
    default:
        g_return_val_if_reached("unknown");
    }
}

const char *
svirt_designation_to_string(SvirtDesignation designation)
{
    switch (designation) {
    case SVIRT_DESIGNATION_PRIVATE:
        return "private";
    case SVIRT_DESIGNATION_SHARED:
        return "shared";
    case SVIRT_DESIGNATION_READONLY:
        return "readonly";
    case SVIRT_DESIGNATION_CONTENT:
        return "content";
    case SVIRT_DESIGNATION_SKIPPED:
        return "skipped";
    default:
        g_return_val_if_reached("unknown");
    }
}

typedef struct {
    const char *vm_name;
    const SvirtSettings *settings;
    char *private_label;
    char *shared_label;
    char *content_label;
    const char *vm_skip; /* every object is skipped, for this reason */
    GPtrArray *items;
} Builder;

static void
builder_clear(Builder *b)
{
    g_free(b->private_label);
    g_free(b->shared_label);
    g_free(b->content_label);
}

static SvirtPlanItem *
add_item(Builder *b, SvirtPlanKind kind, SvirtDesignation designation, const char *path,
         const char *target)
{
    SvirtPlanItem *item = g_new0(SvirtPlanItem, 1);

    item->path = g_strdup(path);
    item->kind = kind;
    item->target = g_strdup(target);
    if (b->vm_skip)
        designation = SVIRT_DESIGNATION_SKIPPED;
    item->designation = designation;
    switch (designation) {
    case SVIRT_DESIGNATION_PRIVATE:
        item->label = g_strdup(b->private_label);
        break;
    case SVIRT_DESIGNATION_SHARED:
        item->label = g_strdup(b->shared_label);
        break;
    case SVIRT_DESIGNATION_READONLY:
    case SVIRT_DESIGNATION_CONTENT:
        item->label = g_strdup(b->content_label);
        break;
    case SVIRT_DESIGNATION_SKIPPED:
        item->reason = g_strdup(b->vm_skip);
        break;
    }
    item->restore = item->label != NULL;
    g_ptr_array_add(b->items, item);
    return item;
}

static SvirtPlanItem *
add_skipped(Builder *b, SvirtPlanKind kind, const char *path, const char *target,
            gboolean warning, const char *reason)
{
    SvirtPlanItem *item = add_item(b, kind, SVIRT_DESIGNATION_SKIPPED, path, target);

    /* A VM-wide reason says it all; per-object ones only matter when the VM is labelled. */
    if (item->reason == NULL) {
        item->reason = g_strdup(reason);
        item->warning = warning;
    }
    return item;
}

static void G_GNUC_PRINTF(3, 4)
add_note(SvirtPlanItem *item, gboolean warning, const char *format, ...)
{
    va_list args;

    if (item->designation == SVIRT_DESIGNATION_SKIPPED)
        return;
    g_free(item->reason);
    va_start(args, format);
    item->reason = g_strdup_vprintf(format, args);
    va_end(args);
    item->warning = warning;
}

/* libvirt's per-object <seclabel> inside <source>: relabel='no', or a label of its own. */
static gboolean
source_seclabel(Builder *b, xmlNodePtr source, const char *what, gboolean *no_relabel,
                char **label, GError **error)
{
    *no_relabel = FALSE;
    *label = NULL;
    for (xmlNodePtr child = source ? source->children : NULL; child; child = child->next) {
        g_autofree char *model = NULL;
        g_autofree char *relabel = NULL;
        g_autofree char *text = NULL;
        g_autoptr(SvirtContext) ctx = NULL;
        g_autoptr(GError) local = NULL;

        if (!svirt_xml_is(child, "seclabel"))
            continue;
        model = svirt_xml_prop(child, "model");
        if (model && !g_str_equal(model, "selinux"))
            continue;
        relabel = svirt_xml_prop(child, "relabel");
        if (g_strcmp0(relabel, "no") == 0) {
            *no_relabel = TRUE;
            return TRUE;
        }
        text = svirt_xml_text(svirt_xml_child(child, "label"));
        /* Nothing is labelled anyway; a bad label must not stop the plan. */
        if (text == NULL || b->vm_skip)
            continue;
        ctx = svirt_context_parse(text, &local);
        if (ctx == NULL) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                        /* TRANSLATORS: %1$s is an object such as "disk vda", %2$s a VM name */
                        _("The <seclabel> of %1$s of VM '%2$s' is invalid: %3$s Fix the label "
                          "or remove it."),
                        what, b->vm_name, local->message);
            return FALSE;
        }
        g_free(*label);
        *label = svirt_context_to_string(ctx);
    }
    return TRUE;
}

/* A <seclabel><label> of the object's own replaces the label its designation gives. */
static void
use_custom_label(SvirtPlanItem *item, const char *custom)
{
    if (custom == NULL || item->label == NULL)
        return;
    g_free(item->label);
    item->label = g_strdup(custom);
    add_note(item, FALSE, _("label from the object's <seclabel>"));
}

/* QEMU reads "proto:..." (a ':' before any '/') as a protocol, not a file. */
static gboolean
has_protocol(const char *name)
{
    const char *p = strpbrk(name, ":/");

    return p != NULL && *p == ':';
}

static char *
stat_key(const struct stat *st)
{
    return g_strdup_printf("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT, (guint64)st->st_dev,
                           (guint64)st->st_ino);
}

/* The format the domain XML declares for @path in the <backingStore> @bs, if it names it. */
static char *
declared_backing_format(xmlNodePtr bs, const char *path)
{
    g_autofree char *file = NULL;
    g_autofree char *canonical = NULL;

    if (bs == NULL)
        return NULL;
    file = svirt_xml_prop(svirt_xml_child(bs, "source"), "file");
    if (file == NULL)
        file = svirt_xml_prop(svirt_xml_child(bs, "source"), "dev");
    if (file == NULL || !g_path_is_absolute(file))
        return NULL;
    canonical = g_canonicalize_filename(file, NULL);
    if (!g_str_equal(canonical, path))
        return NULL;
    return svirt_xml_prop(svirt_xml_child(bs, "format"), "type");
}

/* Adds the backing files of the qcow2 image @top (row @top_item) of disk @target. */
static void
follow_backing_chain(Builder *b, const char *top, SvirtPlanItem *top_item, xmlNodePtr disk,
                     const char *target)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *current = g_strdup(top);
    SvirtPlanItem *item = top_item;
    xmlNodePtr bs = svirt_xml_child(disk, "backingStore");

    for (guint depth = 1;; depth++) {
        g_autoptr(GError) local = NULL;
        g_autofree char *name = NULL;
        g_autofree char *header_format = NULL;
        g_autofree char *xml_format = NULL;
        g_autofree char *dir = NULL;
        g_autofree char *path = NULL;
        const char *format;
        struct stat st;

        if (!svirt_qcow2_read_backing(current, &st, &name, &header_format, &local)) {
            /* TRANSLATORS: %s says why, e.g. "cannot open it: No such file or directory" */
            add_note(item, TRUE, _("backing files not followed: %s"), local->message);
            return;
        }
        g_hash_table_add(seen, stat_key(&st));
        if (name == NULL)
            return;

        dir = g_path_get_dirname(current);
        path = has_protocol(name) ? g_strdup(name) : g_canonicalize_filename(name, dir);
        if (depth > SVIRT_PLAN_MAX_BACKING_DEPTH) {
            g_autofree char *why =
                g_strdup_printf(_("backing chain longer than %d files: not followed further"),
                                SVIRT_PLAN_MAX_BACKING_DEPTH);

            add_skipped(b, SVIRT_PLAN_KIND_BACKING_FILE, path, target, TRUE, why);
            return;
        }
        if (has_protocol(name)) {
            add_skipped(b, SVIRT_PLAN_KIND_BACKING_FILE, path, target, FALSE,
                        _("backing file is not a local file"));
            return;
        }
        if (stat(path, &st) < 0) {
            int saved = errno;
            g_autofree char *why = NULL;

            if (saved == ENOENT)
                why = g_strdup(_("backing file not found"));
            else
                why = g_strdup_printf(_("backing file cannot be read: %s"), g_strerror(saved));
            add_skipped(b, SVIRT_PLAN_KIND_BACKING_FILE, path, target, TRUE, why);
            return;
        }
        if (!g_hash_table_add(seen, stat_key(&st))) {
            add_skipped(b, SVIRT_PLAN_KIND_BACKING_FILE, path, target, TRUE,
                        _("backing chain loops back to this file"));
            return;
        }

        xml_format = declared_backing_format(bs, path);
        bs = svirt_xml_child(bs, "backingStore");
        item = add_item(b, SVIRT_PLAN_KIND_BACKING_FILE, SVIRT_DESIGNATION_CONTENT, path,
                        target);
        if (header_format && xml_format && !g_str_equal(header_format, xml_format)) {
            add_note(item, TRUE,
                     _("the image says format %s, the VM definition %s: not followed further"),
                     header_format, xml_format);
            return;
        }
        format = header_format ? header_format : xml_format;
        if (format == NULL) {
            add_note(item, TRUE,
                     _("format not declared: not followed further. Declare it in the image "
                       "(qemu-img rebase -F) or in the VM's <backingStore>."));
            return;
        }
        if (!g_str_equal(format, "qcow2"))
            return;
        g_free(current);
        current = g_steal_pointer(&path);
    }
}

static void
plan_disk(Builder *b, xmlNodePtr disk, GError **error)
{
    g_autofree char *type = svirt_xml_prop(disk, "type");
    g_autofree char *device = svirt_xml_prop(disk, "device");
    g_autofree char *target = svirt_xml_prop(svirt_xml_child(disk, "target"), "dev");
    g_autofree char *format = svirt_xml_prop(svirt_xml_child(disk, "driver"), "type");
    g_autofree char *path = NULL;
    g_autofree char *what = NULL;
    g_autofree char *custom = NULL;
    xmlNodePtr source = svirt_xml_child(disk, "source");
    SvirtPlanKind kind = SVIRT_PLAN_KIND_DISK;
    SvirtDesignation designation = SVIRT_DESIGNATION_PRIVATE;
    SvirtPlanItem *item;
    gboolean no_relabel = FALSE;

    if (g_strcmp0(device, "cdrom") == 0)
        kind = SVIRT_PLAN_KIND_CDROM;
    else if (g_strcmp0(device, "floppy") == 0)
        kind = SVIRT_PLAN_KIND_FLOPPY;
    if (type == NULL)
        type = g_strdup("file");

    if (g_str_equal(type, "network")) {
        g_autofree char *protocol = svirt_xml_prop(source, "protocol");
        g_autofree char *name = svirt_xml_prop(source, "name");
        g_autofree char *host = svirt_xml_prop(svirt_xml_child(source, "host"), "name");

        path = g_strdup_printf("%s://%s/%s", protocol ? protocol : "network", host ? host : "",
                               name ? name : "");
        add_skipped(b, kind, path, target, FALSE, _("network disk: not a file on this host"));
        return;
    }
    if (g_str_equal(type, "volume")) {
        g_autofree char *pool = svirt_xml_prop(source, "pool");
        g_autofree char *volume = svirt_xml_prop(source, "volume");

        if (pool == NULL && volume == NULL)
            return;
        path = g_strdup_printf("%s/%s", pool ? pool : "", volume ? volume : "");
        add_skipped(b, kind, path, target, FALSE, _("storage volume: resolved at start"));
        return;
    }
    if (g_str_equal(type, "dir")) {
        path = svirt_xml_prop(source, "dir");
        if (path)
            add_skipped(b, kind, path, target, TRUE,
                        _("directory-backed disk: its files are not labelled"));
        return;
    }
    if (g_str_equal(type, "file"))
        path = svirt_xml_prop(source, "file");
    else if (g_str_equal(type, "block"))
        path = svirt_xml_prop(source, "dev");
    else {
        g_autofree char *why = g_strdup_printf(_("disk type '%s' is not labelled"), type);

        add_skipped(b, kind, type, target, FALSE, why);
        return;
    }
    /* An empty CD-ROM drive has nothing to label. */
    if (path == NULL || *path == '\0')
        return;

    /* TRANSLATORS: %s is a guest disk name such as vda */
    what = g_strdup_printf(_("disk %s"), target ? target : path);
    if (!source_seclabel(b, source, what, &no_relabel, &custom, error))
        return;
    if (no_relabel) {
        add_skipped(b, kind, path, target, FALSE, _("relabel='no' on the disk"));
        return;
    }
    if (!svirt_settings_disk_relabel(b->settings, target)) {
        add_skipped(b, kind, path, target, FALSE,
                    _("relabel off for this disk in the VM's security settings"));
        return;
    }

    if (kind == SVIRT_PLAN_KIND_CDROM || svirt_xml_child(disk, "readonly"))
        designation = SVIRT_DESIGNATION_READONLY;
    else if (svirt_xml_child(disk, "shareable"))
        designation = SVIRT_DESIGNATION_SHARED;
    item = add_item(b, kind, designation, path, target);
    use_custom_label(item, custom);
    if (!b->vm_skip && g_strcmp0(format, "qcow2") == 0)
        follow_backing_chain(b, path, item, disk, target);
}

static void
plan_chardev(Builder *b, xmlNodePtr dev, GHashTable *seen_paths, GError **error)
{
    g_autofree char *type = svirt_xml_prop(dev, "type");
    g_autofree char *custom = NULL;
    xmlNodePtr source = svirt_xml_child(dev, "source");
    g_autofree char *path = svirt_xml_prop(source, "path");
    g_autofree char *what = NULL;
    SvirtPlanKind kind;
    gboolean no_relabel = FALSE;

    if (g_strcmp0(type, "file") == 0)
        kind = SVIRT_PLAN_KIND_SERIAL_FILE;
    else if (g_strcmp0(type, "pipe") == 0)
        kind = SVIRT_PLAN_KIND_SERIAL_PIPE;
    else if (g_strcmp0(type, "unix") == 0)
        kind = SVIRT_PLAN_KIND_SERIAL_SOCKET;
    else
        return;
    /* libvirt repeats the first serial port as the console. */
    if (path == NULL || *path == '\0' || !g_hash_table_add(seen_paths, g_strdup(path)))
        return;
    /* TRANSLATORS: %1$s is a device kind (serial, console, channel), %2$s its path */
    what = g_strdup_printf(_("the %1$s device %2$s"), (const char *)dev->name, path);
    if (!source_seclabel(b, source, what, &no_relabel, &custom, error))
        return;
    if (no_relabel) {
        add_skipped(b, kind, path, NULL, FALSE, _("relabel='no' on the device"));
        return;
    }
    if (kind == SVIRT_PLAN_KIND_SERIAL_PIPE) {
        g_autofree char *in = g_strconcat(path, ".in", NULL);
        g_autofree char *out = g_strconcat(path, ".out", NULL);

        /* QEMU opens PATH.in and PATH.out when both exist, PATH otherwise. */
        if (g_file_test(in, G_FILE_TEST_EXISTS) && g_file_test(out, G_FILE_TEST_EXISTS)) {
            use_custom_label(add_item(b, kind, SVIRT_DESIGNATION_PRIVATE, in, NULL), custom);
            use_custom_label(add_item(b, kind, SVIRT_DESIGNATION_PRIVATE, out, NULL), custom);
            return;
        }
    }
    use_custom_label(add_item(b, kind, SVIRT_DESIGNATION_PRIVATE, path, NULL), custom);
}

/* The UNIX socket a VNC or SPICE display listens on: QEMU removes and creates it at each start,
 * so the directory gets the VM's label, as libvirt's selinux driver labels the directory it
 * makes for a VM's sockets; a socket already there gets it too. */
static void
plan_graphics(Builder *b, xmlNodePtr dev)
{
    g_autofree char *type = svirt_xml_prop(dev, "type");
    xmlNodePtr listen = svirt_xml_child(dev, "listen");
    g_autofree char *listen_type = svirt_xml_prop(listen, "type");
    g_autofree char *path = NULL;
    g_autofree char *dir = NULL;
    SvirtPlanItem *item;

    if (g_strcmp0(type, "vnc") != 0 && g_strcmp0(type, "spice") != 0)
        return;
    if (listen && g_strcmp0(listen_type, "socket") != 0)
        return;
    path = listen ? svirt_xml_prop(listen, "socket") : svirt_xml_prop(dev, "socket");
    if (!listen && !path)
        return;
    if (path == NULL || *path == '\0') {
        add_skipped(b, SVIRT_PLAN_KIND_DISPLAY_SOCKET, _("display socket chosen by libvirtd"),
                    NULL, TRUE,
                    _("libvirtd makes this socket in a directory of its own, which it does not "
                      "label for a VM sVirt Manager starts. Name the socket "
                      "(<listen type='socket' socket='/path'/>) or use <listen type='none'/>."));
        return;
    }
    dir = g_path_get_dirname(path);
    item = add_item(b, SVIRT_PLAN_KIND_DISPLAY_SOCKET, SVIRT_DESIGNATION_PRIVATE, dir, NULL);
    add_note(item, FALSE, _("directory of the display socket %s, which QEMU creates at start"),
             path);
    if (g_file_test(path, G_FILE_TEST_EXISTS))
        add_item(b, SVIRT_PLAN_KIND_DISPLAY_SOCKET, SVIRT_DESIGNATION_PRIVATE, path, NULL);
}

static gboolean
parse_number(const char *str, guint64 max, guint64 *out)
{
    g_autofree char *copy = NULL;
    char *end = NULL;

    if (str == NULL || *str == '\0')
        return FALSE;
    copy = g_strstrip(g_strdup(str));
    *out = g_ascii_strtoull(copy, &end, 0);
    return end != copy && *end == '\0' && *out <= max;
}

static void
plan_hostdev(Builder *b, xmlNodePtr dev)
{
    g_autofree char *mode = svirt_xml_prop(dev, "mode");
    g_autofree char *type = svirt_xml_prop(dev, "type");
    xmlNodePtr source = svirt_xml_child(dev, "source");
    xmlNodePtr address = svirt_xml_child(source, "address");
    SvirtDesignation designation = SVIRT_DESIGNATION_PRIVATE;

    if (mode && !g_str_equal(mode, "subsystem"))
        return;
    if (svirt_xml_child(dev, "readonly"))
        designation = SVIRT_DESIGNATION_READONLY;
    else if (svirt_xml_child(dev, "shareable"))
        designation = SVIRT_DESIGNATION_SHARED;

    if (g_strcmp0(type, "pci") == 0) {
        g_autofree char *domain_s = svirt_xml_prop(address, "domain");
        g_autofree char *bus_s = svirt_xml_prop(address, "bus");
        g_autofree char *slot_s = svirt_xml_prop(address, "slot");
        g_autofree char *function_s = svirt_xml_prop(address, "function");
        g_autofree char *name = NULL;
        g_autofree char *link = NULL;
        g_autofree char *group = NULL;
        g_autofree char *group_link = NULL;
        guint64 domain = 0, bus, slot, function;

        if ((domain_s && !parse_number(domain_s, 0xffff, &domain)) ||
            !parse_number(bus_s, 0xff, &bus) || !parse_number(slot_s, 0x1f, &slot) ||
            !parse_number(function_s, 7, &function)) {
            add_skipped(b, SVIRT_PLAN_KIND_HOSTDEV, "pci", NULL, TRUE,
                        _("PCI device without a valid address"));
            return;
        }
        name = g_strdup_printf("%04x:%02x:%02x.%x", (guint)domain, (guint)bus, (guint)slot,
                               (guint)function);
        group_link = g_strdup_printf("/sys/bus/pci/devices/%s/iommu_group", name);
        link = g_file_read_link(group_link, NULL);
        if (link == NULL) {
            g_autofree char *what = g_strdup_printf("pci:%s", name);

            add_skipped(b, SVIRT_PLAN_KIND_HOSTDEV, what, NULL, TRUE,
                        _("PCI device not on this host, or without an IOMMU group"));
            return;
        }
        group = g_path_get_basename(link);
        g_free(link);
        link = g_strdup_printf("/dev/vfio/%s", group);
        add_item(b, SVIRT_PLAN_KIND_HOSTDEV, designation, link, NULL);
    } else if (g_strcmp0(type, "usb") == 0) {
        g_autofree char *bus_s = svirt_xml_prop(address, "bus");
        g_autofree char *device_s = svirt_xml_prop(address, "device");
        g_autofree char *path = NULL;
        guint64 bus, device;

        if (!parse_number(bus_s, 999, &bus) || !parse_number(device_s, 999, &device)) {
            add_skipped(b, SVIRT_PLAN_KIND_HOSTDEV, "usb", NULL, FALSE,
                        _("USB device chosen by vendor and product: resolved at start"));
            return;
        }
        path = g_strdup_printf("/dev/bus/usb/%03u/%03u", (guint)bus, (guint)device);
        add_item(b, SVIRT_PLAN_KIND_HOSTDEV, designation, path, NULL);
    } else {
        g_autofree char *why = g_strdup_printf(_("host device type '%s': resolved at start"),
                                               type ? type : "");

        add_skipped(b, SVIRT_PLAN_KIND_HOSTDEV, type ? type : "hostdev", NULL, FALSE, why);
    }
}

static void
plan_os(Builder *b, xmlNodePtr os)
{
    static const struct {
        const char *element;
        SvirtPlanKind kind;
    } boot_files[] = {
        { "kernel", SVIRT_PLAN_KIND_KERNEL },
        { "initrd", SVIRT_PLAN_KIND_INITRD },
        { "dtb", SVIRT_PLAN_KIND_DTB },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(boot_files); i++) {
        g_autofree char *path = svirt_xml_text(svirt_xml_child(os, boot_files[i].element));

        if (path)
            add_item(b, boot_files[i].kind, SVIRT_DESIGNATION_CONTENT, path, NULL);
    }
}

/* Labels for @settings; sets plan->level and plan->process_label. */
static gboolean
prepare_labels(Builder *b, SvirtPlan *plan, const SvirtPolicyTypes *types, gboolean tcg,
               const char *level, GError **error)
{
    const SvirtSettings *settings = b->settings;

    switch (settings->mode) {
    case SVIRT_SECURITY_MODE_NONE:
        b->vm_skip = _("security mode none: the engine labels nothing");
        return TRUE;
    case SVIRT_SECURITY_MODE_STATIC:
        plan->process_label = g_strdup(settings->label);
        plan->level = svirt_settings_dup_static_level(settings);
        if (!settings->relabel) {
            b->vm_skip = _("static label, relabel off");
            return TRUE;
        }
        break;
    case SVIRT_SECURITY_MODE_DYNAMIC:
    default:
        if (level == NULL) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                        _("No MCS level was allocated for VM '%s'; allocate one first."),
                        b->vm_name);
            return FALSE;
        }
        /* A base label gives user, role and type, whatever the virtualization type. */
        plan->process_label = svirt_policy_context_with_level(
            settings->baselabel ? settings->baselabel : svirt_policy_types_get_process(types, tcg),
            level, error);
        if (plan->process_label == NULL)
            return FALSE;
        plan->level = g_strdup(level);
        break;
    }
    b->private_label = svirt_policy_context_with_level(types->image, plan->level, error);
    if (b->private_label == NULL)
        return FALSE;
    b->shared_label = g_strdup(types->image);
    b->content_label = g_strdup(types->content);
    return TRUE;
}

SvirtPlan *
svirt_plan_build(const char *domain_xml, const SvirtSettings *settings,
                 const SvirtPolicyTypes *types, const char *level, GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;

    g_return_val_if_fail(domain_xml != NULL && settings != NULL && types != NULL, NULL);

    doc = svirt_xml_parse(domain_xml, NULL);
    return svirt_plan_build_doc(doc, settings, types, level, error);
}

SvirtPlan *
svirt_plan_build_doc(xmlDoc *doc, const SvirtSettings *settings, const SvirtPolicyTypes *types,
                     const char *level, GError **error)
{
    g_autoptr(SvirtPlan) plan = plan_new();
    g_autoptr(GHashTable) chardev_paths = NULL;
    g_autofree char *virt_type = NULL;
    Builder b = { 0 };
    xmlNodePtr root, devices;
    GError *local = NULL;

    g_return_val_if_fail(settings != NULL && types != NULL, NULL);

    if (!svirt_settings_validate(settings, error))
        return NULL;
    root = doc ? xmlDocGetRootElement(doc) : NULL;
    if (root == NULL || !svirt_xml_is(root, "domain")) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("The VM definition is not a libvirt <domain> document."));
        return NULL;
    }

    plan->vm_name = svirt_xml_text(svirt_xml_child(root, "name"));
    plan->vm_uuid = svirt_xml_text(svirt_xml_child(root, "uuid"));
    plan->mode = settings->mode;
    virt_type = svirt_xml_prop(root, "type");
    b.vm_name = plan->vm_name ? plan->vm_name : "";
    b.settings = settings;
    b.items = plan->items;

    if (!prepare_labels(&b, plan, types, g_strcmp0(virt_type, "qemu") == 0, level, &local))
        goto out;

    plan_os(&b, svirt_xml_child(root, "os"));
    chardev_paths = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    devices = svirt_xml_child(root, "devices");
    for (xmlNodePtr dev = devices ? devices->children : NULL; dev && !local; dev = dev->next) {
        if (svirt_xml_is(dev, "disk"))
            plan_disk(&b, dev, &local);
        else if (svirt_xml_is(dev, "serial") || svirt_xml_is(dev, "console") ||
                 svirt_xml_is(dev, "parallel") || svirt_xml_is(dev, "channel"))
            plan_chardev(&b, dev, chardev_paths, &local);
        else if (svirt_xml_is(dev, "hostdev"))
            plan_hostdev(&b, dev);
        else if (svirt_xml_is(dev, "graphics"))
            plan_graphics(&b, dev);
    }

out:
    builder_clear(&b);
    if (local) {
        g_propagate_error(error, local);
        return NULL;
    }
    return g_steal_pointer(&plan);
}

JsonNode *
svirt_plan_to_json(const SvirtPlan *plan)
{
    g_autoptr(JsonBuilder) builder = json_builder_new();

    g_return_val_if_fail(plan != NULL, NULL);

    json_builder_begin_object(builder);
    svirt_json_add_string(builder, "vm", plan->vm_name);
    svirt_json_add_string(builder, "uuid", plan->vm_uuid);
    svirt_json_add_string(builder, "mode", svirt_security_mode_to_string(plan->mode));
    svirt_json_add_string(builder, "level", plan->level);
    svirt_json_add_string(builder, "process_label", plan->process_label);
    json_builder_set_member_name(builder, "items");
    json_builder_begin_array(builder);
    for (guint i = 0; i < plan->items->len; i++) {
        const SvirtPlanItem *item = g_ptr_array_index(plan->items, i);

        json_builder_begin_object(builder);
        svirt_json_add_string(builder, "path", item->path);
        svirt_json_add_string(builder, "kind", svirt_plan_kind_to_string(item->kind));
        svirt_json_add_string(builder, "designation", svirt_designation_to_string(item->designation));
        svirt_json_add_string(builder, "label", item->label);
        svirt_json_add_string(builder, "reason", item->reason);
        json_builder_set_member_name(builder, "warning");
        json_builder_add_boolean_value(builder, item->warning);
        json_builder_set_member_name(builder, "restore");
        json_builder_add_boolean_value(builder, item->restore);
        svirt_json_add_string(builder, "target", item->target);
        json_builder_end_object(builder);
    }
    json_builder_end_array(builder);
    json_builder_end_object(builder);
    return json_builder_get_root(builder);
}
