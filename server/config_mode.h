/* config_mode.h — what a host's installation does (its "mode"), and the
 * one name table of the modes: the names are the inventory's mode = values,
 * the answerfile template names (answerfile-<name>.xml) and what the CLI,
 * the API and the logs show.
 */
#ifndef POOLBOOT_CONFIG_MODE_H
#define POOLBOOT_CONFIG_MODE_H

enum host_mode {
	MODE_UPGRADE = 0,	/* <installation mode="upgrade">: keeps dom0 config and VMs */
	MODE_FRESH,		/* <installation mode="fresh">: wipes the disk */
	MODE_REINSTALL,		/* <installation mode="reinstall">: backup, config not kept */
	MODE_RESTORE,		/* <restore>: restores the backup partition */
	MODE_COUNT
};

/* "upgrade", "fresh", "reinstall", "restore"; "unknown" for anything else.
 * A static string. */
const char *config_mode_name(enum host_mode m);
/* The mode named s into *m: 0; -1 (and *m untouched) for any other s. */
int   config_mode_parse(const char *s, enum host_mode *m);

#endif
