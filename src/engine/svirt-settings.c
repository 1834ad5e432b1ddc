#include "config.h"

#include <glib/gi18n-lib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "svirt-context.h"
#include "svirt-error.h"
#include "svirt-settings.h"

/* The element is a few hundred bytes; this bounds what a bad metadata blob can cost. */
#define MAX_SETTINGS_SIZE 65536
#define MAX_TARGET_LENGTH 32

G_DEFINE_BOXED_TYPE(SvirtSettings, svirt_settings, svirt_settings_copy, svirt_settings_free)

const char *
svirt_security_mode_to_string(SvirtSecurityMode mode)
{
    switch (mode) {
    case SVIRT_SECURITY_MODE_STATIC:
        return "static";
    case SVIRT_SECURITY_MODE_NONE:
        return "none";
    case SVIRT_SECURITY_MODE_DYNAMIC:
    default:
        return "dynamic";
    }
}

gboolean
svirt_security_mode_from_string(const char *str, SvirtSecurityMode *mode)
{
    static const SvirtSecurityMode modes[] = {
        SVIRT_SECURITY_MODE_DYNAMIC,
        SVIRT_SECURITY_MODE_STATIC,
        SVIRT_SECURITY_MODE_NONE,
    };

    for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
        if (g_strcmp0(str, svirt_security_mode_to_string(modes[i])) == 0) {
            *mode = modes[i];
            return TRUE;
        }
    }
    return FALSE;
}

const char *
svirt_settings_source_to_string(SvirtSettingsSource source)
{
    switch (source) {
    case SVIRT_SETTINGS_SOURCE_METADATA:
        return "metadata";
    case SVIRT_SETTINGS_SOURCE_SECLABEL:
        return "seclabel";
    case SVIRT_SETTINGS_SOURCE_DEFAULTS:
    default:
        return "defaults";
    }
}

SvirtSettings *
svirt_settings_new(void)
{
    SvirtSettings *settings = g_new0(SvirtSettings, 1);

    settings->mode = SVIRT_SECURITY_MODE_DYNAMIC;
    settings->relabel = TRUE;
    settings->no_relabel_disks = g_ptr_array_new_with_free_func(g_free);
    settings->host_file_disks = g_ptr_array_new_with_free_func(g_free);
    return settings;
}

SvirtSettings *
svirt_settings_copy(const SvirtSettings *settings)
{
    SvirtSettings *copy;

    g_return_val_if_fail(settings != NULL, NULL);

    copy = svirt_settings_new();
    copy->mode = settings->mode;
    copy->label = g_strdup(settings->label);
    copy->baselabel = g_strdup(settings->baselabel);
    copy->relabel = settings->relabel;
    copy->shared_level = settings->shared_level;
    for (guint i = 0; i < settings->no_relabel_disks->len; i++)
        g_ptr_array_add(copy->no_relabel_disks,
                        g_strdup(g_ptr_array_index(settings->no_relabel_disks, i)));
    for (guint i = 0; i < settings->host_file_disks->len; i++)
        g_ptr_array_add(copy->host_file_disks,
                        g_strdup(g_ptr_array_index(settings->host_file_disks, i)));
    return copy;
}

void
svirt_settings_free(SvirtSettings *settings)
{
    if (settings == NULL)
        return;
    g_free(settings->label);
    g_free(settings->baselabel);
    g_ptr_array_unref(settings->no_relabel_disks);
    g_ptr_array_unref(settings->host_file_disks);
    g_free(settings);
}

gboolean
svirt_settings_equal(const SvirtSettings *a, const SvirtSettings *b)
{
    g_return_val_if_fail(a != NULL && b != NULL, FALSE);

    if (a->mode != b->mode || g_strcmp0(a->label, b->label) != 0 ||
        g_strcmp0(a->baselabel, b->baselabel) != 0 || !a->relabel != !b->relabel ||
        !a->shared_level != !b->shared_level ||
        a->no_relabel_disks->len != b->no_relabel_disks->len)
        return FALSE;
    for (guint i = 0; i < a->no_relabel_disks->len; i++) {
        if (g_strcmp0(g_ptr_array_index(a->no_relabel_disks, i),
                      g_ptr_array_index(b->no_relabel_disks, i)) != 0)
            return FALSE;
    }
    if (a->host_file_disks->len != b->host_file_disks->len)
        return FALSE;
    for (guint i = 0; i < a->host_file_disks->len; i++) {
        if (!svirt_settings_disk_allows_host_file(b, g_ptr_array_index(a->host_file_disks, i)))
            return FALSE;
    }
    return TRUE;
}

static gboolean
list_has(GPtrArray *targets, const char *target, guint *index)
{
    return target && g_ptr_array_find_with_equal_func(targets, target, g_str_equal, index);
}

gboolean
svirt_settings_disk_relabel(const SvirtSettings *settings, const char *target)
{
    g_return_val_if_fail(settings != NULL, TRUE);

    if (target == NULL)
        return TRUE;
    for (guint i = 0; i < settings->no_relabel_disks->len; i++) {
        if (g_str_equal(g_ptr_array_index(settings->no_relabel_disks, i), target))
            return FALSE;
    }
    return TRUE;
}

gboolean
svirt_settings_disk_allows_host_file(const SvirtSettings *settings, const char *target)
{
    g_return_val_if_fail(settings != NULL, FALSE);

    return list_has(settings->host_file_disks, target, NULL);
}

static void G_GNUC_PRINTF(2, 3)
invalid(GError **error, const char *format, ...)
{
    g_autofree char *detail = NULL;
    va_list args;

    va_start(args, format);
    detail = g_strdup_vprintf(format, args);
    va_end(args);
    /* TRANSLATORS: %s says what is wrong with the settings */
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                _("Invalid VM security settings: %s."), detail);
}

/* The level a process at @ctx reaches files with: its high level. */
static const SvirtLevel *
clearance(const SvirtContext *ctx)
{
    const SvirtLevel *high = svirt_context_get_high(ctx);

    return high ? high : svirt_context_get_low(ctx);
}

gboolean
svirt_label_is_shared_level(const char *label)
{
    g_autoptr(SvirtContext) ctx = label ? svirt_context_parse(label, NULL) : NULL;

    return ctx && svirt_context_has_level(ctx) &&
           svirt_level_n_categories(clearance(ctx)) == 0;
}

/* Parses a static label: it must be a context with a level, and a level with categories unless
 * the shared level is meant. */
static SvirtContext *
parse_static_label(const char *label, gboolean shared_level, GError **error)
{
    g_autoptr(SvirtContext) ctx = svirt_context_parse(label, error);
    g_autofree char *level = NULL;

    if (ctx == NULL)
        return NULL;
    if (!svirt_context_has_level(ctx)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("The static label '%s' has no MCS level. Give one, e.g. "
                      "system_u:system_r:svirt_t:s0:c10,c20."),
                    label);
        return NULL;
    }
    if (shared_level || svirt_level_n_categories(clearance(ctx)) > 0)
        return g_steal_pointer(&ctx);
    level = svirt_level_to_string(clearance(ctx));
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_SHARED_LEVEL,
                _("The static label '%s' has the level %s without categories: that is the "
                  "shared level every VM reaches, so this VM's private disks would be open to "
                  "every other VM. Give it a category pair of its own, e.g. %s:%s:%s:%s:c10,c20; "
                  "or, to share its disks with every VM on purpose, allow the shared level "
                  "('svirtctl set-label VM static LABEL --shared-level', or 'Allow the shared "
                  "level' in the Security tab)."),
                label, level, svirt_context_get_user(ctx), svirt_context_get_role(ctx),
                svirt_context_get_type_name(ctx), level);
    return NULL;
}

static gboolean
target_valid(const char *target)
{
    gsize len = strlen(target);

    if (len == 0 || len > MAX_TARGET_LENGTH || !g_ascii_islower(target[0]))
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        if (!g_ascii_islower(target[i]) && !g_ascii_isdigit(target[i]))
            return FALSE;
    }
    return TRUE;
}

static gboolean
validate_mode(SvirtSecurityMode mode, const char *label, gboolean relabel, gboolean shared_level,
              GError **error)
{
    if (mode != SVIRT_SECURITY_MODE_DYNAMIC && mode != SVIRT_SECURITY_MODE_STATIC &&
        mode != SVIRT_SECURITY_MODE_NONE) {
        invalid(error, _("unknown mode %d"), (int)mode);
        return FALSE;
    }
    if (mode == SVIRT_SECURITY_MODE_STATIC) {
        g_autoptr(SvirtContext) ctx = NULL;

        if (label == NULL) {
            invalid(error, _("a static label needs the label, e.g. "
                             "system_u:system_r:svirt_t:s0:c10,c20"));
            return FALSE;
        }
        ctx = parse_static_label(label, shared_level, error);
        return ctx != NULL;
    }
    if (label != NULL) {
        invalid(error, _("only mode 'static' takes a label, mode '%s' does not"),
                svirt_security_mode_to_string(mode));
        return FALSE;
    }
    if (mode == SVIRT_SECURITY_MODE_DYNAMIC && !relabel) {
        invalid(error, _("relabel 'no' needs a static label: a dynamic label changes at every "
                         "start, so the engine must label the images"));
        return FALSE;
    }
    return TRUE;
}

static gboolean
validate_baselabel(SvirtSecurityMode mode, const char *baselabel, GError **error)
{
    g_autoptr(SvirtContext) ctx = NULL;

    if (baselabel == NULL)
        return TRUE;
    if (mode != SVIRT_SECURITY_MODE_DYNAMIC) {
        invalid(error, _("only mode 'dynamic' takes a base label, mode '%s' does not"),
                svirt_security_mode_to_string(mode));
        return FALSE;
    }
    ctx = svirt_context_parse(baselabel, error);
    return ctx != NULL;
}

static gboolean
validate_disks(GPtrArray *targets, GError **error)
{
    for (guint i = 0; i < targets->len; i++) {
        const char *target = g_ptr_array_index(targets, i);
        g_autofree char *shown = NULL;

        if (target == NULL || !target_valid(target)) {
            shown = g_strescape(target ? target : "", NULL);
            invalid(error, _("'%s' is not a disk target; use the target device name, e.g. vdb"),
                    shown);
            return FALSE;
        }
        for (guint j = 0; j < i; j++) {
            if (g_str_equal(g_ptr_array_index(targets, j), target)) {
                invalid(error, _("disk %s is listed twice"), target);
                return FALSE;
            }
        }
    }
    return TRUE;
}

gboolean
svirt_settings_validate(const SvirtSettings *settings, GError **error)
{
    g_return_val_if_fail(settings != NULL, FALSE);

    return validate_mode(settings->mode, settings->label, settings->relabel,
                         settings->shared_level, error) &&
           validate_baselabel(settings->mode, settings->baselabel, error) &&
           validate_disks(settings->no_relabel_disks, error) &&
           validate_disks(settings->host_file_disks, error);
}

gboolean
svirt_settings_set_disk_host_file(SvirtSettings *settings, const char *target, gboolean allow,
                                  GError **error)
{
    guint index;

    g_return_val_if_fail(settings != NULL, FALSE);

    if (target == NULL || !target_valid(target)) {
        g_autofree char *shown = g_strescape(target ? target : "", NULL);

        invalid(error, _("'%s' is not a disk target; use the target device name, e.g. vdb"),
                shown);
        return FALSE;
    }
    if (list_has(settings->host_file_disks, target, &index)) {
        if (!allow)
            g_ptr_array_remove_index(settings->host_file_disks, index);
    } else if (allow) {
        g_ptr_array_add(settings->host_file_disks, g_strdup(target));
    }
    return TRUE;
}

gboolean
svirt_settings_set_mode(SvirtSettings *settings, SvirtSecurityMode mode, const char *label,
                        gboolean relabel, GError **error)
{
    g_autofree char *canonical = NULL;

    g_return_val_if_fail(settings != NULL, FALSE);

    if (!validate_mode(mode, label, relabel, settings->shared_level, error))
        return FALSE;
    if (label) {
        g_autoptr(SvirtContext) ctx = parse_static_label(label, TRUE, NULL);

        canonical = svirt_context_to_string(ctx);
    }
    settings->mode = mode;
    g_free(settings->label);
    settings->label = g_steal_pointer(&canonical);
    settings->relabel = relabel;
    if (mode != SVIRT_SECURITY_MODE_DYNAMIC)
        g_clear_pointer(&settings->baselabel, g_free);
    return TRUE;
}

gboolean
svirt_settings_set_baselabel(SvirtSettings *settings, const char *baselabel, GError **error)
{
    g_autoptr(SvirtContext) ctx = NULL;

    g_return_val_if_fail(settings != NULL, FALSE);

    if (!validate_baselabel(settings->mode, baselabel, error))
        return FALSE;
    ctx = baselabel ? svirt_context_parse(baselabel, NULL) : NULL;
    g_free(settings->baselabel);
    settings->baselabel = ctx ? svirt_context_to_string(ctx) : NULL;
    return TRUE;
}

gboolean
svirt_settings_check_policy(const SvirtSettings *settings, const SvirtPolicyTypes *types,
                            GError **error)
{
    return svirt_settings_check_policy_domains(settings, types, NULL, error);
}

static void
add_once(GString *list, const char *name)
{
    g_auto(GStrv) known = g_strsplit(list->str, ", ", -1);

    if (g_strv_contains((const char *const *)known, name))
        return;
    g_string_append_printf(list, "%s%s", list->len ? ", " : "", name);
}

/* "svirt_t, svirt_tcg_t, qemu_t": the types a static label may have, each once. */
static char *
allowed_types(const SvirtContext *process, const SvirtContext *tcg,
              const char *const *vm_domains)
{
    GString *list = g_string_new(NULL);

    add_once(list, svirt_context_get_type_name(process));
    add_once(list, svirt_context_get_type_name(tcg));
    for (guint i = 0; vm_domains && vm_domains[i]; i++)
        add_once(list, vm_domains[i]);
    return g_string_free(list, FALSE);
}

gboolean
svirt_settings_check_policy_domains(const SvirtSettings *settings,
                                    const SvirtPolicyTypes *types,
                                    const char *const *vm_domains, GError **error)
{
    g_autoptr(SvirtContext) label = NULL;
    g_autoptr(SvirtContext) process = NULL;
    g_autoptr(SvirtContext) tcg = NULL;
    g_autofree char *example = NULL;
    g_autofree char *allowed = NULL;
    const char *checked;
    const char *type;

    g_return_val_if_fail(settings != NULL && types != NULL, FALSE);

    if (!svirt_settings_validate(settings, error))
        return FALSE;
    checked = settings->mode == SVIRT_SECURITY_MODE_STATIC ? settings->label : settings->baselabel;
    if (checked == NULL || !types->domain_from_policy)
        return TRUE;
    if (!(label = svirt_context_parse(checked, error)) ||
        !(process = svirt_context_parse(types->process, error)) ||
        !(tcg = svirt_context_parse(types->tcg_process, error)))
        return FALSE;
    type = svirt_context_get_type_name(label);
    if (g_str_equal(type, svirt_context_get_type_name(process)) ||
        g_str_equal(type, svirt_context_get_type_name(tcg)) ||
        (vm_domains && g_strv_contains(vm_domains, type)))
        return TRUE;
    example = g_strdup_printf("%s:%s:%s:s0:c10,c20", svirt_context_get_user(process),
                              svirt_context_get_role(process),
                              svirt_context_get_type_name(process));
    allowed = allowed_types(process, tcg, vm_domains);
    if (settings->mode == SVIRT_SECURITY_MODE_STATIC)
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("The static label '%s' has type %s, which is not a type the installed "
                      "policy runs VMs under (%s). Use a label such as %s."),
                    checked, type, allowed, example);
    else
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("The base label '%s' has type %s, which is not a type the installed "
                      "policy runs VMs under (%s). Use a base label such as %s."),
                    checked, type, allowed, example);
    return FALSE;
}

char *
svirt_settings_dup_static_level(const SvirtSettings *settings)
{
    g_autoptr(SvirtContext) ctx = NULL;
    const SvirtLevel *level;

    g_return_val_if_fail(settings != NULL, NULL);

    if (settings->mode != SVIRT_SECURITY_MODE_STATIC || settings->label == NULL)
        return NULL;
    ctx = svirt_context_parse(settings->label, NULL);
    if (ctx == NULL || !svirt_context_has_level(ctx))
        return NULL;
    /* Images must be reachable by the process's clearance, its high level. */
    level = svirt_context_get_high(ctx);
    if (level == NULL)
        level = svirt_context_get_low(ctx);
    return svirt_level_to_string(level);
}

static gboolean
in_our_namespace(xmlNodePtr node)
{
    return node->ns != NULL && node->ns->href != NULL &&
           g_str_equal((const char *)node->ns->href, SVIRT_METADATA_NS);
}

static gboolean
only_blank_text(xmlNodePtr node)
{
    return node->type == XML_COMMENT_NODE ||
           (node->type == XML_TEXT_NODE && xmlIsBlankNode(node));
}

/* Attributes of @node, which may only be among @allowed (NULL-terminated). */
static gboolean
check_attributes(xmlNodePtr node, const char *const *allowed, GError **error)
{
    for (xmlAttrPtr attr = node->properties; attr; attr = attr->next) {
        gboolean known = FALSE;

        for (gsize i = 0; allowed[i] && attr->ns == NULL; i++)
            known = known || g_str_equal((const char *)attr->name, allowed[i]);
        if (!known) {
            g_autofree char *name = g_strescape((const char *)attr->name, NULL);

            invalid(error, _("unknown attribute '%s' on <%s>"), name, (const char *)node->name);
            return FALSE;
        }
    }
    return TRUE;
}

static char *
get_attribute(xmlNodePtr node, const char *name)
{
    xmlChar *value = xmlGetNoNsProp(node, (const xmlChar *)name);
    char *copy = g_strdup((const char *)value);

    xmlFree(value);
    return copy;
}

static gboolean
parse_yes_no(const char *value, const char *what, gboolean *out, GError **error)
{
    if (g_strcmp0(value, "yes") == 0)
        *out = TRUE;
    else if (g_strcmp0(value, "no") == 0)
        *out = FALSE;
    else {
        g_autofree char *shown = g_strescape(value ? value : "", NULL);

        invalid(error, _("%s must be 'yes' or 'no', not '%s'"), what, shown);
        return FALSE;
    }
    return TRUE;
}

static char *
label_text(xmlNodePtr node, GError **error)
{
    GString *text = g_string_new(NULL);

    for (xmlNodePtr child = node->children; child; child = child->next) {
        if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            g_string_append(text, (const char *)child->content);
        } else if (child->type != XML_COMMENT_NODE) {
            invalid(error, _("<%s> may only contain the label text"), (const char *)node->name);
            g_string_free(text, TRUE);
            return NULL;
        }
    }
    return g_string_free(text, FALSE);
}

/* <label> or <baselabel>: text only, once. */
static gboolean
parse_label_element(xmlNodePtr node, char **text, GError **error)
{
    static const char *const none[] = { NULL };

    if (*text != NULL) {
        invalid(error, _("<%s> is given twice"), (const char *)node->name);
        return FALSE;
    }
    if (!check_attributes(node, none, error))
        return FALSE;
    *text = label_text(node, error);
    return *text != NULL;
}

static gboolean
parse_disk(xmlNodePtr node, SvirtSettings *settings, GError **error)
{
    static const char *const attributes[] = { "target", "relabel", "allow-host-file", NULL };
    g_autofree char *target = NULL;
    g_autofree char *relabel = NULL;
    g_autofree char *host_file = NULL;
    gboolean value = TRUE;
    gboolean allow = FALSE;

    if (!check_attributes(node, attributes, error))
        return FALSE;
    for (xmlNodePtr child = node->children; child; child = child->next) {
        if (!only_blank_text(child)) {
            invalid(error, _("<disk> must be empty"));
            return FALSE;
        }
    }
    target = get_attribute(node, "target");
    relabel = get_attribute(node, "relabel");
    host_file = get_attribute(node, "allow-host-file");
    if (target == NULL) {
        invalid(error, _("<disk> needs a target attribute, e.g. target='vdb'"));
        return FALSE;
    }
    if ((relabel || !host_file) && !parse_yes_no(relabel, "<disk relabel>", &value, error))
        return FALSE;
    if (host_file && !parse_yes_no(host_file, "<disk allow-host-file>", &allow, error))
        return FALSE;
    if (value && !allow) {
        invalid(error, _("<disk> only says relabel='no' or allow-host-file='yes'; a disk "
                         "without either is labelled as usual"));
        return FALSE;
    }
    if (list_has(settings->no_relabel_disks, target, NULL) ||
        list_has(settings->host_file_disks, target, NULL)) {
        invalid(error, _("disk %s is listed twice"), target);
        return FALSE;
    }
    if (allow)
        g_ptr_array_add(settings->host_file_disks, g_strdup(target));
    if (!value)
        g_ptr_array_add(settings->no_relabel_disks, g_steal_pointer(&target));
    return TRUE;
}

static SvirtSettings *
parse_root(xmlNodePtr root, GError **error)
{
    static const char *const attributes[] = { "mode", "relabel", "shared-level", NULL };
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *mode = NULL;
    g_autofree char *relabel = NULL;
    g_autofree char *shared = NULL;
    g_autofree char *label = NULL;
    g_autofree char *baselabel = NULL;
    gboolean relabel_value = TRUE;
    SvirtSecurityMode mode_value;

    /* virDomainGetMetadata() returns the element without its namespace. */
    if (root->type != XML_ELEMENT_NODE || (root->ns != NULL && !in_our_namespace(root)) ||
        !g_str_equal((const char *)root->name, "security")) {
        invalid(error, _("the element must be <security>, in namespace %s or none"),
                SVIRT_METADATA_NS);
        return NULL;
    }
    if (!check_attributes(root, attributes, error))
        return NULL;
    mode = get_attribute(root, "mode");
    relabel = get_attribute(root, "relabel");
    if (!svirt_security_mode_from_string(mode, &mode_value)) {
        g_autofree char *shown = g_strescape(mode ? mode : "", NULL);

        invalid(error, _("mode must be 'dynamic', 'static' or 'none', not '%s'"), shown);
        return NULL;
    }
    if (relabel && !parse_yes_no(relabel, "relabel", &relabel_value, error))
        return NULL;
    shared = get_attribute(root, "shared-level");
    if (shared && !parse_yes_no(shared, "shared-level", &settings->shared_level, error))
        return NULL;

    for (xmlNodePtr child = root->children; child; child = child->next) {
        if (only_blank_text(child))
            continue;
        if (child->type != XML_ELEMENT_NODE || (child->ns != NULL && !in_our_namespace(child))) {
            invalid(error, _("<security> may only contain <label>, <baselabel> and <disk> "
                             "elements"));
            return NULL;
        }
        if (g_str_equal((const char *)child->name, "label")) {
            if (!parse_label_element(child, &label, error))
                return NULL;
        } else if (g_str_equal((const char *)child->name, "baselabel")) {
            if (!parse_label_element(child, &baselabel, error))
                return NULL;
        } else if (g_str_equal((const char *)child->name, "disk")) {
            if (!parse_disk(child, settings, error))
                return NULL;
        } else {
            g_autofree char *name = g_strescape((const char *)child->name, NULL);

            invalid(error, _("unknown element <%s>"), name);
            return NULL;
        }
    }

    if (!svirt_settings_set_mode(settings, mode_value, label, relabel_value, error) ||
        !svirt_settings_set_baselabel(settings, baselabel, error) ||
        !validate_disks(settings->no_relabel_disks, error) ||
        !validate_disks(settings->host_file_disks, error))
        return NULL;
    return g_steal_pointer(&settings);
}

SvirtSettings *
svirt_settings_parse(const char *xml, gsize len, GError **error)
{
    xmlParserCtxtPtr ctxt = NULL;
    xmlDocPtr doc = NULL;
    SvirtSettings *settings = NULL;

    g_return_val_if_fail(xml != NULL || len == 0, NULL);

    if (len > MAX_SETTINGS_SIZE) {
        invalid(error, _("the element is %" G_GSIZE_FORMAT " bytes, more than the %d allowed"),
                len, MAX_SETTINGS_SIZE);
        return NULL;
    }
    if (len == 0) {
        invalid(error, _("the element is empty"));
        return NULL;
    }
    /* libxml2 would silently stop reading at a NUL byte. */
    if (memchr(xml, '\0', len) != NULL) {
        invalid(error, _("not well-formed XML (a NUL byte)"));
        return NULL;
    }
    ctxt = xmlNewParserCtxt();
    if (ctxt == NULL) {
        invalid(error, _("out of memory"));
        return NULL;
    }
    /* No network, no entity expansion, no messages on stderr. */
    doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "metadata.xml", NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == NULL) {
        xmlErrorPtr xerr = xmlCtxtGetLastError(ctxt);
        g_autofree char *message =
            g_utf8_make_valid(xerr && xerr->message ? xerr->message : "", -1);

        g_strchomp(message);
        invalid(error, _("not well-formed XML (%s)"), message);
    } else if (doc->intSubset != NULL || doc->extSubset != NULL) {
        invalid(error, _("a document type declaration is not allowed"));
    } else if (xmlDocGetRootElement(doc) == NULL) {
        invalid(error, _("the element is empty"));
    } else {
        settings = parse_root(xmlDocGetRootElement(doc), error);
    }
    if (doc)
        xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return settings;
}

char *
svirt_settings_format(const SvirtSettings *settings)
{
    GString *out;

    g_return_val_if_fail(settings != NULL, NULL);

    out = g_string_new(NULL);
    g_string_append_printf(out, "<security mode=\"%s\" relabel=\"%s\">\n",
                           svirt_security_mode_to_string(settings->mode),
                           settings->relabel ? "yes" : "no");
    if (settings->mode == SVIRT_SECURITY_MODE_STATIC && settings->shared_level)
        g_string_insert(out, out->len - 2, " shared-level=\"yes\"");
    if (settings->label) {
        g_autofree char *escaped = g_markup_escape_text(settings->label, -1);

        g_string_append_printf(out, "  <label>%s</label>\n", escaped);
    }
    if (settings->baselabel) {
        g_autofree char *escaped = g_markup_escape_text(settings->baselabel, -1);

        g_string_append_printf(out, "  <baselabel>%s</baselabel>\n", escaped);
    }
    /* One element per disk: a disk in both lists says both. */
    for (guint i = 0; i < settings->no_relabel_disks->len; i++) {
        const char *target = g_ptr_array_index(settings->no_relabel_disks, i);
        g_autofree char *escaped = g_markup_escape_text(target, -1);

        g_string_append_printf(out, "  <disk target=\"%s\" relabel=\"no\"%s/>\n", escaped,
                               svirt_settings_disk_allows_host_file(settings, target)
                                   ? " allow-host-file=\"yes\""
                                   : "");
    }
    for (guint i = 0; i < settings->host_file_disks->len; i++) {
        const char *target = g_ptr_array_index(settings->host_file_disks, i);
        g_autofree char *escaped = NULL;

        if (list_has(settings->no_relabel_disks, target, NULL))
            continue;
        escaped = g_markup_escape_text(target, -1);
        g_string_append_printf(out, "  <disk target=\"%s\" allow-host-file=\"yes\"/>\n",
                               escaped);
    }
    g_string_append(out, "</security>");
    return g_string_free(out, FALSE);
}
