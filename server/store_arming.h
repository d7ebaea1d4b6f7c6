/* store_arming.h — an armings row: the struct, its columns and their
 * reader, shared by store.c (one host) and store_hosts.c (many). */
#ifndef POOLBOOT_STORE_ARMING_H
#define POOLBOOT_STORE_ARMING_H

#include <stdint.h>

#include "config.h"

struct store_stmt;

struct arming {
	int64_t	 id;
	char	 host[64];
	char	 token_hash[65];
	enum host_mode mode;
	int64_t	 armed_at;
	int64_t	 first_fetch_at;	/* 0 = never */
	int64_t	 last_fetch_at;
	int	 attempts;		/* answerfile fetches */
	int	 active;		/* 1 while the token is valid */
	int64_t	 finished_at;		/* 0 while active */
	char	 result[16];		/* "", "done", "failed", "disarmed" */
	char	 reason[256];
	char	 purpose[16];		/* "" (inventory mode) or "rebuild" */
};

/* The columns a SELECT names for store_arming_read, in its order. */
#define STORE_ARMING_COLS \
	"id, host, token_hash, mode, armed_at, first_fetch_at, last_fetch_at," \
	" attempts, active, finished_at, result, reason, purpose"

/* Reads the current row of s (STORE_ARMING_COLS) into a: 0, or -1 when
 * its mode is unknown (logged). */
int   store_arming_read(struct store_stmt *s, struct arming *a);

#endif
