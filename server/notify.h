/* notify.h — "an installer reported back", announced once by arm.c and
 * heard by whoever `poolboot serve` wires up: the rolling-upgrade
 * coordinators and the jobs (so a waiting step moves on at once instead of
 * at its next poll) and the metrics counters. The announcer knows none of
 * them, which keeps arm and http free of the coordinator, the jobs and the
 * metrics.
 *
 * Listeners are added before the server starts serving and never removed;
 * announcing is then lock-free. A listener runs on the thread that took
 * the installer's callback (an HTTP worker), after arm has released its
 * lock: it must be quick and must not call back into arm.
 */
#ifndef POOLBOOT_NOTIFY_H
#define POOLBOOT_NOTIFY_H

/* host: the inventory name; result: what the installer reported (0 done,
 * anything else failed). host is only valid during the call. */
typedef void notify_fn(void *arg, const char *host, int result);

struct notify;

/* 0, or -1 (out of memory). Free with notify_free (NULL is safe). */
int   notify_new(struct notify **out);
void  notify_free(struct notify *n);

/* Adds a listener, called with arg at every announcement. Not
 * thread-safe: add every listener before the first notify_install_done.
 * 0, or -1 (out of memory). */
int   notify_listen(struct notify *n, notify_fn *fn, void *arg);

/* Calls every listener in the order they were added. n NULL: nothing. */
void  notify_install_done(struct notify *n, const char *host, int result);

#endif
