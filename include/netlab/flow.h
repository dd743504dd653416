/*
 * Stream analysis: for each TCP connection, each direction's byte stream is
 * reassembled (netlab/reasm.h), cut into the application's messages by its
 * framing (netlab/framing.h, chosen per server port or detected by
 * netlab/detect.h), and the messages are mapped onto the segments that
 * carried them: a segment holding parts of two or more messages is a merge
 * (the "sticky packet"), a message carried by two or more segments a split.
 *
 * The stage sits after the TCP tracker. For each TCP packet it produces the
 * packet's segment map (struct nl_segmap, carried by the packet event) and
 * reports what it found through a callback, in stream order, *before* the
 * packet event of the frame that caused it:
 *
 *   NL_FLOW_MESSAGE   a message ended (complete, or cut by a gap, an error
 *                     or the end of the stream);
 *   NL_FLOW_SEGMAP    the map of an earlier frame, known only now (it was
 *                     out of order, or framing was still being detected);
 *   NL_FLOW_NOTE      framing chosen, framing error, resynchronised, gap,
 *                     overlap conflict, cap reached ...;
 *   NL_FLOW_DATA      reassembled bytes, cut at message boundaries (only when
 *                     a sink asked for them: --follow).
 *
 * Memory: a connection carrying data takes a slot of a fixed flow table
 * (--max-flows) while its streams are open: the two reassembly streams,
 * the two framers and the message in progress per direction. The slot is
 * given back as soon as both streams have ended (FIN both ways, or a RST);
 * the connection keeps a compact record of its figures (248 bytes) until
 * it leaves the connection table. A connection that finds the flow table
 * full is not analysed (counted, said in the summary): a SYN flood never
 * touches the table. Out-of-order bytes live in the
 * reassembler's pool (--max-buffer); the bytes held while framing is being
 * detected live in a pool of fixed slots (NL_DETECT_SLOTS x detect_bytes).
 * Nothing is allocated per packet.
 */
#ifndef NETLAB_FLOW_H
#define NETLAB_FLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/conn.h"
#include "netlab/decode.h"
#include "netlab/framing.h"
#include "netlab/reasm.h"
#include "netlab/status.h"

#define NL_FLOW_DEFAULT_CAP 16384 /* connections analysed at once */
#define NL_FLOW_MAX_CAP	    (1u << 22)
#define NL_FLOW_MAX_PORT_SPECS 16 /* --framing PORT=SPEC given at most */
#define NL_SEGMAP_PARTS	    8	   /* parts listed per segment map */
#define NL_MSG_FRAMES	    8	   /* frames listed per message */
#define NL_MSG_PREFIX	    24	   /* first bytes of a message kept */

/* Where one segment's bytes sit in one message. */
enum nl_part {
	NL_PART_WHOLE,	/* the message starts and ends in the segment */
	NL_PART_HEAD,	/* starts in it, continues after */
	NL_PART_MIDDLE, /* began before, continues after */
	NL_PART_TAIL,	/* began before, ends in it */
	NL_PART_COUNT
};
const char *nl_part_name(enum nl_part p); /* "whole", "head" … */

struct nl_msg_part {
	uint64_t index;	  /* message number in its direction, 1-based */
	uint64_t msg_len; /* whole message, header included; 0: not known
			     yet (head or middle of a message whose length
			     the framing gives only at its end) */
	uint64_t at;	  /* offset of these bytes within the message */
	uint32_t bytes;	  /* bytes of the message in the segment */
	uint8_t part;	  /* enum nl_part */
};

enum nl_segmap_state {
	NL_SEGMAP_NONE,	     /* no payload */
	NL_SEGMAP_MAPPED,    /* parts[] tell which messages it carried */
	NL_SEGMAP_PENDING,   /* held back (out of order, or framing being
				detected): a later NL_FLOW_SEGMAP maps it */
	NL_SEGMAP_RETRANS,   /* only bytes already delivered */
	NL_SEGMAP_UNFRAMED,  /* delivered; no framing (none, or framing lost
				step until it resynchronises) */
	NL_SEGMAP_NOT_ANALYSED, /* no flow slot, or analysis abandoned */
	NL_SEGMAP_IGNORED,   /* after the FIN/RST, or implausibly far away */
	NL_SEGMAP_STATE_COUNT
};
const char *nl_segmap_state_name(enum nl_segmap_state s);

/* The map of one segment: which message bytes it carried. */
struct nl_segmap {
	uint64_t conn_id;
	uint64_t frame;
	uint8_t dir;	/* enum nl_tcp_side_id of the sender */
	uint8_t state;	/* enum nl_segmap_state */
	bool late;	/* NL_FLOW_SEGMAP: reported after its packet */
	bool offload;	/* payload larger than the MSS the receiver
			   announced: a GSO/TSO/GRO batch, not a wire segment */
	bool push;	/* the segment had PSH: a probable send() end */
	bool held_ooo;	/* NL_SEGMAP_PENDING: waiting for a hole to be
			   filled (else: for the framing to be detected) */
	uint64_t offset; /* stream offset of its first mapped byte */
	uint32_t bytes;	 /* payload bytes mapped */
	uint32_t n_msgs; /* messages it carried parts of (all of them) */
	uint8_t n_parts; /* parts[] filled: the first NL_SEGMAP_PARTS - 1
			    and, when n_msgs is larger, the last */
	struct nl_msg_part parts[NL_SEGMAP_PARTS];
};
/* A merge: parts of two or more messages in one segment. */
static inline bool nl_segmap_merged(const struct nl_segmap *m)
{
	return m->state == NL_SEGMAP_MAPPED && m->n_msgs >= 2;
}
/* Part of a split message: some part is not whole. */
bool nl_segmap_split(const struct nl_segmap *m);

/* Why a message ended without being complete. */
enum nl_msg_end {
	NL_MSG_COMPLETE,
	NL_MSG_CUT_GAP,	  /* bytes of it were never captured */
	NL_MSG_CUT_END,	  /* the stream ended (FIN, RST, capture end) first */
	NL_MSG_CUT_ERROR, /* the framing lost step inside it */
	NL_MSG_END_COUNT
};
const char *nl_msg_end_name(enum nl_msg_end e); /* "complete", "gap" … */

struct nl_message {
	uint64_t conn_id;
	uint8_t dir;
	uint8_t end;	     /* enum nl_msg_end */
	bool split;	     /* carried by two or more segments */
	bool has_gap;	     /* bytes missing inside (counted in len) */
	uint64_t index;	     /* 1-based, per direction */
	uint64_t offset;     /* stream offset of its first byte */
	uint64_t len;	     /* whole message, header included (complete),
				else the bytes up to where it was cut */
	uint64_t declared;   /* the length its header announced; 0 unknown */
	uint32_t header_len;
	uint32_t n_frames;   /* segments that carried bytes of it */
	uint8_t n_listed;    /* frames[]: the first NL_MSG_FRAMES - 1 and the
				last */
	uint8_t prefix_len;
	uint64_t frames[NL_MSG_FRAMES];
	uint8_t prefix[NL_MSG_PREFIX]; /* its first bytes (raw: escape them) */
	uint64_t first_frame, last_frame;
	int64_t first_ns, last_ns; /* capture times of first and last byte */
};

enum nl_flow_note_type {
	NL_NOTE_FRAMING,     /* framing chosen (spec, how, confirm, runner-up) */
	NL_NOTE_FRAMING_ERROR, /* the stream broke the framing at offset */
	NL_NOTE_RESYNC,	     /* framing back in step at offset */
	NL_NOTE_GAP,	     /* offset, len, reason: bytes never delivered */
	NL_NOTE_CONFLICT,    /* offset, len, frame: overlap with other bytes */
	NL_NOTE_MIDSTREAM,   /* picked up mid-stream: what came before unknown */
	NL_NOTE_NOT_ANALYSED, /* no flow slot: the connection is not analysed */
	NL_NOTE_COUNT
};
const char *nl_flow_note_name(enum nl_flow_note_type t);

/* How the framing of a direction was chosen. */
enum nl_framing_how {
	NL_HOW_NONE,	/* not chosen yet (no data) */
	NL_HOW_OPTION,	/* --framing SPEC */
	NL_HOW_PORT,	/* --framing PORT=SPEC */
	NL_HOW_AUTO,	/* detected */
	NL_HOW_FALLBACK, /* auto found nothing better: turns or none */
	NL_HOW_COUNT
};
const char *nl_framing_how_name(enum nl_framing_how h); /* "auto" … */

struct nl_flow_note {
	uint64_t conn_id;
	uint64_t frame;	 /* the frame being processed (0 at the end) */
	uint8_t dir;
	uint8_t type;	 /* enum nl_flow_note_type */
	uint8_t how;	 /* NL_NOTE_FRAMING: enum nl_framing_how */
	uint8_t reason;	 /* NL_NOTE_GAP: enum nl_reasm_gap_reason */
	uint64_t offset; /* stream offset */
	uint64_t len;
	struct nl_framing_spec spec;	  /* NL_NOTE_FRAMING: chosen */
	struct nl_framing_spec runner_up; /* valid if has_runner_up */
	bool has_runner_up;
	uint32_t confirm, runner_confirm; /* messages confirming each */
	const char *why;		  /* static text, or NULL */
};

/* NL_FLOW_DATA: reassembled bytes of one message (or unframed bytes). */
struct nl_flow_data {
	uint64_t conn_id;
	uint8_t dir;
	uint64_t offset;     /* stream offset */
	const uint8_t *data; /* valid during the callback only */
	uint32_t len;
	uint64_t msg_index;  /* 0: not in a message (unframed / lost step) */
	uint64_t msg_at;     /* offset of data within the message */
	uint64_t frame;	     /* the segment that carried the bytes */
};

/* Per direction, for the summary and the connection's end. */
struct nl_flow_dir_stats {
	struct nl_framing_spec spec; /* valid when how != NL_HOW_NONE */
	uint8_t how;		     /* enum nl_framing_how */
	uint32_t confirm;	     /* auto: messages that confirmed it */
	bool has_runner_up;
	struct nl_framing_spec runner_up;
	uint64_t messages;	     /* complete ones */
	uint64_t incomplete;	     /* ended cut (gap, end, error) */
	uint64_t data_segs;	     /* segments that delivered new bytes */
	uint64_t merged_segs;	     /* segments with parts of >= 2 messages */
	uint32_t max_msgs_per_seg;
	uint64_t split_msgs;	     /* messages in >= 2 segments */
	uint32_t max_segs_per_msg;
	uint64_t offload_segs;	     /* larger than the receiver's MSS */
	uint32_t framing_errors, resyncs;
	uint64_t bytes;		     /* delivered stream bytes */
	struct nl_reasm_counters reasm;
};

struct nl_flow_stats {
	uint64_t conn_id;
	struct nl_flow_dir_stats dir[2];
};

enum nl_flow_ev_type {
	NL_FLOW_MESSAGE,
	NL_FLOW_SEGMAP,
	NL_FLOW_NOTE,
	NL_FLOW_DATA,
	NL_FLOW_EV_COUNT
};

struct nl_flow_event {
	enum nl_flow_ev_type type;
	union {
		const struct nl_message *message;
		const struct nl_segmap *segmap;
		const struct nl_flow_note *note;
		const struct nl_flow_data *data;
	} u;
};

typedef void nl_flow_fn(void *arg, const struct nl_flow_event *ev);

struct nl_flow_port_spec {
	uint16_t port;
	struct nl_framing_spec spec;
};

struct nl_flow_config {
	uint32_t cap;	     /* --max-flows; 0 = NL_FLOW_DEFAULT_CAP */
	/* connections with data that can be remembered at once (their
	 * figures, after the streams ended): the connection table's
	 * capacity; 0 = NL_CONN_DEFAULT_CAP */
	uint32_t records;
	struct nl_reasm_config reasm; /* --max-buffer, --overlap */
	uint64_t max_message; /* --max-message; 0 = default */
	uint32_t detect_bytes; /* bytes held per direction for auto; 0 =
				  NL_DETECT_DEFAULT_BYTES */
	struct nl_framing_spec spec; /* --framing SPEC (kind AUTO default) */
	struct nl_flow_port_spec ports[NL_FLOW_MAX_PORT_SPECS];
	unsigned n_ports;
	bool want_data; /* emit NL_FLOW_DATA (--follow) */
};

void nl_flow_config_defaults(struct nl_flow_config *cfg);

struct nl_flow_table;

struct nl_flow_counts {
	uint64_t flows;	       /* connections analysed */
	uint64_t not_analysed; /* found the flow table full */
	uint64_t messages, incomplete;
	uint64_t merged_segs, split_msgs, offload_segs;
	uint64_t detect_fallbacks; /* detection slots full: decided on less */
	uint32_t active, cap, peak;
	uint64_t entry_bytes; /* per flow slot */
	struct nl_reasm_pool_stats pool;
};

NL_WUR enum nl_status nl_flowtable_new(struct nl_flow_table **out,
				       const struct nl_flow_config *cfg,
				       nl_flow_fn *fn, void *arg,
				       char *errbuf);
void nl_flowtable_free(struct nl_flow_table *t);
/* The event types (bit 1u << enum nl_flow_ev_type) someone takes; the
 * others are neither emitted nor prepared (a message's frame list and
 * first bytes). All by default. Counts and figures do not change. */
void nl_flowtable_set_wanted(struct nl_flow_table *t, uint32_t mask);

/*
 * One tracked TCP packet of connection c, sent by side dir (after
 * nl_tcp_track()). Fills *map with the packet's own segment map; events
 * go to the callback before it returns.
 */
void nl_flow_packet(struct nl_flow_table *t, struct nl_conn *c, uint8_t dir,
		    const struct nl_packet *pkt, struct nl_segmap *map);
/*
 * The connection leaves the table: finish both streams (holes become gaps,
 * messages in progress end cut), report them, and fill *out with the
 * connection's figures. Returns false (out untouched) if the connection was
 * never analysed. Frees its slot.
 */
bool nl_flow_conn_end(struct nl_flow_table *t, const struct nl_conn *c,
		      struct nl_flow_stats *out);
void nl_flowtable_counts(const struct nl_flow_table *t,
			 struct nl_flow_counts *out);

#endif
