#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>

#include "svirt-domain-xml.h"
#include "svirt-engine.h"
#include "svirt-journal.h"
#include "svirt-lifecycle.h"
#include "svm-test-util.h"

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
    g_autoptr(GError) error = NULL;
    virDomainPtr doms[5];

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

    g_assert_true(svirt_engine_collect_reservations(engine, mcs, &error));
    record_started(doms[1], NULL, NULL, FALSE);
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
    g_assert_cmpuint(svirt_mcs_n_free(mcs), ==, svirt_mcs_capacity(mcs) - 4);
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

int
main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();
    g_test_add_func("/engine-settings/lookup", test_lookup);
    g_test_add_func("/engine-settings/not-connected", test_not_connected);
    g_test_add_func("/engine-settings/round-trip", test_settings_round_trip);
    g_test_add_func("/engine-settings/set-invalid", test_set_invalid);
    g_test_add_func("/engine-settings/set-checked-against-policy",
                    test_set_checked_against_policy);
    g_test_add_func("/engine-settings/stored-invalid", test_stored_invalid);
    g_test_add_func("/engine-settings/collect-reservations", test_collect_reservations);
    g_test_add_func("/engine-settings/plan-vm", test_plan_vm);
    g_test_add_func("/engine-settings/plan-vm-async", test_plan_vm_async);
    return g_test_run();
}
