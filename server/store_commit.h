/* store_commit.h — answerfile fetches counted in batches (group commit).
 *
 * Every answerfile fetch is counted durably before the answerfile leaves
 * (the boot-loop guard depends on it): attempts + 1 on its arming, the
 * host to HOST_INSTALLING, and its event, in one transaction committed
 * with synchronous=FULL. One fsync per fetch would limit the server to a
 * few thousand fetches per second, so fetches are queued and a committer
 * thread of the store writes whatever is queued in one transaction: one
 * fetch when the server is idle (no waiting for company: the commit
 * starts as soon as the committer is free), many under load, where the
 * queue fills while the previous commit is on its way to the disk.
 *
 * A fetch is counted only while its arming is active: a fetch queued
 * before a callback, disarm, re-arm or the loop guard ended the arming,
 * but committed after it, changes nothing (no count, no host state, no
 * event) and says so (STORE_FETCH_INACTIVE). So a late batch never undoes
 * a result.
 *
 * The committer thread starts with the first fetch queued and stops in
 * store_close, after committing everything queued.
 */
#ifndef POOLBOOT_STORE_COMMIT_H
#define POOLBOOT_STORE_COMMIT_H

#include <stdint.h>

struct store;

/* What became of a queued fetch. */
enum store_fetch_result {
	STORE_FETCH_COUNTED = 0,	/* on disk: attempts is the new count */
	STORE_FETCH_INACTIVE = 1,	/* the arming had ended: nothing written */
	STORE_FETCH_ERROR = -1		/* not written (logged) */
};

/* One answerfile fetch to count. The caller fills the fields above the
 * line; the committer fills result and attempts, then calls done once,
 * on its own thread, holding none of the store's locks (done may free f,
 * and may use the store except store_commit_count).
 *
 * landed (may be NULL) is for work done once per transaction rather than
 * once per fetch: after a transaction, before any of its fetches' done,
 * each distinct landed of its fetches is called once, with the whole
 * batch (every fetch of the transaction, results set, linked by next, in
 * queue order; landed handles those whose landed is itself and leaves
 * the others, and frees none). Same thread and locks as done. */
struct store_fetch {
	int64_t	 arming_id;
	int64_t	 now;
	char	 pool[64];		/* of the event */
	char	 kind[32];		/* the event: "fetch", "refused" */
	char	 message[512];
	void	(*done)(struct store_fetch *f);
	void	(*landed)(struct store_fetch *batch);
	void	*arg;			/* done's and landed's, untouched
					 * here */
	/* ---- */
	enum store_fetch_result result;
	int	 attempts;
	struct store_fetch *next;	/* the committer's queue */
};

/* Queues f (done set) for the next transaction. 0, or -1 when the store
 * is read-only, closing or the committer cannot start (logged): done is
 * then never called. */
int   store_commit_queue(struct store *st, struct store_fetch *f);

/* Counts f and waits until its transaction has committed: f->result
 * (f->done, f->landed and f->arg are not used). */
enum store_fetch_result store_commit_count(struct store *st,
	    struct store_fetch *f);

/* How many transactions and fetches the committer has written, for
 * tests and the benchmark (fetches / transactions = mean batch). */
void  store_commit_stats(struct store *st, uint64_t *transactions,
	    uint64_t *fetches);

/* Stops the committer after it has written what is queued (store_close
 * calls it). */
void  store_commit_stop(struct store *st);

#endif
