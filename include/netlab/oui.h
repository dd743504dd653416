/*
 * MAC vendor look-up from the IEEE registries as Debian's ieee-data package
 * installs them (oui.csv, mam.csv, oui36.csv). Loaded once, on first use;
 * when the files are missing every look-up returns NULL and printers fall
 * back to plain hex.
 */
#ifndef NETLAB_OUI_H
#define NETLAB_OUI_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/status.h"

#define NL_OUI_DEFAULT_DIR "/usr/share/ieee-data"

struct nl_oui_db;

/* dir NULL: $NETLAB_IEEE_DATA or NL_OUI_DEFAULT_DIR. A missing dir is not an
 * error: the db is empty. */
NL_WUR enum nl_status nl_oui_load(struct nl_oui_db **out, const char *dir,
				  char *errbuf);
void nl_oui_free(struct nl_oui_db *db);

/* Organisation name for a MAC, or NULL (unknown, or db NULL/empty). */
const char *nl_oui_lookup(const struct nl_oui_db *db, const uint8_t mac[6]);
uint32_t nl_oui_count(const struct nl_oui_db *db);

/* Address bits: I/G (group: broadcast or multicast) and U/L (locally
 * administered, so no vendor). */
static inline bool nl_mac_is_broadcast(const uint8_t m[6])
{
	return (m[0] & m[1] & m[2] & m[3] & m[4] & m[5]) == 0xff;
}
static inline bool nl_mac_is_group(const uint8_t m[6])
{
	return (m[0] & 1) != 0;
}
static inline bool nl_mac_is_local(const uint8_t m[6])
{
	return (m[0] & 2) != 0;
}

#endif
