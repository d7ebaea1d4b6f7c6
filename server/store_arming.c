/* store_arming.c — an armings row's reader; see store_arming.h. */
#include "store_arming.h"

#include <string.h>

#include "log.h"
#include "store_db.h"

int
store_arming_read(struct store_stmt *s, struct arming *a)
{
	char mode[16];

	memset(a, 0, sizeof(*a));
	a->id = store_db_col_int64(s, 0);
	store_db_col_text(s, 1, a->host, sizeof(a->host));
	store_db_col_text(s, 2, a->token_hash, sizeof(a->token_hash));
	store_db_col_text(s, 3, mode, sizeof(mode));
	a->armed_at = store_db_col_int64(s, 4);
	a->first_fetch_at = store_db_col_int64(s, 5);
	a->last_fetch_at = store_db_col_int64(s, 6);
	a->attempts = store_db_col_int(s, 7);
	a->active = store_db_col_int(s, 8);
	a->finished_at = store_db_col_int64(s, 9);
	store_db_col_text(s, 10, a->result, sizeof(a->result));
	store_db_col_text(s, 11, a->reason, sizeof(a->reason));
	store_db_col_text(s, 12, a->purpose, sizeof(a->purpose));
	if (config_mode_parse(mode, &a->mode) == -1) {
		log_error("store", "arming %lld has an unknown mode \"%s\"",
		    (long long)a->id, mode);
		return -1;
	}
	return 0;
}
