/*
 * Output sinks. Each format is a sink of its own: the one-line text printer,
 * the layered -v printer, the hex dump, JSON Lines and the end-of-run text
 * summary. Sinks write to a struct nl_outbuf they do not own.
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
/* --json: JSON Lines, one object per packet and notice, a summary object last. */
NL_WUR enum nl_status nl_sink_json_new(struct nl_sink *out, struct nl_outbuf *o,
				       const struct nl_report_opts *opts);
/* --conns: one row per TCP connection, a table at the end of the run. */
NL_WUR enum nl_status nl_sink_conns_new(struct nl_sink *out, struct nl_outbuf *o,
					const struct nl_report_opts *opts);
/* --ladder: each TCP connection as a sequence diagram. */
NL_WUR enum nl_status nl_sink_ladder_new(struct nl_sink *out, struct nl_outbuf *o,
					 const struct nl_report_opts *opts);
/* The text summary at the end of the run (also the only output with -q). */
NL_WUR enum nl_status nl_sink_summary_new(struct nl_sink *out, struct nl_outbuf *o,
					  const struct nl_report_opts *opts);

#endif
