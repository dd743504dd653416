/*
 * TCP tracker: both endpoints' RFC 9293 states inferred from the segments
 * each one sends and receives, per-packet notes (role in the handshake or
 * teardown, state changes, relative sequence numbers) and Wireshark's
 * tcp.analysis flags.
 *
 * The tracker never prints: it fills a struct nl_tcp_note per packet that
 * travels with the packet event to the sinks.
 */
#ifndef NETLAB_TCP_H
#define NETLAB_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/decode.h"

/* RFC 9293 §3.3.2 */
enum nl_tcp_state {
	NL_TCPS_CLOSED,
	NL_TCPS_LISTEN,
	NL_TCPS_SYN_SENT,
	NL_TCPS_SYN_RECEIVED,
	NL_TCPS_ESTABLISHED,
	NL_TCPS_FIN_WAIT_1,
	NL_TCPS_FIN_WAIT_2,
	NL_TCPS_CLOSE_WAIT,
	NL_TCPS_CLOSING,
	NL_TCPS_LAST_ACK,
	NL_TCPS_TIME_WAIT,
	NL_TCPS_COUNT
};

const char *nl_tcp_state_name(enum nl_tcp_state s); /* "SYN_SENT" … */

/* Sides of a connection; a packet's direction is the side that sent it. */
enum nl_tcp_side_id { NL_CLIENT = 0, NL_SERVER = 1 };

/*
 * Wireshark's tcp.analysis flags (epan/dissectors/packet-tcp.c,
 * tcp_analyze_sequence_number), one bit each.
 */
enum nl_ta_flag {
	NL_TA_RETRANSMISSION,
	NL_TA_FAST_RETRANSMISSION,
	NL_TA_SPURIOUS_RETRANSMISSION,
	NL_TA_OUT_OF_ORDER,
	NL_TA_DUP_ACK,
	NL_TA_ZERO_WINDOW,
	NL_TA_ZERO_WINDOW_PROBE,
	NL_TA_ZERO_WINDOW_PROBE_ACK,
	NL_TA_WINDOW_FULL,
	NL_TA_WINDOW_UPDATE,
	NL_TA_KEEP_ALIVE,
	NL_TA_KEEP_ALIVE_ACK,
	NL_TA_LOST_SEGMENT,	/* "previous segment not captured" */
	NL_TA_ACK_LOST_SEGMENT, /* "ACKed unseen segment" */
	NL_TA_COUNT
};

/* "retransmission", "dup_ack" … (JSON and summary keys) */
const char *nl_ta_name(enum nl_ta_flag f);
/* tshark's field name without "tcp.analysis.": "lost_segment" … */
const char *nl_ta_tshark_field(enum nl_ta_flag f);

/* What a segment does in the life of the connection. */
enum nl_tcp_role {
	NL_ROLE_NONE,	   /* data or a plain ACK */
	NL_ROLE_HANDSHAKE, /* step/3 */
	NL_ROLE_SIM_OPEN,  /* a SYN crossing the peer's SYN */
	NL_ROLE_TEARDOWN,  /* step/4; step 23 = FIN+ACK doing steps 2 and 3 */
	NL_ROLE_SIM_CLOSE, /* a FIN crossing the peer's FIN */
	NL_ROLE_RESET,	   /* RST: by the sender, in reset_state */
	NL_ROLE_REFUSED,   /* RST answering a SYN: no listener */
	NL_ROLE_COUNT
};

#define NL_TCP_MAX_CHANGES 6

struct nl_tcp_change {
	uint8_t side;	  /* enum nl_tcp_side_id */
	uint8_t from, to; /* enum nl_tcp_state */
};

/* The tracker's notes on one TCP packet. */
struct nl_tcp_note {
	uint64_t conn_id;    /* 1-based, in order of first packet */
	uint8_t dir;	     /* enum nl_tcp_side_id of the sender */
	bool new_conn;	     /* this packet opened the connection entry */
	bool midstream;	     /* the connection was picked up mid-stream */
	uint8_t role;	     /* enum nl_tcp_role */
	uint8_t step;	     /* handshake 1-3, teardown 1-4 (23: 2+3) */
	uint8_t retry;	     /* 1.. for a repeated SYN, SYN/ACK or FIN */
	uint8_t reset_state; /* NL_ROLE_RESET: the sender's state before it */
	uint32_t rseq, rack; /* relative to each direction's ISN */
	uint8_t n_changes;
	struct nl_tcp_change changes[NL_TCP_MAX_CHANGES];
	uint32_t analysis;   /* 1u << enum nl_ta_flag */
	uint32_t dupack_num; /* NL_TA_DUP_ACK: #n */
	uint8_t state[2];    /* both sides' states after the packet */
};

#endif
