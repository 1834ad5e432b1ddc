#include "config.h"

#include <glib/gi18n-lib.h>
#include <libvirt/libvirt.h>

#include "svirt-vm.h"

G_DEFINE_BOXED_TYPE(SvirtVmInfo, svirt_vm_info, svirt_vm_info_copy, svirt_vm_info_free)

SvirtVmInfo *
svirt_vm_info_new(const char *name, const char *uuid, SvirtVmState state, gboolean persistent)
{
    SvirtVmInfo *info = g_new0(SvirtVmInfo, 1);

    info->name = g_strdup(name);
    info->uuid = g_strdup(uuid);
    info->state = state;
    info->persistent = persistent;
    return info;
}

SvirtVmInfo *
svirt_vm_info_copy(const SvirtVmInfo *info)
{
    return svirt_vm_info_new(info->name, info->uuid, info->state, info->persistent);
}

void
svirt_vm_info_free(SvirtVmInfo *info)
{
    if (!info)
        return;
    g_free(info->name);
    g_free(info->uuid);
    g_free(info);
}

const char *
svirt_vm_state_to_id(SvirtVmState state)
{
    switch (state) {
    case SVIRT_VM_STATE_RUNNING:
        return "running";
    case SVIRT_VM_STATE_BLOCKED:
        return "blocked";
    case SVIRT_VM_STATE_PAUSED:
        return "paused";
    case SVIRT_VM_STATE_SHUTDOWN:
        return "shutdown";
    case SVIRT_VM_STATE_SHUTOFF:
        return "shutoff";
    case SVIRT_VM_STATE_CRASHED:
        return "crashed";
    case SVIRT_VM_STATE_PMSUSPENDED:
        return "pmsuspended";
    case SVIRT_VM_STATE_NOSTATE:
    default:
        return "nostate";
    }
}

const char *
svirt_vm_state_to_label(SvirtVmState state)
{
    switch (state) {
    case SVIRT_VM_STATE_RUNNING:
        return _("Running");
    case SVIRT_VM_STATE_BLOCKED:
        /* TRANSLATORS: the VM is running but waiting on a resource */
        return _("Blocked");
    case SVIRT_VM_STATE_PAUSED:
        return _("Paused");
    case SVIRT_VM_STATE_SHUTDOWN:
        return _("Shutting down");
    case SVIRT_VM_STATE_SHUTOFF:
        return _("Shut off");
    case SVIRT_VM_STATE_CRASHED:
        return _("Crashed");
    case SVIRT_VM_STATE_PMSUSPENDED:
        /* TRANSLATORS: the guest suspended itself to memory */
        return _("Suspended");
    case SVIRT_VM_STATE_NOSTATE:
    default:
        return _("Unknown");
    }
}

gboolean
svirt_vm_state_is_active(SvirtVmState state)
{
    return state != SVIRT_VM_STATE_SHUTOFF && state != SVIRT_VM_STATE_NOSTATE;
}

/* Derive the new state from the event alone, so no libvirt call is needed on the main loop. */
SvirtVmEventKind
svirt_vm_event_from_libvirt(int event, int detail, SvirtVmState *state)
{
    switch (event) {
    case VIR_DOMAIN_EVENT_DEFINED:
        if (detail == VIR_DOMAIN_EVENT_DEFINED_UPDATED)
            return SVIRT_VM_EVENT_IGNORED;
        *state = SVIRT_VM_STATE_SHUTOFF;
        return SVIRT_VM_EVENT_DEFINED;
    case VIR_DOMAIN_EVENT_UNDEFINED:
        return SVIRT_VM_EVENT_UNDEFINED;
    case VIR_DOMAIN_EVENT_STARTED:
    case VIR_DOMAIN_EVENT_RESUMED:
        *state = SVIRT_VM_STATE_RUNNING;
        return SVIRT_VM_EVENT_STATE;
    case VIR_DOMAIN_EVENT_SUSPENDED:
        *state = SVIRT_VM_STATE_PAUSED;
        return SVIRT_VM_EVENT_STATE;
    case VIR_DOMAIN_EVENT_STOPPED:
        /* Whatever the reason (even a crash), the VM no longer runs. */
        *state = SVIRT_VM_STATE_SHUTOFF;
        return SVIRT_VM_EVENT_STATE;
    case VIR_DOMAIN_EVENT_SHUTDOWN:
        /* Sent as the guest finishes shutting down; STOPPED follows with the real change. */
        return SVIRT_VM_EVENT_IGNORED;
    case VIR_DOMAIN_EVENT_PMSUSPENDED:
        *state = SVIRT_VM_STATE_PMSUSPENDED;
        return SVIRT_VM_EVENT_STATE;
    case VIR_DOMAIN_EVENT_CRASHED:
        *state = SVIRT_VM_STATE_CRASHED;
        return SVIRT_VM_EVENT_STATE;
    default:
        return SVIRT_VM_EVENT_IGNORED;
    }
}
