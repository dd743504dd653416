/* Internal to src/flow: the flow table's slots and the per-direction
 * analysis (see include/netlab/flow.h). */
#ifndef NETLAB_FLOW_INTERNAL_H
#define NETLAB_FLOW_INTERNAL_H

#include "netlab/detect.h"
#include "netlab/flow.h"

/* nl_conn.flow_slot: a connection that found the table full */
#define FLOW_SLOT_REFUSED UINT32_MAX

enum dir_mode {
	MODE_IDLE,   /* no data yet */
	MODE_DETECT, /* holding the first bytes while auto-detecting */
	MODE_FRAMED, /* framer in step */
	MODE_LOST,   /* framer lost step: unframed until resync_at */
	MODE_OFF,    /* no framer (could not be set up): unframed */
};

/* The message in progress in one direction, kept as the event it will
 * be (filled as its bytes come, reported without a copy). */
struct msg_state {
	bool active;
	struct nl_message m;
};

struct flow_dir {
	struct nl_reasm_stream rs;
	struct nl_framer fr;
	struct msg_state msg;
	struct nl_flow_dir_stats st; /* st.reasm filled at the end */
	uint64_t next_index;
	uint64_t lost_at;   /* MODE_LOST: where step was lost */
	uint64_t resync_at; /* MODE_LOST: where to start again (UINT64_MAX:
			       the first segment start after lost_at) */
	uint64_t last_frame; /* frame of the last bytes delivered */
	uint32_t detect;     /* detection slot + 1; 0 none */
	uint8_t mode;	     /* enum dir_mode */
	bool fr_ready;	     /* fr initialised (needs nl_framer_free) */
	bool midstream, spoke, turn_ended, ended;
	bool redetect; /* MODE_DETECT after a gap: realign st.spec */
	bool guessed;  /* the next message's start is a guess */
	uint8_t first_len;
	uint8_t first[NL_DETECT_PEER_BYTES]; /* its first bytes, for the
						peer's detection */
};

/* The live analysis of one connection: taken on its first payload byte,
 * given back as soon as both streams have ended (or at the connection's
 * end), its figures folded into the connection's record. */
struct flow {
	uint64_t conn_id;
	uint16_t server_port; /* for the framing learned per port */
	uint32_t rec;	    /* record slot + 1 */
	uint32_t next_free; /* free list (slot + 1) */
	bool used;
	int8_t last_speaker; /* side that sent data last; -1 none */
	struct flow_dir d[2];
};

/* One direction's figures, compact: a record lives as long as its
 * connection stays in the connection table, long after the streams end. */
struct rec_dir {
	uint8_t kind, len_size, how;
	bool big_endian, counted;
	uint32_t len_offset;
	int64_t adjust;
	uint32_t confirm;
	uint32_t messages, incomplete, data_segs, merged_segs, split_msgs;
	uint32_t max_msgs_per_seg, max_segs_per_msg, offload_segs;
	uint32_t framing_errors, resyncs;
	uint32_t gaps, cap_gaps, conflicts, ooo_segs;
	uint64_t bytes, gap_bytes, retrans_bytes;
};

/* Per connection with data, until the connection leaves the table. */
struct flow_rec {
	uint64_t conn_id;
	uint32_t live;	    /* live slot + 1; 0 once the streams ended */
	uint32_t next_free; /* free list (slot + 1) */
	bool used;
	struct rec_dir d[2];
};

/* The framing auto-detection chose last on a server port, per direction
 * (detect.h, hint). A small direct-mapped table: a port that collides
 * just loses its hint. */
#define PORT_HINTS 1024
struct port_hint {
	bool used;
	uint8_t dir;
	uint16_t port;
	struct nl_framing_spec spec;
};

struct detect_slot {
	uint64_t base; /* stream offset of buf[0] */
	uint32_t len, n_segs;
	uint32_t tried_len; /* len at the last detection attempt */
	uint32_t next_free;
	struct nl_detect_seg segs[NL_DETECT_MAX_SEGS];
	uint64_t frames[NL_DETECT_MAX_SEGS];
};

struct nl_flow_table {
	struct nl_flow_config cfg;
	nl_flow_fn *fn;
	void *arg;
	struct nl_reasm *reasm;
	struct flow *flows; /* cfg.cap live slots */
	uint32_t free_head; /* slot + 1 */
	struct flow_rec *recs; /* cfg.records */
	uint32_t rec_free;
	uint32_t hw_flows, hw_recs, hw_det; /* slots used at least once */
	struct detect_slot *det;
	uint8_t *det_buf; /* NL_DETECT_SLOTS x cfg.detect_bytes */
	uint32_t det_free; /* slot + 1 */
	/* the map of an earlier frame being gathered (NL_FLOW_SEGMAP) */
	struct nl_segmap late;
	bool late_open;
	uint32_t wanted; /* 1u << enum nl_flow_ev_type someone takes */
	struct port_hint hints[PORT_HINTS];
	struct nl_flow_counts n;
};

/* What one call into the reassembler is about. */
struct walk {
	struct nl_flow_table *t;
	struct flow *f;
	uint8_t dir;
	uint64_t cur_frame;  /* the packet being processed; 0 at the end */
	int64_t ns;	     /* its capture time */
	struct nl_segmap *map; /* its map */
	uint64_t last_ev_frame; /* frame of the last DATA delivered */
	bool new_data;	     /* this call delivered new bytes */
};

/* dir.c */
void nl_flow_dir_event(void *arg, const struct nl_reasm_stream *s,
		       const struct nl_reasm_event *ev);
void nl_flow_dir_after_segment(struct walk *w, bool push, uint32_t plen);
void nl_flow_dir_end(struct walk *w);
void nl_flow_late_flush(struct nl_flow_table *t, struct flow *f);
void nl_flow_emit(struct nl_flow_table *t, enum nl_flow_ev_type type,
		  const void *p);
/* table.c: the framing learned on a server port (NULL if none), and
 * learning it */
const struct nl_framing_spec *nl_flow_port_hint(const struct nl_flow_table *t,
						uint16_t port, uint8_t dir);
void nl_flow_port_learn(struct nl_flow_table *t, uint16_t port, uint8_t dir,
			const struct nl_framing_spec *spec);
void nl_flow_segmap_begin(struct nl_segmap *m, uint64_t conn_id, uint8_t dir,
			  uint64_t frame, bool late);

#endif
