/*
 * Output sinks. Each format is a sink of its own: the one-line text printer,
 * the layered -v printer, the hex dump, JSON Lines, the connection table,
 * the ladder, the stream-analysis views (--messages, --map, --follow) and
 * the end-of-run text summary. Sinks write to a struct nl_outbuf they do
 * not own.
 */
#ifndef NETLAB_REPORT_H
#define NETLAB_REPORT_H

#include <stdbool.h>

#include "netlab/event.h"
#include "netlab/outbuf.h"
#include "netlab/status.h"
#include "netlab/timefmt.h"

struct nl_oui_db;

struct nl_report_opts {
	enum nl_time_style time_style;
	unsigned time_digits;        /* 6 or 9 */
	bool link;                   /* -e: link-level header on each line */
	bool hex;                    /* -x: hex of the packet */
	bool hex_ascii;              /* -X: hex and ASCII */
	bool verify_checksums;       /* show checksum results */
	const struct nl_oui_db *oui; /* vendor names; NULL: hex only */
	bool absolute;               /* -S: absolute TCP seq/ack numbers */
	bool conns;                  /* --conns: connection table / objects */
	uint64_t ladder_id;          /* --ladder ID (0: every connection) */
	bool ascii;                  /* --ascii: no Unicode box drawing */
	uint64_t map_id;             /* --map ID (0: every connection) */
	unsigned width;              /* --map: columns (0: 80) */
	uint64_t follow_id;          /* --follow / --follow-raw ID */
	uint8_t follow_dir;          /* --follow-raw: NL_CLIENT (c2s) or
					NL_SERVER (s2c) */
};

/* One line per packet (and one per notice). */
NL_WUR enum nl_status nl_sink_text_new(struct nl_sink *out, struct nl_outbuf *o,
				       const struct nl_report_opts *opts);
/* -v: one indented block per layer (link, network, transport, application). */
NL_WUR enum nl_status nl_sink_verbose_new(struct nl_sink *out, struct nl_outbuf *o,
					  const struct nl_report_opts *opts);
/* -x / -X: hex dump of each packet, after the packet's text. */
NL_WUR enum nl_status nl_sink_hex_new(struct nl_sink *out, struct nl_outbuf *o,
				      const struct nl_report_opts *opts);
/* --json: JSON Lines, one object per packet and notice (and, under stream
 * analysis, per message, flow note and late map), a summary object last. */
NL_WUR enum nl_status nl_sink_json_new(struct nl_sink *out, struct nl_outbuf *o,
				       const struct nl_report_opts *opts);
/* --conns: one row per TCP connection, a table at the end of the run. */
NL_WUR enum nl_status nl_sink_conns_new(struct nl_sink *out, struct nl_outbuf *o,
					const struct nl_report_opts *opts);
/* --ladder: each TCP connection as a sequence diagram. */
NL_WUR enum nl_status nl_sink_ladder_new(struct nl_sink *out, struct nl_outbuf *o,
					 const struct nl_report_opts *opts);
/* --messages: one line per message as it ends, and the flow notes. */
NL_WUR enum nl_status nl_sink_messages_new(struct nl_sink *out,
					   struct nl_outbuf *o,
					   const struct nl_report_opts *opts);
/* --map: at each connection's end, segment boundaries above message
 * boundaries on one byte axis, per direction. */
NL_WUR enum nl_status nl_sink_map_new(struct nl_sink *out, struct nl_outbuf *o,
				      const struct nl_report_opts *opts);
/* --follow ID: the reassembled conversation, message by message. */
NL_WUR enum nl_status nl_sink_follow_new(struct nl_sink *out,
					 struct nl_outbuf *o,
					 const struct nl_report_opts *opts);
/* --follow-raw ID DIR: one direction's bytes, unescaped (for a file). */
NL_WUR enum nl_status nl_sink_follow_raw_new(struct nl_sink *out,
					     struct nl_outbuf *o,
					     const struct nl_report_opts *opts);
/* The text summary at the end of the run (also the only output with -q). */
NL_WUR enum nl_status nl_sink_summary_new(struct nl_sink *out, struct nl_outbuf *o,
					  const struct nl_report_opts *opts);

#endif
