#pragma once

#include <glib.h>
#include <libvirt/libvirt.h>
#include <libxml/tree.h>

#include "svirt-graphics.h"
#include "svirt-plan.h"

G_BEGIN_DECLS

/* The live definition of a VM the engine started carries its labels in this element. */
#define SVIRT_LIVE_NS "http://svirt.org/xmlns/manager/1.0/live"
#define SVIRT_LIVE_PREFIX "svml"

/* Reads @xml without network access or messages on stderr; a document that is not well-formed
 * or has no root element is SVIRT_ERROR_FAILED. */
xmlDoc *svirt_xml_parse(const char *xml, GError **error);
/* The whole document as libxml2 writes it, with the XML declaration. */
char *svirt_xml_dump(xmlDoc *doc);
/* The root element alone, indented two spaces a level, ending in a newline. */
char *svirt_xml_dump_formatted(xmlDoc *doc);

/* The string an XPath expression such as "string(/domain/name)" gives, stripped; NULL when it
 * is empty or the expression is not a string. */
char *svirt_xml_eval_string(xmlDoc *doc, const char *expr);
/* The same on a document in text; NULL too when @xml cannot be read. */
char *svirt_xml_string(const char *xml, const char *expr);

/* Whether @node is an element @name in no namespace, as libvirt's own elements are. */
gboolean svirt_xml_is(xmlNode *node, const char *name);
/* The first such child element of @parent (which may be NULL). */
xmlNode *svirt_xml_child(xmlNode *parent, const char *name);
/* The attribute @name in no namespace; NULL when @node is NULL or has none. */
char *svirt_xml_prop(xmlNode *node, const char *name);
/* The text of @node, stripped; NULL when @node is NULL or the text is empty. */
char *svirt_xml_text(xmlNode *node);
/* Removes every child element @name of @node. */
void svirt_xml_remove_children(xmlNode *node, const char *name);

/* Appends a child element @name to @parent, with @text (escaped) when not NULL. */
xmlNode *svirt_xml_add(xmlNode *parent, const char *name, const char *text);
/* Sets the attribute @name; escaped when written out. */
void svirt_xml_set(xmlNode *node, const char *name, const char *value);

/* The <uuid> of a domain definition, without asking libvirtd. */
char *svirt_domain_xml_uuid(const char *xml);

/* The definition a VM is started from: the engine's labels in <metadata> (the live namespace),
 * and with @with_seclabel a static relabel='no' <seclabel> of the process label in place of any
 * other, so QEMU runs under that label and libvirtd relabels nothing. */
char *svirt_domain_xml_make_live(const char *xml, const SvirtPlan *plan, const char *image_label,
                                 gboolean with_seclabel, GError **error);
/* An attribute (process, image, level, mode) of the engine's labels element, given as text. */
char *svirt_domain_xml_live_labels_attr(const char *labels_xml, const char *name);
/* The process label a running VM holds, from its live definition: what the engine recorded when
 * it started the VM, else what libvirt's selinux driver gave it. Anyone who can define a VM can
 * write the former: reservations and status take the journal's record instead. */
char *svirt_domain_xml_held_label(const char *live_xml);
/* Attribute @name (mode, process, image, level) of the labels element in a live definition;
 * trust it only where the journal confirms that the engine labelled for the VM. */
char *svirt_domain_xml_live_attr(const char *live_xml, const char *name);
/* The label of the selinux <seclabel>, whatever its type. */
char *svirt_domain_xml_selinux_label(const char *xml);

/* The same, read from a definition already parsed, so a list reads each definition once. */
char *svirt_domain_doc_held_label(xmlDoc *doc);
char *svirt_domain_doc_live_attr(xmlDoc *doc, const char *name);
char *svirt_domain_doc_selinux_label(xmlDoc *doc);
SvirtSettings *svirt_domain_doc_native_settings(xmlDoc *doc, GError **error);
SvirtSettings *svirt_domain_doc_settings(xmlDoc *doc, const SvirtSettings *stored,
                                         gboolean *native, GError **error);
gboolean svirt_domain_doc_has_selinux_seclabel(xmlDoc *doc);
/* The first element of namespace @ns in the <metadata> of @doc, as text, as
 * virDomainGetMetadata() would give it; NULL when there is none. */
char *svirt_domain_doc_metadata(xmlDoc *doc, const char *ns);

/* libvirt's own settings for its selinux driver in a persistent definition: the domain's
 * <seclabel model='selinux'>, and <seclabel relabel='no'> in a disk's <source>. */

/* The settings the domain's <seclabel model='selinux'> of @xml gives: its type (dynamic when
 * absent), <label>, <baselabel> and relabel (libvirt's default: yes for a dynamic label, no for
 * a static one), and as disks left alone those whose <source> has a <seclabel relabel='no'>
 * without a label, of that model or of none. NULL without an error when the domain has no such
 * seclabel; SVIRT_ERROR_INVALID_SETTINGS (or the context parser's error) for one the settings
 * cannot take, such as a static seclabel without a label. */
SvirtSettings *svirt_domain_xml_native_settings(const char *xml, GError **error);
/* What VM @xml is set to: its native settings where it has them, else @stored (the metadata's;
 * NULL: the defaults) with the disks whose <source> seclabel says relabel='no' added. *@native,
 * when not NULL, says whether the native seclabel decided. */
SvirtSettings *svirt_domain_xml_settings(const char *xml, const SvirtSettings *stored,
                                         gboolean *native, GError **error);
/* Whether @xml carries a <seclabel model='selinux'> anywhere, which libvirtd without its selinux
 * driver refuses at start ("Security driver model 'selinux' is not available"). */
gboolean svirt_domain_xml_has_selinux_seclabel(const char *xml);
/* @xml carrying @settings: always as the svm element in <metadata> (in place of an earlier
 * one); with @selinux_driver also as the domain's <seclabel model='selinux'> (replacing the
 * selinux one and one without a model) and relabel='no' in the <source> of each disk the
 * settings leave alone, so that libvirtd honours them on its own; without it every selinux
 * <seclabel> is removed, so that libvirtd starts the VM. A device's own label that the settings
 * cannot hold is then SVIRT_ERROR_UNSUPPORTED, naming the device. *@seclabels_changed, when not
 * NULL, says whether anything but the metadata changed. */
char *svirt_domain_xml_write_settings(const char *xml, const SvirtSettings *settings,
                                      gboolean selinux_driver, gboolean *seclabels_changed,
                                      GError **error);

/* A disk of a new definition: a block device becomes type='block' with <source dev>, anything
 * else a file; a read-only or shared designation becomes <readonly/> or <shareable/>. */
typedef struct {
    const char *path;
    const char *device; /* "disk" or "cdrom" */
    const char *target; /* vda, hdc */
    const char *bus;    /* virtio, ide */
    const char *format; /* raw, qcow2 */
    SvirtDesignation designation;
} SvirtDiskXml;

/* A new definition with no devices yet: @virt_type (qemu, kvm), memory in MiB, an x86_64 pc
 * machine booting from the CD-ROM first with @boot_cdrom, then from the hard disk. */
xmlDoc *svirt_domain_xml_new(const char *virt_type, const char *name, guint memory_mib,
                             guint vcpus, gboolean boot_cdrom);
void svirt_domain_xml_add_disk(xmlDoc *doc, const SvirtDiskXml *disk);
/* A virtio network card on @network, or on user-mode networking when it is NULL. */
void svirt_domain_xml_add_interface(xmlDoc *doc, const char *network);
/* A serial port on a pty, and the console on it. */
void svirt_domain_xml_add_console(xmlDoc *doc);
/* A display of @kind (not NONE) reached only through libvirt (<listen type='none'/>), so that
 * nothing listens on the network or on a socket file: <graphics>; a <video> card (VGA for VNC,
 * QXL for SPICE) unless the definition has one that is not model 'none', which it replaces; and
 * a USB tablet for the pointer unless it has one. */
void svirt_domain_xml_add_display(xmlDoc *doc, SvirtDisplayKind kind);
/* One <disk> element on its own, as virDomainAttachDevice() takes it. */
char *svirt_disk_xml_format(const SvirtDiskXml *disk);

/* The target directory of a storage pool definition. */
char *svirt_pool_xml_target_path(const char *pool_xml);
/* The same, asked of @pool; NULL, with libvirt's error cleared, when it cannot say. */
char *svirt_pool_target_path(virStoragePoolPtr pool);
/* A directory pool @name at @path. */
char *svirt_pool_xml_new_dir(const char *name, const char *path);
/* A volume @name of @capacity_mib, allocated as it is written, in @format. */
char *svirt_volume_xml_new(const char *name, guint64 capacity_mib, const char *format);

G_END_DECLS
