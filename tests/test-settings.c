#include "config.h"

#include <string.h>

#include "svirt-error.h"
#include "svirt-settings.h"

#define NS SVIRT_METADATA_NS
#define LABEL "system_u:system_r:svirt_t:s0:c10,c20"

typedef struct {
    const char *name;
    const char *xml;
    SvirtSecurityMode mode;
    const char *label;
    gboolean relabel;
    const char *disks; /* space-separated targets with relabel off */
    const char *baselabel;
} AcceptCase;

static const AcceptCase accept_cases[] = {
    { "dynamic", "<svm:security xmlns:svm='" NS "' mode='dynamic'/>",
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, "" },
    { "dynamic-relabel-yes", "<svm:security xmlns:svm='" NS "' mode='dynamic' relabel='yes'/>",
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, "" },
    { "static", "<svm:security xmlns:svm='" NS "' mode='static' relabel='yes'>"
                "<svm:label>" LABEL "</svm:label></svm:security>",
      SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE, "" },
    { "static-relabel-no", "<svm:security xmlns:svm='" NS "' mode='static' relabel='no'>"
                           "<svm:label>" LABEL "</svm:label></svm:security>",
      SVIRT_SECURITY_MODE_STATIC, LABEL, FALSE, "" },
    { "static-range", "<svm:security xmlns:svm='" NS "' mode='static'><svm:label>"
                      "system_u:system_r:svirt_t:s0-s0:c0.c1023</svm:label></svm:security>",
      SVIRT_SECURITY_MODE_STATIC, "system_u:system_r:svirt_t:s0-s0:c0.c1023", TRUE, "" },
    { "none", "<svm:security xmlns:svm='" NS "' mode='none'/>", SVIRT_SECURITY_MODE_NONE, NULL,
      TRUE, "" },
    { "none-relabel-no", "<svm:security xmlns:svm='" NS "' mode='none' relabel='no'/>",
      SVIRT_SECURITY_MODE_NONE, NULL, FALSE, "" },
    { "default-namespace", "<security xmlns='" NS "' mode='static'><label>" LABEL "</label>"
                           "</security>",
      SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE, "" },
    { "other-prefix", "<x:security xmlns:x='" NS "' mode='dynamic'><x:disk target='vdb' "
                      "relabel='no'/></x:security>",
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, "vdb" },
    /* As libvirt hands it back: indented, with an XML declaration-free dump. */
    { "libvirt-formatted", "<svm:security xmlns:svm=\"" NS "\" mode=\"static\" relabel=\"yes\">\n"
                           "      <svm:label>" LABEL "</svm:label>\n"
                           "      <!-- set by the administrator -->\n"
                           "      <svm:disk target=\"vdb\" relabel=\"no\"/>\n"
                           "      <svm:disk target=\"hdc\" relabel=\"no\">\n      </svm:disk>\n"
                           "    </svm:security>\n",
      SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE, "vdb hdc" },
    { "canonical-label", "<svm:security xmlns:svm='" NS "' mode='static'><svm:label>"
                         "system_u:system_r:svirt_t:s0:c20,c10</svm:label></svm:security>",
      SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE, "" },
    { "cdata-label", "<svm:security xmlns:svm='" NS "' mode='static'><svm:label><![CDATA["
                     LABEL "]]></svm:label></svm:security>",
      SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE, "" },
    /* As virDomainSetMetadata() stores it: only the element is in the namespace. */
    { "unqualified-children", "<svm:security xmlns:svm='" NS "' mode='static' relabel='yes'>"
                              "<label>" LABEL "</label><disk target='vdb' relabel='no'/>"
                              "</svm:security>",
      SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE, "vdb" },
    /* As virDomainGetMetadata() returns it. */
    { "no-namespace", "<security mode='static' relabel='no'>\n  <label>" LABEL "</label>\n"
                      "  <disk target='vdb' relabel='no'/>\n</security>",
      SVIRT_SECURITY_MODE_STATIC, LABEL, FALSE, "vdb" },
    { "xml-declaration", "<?xml version='1.0' encoding='UTF-8'?>\n"
                         "<svm:security xmlns:svm='" NS "' mode='none'/>",
      SVIRT_SECURITY_MODE_NONE, NULL, TRUE, "" },
    { "dynamic-baselabel", "<security mode='dynamic'><baselabel>system_u:system_r:my_vm_t:s0"
                           "</baselabel><disk target='vdb' relabel='no'/></security>",
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, "vdb", "system_u:system_r:my_vm_t:s0" },
    { "baselabel-without-level", "<security mode='dynamic'><baselabel>system_u:system_r:svirt_t"
                                 "</baselabel></security>",
      SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, "", "system_u:system_r:svirt_t" },
};

static void
assert_disks(const SvirtSettings *settings, const char *expected)
{
    g_auto(GStrv) targets = g_strsplit(expected, " ", -1);
    guint n = *expected ? g_strv_length(targets) : 0;

    g_assert_cmpuint(settings->no_relabel_disks->len, ==, n);
    for (guint i = 0; i < n; i++) {
        g_assert_cmpstr(g_ptr_array_index(settings->no_relabel_disks, i), ==, targets[i]);
        g_assert_false(svirt_settings_disk_relabel(settings, targets[i]));
    }
}

static void
test_parse_accept(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(accept_cases); i++) {
        const AcceptCase *c = &accept_cases[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtSettings) settings = NULL;
        g_autoptr(SvirtSettings) again = NULL;
        g_autofree char *formatted = NULL;
        g_autofree char *formatted_again = NULL;

        g_test_message("case %s", c->name);
        settings = svirt_settings_parse(c->xml, strlen(c->xml), &error);
        g_assert_no_error(error);
        g_assert_cmpint(settings->mode, ==, c->mode);
        g_assert_cmpstr(settings->label, ==, c->label);
        g_assert_cmpint(settings->relabel, ==, c->relabel);
        g_assert_cmpstr(settings->baselabel, ==, c->baselabel);
        assert_disks(settings, c->disks);
        g_assert_true(svirt_settings_disk_relabel(settings, "vdz"));
        g_assert_true(svirt_settings_validate(settings, &error));

        /* What is stored reads back the same. */
        formatted = svirt_settings_format(settings);
        again = svirt_settings_parse(formatted, strlen(formatted), &error);
        g_assert_no_error(error);
        g_assert_true(svirt_settings_equal(settings, again));
        formatted_again = svirt_settings_format(again);
        g_assert_cmpstr(formatted, ==, formatted_again);
    }
}

typedef struct {
    const char *name;
    const char *xml;
    gssize len; /* -1: strlen */
    int code;
    const char *message;
} RejectCase;

#define ROOT_OPEN "<svm:security xmlns:svm='" NS "' "
#define WITH_NUL ROOT_OPEN "mode='dynamic'/>\0<x/>"

static const RejectCase reject_cases[] = {
    { "empty", "", -1, SVIRT_ERROR_INVALID_SETTINGS, "empty" },
    { "not-xml", "hello", -1, SVIRT_ERROR_INVALID_SETTINGS, "not well-formed XML" },
    { "unclosed", ROOT_OPEN "mode='dynamic'>", -1, SVIRT_ERROR_INVALID_SETTINGS,
      "not well-formed" },
    { "trailing-element", ROOT_OPEN "mode='dynamic'/><x/>", -1, SVIRT_ERROR_INVALID_SETTINGS,
      "not well-formed" },
    { "embedded-nul", WITH_NUL, sizeof(WITH_NUL) - 1, SVIRT_ERROR_INVALID_SETTINGS,
      "not well-formed" },
    { "wrong-root", "<svm:settings xmlns:svm='" NS "' mode='dynamic'/>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "must be <security>, in namespace" },
    { "wrong-namespace", "<svm:security xmlns:svm='http://svirt.org/xmlns/manager/2.0' "
                         "mode='dynamic'/>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "must be <security>, in namespace" },
    { "no-mode", ROOT_OPEN "relabel='yes'/>", -1, SVIRT_ERROR_INVALID_SETTINGS,
      "mode must be 'dynamic', 'static' or 'none', not ''" },
    { "bad-mode", ROOT_OPEN "mode='Static'/>", -1, SVIRT_ERROR_INVALID_SETTINGS,
      "not 'Static'" },
    { "bad-relabel", ROOT_OPEN "mode='dynamic' relabel='maybe'/>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "relabel must be 'yes' or 'no', not 'maybe'" },
    { "static-no-label", ROOT_OPEN "mode='static'/>", -1, SVIRT_ERROR_INVALID_SETTINGS,
      "a static label needs the label" },
    { "static-label-no-level", ROOT_OPEN "mode='static'><svm:label>system_u:system_r:svirt_t"
                               "</svm:label></svm:security>", -1,
      SVIRT_ERROR_INVALID_CONTEXT, "has no MCS level" },
    { "static-label-bad-category", ROOT_OPEN "mode='static'><svm:label>"
                                   "system_u:system_r:svirt_t:s0:c1024</svm:label>"
                                   "</svm:security>", -1,
      SVIRT_ERROR_INVALID_CONTEXT, "c1024" },
    { "static-label-spaces", ROOT_OPEN "mode='static'><svm:label> " LABEL " </svm:label>"
                             "</svm:security>", -1,
      SVIRT_ERROR_INVALID_CONTEXT, "whitespace" },
    { "static-label-empty", ROOT_OPEN "mode='static'><svm:label/></svm:security>", -1,
      SVIRT_ERROR_INVALID_CONTEXT, "empty" },
    { "dynamic-with-label", ROOT_OPEN "mode='dynamic'><svm:label>" LABEL "</svm:label>"
                            "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "only mode 'static' takes a label" },
    { "none-with-label", ROOT_OPEN "mode='none'><svm:label>" LABEL "</svm:label>"
                         "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "mode 'none' does not" },
    { "dynamic-relabel-no", ROOT_OPEN "mode='dynamic' relabel='no'/>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "relabel 'no' needs a static label" },
    { "static-with-baselabel", ROOT_OPEN "mode='static'><svm:label>" LABEL "</svm:label>"
                               "<svm:baselabel>" LABEL "</svm:baselabel></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "only mode 'dynamic' takes a base label" },
    { "none-with-baselabel", ROOT_OPEN "mode='none'><svm:baselabel>" LABEL "</svm:baselabel>"
                             "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "mode 'none' does not" },
    { "bad-baselabel", ROOT_OPEN "mode='dynamic'><svm:baselabel>system_u:system_r</svm:baselabel>"
                       "</svm:security>", -1, SVIRT_ERROR_INVALID_CONTEXT, "" },
    { "two-baselabels", ROOT_OPEN "mode='dynamic'><baselabel>" LABEL "</baselabel><baselabel>"
                        LABEL "</baselabel></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "<baselabel> is given twice" },
    { "baselabel-child", ROOT_OPEN "mode='dynamic'><baselabel>" LABEL "<b/></baselabel>"
                         "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "<baselabel> may only contain the label text" },
    { "two-labels", ROOT_OPEN "mode='static'><svm:label>" LABEL "</svm:label><svm:label>" LABEL
                    "</svm:label></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "<label> is given twice" },
    { "unknown-element", ROOT_OPEN "mode='dynamic'><svm:color>red</svm:color></svm:security>",
      -1, SVIRT_ERROR_INVALID_SETTINGS, "unknown element <color>" },
    { "foreign-element", ROOT_OPEN "mode='static'><o:label xmlns:o='urn:other'>" LABEL
                         "</o:label></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "may only contain <label>, <baselabel> and <disk>" },
    { "foreign-default-namespace", ROOT_OPEN "mode='static'><label xmlns='urn:other'>" LABEL
                                   "</label></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "may only contain <label>, <baselabel> and <disk>" },
    { "unknown-attribute", ROOT_OPEN "mode='dynamic' color='red'/>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "unknown attribute 'color' on <security>" },
    { "namespaced-attribute", ROOT_OPEN "svm:mode='dynamic' mode='dynamic'/>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "unknown attribute 'mode'" },
    { "text", ROOT_OPEN "mode='dynamic'>junk</svm:security>", -1, SVIRT_ERROR_INVALID_SETTINGS,
      "may only contain" },
    { "label-attribute", ROOT_OPEN "mode='static'><svm:label type='x'>" LABEL "</svm:label>"
                         "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "unknown attribute 'type' on <label>" },
    { "label-child", ROOT_OPEN "mode='static'><svm:label>" LABEL "<svm:b/></svm:label>"
                     "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "<label> may only contain the label text" },
    { "disk-no-target", ROOT_OPEN "mode='dynamic'><svm:disk relabel='no'/></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "needs a target" },
    { "disk-relabel-yes", ROOT_OPEN "mode='dynamic'><svm:disk target='vda' relabel='yes'/>"
                          "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "only says relabel='no'" },
    { "disk-relabel-missing", ROOT_OPEN "mode='dynamic'><svm:disk target='vda'/></svm:security>",
      -1, SVIRT_ERROR_INVALID_SETTINGS, "must be 'yes' or 'no'" },
    { "disk-target-space", ROOT_OPEN "mode='dynamic'><svm:disk target='vd a' relabel='no'/>"
                           "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "'vd a' is not a disk target" },
    { "disk-target-path", ROOT_OPEN "mode='dynamic'><svm:disk target='../x' relabel='no'/>"
                          "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "is not a disk target" },
    { "disk-target-upper", ROOT_OPEN "mode='dynamic'><svm:disk target='VDA' relabel='no'/>"
                           "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "is not a disk target" },
    { "disk-target-empty", ROOT_OPEN "mode='dynamic'><svm:disk target='' relabel='no'/>"
                           "</svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "'' is not a disk target" },
    { "disk-twice", ROOT_OPEN "mode='dynamic'><svm:disk target='vdb' relabel='no'/>"
                    "<svm:disk target='vdb' relabel='no'/></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "disk vdb is listed twice" },
    { "disk-child", ROOT_OPEN "mode='dynamic'><svm:disk target='vdb' relabel='no'><svm:x/>"
                    "</svm:disk></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "<disk> must be empty" },
    { "doctype-entity", "<!DOCTYPE svm:security [<!ENTITY l '" LABEL "'>]>" ROOT_OPEN
                        "mode='static'><svm:label>&l;</svm:label></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "document type declaration" },
    { "external-entity", "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>" ROOT_OPEN
                         "mode='static'><svm:label>&e;</svm:label></svm:security>", -1,
      SVIRT_ERROR_INVALID_SETTINGS, "document type declaration" },
};

static void
test_parse_reject(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(reject_cases); i++) {
        const RejectCase *c = &reject_cases[i];
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtSettings) settings = NULL;
        gsize len = c->len < 0 ? strlen(c->xml) : (gsize)c->len;

        g_test_message("case %s", c->name);
        settings = svirt_settings_parse(c->xml, len, &error);
        g_assert_null(settings);
        g_assert_nonnull(error);
        g_test_message("-> %s", error->message);
        g_assert_true(error->domain == SVIRT_ERROR);
        g_assert_cmpint(error->code, ==, c->code);
        g_assert_nonnull(strstr(error->message, c->message));
    }
}

static void
test_parse_too_large(void)
{
    g_autoptr(GString) xml = g_string_new(ROOT_OPEN "mode='dynamic'>");
    g_autoptr(GError) error = NULL;

    while (xml->len < 70000)
        g_string_append(xml, "<!-- padding -->");
    g_string_append(xml, "</svm:security>");
    g_assert_null(svirt_settings_parse(xml->str, xml->len, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_assert_nonnull(strstr(error->message, "more than"));
}

static void
test_format(void)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(GError) error = NULL;
    g_autofree char *dynamic = svirt_settings_format(settings);
    g_autofree char *xml = NULL;

    g_assert_cmpstr(dynamic, ==, "<security mode=\"dynamic\" relabel=\"yes\">\n</security>");

    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE,
                                          &error));
    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vdb"));
    xml = svirt_settings_format(settings);
    g_assert_cmpstr(xml, ==,
                    "<security mode=\"static\" relabel=\"yes\">\n"
                    "  <label>" LABEL "</label>\n"
                    "  <disk target=\"vdb\" relabel=\"no\"/>\n"
                    "</security>");
}

typedef struct {
    const char *name;
    SvirtSecurityMode mode;
    const char *label;
    gboolean relabel;
    const char *stored_label; /* NULL with ok: no label; with !ok: the error says this */
    gboolean ok;
} SetModeCase;

static const SetModeCase set_mode_cases[] = {
    { "dynamic", SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, NULL, TRUE },
    { "static", SVIRT_SECURITY_MODE_STATIC, LABEL, FALSE, LABEL, TRUE },
    { "static-canonical", SVIRT_SECURITY_MODE_STATIC, "system_u:system_r:svirt_t:s0:c3,c1,c2",
      TRUE, "system_u:system_r:svirt_t:s0:c1.c3", TRUE },
    { "none", SVIRT_SECURITY_MODE_NONE, NULL, FALSE, NULL, TRUE },
    { "static-garbage", SVIRT_SECURITY_MODE_STATIC, "garbage", TRUE, "Invalid SELinux context",
      FALSE },
    { "static-no-label", SVIRT_SECURITY_MODE_STATIC, NULL, TRUE, "needs the label", FALSE },
    { "static-no-level", SVIRT_SECURITY_MODE_STATIC, "system_u:system_r:svirt_t", TRUE,
      "no MCS level", FALSE },
    { "dynamic-relabel-no", SVIRT_SECURITY_MODE_DYNAMIC, NULL, FALSE, "needs a static label",
      FALSE },
    { "none-with-label", SVIRT_SECURITY_MODE_NONE, LABEL, TRUE, "only mode 'static'", FALSE },
    { "unknown-mode", (SvirtSecurityMode)7, NULL, TRUE, "unknown mode", FALSE },
};

static void
test_set_mode(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(set_mode_cases); i++) {
        const SetModeCase *c = &set_mode_cases[i];
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autoptr(SvirtSettings) before = NULL;
        g_autoptr(GError) error = NULL;
        gboolean ok;

        g_test_message("case %s", c->name);
        g_ptr_array_add(settings->no_relabel_disks, g_strdup("vdc"));
        before = svirt_settings_copy(settings);
        ok = svirt_settings_set_mode(settings, c->mode, c->label, c->relabel, &error);
        g_assert_cmpint(ok, ==, c->ok);
        if (ok) {
            g_assert_no_error(error);
            g_assert_cmpint(settings->mode, ==, c->mode);
            g_assert_cmpstr(settings->label, ==, c->stored_label);
            g_assert_cmpint(settings->relabel, ==, c->relabel);
        } else {
            g_test_message("-> %s", error->message);
            g_assert_nonnull(strstr(error->message, c->stored_label));
            g_assert_true(svirt_settings_equal(settings, before));
        }
        /* Disk overrides are not touched by a mode change. */
        assert_disks(settings, "vdc");
    }
}

static void
test_validate_disks(void)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(GError) error = NULL;

    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vdb"));
    g_assert_true(svirt_settings_validate(settings, &error));
    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vdb"));
    g_assert_false(svirt_settings_validate(settings, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_clear_error(&error);
    g_ptr_array_remove_index(settings->no_relabel_disks, 1);
    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vd\"b"));
    g_assert_false(svirt_settings_validate(settings, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
}

static void
test_equal_copy(void)
{
    g_autoptr(SvirtSettings) a = svirt_settings_new();
    g_autoptr(SvirtSettings) b = NULL;

    g_assert_true(svirt_settings_set_mode(a, SVIRT_SECURITY_MODE_STATIC, LABEL, FALSE, NULL));
    g_ptr_array_add(a->no_relabel_disks, g_strdup("vdb"));
    b = svirt_settings_copy(a);
    g_assert_true(svirt_settings_equal(a, b));
    b->relabel = TRUE;
    g_assert_false(svirt_settings_equal(a, b));
    b->relabel = FALSE;
    g_ptr_array_add(b->no_relabel_disks, g_strdup("vdc"));
    g_assert_false(svirt_settings_equal(a, b));
    g_ptr_array_remove_index(b->no_relabel_disks, 1);
    g_assert_true(svirt_settings_set_mode(b, SVIRT_SECURITY_MODE_STATIC,
                                          "system_u:system_r:svirt_t:s0:c10,c21", FALSE, NULL));
    g_assert_false(svirt_settings_equal(a, b));
}

/* The administrator's per-disk override of refusals for files that look like the host's: read,
 * written back the same, and one element per disk even with relabel off too. */
static void
test_host_file_disks(void)
{
    static const char xml[] =
        "<svm:security xmlns:svm='" NS "' mode='dynamic'>"
        "<svm:disk target='vdc' allow-host-file='yes'/>"
        "<svm:disk target='vdb' relabel='no' allow-host-file='yes'/>"
        "<svm:disk target='vdd' relabel='no'/></svm:security>";
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSettings) settings = svirt_settings_parse(xml, strlen(xml), &error);
    g_autoptr(SvirtSettings) again = NULL;
    g_autofree char *formatted = NULL;

    g_assert_no_error(error);
    g_assert_true(svirt_settings_disk_allows_host_file(settings, "vdb"));
    g_assert_true(svirt_settings_disk_allows_host_file(settings, "vdc"));
    g_assert_false(svirt_settings_disk_allows_host_file(settings, "vdd"));
    g_assert_false(svirt_settings_disk_allows_host_file(settings, NULL));
    g_assert_false(svirt_settings_disk_relabel(settings, "vdb"));
    g_assert_true(svirt_settings_disk_relabel(settings, "vdc"));
    assert_disks(settings, "vdb vdd");

    formatted = svirt_settings_format(settings);
    g_assert_cmpstr(formatted, ==,
                    "<security mode=\"dynamic\" relabel=\"yes\">\n"
                    "  <disk target=\"vdb\" relabel=\"no\" allow-host-file=\"yes\"/>\n"
                    "  <disk target=\"vdd\" relabel=\"no\"/>\n"
                    "  <disk target=\"vdc\" allow-host-file=\"yes\"/>\n"
                    "</security>");
    again = svirt_settings_parse(formatted, strlen(formatted), &error);
    g_assert_no_error(error);
    g_assert_true(svirt_settings_equal(settings, again));

    /* Allowing twice stores it once; withdrawing removes it; a bad target is refused. */
    g_assert_true(svirt_settings_set_disk_host_file(again, "vdc", TRUE, &error));
    g_assert_true(svirt_settings_equal(settings, again));
    g_assert_true(svirt_settings_set_disk_host_file(again, "vdc", FALSE, &error));
    g_assert_false(svirt_settings_disk_allows_host_file(again, "vdc"));
    g_assert_false(svirt_settings_equal(settings, again));
    g_assert_true(svirt_settings_set_disk_host_file(again, "vde", FALSE, &error));
    g_assert_false(svirt_settings_set_disk_host_file(again, "../x", TRUE, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_assert_nonnull(strstr(error->message, "'../x' is not a disk target"));
}

static void
test_host_file_disks_refused(void)
{
    static const struct {
        const char *xml;
        const char *message;
    } cases[] = {
        { "<svm:security xmlns:svm='" NS "' mode='dynamic'><svm:disk target='vdb' "
          "allow-host-file='no'/></svm:security>",
          "only says relabel='no' or allow-host-file='yes'" },
        { "<svm:security xmlns:svm='" NS "' mode='dynamic'><svm:disk target='vdb' "
          "allow-host-file='maybe'/></svm:security>",
          "<disk allow-host-file> must be 'yes' or 'no', not 'maybe'" },
        { "<svm:security xmlns:svm='" NS "' mode='dynamic'><svm:disk target='vdb' "
          "relabel='no'/><svm:disk target='vdb' allow-host-file='yes'/></svm:security>",
          "disk vdb is listed twice" },
        { "<svm:security xmlns:svm='" NS "' mode='dynamic'><svm:disk target='v b' "
          "allow-host-file='yes'/></svm:security>",
          "'v b' is not a disk target" },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtSettings) settings =
            svirt_settings_parse(cases[i].xml, strlen(cases[i].xml), &error);

        g_test_message("%s -> %s", cases[i].xml, error ? error->message : "accepted");
        g_assert_null(settings);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
        g_assert_nonnull(strstr(error->message, cases[i].message));
    }
}

static void
test_check_policy(void)
{
    g_autoptr(SvirtPolicyTypes) policy = svirt_policy_types_new_builtin();
    g_autoptr(SvirtPolicyTypes) builtin = svirt_policy_types_new_builtin();
    static const struct {
        const char *label;
        gboolean ok_with_policy;
    } cases[] = {
        { LABEL, TRUE },
        { "system_u:system_r:svirt_tcg_t:s0:c1,c2", TRUE },
        { "system_u:system_r:unconfined_t:s0:c1,c2", FALSE },
        { "staff_u:staff_r:svirt_t:s0:c1,c2", TRUE },
    };

    /* As if read from a Fedora-like policy with a TCG line. */
    policy->domain_from_policy = TRUE;
    g_free(policy->tcg_process);
    policy->tcg_process = g_strdup("system_u:system_r:svirt_tcg_t:s0");

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autoptr(GError) error = NULL;

        g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC,
                                              cases[i].label, TRUE, NULL));
        g_assert_cmpint(svirt_settings_check_policy(settings, policy, &error), ==,
                        cases[i].ok_with_policy);
        if (!cases[i].ok_with_policy) {
            g_test_message("%s -> %s", cases[i].label, error->message);
            g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
            g_assert_nonnull(strstr(error->message, "unconfined_t"));
            g_assert_nonnull(strstr(error->message, "system_u:system_r:svirt_t:s0:c10,c20"));
        }
        /* Without an installed policy only the syntax is checked. */
        g_clear_error(&error);
        g_assert_true(svirt_settings_check_policy(settings, builtin, &error));
        g_assert_no_error(error);
    }
}

/* Types the binary policy marks as VM domains are accepted too, and named when refused. */
static void
test_check_policy_domains(void)
{
    g_autoptr(SvirtPolicyTypes) policy = svirt_policy_types_new_builtin();
    static const char *const domains[] = { "qemu_t", "svirt_prot_exec_t", "svirt_t", NULL };
    g_autoptr(SvirtSettings) vm_domain = svirt_settings_new();
    g_autoptr(SvirtSettings) other = svirt_settings_new();
    g_autoptr(GError) error = NULL;

    policy->domain_from_policy = TRUE;
    g_assert_true(svirt_settings_set_mode(vm_domain, SVIRT_SECURITY_MODE_STATIC,
                                          "system_u:system_r:qemu_t:s0:c1,c2", TRUE, NULL));
    g_assert_true(svirt_settings_set_mode(other, SVIRT_SECURITY_MODE_STATIC,
                                          "system_u:system_r:unconfined_t:s0:c1,c2", TRUE, NULL));
    g_assert_false(svirt_settings_check_policy(vm_domain, policy, NULL));
    g_assert_true(svirt_settings_check_policy_domains(vm_domain, policy, domains, &error));
    g_assert_no_error(error);
    g_assert_false(svirt_settings_check_policy_domains(other, policy, domains, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "(svirt_t, qemu_t, svirt_prot_exec_t)"));
}

/* A dynamic VM's base label: kept canonical, compared, checked against the policy like a static
 * label, and dropped when the VM leaves the dynamic mode. */
static void
test_baselabel(void)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtSettings) plain = svirt_settings_new();
    g_autoptr(SvirtPolicyTypes) policy = svirt_policy_types_new_builtin();
    g_autoptr(GError) error = NULL;

    policy->domain_from_policy = TRUE;
    g_assert_true(svirt_settings_set_baselabel(settings, "system_u:system_r:svirt_t:s0:c2,c1",
                                               &error));
    g_assert_no_error(error);
    g_assert_cmpstr(settings->baselabel, ==, "system_u:system_r:svirt_t:s0:c1,c2");
    g_assert_false(svirt_settings_equal(settings, plain));
    g_assert_true(svirt_settings_check_policy(settings, policy, &error));
    g_assert_no_error(error);

    g_assert_false(svirt_settings_set_baselabel(settings, "not a label", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_clear_error(&error);
    g_assert_cmpstr(settings->baselabel, ==, "system_u:system_r:svirt_t:s0:c1,c2");

    g_assert_true(svirt_settings_set_baselabel(settings, "system_u:system_r:unconfined_t:s0",
                                               &error));
    g_assert_false(svirt_settings_check_policy(settings, policy, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_assert_nonnull(strstr(error->message, "The base label"));
    g_assert_nonnull(strstr(error->message, "unconfined_t"));
    g_clear_error(&error);

    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, LABEL, TRUE,
                                          &error));
    g_assert_null(settings->baselabel);
    g_assert_false(svirt_settings_set_baselabel(settings, LABEL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_assert_null(settings->baselabel);
}

static void
test_static_level(void)
{
    static const struct {
        SvirtSecurityMode mode;
        const char *label;
        const char *level;
    } cases[] = {
        { SVIRT_SECURITY_MODE_STATIC, LABEL, "s0:c10,c20" },
        { SVIRT_SECURITY_MODE_STATIC, "system_u:system_r:svirt_t:s0-s0:c1,c2", "s0:c1,c2" },
        /* The shared level, allowed on purpose. */
        { SVIRT_SECURITY_MODE_STATIC, "system_u:system_r:svirt_t:s2", "s2" },
        { SVIRT_SECURITY_MODE_DYNAMIC, NULL, NULL },
        { SVIRT_SECURITY_MODE_NONE, NULL, NULL },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autofree char *level = NULL;

        settings->shared_level = TRUE;
        g_assert_true(svirt_settings_set_mode(settings, cases[i].mode, cases[i].label, TRUE,
                                              NULL));
        level = svirt_settings_dup_static_level(settings);
        g_assert_cmpstr(level, ==, cases[i].level);
    }
}

/* A static label at a level without categories is the shared level: refused unless meant. */
static void
test_shared_level(void)
{
    static const char *const shared[] = { "system_u:system_r:svirt_t:s0",
                                          "system_u:system_r:svirt_t:s0-s0",
                                          "system_u:system_r:svirt_t:s1" };
    static const char *const own[] = { LABEL, "system_u:system_r:svirt_t:s0-s0:c0.c1023",
                                       "system_u:system_r:svirt_t:s0:c5" };
    static const char *const stored =
        "<security mode='static'><label>system_u:system_r:svirt_t:s0</label></security>";

    for (gsize i = 0; i < G_N_ELEMENTS(shared); i++) {
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autoptr(SvirtSettings) parsed = NULL;
        g_autoptr(GError) error = NULL;
        g_autofree char *xml = NULL;

        g_assert_true(svirt_label_is_shared_level(shared[i]));
        g_assert_false(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, shared[i],
                                               TRUE, &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_SHARED_LEVEL);
        g_test_message("%s -> %s", shared[i], error->message);
        g_assert_nonnull(strstr(error->message, "shared level"));
        g_assert_nonnull(strstr(error->message, "--shared-level"));
        g_assert_nonnull(strstr(error->message, "Allow the shared level"));
        g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);

        /* Allowed on purpose, it is stored and read back with the permission. */
        settings->shared_level = TRUE;
        g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, shared[i],
                                              TRUE, NULL));
        xml = svirt_settings_format(settings);
        g_assert_nonnull(strstr(xml, "shared-level=\"yes\""));
        parsed = svirt_settings_parse(xml, strlen(xml), NULL);
        g_assert_nonnull(parsed);
        g_assert_true(parsed->shared_level);
        g_assert_true(svirt_settings_equal(parsed, settings));
        parsed->shared_level = FALSE;
        g_assert_false(svirt_settings_equal(parsed, settings));
        g_assert_false(svirt_settings_validate(parsed, NULL));
    }
    for (gsize i = 0; i < G_N_ELEMENTS(own); i++) {
        g_autoptr(SvirtSettings) settings = svirt_settings_new();
        g_autofree char *xml = NULL;

        g_assert_false(svirt_label_is_shared_level(own[i]));
        g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, own[i],
                                              TRUE, NULL));
        xml = svirt_settings_format(settings);
        g_assert_null(strstr(xml, "shared-level"));
    }
    /* A definition edited by hand gets no more than set-label would accept. */
    {
        g_autoptr(GError) error = NULL;

        g_assert_null(svirt_settings_parse(stored, strlen(stored), &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_SHARED_LEVEL);
    }
}

static void
test_mode_strings(void)
{
    static const SvirtSecurityMode modes[] = {
        SVIRT_SECURITY_MODE_DYNAMIC,
        SVIRT_SECURITY_MODE_STATIC,
        SVIRT_SECURITY_MODE_NONE,
    };
    SvirtSecurityMode mode;

    for (gsize i = 0; i < G_N_ELEMENTS(modes); i++) {
        g_assert_true(svirt_security_mode_from_string(svirt_security_mode_to_string(modes[i]),
                                                      &mode));
        g_assert_cmpint(mode, ==, modes[i]);
    }
    g_assert_false(svirt_security_mode_from_string("Dynamic", &mode));
    g_assert_false(svirt_security_mode_from_string("", &mode));
    g_assert_false(svirt_security_mode_from_string(NULL, &mode));
}

int
main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/settings/parse/accept", test_parse_accept);
    g_test_add_func("/settings/parse/reject", test_parse_reject);
    g_test_add_func("/settings/parse/too-large", test_parse_too_large);
    g_test_add_func("/settings/format", test_format);
    g_test_add_func("/settings/set-mode", test_set_mode);
    g_test_add_func("/settings/validate-disks", test_validate_disks);
    g_test_add_func("/settings/equal-copy", test_equal_copy);
    g_test_add_func("/settings/host-file-disks", test_host_file_disks);
    g_test_add_func("/settings/host-file-disks-refused", test_host_file_disks_refused);
    g_test_add_func("/settings/check-policy", test_check_policy);
    g_test_add_func("/settings/check-policy-domains", test_check_policy_domains);
    g_test_add_func("/settings/baselabel", test_baselabel);
    g_test_add_func("/settings/static-level", test_static_level);
    g_test_add_func("/settings/shared-level", test_shared_level);
    g_test_add_func("/settings/mode-strings", test_mode_strings);
    return g_test_run();
}
