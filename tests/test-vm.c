#include "config.h"

#include <libvirt/libvirt.h>

#include "svirt-vm.h"

typedef struct {
    int event;
    int detail;
    SvirtVmEventKind kind;
    SvirtVmState state;
} EventCase;

static void
test_event_mapping(void)
{
    static const EventCase cases[] = {
        { VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED, SVIRT_VM_EVENT_STATE,
          SVIRT_VM_STATE_RUNNING },
        { VIR_DOMAIN_EVENT_SUSPENDED, VIR_DOMAIN_EVENT_SUSPENDED_PAUSED, SVIRT_VM_EVENT_STATE,
          SVIRT_VM_STATE_PAUSED },
        { VIR_DOMAIN_EVENT_RESUMED, VIR_DOMAIN_EVENT_RESUMED_UNPAUSED, SVIRT_VM_EVENT_STATE,
          SVIRT_VM_STATE_RUNNING },
        { VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_DESTROYED, SVIRT_VM_EVENT_STATE,
          SVIRT_VM_STATE_SHUTOFF },
        { VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_CRASHED, SVIRT_VM_EVENT_STATE,
          SVIRT_VM_STATE_SHUTOFF },
        { VIR_DOMAIN_EVENT_PMSUSPENDED, 0, SVIRT_VM_EVENT_STATE, SVIRT_VM_STATE_PMSUSPENDED },
        { VIR_DOMAIN_EVENT_CRASHED, 0, SVIRT_VM_EVENT_STATE, SVIRT_VM_STATE_CRASHED },
        { VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_ADDED, SVIRT_VM_EVENT_DEFINED,
          SVIRT_VM_STATE_SHUTOFF },
        { VIR_DOMAIN_EVENT_DEFINED, VIR_DOMAIN_EVENT_DEFINED_UPDATED, SVIRT_VM_EVENT_IGNORED,
          SVIRT_VM_STATE_NOSTATE },
        { VIR_DOMAIN_EVENT_UNDEFINED, 0, SVIRT_VM_EVENT_UNDEFINED, SVIRT_VM_STATE_NOSTATE },
        { VIR_DOMAIN_EVENT_SHUTDOWN, VIR_DOMAIN_EVENT_SHUTDOWN_FINISHED, SVIRT_VM_EVENT_IGNORED,
          SVIRT_VM_STATE_NOSTATE },
        { 4242, 0, SVIRT_VM_EVENT_IGNORED, SVIRT_VM_STATE_NOSTATE },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        SvirtVmState state = SVIRT_VM_STATE_NOSTATE;
        SvirtVmEventKind kind = svirt_vm_event_from_libvirt(cases[i].event, cases[i].detail,
                                                            &state);

        g_test_message("case %" G_GSIZE_FORMAT ": event %d detail %d", i, cases[i].event,
                       cases[i].detail);
        g_assert_cmpint(kind, ==, cases[i].kind);
        if (kind != SVIRT_VM_EVENT_IGNORED && kind != SVIRT_VM_EVENT_UNDEFINED)
            g_assert_cmpint(state, ==, cases[i].state);
    }
}

static void
test_state_names(void)
{
    /* The ids are a JSON contract of svirtctl; libvirt's numbering is cast across. */
    g_assert_cmpstr(svirt_vm_state_to_id((SvirtVmState)VIR_DOMAIN_RUNNING), ==, "running");
    g_assert_cmpstr(svirt_vm_state_to_id((SvirtVmState)VIR_DOMAIN_PAUSED), ==, "paused");
    g_assert_cmpstr(svirt_vm_state_to_id((SvirtVmState)VIR_DOMAIN_SHUTOFF), ==, "shutoff");
    g_assert_cmpstr(svirt_vm_state_to_id((SvirtVmState)VIR_DOMAIN_CRASHED), ==, "crashed");
    g_assert_cmpstr(svirt_vm_state_to_id((SvirtVmState)VIR_DOMAIN_PMSUSPENDED), ==, "pmsuspended");
    g_assert_cmpstr(svirt_vm_state_to_id((SvirtVmState)VIR_DOMAIN_NOSTATE), ==, "nostate");
    g_assert_cmpstr(svirt_vm_state_to_label(SVIRT_VM_STATE_SHUTOFF), ==, "Shut off");
    g_assert_true(svirt_vm_state_is_active(SVIRT_VM_STATE_PAUSED));
    g_assert_false(svirt_vm_state_is_active(SVIRT_VM_STATE_SHUTOFF));
}

int
main(int argc, char *argv[])
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vm/event-mapping", test_event_mapping);
    g_test_add_func("/vm/state-names", test_state_names);
    return g_test_run();
}
