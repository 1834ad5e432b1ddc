#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Values match libvirt's virDomainState so they can be cast across. */
typedef enum {
    SVIRT_VM_STATE_NOSTATE = 0,
    SVIRT_VM_STATE_RUNNING = 1,
    SVIRT_VM_STATE_BLOCKED = 2,
    SVIRT_VM_STATE_PAUSED = 3,
    SVIRT_VM_STATE_SHUTDOWN = 4,
    SVIRT_VM_STATE_SHUTOFF = 5,
    SVIRT_VM_STATE_CRASHED = 6,
    SVIRT_VM_STATE_PMSUSPENDED = 7,
} SvirtVmState;

/* What a lifecycle event means for a list of VMs. */
typedef enum {
    SVIRT_VM_EVENT_STATE,     /* the VM is in a new state */
    SVIRT_VM_EVENT_DEFINED,   /* the VM now has a persistent definition */
    SVIRT_VM_EVENT_UNDEFINED, /* the persistent definition was removed */
    SVIRT_VM_EVENT_IGNORED,   /* nothing a list shows has changed */
} SvirtVmEventKind;

typedef struct {
    char *name;
    char *uuid;
    SvirtVmState state;
    gboolean persistent;
} SvirtVmInfo;

#define SVIRT_TYPE_VM_INFO (svirt_vm_info_get_type())

GType svirt_vm_info_get_type(void) G_GNUC_CONST;
SvirtVmInfo *svirt_vm_info_new(const char *name, const char *uuid, SvirtVmState state,
                               gboolean persistent);
SvirtVmInfo *svirt_vm_info_copy(const SvirtVmInfo *info);
void svirt_vm_info_free(SvirtVmInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SvirtVmInfo, svirt_vm_info_free)

const char *svirt_vm_state_to_id(SvirtVmState state);
const char *svirt_vm_state_to_label(SvirtVmState state);
gboolean svirt_vm_state_is_active(SvirtVmState state);

SvirtVmEventKind svirt_vm_event_from_libvirt(int event, int detail, SvirtVmState *state);

G_END_DECLS
