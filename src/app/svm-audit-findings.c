#include "config.h"

#include <glib/gi18n.h>

#include "svm-audit-findings.h"

GtkListStore *
svm_audit_findings_store_new(void)
{
    return gtk_list_store_new(SVM_FINDING_N_COLS, G_TYPE_INT, G_TYPE_STRING, G_TYPE_STRING,
                              G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING,
                              G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN,
                              G_TYPE_POINTER);
}

const char *
svm_severity_icon_name(SvirtSeverity severity)
{
    switch (severity) {
    case SVIRT_SEVERITY_INFO:
        return "dialog-information-symbolic";
    case SVIRT_SEVERITY_WARNING:
        return "dialog-warning-symbolic";
    case SVIRT_SEVERITY_ERROR:
        return "dialog-error-symbolic";
    case SVIRT_SEVERITY_CRITICAL:
        return "security-low-symbolic";
    }
    return "dialog-question-symbolic";
}

const char *
svm_severity_label(SvirtSeverity severity)
{
    switch (severity) {
    case SVIRT_SEVERITY_INFO:
        return _("Info");
    case SVIRT_SEVERITY_WARNING:
        return _("Warning");
    case SVIRT_SEVERITY_ERROR:
        return _("Error");
    case SVIRT_SEVERITY_CRITICAL:
        return _("Critical");
    }
    return "?";
}

static char *
tooltip_of(const SvirtFinding *f)
{
    GString *s = g_string_new(NULL);
    g_autofree char *explanation = g_markup_escape_text(f->explanation ? f->explanation : "", -1);
    g_autofree char *fix = g_markup_escape_text(f->fix ? f->fix : "", -1);

    if (f->path) {
        g_autofree char *path = g_markup_escape_text(f->path, -1);

        g_string_append_printf(s, "<tt>%s</tt>\n", path);
    }
    g_string_append(s, explanation);
    if (f->fix && *f->fix)
        /* TRANSLATORS: in a tooltip, followed by what to do about a finding */
        g_string_append_printf(s, "\n\n<b>%s</b> %s", _("Fix:"), fix);
    return g_string_free(s, FALSE);
}

void
svm_audit_findings_fill(GtkListStore *store, const SvirtAuditReport *report,
                        const char *vm_uuid)
{
    gtk_list_store_clear(store);
    if (!report)
        return;
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);
        g_autofree char *tooltip = NULL;

        if (vm_uuid && g_strcmp0(f->vm_uuid, vm_uuid) != 0)
            continue;
        tooltip = tooltip_of(f);
        gtk_list_store_insert_with_values(
            store, NULL, -1, SVM_FINDING_COL_SEVERITY, f->severity, SVM_FINDING_COL_ICON,
            svm_severity_icon_name(f->severity), SVM_FINDING_COL_SEVERITY_TEXT,
            svm_severity_label(f->severity), SVM_FINDING_COL_VM_NAME,
            f->vm_name ? f->vm_name : _("Host"), SVM_FINDING_COL_VM_UUID, f->vm_uuid,
            SVM_FINDING_COL_PATH, f->path ? f->path : "—", SVM_FINDING_COL_EXPECTED,
            f->expected ? f->expected : "—", SVM_FINDING_COL_ACTUAL,
            f->actual ? f->actual : "—", SVM_FINDING_COL_EXPLANATION, f->explanation,
            SVM_FINDING_COL_TOOLTIP, tooltip, SVM_FINDING_COL_FIXABLE, f->fixable,
            SVM_FINDING_COL_FINDING, f, -1);
    }
}

char *
svm_audit_findings_summary(const SvirtAuditReport *report, const char *vm_uuid)
{
    guint n[SVIRT_SEVERITY_CRITICAL + 1] = { 0 };
    guint total = 0;

    for (guint i = 0; report && i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        if (vm_uuid && g_strcmp0(f->vm_uuid, vm_uuid) != 0)
            continue;
        n[f->severity]++;
        total++;
    }
    if (total == 0)
        return g_strdup(_("No findings: every object carries the label it should."));
    {
        g_autofree char *critical = g_strdup_printf(
            ngettext("%u critical", "%u critical", n[SVIRT_SEVERITY_CRITICAL]),
            n[SVIRT_SEVERITY_CRITICAL]);
        g_autofree char *errors = g_strdup_printf(
            ngettext("%u error", "%u errors", n[SVIRT_SEVERITY_ERROR]), n[SVIRT_SEVERITY_ERROR]);
        g_autofree char *warnings = g_strdup_printf(
            ngettext("%u warning", "%u warnings", n[SVIRT_SEVERITY_WARNING]),
            n[SVIRT_SEVERITY_WARNING]);
        g_autofree char *notes = g_strdup_printf(
            ngettext("%u note", "%u notes", n[SVIRT_SEVERITY_INFO]), n[SVIRT_SEVERITY_INFO]);

        /* TRANSLATORS: the counts of audit findings by severity, e.g. "1 critical, 2 errors,
         * 0 warnings, 3 notes" */
        return g_strdup_printf(_("%s, %s, %s, %s"), critical, errors, warnings, notes);
    }
}

const SvirtFinding *
svm_audit_findings_get_selected(GtkTreeView *view)
{
    GtkTreeModel *model;
    GtkTreeIter iter;
    const SvirtFinding *f = NULL;

    if (gtk_tree_selection_get_selected(gtk_tree_view_get_selection(view), &model, &iter))
        gtk_tree_model_get(model, &iter, SVM_FINDING_COL_FINDING, &f, -1);
    return f;
}
