/*
 * Events: what the stages found, delivered in order to every sink. Stages
 * never print; sinks format. Each TCP/IP stage added later (connection
 * tracking, reassembly, framing) adds its event types here.
 */
#ifndef NETLAB_EVENT_H
#define NETLAB_EVENT_H

#include <stdint.h>

#include "netlab/apptruth.h"
#include "netlab/arptable.h"
#include "netlab/conn.h"
#include "netlab/decode.h"
#include "netlab/flow.h"
#include "netlab/stats.h"
#include "netlab/udpflow.h"

enum nl_event_type {
	NL_EV_PACKET,     /* a packet, decoded and annotated by every stage */
	NL_EV_ARP_NOTICE, /* ARP table: MAC change or address conflict */
	NL_EV_CONN_END,   /* a TCP connection leaves the table (u.conn_end) */
	/* stream analysis (netlab/flow.h). They come before the packet
	 * event of the frame that caused them (the packet event carries
	 * what every stage found); at a connection's end, before its
	 * NL_EV_CONN_END. A sink that prints packet lines and wants these
	 * after the line holds them until the packet event. */
	NL_EV_MESSAGE,    /* a message ended (u.message) */
	NL_EV_SEGMAP,     /* an earlier frame's map, known now (u.segmap) */
	NL_EV_FLOW_NOTE,  /* framing chosen, error, gap … (u.note) */
	NL_EV_FLOW_DATA,  /* reassembled bytes (u.data), --follow only */
	/* replay --truth: an application record (u.app), anchored to the
	 * packet it explains: sends, connect, close before it; recvs after
	 * it; the rest at the end (netlab/apptruth.h) */
	NL_EV_APP,
	NL_EV_SUMMARY,    /* end of input: totals */
	NL_EV_COUNT
};

struct nl_oui_db;

struct nl_summary {
	const struct nl_stats *stats;
	const struct nl_arp_table *arp; /* NULL when ARP tracking is off */
	uint32_t dlt;                   /* link type of the capture */
	const struct nl_conn_table *conns; /* NULL when tracking is off */
	const struct nl_flow_table *flows; /* NULL when analysis is off */
	const struct nl_udp_table *udp;    /* NULL when UDP flows are off */
	const struct nl_apptruth *app;     /* NULL without --truth */
	bool file_truncated;            /* capture file ended mid-record */
	uint64_t file_truncated_offset;
};

struct nl_conn_end {
	const struct nl_conn *conn;
	enum nl_conn_end_reason why;
	/* stream analysis figures; NULL if the connection carried no data
	 * or was not analysed */
	const struct nl_flow_stats *flow;
};

struct nl_event {
	enum nl_event_type type;
	const struct nl_packet *pkt; /* the packet that caused it; NULL at the end */
	/* NL_EV_PACKET of a tracked TCP packet: the tracker's notes and its
	 * connection (valid during the event only); NULL otherwise */
	const struct nl_tcp_note *tcp;
	const struct nl_conn *conn;
	/* NL_EV_PACKET of a TCP packet with payload under stream analysis:
	 * its segment map; NULL otherwise */
	const struct nl_segmap *segmap;
	/* NL_EV_PACKET of a UDP datagram: its flow (NULL if the UDP table is
	 * off or full), the sender's side and the datagram's number in that
	 * direction — one datagram is one message */
	const struct nl_udp_flow *udp;
	uint8_t udp_dir;
	uint64_t udp_index;
	/* NL_EV_PACKET with --truth: the sends whose bytes it carried */
	const struct nl_app_map *app;
	union {
		const struct nl_conn_end *conn_end;
		const struct nl_arp_notice *arp;
		const struct nl_summary *summary;
		const struct nl_message *message;
		const struct nl_segmap *segmap;
		const struct nl_flow_note *note;
		const struct nl_flow_data *data;
		const struct nl_app_rec *app;
	} u;
};

/*
 * A sink consumes events. on_event is called for every event in order; close
 * flushes and frees. A sink that writes keeps its own struct nl_outbuf *.
 * events says which types it handles (NL_EV_BIT of each; 0 = all): the
 * others are not delivered to it, and stages skip building what no sink
 * takes (the summary alone needs no message events).
 */
#define NL_EV_BIT(type) (1u << (type))

struct nl_sink_ops {
	const char *name;
	void (*on_event)(void *self, const struct nl_event *ev);
	void (*close)(void *self);
	uint32_t events;
};

struct nl_sink {
	const struct nl_sink_ops *ops;
	void *self;
};

#endif
