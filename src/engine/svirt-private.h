#pragma once

#include <glib.h>
#include <stdlib.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>

G_BEGIN_DECLS

G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlDoc, xmlFreeDoc)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathContext, xmlXPathFreeContext)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(xmlXPathObject, xmlXPathFreeObject)

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

G_END_DECLS
