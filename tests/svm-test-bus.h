#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A private system bus (dbus-daemon with a test policy and the one sVirt Manager installs),
 * a stand-in polkit authority on it (python-dbusmock's polkitd template, which logs each call
 * it gets) and svirt-helper as root. Starting it points DBUS_SYSTEM_BUS_ADDRESS of this
 * process, and so of what it spawns, at the bus. */
void svm_test_bus_start(void);
/* Stops all three and removes their folder, with the helper's log in the test log. */
void svm_test_bus_stop(void);
GDBusConnection *svm_test_bus_connection(void);
const char *svm_test_bus_address(void);
/* What polkit grants from now on: these actions, to anyone; every other action is refused. */
void svm_test_bus_allow(const char *const *actions);
/* Spawns @argv (found on PATH) with @envp (NULL: this process's), its output in @log in the
 * bus's folder; it gets SIGTERM when this process ends. */
GPid svm_test_bus_spawn(const char *const *argv, const char *const *envp, const char *log);
/* Ends @pid and reaps it; sets it to 0. */
void svm_test_bus_kill(GPid *pid);
/* Whether a client owns bus name @name (a const char *), for svm_test_wait_for(). */
gboolean svm_test_bus_has_owner(gpointer name);
/* The helper's process, for tests that stop and start it. */
GPid *svm_test_bus_helper_pid(void);
/* The text of @log in the bus's folder; "" when there is none. */
char *svm_test_bus_read_log(const char *log);
/* The log of the calls the stand-in polkit got (CheckAuthorization, with each action). */
#define SVM_TEST_BUS_POLKIT_CALLS "polkit-calls.log"
/* svirtctl -c qemu:///system @args (the program SVIRTCTL names) as @user in group nogroup,
 * with @user's supplementary groups when @user_groups, else none; its exit status (-1 when it
 * did not exit), its output in @out and @err when they are not NULL. */
int svm_test_bus_svirtctl_as(const char *user, gboolean user_groups, const char *const *args,
                             char **out, char **err);
/* Why the bus, the helper or an unprivileged client cannot run here; NULL when they can. */
const char *svm_test_bus_missing(void);

G_END_DECLS
