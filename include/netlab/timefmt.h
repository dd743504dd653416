/*
 * Timestamp formatting without a localtime() per packet: glibc's localtime()
 * stats the zone file on every call when TZ is unset. The UTC offset is
 * computed once per hour of capture time and cached.
 */
#ifndef NETLAB_TIMEFMT_H
#define NETLAB_TIMEFMT_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"
#include "netlab/outbuf.h"

enum nl_time_style {
	NL_TIME_LOCAL,    /* HH:MM:SS.ffffff, local time (default, as tcpdump) */
	NL_TIME_UTC,      /* HH:MM:SS.ffffff in UTC */
	NL_TIME_RELATIVE, /* seconds since the first packet */
	NL_TIME_DELTA,    /* seconds since the previous packet */
	NL_TIME_EPOCH,    /* seconds since 1970 */
	NL_TIME_DATE,     /* YYYY-MM-DD HH:MM:SS.ffffff, local */
	NL_TIME_NONE,
	NL_TIME_STYLE_COUNT
};

struct nl_timefmt {
	enum nl_time_style style;
	unsigned digits;        /* 6 (µs) or 9 (ns) */
	int64_t cached_hour;    /* sec / 3600 the offset was computed for */
	int64_t cached_offset;  /* seconds east of UTC */
	bool have_cache;
	bool have_first;
	struct nl_time first, prev;
};

void nl_timefmt_init(struct nl_timefmt *tf, enum nl_time_style style,
		     unsigned digits);
void nl_timefmt_write(struct nl_timefmt *tf, struct nl_outbuf *o,
		      const struct nl_time *ts);
/* ISO 8601 UTC with fraction, for JSON: 2026-11-22T01:48:07.123456789Z */
void nl_time_write_iso(struct nl_outbuf *o, const struct nl_time *ts);
/* Seconds as a decimal with 9 digits: 1700000000.123456789 */
void nl_time_write_epoch(struct nl_outbuf *o, const struct nl_time *ts);

#endif
