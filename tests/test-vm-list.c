#include "config.h"

#include "svm-vm-list.h"

#define UUID_A "11111111-1111-1111-1111-111111111111"
#define UUID_B "22222222-2222-2222-2222-222222222222"

static char *
row_string(SvmVmList *list, const char *uuid, int column)
{
    GtkTreeIter iter;
    char *value = NULL;

    g_assert_true(svm_vm_list_lookup(list, uuid, &iter));
    gtk_tree_model_get(svm_vm_list_get_model(list), &iter, column, &value, -1);
    return value;
}

static SvmVmList *
list_with(const char *name, const char *uuid, SvirtVmState state, gboolean persistent)
{
    SvmVmList *list = svm_vm_list_new();
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_vm_info_free);

    g_ptr_array_add(vms, svirt_vm_info_new(name, uuid, state, persistent));
    svm_vm_list_set_vms(list, vms);
    return list;
}

static void
test_set_vms(void)
{
    g_autoptr(SvmVmList) list = svm_vm_list_new();
    g_autoptr(GPtrArray) vms = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_vm_info_free);
    g_autofree char *state = NULL;
    g_autofree char *mode = NULL;
    g_autofree char *label = NULL;
    GtkTreeIter iter;
    g_autofree char *first = NULL;

    g_ptr_array_add(vms, svirt_vm_info_new("web", UUID_A, SVIRT_VM_STATE_RUNNING, TRUE));
    g_ptr_array_add(vms, svirt_vm_info_new("db", UUID_B, SVIRT_VM_STATE_SHUTOFF, TRUE));
    svm_vm_list_set_vms(list, vms);
    g_assert_cmpuint(svm_vm_list_get_n_vms(list), ==, 2);
    g_assert_cmpint(gtk_tree_model_iter_n_children(svm_vm_list_get_model(list), NULL), ==, 2);

    /* Sorted by name. */
    g_assert_true(gtk_tree_model_get_iter_first(svm_vm_list_get_model(list), &iter));
    gtk_tree_model_get(svm_vm_list_get_model(list), &iter, SVM_VM_LIST_COL_NAME, &first, -1);
    g_assert_cmpstr(first, ==, "db");

    state = row_string(list, UUID_A, SVM_VM_LIST_COL_STATE_LABEL);
    g_assert_cmpstr(state, ==, "Running");
    /* Label columns say nothing until the engine knows the label. */
    mode = row_string(list, UUID_A, SVM_VM_LIST_COL_MODE_LABEL);
    label = row_string(list, UUID_A, SVM_VM_LIST_COL_PROCESS_LABEL);
    g_assert_cmpstr(mode, ==, "—");
    g_assert_cmpstr(label, ==, "—");

    /* Replacing the list drops what is gone. */
    g_ptr_array_remove_index(vms, 0);
    svm_vm_list_set_vms(list, vms);
    g_assert_cmpuint(svm_vm_list_get_n_vms(list), ==, 1);
    g_assert_false(svm_vm_list_lookup(list, UUID_A, NULL));
}

static void
test_state_event(void)
{
    g_autoptr(SvmVmList) list = list_with("web", UUID_A, SVIRT_VM_STATE_RUNNING, TRUE);
    g_autoptr(SvirtVmInfo) ev = svirt_vm_info_new("web", UUID_A, SVIRT_VM_STATE_PAUSED, FALSE);
    g_autofree char *label = NULL;

    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_STATE, ev);
    g_assert_cmpint(svm_vm_list_get_state(list, UUID_A), ==, SVIRT_VM_STATE_PAUSED);
    label = row_string(list, UUID_A, SVM_VM_LIST_COL_STATE_LABEL);
    g_assert_cmpstr(label, ==, "Paused");

    /* A persistent VM that stops stays, shut off. */
    ev->state = SVIRT_VM_STATE_SHUTOFF;
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_STATE, ev);
    g_assert_cmpint(svm_vm_list_get_state(list, UUID_A), ==, SVIRT_VM_STATE_SHUTOFF);
    g_assert_cmpuint(svm_vm_list_get_n_vms(list), ==, 1);
}

static void
test_transient(void)
{
    g_autoptr(SvmVmList) list = svm_vm_list_new();
    g_autoptr(SvirtVmInfo) ev = svirt_vm_info_new("tmp", UUID_B, SVIRT_VM_STATE_RUNNING, FALSE);

    /* Started elsewhere without a definition: it appears... */
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_STATE, ev);
    g_assert_cmpint(svm_vm_list_get_state(list, UUID_B), ==, SVIRT_VM_STATE_RUNNING);
    /* ...and is gone when it stops. */
    ev->state = SVIRT_VM_STATE_SHUTOFF;
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_STATE, ev);
    g_assert_false(svm_vm_list_lookup(list, UUID_B, NULL));
    /* A stop of a VM nobody listed adds nothing. */
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_STATE, ev);
    g_assert_cmpuint(svm_vm_list_get_n_vms(list), ==, 0);
}

static void
test_define_undefine(void)
{
    g_autoptr(SvmVmList) list = svm_vm_list_new();
    g_autoptr(SvirtVmInfo) ev = svirt_vm_info_new("new", UUID_A, SVIRT_VM_STATE_SHUTOFF, TRUE);
    g_autoptr(SvirtVmInfo) run = svirt_vm_info_new("new", UUID_A, SVIRT_VM_STATE_RUNNING, FALSE);

    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_DEFINED, ev);
    g_assert_cmpint(svm_vm_list_get_state(list, UUID_A), ==, SVIRT_VM_STATE_SHUTOFF);
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_STATE, run);
    /* Undefining a running VM leaves it listed, now transient, until it stops. */
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_UNDEFINED, ev);
    g_assert_cmpint(svm_vm_list_get_state(list, UUID_A), ==, SVIRT_VM_STATE_RUNNING);
    /* Defining it again while it runs keeps the running state. */
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_DEFINED, ev);
    g_assert_cmpint(svm_vm_list_get_state(list, UUID_A), ==, SVIRT_VM_STATE_RUNNING);
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_UNDEFINED, ev);
    run->state = SVIRT_VM_STATE_SHUTOFF;
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_STATE, run);
    g_assert_false(svm_vm_list_lookup(list, UUID_A, NULL));

    /* Undefining a stopped VM removes it at once. */
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_DEFINED, ev);
    svm_vm_list_apply_event(list, SVIRT_VM_EVENT_UNDEFINED, ev);
    g_assert_false(svm_vm_list_lookup(list, UUID_A, NULL));
}

int
main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vm-list/set-vms", test_set_vms);
    g_test_add_func("/vm-list/state-event", test_state_event);
    g_test_add_func("/vm-list/transient", test_transient);
    g_test_add_func("/vm-list/define-undefine", test_define_undefine);
    return g_test_run();
}
