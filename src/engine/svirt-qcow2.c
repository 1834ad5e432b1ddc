#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <string.h>
#include <unistd.h>

#include "svirt-error.h"
#include "svirt-qcow2.h"

#define QCOW2_MAGIC 0x514649fbU /* "QFI\xfb" */
#define QCOW2_EXT_END 0x00000000U
#define QCOW2_EXT_BACKING_FORMAT 0xe2792acaU
#define QCOW2_V2_HEADER_SIZE 72
#define QCOW2_V3_HEADER_SIZE 104
/* QEMU refuses longer backing file names. */
#define QCOW2_MAX_BACKING_NAME 1023
/* Header extensions sit in the first cluster; this is more than any real image uses. */
#define QCOW2_MAX_EXTENSION_AREA 65536
#define MAX_FORMAT_NAME 32

/* Reads up to @len bytes at @offset; fewer only at the end of the file or on an error. */
static gsize
read_at(int fd, void *buf, gsize len, goffset offset)
{
    gsize got = 0;

    while (got < len) {
        ssize_t n = pread(fd, (guint8 *)buf + got, len - got, offset + got);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += n;
    }
    return got;
}

static gboolean
read_full(int fd, void *buf, gsize len, goffset offset)
{
    return read_at(fd, buf, len, offset) == len;
}

static guint32
be32(const guint8 *p)
{
    guint32 v;

    memcpy(&v, p, sizeof(v));
    return GUINT32_FROM_BE(v);
}

static guint64
be64(const guint8 *p)
{
    guint64 v;

    memcpy(&v, p, sizeof(v));
    return GUINT64_FROM_BE(v);
}

static gboolean
format_name_valid(const char *name, gsize len)
{
    if (len == 0 || len > MAX_FORMAT_NAME)
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_')
            return FALSE;
    }
    return TRUE;
}

typedef struct {
    guint32 version;
    guint64 backing_offset;
    guint32 backing_size;
    guint32 cluster_bits;
    guint32 header_size;
} Header;

static gboolean
read_header(int fd, Header *h, GError **error)
{
    guint8 header[QCOW2_V3_HEADER_SIZE] = { 0 };

    if (!read_full(fd, header, QCOW2_V2_HEADER_SIZE, 0) || be32(header) != QCOW2_MAGIC) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("it is declared qcow2 but has no qcow2 header"));
        return FALSE;
    }
    h->version = be32(header + 4);
    h->backing_offset = be64(header + 8);
    h->backing_size = be32(header + 16);
    h->cluster_bits = be32(header + 20);
    if (h->version != 2 && h->version != 3) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("it has qcow2 version %u, only versions 2 and 3 are known"), h->version);
        return FALSE;
    }
    h->header_size = QCOW2_V2_HEADER_SIZE;
    if (h->version == 3) {
        if (!read_full(fd, header, QCOW2_V3_HEADER_SIZE, 0)) {
            g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                        _("its qcow2 header is truncated"));
            return FALSE;
        }
        h->header_size = be32(header + 100);
    }
    return TRUE;
}

static gboolean
read_backing_name(int fd, const Header *h, char **name, GError **error)
{
    g_autofree char *read = NULL;

    *name = NULL;
    if (h->backing_offset == 0)
        return TRUE;
    if (h->backing_size == 0 || h->backing_size > QCOW2_MAX_BACKING_NAME ||
        h->backing_offset > (guint64)G_MAXINT64 - h->backing_size) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("its backing file name has an invalid length (%u bytes)"), h->backing_size);
        return FALSE;
    }
    read = g_malloc0(h->backing_size + 1);
    if (!read_full(fd, read, h->backing_size, (goffset)h->backing_offset) ||
        strlen(read) != h->backing_size) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("its backing file name cannot be read"));
        return FALSE;
    }
    *name = g_steal_pointer(&read);
    return TRUE;
}

/* The backing format from the header extensions, which follow the header inside the first
 * cluster. */
static char *
read_backing_format(int fd, const Header *h)
{
    guint32 ext_len = MIN(QCOW2_MAX_EXTENSION_AREA,
                          h->cluster_bits < 31 ? 1U << h->cluster_bits : 0U);
    g_autofree guint8 *ext = NULL;
    gsize got;

    if (h->header_size < QCOW2_V2_HEADER_SIZE || ext_len <= h->header_size)
        return NULL;
    ext = g_malloc0(ext_len);
    got = read_at(fd, ext, ext_len, 0);
    for (gsize off = h->header_size; off + 8 <= got;) {
        guint32 type = be32(ext + off);
        guint32 len = be32(ext + off + 4);

        off += 8;
        if (type == QCOW2_EXT_END || len > got - off)
            break;
        if (type == QCOW2_EXT_BACKING_FORMAT && format_name_valid((char *)ext + off, len))
            return g_strndup((char *)ext + off, len);
        off += ((gsize)len + 7) & ~(gsize)7;
    }
    return NULL;
}

static gboolean
read_backing(int fd, struct stat *st, char **backing, char **format, GError **error)
{
    Header h = { 0 };

    if (!S_ISREG(st->st_mode) && !S_ISBLK(st->st_mode)) {
        g_set_error(error, SVIRT_ERROR, SVIRT_ERROR_FAILED,
                    _("it is neither a regular file nor a block device"));
        return FALSE;
    }
    if (!read_header(fd, &h, error) || !read_backing_name(fd, &h, backing, error))
        return FALSE;
    if (*backing)
        *format = read_backing_format(fd, &h);
    return TRUE;
}

gboolean
svirt_qcow2_read_backing(const char *path, struct stat *st, char **backing, char **format,
                         GError **error)
{
    gboolean ok;
    int fd, saved;

    *backing = NULL;
    *format = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0 || fstat(fd, st) < 0) {
        saved = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, SVIRT_ERROR,
                    saved == ENOENT ? SVIRT_ERROR_NOT_FOUND : SVIRT_ERROR_FAILED,
                    _("cannot open it: %s"), g_strerror(saved));
        return FALSE;
    }
    ok = read_backing(fd, st, backing, format, error);
    close(fd);
    return ok;
}
