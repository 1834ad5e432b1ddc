/* fuzz: svirt-journal.c svirt-error.c */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "svirt-journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The journal reader on bytes in memory, without the file or its lock. Whatever it accepts
 * must be written as UTF-8 text that reads back as the same entries and VM records and is
 * written the same the second time; whatever it refuses must come with a readable message. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GPtrArray) vms = NULL;
    g_autoptr(GPtrArray) again = NULL;
    g_autoptr(GPtrArray) vms_again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out_again = NULL;

    if (!svirt_journal_parse((const char *)data, size, "fuzz", &entries, &vms, &error)) {
        if (error == NULL || error->message == NULL || !g_utf8_validate(error->message, -1, NULL))
            abort();
        return 0;
    }
    if (error != NULL)
        abort();

    out = svirt_journal_format(entries, vms);
    if (!g_utf8_validate(out, -1, NULL))
        abort();
    if (!svirt_journal_parse(out, strlen(out), "fuzz", &again, &vms_again, NULL) ||
        again->len != entries->len || vms_again->len != vms->len)
        abort();
    for (guint i = 0; i < entries->len; i++) {
        if (!svirt_journal_entry_equal(g_ptr_array_index(entries, i),
                                       g_ptr_array_index(again, i)))
            abort();
    }
    for (guint i = 0; i < vms->len; i++) {
        if (!svirt_journal_vm_equal(g_ptr_array_index(vms, i), g_ptr_array_index(vms_again, i)))
            abort();
    }
    out_again = svirt_journal_format(again, vms_again);
    if (strcmp(out, out_again) != 0)
        abort();
    return 0;
}
