/*
 * The -v printer: one block per layer, as the textbook five-layer model
 * draws a packet, so a learner can see which header holds what.
 *
 *     1 01:48:07.123456 74 bytes on the wire, 74 captured
 *     Link (Ethernet II): 00:11:22:33:44:55 (Intel) > 66:77:88:99:aa:bb,
 *       ethertype 0x0800 (IPv4), 78 bytes on the wire with FCS
 *     Network (IPv4): 10.0.0.1 > 10.0.0.2, ttl 64, id 7238, flags DF, …
 *     Transport (TCP): 54321 > 9000, flags [SYN], seq 2832737363, …
 *       options: mss 65495,sack_perm,ts 1234/0,nop,ws 7
 *     Connection #1: client 10.0.0.1:54321 -> server 10.0.0.2:9000, …
 *       role: handshake 1/3
 *       state: client CLOSED -> SYN_SENT
 *     Application: 14 bytes "helloworldegon"
 *       ! truncated payload: …
 *     Messages (c2s, stream offset 0, 14 bytes): parts of 3 messages …
 *       #1 whole: 5 bytes
 *     = conn 1 c2s msg #1 at 0: 5B, frame 4, whole, complete "hello"
 *
 * (each block is one line in the output). Anomalies are listed under the
 * layer they belong to, as "    ! KIND LAYER: WHAT". Under stream
 * analysis the Messages block maps the segment onto messages, and the flow
 * events that came before the packet (messages ended, notes, late maps)
 * follow its block.
 */
#include <stdlib.h>

#include "app.h"
#include "common.h"
#include "flowtext.h"
#include "netlab/escape.h"
#include "netlab/report.h"

#define APP_PREVIEW_BYTES 64

#define LINK_MASK (NL_LAYER_BIT(NL_L_LINK) | NL_LAYER_BIT(NL_L_VLAN))

struct verbose_sink {
	struct nl_outbuf *o;
	struct nl_report_opts opts;
	struct nl_timefmt tf;
	struct nl_rf_stage stage; /* flow lines held until the packet's */
};

/* Anomalies of the layers in mask, each on its own line; remembers which
 * layers were listed so none is shown twice or left out. */
static void anomaly_lines(struct nl_outbuf *o, const struct nl_packet *pkt,
			  uint32_t mask, uint32_t *done)
{
	unsigned n =
	    pkt->n_anom < NL_MAX_ANOMALIES ? pkt->n_anom : NL_MAX_ANOMALIES;
	for (unsigned i = 0; i < n; i++) {
		const struct nl_anomaly *a = &pkt->anom[i];
		if (a->layer >= NL_LAYER_COUNT ||
		    !(mask & NL_LAYER_BIT(a->layer)))
			continue;
		nl_out_str(o, "    ! ");
		nl_out_str(o, nl_report_anom_kind(a->kind));
		nl_out_char(o, ' ');
		nl_out_str(o, nl_layer_name(a->layer));
		nl_out_str(o, ": ");
		nl_out_str(o, a->what ? a->what : "?");
		nl_out_char(o, '\n');
	}
	*done |= mask;
}

static void csum(struct nl_outbuf *o, uint16_t have, uint8_t status,
		 uint16_t want)
{
	nl_out_str(o, ", checksum 0x");
	nl_out_hex(o, have, 4);
	switch (status) {
	case NL_CSUM_OK:
		nl_out_str(o, " (ok)");
		break;
	case NL_CSUM_BAD:
		nl_out_str(o, " (BAD");
		if (want != have) { /* as in the one-line printer */
			nl_out_str(o, ", want 0x");
			nl_out_hex(o, want, 4);
		}
		nl_out_char(o, ')');
		break;
	case NL_CSUM_OFFLOAD:
		nl_out_str(o, " (not filled in: captured on the sending host "
			      "with checksum offload)");
		break;
	case NL_CSUM_ABSENT:
		nl_out_str(o, " (none: optional for UDP over IPv4)");
		break;
	case NL_CSUM_UNVERIFIED:
		nl_out_str(o, " (not verified: bytes not captured, or a "
			      "fragment)");
		break;
	default:
		break;
	}
}

static void mac_with_note(struct verbose_sink *s, const uint8_t mac[6])
{
	nl_out_mac(s->o, mac);
	nl_report_mac_note(s->o, &s->opts, mac);
}

static const char *pkttype_words(uint16_t t)
{
	static const char *const w[] = {
	    "In (to us)",	   "B (broadcast)",    "M (multicast)",
	    "P (to another host)", "Out (sent by us)",
	};
	return t < sizeof(w) / sizeof(w[0]) ? w[t] : NULL;
}

static void link_block(struct verbose_sink *s, const struct nl_packet *pkt)
{
	struct nl_outbuf *o = s->o;
	const struct nl_link *l = &pkt->link;
	nl_out_str(o, "  Link (");
	nl_out_str(o, nl_report_link_name(l));
	nl_out_str(o, "): ");
	if (l->kind == NL_LINK_UNKNOWN || l->kind >= NL_LINK_KIND_COUNT) {
		nl_out_str(o, "link type ");
		nl_out_u64(o, l->dlt);
		const char *n = nl_report_name(nl_linktype_name(l->dlt));
		if (n) {
			nl_out_str(o, " (");
			nl_out_str(o, n);
			nl_out_char(o, ')');
		}
		nl_out_str(o, ", not decoded\n");
		return;
	}
	if (!NL_HAS(pkt, NL_L_LINK)) {
		nl_out_str(o, "not decoded\n");
		return;
	}
	switch (l->kind) {
	case NL_LINK_ETHERNET:
		mac_with_note(s, l->src);
		nl_out_str(o, " > ");
		mac_with_note(s, l->dst);
		if (l->is_8023) {
			nl_out_str(o, ", length ");
			nl_out_u64(o, l->type_len);
			nl_out_str(o, " (LLC follows, not decoded)");
		} else {
			nl_out_str(o, ", ethertype ");
			nl_report_ethertype(o, l->type_len);
		}
		nl_out_str(o, ", ");
		nl_out_u64(o, l->wire_frame_len);
		nl_out_str(o, l->fcs_absent ? " bytes on the wire with FCS "
					      "(FCS not captured)"
					    : " bytes on the wire with FCS");
		if (l->undersize)
			/* Linux shows outgoing frames before the NIC pads
			 * them, so a short frame is not necessarily a runt. */
			nl_out_str(o, ", under the 64-byte minimum: a runt, "
				      "or captured on the sending host before "
				      "the NIC pads it");
		if (l->oversize)
			nl_out_str(o, ", over the 1518-byte maximum: a jumbo "
				      "frame, or a segmentation-offload batch "
				      "captured before the NIC cuts it up");
		break;
	case NL_LINK_SLL:
	case NL_LINK_SLL2: {
		const char *pt = pkttype_words(l->sll_pkttype);
		if (pt) {
			nl_out_str(o, pt);
		} else {
			nl_out_str(o, "pkttype ");
			nl_out_u64(o, l->sll_pkttype);
		}
		if (l->kind == NL_LINK_SLL2) {
			nl_out_str(o, ", ifindex ");
			nl_out_u64(o, l->sll_ifindex);
		}
		nl_out_str(o, ", hatype ");
		nl_out_u64(o, l->sll_hatype);
		nl_out_str(o, ", address ");
		if (l->sll_halen == 6)
			mac_with_note(s, l->sll_addr);
		else
			nl_report_hexaddr(o, l->sll_addr,
					  l->sll_halen < 8 ? l->sll_halen : 8);
		nl_out_str(o, ", protocol ");
		nl_report_ethertype(o, l->ethertype);
		break;
	}
	case NL_LINK_RAW:
		nl_out_str(o, "no link header");
		break;
	case NL_LINK_NULL:
		nl_out_str(o, "address family ");
		nl_out_u64(o, l->null_family);
		break;
	default:
		break;
	}
	nl_out_char(o, '\n');
	for (unsigned i = 0; i < l->n_vlan && i < NL_MAX_VLAN; i++) {
		const struct nl_vlan_tag *v = &l->vlan[i];
		nl_out_str(o, v->tpid == NL_ETHERTYPE_QINQ
				  ? "  Link (802.1ad): "
				  : "  Link (802.1Q): ");
		nl_out_str(o, "vlan ");
		nl_out_u64(o, v->vid);
		nl_out_str(o, ", priority ");
		nl_out_u64(o, v->pcp);
		nl_out_str(o, v->dei ? ", dei 1, tpid 0x" : ", dei 0, tpid 0x");
		nl_out_hex(o, v->tpid, 4);
		nl_out_char(o, '\n');
	}
	if (l->n_vlan) { /* what the innermost tag carries */
		nl_out_str(o, "    then ethertype ");
		nl_report_ethertype(o, l->ethertype);
		nl_out_char(o, '\n');
	}
}

static void arp_addr_line(struct verbose_sink *s, const char *who,
			  const struct nl_arp *a, bool sender)
{
	struct nl_outbuf *o = s->o;
	nl_out_str(o, "    ");
	nl_out_str(o, who);
	if (a->eth_ipv4) {
		mac_with_note(s, sender ? a->sha : a->tha);
		nl_out_char(o, ' ');
		nl_out_ipv4(o, sender ? a->spa : a->tpa);
	} else {
		nl_report_hexaddr(o, sender ? a->sha_p : a->tha_p, a->hlen);
		nl_out_char(o, ' ');
		nl_report_hexaddr(o, sender ? a->spa_p : a->tpa_p, a->plen);
	}
	nl_out_char(o, '\n');
}

static void arp_block(struct verbose_sink *s, const struct nl_arp *a)
{
	static const char *const kinds[NL_ARP_KIND_COUNT] = {
	    "request", "reply", "gratuitous", "probe", "other",
	};
	struct nl_outbuf *o = s->o;
	nl_out_str(o, "  Network (ARP): ");
	nl_out_str(o, a->kind < NL_ARP_KIND_COUNT ? kinds[a->kind] : "other");
	nl_out_str(o, ", op ");
	nl_out_u64(o, a->op);
	const char *op = nl_report_name(nl_arp_op_name(a->op));
	if (op) {
		nl_out_str(o, " (");
		nl_out_str(o, op);
		nl_out_char(o, ')');
	}
	nl_out_str(o, ", htype ");
	nl_out_u64(o, a->htype);
	nl_out_str(o, ", ptype ");
	nl_report_ethertype(o, a->ptype);
	nl_out_str(o, ", hlen ");
	nl_out_u64(o, a->hlen);
	nl_out_str(o, ", plen ");
	nl_out_u64(o, a->plen);
	nl_out_char(o, '\n');
	arp_addr_line(s, "sender ", a, true);
	arp_addr_line(s, "target ", a, false);
}

static void ipv4_block(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	const struct nl_ipv4 *ip = &pkt->ip4;
	nl_out_str(o, "  Network (IPv4): ");
	nl_report_addr(o, &pkt->src);
	nl_out_str(o, " > ");
	nl_report_addr(o, &pkt->dst);
	nl_out_str(o, ", ttl ");
	nl_out_u64(o, ip->ttl);
	nl_out_str(o, ", id ");
	nl_out_u64(o, ip->id);
	nl_out_str(o, ", flags ");
	if (!ip->rf && !ip->df && !ip->mf)
		nl_out_str(o, "none");
	nl_out_str(o, ip->rf ? (ip->df || ip->mf ? "RF," : "RF") : "");
	nl_out_str(o, ip->df ? (ip->mf ? "DF," : "DF") : "");
	nl_out_str(o, ip->mf ? "MF" : "");
	nl_out_str(o, ", frag offset ");
	nl_out_u64(o, ip->frag_off);
	nl_out_str(o, ", header ");
	nl_out_u64(o, ip->ihl);
	nl_out_str(o, " bytes, total length ");
	nl_out_u64(o, ip->tot_len);
	nl_out_str(o, ", options ");
	nl_out_u64(o, ip->opt_len);
	nl_out_str(o, " bytes, tos 0x");
	nl_out_hex(o, ip->tos, 2);
	nl_out_str(o, ", proto ");
	nl_out_u64(o, ip->proto);
	nl_out_str(o, " (");
	nl_report_ipproto(o, ip->proto);
	nl_out_char(o, ')');
	csum(o, ip->csum, ip->csum_status, ip->csum_want);
	nl_out_char(o, '\n');
}

static void ipv6_block(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	const struct nl_ipv6 *ip = &pkt->ip6;
	nl_out_str(o, "  Network (IPv6): ");
	nl_report_addr(o, &pkt->src);
	nl_out_str(o, " > ");
	nl_report_addr(o, &pkt->dst);
	nl_out_str(o, ", hop limit ");
	nl_out_u64(o, ip->hlim);
	nl_out_str(o, ", traffic class 0x");
	nl_out_hex(o, ip->tclass, 2);
	nl_out_str(o, ", flow label 0x");
	nl_out_hex(o, ip->flow, 5);
	nl_out_str(o, ", payload length ");
	nl_out_u64(o, ip->plen);
	if (ip->jumbo_len) {
		nl_out_str(o, " (jumbo ");
		nl_out_u64(o, ip->jumbo_len);
		nl_out_char(o, ')');
	}
	nl_out_str(o, ", next header ");
	nl_out_u64(o, ip->next);
	if (ip->n_ext) {
		nl_out_str(o, ", extension headers");
		for (unsigned i = 0; i < ip->n_ext && i < NL_MAX_IPV6_EXT;
		     i++) {
			nl_out_str(o, i ? "," : " ");
			nl_out_u64(o, ip->ext[i]);
		}
		nl_out_str(o, " (");
		nl_out_u64(o, ip->ext_len);
		nl_out_str(o, " bytes)");
	}
	nl_out_str(o, ", upper layer ");
	nl_report_ipproto(o, pkt->ip_proto);
	if (ip->frag) {
		nl_out_str(o, ", fragment id ");
		nl_out_u64(o, ip->frag_id);
		nl_out_str(o, " offset ");
		nl_out_u64(o, ip->frag_off);
		if (ip->frag_more)
			nl_out_str(o, " +MF");
	}
	nl_out_char(o, '\n');
}

static void icmp_block(struct nl_outbuf *o, const struct nl_icmp *ic)
{
	nl_out_str(o, ic->v6 ? "  Network (ICMPv6): type "
			     : "  Network (ICMP): type ");
	nl_out_u64(o, ic->type);
	nl_out_str(o, " code ");
	nl_out_u64(o, ic->code);
	nl_out_str(o, ", ");
	nl_report_icmp_words(o, ic);
	if (nl_report_icmp_is_echo(ic)) {
		nl_out_str(o, ", id ");
		nl_out_u64(o, ic->id);
		nl_out_str(o, ", seq ");
		nl_out_u64(o, ic->seq);
	}
	if (nl_report_icmp_has_mtu(ic)) {
		nl_out_str(o, ", next-hop mtu ");
		nl_out_u64(o, ic->mtu);
	}
	if (nl_report_icmp_is_redirect(ic)) {
		nl_out_str(o, ", gateway ");
		nl_out_ipv4(o, ic->gateway);
	}
	if (ic->has_target) {
		nl_out_str(o, ", target ");
		nl_out_ipv6(o, ic->target);
	}
	csum(o, ic->csum, ic->csum_status, ic->csum_want);
	nl_out_char(o, '\n');
	if (ic->has_quote) {
		nl_out_str(o, "    about: ");
		nl_report_ipproto(o, ic->quote_proto);
		nl_out_char(o, ' ');
		nl_report_addr(o, &ic->quote_src);
		if (ic->quote_sport || ic->quote_dport) {
			nl_out_str(o, " port ");
			nl_out_u64(o, ic->quote_sport);
		}
		nl_out_str(o, " > ");
		nl_report_addr(o, &ic->quote_dst);
		if (ic->quote_sport || ic->quote_dport) {
			nl_out_str(o, " port ");
			nl_out_u64(o, ic->quote_dport);
		}
		nl_out_char(o, '\n');
	}
}

static void tcp_block(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	const struct nl_tcp *t = &pkt->tcp;
	nl_out_str(o, "  Transport (TCP): ");
	nl_out_u64(o, t->sport);
	nl_out_str(o, " > ");
	nl_out_u64(o, t->dport);
	nl_out_str(o, ", flags [");
	nl_report_tcp_flags(o, t->flags);
	nl_out_str(o, "] (0x");
	nl_out_hex(o, t->flags, 3);
	nl_out_str(o, "), seq ");
	nl_out_u64(o, t->seq);
	nl_out_str(o, ", ack ");
	nl_out_u64(o, t->ack);
	nl_out_str(o, ", win ");
	nl_out_u64(o, t->win);
	nl_out_str(o, ", header ");
	nl_out_u64(o, t->doff);
	nl_out_str(o, " bytes, urg ");
	nl_out_u64(o, t->urg);
	nl_out_str(o, ", payload ");
	nl_out_u64(o, pkt->payload_len);
	nl_out_str(o, " bytes");
	csum(o, t->csum, t->csum_status, t->csum_want);
	nl_out_char(o, '\n');
	if (t->n_opts) {
		nl_out_str(o, "    options: ");
		nl_report_tcp_opts(o, t);
		nl_out_char(o, '\n');
	}
}

static void udp_block(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	const struct nl_udp *u = &pkt->udp;
	nl_out_str(o, "  Transport (UDP): ");
	nl_out_u64(o, u->sport);
	nl_out_str(o, " > ");
	nl_out_u64(o, u->dport);
	nl_out_str(o, ", length ");
	nl_out_u64(o, u->len);
	nl_out_str(o, ", payload ");
	nl_out_u64(o, pkt->payload_len);
	nl_out_str(o, " bytes");
	csum(o, u->csum, u->csum_status, u->csum_want);
	nl_out_char(o, '\n');
}

static void app_block(struct nl_outbuf *o, const struct nl_packet *pkt)
{
	uint32_t n = pkt->payload_caplen < pkt->payload_len
			 ? pkt->payload_caplen
			 : pkt->payload_len;
	nl_out_str(o, "  Application: ");
	nl_out_u64(o, pkt->payload_len);
	nl_out_str(o, " bytes");
	if (n < pkt->payload_len) {
		nl_out_str(o, " (");
		nl_out_u64(o, n);
		nl_out_str(o, " captured)");
	}
	if (pkt->payload && n) {
		nl_out_char(o, ' ');
		nl_escape_quoted(o, pkt->payload, n, APP_PREVIEW_BYTES);
	}
	nl_out_char(o, '\n');
}

/* A layer an anomaly names but whose header could not be decoded. */
static void leftover(struct nl_outbuf *o, const struct nl_packet *pkt,
		     uint32_t *done)
{
	unsigned n =
	    pkt->n_anom < NL_MAX_ANOMALIES ? pkt->n_anom : NL_MAX_ANOMALIES;
	for (unsigned i = 0; i < n; i++) {
		unsigned l = pkt->anom[i].layer;
		if (l >= NL_LAYER_COUNT || (*done & NL_LAYER_BIT(l)))
			continue;
		const char *model = l <= NL_L_VLAN     ? "Link"
				    : l <= NL_L_ICMPV6 ? "Network"
				    : l <= NL_L_UDP    ? "Transport"
						       : "Application";
		nl_out_str(o, "  ");
		nl_out_str(o, model);
		nl_out_str(o, " (");
		nl_out_str(o, nl_layer_name((enum nl_layer)l));
		nl_out_str(o, "): not decoded\n");
		anomaly_lines(o, pkt, NL_LAYER_BIT(l), done);
	}
}

/*
 *   Connection #1: client 10.0.0.1:40000 -> server 10.0.0.2:80,
 *     relative seq 0 ack 1 (picked up mid-stream)
 *     role: handshake 2/3
 *     state: client SYN_SENT -> ESTABLISHED
 *     now: client ESTABLISHED, server SYN_RECEIVED
 *     analysis: [retransmission]
 */
static void conn_block(struct nl_outbuf *o, const struct nl_tcp_note *n,
		       const struct nl_conn *c)
{
	NL_OUT_LIT(o, "  Connection #");
	nl_out_u64(o, n->conn_id);
	NL_OUT_LIT(o, ": ");
	unsigned from = n->dir, to = !n->dir;
	nl_out_str(o, nl_report_side(from));
	nl_out_char(o, ' ');
	if (c)
		nl_report_endpoint(o, &c->addr[from], c->port[from]);
	NL_OUT_LIT(o, " -> ");
	nl_out_str(o, nl_report_side(to));
	nl_out_char(o, ' ');
	if (c)
		nl_report_endpoint(o, &c->addr[to], c->port[to]);
	NL_OUT_LIT(o, ", relative seq ");
	nl_out_u64(o, n->rseq);
	NL_OUT_LIT(o, " ack ");
	nl_out_u64(o, n->rack);
	if (n->midstream)
		NL_OUT_LIT(o, " (picked up mid-stream)");
	nl_out_char(o, '\n');
	if (n->role != NL_ROLE_NONE) {
		NL_OUT_LIT(o, "    role: ");
		nl_report_tcp_role(o, n);
		nl_out_char(o, '\n');
	}
	for (unsigned side = 0; side < 2; side++) {
		bool has = false;
		for (unsigned i = 0; i < n->n_changes && i < NL_TCP_MAX_CHANGES;
		     i++)
			has |= n->changes[i].side == side;
		if (!has)
			continue;
		NL_OUT_LIT(o, "    state: ");
		nl_report_tcp_side_changes(o, n, side);
		nl_out_char(o, '\n');
	}
	NL_OUT_LIT(o, "    now: client ");
	nl_out_str(o, nl_tcp_state_name(n->state[NL_CLIENT]));
	NL_OUT_LIT(o, ", server ");
	nl_out_str(o, nl_tcp_state_name(n->state[NL_SERVER]));
	nl_out_char(o, '\n');
	if (n->analysis) {
		NL_OUT_LIT(o, "    analysis:");
		nl_report_ta_list(o, n, " ");
		nl_out_char(o, '\n');
	}
}

/*
 *   Messages (c2s, stream offset 120, 176 bytes): parts of 3 messages
 *   (merged)
 *     #3 tail: bytes 80-199 of 200 (120 bytes)
 *     #4 whole: 16 bytes
 *     #5 head: bytes 0-39 of 200 (40 bytes)
 */
static void part_line(struct nl_outbuf *o, const struct nl_msg_part *p)
{
	NL_OUT_LIT(o, "    #");
	nl_out_u64(o, p->index);
	nl_out_char(o, ' ');
	nl_out_str(o, nl_rf_part(p->part));
	NL_OUT_LIT(o, ": ");
	if (p->part == NL_PART_WHOLE) {
		nl_out_u64(o, p->bytes);
		NL_OUT_LIT(o, " bytes\n");
		return;
	}
	NL_OUT_LIT(o, "bytes ");
	nl_out_u64(o, p->at);
	nl_out_char(o, '-');
	nl_out_u64(o, p->at + p->bytes - (p->bytes ? 1 : 0));
	NL_OUT_LIT(o, " of ");
	if (p->msg_len)
		nl_out_u64(o, p->msg_len);
	else
		NL_OUT_LIT(o, "? (length not known yet)");
	NL_OUT_LIT(o, " (");
	nl_out_u64(o, p->bytes);
	NL_OUT_LIT(o, " bytes)\n");
}

static void messages_block(struct nl_outbuf *o, const struct nl_segmap *m)
{
	if (m->state == NL_SEGMAP_NONE)
		return;
	NL_OUT_LIT(o, "  Messages");
	if (m->state != NL_SEGMAP_MAPPED) {
		NL_OUT_LIT(o, ": ");
		nl_out_str(o, nl_rf_state_words(m));
		if (m->offload)
			NL_OUT_LIT(o, "; larger than the MSS: a GSO/TSO/GRO "
				      "batch captured on a host, not a wire "
				      "segment");
		nl_out_char(o, '\n');
		return;
	}
	NL_OUT_LIT(o, " (");
	nl_out_str(o, nl_rf_dir(m->dir));
	NL_OUT_LIT(o, ", stream offset ");
	nl_out_u64(o, m->offset);
	NL_OUT_LIT(o, ", ");
	nl_out_u64(o, m->bytes);
	NL_OUT_LIT(o, " bytes): ");
	if (m->n_msgs == 1) {
		NL_OUT_LIT(o, "part of 1 message");
	} else {
		NL_OUT_LIT(o, "parts of ");
		nl_out_u64(o, m->n_msgs);
		NL_OUT_LIT(o, " messages (merged: one segment carried "
			      "several sends)");
	}
	if (nl_segmap_split(m))
		NL_OUT_LIT(o, "; a message split across segments");
	if (m->offload)
		NL_OUT_LIT(o, "; larger than the MSS: a GSO/TSO/GRO batch "
			      "captured on a host, not a wire segment");
	nl_out_char(o, '\n');
	unsigned np = nl_rf_n_parts(m);
	for (unsigned i = 0; i < np; i++) {
		if (i == np - 1 && np >= 2 && m->n_msgs > np) {
			NL_OUT_LIT(o, "    ... ");
			nl_out_u64(o, m->n_msgs - np);
			NL_OUT_LIT(o, " more ...\n");
		}
		part_line(o, &m->parts[i]);
	}
}

static void on_packet(struct verbose_sink *s, const struct nl_event *ev)
{
	const struct nl_packet *pkt = ev->pkt;
	const struct nl_tcp_note *n = ev->tcp;
	const struct nl_conn *c = ev->conn;
	const struct nl_segmap *map = ev->segmap;
	const struct nl_event *ev_udp = ev->udp || ev->app ? ev : NULL;
	struct nl_outbuf *o = s->o;
	uint32_t done = 0;
	nl_out_u64_pad(o, pkt->frame, NL_REPORT_FRAME_WIDTH, ' ');
	nl_out_char(o, ' ');
	if (s->tf.style != NL_TIME_NONE) {
		nl_timefmt_write(&s->tf, o, &pkt->ts);
		nl_out_char(o, ' ');
	}
	nl_out_u64(o, pkt->len);
	nl_out_str(o, " bytes on the wire, ");
	nl_out_u64(o, pkt->caplen);
	nl_out_str(o, pkt->caplen < pkt->len ? " captured (snapshot length)\n"
					     : " captured\n");

	link_block(s, pkt);
	anomaly_lines(o, pkt, LINK_MASK, &done);
	if (NL_HAS(pkt, NL_L_ARP)) {
		arp_block(s, &pkt->arp);
		anomaly_lines(o, pkt, NL_LAYER_BIT(NL_L_ARP), &done);
	}
	if (NL_HAS(pkt, NL_L_IPV4)) {
		ipv4_block(o, pkt);
		anomaly_lines(o, pkt, NL_LAYER_BIT(NL_L_IPV4), &done);
	}
	if (NL_HAS(pkt, NL_L_IPV6)) {
		ipv6_block(o, pkt);
		anomaly_lines(o, pkt, NL_LAYER_BIT(NL_L_IPV6), &done);
	}
	if (NL_HAS(pkt, NL_L_ICMP) || NL_HAS(pkt, NL_L_ICMPV6)) {
		icmp_block(o, &pkt->icmp);
		anomaly_lines(
		    o, pkt, NL_LAYER_BIT(NL_L_ICMP) | NL_LAYER_BIT(NL_L_ICMPV6),
		    &done);
	}
	if (NL_HAS(pkt, NL_L_TCP)) {
		tcp_block(o, pkt);
		anomaly_lines(o, pkt, NL_LAYER_BIT(NL_L_TCP), &done);
		if (n)
			conn_block(o, n, c);
	}
	if (NL_HAS(pkt, NL_L_UDP)) {
		udp_block(o, pkt);
		anomaly_lines(o, pkt, NL_LAYER_BIT(NL_L_UDP), &done);
	}
	if (pkt->payload_len || NL_HAS(pkt, NL_L_PAYLOAD)) {
		app_block(o, pkt);
		anomaly_lines(o, pkt, NL_LAYER_BIT(NL_L_PAYLOAD), &done);
	}
	if (map)
		messages_block(o, map);
	if (ev_udp && ev_udp->udp) {
		NL_OUT_LIT(o, "  UDP flow:");
		nl_report_udp_dgram(o, ev_udp->udp, ev_udp->udp_dir,
				    ev_udp->udp_index);
		nl_out_char(o, '\n');
	}
	if (ev_udp && ev_udp->app && ev_udp->app->n_sends) {
		NL_OUT_LIT(o, "  Application sends (--truth):");
		nl_report_app_map(o, ev_udp->app);
		nl_out_char(o, '\n');
	}
	leftover(o, pkt, &done);
}

/* Flow lines are staged until the packet's block is out (as in text.c). */
static void verbose_event(void *self, const struct nl_event *ev)
{
	struct verbose_sink *s = self;
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
	case NL_EV_MESSAGE:
		if (ev->u.message) {
			struct nl_outbuf *o = nl_rf_stage_line(&s->stage, s->o);
			nl_out_repeat(o, ' ', NL_REPORT_FRAME_WIDTH - 1);
			NL_OUT_LIT(o, "= ");
			nl_rf_message_line(o, ev->u.message);
		}
		break;
	case NL_EV_CONN_END:
	case NL_EV_SUMMARY:
		nl_rf_stage_flush(&s->stage, s->o);
		break;
	case NL_EV_FLOW_DATA:
	case NL_EV_COUNT:
		break;
	}
}

static void verbose_close(void *self)
{
	struct verbose_sink *s = self;
	nl_rf_stage_flush(&s->stage, s->o);
	nl_rf_stage_free(&s->stage);
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops verbose_ops = {
    .name = "verbose",
    .on_event = verbose_event,
    .close = verbose_close,
};

enum nl_status nl_sink_verbose_new(struct nl_sink *out, struct nl_outbuf *o,
				   const struct nl_report_opts *opts)
{
	struct verbose_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	if (!nl_rf_stage_init(&s->stage)) {
		free(s);
		return NL_NOMEM;
	}
	s->o = o;
	s->opts = *opts;
	nl_timefmt_init(&s->tf, opts->time_style, opts->time_digits);
	out->ops = &verbose_ops;
	out->self = s;
	return NL_OK;
}
