#include "config.h"

#include <glib/gstdio.h>
#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-audit.h"
#include "svirt-domain-xml.h"
#include "svirt-engine.h"
#include "svirt-journal.h"
#include "svirt-lifecycle.h"
#include "svirt-private.h"
#include "svm-test-fixture.h"
#include "svm-test-util.h"
#include "svm-test-vm.h"

/* test:///default keeps one state per process, shared by every connection to it. */
#define URI "test:///default"
#define TEST_UUID "6695eb01-f6a4-8304-79aa-97f2502e193f"
#define STATIC_LABEL "system_u:system_r:svirt_t:s0:c10,c20"

static SvirtEngine *
connected_engine(void)
{
    SvirtEngine *engine = svirt_engine_new(URI);
    g_autoptr(GError) error = NULL;

    g_assert_true(svirt_engine_connect(engine, NULL, &error));
    g_assert_no_error(error);
    return engine;
}

/* Each test starts from a VM without settings, whatever ran before it. */
static void
clear_settings(void)
{
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, "test");

    g_assert_nonnull(dom);
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL,
                                         SVIRT_METADATA_NS, VIR_DOMAIN_AFFECT_CONFIG),
                    ==, 0);
}

static void
test_lookup(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    static const char *const found[] = { "test", TEST_UUID };
    static const char *const missing[] = { "no-such-vm", "", "6695eb01-0000-0000-0000-000000000000",
                                           "te st" };

    for (gsize i = 0; i < G_N_ELEMENTS(found); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(SvirtVmInfo) info = svirt_engine_lookup_vm(engine, found[i], &error);

        g_assert_no_error(error);
        g_assert_cmpstr(info->name, ==, "test");
        g_assert_cmpstr(info->uuid, ==, TEST_UUID);
        g_assert_cmpint(info->state, ==, SVIRT_VM_STATE_RUNNING);
        g_assert_true(info->persistent);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(missing); i++) {
        g_autoptr(GError) error = NULL;
        g_autofree char *expected =
            g_strdup_printf("No VM named '%s' on " URI ". Run 'svirtctl list' to see the VMs.",
                            missing[i]);

        g_assert_null(svirt_engine_lookup_vm(engine, missing[i], &error));
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
        g_assert_cmpstr(error->message, ==, expected);
    }
}

/* A UUID is looked up as one first, as virsh does; a name shaped like a UUID that is no VM's
 * UUID still finds its VM, and libvirt's UUIDs without hyphens still work. */
static void
test_lookup_uuid_shapes(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) named = virDomainDefineXML(
        conn, "<domain type='test'><name>6695eb01-1111-2222-3333-444444444444</name>"
              "<memory>65536</memory><os><type>hvm</type></os></domain>");
    g_autofree char *plain = NULL;
    g_autoptr(SvirtVmInfo) by_name = NULL;
    g_autoptr(SvirtVmInfo) by_plain = NULL;
    g_autoptr(GError) error = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_nonnull(named);
    g_assert_cmpint(virDomainGetUUIDString(named, uuid), ==, 0);
    by_name = svirt_engine_lookup_vm(engine, "6695eb01-1111-2222-3333-444444444444", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(by_name->uuid, ==, uuid);
    plain = g_strdup(TEST_UUID);
    for (char *from = plain, *to = plain;; from++) {
        if (*from != '-')
            *to++ = *from;
        if (!*from)
            break;
    }
    by_plain = svirt_engine_lookup_vm(engine, plain, &error);
    virDomainUndefine(named);
    g_assert_no_error(error);
    g_assert_cmpstr(by_plain->name, ==, "test");
}

static void
test_not_connected(void)
{
    g_autoptr(SvirtEngine) engine = svirt_engine_new(URI);
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new_from_range_string("s0:c0.c1023", NULL);
    g_autoptr(GError) error = NULL;

    g_assert_null(svirt_engine_get_settings(engine, "test", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_DISCONNECTED);
    g_clear_error(&error);
    g_assert_false(svirt_engine_collect_reservations(engine, mcs, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_DISCONNECTED);
}

static void
test_settings_round_trip(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSettings) initial = NULL;
    g_autoptr(SvirtSettings) wanted = svirt_settings_new();
    g_autoptr(SvirtSettings) stored = NULL;
    g_autoptr(SvirtSettings) dynamic = NULL;
    g_autofree char *xml = NULL;

    /* No metadata: the defaults. */
    clear_settings();
    initial = svirt_engine_get_settings(engine, "test", &error);
    g_assert_no_error(error);
    g_assert_cmpint(initial->mode, ==, SVIRT_SECURITY_MODE_DYNAMIC);
    g_assert_true(initial->relabel);
    g_assert_null(initial->label);

    g_assert_true(svirt_settings_set_mode(wanted, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, FALSE,
                                          NULL));
    g_ptr_array_add(wanted->no_relabel_disks, g_strdup("vdb"));
    g_assert_true(svirt_engine_set_settings(engine, TEST_UUID, wanted, &error));
    g_assert_no_error(error);
    stored = svirt_engine_get_settings(engine, "test", &error);
    g_assert_no_error(error);
    g_assert_true(svirt_settings_equal(stored, wanted));

    /* It is part of the persistent definition, in our namespace. */
    xml = svirt_engine_get_domain_xml(engine, "test", TRUE, &error);
    g_assert_no_error(error);
    g_assert_nonnull(strstr(xml, SVIRT_METADATA_NS));
    g_assert_nonnull(strstr(xml, STATIC_LABEL));

    g_assert_true(svirt_settings_set_mode(wanted, SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE, NULL));
    g_assert_true(svirt_engine_set_settings(engine, "test", wanted, &error));
    dynamic = svirt_engine_get_settings(engine, "test", &error);
    g_assert_no_error(error);
    g_assert_true(svirt_settings_equal(dynamic, wanted));
}

static void
test_set_invalid(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(SvirtSettings) good = svirt_settings_new();
    g_autoptr(SvirtSettings) after = NULL;
    g_autoptr(GError) error = NULL;
    struct {
        SvirtSecurityMode mode;
        const char *label;
        gboolean relabel;
        int code;
    } cases[] = {
        { SVIRT_SECURITY_MODE_DYNAMIC, NULL, FALSE, SVIRT_ERROR_INVALID_SETTINGS },
        { SVIRT_SECURITY_MODE_STATIC, "system_u:system_r:svirt_t", TRUE,
          SVIRT_ERROR_INVALID_CONTEXT },
        { SVIRT_SECURITY_MODE_STATIC, "bogus", TRUE, SVIRT_ERROR_INVALID_CONTEXT },
        { SVIRT_SECURITY_MODE_STATIC, NULL, TRUE, SVIRT_ERROR_INVALID_SETTINGS },
        { SVIRT_SECURITY_MODE_NONE, STATIC_LABEL, TRUE, SVIRT_ERROR_INVALID_SETTINGS },
    };

    clear_settings();
    g_assert_true(svirt_settings_set_mode(good, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, TRUE,
                                          NULL));
    g_assert_true(svirt_engine_set_settings(engine, "test", good, &error));
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(SvirtSettings) bad = svirt_settings_new();

        /* Built by hand, as a caller that skipped svirt_settings_set_mode() would. */
        bad->mode = cases[i].mode;
        bad->label = g_strdup(cases[i].label);
        bad->relabel = cases[i].relabel;
        g_assert_false(svirt_engine_set_settings(engine, "test", bad, &error));
        g_assert_nonnull(error);
        g_test_message("%s", error->message);
        g_assert_cmpint(error->code, ==, cases[i].code);
        g_clear_error(&error);
    }
    /* Nothing was stored. */
    after = svirt_engine_get_settings(engine, "test", &error);
    g_assert_no_error(error);
    g_assert_true(svirt_settings_equal(after, good));

    g_assert_false(svirt_engine_set_settings(engine, "nope", good, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
}

/* Where a binary policy is installed, it has the last word on a static label. */
static void
test_set_checked_against_policy(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autofree char *policy = svirt_context_find_policy_file();
    g_autoptr(GError) error = NULL;
    gboolean stored;

    clear_settings();
    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC,
                                          "bogus_u:system_r:svirt_t:s0:c1,c2", TRUE, NULL));
    stored = svirt_engine_set_settings(engine, "test", settings, &error);
    g_test_message("policy %s: %s", policy ? policy : "none", error ? error->message : "stored");
    if (policy) {
        g_assert_false(stored);
        g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
        g_assert_nonnull(strstr(error->message, "bogus_u"));
    } else {
        g_assert_true(stored);
        g_assert_no_error(error);
    }
}

static void
test_stored_invalid(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = virDomainLookupByName(conn, "test");
    g_autoptr(GError) error = NULL;

    /* Someone else wrote our namespace with virsh. */
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
                                         "<security mode='dynamic' relabel='no'/>", "svm",
                                         SVIRT_METADATA_NS, VIR_DOMAIN_AFFECT_CONFIG),
                    ==, 0);
    g_assert_null(svirt_engine_get_settings(engine, "test", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "VM 'test'"));
    g_assert_nonnull(strstr(error->message, "svirtctl set-label"));
}

/* A static label edited in by hand that a start would refuse is shown as a problem in the list
 * where a policy is installed; without one the type is not checked. */
static void
test_stored_refused_listed(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = virDomainDefineXML(
        conn, "<domain type='test'><name>refused-vm</name><memory>65536</memory>"
              "<os><type>hvm</type></os><metadata><svm:security xmlns:svm='" SVIRT_METADATA_NS
              "' mode='static'><svm:label>system_u:system_r:unconfined_t:s0:c1,c2</svm:label>"
              "</svm:security></metadata></domain>");
    g_autoptr(SvirtVmLabels) labels = NULL;
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_load(NULL);
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(dom);
    labels = svirt_engine_get_vm_labels(engine, "refused-vm", &error);
    virDomainUndefine(dom);
    g_assert_no_error(error);
    g_test_message("%s", labels->reason);
    if (types && types->domain_from_policy) {
        g_assert_cmpint(labels->isolation, ==, SVIRT_ISOLATION_PROBLEM);
        g_assert_true(g_str_has_prefix(labels->reason, "It cannot start: "));
        g_assert_nonnull(strstr(labels->reason, "unconfined_t"));
    } else {
        g_assert_cmpint(labels->isolation, ==, SVIRT_ISOLATION_ISOLATED);
    }
}

static virDomainPtr
start_transient(virConnectPtr conn, const char *name, const char *extra)
{
    g_autofree char *xml = g_strdup_printf("<domain type='test'><name>%s</name>"
                                           "<memory>65536</memory><os><type>hvm</type></os>"
                                           "%s</domain>",
                                           name, extra);
    virDomainPtr dom = virDomainCreateXML(conn, xml, 0);

    if (dom == NULL)
        g_error("Could not start %s: %s", name, virGetLastErrorMessage());
    return dom;
}

static void
assert_holder(SvirtMcs *mcs, const char *level_str, const char *holder)
{
    SvirtLevel level;

    g_assert_true(svirt_level_parse(level_str, &level, NULL));
    g_assert_cmpstr(svirt_mcs_holder(mcs, &level), ==, holder);
}

/* Records in the journal that the engine labelled @path for @dom, as a start does; or forgets
 * it. */
static void
record_holder(virDomainPtr dom, const char *path, gboolean add)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, NULL);
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    g_assert_true(svirt_journal_lock(journal, NULL));
    if (add)
        svirt_journal_add_holder(journal, path, NULL, "system_u:object_r:svirt_image_t:s0", uuid);
    else
        svirt_journal_remove(journal, path);
    g_assert_true(svirt_journal_commit(journal, NULL));
    svirt_journal_unlock(journal);
}

/* Records in the journal that the engine started @dom with @process, as a start does. */
static void
record_started(virDomainPtr dom, const char *process, const char *level, gboolean add)
{
    g_autoptr(SvirtJournal) journal = svirt_journal_open(NULL, NULL);
    char uuid[VIR_UUID_STRING_BUFLEN];

    g_assert_cmpint(virDomainGetUUIDString(dom, uuid), ==, 0);
    g_assert_true(svirt_journal_lock(journal, NULL));
    if (add)
        svirt_journal_vm_launched(svirt_journal_add_vm(journal, uuid, level, process, NULL));
    else
        svirt_journal_remove_vm(journal, uuid);
    g_assert_true(svirt_journal_commit(journal, NULL));
    svirt_journal_unlock(journal);
}

static void
test_collect_reservations(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(SvirtMcs) mcs = svirt_mcs_new_from_range_string("s0:c0.c1023", NULL);
    g_autoptr(SvirtVmStatus) earlier = NULL;
    g_autoptr(SvirtVmStatus) forged = NULL;
    g_autoptr(GError) error = NULL;
    virDomainPtr doms[6];

    doms[0] = start_transient(conn, "static-vm",
                              "<seclabel type='static' model='selinux' relabel='no'>"
                              "<label>" STATIC_LABEL "</label></seclabel>");
    /* What the engine started a VM with, as its journal says, wins over <seclabel>. */
    doms[1] = start_transient(conn, "engine-vm",
                              "<metadata><svml:labels xmlns:svml='" SVIRT_LIVE_NS "' "
                              "mode='dynamic' process='system_u:system_r:svirt_t:s0:c30,c40' "
                              "level='s0:c30,c40'/></metadata>"
                              "<seclabel type='static' model='selinux' relabel='no'>"
                              "<label>system_u:system_r:svirt_t:s0:c50,c60</label></seclabel>");
    record_started(doms[1], "system_u:system_r:svirt_t:s0:c30,c40", "s0:c30,c40", TRUE);
    doms[2] = start_transient(conn, "range-vm",
                              "<seclabel type='static' model='selinux' relabel='no'>"
                              "<label>system_u:system_r:svirt_t:s0-s0:c7,c8</label></seclabel>");
    doms[3] = start_transient(conn, "unlabelled-vm", "<seclabel type='none'/>");
    /* Labels in a live definition that the journal does not confirm are not trusted. */
    doms[4] = start_transient(conn, "forged-vm",
                              "<metadata><svml:labels xmlns:svml='" SVIRT_LIVE_NS "' "
                              "mode='dynamic' process='system_u:system_r:svirt_t:s0:c70,c80' "
                              "level='s0:c70,c80'/></metadata>"
                              "<seclabel type='static' model='selinux' relabel='no'>"
                              "<label>system_u:system_r:svirt_t:s0:c90,c91</label></seclabel>");
    /* Started by an engine that recorded only the files it labelled: the journal confirms the
     * live labels. */
    doms[5] = start_transient(conn, "earlier-vm",
                              "<metadata><svml:labels xmlns:svml='" SVIRT_LIVE_NS "' "
                              "mode='dynamic' process='system_u:system_r:svirt_t:s0:c11,c12' "
                              "level='s0:c11,c12'/></metadata>");
    record_holder(doms[5], "/nonexistent/earlier-vm.img", TRUE);

    g_assert_true(svirt_engine_collect_reservations(engine, mcs, &error));
    earlier = svirt_engine_get_vm_status(engine, "earlier-vm", NULL);
    forged = svirt_engine_get_vm_status(engine, "forged-vm", NULL);
    record_started(doms[1], NULL, NULL, FALSE);
    record_holder(doms[5], "/nonexistent/earlier-vm.img", FALSE);
    for (gsize i = 0; i < G_N_ELEMENTS(doms); i++) {
        virDomainDestroy(doms[i]);
        virDomainFree(doms[i]);
    }
    g_assert_no_error(error);
    assert_holder(mcs, "s0:c10,c20", "static-vm");
    assert_holder(mcs, "s0:c30,c40", "engine-vm");
    assert_holder(mcs, "s0:c50,c60", NULL);
    assert_holder(mcs, "s0:c7,c8", "range-vm");
    assert_holder(mcs, "s0:c70,c80", NULL);
    assert_holder(mcs, "s0:c90,c91", "forged-vm");
    assert_holder(mcs, "s0:c11,c12", "earlier-vm");
    g_assert_true(earlier->started_by_engine);
    g_assert_cmpstr(earlier->process_label, ==, "system_u:system_r:svirt_t:s0:c11,c12");
    g_assert_false(forged->started_by_engine);
    g_assert_null(forged->process_label);
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, svirt_mcs_capacity(mcs) - 5);
}

static void
test_plan_vm(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtPlan) plan = NULL;
    g_autoptr(SvirtPlan) static_plan = NULL;
    g_autoptr(GError) error = NULL;
    virDomainPtr holder;

    clear_settings();
    /* A range with a single pair: the plan gets it while it is free ... */
    plan = svirt_engine_plan_vm(engine, "test", "s0:c0.c1", &error);
    g_assert_no_error(error);
    g_assert_cmpstr(plan->vm_name, ==, "test");
    g_assert_cmpstr(plan->level, ==, "s0:c0,c1");
    g_assert_true(g_str_has_suffix(plan->process_label, ":svirt_t:s0:c0,c1"));
    g_clear_pointer(&plan, svirt_plan_free);

    /* ... and not once a running VM holds it. */
    holder = start_transient(conn, "holder-vm",
                             "<seclabel type='static' model='selinux' relabel='no'>"
                             "<label>system_u:system_r:svirt_t:s0:c0,c1</label></seclabel>");
    plan = svirt_engine_plan_vm(engine, "test", "s0:c0.c1", &error);
    g_assert_null(plan);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_EXHAUSTED);
    g_clear_error(&error);
    g_assert_null(svirt_engine_plan_vm(engine, "test", "c5", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE);
    g_clear_error(&error);

    /* A static VM plans with its own level whatever the range holds. */
    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL,
                                          TRUE, NULL));
    g_assert_true(svirt_engine_set_settings(engine, "test", settings, &error));
    static_plan = svirt_engine_plan_vm(engine, "test", "s0:c0.c1", &error);
    virDomainDestroy(holder);
    virDomainFree(holder);
    g_assert_no_error(error);
    g_assert_cmpstr(static_plan->level, ==, "s0:c10,c20");
    g_assert_cmpstr(static_plan->process_label, ==, STATIC_LABEL);

}

static void
on_plan_ready(GObject *source, GAsyncResult *result, gpointer data)
{
    SvirtPlan **out = data;
    g_autoptr(GError) error = NULL;

    *out = svirt_engine_plan_vm_finish(SVIRT_ENGINE(source), result, &error);
    g_assert_no_error(error);
}

static void
test_plan_vm_async(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(SvirtPlan) plan = NULL;

    clear_settings();
    svirt_engine_plan_vm_async(engine, TEST_UUID, "s0:c100.c101", NULL, on_plan_ready, &plan);
    svm_test_wait_for(svm_test_pointer_is_set, &plan, 5000, "the plan");
    g_assert_cmpstr(plan->level, ==, "s0:c100,c101");
}

/* The per-disk override is stored with the VM's settings, only for a disk the VM has, and can
 * be withdrawn; the other settings stay as they were. */
static void
test_disk_host_file(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSettings) allowed = NULL;
    g_autoptr(SvirtSettings) withdrawn = NULL;
    g_autoptr(SvirtSettings) wanted = svirt_settings_new();

    clear_settings();
    g_assert_true(svirt_settings_set_mode(wanted, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL, TRUE,
                                          NULL));
    g_assert_true(svirt_engine_set_settings(engine, "test", wanted, &error));
    g_assert_true(svirt_engine_set_disk_host_file(engine, "test", "vda", TRUE, &error));
    g_assert_no_error(error);
    allowed = svirt_engine_get_settings(engine, "test", &error);
    g_assert_no_error(error);
    g_assert_true(svirt_settings_disk_allows_host_file(allowed, "vda"));
    g_assert_cmpstr(allowed->label, ==, STATIC_LABEL);

    g_assert_false(svirt_engine_set_disk_host_file(engine, "test", "vdz", TRUE, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_assert_cmpstr(error->message, ==, "VM 'test' has no disk vdz. Its disks are: vda.");
    g_clear_error(&error);
    g_assert_false(svirt_engine_set_disk_host_file(engine, "test", "../etc", TRUE, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS);
    g_clear_error(&error);
    g_assert_false(svirt_engine_set_disk_host_file(engine, "nosuch", "vda", TRUE, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_NOT_FOUND);
    g_clear_error(&error);

    g_assert_true(svirt_engine_set_disk_host_file(engine, "test", "vda", FALSE, &error));
    g_assert_no_error(error);
    withdrawn = svirt_engine_get_settings(engine, "test", &error);
    g_assert_false(svirt_settings_disk_allows_host_file(withdrawn, "vda"));
    g_assert_true(svirt_settings_equal(withdrawn, wanted));
}

static void
on_host_file_set(GObject *source, GAsyncResult *result, gpointer data)
{
    int *outcome = data;
    g_autoptr(GError) error = NULL;

    *outcome = svirt_engine_set_disk_host_file_finish(SVIRT_ENGINE(source), result, &error)
                   ? 1
                   : 2;
    g_assert_no_error(error);
}

static gboolean
outcome_known(gpointer data)
{
    return *(int *)data != 0;
}

static void
test_disk_host_file_async(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(SvirtSettings) stored = NULL;
    int outcome = 0;

    clear_settings();
    svirt_engine_set_disk_host_file_async(engine, TEST_UUID, "vda", TRUE, NULL, on_host_file_set,
                                          &outcome);
    svm_test_wait_for(outcome_known, &outcome, 5000, "the override");
    g_assert_cmpint(outcome, ==, 1);
    stored = svirt_engine_get_settings(engine, "test", NULL);
    g_assert_true(svirt_settings_disk_allows_host_file(stored, "vda"));
}

static virDomainPtr
start_static_holder(virConnectPtr conn, const char *name, const char *label)
{
    g_autofree char *seclabel = g_strdup_printf("<seclabel type='static' model='selinux' "
                                                "relabel='no'><label>%s</label></seclabel>",
                                                label);

    return start_transient(conn, name, seclabel);
}

static SvirtSettings *
static_settings(const char *label)
{
    SvirtSettings *settings = svirt_settings_new();

    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, label, TRUE,
                                          NULL));
    return settings;
}

/* A static label that a start would refuse next to the running VMs is refused when it is set,
 * with the start's message; the VM's own level does not count against it. */
static void
test_set_held_label(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(SvirtSettings) held = static_settings("system_u:system_r:svirt_t:s0:c70,c71");
    g_autoptr(SvirtSettings) range = static_settings("system_u:system_r:svirt_t:s0:c0.c100");
    g_autoptr(SvirtSettings) free_pair = static_settings(STATIC_LABEL);
    g_autoptr(SvirtSettings) after = NULL;
    g_autoptr(GError) held_error = NULL;
    g_autoptr(GError) range_error = NULL;
    virDomainPtr holder;

    clear_settings();
    holder = start_static_holder(conn, "held-vm", "system_u:system_r:svirt_t:s0:c70,c71");
    g_assert_false(svirt_engine_set_settings(engine, "test", held, &held_error));
    g_assert_false(svirt_engine_set_settings(engine, "test", range, &range_error));
    g_assert_true(svirt_engine_set_settings(engine, "test", free_pair, NULL));
    after = svirt_engine_get_settings(engine, "test", NULL);
    virDomainDestroy(holder);
    virDomainFree(holder);

    g_assert_error(held_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_assert_cmpstr(held_error->message, ==, "Level s0:c70,c71 is already held by VM 'held-vm'.");
    g_assert_error(range_error, SVIRT_ERROR, SVIRT_ERROR_IN_USE);
    g_test_message("%s", range_error->message);
    g_assert_nonnull(strstr(range_error->message, "not isolated from level s0:c70,c71 held by "
                                                  "VM 'held-vm'"));
    g_assert_true(svirt_settings_equal(after, free_pair));
    /* Once the holder has stopped, nothing holds it. */
    g_assert_true(svirt_engine_set_settings(engine, "test", held, NULL));
}

/* The list, the Security tab and svirtctl learn which VMs a static range reaches. */
static void
test_reach(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(SvirtSettings) range = static_settings("system_u:system_r:svirt_t:s0-s0:c0.c1023");
    g_autoptr(SvirtSettings) own = static_settings(STATIC_LABEL);
    g_autoptr(SvirtReach) stored = NULL;
    g_autoptr(SvirtReach) proposed = NULL;
    g_autoptr(SvirtVmLabels) labels = NULL;
    g_autoptr(SvirtVmLabels) own_labels = NULL;
    g_autoptr(GPtrArray) listed = NULL;
    const SvirtVmLabels *listed_labels = NULL;
    g_autoptr(GError) error = NULL;
    virDomainPtr holder;

    clear_settings();
    g_assert_null(svirt_engine_check_reach(engine, "test", NULL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_clear_error(&error);
    svirt_engine_set_mcs_range(engine, "s0:c0.c1023");
    g_assert_true(svirt_engine_set_settings(engine, "test", range, &error));
    holder = start_static_holder(conn, "reached-vm", "system_u:system_r:svirt_t:s0:c80,c81");
    stored = svirt_engine_check_reach(engine, "test", NULL, &error);
    g_assert_no_error(error);
    proposed = svirt_engine_check_reach(engine, TEST_UUID, own, &error);
    g_assert_no_error(error);
    labels = svirt_engine_get_vm_labels(engine, "test", &error);
    g_assert_no_error(error);
    /* The list learns it from what its pass read, with no call of its own per VM. */
    listed = svirt_engine_list_vm_labels(engine, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(svirt_engine_set_settings(engine, "test", own, &error));
    own_labels = svirt_engine_get_vm_labels(engine, "test", &error);
    virDomainDestroy(holder);
    virDomainFree(holder);
    g_assert_no_error(error);

    g_assert_false(stored->isolated);
    g_assert_cmpuint(stored->reaches->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(stored->reaches, 0), ==, "reached-vm");
    g_assert_cmpuint(stored->dynamic_reached, ==, 523776);
    g_assert_true(proposed->isolated);
    g_assert_cmpint(labels->isolation, ==, SVIRT_ISOLATION_PROBLEM);
    g_test_message("%s", labels->reason);
    g_assert_true(g_str_has_prefix(labels->reason, "Not isolated. "));
    g_assert_nonnull(strstr(labels->reason, "'reached-vm'"));
    g_assert_null(strstr(own_labels->reason, "Not isolated"));
    for (guint i = 0; i < listed->len; i++) {
        const SvirtVmLabels *l = g_ptr_array_index(listed, i);

        if (g_str_equal(l->uuid, labels->uuid))
            listed_labels = l;
    }
    g_assert_nonnull(listed_labels);
    g_assert_cmpint(listed_labels->isolation, ==, SVIRT_ISOLATION_PROBLEM);
    g_assert_cmpstr(listed_labels->reason, ==, labels->reason);
    clear_settings();
}

/* SVIRT_SELINUX_DIR moves the policy; each branch runs on every machine: a policy with a TCG
 * line and its own image type, and no policy at all. */
static void
test_policy_location(void)
{
    g_autofree char *fixture = g_test_build_filename(G_TEST_DIST, "selinux", NULL);
    g_autofree char *empty = svm_test_make_dir("svm-no-policy");
    g_autoptr(SvirtSettings) unconfined =
        static_settings("system_u:system_r:unconfined_t:s0:c1,c2");
    g_autoptr(SvirtSettings) tcg = static_settings("system_u:system_r:svirt_tcg_t:s0:c1,c2");
    g_autoptr(SvirtPolicyTypes) types = NULL;
    g_autoptr(SvirtPolicyTypes) none = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *policy = NULL;

    gboolean unconfined_ok, tcg_ok, unchecked_ok;

    /* Everything is read first and the scratch directory removed, then asserted. */
    g_setenv(SVIRT_SELINUX_DIR_ENV, fixture, TRUE);
    types = svirt_policy_types_load(NULL);
    policy = svirt_context_find_policy_file();
    unconfined_ok = svirt_engine_check_settings(unconfined, &error);
    tcg_ok = svirt_engine_check_settings(tcg, NULL);
    g_setenv(SVIRT_SELINUX_DIR_ENV, empty, TRUE);
    none = svirt_policy_types_load(NULL);
    unchecked_ok = svirt_engine_check_settings(unconfined, NULL);
    g_unsetenv(SVIRT_SELINUX_DIR_ENV);
    g_rmdir(empty);

    g_assert_nonnull(types);
    g_assert_nonnull(none);
    g_assert_false(unconfined_ok);
    g_assert_true(tcg_ok);
    g_assert_true(unchecked_ok);
    g_assert_true(types->domain_from_policy && types->image_from_policy);
    g_assert_cmpstr(types->tcg_process, ==, "system_u:system_r:svirt_tcg_t:s0");
    g_assert_cmpstr(types->image, ==, "system_u:object_r:virt_image_t:s0");
    /* A TCG guest runs under the policy's TCG domain, as libvirt runs it; its private disks
     * take the policy's image type. */
    {
        g_autoptr(SvirtSettings) dynamic = svirt_settings_new();
        g_autoptr(GError) plan_error = NULL;
        g_autoptr(SvirtPlan) plan = svirt_plan_build(
            "<domain type='qemu'><name>tcg</name><devices><disk type='file' device='disk'>"
            "<source file='/var/lib/libvirt/images/tcg.img'/><target dev='vda'/></disk>"
            "</devices></domain>",
            dynamic, types, "s0:c1,c2", &plan_error);

        g_assert_no_error(plan_error);
        g_assert_cmpstr(plan->process_label, ==, "system_u:system_r:svirt_tcg_t:s0:c1,c2");
        g_assert_cmpstr(((SvirtPlanItem *)g_ptr_array_index(plan->items, 0))->label, ==,
                        "system_u:object_r:virt_image_t:s0:c1,c2");
    }
    g_assert_null(policy);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_assert_nonnull(strstr(error->message, "(svirt_t, svirt_tcg_t)"));
    g_assert_false(none->domain_from_policy || none->image_from_policy);
    g_assert_cmpstr(none->image, ==, "system_u:object_r:svirt_image_t:s0");
}

/* With a binary policy, the types it gives the attribute virt_domain run VMs too. */
static void
test_policy_vm_domains(void)
{
    g_autofree char *host_policy = svirt_context_find_policy_file();
    g_autofree char *contexts = g_test_build_filename(G_TEST_DIST, "selinux", "fixture",
                                                      "contexts", NULL);
    g_autofree char *dir = NULL;
    g_autofree char *type_dir = NULL;
    g_autofree char *policy_dir = NULL;
    g_autofree char *link = NULL;
    g_autoptr(SvirtSettings) qemu = static_settings("system_u:system_r:qemu_t:s0:c1,c2");
    g_autoptr(SvirtSettings) unconfined =
        static_settings("system_u:system_r:unconfined_t:s0:c1,c2");
    g_autoptr(GError) error = NULL;
    gboolean qemu_ok, made;

    if (!host_policy) {
        g_test_skip("No binary SELinux policy under /etc/selinux; tools/setup installs "
                    "selinux-policy-default.");
        return;
    }
    dir = svm_test_make_dir("svm-policy");
    type_dir = g_build_filename(dir, "default", NULL);
    policy_dir = g_build_filename(type_dir, "policy", NULL);
    link = g_build_filename(type_dir, "contexts", NULL);
    made = g_mkdir_with_parents(policy_dir, 0700) == 0 && symlink(contexts, link) == 0;
    g_free(link);
    link = g_build_filename(policy_dir, "policy.33", NULL);
    made = made && symlink(host_policy, link) == 0;

    g_setenv(SVIRT_SELINUX_DIR_ENV, dir, TRUE);
    qemu_ok = svirt_engine_check_settings(qemu, &error);
    g_test_message("qemu_t: %s", error ? error->message : "accepted");
    g_clear_error(&error);
    g_assert_false(svirt_engine_check_settings(unconfined, &error));
    g_unsetenv(SVIRT_SELINUX_DIR_ENV);
    g_unlink(link);
    g_free(link);
    link = g_build_filename(type_dir, "contexts", NULL);
    g_unlink(link);
    g_rmdir(policy_dir);
    g_rmdir(type_dir);
    g_rmdir(dir);

    g_assert_true(made);
    g_assert_true(qemu_ok);
    g_test_message("unconfined_t: %s", error->message);
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT);
    g_assert_nonnull(strstr(error->message, "qemu_t"));
}

#define NATIVE_LABEL "system_u:system_r:svirt_t:s0:c1,c2"
#define NATIVE_SECLABEL                                                                       \
    "<seclabel type='static' model='selinux' relabel='yes'><label>" NATIVE_LABEL "</label>"    \
    "</seclabel>"

/* A VM of the test driver as virsh defines it, with @seclabel and a disk vdb whose <source> has
 * @vdb_seclabel. */
static virDomainPtr
define_native_vm(virConnectPtr conn, const char *name, const char *seclabel,
                 const char *vdb_seclabel)
{
    g_autofree char *xml = g_strdup_printf(
        "<domain type='test'><name>%s</name><memory>65536</memory><os><type>hvm</type></os>"
        "<devices><disk type='file' device='disk'><source file='/guest/%s.img'>%s</source>"
        "<target dev='vdb'/></disk></devices>%s</domain>",
        name, name, vdb_seclabel, seclabel);
    virDomainPtr dom = virDomainDefineXML(conn, xml);

    if (dom == NULL)
        g_error("Could not define %s: %s", name, virGetLastErrorMessage());
    return dom;
}

static char *
inactive_xml(virDomainPtr dom)
{
    char *xml = virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE);
    char *copy = g_strdup(xml);

    free(xml);
    return copy;
}

/* A VM defined with libvirt's own static seclabel is static with that label, whatever the
 * metadata says; where libvirtd has no selinux driver, a start says why it cannot be, before
 * anything happens. */
static void
test_native_seclabel(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = define_native_vm(conn, "native-vm", NATIVE_SECLABEL,
                                                "<seclabel model='selinux' relabel='no'/>");
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;
    g_autoptr(SvirtVmLabels) labels = NULL;
    g_autoptr(SvirtAuditReport) report = NULL;
    const SvirtFinding *differ = NULL;
    g_autoptr(GError) error = NULL;

    settings = svirt_engine_get_settings(engine, "native-vm", &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(settings->label, ==, NATIVE_LABEL);
    g_assert_true(settings->relabel);
    g_assert_false(svirt_settings_disk_relabel(settings, "vdb"));
    g_clear_pointer(&settings, svirt_settings_free);

    /* The metadata says otherwise: the seclabel still wins. */
    g_assert_cmpint(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
                                         "<security mode='dynamic'/>", "svm", SVIRT_METADATA_NS,
                                         VIR_DOMAIN_AFFECT_CONFIG),
                    ==, 0);
    settings = svirt_engine_get_settings(engine, "native-vm", &error);
    g_assert_no_error(error);
    g_assert_cmpint(settings->mode, ==, SVIRT_SECURITY_MODE_STATIC);

    /* The list's label mode and label, and the status. */
    labels = svirt_engine_get_vm_labels(engine, "native-vm", &error);
    g_assert_no_error(error);
    g_assert_cmpint(labels->mode, ==, SVIRT_SECURITY_MODE_STATIC);
    g_assert_cmpstr(labels->process_label, ==, NATIVE_LABEL);
    /* The list shows that it cannot start here, not that it will be isolated. */
    g_assert_cmpint(labels->isolation, ==, SVIRT_ISOLATION_PROBLEM);
    g_assert_nonnull(strstr(labels->reason, "no selinux security driver"));
    status = svirt_engine_get_vm_status(engine, "native-vm", &error);
    g_assert_no_error(error);
    g_assert_cmpint(status->settings_source, ==, SVIRT_SETTINGS_SOURCE_SECLABEL);
    g_assert_nonnull(status->start_blocker);
    g_assert_nonnull(strstr(status->start_blocker, "no selinux security driver"));

    /* The test driver has no selinux driver: the start is refused, saying what to do. */
    g_assert_false(svirt_engine_start_vm(engine, "native-vm", NULL, &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "VM 'native-vm'"));
    g_assert_nonnull(strstr(error->message, "svirtctl adopt-label native-vm"));
    g_assert_cmpint(virDomainIsActive(dom), ==, 0);
    g_clear_error(&error);

    /* The audit says the two disagree, and which counts. */
    report = svirt_audit_run(engine, NULL, &error);
    g_assert_no_error(error);
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->kind == SVIRT_FINDING_SETTINGS_DIFFER && g_strcmp0(f->vm_name, "native-vm") == 0)
            differ = f;
    }
    g_assert_nonnull(differ);
    g_assert_cmpstr(differ->expected, ==,
                    "static " NATIVE_LABEL ", relabel yes; vdb not relabelled");
    g_assert_cmpstr(differ->actual, ==, "dynamic");
    virDomainUndefine(dom);
}

/* Moving the seclabel into the metadata keeps the settings and lets the VM start. */
static void
test_adopt(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = define_native_vm(conn, "adopted-vm", NATIVE_SECLABEL,
                                                "<seclabel model='selinux' relabel='no'/>");
    g_autoptr(SvirtSettings) before = NULL;
    g_autoptr(SvirtSettings) after = NULL;
    g_autoptr(SvirtVmStatus) status = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    before = svirt_engine_get_settings(engine, "adopted-vm", &error);
    g_assert_no_error(error);
    g_assert_true(svirt_engine_adopt_native_settings(engine, "adopted-vm", &error));
    g_assert_no_error(error);
    xml = inactive_xml(dom);
    g_assert_false(svirt_domain_xml_has_selinux_seclabel(xml));
    after = svirt_engine_get_settings(engine, "adopted-vm", &error);
    g_assert_no_error(error);
    g_assert_true(svirt_settings_equal(after, before));
    status = svirt_engine_get_vm_status(engine, "adopted-vm", &error);
    g_assert_no_error(error);
    g_assert_cmpint(status->settings_source, ==, SVIRT_SETTINGS_SOURCE_METADATA);
    g_assert_null(status->start_blocker);

    /* Nothing left to move. */
    g_assert_false(svirt_engine_adopt_native_settings(engine, "adopted-vm", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED);
    g_assert_nonnull(strstr(error->message, "nothing to move"));
    g_clear_error(&error);

    g_assert_true(svirt_engine_start_vm(engine, "adopted-vm", NULL, &error));
    g_assert_no_error(error);
    g_assert_cmpint(virDomainIsActive(dom), ==, 1);
    virDomainDestroy(dom);
    virDomainUndefine(dom);
}

/* A label of a disk's own cannot move: refused, and the definition stays as it was. */
static void
test_adopt_refused(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = define_native_vm(
        conn, "own-label-vm", NATIVE_SECLABEL,
        "<seclabel model='selinux'><label>system_u:object_r:svirt_image_t:s0:c1,c2</label>"
        "</seclabel>");
    g_autoptr(GError) error = NULL;
    g_autofree char *before = inactive_xml(dom);
    g_autofree char *after = NULL;

    g_assert_false(svirt_engine_adopt_native_settings(engine, "own-label-vm", &error));
    g_assert_error(error, SVIRT_ERROR, SVIRT_ERROR_UNSUPPORTED);
    g_test_message("%s", error->message);
    g_assert_nonnull(strstr(error->message, "disk vdb"));
    after = inactive_xml(dom);
    g_assert_cmpstr(after, ==, before);
    virDomainUndefine(dom);
}

/* Where libvirtd has the selinux driver, the settings are written as its own seclabel, so a
 * start by libvirtd alone honours them; where it has not, a selinux seclabel goes. */
static void
test_write_native(void)
{
    g_autoptr(SvirtEngine) engine = connected_engine();
    g_autoptr(virConnect) conn = virConnectOpen(URI);
    g_autoptr(virDomain) dom = define_native_vm(conn, "written-vm", "", "");
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtSettings) back = NULL;
    g_autoptr(SvirtSettings) native = NULL;
    g_autoptr(GError) error = NULL;
    g_autofree char *xml = NULL;
    gboolean adopted;

    svirt_host_override_selinux_driver(1);
    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, STATIC_LABEL,
                                          TRUE, NULL));
    g_ptr_array_add(settings->no_relabel_disks, g_strdup("vdb"));
    g_assert_true(svirt_engine_set_settings(engine, "written-vm", settings, &error));
    g_assert_no_error(error);
    xml = inactive_xml(dom);
    native = svirt_domain_xml_native_settings(xml, &error);
    g_assert_no_error(error);
    g_assert_nonnull(native);
    g_assert_true(svirt_settings_equal(native, settings));
    back = svirt_engine_get_settings(engine, "written-vm", &error);
    g_assert_true(svirt_settings_equal(back, settings));
    /* Nothing to move where libvirtd honours it. */
    adopted = svirt_engine_adopt_native_settings(engine, "written-vm", &error);
    g_assert_false(adopted);
    g_assert_nonnull(strstr(error->message, "stays where it is"));
    g_clear_error(&error);

    /* Without the driver, the same settings leave no selinux seclabel behind. */
    svirt_host_override_selinux_driver(0);
    g_assert_true(svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_DYNAMIC, NULL, TRUE,
                                          NULL));
    g_assert_true(svirt_engine_set_settings(engine, "written-vm", settings, &error));
    svirt_host_override_selinux_driver(-1);
    g_assert_no_error(error);
    g_clear_pointer(&xml, g_free);
    xml = inactive_xml(dom);
    g_assert_false(svirt_domain_xml_has_selinux_seclabel(xml));
    g_clear_pointer(&back, svirt_settings_free);
    back = svirt_engine_get_settings(engine, "written-vm", &error);
    g_assert_true(svirt_settings_equal(back, settings));
    virDomainUndefine(dom);
}


int
main(int argc, char *argv[])
{
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_DEFAULT);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/engine-settings/lookup", test_lookup);
    g_test_add_func("/engine-settings/lookup-uuid-shapes", test_lookup_uuid_shapes);
    g_test_add_func("/engine-settings/not-connected", test_not_connected);
    g_test_add_func("/engine-settings/round-trip", test_settings_round_trip);
    g_test_add_func("/engine-settings/set-invalid", test_set_invalid);
    g_test_add_func("/engine-settings/set-checked-against-policy",
                    test_set_checked_against_policy);
    g_test_add_func("/engine-settings/stored-invalid", test_stored_invalid);
    g_test_add_func("/engine-settings/stored-refused-listed", test_stored_refused_listed);
    g_test_add_func("/engine-settings/collect-reservations", test_collect_reservations);
    g_test_add_func("/engine-settings/plan-vm", test_plan_vm);
    g_test_add_func("/engine-settings/plan-vm-async", test_plan_vm_async);
    g_test_add_func("/engine-settings/disk-host-file", test_disk_host_file);
    g_test_add_func("/engine-settings/disk-host-file-async", test_disk_host_file_async);
    g_test_add_func("/engine-settings/set-held-label", test_set_held_label);
    g_test_add_func("/engine-settings/reach", test_reach);
    g_test_add_func("/engine-settings/policy-location", test_policy_location);
    g_test_add_func("/engine-settings/policy-vm-domains", test_policy_vm_domains);
    g_test_add_func("/engine-settings/native-seclabel", test_native_seclabel);
    g_test_add_func("/engine-settings/adopt", test_adopt);
    g_test_add_func("/engine-settings/adopt-refused", test_adopt_refused);
    g_test_add_func("/engine-settings/write-native", test_write_native);
    return g_test_run();
}
