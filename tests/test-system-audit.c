#include "config.h"

#include <libvirt/virterror.h>
#include <string.h>
#include <unistd.h>

#include "svirt-audit.h"
#include "svirt-context.h"
#include "svirt-domain-xml.h"
#include "svirt-journal.h"
#include "svirt-labeler.h"
#include "svirt-lifecycle.h"
#include "svm-test-label.h"
#include "svm-test-fixture.h"
#include "svm-test-vm.h"

#define URI svm_test_uri()
#define ORIGINAL "system_u:object_r:virt_image_t:s0"

/* Every scenario collects what it checks, removes its VMs and files, and only then asserts, so
 * a failing assertion leaves nothing behind. */

/* A VM whose boot image starts with the label images have before any VM uses them. */
static void
define_vm(virConnectPtr conn, SvmTestVm *vm, const char *stem, const char *shared)
{
    svm_test_vm_define(conn, vm, stem, shared, SVM_TEST_VM_PLAIN);
    svm_test_write_label(vm->boot, ORIGINAL);
}

static char *
start(SvirtEngine *engine, const char *name)
{
    g_autoptr(GError) error = NULL;

    if (!svirt_engine_start_vm(engine, name, NULL, &error))
        return g_strdup(error->message);
    return NULL;
}

static char *
image_label_of(SvirtEngine *engine, const char *name)
{
    g_autoptr(SvirtVmStatus) status = svirt_engine_get_vm_status(engine, name, NULL);

    return status ? g_strdup(status->image_label) : NULL;
}

/* The findings of @kind for VM @vm (by name), copied out of the report. */
static GPtrArray *
findings_of(const SvirtAuditReport *report, SvirtFindingKind kind, const char *vm)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_finding_free);

    for (guint i = 0; report && i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (f->kind == kind && g_strcmp0(f->vm_name, vm) == 0)
            g_ptr_array_add(out, svirt_finding_copy(f));
    }
    return out;
}

static void
log_findings(const SvirtAuditReport *report)
{
    for (guint i = 0; report && i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        g_test_message("%s %s %s %s: %s", svirt_severity_to_string(f->severity),
                       svirt_finding_kind_to_id(f->kind), f->vm_name ? f->vm_name : "-",
                       f->path ? f->path : "-", f->explanation);
    }
}

static SvirtAuditReport *
audit(SvirtEngine *engine, char **error_message)
{
    g_autoptr(GError) error = NULL;
    SvirtAuditReport *report = svirt_audit_run(engine, NULL, &error);

    if (!report)
        *error_message = g_strdup(error->message);
    log_findings(report);
    return report;
}

static char *
static_label(guint offset)
{
    guint base = 300 + ((guint)getpid() % 300) * 2;

    return g_strdup_printf("system_u:system_r:svirt_t:s0:c%u,c%u", base + offset,
                           base + offset + 1);
}

/* Starts @vm directly through libvirt on a live copy that claims @process_label as the engine's
 * label, with the journal record a start writes: a second VM on a level the engine already
 * gave away. (The live copy's claim alone is not trusted.) */
static char *
force_start_with_label(virConnectPtr conn, const SvmTestVm *vm, const char *process_label,
                       const char *level)
{
    g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm->uuid);
    g_autofree char *xml = dom ? virDomainGetXMLDesc(dom, VIR_DOMAIN_XML_INACTIVE) : NULL;
    g_autofree char *live = NULL;
    g_autofree char *metadata = NULL;
    g_autoptr(virDomain) started = NULL;
    g_autoptr(SvirtJournal) journal = NULL;
    gboolean ok;
    char *end;

    if (!xml)
        return g_strdup("no definition");
    metadata = g_strdup_printf("<svml:labels xmlns:svml='%s' mode='static' process='%s' "
                               "level='%s'/>",
                               SVIRT_LIVE_NS, process_label, level);
    /* The stored settings are in <metadata> already. */
    end = strstr(xml, "</metadata>");
    if (!end)
        return g_strdup("no <metadata> in the definition");
    *end = '\0';
    live = g_strdup_printf("%s%s</metadata>%s", xml, metadata, end + 1 + strlen("/metadata>"));
    started = virDomainCreateXML(conn, live, 0);
    if (!started)
        return g_strdup(virGetLastErrorMessage());
    journal = svirt_journal_open(NULL, NULL);
    if (!journal || !svirt_journal_lock(journal, NULL))
        return g_strdup("the journal cannot be locked");
    svirt_journal_vm_launched(svirt_journal_add_vm(journal, vm->uuid, level, process_label, NULL));
    ok = svirt_journal_commit(journal, NULL);
    svirt_journal_unlock(journal);
    return ok ? NULL : g_strdup("the journal cannot be written");
}

static void
test_duplicate(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autoptr(GPtrArray) dup1 = NULL;
    g_autoptr(GPtrArray) dup2 = NULL;
    g_autofree char *label = static_label(0);
    g_autofree char *level = NULL;
    g_autofree char *set_error = NULL;
    g_autofree char *start_error = NULL;
    g_autofree char *force_error = NULL;
    g_autofree char *audit_error = NULL;
    g_autoptr(GError) error = NULL;
    SvmTestVm one, two;

    level = g_strdup(strchr(strchr(strchr(label, ':') + 1, ':') + 1, ':') + 1);
    define_vm(conn, &one, "svm-test-dup1", NULL);
    define_vm(conn, &two, "svm-test-dup2", NULL);
    if (!svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, label, TRUE, &error) ||
        !svirt_engine_set_settings(engine, one.name, settings, &error) ||
        !svirt_engine_set_settings(engine, two.name, settings, &error))
        set_error = g_strdup(error->message);
    start_error = start(engine, one.name);
    force_error = force_start_with_label(conn, &two, label, level);
    g_test_message("forced start: %s", force_error ? force_error : "ok");
    report = audit(engine, &audit_error);
    dup1 = findings_of(report, SVIRT_FINDING_DUPLICATE, one.name);
    dup2 = findings_of(report, SVIRT_FINDING_DUPLICATE, two.name);
    if (!start_error)
        svirt_engine_stop_vm(engine, one.name, TRUE, 0, NULL);
    {
        g_autofree char *n1 = g_strdup(one.name);
        g_autofree char *n2 = g_strdup(two.name);

        g_autofree char *uuid2 = g_strdup(two.uuid);

        svm_test_vm_undefine(conn, &one);
        svm_test_vm_undefine(conn, &two);
        /* The journal forgets what it recorded of the forced start. */
        svirt_restore_holder(uuid2, NULL, NULL);

        g_assert_null(set_error);
        g_assert_null(start_error);
        g_assert_null(force_error);
        g_assert_null(audit_error);
        g_assert_cmpuint(dup1->len, ==, 1);
        g_assert_cmpuint(dup2->len, ==, 1);
        for (guint i = 0; i < 2; i++) {
            const SvirtFinding *f = g_ptr_array_index(i == 0 ? dup1 : dup2, 0);

            g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_CRITICAL);
            g_assert_cmpstr(f->actual, ==, level);
            g_assert_nonnull(strstr(f->explanation, i == 0 ? n2 : n1));
            g_assert_false(f->fixable);
        }
    }
}

static SvirtSettings *
static_settings(const char *label, gboolean shared_level, char **error_message)
{
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    g_autoptr(GError) error = NULL;

    settings->shared_level = shared_level;
    if (!svirt_settings_set_mode(settings, SVIRT_SECURITY_MODE_STATIC, label, TRUE, &error)) {
        *error_message = g_strdup(error->message);
        return NULL;
    }
    return g_steal_pointer(&settings);
}

static char *
set_static(SvirtEngine *engine, const char *vm, const char *label, gboolean shared_level)
{
    g_autoptr(SvirtSettings) settings = NULL;
    g_autoptr(GError) error = NULL;
    char *message = NULL;

    settings = static_settings(label, shared_level, &message);
    if (settings && !svirt_engine_set_settings(engine, vm, settings, &error))
        message = g_strdup(error->message);
    return message;
}

static void
assert_not_isolated(GPtrArray *findings, const char *level, const char *words)
{
    const SvirtFinding *f;

    g_assert_cmpuint(findings->len, ==, 1);
    f = g_ptr_array_index(findings, 0);
    g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_ERROR);
    g_assert_cmpstr(f->actual, ==, level);
    g_assert_nonnull(strstr(f->explanation, words));
    g_assert_false(f->fixable);
}

/* A static range covers another VM's pair; a static label at the shared level runs with its
 * private disk open to every VM. The audit says so as errors, and a label that a start would
 * refuse next to the running VMs is refused when it is set, with the start's message. */
static void
test_not_isolated(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autoptr(GPtrArray) range_findings = NULL;
    g_autoptr(GPtrArray) pair_findings = NULL;
    g_autoptr(GPtrArray) shared_findings = NULL;
    guint base = 300 + ((guint)getpid() % 300) * 2;
    g_autofree char *pair_label = g_strdup_printf("system_u:system_r:svirt_t:s0:c%u,c%u",
                                                  base + 1, base + 2);
    g_autofree char *range_level = g_strdup_printf("s0:c%u.c%u", base, base + 3);
    g_autofree char *range_label = g_strconcat("system_u:system_r:svirt_t:", range_level, NULL);
    g_autofree char *set_pair = NULL;
    g_autofree char *set_range = NULL;
    g_autofree char *set_shared = NULL;
    g_autofree char *set_shared_allowed = NULL;
    g_autofree char *start_pair = NULL;
    g_autofree char *start_shared = NULL;
    g_autofree char *start_range = NULL;
    g_autofree char *set_range_again = NULL;
    g_autofree char *audit_error = NULL;
    g_autofree char *pair_name = NULL;
    g_autofree char *range_name = NULL;
    SvmTestVm pair, range, shared;

    define_vm(conn, &pair, "svm-test-reach-pair", NULL);
    define_vm(conn, &range, "svm-test-reach-range", NULL);
    define_vm(conn, &shared, "svm-test-reach-shared", NULL);
    pair_name = g_strdup(pair.name);
    range_name = g_strdup(range.name);
    set_pair = set_static(engine, pair.name, pair_label, FALSE);
    set_range = set_static(engine, range.name, range_label, FALSE);
    /* Refused without the permission, accepted with it. */
    set_shared = set_static(engine, shared.name, "system_u:system_r:svirt_t:s0", FALSE);
    set_shared_allowed = set_static(engine, shared.name, "system_u:system_r:svirt_t:s0", TRUE);
    start_pair = start(engine, pair.name);
    start_shared = start(engine, shared.name);
    start_range = start(engine, range.name);
    set_range_again = set_static(engine, range.name, range_label, FALSE);
    report = audit(engine, &audit_error);
    range_findings = findings_of(report, SVIRT_FINDING_NOT_ISOLATED, range.name);
    pair_findings = findings_of(report, SVIRT_FINDING_NOT_ISOLATED, pair.name);
    shared_findings = findings_of(report, SVIRT_FINDING_NOT_ISOLATED, shared.name);
    svirt_engine_stop_vm(engine, pair.name, TRUE, 0, NULL);
    svirt_engine_stop_vm(engine, shared.name, TRUE, 0, NULL);
    svirt_engine_stop_vm(engine, range.name, TRUE, 0, NULL);
    svm_test_vm_undefine(conn, &pair);
    svm_test_vm_undefine(conn, &range);
    svm_test_vm_undefine(conn, &shared);

    g_assert_null(set_pair);
    g_assert_null(set_range);
    g_assert_nonnull(set_shared);
    g_assert_nonnull(strstr(set_shared, "--shared-level"));
    g_assert_null(set_shared_allowed);
    g_assert_null(start_pair);
    g_assert_null(start_shared);
    g_test_message("start: %s; set-label: %s", start_range, set_range_again);
    g_assert_nonnull(start_range);
    g_assert_cmpstr(set_range_again, ==, start_range);
    g_assert_nonnull(strstr(start_range, pair_name));
    g_assert_null(audit_error);
    assert_not_isolated(range_findings, range_level, pair_name);
    assert_not_isolated(pair_findings, strchr(strchr(strchr(pair_label, ':') + 1, ':') + 1,
                                              ':') + 1,
                        range_name);
    assert_not_isolated(shared_findings, "s0", "shared level");
}

static void
test_foreign(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autoptr(GPtrArray) foreign = NULL;
    g_autofree char *start1 = NULL;
    g_autofree char *start2 = NULL;
    g_autofree char *label1 = NULL;
    g_autofree char *label2 = NULL;
    g_autofree char *audit_error = NULL;
    g_autofree char *n2 = NULL;
    g_autoptr(GError) fix_error = NULL;
    gboolean relabelled = FALSE, fixed = TRUE;
    SvmTestVm one, two;

    define_vm(conn, &one, "svm-test-foreign1", NULL);
    define_vm(conn, &two, "svm-test-foreign2", NULL);
    n2 = g_strdup(two.name);
    start1 = start(engine, one.name);
    start2 = start(engine, two.name);
    label1 = image_label_of(engine, one.name);
    label2 = image_label_of(engine, two.name);
    /* By hand: one's image gets two's level. */
    relabelled = label2 && svm_test_write_label(one.boot, label2);
    report = audit(engine, &audit_error);
    foreign = findings_of(report, SVIRT_FINDING_FOREIGN, one.name);
    if (foreign->len > 0)
        fixed = svirt_audit_fix(engine, g_ptr_array_index(foreign, 0), &fix_error);
    svirt_engine_stop_vm(engine, one.name, TRUE, 0, NULL);
    svirt_engine_stop_vm(engine, two.name, TRUE, 0, NULL);
    svm_test_vm_undefine(conn, &one);
    svm_test_vm_undefine(conn, &two);

    g_assert_null(start1);
    g_assert_null(start2);
    g_assert_true(relabelled);
    g_assert_null(audit_error);
    g_assert_cmpuint(foreign->len, ==, 1);
    {
        const SvirtFinding *f = g_ptr_array_index(foreign, 0);

        g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_CRITICAL);
        g_assert_cmpstr(f->expected, ==, label1);
        g_assert_cmpstr(f->actual, ==, label2);
        g_assert_nonnull(strstr(f->explanation, n2));
    }
    /* Whose data is on it is for the administrator to find out first. */
    g_assert_false(fixed);
    g_assert_error(fix_error, SVIRT_ERROR, SVIRT_ERROR_UNSAFE);
}

static void
test_mismatch_and_fix(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autoptr(SvirtAuditReport) after = NULL;
    g_autoptr(GPtrArray) mismatch = NULL;
    g_autoptr(GPtrArray) mismatch_after = NULL;
    g_autofree char *start_error = NULL;
    g_autofree char *expected = NULL;
    g_autofree char *label_after_fix = NULL;
    g_autofree char *audit_error = NULL;
    /* A level nobody holds, which the VM's pair does not dominate. */
    g_autofree char *wrong = g_strdup_printf("system_u:object_r:svirt_image_t:s0:c%u,c%u",
                                             1000 + (guint)getpid() % 10,
                                             1012 + (guint)getpid() % 10);
    g_autoptr(GError) fix_error = NULL;
    gboolean relabelled, fixed = FALSE;
    SvmTestVm vm;

    define_vm(conn, &vm, "svm-test-mismatch", NULL);
    start_error = start(engine, vm.name);
    expected = image_label_of(engine, vm.name);
    relabelled = svm_test_write_label(vm.boot, wrong);
    report = audit(engine, &audit_error);
    mismatch = findings_of(report, SVIRT_FINDING_MISMATCH, vm.name);
    if (mismatch->len == 1)
        fixed = svirt_audit_fix(engine, g_ptr_array_index(mismatch, 0), &fix_error);
    label_after_fix = svm_test_read_label(vm.boot);
    after = audit(engine, &audit_error);
    mismatch_after = findings_of(after, SVIRT_FINDING_MISMATCH, vm.name);
    svirt_engine_stop_vm(engine, vm.name, TRUE, 0, NULL);
    svm_test_vm_undefine(conn, &vm);

    g_assert_null(start_error);
    g_assert_true(relabelled);
    g_assert_null(audit_error);
    g_assert_cmpuint(mismatch->len, ==, 1);
    {
        const SvirtFinding *f = g_ptr_array_index(mismatch, 0);

        g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_ERROR);
        g_assert_cmpstr(f->expected, ==, expected);
        g_assert_cmpstr(f->actual, ==, wrong);
        g_assert_nonnull(strstr(f->explanation, "does not dominate"));
        g_assert_true(f->fixable);
    }
    g_assert_no_error(fix_error);
    g_assert_true(fixed);
    g_assert_cmpstr(label_after_fix, ==, expected);
    g_assert_cmpuint(mismatch_after->len, ==, 0);
}

static void
test_stale(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autoptr(SvirtAuditReport) after = NULL;
    g_autoptr(GPtrArray) stale = NULL;
    g_autoptr(GPtrArray) stale_after = NULL;
    g_autofree char *start_error = NULL;
    g_autofree char *image = NULL;
    g_autofree char *restored = NULL;
    g_autofree char *audit_error = NULL;
    g_autoptr(GError) fix_error = NULL;
    int destroyed = -1;
    gboolean fixed = FALSE;
    SvmTestVm vm;

    define_vm(conn, &vm, "svm-test-stale", NULL);
    /* No engine watches stops here, and no hook is installed by this test. */
    start_error = start(engine, vm.name);
    image = image_label_of(engine, vm.name);
    {
        g_autoptr(virConnect) other = virConnectOpen(URI);
        g_autoptr(virDomain) dom = other ? virDomainLookupByUUIDString(other, vm.uuid) : NULL;

        if (dom)
            destroyed = virDomainDestroy(dom);
    }
    report = audit(engine, &audit_error);
    stale = findings_of(report, SVIRT_FINDING_STALE, vm.name);
    if (stale->len > 0)
        fixed = svirt_audit_fix(engine, g_ptr_array_index(stale, 0), &fix_error);
    restored = svm_test_read_label(vm.boot);
    after = audit(engine, &audit_error);
    stale_after = findings_of(after, SVIRT_FINDING_STALE, vm.name);
    svirt_engine_reconcile(engine, NULL, NULL, NULL);
    svm_test_vm_undefine(conn, &vm);

    g_assert_null(start_error);
    g_assert_cmpint(destroyed, ==, 0);
    g_assert_null(audit_error);
    /* The boot disk and the serial log keep the dead VM's level. */
    g_assert_cmpuint(stale->len, ==, 2);
    for (guint i = 0; i < stale->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(stale, i);

        g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_WARNING);
        g_assert_cmpstr(f->actual, ==, image);
        g_assert_true(f->fixable);
    }
    g_assert_no_error(fix_error);
    g_assert_true(fixed);
    g_assert_cmpstr(restored, ==, ORIGINAL);
    g_assert_cmpuint(stale_after->len, ==, 0);
}

static gint
index_of(const SvirtMatrix *m, const char *name)
{
    for (guint i = 0; i < m->vms->len; i++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, i);

        if (g_str_equal(vm->name, name))
            return (gint)i;
    }
    return -1;
}

/* A VM started directly through libvirt carries none of its labels: an error, not fixable. */
static void
test_started_outside(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autoptr(GPtrArray) outside = NULL;
    g_autofree char *audit_error = NULL;
    int created = -1;
    SvmTestVm vm;

    define_vm(conn, &vm, "svm-test-outside", NULL);
    {
        g_autoptr(virDomain) dom = virDomainLookupByUUIDString(conn, vm.uuid);

        if (dom)
            created = virDomainCreate(dom);
    }
    report = audit(engine, &audit_error);
    outside = findings_of(report, SVIRT_FINDING_STARTED_OUTSIDE, vm.name);
    svm_test_vm_undefine(conn, &vm);

    g_assert_cmpint(created, ==, 0);
    g_assert_null(audit_error);
    g_assert_cmpuint(outside->len, ==, 1);
    {
        const SvirtFinding *f = g_ptr_array_index(outside, 0);

        g_assert_cmpint(f->severity, ==, SVIRT_SEVERITY_ERROR);
        g_assert_false(f->fixable);
        g_assert_nonnull(f->fix);
    }
    g_assert_cmpint(svirt_audit_report_max_severity(report), >=, SVIRT_SEVERITY_ERROR);
}

static void
test_matrix_three_vms(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autofree char *shared_dir = svm_test_make_vm_dir("svm-audit-shared");
    g_autofree char *shared = g_build_filename(shared_dir, "shared.img", NULL);
    char *errors[3] = { NULL, NULL, NULL };
    g_autofree char *audit_error = NULL;
    g_autofree char *policy = svirt_context_find_policy_file();
    /* Row acts on column; the shared disk is at s0, so every VM may write it. */
    static const char *const expected[] = { "-IW", "W-W", "WI-" };
    char grid[3][4] = { "---", "---", "---" };
    g_autofree char *reason_isolated = NULL;
    SvirtPolicySource source = SVIRT_POLICY_SOURCE_MCS;
    SvmTestVm vms[3];

    svm_test_write_blank_image(shared, 65536);
    define_vm(conn, &vms[0], "svm-test-matrix1", shared);
    define_vm(conn, &vms[1], "svm-test-matrix2", NULL);
    define_vm(conn, &vms[2], "svm-test-matrix3", shared);
    for (guint i = 0; i < 3; i++)
        errors[i] = start(engine, vms[i].name);
    report = audit(engine, &audit_error);
    if (report) {
        const SvirtMatrix *m = report->matrix;
        gint idx[3];

        source = m->source;
        for (guint i = 0; i < 3; i++)
            idx[i] = index_of(m, vms[i].name);
        for (guint r = 0; r < 3; r++) {
            for (guint c = 0; c < 3; c++) {
                const SvirtMatrixCell *cell;

                if (r == c || idx[r] < 0 || idx[c] < 0)
                    continue;
                cell = svirt_matrix_get_cell(m, idx[r], idx[c]);
                grid[r][c] = "IRWU"[cell->access];
                g_test_message("%u -> %u: %s %s", r, c, svirt_access_to_string(cell->access),
                               cell->reason);
                if (r == 0 && c == 1)
                    reason_isolated = g_strdup(cell->reason);
            }
        }
    }
    for (guint i = 0; i < 3; i++) {
        svirt_engine_stop_vm(engine, vms[i].name, TRUE, 0, NULL);
        svm_test_vm_undefine(conn, &vms[i]);
    }
    svm_test_rmdir(shared_dir);

    for (guint i = 0; i < 3; i++) {
        g_autofree char *start_error = errors[i];

        g_assert_null(start_error);
    }
    g_assert_null(audit_error);
    g_assert_nonnull(policy);
    g_assert_cmpint(source, ==, SVIRT_POLICY_SOURCE_BINARY);
    for (guint r = 0; r < 3; r++)
        g_assert_cmpstr(grid[r], ==, expected[r]);
    g_assert_nonnull(strstr(reason_isolated, "constraint violated"));
    g_assert_nonnull(strstr(reason_isolated, "h1 dom h2"));
}

/* A stopped VM's persistent definition is read with its secrets: a password counts. */
static void
test_display_exposed(void)
{
    g_autoptr(SvirtEngine) engine = svm_test_connect_engine();
    g_autoptr(virConnect) conn = svirt_engine_dup_connection(engine, NULL);
    g_autoptr(SvirtAuditReport) report = NULL;
    g_autoptr(GPtrArray) open_findings = NULL;
    g_autoptr(GPtrArray) password_findings = NULL;
    g_autoptr(GPtrArray) none_findings = NULL;
    g_autofree char *audit_error = NULL;
    const char *graphics[] = {
        "<graphics type='vnc'><listen type='address' address='0.0.0.0'/></graphics>",
        "<graphics type='vnc' passwd='guess-me'><listen type='address' address='0.0.0.0'/>"
        "</graphics>",
        SVM_TEST_DISPLAY_DEVICES,
    };
    const char *stems[] = { "svm-test-vnc-open", "svm-test-vnc-password", "svm-test-vnc-none" };
    char *names[G_N_ELEMENTS(stems)] = { NULL };

    for (gsize i = 0; i < G_N_ELEMENTS(stems); i++) {
        g_autofree char *xml = NULL;
        g_autoptr(virDomain) dom = NULL;

        names[i] = svm_test_vm_name(stems[i]);
        xml = svm_test_domain_xml(names[i], "/nonexistent/boot.img", graphics[i]);
        dom = virDomainDefineXML(conn, xml);
        if (!dom)
            g_test_message("Could not define %s: %s", names[i], virGetLastErrorMessage());
    }
    report = audit(engine, &audit_error);
    open_findings = findings_of(report, SVIRT_FINDING_DISPLAY_EXPOSED, names[0]);
    password_findings = findings_of(report, SVIRT_FINDING_DISPLAY_EXPOSED, names[1]);
    none_findings = findings_of(report, SVIRT_FINDING_DISPLAY_EXPOSED, names[2]);
    for (gsize i = 0; i < G_N_ELEMENTS(stems); i++) {
        svm_test_remove_domain(conn, names[i]);
        g_free(names[i]);
    }

    g_assert_null(audit_error);
    g_assert_cmpuint(open_findings->len, ==, 1);
    g_assert_cmpint(((SvirtFinding *)g_ptr_array_index(open_findings, 0))->severity, ==,
                    SVIRT_SEVERITY_ERROR);
    g_assert_cmpuint(password_findings->len, ==, 1);
    g_assert_cmpint(((SvirtFinding *)g_ptr_array_index(password_findings, 0))->severity, ==,
                    SVIRT_SEVERITY_WARNING);
    g_assert_cmpuint(none_findings->len, ==, 0);
    g_assert_cmpint(svirt_audit_report_max_severity(report), >=, SVIRT_SEVERITY_ERROR);
}

int
main(int argc, char *argv[])
{
    int ret;

    /* Labels are journalled in a directory of this run, which the fixture removes. */
    svm_test_fixture_init(argv, SVM_TEST_FIXTURE_PRIVATE_STATE | SVM_TEST_FIXTURE_LIBVIRTD);
    g_test_init(&argc, &argv, NULL);
    svirt_engine_init_libvirt();

    g_test_add_func("/system/audit/duplicate", test_duplicate);
    g_test_add_func("/system/audit/foreign", test_foreign);
    g_test_add_func("/system/audit/not-isolated", test_not_isolated);
    g_test_add_func("/system/audit/mismatch-and-fix", test_mismatch_and_fix);
    g_test_add_func("/system/audit/stale", test_stale);
    g_test_add_func("/system/audit/matrix-three-vms", test_matrix_three_vms);
    g_test_add_func("/system/audit/started-outside", test_started_outside);
    g_test_add_func("/system/audit/display-exposed", test_display_exposed);
    ret = g_test_run();
    return ret;
}
