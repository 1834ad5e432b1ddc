#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-domain-xml.h"
#include "svirt-error.h"
#include "svirt-private.h"

static xmlDoc *
read_doc(const char *xml, int options, GError **error)
{
    g_autoptr(xmlParserCtxt) ctxt = xmlNewParserCtxt();
    g_autoptr(xmlDoc) doc = NULL;

    g_return_val_if_fail(xml != NULL, NULL);

    if (!ctxt) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Could not read an XML document: out of memory."));
        return NULL;
    }
    doc = xmlCtxtReadMemory(ctxt, xml, (int)strlen(xml), NULL, NULL,
                            options | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc) {
        xmlErrorPtr xerr = xmlCtxtGetLastError(ctxt);
        g_autofree char *message =
            g_utf8_make_valid(xerr && xerr->message ? xerr->message : "", -1);

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("The XML document is not well-formed: %s"), g_strchomp(message));
        return NULL;
    }
    if (!xmlDocGetRootElement(doc)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("The XML document has no root element."));
        return NULL;
    }
    return g_steal_pointer(&doc);
}

xmlDoc *
svirt_xml_parse(const char *xml, GError **error)
{
    return read_doc(xml, 0, error);
}

char *
svirt_xml_dump(xmlDoc *doc)
{
    g_autoptr(XmlString) out = NULL;
    int len = 0;

    xmlDocDumpMemory(doc, &out, &len);
    return g_strndup((const char *)out, len);
}

char *
svirt_xml_dump_formatted(xmlDoc *doc)
{
    g_autoptr(xmlBuffer) buf = xmlBufferCreate();

    xmlNodeDump(buf, doc, xmlDocGetRootElement(doc), 0, 1);
    return g_strconcat((const char *)xmlBufferContent(buf), "\n", NULL);
}

char *
svirt_xml_eval_string(xmlDoc *doc, const char *expr)
{
    g_autoptr(xmlXPathContext) ctxt = xmlXPathNewContext(doc);
    g_autoptr(xmlXPathObject) obj = ctxt ? xmlXPathEvalExpression(BAD_CAST expr, ctxt) : NULL;

    if (!obj || obj->type != XPATH_STRING || !obj->stringval || !*obj->stringval)
        return NULL;
    return g_strstrip(g_strdup((const char *)obj->stringval));
}

char *
svirt_xml_string(const char *xml, const char *expr)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, NULL);

    return doc ? svirt_xml_eval_string(doc, expr) : NULL;
}

gboolean
svirt_xml_is(xmlNode *node, const char *name)
{
    return node->type == XML_ELEMENT_NODE && node->ns == NULL &&
           xmlStrEqual(node->name, BAD_CAST name);
}

xmlNode *
svirt_xml_child(xmlNode *parent, const char *name)
{
    for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next) {
        if (svirt_xml_is(n, name))
            return n;
    }
    return NULL;
}

char *
svirt_xml_prop(xmlNode *node, const char *name)
{
    g_autoptr(XmlString) value = node ? xmlGetNoNsProp(node, BAD_CAST name) : NULL;

    return g_strdup((const char *)value);
}

char *
svirt_xml_text(xmlNode *node)
{
    g_autoptr(XmlString) value = node ? xmlNodeGetContent(node) : NULL;
    char *text = value ? g_strstrip(g_strdup((const char *)value)) : NULL;

    if (text && !*text)
        g_clear_pointer(&text, g_free);
    return text;
}

void
svirt_xml_remove_children(xmlNode *node, const char *name)
{
    xmlNode *next;

    for (xmlNode *n = node->children; n; n = next) {
        next = n->next;
        if (svirt_xml_is(n, name)) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
}

xmlNode *
svirt_xml_add(xmlNode *parent, const char *name, const char *text)
{
    return xmlNewTextChild(parent, NULL, BAD_CAST name, BAD_CAST text);
}

void
svirt_xml_set(xmlNode *node, const char *name, const char *value)
{
    xmlSetProp(node, BAD_CAST name, BAD_CAST value);
}

char *
svirt_domain_xml_uuid(const char *xml)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, NULL);

    return doc ? svirt_xml_text(svirt_xml_child(xmlDocGetRootElement(doc), "uuid")) : NULL;
}

/* Every <seclabel model='selinux'>, the domain's and the devices'. */
static void
remove_selinux_seclabels(xmlDoc *doc)
{
    g_autoptr(xmlXPathContext) ctxt = xmlXPathNewContext(doc);
    g_autoptr(xmlXPathObject) found =
        xmlXPathEvalExpression(BAD_CAST "//seclabel[@model='selinux']", ctxt);

    for (int i = 0; found && found->nodesetval && i < found->nodesetval->nodeNr; i++) {
        xmlNode *seclabel = found->nodesetval->nodeTab[i];

        xmlUnlinkNode(seclabel);
        xmlFreeNode(seclabel);
    }
}

/* Removes every element of the live labels' namespace, whatever its prefix. */
static void
remove_live_labels(xmlNode *metadata)
{
    xmlNode *next;

    for (xmlNode *n = metadata->children; n; n = next) {
        next = n->next;
        if (n->type == XML_ELEMENT_NODE && n->ns &&
            xmlStrEqual(n->ns->href, BAD_CAST SVIRT_LIVE_NS)) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
}

/* The live copy carries only what this start wrote: labels copied into the persistent
 * definition (virsh dumpxml of a running VM, then virsh define) or forged there go. */
static void
add_live_labels(xmlNode *root, const SvirtPlan *plan, const char *image_label)
{
    xmlNode *metadata = svirt_xml_child(root, "metadata");
    xmlNode *labels;

    if (!metadata)
        metadata = svirt_xml_add(root, "metadata", NULL);
    remove_live_labels(metadata);
    labels = svirt_xml_add(metadata, "labels", NULL);
    xmlSetNs(labels, xmlNewNs(labels, BAD_CAST SVIRT_LIVE_NS, BAD_CAST SVIRT_LIVE_PREFIX));
    svirt_xml_set(labels, "mode", svirt_security_mode_to_string(plan->mode));
    if (plan->process_label)
        svirt_xml_set(labels, "process", plan->process_label);
    if (image_label)
        svirt_xml_set(labels, "image", image_label);
    if (plan->level)
        svirt_xml_set(labels, "level", plan->level);
}

char *
svirt_domain_xml_make_live(const char *xml, const SvirtPlan *plan, const char *image_label,
                           gboolean with_seclabel, GError **error)
{
    g_autoptr(xmlDoc) doc = read_doc(xml, XML_PARSE_NOBLANKS, NULL);
    xmlNode *root;

    if (!doc) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("Could not read the definition of VM '%s'."), plan->vm_name);
        return NULL;
    }
    root = xmlDocGetRootElement(doc);
    add_live_labels(root, plan, image_label);
    if (with_seclabel && plan->process_label) {
        xmlNode *seclabel;

        svirt_xml_remove_children(root, "seclabel");
        /* libvirt refuses a device's own selinux label beside a domain label it does not
         * relabel for, and the engine has labelled the devices already. */
        remove_selinux_seclabels(doc);
        seclabel = svirt_xml_add(root, "seclabel", NULL);
        svirt_xml_set(seclabel, "type", "static");
        svirt_xml_set(seclabel, "model", "selinux");
        svirt_xml_set(seclabel, "relabel", "no");
        svirt_xml_add(seclabel, "label", plan->process_label);
    }
    return svirt_xml_dump(doc);
}

char *
svirt_domain_xml_live_labels_attr(const char *labels_xml, const char *name)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(labels_xml, NULL);
    g_autoptr(XmlString) value = doc ? xmlGetProp(xmlDocGetRootElement(doc), BAD_CAST name)
                                     : NULL;

    return g_strdup((const char *)value);
}

char *
svirt_domain_xml_held_label(const char *live_xml)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(live_xml, NULL);

    return doc ? svirt_domain_doc_held_label(doc) : NULL;
}

char *
svirt_domain_doc_held_label(xmlDoc *doc)
{
    char *label;

    label = svirt_xml_eval_string(doc, "string(/domain/metadata/*[namespace-uri()='" SVIRT_LIVE_NS
                                       "']/@process)");
    if (!label)
        label = svirt_xml_eval_string(doc, "string(/domain/seclabel[@model='selinux' and "
                                           "not(@type='none')]/label)");
    return label;
}

char *
svirt_domain_xml_live_attr(const char *live_xml, const char *name)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(live_xml, NULL);

    return doc ? svirt_domain_doc_live_attr(doc, name) : NULL;
}

char *
svirt_domain_doc_live_attr(xmlDoc *doc, const char *name)
{
    g_autofree char *expr = g_strdup_printf(
        "string(/domain/metadata/*[namespace-uri()='" SVIRT_LIVE_NS "']/@%s)", name);

    return svirt_xml_eval_string(doc, expr);
}

char *
svirt_domain_xml_selinux_label(const char *xml)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, NULL);

    return doc ? svirt_domain_doc_selinux_label(doc) : NULL;
}

char *
svirt_domain_doc_selinux_label(xmlDoc *doc)
{
    return svirt_xml_eval_string(doc, "string(/domain/seclabel[@model='selinux']/label)");
}

xmlDoc *
svirt_domain_xml_new(const char *virt_type, const char *name, guint memory_mib, guint vcpus,
                     gboolean boot_cdrom)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");
    xmlNode *root = xmlNewDocNode(doc, NULL, BAD_CAST "domain", NULL);
    g_autofree char *memory = g_strdup_printf("%u", memory_mib);
    g_autofree char *cpus = g_strdup_printf("%u", vcpus);
    xmlNode *os, *type, *features;

    xmlDocSetRootElement(doc, root);
    svirt_xml_set(root, "type", virt_type);
    svirt_xml_add(root, "name", name);
    svirt_xml_set(svirt_xml_add(root, "memory", memory), "unit", "MiB");
    svirt_xml_add(root, "vcpu", cpus);
    os = svirt_xml_add(root, "os", NULL);
    type = svirt_xml_add(os, "type", "hvm");
    svirt_xml_set(type, "arch", "x86_64");
    svirt_xml_set(type, "machine", "pc");
    if (boot_cdrom)
        svirt_xml_set(svirt_xml_add(os, "boot", NULL), "dev", "cdrom");
    svirt_xml_set(svirt_xml_add(os, "boot", NULL), "dev", "hd");
    features = svirt_xml_add(root, "features", NULL);
    svirt_xml_add(features, "acpi", NULL);
    svirt_xml_add(features, "apic", NULL);
    svirt_xml_add(root, "devices", NULL);
    return doc;
}

static xmlNode *
devices_of(xmlDoc *doc)
{
    xmlNode *root = xmlDocGetRootElement(doc);
    xmlNode *devices = svirt_xml_child(root, "devices");

    return devices ? devices : svirt_xml_add(root, "devices", NULL);
}

static void
fill_disk(xmlNode *node, const SvirtDiskXml *disk)
{
    struct stat st;
    gboolean block = stat(disk->path, &st) == 0 && S_ISBLK(st.st_mode);
    xmlNode *child;

    svirt_xml_set(node, "type", block ? "block" : "file");
    svirt_xml_set(node, "device", disk->device);
    child = svirt_xml_add(node, "driver", NULL);
    svirt_xml_set(child, "name", "qemu");
    svirt_xml_set(child, "type", disk->format);
    svirt_xml_set(svirt_xml_add(node, "source", NULL), block ? "dev" : "file", disk->path);
    child = svirt_xml_add(node, "target", NULL);
    svirt_xml_set(child, "dev", disk->target);
    svirt_xml_set(child, "bus", disk->bus);
    if (disk->designation == SVIRT_DESIGNATION_READONLY)
        svirt_xml_add(node, "readonly", NULL);
    else if (disk->designation == SVIRT_DESIGNATION_SHARED)
        svirt_xml_add(node, "shareable", NULL);
}

void
svirt_domain_xml_add_disk(xmlDoc *doc, const SvirtDiskXml *disk)
{
    fill_disk(svirt_xml_add(devices_of(doc), "disk", NULL), disk);
}

void
svirt_domain_xml_add_interface(xmlDoc *doc, const char *network)
{
    xmlNode *iface = svirt_xml_add(devices_of(doc), "interface", NULL);

    svirt_xml_set(iface, "type", network ? "network" : "user");
    if (network)
        svirt_xml_set(svirt_xml_add(iface, "source", NULL), "network", network);
    svirt_xml_set(svirt_xml_add(iface, "model", NULL), "type", "virtio");
}

void
svirt_domain_xml_add_console(xmlDoc *doc)
{
    xmlNode *devices = devices_of(doc);
    xmlNode *serial = svirt_xml_add(devices, "serial", NULL);
    xmlNode *console = svirt_xml_add(devices, "console", NULL);
    xmlNode *target;

    svirt_xml_set(serial, "type", "pty");
    svirt_xml_set(svirt_xml_add(serial, "target", NULL), "port", "0");
    svirt_xml_set(console, "type", "pty");
    target = svirt_xml_add(console, "target", NULL);
    svirt_xml_set(target, "type", "serial");
    svirt_xml_set(target, "port", "0");
}

/* The first device @name, with @attr = @value when @attr is not NULL. */
static xmlNode *
find_device(xmlNode *devices, const char *name, const char *attr, const char *value)
{
    for (xmlNode *n = devices->children; n; n = n->next) {
        g_autofree char *found = NULL;

        if (!svirt_xml_is(n, name))
            continue;
        if (!attr)
            return n;
        found = svirt_xml_prop(n, attr);
        if (g_strcmp0(found, value) == 0)
            return n;
    }
    return NULL;
}

static void
add_video(xmlNode *devices, SvirtDisplayKind kind)
{
    xmlNode *video;
    xmlNode *model;

    for (video = find_device(devices, "video", NULL, NULL); video; video = video->next) {
        g_autofree char *type = NULL;

        if (!svirt_xml_is(video, "video"))
            continue;
        type = svirt_xml_prop(svirt_xml_child(video, "model"), "type");
        if (g_strcmp0(type, "none") != 0)
            return;
    }
    svirt_xml_remove_children(devices, "video");
    model = svirt_xml_add(svirt_xml_add(devices, "video", NULL), "model", NULL);
    svirt_xml_set(model, "type", kind == SVIRT_DISPLAY_SPICE ? "qxl" : "vga");
}

void
svirt_domain_xml_add_display(xmlDoc *doc, SvirtDisplayKind kind)
{
    xmlNode *devices = devices_of(doc);
    xmlNode *graphics;
    xmlNode *input;

    g_return_if_fail(kind == SVIRT_DISPLAY_VNC || kind == SVIRT_DISPLAY_SPICE);
    graphics = svirt_xml_add(devices, "graphics", NULL);
    svirt_xml_set(graphics, "type", svirt_display_kind_to_string(kind));
    svirt_xml_set(svirt_xml_add(graphics, "listen", NULL), "type", "none");
    add_video(devices, kind);
    /* An absolute pointer: the guest's cursor follows the viewer's without a grab. */
    if (!find_device(devices, "input", "type", "tablet")) {
        input = svirt_xml_add(devices, "input", NULL);
        svirt_xml_set(input, "type", "tablet");
        svirt_xml_set(input, "bus", "usb");
    }
}

/* A document whose root element is @name. */
static xmlDoc *
new_doc(const char *name, xmlNode **root)
{
    xmlDoc *doc = xmlNewDoc(BAD_CAST "1.0");

    *root = xmlNewDocNode(doc, NULL, BAD_CAST name, NULL);
    xmlDocSetRootElement(doc, *root);
    return doc;
}

char *
svirt_disk_xml_format(const SvirtDiskXml *disk)
{
    xmlNode *root;
    g_autoptr(xmlDoc) doc = new_doc("disk", &root);

    fill_disk(root, disk);
    return svirt_xml_dump_formatted(doc);
}

char *
svirt_pool_xml_target_path(const char *pool_xml)
{
    return svirt_xml_string(pool_xml, "string(/pool/target/path)");
}

char *
svirt_pool_target_path(virStoragePoolPtr pool)
{
    g_autoptr(VirString) xml = virStoragePoolGetXMLDesc(pool, 0);

    if (!xml) {
        virResetLastError();
        return NULL;
    }
    return svirt_pool_xml_target_path(xml);
}

char *
svirt_pool_xml_new_dir(const char *name, const char *path)
{
    xmlNode *root;
    g_autoptr(xmlDoc) doc = new_doc("pool", &root);

    svirt_xml_set(root, "type", "dir");
    svirt_xml_add(root, "name", name);
    svirt_xml_add(svirt_xml_add(root, "target", NULL), "path", path);
    return svirt_xml_dump_formatted(doc);
}

char *
svirt_volume_xml_new(const char *name, guint64 capacity_mib, const char *format)
{
    xmlNode *root, *target;
    g_autoptr(xmlDoc) doc = new_doc("volume", &root);
    g_autofree char *capacity = g_strdup_printf("%" G_GUINT64_FORMAT, capacity_mib);

    svirt_xml_add(root, "name", name);
    svirt_xml_set(svirt_xml_add(root, "capacity", capacity), "unit", "MiB");
    svirt_xml_set(svirt_xml_add(root, "allocation", "0"), "unit", "MiB");
    target = svirt_xml_add(root, "target", NULL);
    svirt_xml_set(svirt_xml_add(target, "format", NULL), "type", format);
    return svirt_xml_dump_formatted(doc);
}

static gboolean
is_selinux_seclabel(xmlNode *node, gboolean or_no_model)
{
    g_autofree char *model = NULL;

    if (!svirt_xml_is(node, "seclabel"))
        return FALSE;
    model = svirt_xml_prop(node, "model");
    return model ? g_str_equal(model, "selinux") : or_no_model;
}

/* The domain's own <seclabel model='selinux'>, not one of a device. */
static xmlNode *
domain_seclabel(xmlNode *root)
{
    for (xmlNode *n = root->children; n; n = n->next) {
        if (is_selinux_seclabel(n, FALSE))
            return n;
    }
    return NULL;
}

/* Whether a <source> seclabel (of the selinux model, or of none as the plan reads it) says
 * relabel='no' without a label of its own. */
static gboolean
is_no_relabel(xmlNode *seclabel)
{
    g_autofree char *relabel = svirt_xml_prop(seclabel, "relabel");

    return g_strcmp0(relabel, "no") == 0 && !svirt_xml_child(seclabel, "label");
}

static void
add_native_disks(xmlNode *root, GPtrArray *targets)
{
    xmlNode *devices = svirt_xml_child(root, "devices");

    for (xmlNode *disk = devices ? devices->children : NULL; disk; disk = disk->next) {
        g_autofree char *target = NULL;
        xmlNode *source;

        if (!svirt_xml_is(disk, "disk") || !(source = svirt_xml_child(disk, "source")))
            continue;
        target = svirt_xml_prop(svirt_xml_child(disk, "target"), "dev");
        for (xmlNode *n = source->children; n && target; n = n->next) {
            if (is_selinux_seclabel(n, TRUE) && is_no_relabel(n) &&
                !g_ptr_array_find_with_equal_func(targets, target, g_str_equal, NULL)) {
                g_ptr_array_add(targets, g_steal_pointer(&target));
            }
        }
    }
}

static gboolean
native_relabel(xmlNode *seclabel, gboolean fallback, gboolean *relabel, GError **error)
{
    g_autofree char *value = svirt_xml_prop(seclabel, "relabel");

    if (value == NULL || g_str_equal(value, "yes") || g_str_equal(value, "no")) {
        *relabel = value ? g_str_equal(value, "yes") : fallback;
        return TRUE;
    }
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                _("relabel='%s' is neither 'yes' nor 'no'."), value);
    return FALSE;
}

/* The domain's seclabel as settings, with libvirt's defaults: type dynamic, relabel yes for a
 * dynamic label and no for a static one. */
static SvirtSettings *
native_domain_settings(xmlNode *seclabel, GError **error)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *type = svirt_xml_prop(seclabel, "type");
    g_autofree char *label = svirt_xml_text(svirt_xml_child(seclabel, "label"));
    g_autofree char *baselabel = svirt_xml_text(svirt_xml_child(seclabel, "baselabel"));
    gboolean relabel = TRUE;
    gboolean ok;

    if (type == NULL || g_str_equal(type, "dynamic")) {
        if (!native_relabel(seclabel, TRUE, &relabel, error))
            return NULL;
        if (!relabel) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                        _("A dynamic label needs relabel='yes': it changes at every start."));
            return NULL;
        }
        /* Before a start libvirt keeps no <label> of a dynamic seclabel. */
        ok = svirt_settings_set_baselabel(settings, baselabel, error);
    } else if (g_str_equal(type, "static")) {
        ok = native_relabel(seclabel, FALSE, &relabel, error) &&
             svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, label ? label : NULL,
                                     relabel, error);
    } else if (g_str_equal(type, "none")) {
        ok = svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_NONE, NULL, TRUE, error);
    } else {
        g_autofree char *shown = g_strescape(type, NULL);

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                    _("type='%s' is none of 'dynamic', 'static' and 'none'."), shown);
        return NULL;
    }
    return ok ? g_steal_pointer(&settings) : NULL;
}

SvirtSettings *
svirt_domain_xml_native_settings(const char *xml, GError **error)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, error);

    return doc ? svirt_domain_doc_native_settings(doc, error) : NULL;
}

SvirtSettings *
svirt_domain_doc_native_settings(xmlDoc *doc, GError **error)
{
    g_autoptr(SvirtSettings) settings = NULL;
    xmlNode *seclabel;

    seclabel = domain_seclabel(xmlDocGetRootElement(doc));
    if (!seclabel)
        return NULL;
    settings = native_domain_settings(seclabel, error);
    if (!settings)
        return NULL;
    add_native_disks(xmlDocGetRootElement(doc), settings->no_relabel_disks);
    return g_steal_pointer(&settings);
}

SvirtSettings *
svirt_domain_xml_settings(const char *xml, const SvirtSettings *stored, gboolean *native,
                          GError **error)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, error);

    return doc ? svirt_domain_doc_settings(doc, stored, native, error) : NULL;
}

SvirtSettings *
svirt_domain_doc_settings(xmlDoc *doc, const SvirtSettings *stored, gboolean *native,
                          GError **error)
{
    g_autoptr(GError) local = NULL;
    SvirtSettings *settings = svirt_domain_doc_native_settings(doc, &local);

    if (native)
        *native = settings != NULL;
    if (settings)
        return settings;
    if (local) {
        g_propagate_error(error, g_steal_pointer(&local));
        return NULL;
    }
    settings = stored ? svirt_settings_copy(stored) : svirt_settings_new();
    add_native_disks(xmlDocGetRootElement(doc), settings->no_relabel_disks);
    return settings;
}

gboolean
svirt_domain_xml_has_selinux_seclabel(const char *xml)
{
    g_autoptr(xmlDoc) doc = svirt_xml_parse(xml, NULL);

    return doc && svirt_domain_doc_has_selinux_seclabel(doc);
}

gboolean
svirt_domain_doc_has_selinux_seclabel(xmlDoc *doc)
{
    g_autofree char *count =
        svirt_xml_eval_string(doc, "string(count(//seclabel[@model='selinux']))");

    return g_strcmp0(count, "0") != 0;
}

char *
svirt_domain_doc_metadata(xmlDoc *doc, const char *ns)
{
    xmlNode *metadata = svirt_xml_child(xmlDocGetRootElement(doc), "metadata");
    g_autoptr(xmlDoc) copy = NULL;
    g_autoptr(xmlBuffer) buf = NULL;
    xmlNode *node;

    for (node = metadata ? metadata->children : NULL; node; node = node->next) {
        if (node->type == XML_ELEMENT_NODE && node->ns && node->ns->href &&
            xmlStrEqual(node->ns->href, BAD_CAST ns))
            break;
    }
    if (!node)
        return NULL;
    /* Copied into a document of its own, the element declares the namespaces it uses. */
    copy = xmlNewDoc(BAD_CAST "1.0");
    xmlDocSetRootElement(copy, xmlDocCopyNode(node, copy, 1));
    buf = xmlBufferCreate();
    xmlNodeDump(buf, copy, xmlDocGetRootElement(copy), 0, 0);
    return g_strdup((const char *)xmlBufferContent(buf));
}

/* The svm element of @settings in <metadata>, in place of any earlier one. */
static void
put_metadata(xmlNode *root, const SvirtSettings *settings)
{
    xmlNode *metadata = svirt_xml_child(root, "metadata");
    g_autofree char *formatted = svirt_settings_format(settings);
    g_autoptr(xmlDoc) element = svirt_xml_parse(formatted, NULL);
    xmlNode *node, *next;

    if (!metadata)
        metadata = svirt_xml_add(root, "metadata", NULL);
    for (xmlNode *n = metadata->children; n; n = next) {
        next = n->next;
        if (n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
            xmlStrEqual(n->ns->href, BAD_CAST SVIRT_METADATA_NS)) {
            xmlUnlinkNode(n);
            xmlFreeNode(n);
        }
    }
    /* As virDomainSetMetadata() stores it: only the element itself is in the namespace. */
    node = xmlDocCopyNode(xmlDocGetRootElement(element), root->doc, 1);
    xmlSetNs(node, xmlNewNs(node, BAD_CAST SVIRT_METADATA_NS, BAD_CAST SVIRT_METADATA_PREFIX));
    xmlAddChild(metadata, node);
}

static xmlNode *
new_domain_seclabel(xmlDoc *doc, const SvirtSettings *settings)
{
    xmlNode *seclabel = xmlNewDocNode(doc, NULL, BAD_CAST "seclabel", NULL);

    svirt_xml_set(seclabel, "type", svirt_security_mode_to_string(settings->mode));
    svirt_xml_set(seclabel, "model", "selinux");
    if (settings->mode != SVIRT_SECURITY_MODE_NONE)
        svirt_xml_set(seclabel, "relabel", settings->relabel ? "yes" : "no");
    if (settings->label)
        svirt_xml_add(seclabel, "label", settings->label);
    if (settings->baselabel)
        svirt_xml_add(seclabel, "baselabel", settings->baselabel);
    return seclabel;
}

/* With the driver, the domain's selinux seclabel says @settings; one without a model is the
 * selinux one there, and libvirt takes no second label beside it. Without the driver, none. */
static void
put_domain_seclabel(xmlNode *root, const SvirtSettings *settings, gboolean selinux_driver)
{
    xmlNode *anchor = NULL;
    xmlNode *next;

    for (xmlNode *n = root->children; n; n = next) {
        next = n->next;
        if (!is_selinux_seclabel(n, selinux_driver))
            continue;
        if (!anchor && selinux_driver) {
            anchor = n;
            continue;
        }
        xmlUnlinkNode(n);
        xmlFreeNode(n);
    }
    if (!selinux_driver)
        return;
    if (anchor) {
        xmlFreeNode(xmlReplaceNode(anchor, new_domain_seclabel(root->doc, settings)));
    } else {
        xmlAddChild(root, new_domain_seclabel(root->doc, settings));
    }
}

/* Whether a seclabel in a <source> stays: one without a model is the plan's relabel='no', and
 * goes when the disk is relabelled; a selinux one stays only where libvirtd takes it, which is
 * where the domain's label is relabelled (libvirt refuses overrides of a relabel='no' one). */
static gboolean
keep_source_seclabel(xmlNode *seclabel, gboolean keep_disk, gboolean overrides)
{
    if (!is_selinux_seclabel(seclabel, FALSE))
        return keep_disk || !is_no_relabel(seclabel);
    return overrides && (keep_disk || !is_no_relabel(seclabel));
}

/* The <source> seclabels of one disk: relabel='no' where the settings leave the disk alone, in
 * the selinux model where the driver takes it; a label of the disk's own stays. */
static void
put_disk_seclabels(xmlNode *disk, const SvirtSettings *settings, gboolean selinux_driver)
{
    xmlNode *source = svirt_xml_child(disk, "source");
    g_autofree char *target = svirt_xml_prop(svirt_xml_child(disk, "target"), "dev");
    gboolean keep_disk = target && !svirt_settings_disk_relabel(settings, target);
    gboolean overrides =
        selinux_driver && settings->relabel && settings->mode != SVIRT_SECURITY_MODE_NONE;
    gboolean present = FALSE;
    xmlNode *next;

    for (xmlNode *n = source ? source->children : NULL; n; n = next) {
        next = n->next;
        if (!is_selinux_seclabel(n, TRUE) || svirt_xml_child(n, "label"))
            continue;
        if (keep_source_seclabel(n, keep_disk, overrides)) {
            present = present || is_no_relabel(n);
            continue;
        }
        xmlUnlinkNode(n);
        xmlFreeNode(n);
    }
    if (keep_disk && overrides && source && !present) {
        xmlNode *seclabel = xmlNewDocNode(disk->doc, NULL, BAD_CAST "seclabel", NULL);

        svirt_xml_set(seclabel, "model", "selinux");
        svirt_xml_set(seclabel, "relabel", "no");
        if (source->children)
            xmlAddPrevSibling(source->children, seclabel);
        else
            xmlAddChild(source, seclabel);
    }
}

/* What a device element is called in messages: "disk vdb", or its element name. */
static char *
describe_device(xmlNode *node)
{
    while (node->parent && node->parent->type == XML_ELEMENT_NODE &&
           !svirt_xml_is(node->parent, "devices"))
        node = node->parent;
    if (svirt_xml_is(node, "disk")) {
        g_autofree char *target = svirt_xml_prop(svirt_xml_child(node, "target"), "dev");

        /* TRANSLATORS: %s is a guest disk such as vdb */
        return g_strdup_printf(_("disk %s"), target ? target : "?");
    }
    return g_strdup((const char *)node->name);
}

static gboolean
inside_disk(xmlNode *node)
{
    for (xmlNode *p = node->parent; p && p->type == XML_ELEMENT_NODE; p = p->parent) {
        if (svirt_xml_is(p, "disk"))
            return TRUE;
    }
    return FALSE;
}

/* Without the driver every selinux seclabel goes; what the settings cannot hold must not. */
static gboolean
check_movable(xmlNode *root, GError **error)
{
    g_autoptr(xmlXPathContext) ctxt = xmlXPathNewContext(root->doc);
    g_autoptr(xmlXPathObject) found =
        xmlXPathEvalExpression(BAD_CAST "//devices//seclabel[@model='selinux']", ctxt);

    for (int i = 0; found && found->nodesetval && i < found->nodesetval->nodeNr; i++) {
        xmlNode *seclabel = found->nodesetval->nodeTab[i];
        g_autofree char *what = NULL;

        if (inside_disk(seclabel) && !svirt_xml_child(seclabel, "label"))
            continue;
        what = describe_device(seclabel);
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED,
                    /* TRANSLATORS: %s is an object of a VM, such as "disk vdb" or "serial" */
                    _("The %s has a <seclabel model='selinux'> of its own, which the VM's "
                      "settings in sVirt Manager cannot hold. Remove it with 'virsh edit', "
                      "then try again."),
                    what);
        return FALSE;
    }
    return TRUE;
}

char *
svirt_domain_xml_write_settings(const char *xml, const SvirtSettings *settings,
                                gboolean selinux_driver, gboolean *seclabels_changed,
                                GError **error)
{
    g_autoptr(xmlDoc) doc = NULL;
    g_autofree char *before = NULL;
    char *after;
    xmlNode *root, *devices;

    g_return_val_if_fail(xml != NULL && settings != NULL, NULL);

    if (!svirt_settings_validate(settings, error) || !(doc = svirt_xml_parse(xml, error)))
        return NULL;
    root = xmlDocGetRootElement(doc);
    if (!selinux_driver && !check_movable(root, error))
        return NULL;
    put_metadata(root, settings);
    before = svirt_xml_dump(doc);
    put_domain_seclabel(root, settings, selinux_driver);
    devices = svirt_xml_child(root, "devices");
    for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
        if (svirt_xml_is(n, "disk"))
            put_disk_seclabels(n, settings, selinux_driver);
    }
    /* What check_movable() let through and no setting stands for: a backing file's relabel='no'. */
    if (!selinux_driver)
        remove_selinux_seclabels(doc);
    after = svirt_xml_dump(doc);
    if (seclabels_changed)
        *seclabels_changed = !g_str_equal(before, after);
    return after;
}
