#include "config.h"

#include <arpa/inet.h>
#include <glib/gi18n-lib.h>
#include <libvirt/virterror.h>
#include <libxml/tree.h>
#include <stdlib.h>
#include <string.h>

#include "svirt-domain-xml.h"
#include "svirt-graphics.h"
#include "svirt-private.h"
#include "svirt-task.h"

void
svirt_display_free(SvirtDisplay *display)
{
    if (!display)
        return;
    g_free(display->type);
    g_free(display->address);
    g_free(display);
}

const char *
svirt_display_kind_to_string(SvirtDisplayKind kind)
{
    switch (kind) {
    case SVIRT_DISPLAY_VNC:
        return "vnc";
    case SVIRT_DISPLAY_SPICE:
        return "spice";
    case SVIRT_DISPLAY_NONE:
        return "none";
    default:
        g_return_val_if_reached("unknown");
    }
}

gboolean
svirt_display_kind_parse(const char *text, SvirtDisplayKind *kind, GError **error)
{
    static const SvirtDisplayKind kinds[] = { SVIRT_DISPLAY_VNC, SVIRT_DISPLAY_SPICE,
                                              SVIRT_DISPLAY_NONE };

    for (gsize i = 0; text && i < G_N_ELEMENTS(kinds); i++) {
        if (g_ascii_strcasecmp(text, svirt_display_kind_to_string(kinds[i])) == 0) {
            *kind = kinds[i];
            return TRUE;
        }
    }
    g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_INVALID_SETTINGS,
                _("'%s' is not a kind of display. Choose vnc, spice or none."),
                text ? text : "");
    return FALSE;
}

static SvirtDisplayListen
listen_of_type(const char *type)
{
    if (g_strcmp0(type, "none") == 0)
        return SVIRT_DISPLAY_LISTEN_NONE;
    if (g_strcmp0(type, "network") == 0)
        return SVIRT_DISPLAY_LISTEN_NETWORK;
    if (g_strcmp0(type, "socket") == 0)
        return SVIRT_DISPLAY_LISTEN_SOCKET;
    return SVIRT_DISPLAY_LISTEN_ADDRESS;
}

/* libvirt writes where a display listens as a <listen> child, and for older definitions as the
 * listen= or socket= attribute of <graphics>; the first <listen> decides, as for QEMU. */
static void
read_listen(xmlNode *graphics, SvirtDisplay *display)
{
    xmlNode *listen = svirt_xml_child(graphics, "listen");

    if (listen) {
        g_autofree char *type = svirt_xml_prop(listen, "type");
        g_autofree char *address = svirt_xml_prop(listen, "address");

        display->listen = listen_of_type(type);
        /* A live definition names the address a network gave. */
        if (display->listen == SVIRT_DISPLAY_LISTEN_NETWORK)
            display->address = address ? g_steal_pointer(&address)
                                       : svirt_xml_prop(listen, "network");
        else if (display->listen == SVIRT_DISPLAY_LISTEN_SOCKET)
            display->address = svirt_xml_prop(listen, "socket");
        else if (display->listen == SVIRT_DISPLAY_LISTEN_ADDRESS)
            display->address = g_steal_pointer(&address);
        return;
    }
    if ((display->address = svirt_xml_prop(graphics, "socket"))) {
        display->listen = SVIRT_DISPLAY_LISTEN_SOCKET;
        return;
    }
    display->listen = SVIRT_DISPLAY_LISTEN_ADDRESS;
    display->address = svirt_xml_prop(graphics, "listen");
}

static SvirtDisplay *
read_display(xmlNode *graphics)
{
    SvirtDisplay *display = g_new0(SvirtDisplay, 1);
    g_autofree char *port = svirt_xml_prop(graphics, "port");
    g_autofree char *passwd = svirt_xml_prop(graphics, "passwd");

    display->type = svirt_xml_prop(graphics, "type");
    display->password = passwd != NULL && *passwd != '\0';
    if (port && atoi(port) > 0)
        display->port = atoi(port);
    if (g_strcmp0(display->type, "vnc") == 0 || g_strcmp0(display->type, "spice") == 0 ||
        g_strcmp0(display->type, "rdp") == 0)
        read_listen(graphics, display);
    else
        display->listen = SVIRT_DISPLAY_LISTEN_LOCAL;
    return display;
}

GPtrArray *
svirt_display_list(const char *xml)
{
    GPtrArray *list = g_ptr_array_new_with_free_func((GDestroyNotify)svirt_display_free);
    g_autoptr(xmlDoc) doc = xml ? svirt_xml_parse(xml, NULL) : NULL;
    xmlNode *devices = doc ? svirt_xml_child(xmlDocGetRootElement(doc), "devices") : NULL;

    for (xmlNode *n = devices ? devices->children : NULL; n; n = n->next) {
        if (svirt_xml_is(n, "graphics"))
            g_ptr_array_add(list, read_display(n));
    }
    return list;
}

gboolean
svirt_display_address_is_loopback(const char *address)
{
    struct in_addr v4;
    struct in6_addr v6;
    g_autofree char *bare = NULL;

    if (address == NULL || *address == '\0')
        return FALSE;
    if (g_ascii_strcasecmp(address, "localhost") == 0)
        return TRUE;
    bare = g_strdup(address[0] == '[' ? address + 1 : address);
    if (bare[0] && bare[strlen(bare) - 1] == ']')
        bare[strlen(bare) - 1] = '\0';
    if (inet_pton(AF_INET, bare, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, bare, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6) ||
               (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
    return FALSE;
}

gboolean
svirt_display_is_exposed(const SvirtDisplay *display)
{
    return display->listen == SVIRT_DISPLAY_LISTEN_ADDRESS ||
           display->listen == SVIRT_DISPLAY_LISTEN_NETWORK;
}

static const char *
type_name(const char *type)
{
    if (g_strcmp0(type, "vnc") == 0)
        return "VNC";
    if (g_strcmp0(type, "spice") == 0)
        return "SPICE";
    if (g_strcmp0(type, "rdp") == 0)
        return "RDP";
    return type ? type : "?";
}

/* "0.0.0.0:5900", "0.0.0.0 (port chosen at start)", "the network 'default'". */
static char *
describe_place(const SvirtDisplay *display)
{
    const char *address = display->address;

    if (display->listen == SVIRT_DISPLAY_LISTEN_NETWORK && address &&
        !g_hostname_is_ip_address(address))
        return g_strdup_printf(_("an address of the network '%s'"), address);
    if (address == NULL)
        address = _("the host's default address");
    if (display->port > 0)
        return g_strdup_printf(strchr(address, ':') ? "[%s]:%d" : "%s:%d", address,
                               display->port);
    /* TRANSLATORS: %s is an address such as 0.0.0.0 */
    return g_strdup_printf(_("%s (port chosen at start)"), address);
}

static char *
describe_exposed(const SvirtDisplay *display)
{
    g_autofree char *place = describe_place(display);
    const char *name = type_name(display->type);
    gboolean loopback = display->listen == SVIRT_DISPLAY_LISTEN_ADDRESS &&
                        (display->address == NULL ||
                         svirt_display_address_is_loopback(display->address));

    if (loopback && display->password)
        return g_strdup_printf(_("%s on %s with a password: users of this host who know it "
                                 "can reach it."),
                               name, place);
    if (loopback)
        return g_strdup_printf(_("%s on %s without a password: any user of this host can see "
                                 "and use this VM."),
                               name, place);
    if (display->password)
        return g_strdup_printf(_("%s on %s with a password: anyone on the network who learns "
                                 "it can see and use this VM."),
                               name, place);
    return g_strdup_printf(_("%s on %s without a password: anyone on the network can see and "
                             "use this VM."),
                           name, place);
}

static char *
describe_one(const SvirtDisplay *display)
{
    const char *name = type_name(display->type);

    switch (display->listen) {
    case SVIRT_DISPLAY_LISTEN_NONE:
        return g_strdup_printf(_("%s through libvirt only; nothing listens on the network."),
                               name);
    case SVIRT_DISPLAY_LISTEN_SOCKET:
        if (display->address)
            return g_strdup_printf(_("%s on the UNIX socket %s."), name, display->address);
        return g_strdup_printf(_("%s on a UNIX socket libvirtd creates at start."), name);
    case SVIRT_DISPLAY_LISTEN_LOCAL:
        return g_strdup_printf(_("A %s display on the host itself."), display->type);
    case SVIRT_DISPLAY_LISTEN_ADDRESS:
    case SVIRT_DISPLAY_LISTEN_NETWORK:
    default:
        return describe_exposed(display);
    }
}

char *
svirt_display_describe_reach(const char *xml)
{
    g_autoptr(GPtrArray) displays = svirt_display_list(xml);
    g_autoptr(GString) text = g_string_new(NULL);

    if (displays->len == 0)
        return g_strdup(_("No display: serial console only."));
    for (guint i = 0; i < displays->len; i++) {
        g_autofree char *one = describe_one(g_ptr_array_index(displays, i));

        g_string_append_printf(text, "%s%s", text->len ? " " : "", one);
    }
    return g_string_free(g_steal_pointer(&text), FALSE);
}

/* Whether <enum name='@name'> of @element in the domain capabilities @caps holds @value. */
static gboolean
caps_has_value(xmlDoc *caps, const char *element, const char *name, const char *value)
{
    g_autofree char *expr = g_strdup_printf("string(/domainCapabilities/devices/%s"
                                            "[@supported='yes']/enum[@name='%s']"
                                            "/value[text()='%s'])",
                                            element, name, value);
    g_autofree char *found = svirt_xml_eval_string(caps, expr);

    return found != NULL;
}

gboolean
svirt_engine_has_display_kind(SvirtEngine *engine, SvirtDisplayKind kind, const char *virt_type,
                              GError **error)
{
    g_autoptr(virConnect) conn = NULL;
    g_autoptr(xmlDoc) caps = NULL;
    char *xml;
    gboolean has;

    g_return_val_if_fail(SVIRT_IS_ENGINE(engine), FALSE);
    if (kind == SVIRT_DISPLAY_NONE)
        return TRUE;
    conn = svirt_engine_dup_connection(engine, error);
    if (!conn)
        return FALSE;
    xml = virConnectGetDomainCapabilities(conn, NULL, "x86_64", "pc",
                                          virt_type ? virt_type : "qemu", 0);
    if (!xml) {
        svirt_engine_set_libvirt_error(error, SVIRT_ERROR_LIBVIRT, NULL,
                                       _("Could not read which displays the host's QEMU offers"));
        return FALSE;
    }
    caps = svirt_xml_parse(xml, error);
    free(xml);
    if (!caps)
        return FALSE;
    if (kind == SVIRT_DISPLAY_SPICE)
        has = caps_has_value(caps, "graphics", "type", "spice") &&
              caps_has_value(caps, "video", "modelType", "qxl");
    else
        has = caps_has_value(caps, "graphics", "type", "vnc") &&
              caps_has_value(caps, "video", "modelType", "vga");
    return has;
}

static gboolean
has_kind_call(gpointer source, SvirtTaskArgs *args, gpointer *result, GCancellable *cancellable,
              GError **error)
{
    GError *local = NULL;
    gboolean has = svirt_engine_has_display_kind(source, args->number, args->text, &local);

    if (local) {
        g_propagate_error(error, local);
        return FALSE;
    }
    *result = GINT_TO_POINTER(has);
    return TRUE;
}

void
svirt_engine_has_display_kind_async(SvirtEngine *engine, SvirtDisplayKind kind,
                                    const char *virt_type, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
    SvirtTaskArgs *args = svirt_task_args_new(NULL);

    args->number = kind;
    args->text = g_strdup(virt_type);
    svirt_task_run(engine, svirt_engine_has_display_kind_async, has_kind_call, args, NULL,
                   SVIRT_TASK_CANCEL_DROPS, cancellable, callback, user_data);
}

gboolean
svirt_engine_has_display_kind_finish(SvirtEngine *engine, GAsyncResult *result, GError **error)
{
    return GPOINTER_TO_INT(
               svirt_task_finish_pointer(engine, svirt_engine_has_display_kind_async, result,
                                         error)) != 0;
}
