#pragma once

#include <gtk/gtk.h>

#include "svirt-create.h"

G_BEGIN_DECLS

#define SVM_TYPE_NEW_VM_NETWORK (svm_new_vm_network_get_type())

/* The New VM assistant's page for the network: an active libvirt network, or user-mode
 * networking when there is none; and the display: VNC, SPICE where the host has it, or none. */
G_DECLARE_FINAL_TYPE(SvmNewVmNetwork, svm_new_vm_network, SVM, NEW_VM_NETWORK, GtkGrid)

/* Lists the active networks of @engine's connection and chooses the first. */
void svm_new_vm_network_set_engine(SvmNewVmNetwork *self, SvirtEngine *engine);
/* Offers the list of networks only with its choice; TRUE when the page is complete. */
gboolean svm_new_vm_network_check(SvmNewVmNetwork *self);
/* Puts the network and the display chosen into @spec. */
void svm_new_vm_network_fill_spec(SvmNewVmNetwork *self, SvirtVmSpec *spec);
/* TRUE while the networks and the displays the host offers are being listed. */
gboolean svm_new_vm_network_is_busy(SvmNewVmNetwork *self);

G_END_DECLS
