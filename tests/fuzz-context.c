/* fuzz: svirt-context.c svirt-level.c svirt-error.c */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "svirt-context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whatever parses must print canonically and parse back to the same value, and printing the
 * result again must not change it. */
static void
check_context(const char *input)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(SvirtContext) ctx = svirt_context_parse(input, &error);
    g_autoptr(SvirtContext) again = NULL;
    g_autofree char *out = NULL;
    g_autofree char *out_again = NULL;

    if (ctx == NULL) {
        if (error == NULL || error->message == NULL || !g_utf8_validate(error->message, -1, NULL))
            abort();
        return;
    }
    if (error != NULL)
        abort();

    out = svirt_context_to_string(ctx);
    again = svirt_context_parse(out, NULL);
    if (again == NULL || !svirt_context_equal(ctx, again))
        abort();
    out_again = svirt_context_to_string(again);
    if (strcmp(out, out_again) != 0)
        abort();
}

static void
check_level(const char *input)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *out = NULL;
    SvirtLevel level, again;

    if (!svirt_level_parse(input, &level, &error)) {
        if (error == NULL || !g_utf8_validate(error->message, -1, NULL))
            abort();
        return;
    }
    out = svirt_level_to_string(&level);
    if (!svirt_level_parse(out, &again, NULL) || !svirt_level_equal(&level, &again))
        abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autofree char *input = g_strndup((const char *) data, size);

    check_context(input);
    check_level(input);
    return 0;
}
