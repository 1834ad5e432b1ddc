/* fuzz: svirt-settings.c svirt-context.c svirt-level.c svirt-error.c */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "svirt-settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever the metadata reader accepts must be valid, format to something it accepts again as
 * the same settings, and format the same the second time. Whatever it rejects must come with a
 * readable message. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtSettings) settings = svirt_settings_parse((const char *)data, size, &error);
    g_autoptr(SvirtSettings) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out_again = NULL;

    if (settings == NULL) {
        if (error == NULL || error->message == NULL || !g_utf8_validate(error->message, -1, NULL))
            abort();
        return 0;
    }
    if (error != NULL || !svirt_settings_validate(settings, NULL))
        abort();

    out = svirt_settings_format(settings);
    again = svirt_settings_parse(out, strlen(out), NULL);
    if (again == NULL || !svirt_settings_equal(settings, again))
        abort();
    out_again = svirt_settings_format(again);
    if (strcmp(out, out_again) != 0)
        abort();
    return 0;
}
