#pragma once

#include <glib.h>
#include <stdlib.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libvirt/libvirt.h>

#include "svirt-plan.h"

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlParserCtxt, xmlFreeParserCtxt)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlBuffer, xmlBufferFree)

/* libxml2 strings go back to libxml2's allocator. */
typedef xmlChar XmlString;

static inline void
svirt_xml_string_free(XmlString *str)
{
    xmlFree(str);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC(XmlString, svirt_xml_string_free)

/* Strings libvirt returns are malloc()ed and go back with free(), not g_free(). */
typedef char VirString;

G_DEFINE_AUTOPTR_CLEANUP_FUNC(VirString, free)

/* Called for each file in the plan of each VM on a connection, with the path resolved (the
 * plan's path when it does not resolve). */
typedef void (*SvirtVmFileFunc)(virDomainPtr dom, const char *uuid, const SvirtPlanItem *item,
                                const char *resolved, gpointer user_data);

/* Walks the files every VM on @conn uses, as planned from its persistent definition; only
 * paths and designations are meaningful, the labels are placeholders. FALSE, with libvirt's
 * error left for the caller, when the VMs cannot be listed. */
gboolean svirt_foreach_vm_file(virConnectPtr conn, SvirtVmFileFunc func, gpointer user_data);

G_END_DECLS
