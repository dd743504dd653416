/*
 * Stream-analysis output shared by the sinks (internal to src/report): the
 * words for segment maps, messages and flow notes, the text forms the
 * one-line, -v, --messages and --follow printers share, and the staging
 * buffer that lets a packet printer show the packet first and then what it
 * completed (flow events arrive before their packet's event).
 */
#ifndef NETLAB_REPORT_FLOWTEXT_H
#define NETLAB_REPORT_FLOWTEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/flow.h"
#include "netlab/outbuf.h"
#include "netlab/tcp.h"

/* Staged lines are flushed early past this (each line is well under
 * NL_RF_LINE_MAX bytes), so a burst costs bounded memory. */
#define NL_RF_STAGE_MAX (64u * 1024)
#define NL_RF_LINE_MAX	4096u

/* The report's own words (the JSON schema and the man page use them). */
const char *nl_rf_dir(uint8_t dir);	  /* "c2s" / "s2c" */
const char *nl_rf_part(uint8_t part);	  /* "whole" "head" "middle" "tail" */
const char *nl_rf_state(uint8_t state);	  /* "mapped" "pending" … */
const char *nl_rf_end(uint8_t end);	  /* "complete" "gap" "end" "error" */
const char *nl_rf_note(uint8_t type);	  /* "framing" "gap" … */
const char *nl_rf_how(uint8_t how);	  /* "option" "port" "auto" … */
const char *nl_rf_gap_words(uint8_t why); /* Parts listed, clamped to the array. */
unsigned nl_rf_n_parts(const struct nl_segmap *m);
unsigned nl_rf_n_frames(const struct nl_message *m);

/* "u32le" (nl_framing_format) */
void nl_rf_spec(struct nl_outbuf *o, const struct nl_framing_spec *s);

/* The packet line's map, after a space: "msgs #3[tail 120B] #4[16B]
 * #5[head 40/200B]  MERGED 3". n (may be NULL) tells why a map is pending. */
void nl_rf_segmap_text(struct nl_outbuf *o, const struct nl_segmap *m);
/* "held: out of order", "unframed" … for a map that is not MAPPED */
const char *nl_rf_state_words(const struct nl_segmap *m);
/* "#3[tail 120B] #4[16B] … 12 more … #20[16B]" and the flags. */
void nl_rf_parts_text(struct nl_outbuf *o, const struct nl_segmap *m);
/* Whole lines, indented under the frame column, ending in '\n'. */
void nl_rf_late_line(struct nl_outbuf *o, const struct nl_segmap *m);
void nl_rf_note_line(struct nl_outbuf *o, const struct nl_flow_note *n);
/* "conn 1 c2s msg #3 at 0: 204B (header 4B), frames 4,6, split, complete
 * "\x00..."" and '\n' */
void nl_rf_message_line(struct nl_outbuf *o, const struct nl_message *m);
/* "frames 4,6" / "frame 4" / "frames 4..60 (49 segments)" */
void nl_rf_frames(struct nl_outbuf *o, const struct nl_message *m);

/* Lines held until their packet's line is out. */
struct nl_rf_stage {
	struct nl_outbuf buf; /* memory mode */
};

bool nl_rf_stage_init(struct nl_rf_stage *st);
void nl_rf_stage_free(struct nl_rf_stage *st);
/* The buffer to write one line into; flushes to o first when near full. */
struct nl_outbuf *nl_rf_stage_line(struct nl_rf_stage *st, struct nl_outbuf *o);
void nl_rf_stage_flush(struct nl_rf_stage *st, struct nl_outbuf *o);
struct nl_event;
/* The lines the packet-line sinks (text, -v) share: a late map
 * (NL_EV_SEGMAP) and a flow note staged until their packet's line is out,
 * an application record (NL_EV_APP, --truth) printed where it comes. */
void nl_rf_line_event(struct nl_rf_stage *st, struct nl_outbuf *o,
		      const struct nl_event *ev);

/* Stream analysis in the text summary and --conns (flowsum.c): a fixed
 * tally kept by the summary sink as connections end. */
#define NL_FLOWSUM_FRAMINGS 16
#define NL_FLOWSUM_WORST    3

struct nl_flowsum_framing {
	struct nl_framing_spec spec;
	uint8_t how;
	uint64_t n; /* directions */
};

struct nl_flowsum_conn {
	uint64_t id;
	struct nl_addr addr[2];
	uint16_t port[2];
	uint64_t merged, segs;
};

struct nl_flowsum {
	struct nl_flowsum_framing framing[NL_FLOWSUM_FRAMINGS];
	unsigned n_framings;
	uint64_t other_framings;
	uint64_t gaps, gap_bytes, conflicts, framing_errors;
	struct nl_flowsum_conn worst[NL_FLOWSUM_WORST];
};

void nl_flowsum_conn(struct nl_flowsum *fs, const struct nl_conn *c,
		     const struct nl_flow_stats *f);
void nl_flowsum_lines(const struct nl_flowsum *fs, struct nl_outbuf *o,
		      const struct nl_flow_table *t);
/* --conns: a line per direction under the connection's row */
void nl_rf_conn_flow_lines(struct nl_outbuf *o, const struct nl_flow_stats *f);

#endif
