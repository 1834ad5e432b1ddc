#include "config.h"

#include <glib/gi18n-lib.h>

#include "svirt-audit.h"
#include "svirt-private.h"

JsonNode *
svirt_audit_report_to_json(const SvirtAuditReport *report)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    const SvirtMatrix *m = report->matrix;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "findings");
    json_builder_begin_array(b);
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);

        json_builder_begin_object(b);
        svirt_json_add_string(b, "id", svirt_finding_kind_to_id(f->kind));
        svirt_json_add_string(b, "severity", svirt_severity_to_string(f->severity));
        svirt_json_add_string(b, "vm", f->vm_name);
        svirt_json_add_string(b, "uuid", f->vm_uuid);
        svirt_json_add_string(b, "path", f->path);
        svirt_json_add_string(b, "expected", f->expected);
        svirt_json_add_string(b, "actual", f->actual);
        svirt_json_add_string(b, "explanation", f->explanation);
        svirt_json_add_string(b, "fix", f->fix);
        json_builder_set_member_name(b, "fixable");
        json_builder_add_boolean_value(b, f->fixable);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "matrix");
    json_builder_begin_object(b);
    svirt_json_add_string(b, "source", svirt_policy_source_to_string(m->source));
    svirt_json_add_string(b, "policy", m->policy_path);
    json_builder_set_member_name(b, "vms");
    json_builder_begin_array(b);
    for (guint i = 0; i < m->vms->len; i++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, i);

        json_builder_begin_object(b);
        svirt_json_add_string(b, "name", vm->name);
        svirt_json_add_string(b, "uuid", vm->uuid);
        svirt_json_add_string(b, "process_label", vm->process_label);
        svirt_json_add_string(b, "note", vm->process_note);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_set_member_name(b, "cells");
    json_builder_begin_array(b);
    for (guint r = 0; r < m->vms->len; r++) {
        json_builder_begin_array(b);
        for (guint c = 0; c < m->vms->len; c++) {
            const SvirtMatrixCell *cell = svirt_matrix_get_cell(m, r, c);

            json_builder_begin_object(b);
            svirt_json_add_string(b, "access", r == c ? "self" : svirt_access_to_string(cell->access));
            svirt_json_add_string(b, "path", cell->path);
            svirt_json_add_string(b, "reason", cell->reason);
            json_builder_end_object(b);
        }
        json_builder_end_array(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    json_builder_end_object(b);
    return json_builder_get_root(b);
}

static void
append_escaped(GString *s, const char *text)
{
    g_autofree char *escaped = g_markup_escape_text(text ? text : "—", -1);

    g_string_append(s, escaped);
}

static void
append_findings(GString *s, const SvirtAuditReport *report)
{
    const char *heads[] = { N_("Severity"), N_("Finding"), N_("VM"), N_("Object"),
                            N_("Expected"), N_("Actual"), N_("Explanation"), N_("Fix") };

    g_string_append(s, "<h2>");
    append_escaped(s, _("Findings"));
    g_string_append(s, "</h2>\n<table><tr>");
    for (guint i = 0; i < G_N_ELEMENTS(heads); i++) {
        g_string_append(s, "<th>");
        append_escaped(s, _(heads[i]));
        g_string_append(s, "</th>");
    }
    g_string_append(s, "</tr>\n");
    for (guint i = 0; i < report->findings->len; i++) {
        const SvirtFinding *f = g_ptr_array_index(report->findings, i);
        const char *cols[] = { svirt_severity_to_string(f->severity),
                               svirt_finding_kind_to_id(f->kind), f->vm_name, f->path,
                               f->expected, f->actual, f->explanation, f->fix };

        g_string_append_printf(s, "<tr class=\"%s\">", svirt_severity_to_string(f->severity));
        for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
            g_string_append(s, "<td>");
            append_escaped(s, cols[c]);
            g_string_append(s, "</td>");
        }
        g_string_append(s, "</tr>\n");
    }
    g_string_append(s, "</table>\n");
}

static void
append_matrix_row(GString *s, const SvirtMatrix *m, guint r)
{
    const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, r);

    g_string_append(s, "<tr><th title=\"");
    append_escaped(s, vm->process_label ? vm->process_label : vm->process_note);
    g_string_append(s, "\">");
    append_escaped(s, vm->name);
    g_string_append(s, "</th>");
    for (guint c = 0; c < m->vms->len; c++) {
        const SvirtMatrixCell *cell = svirt_matrix_get_cell(m, r, c);
        const char *cls = r == c ? "self" : svirt_access_to_string(cell->access);

        g_string_append_printf(s, "<td class=\"%s\" title=\"", cls);
        append_escaped(s, r == c ? "" : cell->reason);
        g_string_append(s, "\">");
        append_escaped(s, r == c ? "" : cls);
        if (r != c && cell->path) {
            g_string_append(s, "<br><small>");
            append_escaped(s, cell->path);
            g_string_append(s, "</small>");
        }
        g_string_append(s, "</td>");
    }
    g_string_append(s, "</tr>\n");
}

static void
append_matrix(GString *s, const SvirtMatrix *m)
{
    g_string_append(s, "<h2>");
    append_escaped(s, _("Isolation matrix"));
    g_string_append(s, "</h2>\n<p>");
    append_escaped(s, _("Row: the VM whose process acts. Column: the VM whose objects it "
                        "reaches."));
    g_string_append(s, "</p>\n<table><tr><th></th>");
    for (guint c = 0; c < m->vms->len; c++) {
        const SvirtMatrixVm *vm = g_ptr_array_index(m->vms, c);

        g_string_append(s, "<th>");
        append_escaped(s, vm->name);
        g_string_append(s, "</th>");
    }
    g_string_append(s, "</tr>\n");
    for (guint r = 0; r < m->vms->len; r++)
        append_matrix_row(s, m, r);
    g_string_append(s, "</table>\n");
}

char *
svirt_audit_report_to_html(const SvirtAuditReport *report)
{
    GString *s = g_string_new(NULL);
    const SvirtMatrix *m = report->matrix;

    g_string_append(s, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>");
    append_escaped(s, _("sVirt isolation audit"));
    g_string_append(
        s, "</title><style>"
           "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
           "td,th{border:1px solid #999;padding:4px 8px;vertical-align:top;font-size:90%}"
           "th{background:#eee}.critical{background:#f4b6b6}.error{background:#f8d0b0}"
           ".warning{background:#fbeeb0}.info{background:#dde8f6}"
           ".isolated{background:#b8e0b8}.read{background:#fbeeb0}.write{background:#f4b6b6}"
           ".unknown{background:#ddd}.self{background:#fff}"
           "</style></head><body>\n<h1>");
    append_escaped(s, _("sVirt isolation audit"));
    g_string_append(s, "</h1>\n<p>");
    if (m->source == SVIRT_POLICY_SOURCE_BINARY) {
        g_autofree char *text = g_strdup_printf(_("Access computed with libsepol from the "
                                                  "binary policy %s."),
                                                m->policy_path);
        append_escaped(s, text);
    } else {
        append_escaped(s, _("No binary policy found: access computed from MCS dominance "
                            "alone."));
    }
    g_string_append(s, "</p>\n");
    append_findings(s, report);
    append_matrix(s, m);
    g_string_append(s, "</body></html>\n");
    return g_string_free(s, FALSE);
}
