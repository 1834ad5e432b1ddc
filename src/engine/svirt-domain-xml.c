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
    char *label;

    if (!doc)
        return NULL;
    label = svirt_xml_eval_string(doc, "string(/domain/metadata/*[namespace-uri()='" SVIRT_LIVE_NS
                                       "']/@process)");
    if (!label)
        label = svirt_xml_eval_string(doc, "string(/domain/seclabel[@model='selinux' and "
                                           "not(@type='none')]/label)");
    return label;
}

char *
svirt_domain_xml_selinux_label(const char *xml)
{
    return svirt_xml_string(xml, "string(/domain/seclabel[@model='selinux']/label)");
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
