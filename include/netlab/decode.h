/*
 * Layer decoders: pure functions from captured bytes to host-order structs.
 *
 * nl_decode_packet() fills a caller-owned struct nl_packet (reused for every
 * packet: no allocation). Decoders never print and never read past the
 * captured length. A field cut short by the snapshot length is recorded as a
 * TRUNCATED anomaly naming the layer; a header that contradicts itself (IHL
 * < 5, a length beyond the packet as sent) as MALFORMED with the reason.
 * Pointers in the struct borrow the capture's bytes: valid until the next
 * packet is read.
 */
#ifndef NETLAB_DECODE_H
#define NETLAB_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "netlab/cursor.h"
#include "netlab/status.h"

/* Link types, by their LINKTYPE_/DLT_ numbers as libpcap reports them. */
#define NL_DLT_NULL 0
#define NL_DLT_EN10MB 1
#define NL_DLT_RAW 12         /* DLT_RAW on Linux (libpcap maps 101 to it) */
#define NL_DLT_RAW_OPENBSD 14 /* DLT_RAW on OpenBSD */
#define NL_DLT_RAW_LINKTYPE 101
#define NL_DLT_LOOP 108
#define NL_DLT_LINUX_SLL 113
#define NL_DLT_IPV4 228
#define NL_DLT_IPV6 229
#define NL_DLT_LINUX_SLL2 276

#define NL_ETHERTYPE_IPV4 0x0800
#define NL_ETHERTYPE_ARP 0x0806
#define NL_ETHERTYPE_VLAN 0x8100
#define NL_ETHERTYPE_QINQ 0x88a8
#define NL_ETHERTYPE_QINQ_OLD 0x9100
#define NL_ETHERTYPE_IPV6 0x86dd

#define NL_IPPROTO_HOPOPTS 0
#define NL_IPPROTO_ICMP 1
#define NL_IPPROTO_TCP 6
#define NL_IPPROTO_UDP 17
#define NL_IPPROTO_ROUTING 43
#define NL_IPPROTO_FRAGMENT 44
#define NL_IPPROTO_ICMPV6 58
#define NL_IPPROTO_NONE 59
#define NL_IPPROTO_DSTOPTS 60

/* Fixed maximums for loops over stacked or repeated headers. */
#define NL_MAX_VLAN 4
#define NL_MAX_IPV6_EXT 8
#define NL_MAX_TCP_SACK 4
#define NL_MAX_TCP_OPTS 16
#define NL_MAX_ANOMALIES 8

/* Ethernet: 64-byte minimum and 1518-byte maximum include the 4-byte FCS. */
#define NL_ETH_MIN_FRAME 64
#define NL_ETH_MAX_FRAME 1518
#define NL_ETH_FCS_LEN 4

enum nl_layer {
	NL_L_LINK,   /* Ethernet, SLL, SLL2, NULL/LOOP, raw (no header) */
	NL_L_VLAN,
	NL_L_ARP,
	NL_L_IPV4,
	NL_L_IPV6,
	NL_L_ICMP,
	NL_L_ICMPV6,
	NL_L_TCP,
	NL_L_UDP,
	NL_L_PAYLOAD, /* application bytes above TCP or UDP */
	NL_LAYER_COUNT
};

const char *nl_layer_name(enum nl_layer l); /* "eth", "ipv4", … */

#define NL_LAYER_BIT(l) (1u << (l))
#define NL_HAS(pkt, l) (((pkt)->layers & NL_LAYER_BIT(l)) != 0)

enum nl_anomaly_kind {
	NL_ANOM_TRUNCATED, /* the capture stops before the layer does */
	NL_ANOM_MALFORMED, /* the layer contradicts itself or its container */
	NL_ANOM_COUNT
};

struct nl_anomaly {
	uint8_t kind;     /* enum nl_anomaly_kind */
	uint8_t layer;    /* enum nl_layer */
	const char *what; /* static string: "IHL 3 < 5", "options" … */
};

enum nl_csum_status {
	NL_CSUM_UNCHECKED = 0, /* not asked (--verify-checksums off) */
	NL_CSUM_OK,
	NL_CSUM_BAD,
	NL_CSUM_OFFLOAD,    /* holds only the pseudo-header sum: the sender's
			     * NIC was to fill it in (checksum offload) */
	NL_CSUM_ABSENT,     /* UDP over IPv4 with checksum 0 */
	NL_CSUM_UNVERIFIED, /* cannot check: bytes not captured, or fragment */
	NL_CSUM_COUNT
};

const char *nl_csum_status_name(enum nl_csum_status s);

enum nl_link_kind {
	NL_LINK_ETHERNET,
	NL_LINK_SLL,
	NL_LINK_SLL2,
	NL_LINK_RAW,
	NL_LINK_NULL,  /* BSD NULL and LOOP: 4-byte address family */
	NL_LINK_UNKNOWN,
	NL_LINK_KIND_COUNT
};

struct nl_vlan_tag {
	uint16_t tpid; /* 0x8100, 0x88a8, 0x9100 */
	uint8_t pcp;
	bool dei;
	uint16_t vid;
};

struct nl_link {
	uint32_t dlt;
	enum nl_link_kind kind;
	uint16_t hdr_len;   /* bytes before the network layer, tags included */
	uint16_t ethertype; /* network protocol after all tags; 0 if none */

	/* Ethernet */
	uint8_t dst[6], src[6];
	uint16_t type_len; /* the first type/length field as on the wire */
	bool is_8023;      /* type_len < 0x0600: an 802.3 length, LLC follows */
	uint8_t n_vlan;
	struct nl_vlan_tag vlan[NL_MAX_VLAN];
	uint32_t wire_frame_len; /* len + FCS: the frame as it crossed the wire */
	bool fcs_absent;         /* libpcap on Linux never delivers the FCS */
	bool undersize;          /* wire_frame_len < 64 */
	bool oversize;           /* wire_frame_len > 1518 (+4 per VLAN tag) */

	/* Linux cooked (SLL, SLL2) */
	uint16_t sll_pkttype; /* 0 host, 1 broadcast, 2 multicast, 3 otherhost,
			       * 4 outgoing */
	uint16_t sll_hatype;
	uint8_t sll_halen;
	uint8_t sll_addr[8];
	uint32_t sll_ifindex; /* SLL2 only */

	/* BSD NULL/LOOP */
	uint32_t null_family;
};

enum nl_arp_kind {
	NL_ARP_REQUEST,
	NL_ARP_REPLY,
	NL_ARP_GRATUITOUS, /* sender IP == target IP (request or reply) */
	NL_ARP_PROBE,      /* request with sender IP 0.0.0.0 (RFC 5227) */
	NL_ARP_OTHER,      /* RARP, InARP or an unknown operation */
	NL_ARP_KIND_COUNT
};

struct nl_arp {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	enum nl_arp_kind kind;
	bool eth_ipv4; /* htype 1, ptype 0x0800, hlen 6, plen 4 */
	/* Ethernet/IPv4 fields, copied (valid when eth_ipv4) */
	uint8_t sha[6], tha[6];
	uint8_t spa[4], tpa[4];
	/* any other hardware/protocol: borrowed addresses */
	const uint8_t *sha_p, *spa_p, *tha_p, *tpa_p;
};

struct nl_addr {
	uint8_t family; /* 4 or 6; 0 when no IP layer */
	uint8_t b[16];  /* IPv4 in the first 4 bytes, the rest zero */
};

struct nl_ipv4 {
	uint8_t ihl; /* in bytes */
	uint8_t tos;
	uint16_t tot_len;
	uint16_t id;
	bool rf, df, mf;
	uint16_t frag_off; /* in bytes */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint8_t csum_status; /* enum nl_csum_status */
	uint16_t csum_want;  /* NL_CSUM_BAD: the value that would be right */
	uint8_t opt_len;
};

struct nl_ipv6 {
	uint8_t tclass;
	uint32_t flow;
	uint16_t plen;
	uint8_t next;  /* first next-header value */
	uint8_t hlim;
	uint8_t n_ext;
	uint8_t ext[NL_MAX_IPV6_EXT]; /* extension header types, in order */
	uint16_t ext_len;             /* bytes of extension headers */
	bool frag;                    /* a fragment header is present */
	bool frag_more;
	uint16_t frag_off; /* in bytes */
	uint32_t frag_id;
	uint32_t jumbo_len; /* RFC 2675 jumbo payload length, 0 if none */
};

struct nl_icmp {
	bool v6;
	uint8_t type, code;
	uint16_t csum;
	uint8_t csum_status;
	uint16_t csum_want; /* NL_CSUM_BAD: the value that would be right */
	uint16_t id, seq;   /* echo request/reply */
	uint32_t mtu;       /* frag-needed (v4), packet too big (v6) */
	uint8_t gateway[4]; /* redirect (v4) */
	bool has_target;    /* NDP neighbour solicitation/advertisement */
	uint8_t target[16];
	bool has_quote; /* an error that quotes the offending IP header */
	uint8_t quote_proto;
	struct nl_addr quote_src, quote_dst;
	uint16_t quote_sport, quote_dport; /* when the quote reaches TCP/UDP */
};

#define NL_TCP_FIN 0x001
#define NL_TCP_SYN 0x002
#define NL_TCP_RST 0x004
#define NL_TCP_PSH 0x008
#define NL_TCP_ACK 0x010
#define NL_TCP_URG 0x020
#define NL_TCP_ECE 0x040
#define NL_TCP_CWR 0x080
#define NL_TCP_AE 0x100 /* RFC 3540 NS, now Accurate ECN */

#define NL_TCPOPT_EOL 0
#define NL_TCPOPT_NOP 1
#define NL_TCPOPT_MSS 2
#define NL_TCPOPT_WSCALE 3
#define NL_TCPOPT_SACK_PERM 4
#define NL_TCPOPT_SACK 5
#define NL_TCPOPT_TIMESTAMP 8
#define NL_TCPOPT_MPTCP 30
#define NL_TCPOPT_FASTOPEN 34

struct nl_tcp_sack {
	uint32_t left, right;
};

struct nl_tcp {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t doff; /* header length in bytes */
	uint16_t flags;
	uint16_t win; /* as on the wire, unscaled */
	uint16_t csum;
	uint8_t csum_status;
	uint16_t csum_want; /* NL_CSUM_BAD: the value that would be right */
	uint16_t urg;
	/* options, in the order they appeared */
	uint8_t n_opts;
	uint8_t opt_kind[NL_MAX_TCP_OPTS];
	bool has_mss, has_wscale, sack_perm, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint8_t n_sack;
	struct nl_tcp_sack sack[NL_MAX_TCP_SACK];
	uint32_t ts_val, ts_ecr;
};

struct nl_udp {
	uint16_t sport, dport;
	uint16_t len;
	uint16_t csum;
	uint8_t csum_status;
	uint16_t csum_want; /* NL_CSUM_BAD: the value that would be right */
};

struct nl_time {
	int64_t sec;
	uint32_t nsec;
};

/* Capture time in nanoseconds: what the tracker stores and compares.
 * A hostile file can hold any seconds value: clamped to +-2^62 ns (146
 * years either side of 1970), so differences of two never overflow. */
#define NL_TIME_NS_MAX (1ll << 62)
static inline int64_t nl_time_ns(const struct nl_time *t)
{
	/* 10 s of margin: nsec itself may be anything up to 4.3 s */
	const int64_t lim = NL_TIME_NS_MAX / 1000000000ll - 10;
	if (t->sec > lim)
		return NL_TIME_NS_MAX;
	if (t->sec < -lim)
		return -NL_TIME_NS_MAX;
	return t->sec * 1000000000ll + (int64_t)t->nsec;
}

struct nl_packet {
	uint64_t frame; /* 1-based, as tshark numbers frames */
	struct nl_time ts;
	int64_t ts_ns;	 /* nl_time_ns(&ts): whoever sets ts sets it too */
	uint32_t caplen; /* bytes captured */
	uint32_t len;    /* bytes on the wire */
	const uint8_t *data;

	uint32_t layers; /* NL_LAYER_BIT() of each layer decoded */

	struct nl_link link;
	struct nl_arp arp;
	struct nl_ipv4 ip4;
	struct nl_ipv6 ip6;
	/* common view of whichever IP layer is present */
	struct nl_addr src, dst;
	uint8_t ip_proto;     /* upper-layer protocol after any extensions */
	bool ip_fragment;     /* part of a fragmented datagram */
	bool ip_later_fragment; /* offset > 0: no transport header here */
	struct nl_icmp icmp;
	struct nl_tcp tcp;
	struct nl_udp udp;

	/* application bytes above TCP or UDP */
	const uint8_t *payload;
	uint32_t payload_caplen; /* captured */
	uint32_t payload_len;    /* as sent, from the IP and transport lengths */

	/* offsets into data where each layer starts (0 if absent) */
	uint32_t l3_off, l4_off, payload_off;

	uint8_t n_anom;
	struct nl_anomaly anom[NL_MAX_ANOMALIES];
};

struct nl_decode_opts {
	bool verify_checksums;
};

/*
 * Decode one frame of link type dlt. Always fills pkt as far as the bytes
 * allow (never fails: problems are anomalies on the packet). frame and ts
 * are left for the caller to set.
 */
void nl_decode_packet(struct nl_packet *pkt, const struct nl_decode_opts *opts,
		      uint32_t dlt, const uint8_t *data, uint32_t caplen,
		      uint32_t len);

/* True when netlab has a decoder for this link type. */
bool nl_decode_linktype_supported(uint32_t dlt);

/*
 * Per-layer entry points, used by the dispatcher and by tests. Each takes the
 * cursor at the start of its header (cursor end = end of captured bytes),
 * fills its part of pkt, sets its layer bit, records anomalies, and leaves the
 * cursor at the start of its payload. The return value says whether the
 * layer above may be decoded.
 */
NL_WUR enum nl_status nl_decode_link(struct nl_packet *pkt, struct nl_cur *c,
				     const struct nl_decode_opts *o);
NL_WUR enum nl_status nl_decode_ethernet(struct nl_packet *pkt, struct nl_cur *c);
NL_WUR enum nl_status nl_decode_sll(struct nl_packet *pkt, struct nl_cur *c, bool v2);
NL_WUR enum nl_status nl_decode_arp(struct nl_packet *pkt, struct nl_cur *c);
NL_WUR enum nl_status nl_decode_ipv4(struct nl_packet *pkt, struct nl_cur *c,
				     const struct nl_decode_opts *o);
NL_WUR enum nl_status nl_decode_ipv6(struct nl_packet *pkt, struct nl_cur *c,
				     const struct nl_decode_opts *o);
NL_WUR enum nl_status nl_decode_icmp(struct nl_packet *pkt, struct nl_cur *c,
				     const struct nl_decode_opts *o, bool v6);
NL_WUR enum nl_status nl_decode_tcp(struct nl_packet *pkt, struct nl_cur *c,
				    const struct nl_decode_opts *o);
NL_WUR enum nl_status nl_decode_udp(struct nl_packet *pkt, struct nl_cur *c,
				    const struct nl_decode_opts *o);

/* Network layer by ethertype (IPv4, IPv6, ARP); others leave only the link. */
void nl_decode_network(struct nl_packet *pkt, struct nl_cur *c,
		       uint16_t ethertype, const struct nl_decode_opts *o);
/* Transport layer by IP protocol number. */
void nl_decode_transport(struct nl_packet *pkt, struct nl_cur *c, uint8_t proto,
			 const struct nl_decode_opts *o);

/* Record an anomaly (silently kept to NL_MAX_ANOMALIES; the first win). */
void nl_packet_anomaly(struct nl_packet *pkt, enum nl_anomaly_kind kind,
		       enum nl_layer layer, const char *what);
/* Bytes of the frame as sent that lie at or after cursor position p. */
uint32_t nl_packet_wire_left(const struct nl_packet *pkt, const uint8_t *p);

/* Names in words, for printers (static strings). */
const char *nl_ethertype_name(uint16_t type);   /* "IPv4", "ARP"…; NULL if unknown */
const char *nl_ipproto_name(uint8_t proto);     /* "TCP", "UDP"…; NULL if unknown */
const char *nl_arp_op_name(uint16_t op);        /* "request", "reply" … */
const char *nl_icmp_type_name(bool v6, uint8_t type);
const char *nl_icmp_code_name(bool v6, uint8_t type, uint8_t code); /* "" if none */
const char *nl_linktype_name(uint32_t dlt);     /* "EN10MB", "LINUX_SLL2" … */

/* Internet checksum helpers (RFC 1071). */
uint32_t nl_csum_add(uint32_t sum, const uint8_t *p, uint32_t n);
uint16_t nl_csum_fold(uint32_t sum);

#endif
