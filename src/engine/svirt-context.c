#include "config.h"

#define G_LOG_DOMAIN "svirt-engine"

#include "svirt-context.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "svirt-error.h"

/* Long inputs are cut in messages; the position still points into the full string. */
#define MAX_SHOWN 80

struct _SvirtContext {
    char *user;
    char *role;
    char *type;
    gboolean has_level;
    gboolean has_high;
    SvirtLevel low;
    SvirtLevel high;
};

/* Registered by hand: G_DEFINE_BOXED_TYPE's transparent union fails -Wpedantic builds. */
static gpointer
context_boxed_copy(gpointer boxed)
{
    return svirt_context_copy(boxed);
}

static void
context_boxed_free(gpointer boxed)
{
    svirt_context_free(boxed);
}

GType
svirt_context_get_type(void)
{
    static gsize type_id = 0;

    if (g_once_init_enter(&type_id)) {
        GType type = g_boxed_type_register_static(g_intern_static_string("SvirtContext"),
                                                  context_boxed_copy, context_boxed_free);

        g_once_init_leave(&type_id, type);
    }
    return type_id;
}

typedef enum {
    INPUT_CONTEXT,
    INPUT_LEVEL,
    INPUT_RANGE,
} InputKind;

typedef struct {
    const char *str;
    InputKind kind;
    GError **error;
} Parser;

static const char *
field_name(guint field)
{
    /* TRANSLATORS: the three name fields of an SELinux context user:role:type */
    static const char *const names[] = { N_("user"), N_("role"), N_("type") };

    return _(names[field]);
}

/* Positions are 1-based byte offsets, as an editor's column would show. */
#define POS(i) ((guint) (i) + 1)

static void G_GNUC_PRINTF(2, 3)
parse_error(Parser *p, const char *fmt, ...)
{
    g_autofree char *shown = NULL;
    g_autofree char *escaped = NULL;
    g_autofree char *detail = NULL;
    va_list args;

    if (p->error == NULL)
        return;

    va_start(args, fmt);
    detail = g_strdup_vprintf(fmt, args);
    va_end(args);

    /* Escaping keeps control characters and invalid UTF-8 out of the message. */
    escaped = g_strescape(p->str, NULL);
    if (strlen(escaped) > MAX_SHOWN)
        shown = g_strdup_printf("%.*s…", MAX_SHOWN, escaped);
    else
        shown = g_steal_pointer(&escaped);

    switch (p->kind) {
    case INPUT_CONTEXT:
        g_set_error(p->error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    /* TRANSLATORS: first %s is the context, second what is wrong with it */
                    _("Invalid SELinux context '%s': %s."), shown, detail);
        break;
    case INPUT_LEVEL:
        g_set_error(p->error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("Invalid MCS level '%s': %s."), shown, detail);
        break;
    case INPUT_RANGE:
        g_set_error(p->error, SVIRT_ERROR, SVIRT_ERROR_INVALID_RANGE,
                    _("Invalid MCS range '%s': %s."), shown, detail);
        break;
    }
}

/* Bytes no SELinux context may contain; reported before anything else so the position
 * points at the real culprit rather than at a confused field. */
static gboolean
check_characters(Parser *p)
{
    for (gsize i = 0; p->str[i]; i++) {
        guchar c = p->str[i];

        if (c >= 0x80) {
            parse_error(p, _("non-ASCII byte 0x%02x at position %u"), c, POS(i));
            return FALSE;
        }
        if (g_ascii_isspace(c)) {
            parse_error(p, _("whitespace at position %u"), POS(i));
            return FALSE;
        }
        if (g_ascii_iscntrl(c)) {
            parse_error(p, _("control character 0x%02x at position %u"), c, POS(i));
            return FALSE;
        }
    }
    return TRUE;
}

static gboolean
is_separator(char c)
{
    return c == ':' || c == ',' || c == '.' || c == '-';
}

/* Reads the digits after an 's' or 'c' at p->str[*i]; the digits follow at *i + 1. */
static gboolean
parse_number(Parser *p, gsize *i, guint limit, guint *out)
{
    const char *s = p->str;
    char prefix = s[*i];
    gsize start = *i + 1;
    gsize end = start;
    guint value = 0;

    while (g_ascii_isdigit(s[end])) {
        /* Stop accumulating once past the limit; the digit count still grows. */
        if (value < limit)
            value = value * 10 + (s[end] - '0');
        end++;
    }

    if (end == start) {
        if (prefix == 's')
            parse_error(p, _("expected a sensitivity number after 's' at position %u"),
                        POS(start));
        else
            parse_error(p, _("expected a category number after 'c' at position %u"),
                        POS(start));
        return FALSE;
    }
    if (s[start] == '0' && end - start > 1) {
        if (prefix == 's')
            parse_error(p, _("sensitivity s%.*s at position %u has a leading zero"),
                        (int) MIN(end - start, 20), s + start, POS(*i));
        else
            parse_error(p, _("category c%.*s at position %u has a leading zero"),
                        (int) MIN(end - start, 20), s + start, POS(*i));
        return FALSE;
    }
    if (value >= limit) {
        if (prefix == 's')
            parse_error(p, _("sensitivity s%.*s at position %u is out of range (s0..s%u)"),
                        (int) MIN(end - start, 20), s + start, POS(*i), limit - 1);
        else
            parse_error(p, _("category c%.*s at position %u is out of range (c0..c%u)"),
                        (int) MIN(end - start, 20), s + start, POS(*i), limit - 1);
        return FALSE;
    }

    *out = value;
    *i = end;
    return TRUE;
}

static void
unexpected(Parser *p, gsize i, const char *expected)
{
    const char *s = p->str;

    if (s[i] == '\0')
        parse_error(p, _("expected %s at position %u, found the end"), expected, POS(i));
    else if (i > 0 && is_separator(s[i]) && s[i] == s[i - 1])
        parse_error(p, _("duplicate separator '%c' at position %u"), s[i], POS(i));
    else
        parse_error(p, _("expected %s at position %u, found '%c'"), expected, POS(i), s[i]);
}

static gboolean
parse_categories(Parser *p, gsize *i, SvirtLevel *level)
{
    const char *s = p->str;

    for (;;) {
        gsize start = *i;
        guint a, b;

        if (s[*i] != 'c') {
            unexpected(p, *i, _("a category like c0"));
            return FALSE;
        }
        if (!parse_number(p, i, SVIRT_CATEGORY_COUNT, &a))
            return FALSE;

        if (s[*i] == '.') {
            (*i)++;
            if (s[*i] != 'c') {
                unexpected(p, *i, _("a category like c0"));
                return FALSE;
            }
            if (!parse_number(p, i, SVIRT_CATEGORY_COUNT, &b))
                return FALSE;
            if (a >= b) {
                parse_error(p, _("category range c%u.c%u at position %u is reversed (cA.cB "
                                 "needs A < B)"),
                            a, b, POS(start));
                return FALSE;
            }
        } else {
            b = a;
        }

        for (guint c = a; c <= b; c++)
            svirt_level_add_category(level, c);

        if (s[*i] != ',')
            return TRUE;
        (*i)++;
    }
}

static gboolean
parse_one_level(Parser *p, gsize *i, SvirtLevel *level)
{
    const char *s = p->str;
    guint sens;

    if (s[*i] != 's') {
        unexpected(p, *i, _("a level like s0"));
        return FALSE;
    }
    if (!parse_number(p, i, SVIRT_SENSITIVITY_COUNT, &sens))
        return FALSE;
    svirt_level_init(level, sens);

    if (s[*i] == ':') {
        (*i)++;
        return parse_categories(p, i, level);
    }
    return TRUE;
}

static gboolean
parse_end(Parser *p, gsize i)
{
    const char *s = p->str;

    if (s[i] == '\0')
        return TRUE;
    if (s[i] == ':' && p->kind == INPUT_CONTEXT)
        parse_error(p, _("unexpected ':' at position %u: too many fields (a context is "
                         "user:role:type[:level])"),
                    POS(i));
    else
        unexpected(p, i, _("the end"));
    return FALSE;
}

/* low[-high], starting at *i. */
static gboolean
parse_range_at(Parser *p, gsize *i, SvirtLevel *low, SvirtLevel *high, gboolean *has_high)
{
    const char *s = p->str;
    gsize high_start;

    if (!parse_one_level(p, i, low))
        return FALSE;

    *has_high = FALSE;
    *high = *low;
    if (s[*i] != '-')
        return TRUE;

    (*i)++;
    high_start = *i;
    if (!parse_one_level(p, i, high))
        return FALSE;
    if (!svirt_level_dominates(high, low)) {
        g_autofree char *low_str = svirt_level_to_string(low);
        g_autofree char *high_str = svirt_level_to_string(high);

        parse_error(p, _("the high level %s at position %u does not dominate the low level %s"),
                    high_str, POS(high_start), low_str);
        return FALSE;
    }
    *has_high = TRUE;
    return TRUE;
}

gboolean
svirt_level_parse(const char *str, SvirtLevel *out, GError **error)
{
    Parser p = { str, INPUT_LEVEL, error };
    SvirtLevel level;
    gsize i = 0;

    g_return_val_if_fail(str != NULL, FALSE);
    g_return_val_if_fail(out != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (str[0] == '\0') {
        parse_error(&p, "%s", _("the level is empty"));
        return FALSE;
    }
    if (!check_characters(&p) || !parse_one_level(&p, &i, &level) || !parse_end(&p, i))
        return FALSE;

    *out = level;
    return TRUE;
}

gboolean
svirt_range_parse(const char *str, SvirtLevel *low, SvirtLevel *high, gboolean *has_high,
                  GError **error)
{
    Parser p = { str, INPUT_RANGE, error };
    SvirtLevel l, h;
    gboolean hh = FALSE;
    gsize i = 0;

    g_return_val_if_fail(str != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (str[0] == '\0') {
        parse_error(&p, "%s", _("the range is empty"));
        return FALSE;
    }
    if (!check_characters(&p))
        return FALSE;

    if (str[0] == 'c') {
        svirt_level_init(&l, 0);
        if (!parse_categories(&p, &i, &l))
            return FALSE;
        h = l;
    } else if (!parse_range_at(&p, &i, &l, &h, &hh)) {
        return FALSE;
    }
    if (!parse_end(&p, i))
        return FALSE;

    if (low)
        *low = l;
    if (high)
        *high = h;
    if (has_high)
        *has_high = hh;
    return TRUE;
}

static gboolean
identifier_valid(const char *s)
{
    if (s == NULL || !(g_ascii_isalpha(s[0]) || s[0] == '_'))
        return FALSE;
    for (const char *c = s; *c; c++) {
        if (!(g_ascii_isalnum(*c) || *c == '_' || *c == '.'))
            return FALSE;
    }
    return TRUE;
}

/* One of user, role, type: reads up to the next ':' or the end. */
static gboolean
parse_field(Parser *p, gsize *i, guint field, char **out)
{
    const char *s = p->str;
    gsize start = *i;
    gsize end = start;

    while (s[end] && s[end] != ':')
        end++;

    if (end == start) {
        if (start > 0 && s[start] == ':')
            parse_error(p, _("empty %s at position %u (duplicate separator ':')"),
                        field_name(field), POS(start));
        else
            parse_error(p, _("empty %s at position %u"), field_name(field), POS(start));
        return FALSE;
    }
    if (!(g_ascii_isalpha(s[start]) || s[start] == '_')) {
        parse_error(p, _("the %s at position %u starts with '%c'; it must start with a letter "
                         "or an underscore"),
                    field_name(field), POS(start), s[start]);
        return FALSE;
    }
    for (gsize k = start; k < end; k++) {
        if (!(g_ascii_isalnum(s[k]) || s[k] == '_' || s[k] == '.')) {
            parse_error(p, _("invalid character '%c' in the %s at position %u"), s[k],
                        field_name(field), POS(k));
            return FALSE;
        }
    }

    *out = g_strndup(s + start, end - start);
    *i = end;
    return TRUE;
}

SvirtContext *
svirt_context_parse(const char *str, GError **error)
{
    Parser p = { str, INPUT_CONTEXT, error };
    g_autoptr(SvirtContext) ctx = NULL;
    gsize i = 0;

    g_return_val_if_fail(str != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    if (str[0] == '\0') {
        parse_error(&p, "%s", _("the context is empty"));
        return NULL;
    }
    if (!check_characters(&p))
        return NULL;

    ctx = g_new0(SvirtContext, 1);

    if (!parse_field(&p, &i, 0, &ctx->user))
        return NULL;
    if (str[i] == '\0') {
        parse_error(&p, _("missing role and type at position %u (expected user:role:type)"),
                    POS(i));
        return NULL;
    }
    i++;
    if (!parse_field(&p, &i, 1, &ctx->role))
        return NULL;
    if (str[i] == '\0') {
        parse_error(&p, _("missing type at position %u (expected user:role:type)"), POS(i));
        return NULL;
    }
    i++;
    if (!parse_field(&p, &i, 2, &ctx->type))
        return NULL;
    if (str[i] == '\0')
        return g_steal_pointer(&ctx);

    i++;
    if (str[i] == '\0') {
        parse_error(&p, _("empty level at position %u"), POS(i));
        return NULL;
    }
    if (str[i] != 's' || !g_ascii_isdigit(str[i + 1])) {
        /* Another ':' further on means a fourth name field, not a mistyped level. */
        if (str[i] != ':' && strchr(str + i, ':') != NULL) {
            parse_error(&p, _("too many fields: the field at position %u is not a level (a "
                              "context is user:role:type[:level])"),
                        POS(i));
            return NULL;
        }
        if (str[i] != 's') {
            unexpected(&p, i, _("a level like s0"));
            return NULL;
        }
    }

    if (!parse_range_at(&p, &i, &ctx->low, &ctx->high, &ctx->has_high) || !parse_end(&p, i))
        return NULL;
    ctx->has_level = TRUE;

    return g_steal_pointer(&ctx);
}

SvirtContext *
svirt_context_new(const char *user, const char *role, const char *type, const SvirtLevel *low,
                  const SvirtLevel *high)
{
    SvirtContext *ctx;

    g_return_val_if_fail(identifier_valid(user), NULL);
    g_return_val_if_fail(identifier_valid(role), NULL);
    g_return_val_if_fail(identifier_valid(type), NULL);
    g_return_val_if_fail(high == NULL || low != NULL, NULL);
    g_return_val_if_fail(low == NULL || low->sensitivity < SVIRT_SENSITIVITY_COUNT, NULL);
    g_return_val_if_fail(high == NULL || svirt_level_dominates(high, low), NULL);
    g_return_val_if_fail(high == NULL || high->sensitivity < SVIRT_SENSITIVITY_COUNT, NULL);

    ctx = g_new0(SvirtContext, 1);
    ctx->user = g_strdup(user);
    ctx->role = g_strdup(role);
    ctx->type = g_strdup(type);
    if (low) {
        ctx->has_level = TRUE;
        ctx->low = *low;
        ctx->high = high ? *high : *low;
        ctx->has_high = high != NULL;
    }
    return ctx;
}

SvirtContext *
svirt_context_copy(const SvirtContext *context)
{
    SvirtContext *copy;

    g_return_val_if_fail(context != NULL, NULL);

    copy = g_memdup2(context, sizeof(*context));
    copy->user = g_strdup(context->user);
    copy->role = g_strdup(context->role);
    copy->type = g_strdup(context->type);
    return copy;
}

void
svirt_context_free(SvirtContext *context)
{
    if (context == NULL)
        return;
    g_free(context->user);
    g_free(context->role);
    g_free(context->type);
    g_free(context);
}

static void
append_level_range(GString *out, const SvirtContext *context)
{
    svirt_level_append(out, &context->low);
    if (context->has_high) {
        g_string_append_c(out, '-');
        svirt_level_append(out, &context->high);
    }
}

char *
svirt_context_to_string(const SvirtContext *context)
{
    GString *out;

    g_return_val_if_fail(context != NULL, NULL);

    out = g_string_new(NULL);
    g_string_append_printf(out, "%s:%s:%s", context->user, context->role, context->type);
    if (context->has_level) {
        g_string_append_c(out, ':');
        append_level_range(out, context);
    }
    return g_string_free(out, FALSE);
}

char *
svirt_context_dup_level_string(const SvirtContext *context)
{
    GString *out;

    g_return_val_if_fail(context != NULL, NULL);

    if (!context->has_level)
        return NULL;
    out = g_string_new(NULL);
    append_level_range(out, context);
    return g_string_free(out, FALSE);
}

gboolean
svirt_context_equal(const SvirtContext *a, const SvirtContext *b)
{
    g_return_val_if_fail(a != NULL && b != NULL, FALSE);

    if (g_strcmp0(a->user, b->user) != 0 || g_strcmp0(a->role, b->role) != 0 ||
        g_strcmp0(a->type, b->type) != 0)
        return FALSE;
    if (a->has_level != b->has_level)
        return FALSE;
    if (!a->has_level)
        return TRUE;
    if (a->has_high != b->has_high || !svirt_level_equal(&a->low, &b->low))
        return FALSE;
    return !a->has_high || svirt_level_equal(&a->high, &b->high);
}

const char *
svirt_context_get_user(const SvirtContext *context)
{
    g_return_val_if_fail(context != NULL, NULL);
    return context->user;
}

const char *
svirt_context_get_role(const SvirtContext *context)
{
    g_return_val_if_fail(context != NULL, NULL);
    return context->role;
}

/* Not svirt_context_get_type(): that name is the GType of the boxed type. */
const char *
svirt_context_get_type_name(const SvirtContext *context)
{
    g_return_val_if_fail(context != NULL, NULL);
    return context->type;
}

gboolean
svirt_context_has_level(const SvirtContext *context)
{
    g_return_val_if_fail(context != NULL, FALSE);
    return context->has_level;
}

const SvirtLevel *
svirt_context_get_low(const SvirtContext *context)
{
    g_return_val_if_fail(context != NULL, NULL);
    return context->has_level ? &context->low : NULL;
}

const SvirtLevel *
svirt_context_get_high(const SvirtContext *context)
{
    g_return_val_if_fail(context != NULL, NULL);
    return context->has_high ? &context->high : NULL;
}

static gboolean
set_field(SvirtContext *context, char **field, guint which, const char *value, GError **error)
{
    g_return_val_if_fail(context != NULL, FALSE);
    g_return_val_if_fail(value != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if (!identifier_valid(value)) {
        g_autofree char *escaped = g_strescape(value, NULL);

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    /* TRANSLATORS: %s is "user", "role" or "type", then the rejected value */
                    _("Invalid SELinux %s '%s': it must start with a letter or an underscore "
                      "and contain only letters, digits, '_' and '.'."),
                    field_name(which), escaped);
        return FALSE;
    }
    g_free(*field);
    *field = g_strdup(value);
    return TRUE;
}

gboolean
svirt_context_set_user(SvirtContext *context, const char *user, GError **error)
{
    g_return_val_if_fail(context != NULL, FALSE);
    return set_field(context, &context->user, 0, user, error);
}

gboolean
svirt_context_set_role(SvirtContext *context, const char *role, GError **error)
{
    g_return_val_if_fail(context != NULL, FALSE);
    return set_field(context, &context->role, 1, role, error);
}

gboolean
svirt_context_set_type(SvirtContext *context, const char *type, GError **error)
{
    g_return_val_if_fail(context != NULL, FALSE);
    return set_field(context, &context->type, 2, type, error);
}

gboolean
svirt_context_set_level(SvirtContext *context, const SvirtLevel *low, const SvirtLevel *high,
                        GError **error)
{
    g_return_val_if_fail(context != NULL, FALSE);
    g_return_val_if_fail(high == NULL || low != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    if ((low && low->sensitivity >= SVIRT_SENSITIVITY_COUNT) ||
        (high && high->sensitivity >= SVIRT_SENSITIVITY_COUNT)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("Invalid MCS level: the sensitivity is out of range (s0..s%u)."),
                    SVIRT_SENSITIVITY_COUNT - 1);
        return FALSE;
    }
    if (high && !svirt_level_dominates(high, low)) {
        g_autofree char *low_str = svirt_level_to_string(low);
        g_autofree char *high_str = svirt_level_to_string(high);

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("Invalid MCS range: the high level %s does not dominate the low level "
                      "%s."),
                    high_str, low_str);
        return FALSE;
    }

    context->has_level = low != NULL;
    context->has_high = high != NULL;
    if (low) {
        context->low = *low;
        context->high = high ? *high : *low;
    }
    return TRUE;
}
