/* config_mode.c — see config_mode.h. */
#include "config_mode.h"

#include <string.h>

#include "state.h"

static const char *const config_mode_names[MODE_COUNT] = {
	"upgrade", "fresh", "reinstall", "restore"
};

const char *
config_mode_name(enum host_mode m)
{
	return (unsigned)m < MODE_COUNT ? config_mode_names[m] : "unknown";
}

int
config_mode_parse(const char *s, enum host_mode *m)
{
	int i = state_lookup(config_mode_names, MODE_COUNT, s);

	if (i == -1)
		return -1;
	*m = (enum host_mode)i;
	return 0;
}
