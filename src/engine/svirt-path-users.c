#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "svirt-create.h"
#include "svirt-labeler.h"
#include "svirt-policy.h"
#include "svirt-private.h"
#include "svirt-task.h"

void
svirt_path_user_free(SvirtPathUser *user)
{
    if (user == NULL)
        return;
    g_free(user->name);
    g_free(user->uuid);
    g_free(user);
}

static int
compare_users(gconstpointer a, gconstpointer b)
{
    const SvirtPathUser *ua = *(SvirtPathUser *const *)a;
    const SvirtPathUser *ub = *(SvirtPathUser *const *)b;

    return g_strcmp0(ua->name, ub->name);
}

gboolean
svirt_foreach_vm_file(virConnectPtr conn, SvirtVmFileFunc func, gpointer user_data)
{
    g_autoptr(SvirtPolicyTypes) types = svirt_policy_types_new_builtin();
    g_autoptr(SvirtSettings) settings = svirt_settings_new();
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);

    if (n < 0)
        return FALSE;
    for (int i = 0; i < n; i++) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        g_autoptr(VirString) xml = NULL;
        g_autoptr(SvirtPlan) plan = NULL;

        if (virDomainGetUUIDString(doms[i], uuid) == 0)
            xml = virDomainGetXMLDesc(doms[i], VIR_DOMAIN_XML_INACTIVE);
        if (xml)
            plan = svirt_plan_build(xml, settings, types, SVIRT_PREVIEW_LEVEL, NULL);
        for (guint j = 0; plan && j < plan->items->len; j++) {
            SvirtPlanItem *item = g_ptr_array_index(plan->items, j);
            g_autofree char *resolved = svirt_labeler_resolve_path(item->path);

            func(doms[i], uuid, item, resolved ? resolved : item->path, user_data);
        }
        virDomainFree(doms[i]);
    }
    free(doms);
    virResetLastError();
    return TRUE;
}

typedef struct {
    const char *wanted;
    gboolean have_stat;
    struct stat st; /* of @wanted: another name (a hard link) of the file is the same file */
    GPtrArray *users;
} PathUsers;

static gboolean
is_wanted(const PathUsers *found, const char *resolved)
{
    struct stat st;

    if (g_str_equal(resolved, found->wanted))
        return TRUE;
    return found->have_stat && stat(resolved, &st) == 0 && st.st_dev == found->st.st_dev &&
           st.st_ino == found->st.st_ino;
}

static void
add_path_user(virDomainPtr dom, const char *uuid, const SvirtPlanItem *item,
              const char *resolved, gpointer user_data)
{
    PathUsers *found = user_data;
    SvirtPathUser *last = found->users->len
                              ? g_ptr_array_index(found->users, found->users->len - 1)
                              : NULL;
    SvirtPathUser *user;

    /* A VM counts once, with the first use of the path in its plan. */
    if ((last && g_str_equal(last->uuid, uuid)) || !is_wanted(found, resolved))
        return;
    user = g_new0(SvirtPathUser, 1);
    user->name = g_strdup(virDomainGetName(dom));
    user->uuid = g_strdup(uuid);
    user->designation = item->designation;
    g_ptr_array_add(found->users, user);
}

GPtrArray *
svirt_engine_list_path_users(SvirtEngine *engine, const char *path, GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(GPtrArray) users = NULL;
    g_autofree char *wanted = NULL;
    PathUsers found;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), NULL);
    g_return_val_if_fail(path != NULL, NULL);

    conn = svirt_engine_dup_connection(engine, error);
    if (conn == NULL)
        return NULL;
    wanted = svirt_labeler_resolve_path(path);
    if (wanted == NULL)
        wanted = g_strdup(path);
    users = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_path_user_free);
    found = (PathUsers){ wanted, FALSE, { 0 }, users };
    found.have_stat = stat(wanted, &found.st) == 0;
    if (!svirt_foreach_vm_file(conn, add_path_user, &found)) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not list the VMs that use %s"), path);
        return NULL;
    }
    g_ptr_array_sort(users, compare_users);
    return g_steal_pointer(&users);
}

static gboolean
path_users_call(gpointer source, SvirtTaskArgs *args, gpointer *result,
                GCancellable *cancellable, GError **error)
{
    return (*result = svirt_engine_list_path_users(source, args->text, error)) != NULL;
}

void
svirt_engine_list_path_users_async(SvirtEngine *engine, const char *path,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    args->text = g_strdup(path);
    svirt_task_run(engine, svirt_engine_list_path_users_async, path_users_call, args,
                   (GDestroyNotify)g_ptr_array_unref, SVIRT_TASK_CANCEL_DROPS, cancellable,
                   callback, user_data);
}

GPtrArray *
svirt_engine_list_path_users_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return svirt_task_finish_pointer(engine, svirt_engine_list_path_users_async, result, error);
}

/* "'a'", "'a' and 'b'", "'a', 'b' and 'c'" for the VMs in @users that @clashes selects. */
static char *
join_names(GPtrArray *users, gboolean (*clashes)(SvirtDesignation), guint *count)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GString) text = g_string_new(NULL);

    for (guint i = 0; i < users->len; i++) {
        SvirtPathUser *user = g_ptr_array_index(users, i);

        if (clashes(user->designation))
            g_ptr_array_add(names, g_strdup_printf("'%s'", user->name));
    }
    *count = names->len;
    for (guint i = 0; i < names->len; i++) {
        if (i > 0)
            /* TRANSLATORS: separators in a list of VM names: "'a', 'b' and 'c'" */
            g_string_append(text, i + 1 == names->len ? _(" and ") : _(", "));
        g_string_append(text, g_ptr_array_index(names, i));
    }
    return g_string_free(g_steal_pointer(&text), FALSE);
}

static gboolean
any_use(SvirtDesignation designation)
{
    return designation != SVIRT_DESIGNATION_SKIPPED;
}

static gboolean
private_use(SvirtDesignation designation)
{
    return designation == SVIRT_DESIGNATION_PRIVATE;
}

static gboolean
writing_use(SvirtDesignation designation)
{
    return designation == SVIRT_DESIGNATION_PRIVATE || designation == SVIRT_DESIGNATION_SHARED;
}

char *
svirt_disk_spec_describe_clash(const SvirtDiskSpec *disk, GPtrArray *users)
{
    g_autofree char *names = NULL;
    guint count = 0;

    g_return_val_if_fail(disk != NULL, NULL);

    if (disk->kind != SVIRT_DISK_SPEC_EXISTING || users == NULL)
        return NULL;
    switch (disk->designation) {
    case SVIRT_DESIGNATION_PRIVATE:
        names = join_names(users, any_use, &count);
        if (count == 0)
            return NULL;
        return g_strdup_printf(
            g_dngettext(GETTEXT_PACKAGE,
                        "VM %s also uses %s. As a private disk it gets this VM's own label "
                        "at each start, and VM %s can no longer open it while this VM runs. "
                        "Choose Shared or Read-only, or use another file.",
                        "VMs %s also use %s. As a private disk it gets this VM's own label at "
                        "each start, and VMs %s can no longer open it while this VM runs. "
                        "Choose Shared or Read-only, or use another file.",
                        count),
            names, disk->path, names);
    case SVIRT_DESIGNATION_SHARED:
        names = join_names(users, private_use, &count);
        if (count == 0)
            return NULL;
        return g_strdup_printf(
            g_dngettext(GETTEXT_PACKAGE,
                        "VM %s uses %s as its private disk, so the two VMs take the file's "
                        "label from each other at every start. Make it Shared in VM %s too, "
                        "or use another file.",
                        "VMs %s use %s as a private disk, so the VMs take the file's label "
                        "from each other at every start. Make it Shared in VMs %s too, or "
                        "use another file.",
                        count),
            names, disk->path, names);
    case SVIRT_DESIGNATION_READONLY:
    case SVIRT_DESIGNATION_CONTENT:
        names = join_names(users, writing_use, &count);
        if (count == 0)
            return NULL;
        return g_strdup_printf(
            g_dngettext(GETTEXT_PACKAGE,
                        "VM %s writes %s, so this VM may read it while it changes.",
                        "VMs %s write %s, so this VM may read it while it changes.", count),
            names, disk->path);
    case SVIRT_DESIGNATION_SKIPPED:
    default:
        return NULL;
    }
}
