#pragma once

#include <glib-object.h>

#include "svirt-policy.h"

G_BEGIN_DECLS

/* Per-VM security settings live in the domain's libvirt <metadata> as one element in the
 * namespace below. virDomainSetMetadata() takes it, and virDomainGetMetadata() returns it,
 * without the namespace:
 *
 *   <security mode="static" relabel="yes">
 *     <label>system_u:system_r:svirt_t:s0:c10,c20</label>
 *     <disk target="vdb" relabel="no"/>
 *     <disk target="vdc" allow-host-file="yes"/>
 *   </security>
 *
 * and the domain XML shows it as <svm:security xmlns:svm="http://svirt.org/xmlns/manager/1.0"
 * ...> with the same unqualified children. The reader takes either form.
 *
 * mode: "dynamic" (a unique category pair at each start), "static" (the administrator's label,
 * given in <label>), or "none" (the engine labels nothing). A dynamic VM may have a
 * <baselabel>: its process label takes that user, role and type instead of the policy's, as
 * with libvirt's <baselabel>. relabel: whether the engine labels the VM's files; "no" is only
 * allowed with a static label, whose files the administrator then labels.
 * <disk target=… relabel="no"/>: a disk (by its target, e.g. vdb) the engine must not label,
 * nor its backing files. <disk target=… allow-host-file="yes"/>: the administrator gives the
 * disk (and its backing files) a file that looks like the host's (several names, or a place of
 * the host that may be overridden, see svirt-host-files.h); a disk may say both in one element.
 * Shared and read-only designations are libvirt's own <shareable/> and <readonly/>, not
 * settings. No element means dynamic, relabel yes. shared-level="yes" (static only) allows a
 * label whose level has no categories, the shared level every VM reaches: the VM's private
 * disks are then open to every VM.
 *
 * Where the persistent definition carries libvirt's own <seclabel model='selinux'>, that is
 * what the VM's settings are (svirt_domain_xml_native_settings()): it wins over this element,
 * and the audit reports where the two disagree. */
#define SVIRT_METADATA_NS "http://svirt.org/xmlns/manager/1.0"
#define SVIRT_METADATA_PREFIX "svm"

typedef enum {
    SVIRT_SECURITY_MODE_DYNAMIC,
    SVIRT_SECURITY_MODE_STATIC,
    SVIRT_SECURITY_MODE_NONE,
} SvirtSecurityMode;

typedef struct {
    SvirtSecurityMode mode;
    char *label;                 /* static mode only: the full process context, canonical */
    char *baselabel;             /* dynamic mode only: user, role and type of the process
                                  * label, canonical; NULL for the policy's */
    gboolean relabel;
    GPtrArray *no_relabel_disks; /* of char *: disk targets the engine leaves alone */
    GPtrArray *host_file_disks;  /* of char *: disk targets allowed a file that looks like the
                                  * host's; the order has no meaning */
    gboolean shared_level;       /* static only: a label at the shared level is meant */
} SvirtSettings;

/* Where a VM's settings come from. */
typedef enum {
    SVIRT_SETTINGS_SOURCE_DEFAULTS, /* nothing is stored: dynamic, relabel yes */
    SVIRT_SETTINGS_SOURCE_METADATA, /* the element above */
    SVIRT_SETTINGS_SOURCE_SECLABEL, /* libvirt's own <seclabel model='selinux'> */
} SvirtSettingsSource;

/* "defaults", "metadata", "seclabel". */
const char *svirt_settings_source_to_string(SvirtSettingsSource source);

#define SVIRT_TYPE_SETTINGS (svirt_settings_get_type())

GType svirt_settings_get_type(void) G_GNUC_CONST;

const char *svirt_security_mode_to_string(SvirtSecurityMode mode);
gboolean svirt_security_mode_from_string(const char *str, SvirtSecurityMode *mode);

/* Dynamic, relabel yes, no disk overrides. */
SvirtSettings *svirt_settings_new(void);
SvirtSettings *svirt_settings_copy(const SvirtSettings *settings);
void svirt_settings_free(SvirtSettings *settings);
gboolean svirt_settings_equal(const SvirtSettings *a, const SvirtSettings *b);

/* Sets mode, label and relabel together, validated; on error @settings is unchanged. A static
 * @label is stored in canonical form. A static label whose level has no categories is refused
 * (SVIRT_ERROR_SHARED_LEVEL) unless settings->shared_level is set. */
gboolean svirt_settings_set_mode(SvirtSettings *settings, SvirtSecurityMode mode,
                                 const char *label, gboolean relabel, GError **error);
/* Sets the base label of a dynamic VM (NULL: the policy's), validated; on error @settings is
 * unchanged. svirt_settings_set_mode() to another mode drops it. */
gboolean svirt_settings_set_baselabel(SvirtSettings *settings, const char *baselabel,
                                      GError **error);
/* Whether the engine may label the disk with target @target (per-disk override only). */
gboolean svirt_settings_disk_relabel(const SvirtSettings *settings, const char *target);
/* Whether the administrator allowed the disk with target @target a file that looks like the
 * host's; FALSE for a NULL @target (a file that is not a disk's). */
gboolean svirt_settings_disk_allows_host_file(const SvirtSettings *settings, const char *target);
/* Allows or no longer allows it; refuses a @target that is not a disk target name. */
gboolean svirt_settings_set_disk_host_file(SvirtSettings *settings, const char *target,
                                           gboolean allow, GError **error);

/* Checks what needs no policy: a static label parses, has a level and is the only place a label
 * appears; relabel no only with a static label; disk targets are device names, each once. */
gboolean svirt_settings_validate(const SvirtSettings *settings, GError **error);
/* Also checks the type of a static label or a base label against the policy's VM process
 * types when @types comes from an installed policy. */
gboolean svirt_settings_check_policy(const SvirtSettings *settings, const SvirtPolicyTypes *types,
                                     GError **error);
/* The same, also accepting the types in @vm_domains (NULL-terminated; the binary policy's
 * types with the attribute virt_domain). */
gboolean svirt_settings_check_policy_domains(const SvirtSettings *settings,
                                             const SvirtPolicyTypes *types,
                                             const char *const *vm_domains, GError **error);
/* Whether @label is a context whose level (its high level) has no categories. */
gboolean svirt_label_is_shared_level(const char *label);

/* The metadata element, as virDomainGetMetadata(VIR_DOMAIN_METADATA_ELEMENT) returns it or as
 * the domain XML shows it. Rejects anything that is not exactly the format above
 * (SVIRT_ERROR_INVALID_SETTINGS, or the context parser's error for a bad label). */
SvirtSettings *svirt_settings_parse(const char *xml, gsize len, GError **error);
/* The element to store with virDomainSetMetadata(..., "svm", SVIRT_METADATA_NS, ...), which
 * adds the namespace itself (and refuses an element that declares it). */
char *svirt_settings_format(const SvirtSettings *settings);

/* The level a static label gives images: the high level of its range. NULL when not static. */
char *svirt_settings_dup_static_level(const SvirtSettings *settings);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtSettings, svirt_settings_free)

G_END_DECLS
