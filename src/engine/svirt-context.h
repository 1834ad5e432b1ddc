#pragma once

#include <glib-object.h>

/* svirt_context_check_policy(), a check against a binary policy */
#include "svirt-sepol.h"

G_BEGIN_DECLS

/* MCS categories are c0..c1023 and sensitivities s0..s15, as in the reference policy. */
#define SVIRT_CATEGORY_COUNT 1024
#define SVIRT_SENSITIVITY_COUNT 16

/* One MLS/MCS level: a sensitivity and a set of categories. Plain data, safe to copy by value. */
typedef struct {
    guint sensitivity;
    guint64 categories[SVIRT_CATEGORY_COUNT / 64];
} SvirtLevel;

/* user:role:type[:low[-high]] */
typedef struct _SvirtContext SvirtContext;

#define SVIRT_TYPE_LEVEL (svirt_level_get_type())
#define SVIRT_TYPE_CONTEXT (svirt_context_get_type())

GType svirt_level_get_type(void) G_GNUC_CONST;
GType svirt_context_get_type(void) G_GNUC_CONST;

/* Levels */
void svirt_level_init(SvirtLevel *level, guint sensitivity);
/* s:cA,cB; A and B must differ (a single category would be reachable from every pair that
 * contains it) and may come in any order. */
void svirt_level_init_pair(SvirtLevel *level, guint sensitivity, guint a, guint b);
void svirt_level_add_category(SvirtLevel *level, guint category);
void svirt_level_remove_category(SvirtLevel *level, guint category);
gboolean svirt_level_has_category(const SvirtLevel *level, guint category);
guint svirt_level_n_categories(const SvirtLevel *level);
/* TRUE when the level has exactly two categories, *a < *b. */
gboolean svirt_level_get_pair(const SvirtLevel *level, guint *a, guint *b);
gboolean svirt_level_parse(const char *str, SvirtLevel *out, GError **error);
char *svirt_level_to_string(const SvirtLevel *level);
/* Appends the canonical form of @level to @out. */
void svirt_level_append(GString *out, const SvirtLevel *level);
/* sens(a) >= sens(b) and cats(a) is a superset of cats(b). */
gboolean svirt_level_dominates(const SvirtLevel *a, const SvirtLevel *b);
gboolean svirt_level_equal(const SvirtLevel *a, const SvirtLevel *b);
guint svirt_level_hash(const SvirtLevel *level);
SvirtLevel *svirt_level_copy(const SvirtLevel *level);
void svirt_level_free(SvirtLevel *level);

/* A range "low[-high]"; a bare category set such as "c0.c1023" means s0. Errors use
 * SVIRT_ERROR_INVALID_RANGE. @high is set to @low when no high level is given. */
gboolean svirt_range_parse(const char *str, SvirtLevel *low, SvirtLevel *high,
                           gboolean *has_high, GError **error);

/* Contexts. Parse errors are SVIRT_ERROR_INVALID_CONTEXT and name the problem and its 1-based
 * byte position. Names are [A-Za-z_][A-Za-z0-9_.]*. */
SvirtContext *svirt_context_parse(const char *str, GError **error);
/* For values the caller built itself: invalid arguments are programming errors (criticals).
 * Use svirt_context_parse() or the setters for anything read from outside. */
SvirtContext *svirt_context_new(const char *user, const char *role, const char *type,
                                const SvirtLevel *low, const SvirtLevel *high);
SvirtContext *svirt_context_copy(const SvirtContext *context);
void svirt_context_free(SvirtContext *context);
/* Canonical, as the kernel writes it: categories sorted, runs of 3+ as c1.c3; a high level is
 * kept when one was given, even if equal to the low one. */
char *svirt_context_to_string(const SvirtContext *context);
gboolean svirt_context_equal(const SvirtContext *a, const SvirtContext *b);

const char *svirt_context_get_user(const SvirtContext *context);
const char *svirt_context_get_role(const SvirtContext *context);
/* The SELinux type; svirt_context_get_type() is the GType. */
const char *svirt_context_get_type_name(const SvirtContext *context);
gboolean svirt_context_has_level(const SvirtContext *context);
/* NULL without a level / without a high level. */
const SvirtLevel *svirt_context_get_low(const SvirtContext *context);
const SvirtLevel *svirt_context_get_high(const SvirtContext *context);
/* "low" or "low-high"; NULL without a level. */
char *svirt_context_dup_level_string(const SvirtContext *context);

gboolean svirt_context_set_user(SvirtContext *context, const char *user, GError **error);
gboolean svirt_context_set_role(SvirtContext *context, const char *role, GError **error);
gboolean svirt_context_set_type(SvirtContext *context, const char *type, GError **error);
gboolean svirt_context_set_level(SvirtContext *context, const SvirtLevel *low,
                                 const SvirtLevel *high, GError **error);

/* Where the engine looks for the SELinux policy: the directory $SVIRT_SELINUX_DIR names (to
 * check against another host's policy, or a test's), else /etc/selinux. */
#define SVIRT_SELINUX_DIR_ENV "SVIRT_SELINUX_DIR"
const char *svirt_context_selinux_dir(void);
/* SELINUXTYPE from <dir>/config, "default" without one. */
char *svirt_context_policy_type_in(const char *selinux_dir);

/* The newest <dir>/<SELINUXTYPE>/policy/policy.NN; NULL when there is none. The first form
 * looks in svirt_context_selinux_dir(). */
char *svirt_context_find_policy_file(void);
char *svirt_context_find_policy_file_in(const char *selinux_dir);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtLevel, svirt_level_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtContext, svirt_context_free)

G_END_DECLS
