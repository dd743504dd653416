/* Output pieces shared by the sinks; see common.h. */
#include "common.h"

#include "netlab/escape.h"
#include "netlab/oui.h"

#include <string.h>

/* Bit order (FIN first) is also the order Wireshark lists them in. */
static const char *const tcp_flag_names[NL_REPORT_TCP_FLAGS] = {
    "FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE",
};

const char *nl_report_tcp_flag(unsigned i)
{
	return i < NL_REPORT_TCP_FLAGS ? tcp_flag_names[i] : "?";
}

void nl_report_tcp_flags(struct nl_outbuf *o, uint16_t flags)
{
	bool any = false;
	for (unsigned i = 0; i < NL_REPORT_TCP_FLAGS; i++) {
		if (!(flags & (1u << i)))
			continue;
		if (any)
			nl_out_char(o, ',');
		nl_out_str(o, tcp_flag_names[i]);
		any = true;
	}
	if (!any)
		NL_OUT_LIT(o, "none");
}

static void sack_blocks(struct nl_outbuf *o, const struct nl_tcp *t)
{
	unsigned n = t->n_sack < NL_MAX_TCP_SACK ? t->n_sack : NL_MAX_TCP_SACK;
	for (unsigned i = 0; i < n; i++) {
		nl_out_char(o, ' ');
		nl_out_u64(o, t->sack[i].left);
		nl_out_char(o, '-');
		nl_out_u64(o, t->sack[i].right);
	}
}

void nl_report_tcp_opts(struct nl_outbuf *o, const struct nl_tcp *t)
{
	unsigned n = t->n_opts < NL_MAX_TCP_OPTS ? t->n_opts : NL_MAX_TCP_OPTS;
	for (unsigned i = 0; i < n; i++) {
		if (i)
			nl_out_char(o, ',');
		uint8_t k = t->opt_kind[i];
		switch (k) {
		case NL_TCPOPT_EOL:
			NL_OUT_LIT(o, "eol");
			break;
		case NL_TCPOPT_NOP:
			NL_OUT_LIT(o, "nop");
			break;
		/* A value only from an option the decoder accepted: one
		 * with a bad length or cut by the header end shows "?" (its
		 * anomaly says why), never a 0 it did not carry. */
		case NL_TCPOPT_MSS:
			NL_OUT_LIT(o, "mss ");
			if (t->has_mss)
				nl_out_u64(o, t->mss);
			else
				nl_out_char(o, '?');
			break;
		case NL_TCPOPT_WSCALE:
			NL_OUT_LIT(o, "ws ");
			if (t->has_wscale)
				nl_out_u64(o, t->wscale);
			else
				nl_out_char(o, '?');
			break;
		case NL_TCPOPT_SACK_PERM:
			NL_OUT_LIT(o, "sack_perm");
			break;
		case NL_TCPOPT_SACK:
			NL_OUT_LIT(o, "sack");
			sack_blocks(o, t);
			break;
		case NL_TCPOPT_TIMESTAMP:
			NL_OUT_LIT(o, "ts ");
			if (!t->has_ts) {
				nl_out_char(o, '?');
				break;
			}
			nl_out_u64(o, t->ts_val);
			nl_out_char(o, '/');
			nl_out_u64(o, t->ts_ecr);
			break;
		case NL_TCPOPT_MPTCP:
			NL_OUT_LIT(o, "mptcp");
			break;
		case NL_TCPOPT_FASTOPEN:
			NL_OUT_LIT(o, "tfo");
			break;
		default:
			NL_OUT_LIT(o, "opt-");
			nl_out_u64(o, k);
			break;
		}
	}
}

void nl_report_addr(struct nl_outbuf *o, const struct nl_addr *a)
{
	if (a->family == 6)
		nl_out_ipv6(o, a->b);
	else
		nl_out_ipv4(o, a->b);
}

void nl_report_label(struct nl_outbuf *o, const char *l)
{
	nl_out_str(o, "  ");
	nl_out_str(o, l);
	size_t n = strlen(l);
	nl_out_repeat(o, ' ', n < 12 ? 12 - n : 1);
}

void nl_report_count(struct nl_outbuf *o, uint64_t n, const char *one,
		     const char *many)
{
	nl_out_u64(o, n);
	nl_out_char(o, ' ');
	nl_out_str(o, n == 1 ? one : many);
}

void nl_report_endpoint(struct nl_outbuf *o, const struct nl_addr *a,
			uint16_t port)
{
	/* RFC 5952 §6: brackets keep the port apart from the address */
	if (a->family == 6) {
		nl_out_char(o, '[');
		nl_out_ipv6(o, a->b);
		nl_out_char(o, ']');
	} else {
		nl_out_ipv4(o, a->b);
	}
	nl_out_char(o, ':');
	nl_out_u64(o, port);
}

void nl_report_hexaddr(struct nl_outbuf *o, const uint8_t *p, unsigned n)
{
	if (!p || n == 0) {
		nl_out_char(o, '-');
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		if (i)
			nl_out_char(o, ':');
		nl_out_hexbyte(o, p[i]);
	}
}

const char *nl_report_mac_kind(const struct nl_report_opts *opts,
			       const uint8_t mac[6])
{
	/* group and local addresses carry no vendor: say what they are */
	if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return "none"; /* loopback, or an ARP request's unknown target;
				* not Xerox, whose OUI 00:00:00 is */
	if (nl_mac_is_broadcast(mac))
		return "broadcast";
	if (nl_mac_is_group(mac))
		return "multicast";
	if (nl_mac_is_local(mac))
		return "local";
	if (!opts->oui)
		return NULL;
	return nl_oui_lookup(opts->oui, mac);
}

void nl_report_mac_note(struct nl_outbuf *o, const struct nl_report_opts *opts,
			const uint8_t mac[6])
{
	const char *k = nl_report_mac_kind(opts, mac);
	if (!k)
		return;
	NL_OUT_LIT(o, " (");
	nl_escape_c(o, (const uint8_t *)k, strlen(k));
	nl_out_char(o, ')');
}

const char *nl_report_name(const char *name)
{
	if (!name || !*name || !strcmp(name, "unknown"))
		return NULL;
	return name;
}

void nl_report_ethertype(struct nl_outbuf *o, uint16_t type)
{
	NL_OUT_LIT(o, "0x");
	nl_out_hex(o, type, 4);
	const char *name = nl_report_name(nl_ethertype_name(type));
	if (name) {
		NL_OUT_LIT(o, " (");
		nl_out_str(o, name);
		nl_out_char(o, ')');
	}
}

const char *nl_report_pkttype(uint16_t t)
{
	static const char *const names[] = {"In", "B", "M", "P", "Out"};
	return t < sizeof(names) / sizeof(names[0]) ? names[t] : NULL;
}

const char *nl_report_link_name(const struct nl_link *l)
{
	switch (l->kind) {
	case NL_LINK_ETHERNET:
		return l->is_8023 ? "IEEE 802.3" : "Ethernet II";
	case NL_LINK_SLL:
		return "Linux cooked";
	case NL_LINK_SLL2:
		return "Linux cooked v2";
	case NL_LINK_RAW:
		return "raw IP";
	case NL_LINK_NULL:
		return "BSD loopback";
	case NL_LINK_UNKNOWN:
	case NL_LINK_KIND_COUNT:
		break;
	}
	return "unknown";
}

uint32_t nl_report_ip_payload_len(const struct nl_packet *pkt)
{
	if (NL_HAS(pkt, NL_L_IPV4))
		return pkt->ip4.tot_len > pkt->ip4.ihl
			   ? (uint32_t)(pkt->ip4.tot_len - pkt->ip4.ihl)
			   : 0;
	if (NL_HAS(pkt, NL_L_IPV6)) {
		uint32_t pl =
		    pkt->ip6.jumbo_len ? pkt->ip6.jumbo_len : pkt->ip6.plen;
		return pl > pkt->ip6.ext_len ? pl - pkt->ip6.ext_len : 0;
	}
	return 0;
}

void nl_report_ipproto(struct nl_outbuf *o, uint8_t proto)
{
	const char *name = nl_report_name(nl_ipproto_name(proto));
	if (name) {
		nl_out_str(o, name);
		return;
	}
	NL_OUT_LIT(o, "ip-proto-"); /* tcpdump's spelling, greppable */
	nl_out_u64(o, proto);
}

void nl_report_icmp_words(struct nl_outbuf *o, const struct nl_icmp *ic)
{
	const char *type = nl_report_name(nl_icmp_type_name(ic->v6, ic->type));
	if (!type) {
		NL_OUT_LIT(o, "type ");
		nl_out_u64(o, ic->type);
		NL_OUT_LIT(o, " code ");
		nl_out_u64(o, ic->code);
		return;
	}
	nl_out_str(o, type);
	const char *code =
	    nl_report_name(nl_icmp_code_name(ic->v6, ic->type, ic->code));
	if (code) {
		NL_OUT_LIT(o, " (");
		nl_out_str(o, code);
		nl_out_char(o, ')');
	} else if (ic->code) {
		NL_OUT_LIT(o, " code "); /* a code nobody named: still shown */
		nl_out_u64(o, ic->code);
	}
}

bool nl_report_icmp_is_echo(const struct nl_icmp *ic)
{
	if (ic->v6)
		return ic->type == 128 || ic->type == 129;
	return ic->type == 0 || ic->type == 8;
}

bool nl_report_icmp_has_mtu(const struct nl_icmp *ic)
{
	/* RFC 1191 frag-needed; RFC 4443 §3.2 packet too big */
	if (ic->v6)
		return ic->type == 2;
	return ic->type == 3 && ic->code == 4;
}

bool nl_report_icmp_is_redirect(const struct nl_icmp *ic)
{
	return !ic->v6 && ic->type == 5;
}

static void mac_frame(struct nl_outbuf *o, const uint8_t mac[6], uint64_t frame)
{
	nl_out_mac(o, mac);
	NL_OUT_LIT(o, " (frame ");
	nl_out_u64(o, frame);
	nl_out_char(o, ')');
}

void nl_report_arp_notice(struct nl_outbuf *o, const struct nl_arp_notice *n)
{
	nl_out_repeat(o, ' ', NL_REPORT_FRAME_WIDTH - 1);
	if (n->kind == NL_ARP_NOTICE_CONFLICT) {
		NL_OUT_LIT(o, "! ARP conflict: ");
		nl_out_ipv4(o, n->ip);
		NL_OUT_LIT(o, " claimed by ");
		mac_frame(o, n->old_mac, n->old_frame);
		NL_OUT_LIT(o, " and ");
	} else {
		NL_OUT_LIT(o, "! ARP ");
		nl_out_ipv4(o, n->ip);
		NL_OUT_LIT(o, " moved from ");
		mac_frame(o, n->old_mac, n->old_frame);
		NL_OUT_LIT(o, " to ");
	}
	mac_frame(o, n->new_mac, n->new_frame);
	nl_out_char(o, '\n');
}

const char *nl_report_anom_kind(uint8_t kind)
{
	return kind == NL_ANOM_MALFORMED ? "malformed" : "truncated";
}

void nl_report_anomalies(struct nl_outbuf *o, const struct nl_packet *pkt,
			 uint32_t mask)
{
	unsigned n =
	    pkt->n_anom < NL_MAX_ANOMALIES ? pkt->n_anom : NL_MAX_ANOMALIES;
	for (unsigned i = 0; i < n; i++) {
		const struct nl_anomaly *a = &pkt->anom[i];
		if (a->layer >= NL_LAYER_COUNT ||
		    !(mask & NL_LAYER_BIT(a->layer)))
			continue;
		NL_OUT_LIT(o, " [");
		nl_out_str(o, nl_report_anom_kind(a->kind));
		nl_out_char(o, ' ');
		nl_out_str(o, nl_layer_name(a->layer));
		NL_OUT_LIT(o, ": ");
		nl_out_str(o, a->what ? a->what : "?");
		nl_out_char(o, ']');
	}
}
