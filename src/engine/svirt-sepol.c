#include "config.h"

#include "svirt-sepol.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <sepol/debug.h>
#include <sepol/policydb/ebitmap.h>
#include <sepol/policydb/policydb.h>
#include <sepol/policydb/services.h>
#include <sepol/sepol.h>

#include "svirt-context.h"
#include "svirt-error.h"

/* Reading a policy takes tens of milliseconds and checks come in bursts (one per label of a
 * starting VM, one per cell of the isolation matrix), so the last policy read stays loaded
 * until its file changes. libsepol keeps two copies: a policydb for context checks, and the
 * global one its access services use; each is read the first time it is needed. */
struct _SvirtSepolPolicy {
    char *path;
    dev_t dev;
    ino_t ino;
    gint64 mtime_ns;
    goffset size;
    guint generation;
    sepol_policydb_t *db;
    gboolean services_loaded;
    GHashTable *sid_cache;    /* context -> sid */
    GHashTable *reason_cache; /* types, class and decision -> reason text */
    /* (source sid, target sid, class) -> decision: a pure function of the policy. */
    GHashTable *decision_cache;
    GHashTable *attribute_cache; /* attribute -> GStrv of its types */
};

static GMutex policy_lock;
static SvirtSepolPolicy policy_cache;

/* g_int64_hash() folds the high word onto the low one, where the source and target SIDs of a
 * decision key overlap: most keys would share a few buckets. */
static guint
decision_key_hash(gconstpointer key)
{
    guint64 v = *(const guint64 *)key;

    v ^= v >> 33;
    v *= G_GUINT64_CONSTANT(0xff51afd7ed558ccd);
    v ^= v >> 33;
    return (guint)v;
}

static gint64
mtime_ns_of(const struct stat *st)
{
    return (gint64)st->st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st->st_mtim.tv_nsec;
}

static void
policy_clear(SvirtSepolPolicy *policy)
{
    g_clear_pointer(&policy->path, g_free);
    g_clear_pointer(&policy->db, sepol_policydb_free);
    policy->services_loaded = FALSE;
    g_clear_pointer(&policy->sid_cache, g_hash_table_unref);
    g_clear_pointer(&policy->reason_cache, g_hash_table_unref);
    g_clear_pointer(&policy->decision_cache, g_hash_table_unref);
    g_clear_pointer(&policy->attribute_cache, g_hash_table_unref);
}

SvirtSepolPolicy *
svirt_sepol_policy_lock(const char *path, GError **error)
{
    SvirtSepolPolicy *policy = &policy_cache;
    struct stat st;

    g_return_val_if_fail(path != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    g_mutex_lock(&policy_lock);
    if (stat(path, &st) < 0) {
        int saved = errno;

        g_mutex_unlock(&policy_lock);
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux policy '%s': %s. Install the policy package or "
                      "give another policy file."),
                    path, g_strerror(saved));
        return NULL;
    }
    if (policy->path && g_str_equal(policy->path, path) && policy->dev == st.st_dev &&
        policy->ino == st.st_ino && policy->size == st.st_size &&
        policy->mtime_ns == mtime_ns_of(&st))
        return policy;

    policy_clear(policy);
    policy->path = g_strdup(path);
    policy->dev = st.st_dev;
    policy->ino = st.st_ino;
    policy->size = st.st_size;
    policy->mtime_ns = mtime_ns_of(&st);
    policy->generation++;
    policy->sid_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    policy->reason_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    policy->decision_cache = g_hash_table_new_full(decision_key_hash, g_int64_equal, g_free, NULL);
    policy->attribute_cache =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
    return policy;
}

void
svirt_sepol_policy_unlock(SvirtSepolPolicy *policy)
{
    g_return_if_fail(policy == &policy_cache);

    g_mutex_unlock(&policy_lock);
}

const char *
svirt_sepol_policy_get_path(const SvirtSepolPolicy *policy)
{
    return policy->path;
}

guint
svirt_sepol_policy_get_generation(const SvirtSepolPolicy *policy)
{
    return policy->generation;
}

static void G_GNUC_PRINTF(3, 4)
sepol_message(void *data, sepol_handle_t *handle, const char *fmt, ...)
{
    char **first = data;
    va_list args;

    /* The first error names the cause ("user x is not defined"); later ones only say
     * which step failed. */
    if (sepol_msg_get_level(handle) != SEPOL_MSG_ERR || *first != NULL)
        return;
    va_start(args, fmt);
    *first = g_strdup_vprintf(fmt, args);
    va_end(args);
}

static sepol_handle_t *
new_quiet_handle(char **first_message)
{
    sepol_handle_t *handle = sepol_handle_create();

    if (handle)
        sepol_msg_set_callback(handle, sepol_message, first_message);
    return handle;
}

static FILE *
open_policy(const SvirtSepolPolicy *policy, GError **error)
{
    FILE *fp = fopen(policy->path, "re");

    if (fp == NULL) {
        int saved = errno;

        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux policy '%s': %s."), policy->path,
                    g_strerror(saved));
    }
    return fp;
}

static gboolean
ensure_policydb(SvirtSepolPolicy *policy, GError **error)
{
    g_autofree char *message = NULL;
    sepol_handle_t *handle = NULL;
    sepol_policy_file_t *pf = NULL;
    sepol_policydb_t *db = NULL;
    FILE *fp;

    if (policy->db)
        return TRUE;
    fp = open_policy(policy, error);
    if (fp == NULL)
        return FALSE;

    handle = new_quiet_handle(&message);
    if (handle == NULL || sepol_policy_file_create(&pf) < 0 || sepol_policydb_create(&db) < 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux policy '%s': out of memory."), policy->path);
        goto out;
    }
    sepol_policy_file_set_fp(pf, fp);
    sepol_policy_file_set_handle(pf, handle);
    if (sepol_policydb_read(db, pf) < 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux policy '%s': %s."), policy->path,
                    message ? message : _("not a binary SELinux policy"));
        sepol_policydb_free(db);
        db = NULL;
        goto out;
    }
    policy->db = db;

out:
    if (pf)
        sepol_policy_file_free(pf);
    if (handle)
        sepol_handle_destroy(handle);
    fclose(fp);
    return db != NULL;
}

static gboolean
ensure_services(SvirtSepolPolicy *policy, GError **error)
{
    FILE *fp;
    int rc;

    if (policy->services_loaded)
        return TRUE;
    /* Our errors say what failed; libsepol's own would go to stderr. */
    sepol_debug(0);
    fp = open_policy(policy, error);
    if (fp == NULL)
        return FALSE;
    rc = sepol_set_policydb_from_file(fp);
    fclose(fp);
    if (rc < 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot read the SELinux policy '%s': %s."), policy->path,
                    _("not a binary SELinux policy"));
        return FALSE;
    }
    policy->services_loaded = TRUE;
    return TRUE;
}

gboolean
svirt_sepol_policy_check_context(SvirtSepolPolicy *policy, const char *context, GError **error)
{
    g_autofree char *message = NULL;
    sepol_handle_t *handle = NULL;
    sepol_context_t *con = NULL;
    gboolean ok = FALSE;

    g_return_val_if_fail(policy == &policy_cache, FALSE);
    g_return_val_if_fail(context != NULL, FALSE);

    if (!ensure_policydb(policy, error))
        return FALSE;

    handle = new_quiet_handle(&message);
    if (handle == NULL) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("Cannot check context '%s' against the SELinux policy '%s': out of "
                      "memory."),
                    context, policy->path);
        goto out;
    }
    if (sepol_context_from_string(handle, context, &con) < 0 ||
        sepol_context_check(handle, policy->db, con) < 0) {
        g_autofree char *reason = NULL;

        /* libsepol names undefined users, roles and types, but for a valid name in the
         * wrong combination it only repeats the context. */
        if (message && !g_str_has_prefix(message, "invalid security context"))
            reason = g_strchomp(g_strdup(message));
        else
            reason = g_strdup(_("the policy does not allow this combination of user, role, "
                                "type and level"));
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("The SELinux policy '%s' rejects the context '%s': %s."), policy->path,
                    context, reason);
        goto out;
    }
    ok = TRUE;

out:
    if (con)
        sepol_context_free(con);
    if (handle)
        sepol_handle_destroy(handle);
    return ok;
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static GStrv
read_types_with_attribute(SvirtSepolPolicy *policy, const char *attribute, GError **error)
{
    g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func(g_free);
    const policydb_t *db;
    gint64 attr = -1;

    if (!ensure_policydb(policy, error))
        return NULL;
    /* libsepol exports no lookup by attribute; its policydb is public and read here. */
    db = &policy->db->p;
    for (guint32 i = 0; i < db->p_types.nprim && attr < 0; i++) {
        const type_datum_t *datum = db->type_val_to_struct[i];

        if (datum && datum->flavor == TYPE_ATTRIB &&
            g_strcmp0(db->p_type_val_to_name[i], attribute) == 0)
            attr = i;
    }
    for (guint32 i = 0; attr >= 0 && i < db->p_types.nprim; i++) {
        const type_datum_t *datum = db->type_val_to_struct[i];
        ebitmap_node_t *node;
        unsigned int bit;

        if (!datum || datum->flavor != TYPE_TYPE || !db->p_type_val_to_name[i])
            continue;
        ebitmap_for_each_positive_bit(&db->type_attr_map[i], node, bit) {
            if (bit == (unsigned int)attr) {
                g_ptr_array_add(types, g_strdup(db->p_type_val_to_name[i]));
                break;
            }
        }
    }
    g_ptr_array_sort(types, compare_strings);
    g_ptr_array_add(types, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&types), FALSE);
}

GStrv
svirt_sepol_policy_types_with_attribute(SvirtSepolPolicy *policy, const char *attribute,
                                        GError **error)
{
    GStrv types;

    g_return_val_if_fail(policy == &policy_cache, NULL);
    g_return_val_if_fail(attribute != NULL, NULL);

    /* A list of VMs asks once per static VM; the answer changes only with the policy. */
    types = g_hash_table_lookup(policy->attribute_cache, attribute);
    if (!types) {
        types = read_types_with_attribute(policy, attribute, error);
        if (!types)
            return NULL;
        g_hash_table_insert(policy->attribute_cache, g_strdup(attribute), types);
    }
    return g_strdupv(types);
}

gboolean
svirt_context_check_policy(const char *context, const char *policy_path, GError **error)
{
    g_autoptr(SvirtContext) parsed = NULL;
    g_autoptr(SvirtSepolPolicy) policy = NULL;
    g_autofree char *canonical = NULL;

    g_return_val_if_fail(context != NULL, FALSE);
    g_return_val_if_fail(policy_path != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    /* Our parser gives positions; libsepol only says yes or no. */
    parsed = svirt_context_parse(context, error);
    if (parsed == NULL)
        return FALSE;
    canonical = svirt_context_to_string(parsed);

    policy = svirt_sepol_policy_lock(policy_path, error);
    return policy && svirt_sepol_policy_check_context(policy, canonical, error);
}

static gboolean
context_sid(SvirtSepolPolicy *policy, const char *context, sepol_security_id_t *sid,
            GError **error)
{
    gpointer value;

    if (g_hash_table_lookup_extended(policy->sid_cache, context, NULL, &value)) {
        *sid = GPOINTER_TO_UINT(value);
        return TRUE;
    }
    if (sepol_context_to_sid(context, strlen(context) + 1, sid) < 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_CONTEXT,
                    _("The context %s is not valid in the policy %s."), context, policy->path);
        return FALSE;
    }
    g_hash_table_insert(policy->sid_cache, g_strdup(context), GUINT_TO_POINTER(*sid));
    return TRUE;
}

static char *
type_of(const char *context)
{
    g_auto(GStrv) fields = g_strsplit(context, ":", 4);

    return g_strv_length(fields) >= 3 ? g_strdup(fields[2]) : g_strdup(context);
}

gboolean
svirt_sepol_policy_resolve(SvirtSepolPolicy *policy, const char *context, const char *cls,
                           SvirtSepolSubject *out, GError **error)
{
    g_autofree char *type = NULL;
    sepol_security_id_t sid;
    sepol_security_class_t tclass;
    sepol_access_vector_t rd, wr;

    g_return_val_if_fail(policy == &policy_cache, FALSE);
    g_return_val_if_fail(context != NULL && cls != NULL && out != NULL, FALSE);

    if (!ensure_services(policy, error) || !context_sid(policy, context, &sid, error))
        return FALSE;
    if (sepol_string_to_security_class(cls, &tclass) < 0 ||
        sepol_string_to_av_perm(tclass, "read", &rd) < 0 ||
        sepol_string_to_av_perm(tclass, "write", &wr) < 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("The policy %s has no class %s with read and write permissions."),
                    policy->path, cls);
        return FALSE;
    }
    type = type_of(context);
    out->sid = sid;
    out->tclass = tclass;
    out->read_perm = rd;
    out->write_perm = wr;
    out->type = g_intern_string(type);
    out->cls = g_intern_string(cls);
    return TRUE;
}

gboolean
svirt_sepol_policy_decide(SvirtSepolPolicy *policy, const SvirtSepolSubject *process,
                          const SvirtSepolSubject *object, SvirtSepolDecision *out,
                          GError **error)
{
    struct sepol_av_decision avd;
    gint64 key = ((gint64)process->sid << 40) | ((gint64)object->sid << 16) | object->tclass;
    gpointer cached = g_hash_table_lookup(policy->decision_cache, &key);
    unsigned int why = 0;

    if (cached) {
        guint bits = GPOINTER_TO_UINT(cached) - 1;

        out->can_read = bits & 1;
        out->can_write = (bits >> 1) & 1;
        out->why = bits >> 2;
        return TRUE;
    }
    if (sepol_compute_av_reason(process->sid, object->sid, object->tclass,
                                object->read_perm | object->write_perm, &avd, &why) < 0) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_POLICY,
                    _("libsepol could not compute an access decision in %s."), policy->path);
        return FALSE;
    }
    out->can_read = (avd.allowed & object->read_perm) == object->read_perm;
    out->can_write = (avd.allowed & object->write_perm) == object->write_perm;
    out->why = why;
    g_hash_table_insert(
        policy->decision_cache, g_memdup2(&key, sizeof(key)),
        GUINT_TO_POINTER(((out->why << 2) | (out->can_write << 1) | out->can_read) + 1));
    return TRUE;
}

static char *
denial_text(const char *buf)
{
    g_autofree char *text = g_strdup(buf ? buf : "");

    g_strstrip(text);
    g_strdelimit(text, "\n", ' ');
    return g_strdup_printf(_("constraint violated: %s"), text);
}

/* The reason text depends on the types and on which rules failed, not on the levels, so it is
 * made once per kind of decision. */
char *
svirt_sepol_policy_explain(SvirtSepolPolicy *policy, const SvirtSepolSubject *process,
                           const SvirtSepolSubject *object, const SvirtSepolDecision *decision)
{
    const char *stype = process->type, *ttype = object->type, *cls = object->cls;
    gboolean can_read = decision->can_read, can_write = decision->can_write;
    unsigned int why = decision->why;
    g_autofree char *key = g_strdup_printf("%s|%s|%s|%u|%u|%u", stype, ttype, cls, why,
                                           can_read, can_write);
    const char *cached = g_hash_table_lookup(policy->reason_cache, key);
    g_autoptr(GString) text = NULL;

    if (cached)
        return g_strdup(cached);
    text = g_string_new(NULL);
    if (can_read && can_write) {
        g_string_printf(text, _("allowed: %s may read and write %s %s, and the process level "
                                "dominates the object's"),
                        stype, ttype, cls);
    } else {
        if (can_read)
            g_string_append(text, _("read allowed; write denied: "));
        if (why & SEPOL_COMPUTEAV_TE)
            g_string_append_printf(text, _("no allow rule gives %s %s on %s %s"), stype,
                                   can_read ? "write" : "read/write", ttype, cls);
        if (why & SEPOL_COMPUTEAV_CONS) {
            char *buf = NULL;
            unsigned int why2 = 0;
            struct sepol_av_decision avd;
            g_autofree char *cons = NULL;

            sepol_compute_av_reason_buffer(process->sid, object->sid, object->tclass,
                                           object->read_perm | object->write_perm, &avd, &why2,
                                           &buf, 0);
            cons = denial_text(buf);
            free(buf);
            g_string_append_printf(text, "%s%s", (why & SEPOL_COMPUTEAV_TE) ? "; " : "", cons);
        }
        if (why & SEPOL_COMPUTEAV_RBAC)
            g_string_append_printf(text, "%s%s", text->len ? "; " : "",
                                   _("the role does not allow it"));
        if (why & SEPOL_COMPUTEAV_BOUNDS)
            g_string_append_printf(text, "%s%s", text->len ? "; " : "",
                                   _("a type bound does not allow it"));
    }
    g_hash_table_insert(policy->reason_cache, g_steal_pointer(&key), g_strdup(text->str));
    return g_strdup(text->str);
}

gboolean
svirt_sepol_check_access(const char *path, const char *process, const char *object,
                         const char *cls, gboolean *can_read, gboolean *can_write, char **reason,
                         GError **error)
{
    g_autoptr(SvirtSepolPolicy) policy = NULL;
    SvirtSepolSubject p, o;
    SvirtSepolDecision decision;

    g_return_val_if_fail(path != NULL && process != NULL && object != NULL, FALSE);
    g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

    policy = svirt_sepol_policy_lock(path, error);
    if (!policy || !svirt_sepol_policy_resolve(policy, process, "file", &p, error) ||
        !svirt_sepol_policy_resolve(policy, object, cls ? cls : "file", &o, error) ||
        !svirt_sepol_policy_decide(policy, &p, &o, &decision, error))
        return FALSE;
    if (can_read)
        *can_read = decision.can_read;
    if (can_write)
        *can_write = decision.can_write;
    if (reason)
        *reason = svirt_sepol_policy_explain(policy, &p, &o, &decision);
    return TRUE;
}

char *
svirt_context_policy_type_in(const char *selinux_dir)
{
    g_autofree char *config_path = g_build_filename(selinux_dir, "config", NULL);
    g_autofree char *contents = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(config_path, &contents, NULL, NULL))
        return g_strdup("default");

    lines = g_strsplit(contents, "\n", -1);
    for (guint n = 0; lines[n]; n++) {
        char *line = g_strstrip(lines[n]);
        char *value;

        if (!g_str_has_prefix(line, "SELINUXTYPE="))
            continue;
        value = g_strstrip(line + strlen("SELINUXTYPE="));
        /* The value becomes a directory name; anything path-like is ignored. */
        if (*value && strchr(value, '/') == NULL && strcmp(value, ".") != 0 &&
            strcmp(value, "..") != 0)
            return g_strdup(value);
    }
    return g_strdup("default");
}

char *
svirt_context_find_policy_file_in(const char *selinux_dir)
{
    g_autofree char *type = NULL;
    g_autofree char *policy_dir = NULL;
    g_autofree char *best_name = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;
    gint64 best = -1;

    g_return_val_if_fail(selinux_dir != NULL, NULL);

    type = svirt_context_policy_type_in(selinux_dir);
    policy_dir = g_build_filename(selinux_dir, type, "policy", NULL);
    dir = g_dir_open(policy_dir, 0, NULL);
    if (dir == NULL)
        return NULL;

    while ((name = g_dir_read_name(dir)) != NULL) {
        const char *suffix;
        guint64 version;

        if (!g_str_has_prefix(name, "policy."))
            continue;
        suffix = name + strlen("policy.");
        if (!g_ascii_string_to_unsigned(suffix, 10, 0, 1000, &version, NULL))
            continue;
        if ((gint64) version > best) {
            best = version;
            g_free(best_name);
            best_name = g_strdup(name);
        }
    }
    if (best_name == NULL)
        return NULL;
    return g_build_filename(policy_dir, best_name, NULL);
}

const char *
svirt_context_selinux_dir(void)
{
    const char *dir = g_getenv(SVIRT_SELINUX_DIR_ENV);

    return dir && *dir ? dir : "/etc/selinux";
}

char *
svirt_context_find_policy_file(void)
{
    return svirt_context_find_policy_file_in(svirt_context_selinux_dir());
}
