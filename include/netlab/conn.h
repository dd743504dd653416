/*
 * Connection table: TCP connections keyed by their 4-tuple (IPv4 or IPv6),
 * in a hash table whose capacity is fixed at start-up. All entries are
 * allocated once; when the table is full the least recently active
 * connection is evicted (and counted), and a connection idle for longer
 * than the timeout (in capture time) is retired. Memory is bounded by the
 * capacity whatever the traffic: a SYN flood from millions of ports costs
 * at most cap * sizeof(struct nl_conn).
 *
 * A connection that is over (both sides closed) lingers for a while (a
 * SYN on its tuple meanwhile is port reuse), then is retired, its entry
 * reused. A retired connection (closed and done lingering, closed by a new
 * SYN on its tuple, idle, evicted or at the end of the capture) is handed
 * to a callback before its slot is reused; the pipeline turns that into an
 * NL_EV_CONN_END event.
 */
#ifndef NETLAB_CONN_H
#define NETLAB_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"
#include "netlab/status.h"
#include "netlab/tcp.h"

#define NL_CONN_DEFAULT_CAP  65536
#define NL_CONN_MAX_CAP	     (1u << 24)
#define NL_CONN_DEFAULT_IDLE 600 /* seconds of capture time */
/* a closed connection stays this long after its last packet: Linux's
 * TIME_WAIT, so a SYN that reuses its tuple meanwhile is seen as reuse */
#define NL_CONN_DEFAULT_LINGER 60
/* Zeek's history string: 2 x 10 letters with repeats, and the '^' */
#define NL_CONN_HISTORY 24

/* Zeek's endpoint states (base/protocols/conn/main.zeek conn_state()) */
enum nl_zeek_state {
	NL_Z_INACTIVE,
	NL_Z_SYN_SENT,
	NL_Z_SYN_ACK_SENT,
	NL_Z_PARTIAL,
	NL_Z_ESTABLISHED,
	NL_Z_CLOSED,
	NL_Z_RESET,
};

/* One direction: what its sender did, and Wireshark's analysis state.
 * Kept small: two of these are most of a table entry. The fields every
 * packet reads or writes come first (see struct nl_conn). */
struct nl_tcp_side {
	uint8_t state;	/* enum nl_tcp_state */
	uint8_t zstate; /* enum nl_zeek_state */
	bool base_set;	/* base (ISN, or first seq - 1 mid-stream) known */
	bool syn_seen, fin_seen, rst_seen;
	bool has_mss;
	int8_t win_scale; /* -1 unknown, -2 none, else the shift */
	uint16_t mss;
	uint16_t lastsegflags; /* analysis bits of its last segment */
	uint16_t last_len;     /* payload of its last data segment */
	uint8_t syn_count, fin_count;
	uint32_t base; /* relative seq 0 */
	uint32_t pkts;
	/* Wireshark's tcp_analyze_seq_info; 0 means "not known yet" */
	uint32_t nextseq, lastack, maxseqtobeacked;
	uint32_t window; /* scaled */
	uint32_t dupacknum;
	uint32_t fin_seq; /* seq of the FIN (the FIN occupies fin_seq) */
	int64_t lastack_ns, nextseq_ns; /* capture times, ns */
	uint64_t bytes;			/* payload bytes as sent */
	uint64_t wire_bytes; /* frame bytes on the wire (as tshark -z conv) */
	/* from here on, only SYNs and the rare repeats */
	uint16_t hist_t, hist_w; /* repeats of Zeek's 't' and 'w' */
	bool has_wscale, sack_perm, has_ts;
	uint8_t wscale;
};

enum nl_conn_end_reason {
	NL_CONN_END_REUSED,  /* a new SYN on the tuple after it closed */
	NL_CONN_END_IDLE,    /* no packet within the idle timeout */
	NL_CONN_END_EVICTED, /* the table was full: least recently active */
	NL_CONN_END_CAPTURE, /* end of the capture */
	NL_CONN_END_CLOSED,  /* closed, and its linger is over */
	NL_CONN_END_COUNT
};
const char *nl_conn_end_name(enum nl_conn_end_reason r); /* "evicted" … */

struct nl_conn {
	/* The first 64 bytes: all the lookup reads, and what the tracker
	 * reads of a connection besides its two sides. */
	/* each endpoint hashed, for the table (src/conn/table.c): for IPv4,
	 * equal keys mean equal endpoints, so a packet is matched and its
	 * direction told without comparing addresses */
	uint64_t key[2];
	int64_t last_ns; /* capture time of its last packet */
	uint64_t id;	 /* 1-based, in order of first packet */
	uint32_t lru_prev, lru_next; /* the table's lists */
	/* stream analysis slot + 1 (netlab/flow.h), 0 none: read with the
	 * lookup's line */
	uint32_t flow_slot;
	uint8_t family; /* of both addresses: 4 or 6 */
	bool used;
	bool touched; /* active since it took its place in its list */
	bool midstream;	       /* no SYN seen: roles by the port heuristic */
	uint16_t hist_seen[2]; /* letters already recorded, per direction */
	uint8_t delack_side;   /* 2: none pending */
	/* handshake and teardown, now and then: in this line's spare bytes,
	 * which keeps an entry at 416 */
	bool sim_open : 1, sim_close : 1, refused : 1;
	bool lingering : 1; /* over: on the table's list of closed ones */
	bool syn_ok : 1, synack_ok : 1, ack_ok : 1;
	uint8_t active_closer : 2; /* side that sent the first FIN; 2 if none */
	uint8_t reset_by : 2;	   /* side that sent the first RST; 2 if none */
	uint8_t stall_side : 1;	   /* the writer held back (last stall) */
	uint8_t reset_state;	   /* the resetter's state then */

	/* read with every packet, like the two sides after them: an
	 * in-order segment without flags touches the first four or five
	 * cache lines of its entry */
	int64_t first_rtt_ns; /* iRTT: SYN -> first pure ACK; 0 unknown */
	/* Nagle + delayed ACK: a pure ACK that came >= 30 ms after the data
	 * it acknowledges all of (delack_side's), and the stalls seen */
	int64_t delack_ns;
	struct nl_tcp_side side[2];

	/* handshake, teardown, counts: now and then */
	int64_t mru_syn_ns; /* latest SYN: Wireshark's iRTT starts there */
	int64_t first_ns;
	int64_t syn_ns, synack_ns; /* handshake, when seen (*_ok) */
	int32_t rtt_client_us;	   /* SYN/ACK -> ACK, when ack_ok */
	uint32_t delack_wait_us;
	uint32_t stalls, stall_max_us;
	uint32_t ta_count[NL_TA_COUNT];
	/* [NL_CLIENT] is the SYN sender (or the heuristic's client) */
	uint16_t port[2];
	struct nl_addr addr[2];
	uint8_t hist_len;
	char history[NL_CONN_HISTORY + 1];
};

/* Handshake RTTs in microseconds; -1 when not measured. */
int64_t nl_conn_rtt_server_us(const struct nl_conn *c); /* SYN -> SYN/ACK */
int64_t nl_conn_rtt_client_us(const struct nl_conn *c); /* SYN/ACK -> ACK */
int64_t nl_conn_duration_us(const struct nl_conn *c);
/* Zeek's conn_state: "S0", "SF", "REJ" … */
const char *nl_conn_zeek_state(const struct nl_conn *c);

typedef void nl_conn_retire_fn(void *arg, const struct nl_conn *c,
			       enum nl_conn_end_reason why);

struct nl_conn_table;

struct nl_conn_counts {
	uint64_t conns;	  /* connections created */
	uint64_t evicted; /* retired because the table was full */
	uint64_t idle;	  /* retired after the idle timeout */
	uint64_t reused;  /* retired by a new SYN on the same tuple */
	uint64_t closed;  /* retired after their linger (or for room) */
	uint64_t midstream;
	uint64_t ta[NL_TA_COUNT]; /* analysis flags over all connections */
	uint32_t active, cap, peak;
	uint32_t idle_timeout;
	uint32_t linger; /* seconds; 0: closed connections are not retired */
	uint64_t entry_bytes; /* sizeof(struct nl_conn) + its hash index */
};

NL_WUR enum nl_status nl_conntable_new(struct nl_conn_table **out, uint32_t cap,
				       uint32_t idle_timeout_sec,
				       nl_conn_retire_fn *retire, void *arg);
void nl_conntable_free(struct nl_conn_table *t);
/* Retire closed connections SEC seconds of capture time after their last
 * packet (0, the default: keep them like open ones). */
void nl_conntable_set_linger(struct nl_conn_table *t, uint32_t sec);
/* After the tracker changed a side's state: a connection now over (both
 * sides CLOSED or TIME_WAIT after a FIN or RST) starts its linger. */
void nl_conntable_changed(struct nl_conn_table *t, struct nl_conn *c);
/* Both sides CLOSED or TIME_WAIT after a FIN or RST. */
bool nl_conn_over(const struct nl_conn *c);

/*
 * Find the connection of a decoded TCP packet, creating it (and retiring
 * another if need be). *dir is set to the sender's side. Returns NULL only
 * for a packet without a TCP header. *created tells a new entry.
 */
struct nl_conn *nl_conntable_lookup(struct nl_conn_table *t,
				    const struct nl_packet *pkt, uint8_t *dir,
				    bool *created);
/* Retire every connection still in the table, in id order. */
void nl_conntable_finish(struct nl_conn_table *t);
void nl_conntable_counts(const struct nl_conn_table *t,
			 struct nl_conn_counts *out);

/*
 * The tracker (src/tcp/state.c): run one TCP packet through its
 * connection, updating both sides and filling the note. A caller that
 * reads only the note's analysis, dupack_num and state changes
 * (n_changes, changes) passes whole_note false: an in-order segment then
 * leaves the rest of it as it was.
 */
void nl_tcp_track(struct nl_conn *c, uint8_t dir, const struct nl_packet *pkt,
		  struct nl_tcp_note *note, bool whole_note);
/* The tracker's fast path for in-order segments of established connections
 * (on unless a test compares it with the full path: the results must be
 * the same). */
extern bool nl_tcp_fast_path;
/* Set up a fresh connection from its first packet (sender = dir). */
void nl_tcp_conn_init(struct nl_conn *c, uint8_t dir,
		      const struct nl_packet *pkt);
/* Wireshark's sequence analysis (src/tcp/analysis.c): returns NL_TA_ bits. */
uint32_t nl_tcp_analyze(struct nl_conn *c, uint8_t dir,
			const struct nl_packet *pkt, uint32_t *dupack_num);

#endif
