/*
 * The one-line printer: the face of the tool and its hot path. Each packet
 * becomes one line, built field by field with the outbuf formatters (no
 * printf, no allocation). Golden tests pin this format: change it only on
 * purpose.
 *
 *   FRAME TIME [LINK: ]BODY[ frag …][ [checksum notes]][ [anomalies]]
 *
 *     1 01:48:07.123456 127.0.0.1:54321 > 127.0.0.1:9000 TCP [SYN]
 *       seq=0 win=65495 len=0 <mss 65495,sack_perm,ts 1234/0,nop,ws 7>
 *       [handshake 1/3] [client CLOSED -> SYN_SENT] [retransmission]
 *     2 01:48:07.200000 10.0.0.1:40000 > 10.0.0.2:53 UDP len=5 "hello"
 *     3 01:48:07.300000 10.0.0.1 > 10.0.0.2 ICMP echo request id=1 seq=1
 *     4 01:48:07.400000 ARP who-has 10.0.0.2 tell 10.0.0.1
 *     5 01:48:07.500000 ethertype 0x88cc (LLDP)
 *       ! ARP 10.0.0.2 moved from aa:… (frame 3) to bb:… (frame 9)
 *
 * Under stream analysis a TCP segment with payload ends with its message
 * map (flowtext.c), and the flow lines its packet caused follow the line:
 *
 *     6 … TCP [PSH,ACK] seq=6 ack=1 win=63 len=5 "world" msgs #2[5B]
 *       * conn 1 c2s: framing u32le (auto: 3 messages confirm)
 *       * frame 4 (conn 1 c2s) mapped now: msgs #1[5B]
 *
 * (the first line is one line in the output). TCP seq/ack are relative to
 * each direction's ISN when the connection is tracked (absolute with -S),
 * followed by the tracker's notes: the segment's role, each side's state
 * changes and the analysis flags. With -e the link header comes
 * between the time and the body, ended by ": ":
 *
 *   00:11:22:33:44:55 (Intel) > ff:ff:ff:ff:ff:ff (broadcast), vlan 10 p 0,
 *   ethertype 0x0806 (ARP), 42B (short <64B): ARP who-has …
 */
#include <stdlib.h>

#include "app.h"
#include "common.h"
#include "flowtext.h"
#include "netlab/escape.h"
#include "netlab/report.h"

/* Payload preview: enough to recognise a protocol, short enough for a line */
#define PREVIEW_BYTES 32

struct text_sink {
	struct nl_outbuf *o;
	struct nl_report_opts opts;
	struct nl_timefmt tf;
	struct nl_rf_stage stage; /* flow lines held until the packet's */
};

static void link_prefix(struct text_sink *s, const struct nl_packet *pkt)
{
	struct nl_outbuf *o = s->o;
	const struct nl_link *l = &pkt->link;
	if (!NL_HAS(pkt, NL_L_LINK))
		return; /* no header to show; the body says why */
	switch (l->kind) {
	case NL_LINK_ETHERNET:
		nl_out_mac(o, l->src);
		nl_report_mac_note(o, &s->opts, l->src);
		NL_OUT_LIT(o, " > ");
		nl_out_mac(o, l->dst);
		nl_report_mac_note(o, &s->opts, l->dst);
		for (unsigned i = 0; i < l->n_vlan && i < NL_MAX_VLAN; i++) {
			NL_OUT_LIT(o, ", vlan ");
			nl_out_u64(o, l->vlan[i].vid);
			NL_OUT_LIT(o, " p ");
			nl_out_u64(o, l->vlan[i].pcp);
			if (l->vlan[i].dei)
				NL_OUT_LIT(o, " dei");
		}
		if (l->is_8023) {
			NL_OUT_LIT(o, ", 802.3");
		} else {
			NL_OUT_LIT(o, ", ethertype ");
			nl_report_ethertype(o, l->ethertype);
		}
		break;
	case NL_LINK_SLL:
	case NL_LINK_SLL2: {
		const char *pt = nl_report_pkttype(l->sll_pkttype);
		if (pt) {
			nl_out_str(o, pt);
		} else {
			NL_OUT_LIT(o, "pkttype ");
			nl_out_u64(o, l->sll_pkttype);
		}
		if (l->kind == NL_LINK_SLL2) {
			NL_OUT_LIT(o, " ifindex ");
			nl_out_u64(o, l->sll_ifindex);
		}
		if (l->sll_halen == 6) {
			nl_out_char(o, ' ');
			nl_out_mac(o, l->sll_addr);
			nl_report_mac_note(o, &s->opts, l->sll_addr);
		} else if (l->sll_halen) {
			nl_out_char(o, ' ');
			nl_report_hexaddr(o, l->sll_addr,
					  l->sll_halen < 8 ? l->sll_halen : 8);
		}
		NL_OUT_LIT(o, ", ethertype ");
		nl_report_ethertype(o, l->ethertype);
		break;
	}
	case NL_LINK_RAW:
		NL_OUT_LIT(o, "raw");
		break;
	case NL_LINK_NULL:
		NL_OUT_LIT(o, "family ");
		nl_out_u64(o, l->null_family);
		break;
	case NL_LINK_UNKNOWN:
	case NL_LINK_KIND_COUNT:
		return;
	}
	NL_OUT_LIT(o, ", ");
	nl_out_u64(o, pkt->len);
	nl_out_char(o, 'B');
	if (l->kind == NL_LINK_ETHERNET && l->undersize)
		NL_OUT_LIT(o, " (short <64B)");
	if (l->kind == NL_LINK_ETHERNET && l->oversize)
		NL_OUT_LIT(o, " (oversize >1518B)");
	NL_OUT_LIT(o, ": ");
}

static void arp_generic(struct nl_outbuf *o, const struct nl_arp *a)
{
	NL_OUT_LIT(o, "op ");
	nl_out_u64(o, a->op);
	const char *name = nl_report_name(nl_arp_op_name(a->op));
	if (name) {
		NL_OUT_LIT(o, " (");
		nl_out_str(o, name);
		nl_out_char(o, ')');
	}
	NL_OUT_LIT(o, " htype ");
	nl_out_u64(o, a->htype);
	NL_OUT_LIT(o, " ptype 0x");
	nl_out_hex(o, a->ptype, 4);
	if (a->eth_ipv4) {
		NL_OUT_LIT(o, " sha ");
		nl_out_mac(o, a->sha);
		NL_OUT_LIT(o, " spa ");
		nl_out_ipv4(o, a->spa);
		NL_OUT_LIT(o, " tha ");
		nl_out_mac(o, a->tha);
		NL_OUT_LIT(o, " tpa ");
		nl_out_ipv4(o, a->tpa);
		return;
	}
	NL_OUT_LIT(o, " sha ");
	nl_report_hexaddr(o, a->sha_p, a->hlen);
	NL_OUT_LIT(o, " spa ");
	nl_report_hexaddr(o, a->spa_p, a->plen);
	NL_OUT_LIT(o, " tha ");
	nl_report_hexaddr(o, a->tha_p, a->hlen);
	NL_OUT_LIT(o, " tpa ");
	nl_report_hexaddr(o, a->tpa_p, a->plen);
}

static void arp_body(struct nl_outbuf *o, const struct nl_arp *a)
{
	NL_OUT_LIT(o, "ARP ");
	if (!a->eth_ipv4) {
		arp_generic(o, a);
		return;
	}
	switch (a->kind) {
	case NL_ARP_REQUEST:
		NL_OUT_LIT(o, "who-has ");
		nl_out_ipv4(o, a->tpa);
		NL_OUT_LIT(o, " tell ");
		nl_out_ipv4(o, a->spa);
		break;
	case NL_ARP_REPLY:
		NL_OUT_LIT(o, "reply ");
		nl_out_ipv4(o, a->spa);
		NL_OUT_LIT(o, " is-at ");
		nl_out_mac(o, a->sha);
		break;
	case NL_ARP_GRATUITOUS:
		NL_OUT_LIT(o, "gratuitous ");
		nl_out_ipv4(o, a->spa);
		NL_OUT_LIT(o, " is-at ");
		nl_out_mac(o, a->sha);
		break;
	case NL_ARP_PROBE:
		NL_OUT_LIT(o, "probe who-has ");
		nl_out_ipv4(o, a->tpa);
		NL_OUT_LIT(o, " (from ");
		nl_out_mac(o, a->sha);
		nl_out_char(o, ')');
		break;
	default:
		arp_generic(o, a);
		break;
	}
}

static void preview(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	uint32_t n = pkt->payload_caplen < pkt->payload_len
			 ? pkt->payload_caplen
			 : pkt->payload_len;
	if (!pkt->payload || n == 0)
		return;
	nl_out_char(o, ' ');
	nl_escape_quoted(o, pkt->payload, n, PREVIEW_BYTES);
}

static void tcp_body(struct text_sink *s, const struct nl_packet *pkt,
		     const struct nl_tcp_note *n, const struct nl_segmap *map)
{
	struct nl_outbuf *o = s->o;
	const struct nl_tcp *t = &pkt->tcp;
	bool rel = n && !s->opts.absolute;
	NL_OUT_LIT(o, "TCP [");
	nl_report_tcp_flags(o, t->flags);
	NL_OUT_LIT(o, "] seq=");
	nl_out_u64(o, rel ? n->rseq : t->seq);
	/* the ack field means nothing without ACK (RFC 9293 §3.1) */
	if (t->flags & NL_TCP_ACK) {
		NL_OUT_LIT(o, " ack=");
		nl_out_u64(o, rel ? n->rack : t->ack);
	}
	NL_OUT_LIT(o, " win=");
	nl_out_u64(o, t->win);
	if (t->flags & NL_TCP_URG) {
		NL_OUT_LIT(o, " urg=");
		nl_out_u64(o, t->urg);
	}
	NL_OUT_LIT(o, " len=");
	nl_out_u64(o, pkt->payload_len);
	if (t->n_opts) {
		NL_OUT_LIT(o, " <");
		nl_report_tcp_opts(o, t);
		nl_out_char(o, '>');
	}
	preview(o, pkt);
	if (n)
		nl_report_tcp_notes(o, n);
	if (map)
		nl_rf_segmap_text(o, map);
}

static void icmp_body(struct nl_outbuf *o, const struct nl_icmp *ic)
{
	nl_out_str(o, ic->v6 ? "ICMPv6 " : "ICMP ");
	nl_report_icmp_words(o, ic);
	if (nl_report_icmp_is_echo(ic)) {
		NL_OUT_LIT(o, " id=");
		nl_out_u64(o, ic->id);
		NL_OUT_LIT(o, " seq=");
		nl_out_u64(o, ic->seq);
	}
	if (nl_report_icmp_has_mtu(ic)) {
		NL_OUT_LIT(o, " mtu=");
		nl_out_u64(o, ic->mtu);
	}
	if (nl_report_icmp_is_redirect(ic)) {
		NL_OUT_LIT(o, " gateway=");
		nl_out_ipv4(o, ic->gateway);
	}
	if (ic->has_target) {
		NL_OUT_LIT(o, " target=");
		nl_out_ipv6(o, ic->target);
	}
	if (ic->has_quote) {
		/* an error names the datagram it is about: show its flow */
		NL_OUT_LIT(o, " for ");
		nl_report_ipproto(o, ic->quote_proto);
		nl_out_char(o, ' ');
		bool ports = (ic->quote_proto == NL_IPPROTO_TCP ||
			      ic->quote_proto == NL_IPPROTO_UDP) &&
			     (ic->quote_sport || ic->quote_dport);
		if (ports)
			nl_report_endpoint(o, &ic->quote_src, ic->quote_sport);
		else
			nl_report_addr(o, &ic->quote_src);
		NL_OUT_LIT(o, " > ");
		if (ports)
			nl_report_endpoint(o, &ic->quote_dst, ic->quote_dport);
		else
			nl_report_addr(o, &ic->quote_dst);
	}
}

static void frag_note(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	bool v6 = NL_HAS(pkt, NL_L_IPV6) && !NL_HAS(pkt, NL_L_IPV4);
	NL_OUT_LIT(o, " frag id=");
	nl_out_u64(o, v6 ? pkt->ip6.frag_id : pkt->ip4.id);
	NL_OUT_LIT(o, " off=");
	nl_out_u64(o, v6 ? pkt->ip6.frag_off : pkt->ip4.frag_off);
	NL_OUT_LIT(o, " len=");
	nl_out_u64(o, nl_report_ip_payload_len(pkt));
	if (v6 ? pkt->ip6.frag_more : pkt->ip4.mf)
		NL_OUT_LIT(o, " +MF");
}

static void ip_body(struct text_sink *s, const struct nl_packet *pkt,
		    const struct nl_tcp_note *n, const struct nl_segmap *map)
{
	struct nl_outbuf *o = s->o;
	bool tcp = NL_HAS(pkt, NL_L_TCP), udp = NL_HAS(pkt, NL_L_UDP);
	bool icmp = NL_HAS(pkt, NL_L_ICMP) || NL_HAS(pkt, NL_L_ICMPV6);
	if (tcp || udp) {
		nl_report_endpoint(o, &pkt->src,
				   tcp ? pkt->tcp.sport : pkt->udp.sport);
		NL_OUT_LIT(o, " > ");
		nl_report_endpoint(o, &pkt->dst,
				   tcp ? pkt->tcp.dport : pkt->udp.dport);
	} else {
		nl_report_addr(o, &pkt->src);
		NL_OUT_LIT(o, " > ");
		nl_report_addr(o, &pkt->dst);
	}
	nl_out_char(o, ' ');
	if (tcp) {
		tcp_body(s, pkt, n, map);
	} else if (udp) {
		NL_OUT_LIT(o, "UDP len=");
		nl_out_u64(o, pkt->payload_len);
		preview(o, pkt);
	} else if (icmp) {
		icmp_body(o, &pkt->icmp);
	} else {
		nl_report_ipproto(o, pkt->ip_proto);
		/* a later fragment's length is in the fragment note */
		if (!pkt->ip_fragment) {
			NL_OUT_LIT(o, " len=");
			nl_out_u64(o, nl_report_ip_payload_len(pkt));
		}
	}
	if (pkt->ip_fragment)
		frag_note(o, pkt);
}

/* Frames without an IP or ARP layer: say what they are. */
static void other_body(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	const struct nl_link *l = &pkt->link;
	if (l->kind == NL_LINK_UNKNOWN || l->kind >= NL_LINK_KIND_COUNT) {
		NL_OUT_LIT(o, "undecoded (link type ");
		nl_out_u64(o, l->dlt);
		nl_out_char(o, ')');
	} else if (!NL_HAS(pkt, NL_L_LINK)) {
		nl_out_str(o, nl_report_link_name(l));
	} else if (l->kind == NL_LINK_ETHERNET && l->is_8023) {
		NL_OUT_LIT(o, "802.3 LLC len=");
		nl_out_u64(o, l->type_len);
	} else if (l->ethertype == 0 && l->kind == NL_LINK_NULL) {
		NL_OUT_LIT(o, "family ");
		nl_out_u64(o, l->null_family);
	} else if (l->ethertype == 0 && l->kind != NL_LINK_ETHERNET) {
		nl_out_str(o, nl_report_link_name(l));
	} else {
		NL_OUT_LIT(o, "ethertype ");
		nl_report_ethertype(o, l->ethertype);
	}
}

static void csum_note(struct nl_outbuf *o, const char *what, uint8_t status,
		      uint16_t have, uint16_t want, bool *offload)
{
	if (status == NL_CSUM_OFFLOAD)
		*offload = true;
	if (status != NL_CSUM_BAD)
		return;
	NL_OUT_LIT(o, " [bad ");
	nl_out_str(o, what);
	NL_OUT_LIT(o, " csum 0x");
	nl_out_hex(o, have, 4);
	/* equal only when the value itself is not the fault (UDP checksum 0
	 * over IPv6) or the decoder did not work it out */
	if (want != have) {
		NL_OUT_LIT(o, ", want 0x");
		nl_out_hex(o, want, 4);
	}
	nl_out_char(o, ']');
}

static void csum_notes(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	bool offload = false;
	if (NL_HAS(pkt, NL_L_IPV4))
		csum_note(o, "ip", pkt->ip4.csum_status, pkt->ip4.csum,
			  pkt->ip4.csum_want, &offload);
	if (NL_HAS(pkt, NL_L_ICMP) || NL_HAS(pkt, NL_L_ICMPV6))
		csum_note(o, pkt->icmp.v6 ? "icmpv6" : "icmp",
			  pkt->icmp.csum_status, pkt->icmp.csum,
			  pkt->icmp.csum_want, &offload);
	if (NL_HAS(pkt, NL_L_TCP))
		csum_note(o, "tcp", pkt->tcp.csum_status, pkt->tcp.csum,
			  pkt->tcp.csum_want, &offload);
	if (NL_HAS(pkt, NL_L_UDP))
		csum_note(o, "udp", pkt->udp.csum_status, pkt->udp.csum,
			  pkt->udp.csum_want, &offload);
	if (offload)
		NL_OUT_LIT(o, " [csum offload]");
}

static void on_packet(struct text_sink *s, const struct nl_event *ev)
{
	const struct nl_packet *pkt = ev->pkt;
	const struct nl_tcp_note *n = ev->tcp;
	const struct nl_segmap *map = ev->segmap;
	struct nl_outbuf *o = s->o;
	nl_out_u64_pad(o, pkt->frame, NL_REPORT_FRAME_WIDTH, ' ');
	nl_out_char(o, ' ');
	if (s->tf.style != NL_TIME_NONE) {
		nl_timefmt_write(&s->tf, o, &pkt->ts);
		nl_out_char(o, ' ');
	}
	if (s->opts.link)
		link_prefix(s, pkt);
	if (NL_HAS(pkt, NL_L_ARP))
		arp_body(o, &pkt->arp);
	else if (NL_HAS(pkt, NL_L_IPV4) || NL_HAS(pkt, NL_L_IPV6))
		ip_body(s, pkt, n, map);
	else
		other_body(o, pkt);
	if (ev->udp)
		nl_report_udp_dgram(o, ev->udp, ev->udp_dir, ev->udp_index);
	if (ev->app)
		nl_report_app_map(o, ev->app);
	if (s->opts.verify_checksums)
		csum_notes(o, pkt);
	nl_report_anomalies(o, pkt, ~0u);
	nl_out_char(o, '\n');
}

/*
 * Flow events come before the packet event of the frame that caused them:
 * they are staged and printed after its line, so the reader sees the
 * packet first, then what it completed. At a connection's end they come
 * before NL_EV_CONN_END, which flushes them.
 */
static void text_event(void *self, const struct nl_event *ev)
{
	struct text_sink *s = self;
	switch (ev->type) {
	case NL_EV_PACKET:
		if (ev->pkt)
			on_packet(s, ev);
		nl_rf_stage_flush(&s->stage, s->o);
		break;
	case NL_EV_ARP_NOTICE:
		if (ev->u.arp)
			nl_report_arp_notice(s->o, ev->u.arp);
		break;
	case NL_EV_SEGMAP:
	case NL_EV_FLOW_NOTE:
	case NL_EV_APP:
		nl_rf_line_event(&s->stage, s->o, ev);
		break;
	case NL_EV_CONN_END:
	case NL_EV_SUMMARY:
		nl_rf_stage_flush(&s->stage, s->o);
		break;
	case NL_EV_MESSAGE: /* listed by --messages */
	case NL_EV_FLOW_DATA:
	case NL_EV_COUNT:
		break;
	}
}

static void text_close(void *self)
{
	struct text_sink *s = self;
	nl_rf_stage_flush(&s->stage, s->o);
	nl_rf_stage_free(&s->stage);
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops text_ops = {
    .name = "text",
    .on_event = text_event,
    .close = text_close,
};

enum nl_status nl_sink_text_new(struct nl_sink *out, struct nl_outbuf *o,
				const struct nl_report_opts *opts)
{
	struct text_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	if (!nl_rf_stage_init(&s->stage)) {
		free(s);
		return NL_NOMEM;
	}
	s->o = o;
	s->opts = *opts;
	nl_timefmt_init(&s->tf, opts->time_style, opts->time_digits);
	out->ops = &text_ops;
	out->self = s;
	return NL_OK;
}
