#pragma once

#include <glib.h>
#include <sys/stat.h>

G_BEGIN_DECLS

/* The backing file name and format a qcow2 header names (@backing NULL when it names none;
 * @format NULL when no header extension gives it), and @st of the file. Only for files whose
 * format is known to be qcow2: reading the header of anything else would let a guest choose
 * what the host labels. The error says what is wrong with the file, in a clause that follows
 * its path. */
gboolean svirt_qcow2_read_backing(const char *path, struct stat *st, char **backing,
                                  char **format, GError **error);

G_END_DECLS
