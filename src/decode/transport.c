/*
 * Dispatch above IP, and the extent of the IP payload as sent.
 */
#include "netlab/decode.h"
#include "internal.h"

#define IP6_HDR 40

bool nl_transport_known(uint8_t proto)
{
	switch (proto) {
	case NL_IPPROTO_TCP:
	case NL_IPPROTO_UDP:
	case NL_IPPROTO_ICMP:
	case NL_IPPROTO_ICMPV6:
		return true;
	default:
		return false;
	}
}

/*
 * Mirrors the choices of nl_decode_ipv4/ipv6: the datagram ends at its total
 * length (IPv4) or payload length (IPv6), or at the jumbo payload length
 * (RFC 2675); a zero length (segmentation offload) and a length beyond the
 * frame, both already reported, fall back to the end of the frame.
 */
uint32_t nl_ip_payload_left(const struct nl_packet *pkt, const uint8_t *p)
{
	uint32_t left = nl_packet_wire_left(pkt, p);
	uint32_t off = nl_pkt_off(pkt, p);
	uint64_t end;

	if (NL_HAS(pkt, NL_L_IPV6)) {
		uint32_t n = pkt->ip6.plen;
		if (n == 0)
			n = pkt->ip6.jumbo_len;
		if (n == 0)
			return left;
		end = (uint64_t)pkt->l3_off + IP6_HDR + n;
	} else if (NL_HAS(pkt, NL_L_IPV4)) {
		if (pkt->ip4.tot_len == 0)
			return left;
		end = (uint64_t)pkt->l3_off + pkt->ip4.tot_len;
	} else {
		return left;
	}
	if (end <= off)
		return 0;
	return end - off < left ? (uint32_t)(end - off) : left;
}

void nl_decode_transport(struct nl_packet *pkt, struct nl_cur *c, uint8_t proto,
			 const struct nl_decode_opts *o)
{
	enum nl_status st = NL_OK;

	pkt->ip_proto = proto;
	switch (proto) {
	case NL_IPPROTO_TCP:
		st = nl_decode_tcp(pkt, c, o);
		break;
	case NL_IPPROTO_UDP:
		st = nl_decode_udp(pkt, c, o);
		break;
	case NL_IPPROTO_ICMP:
		st = nl_decode_icmp(pkt, c, o, false);
		break;
	case NL_IPPROTO_ICMPV6:
		st = nl_decode_icmp(pkt, c, o, true);
		break;
	default:
		/* GRE, ESP, SCTP…: ip_proto says what it is; no decoder */
		break;
	}
	/* problems are already anomalies on the packet; nothing sits above */
	(void)st;
}

/* IANA "Assigned Internet Protocol Numbers", common names. */
const char *nl_ipproto_name(uint8_t proto)
{
	switch (proto) {
	case 0:
		return "HOPOPT";
	case 1:
		return "ICMP";
	case 2:
		return "IGMP";
	case 4:
		return "IPIP";
	case 6:
		return "TCP";
	case 8:
		return "EGP";
	case 17:
		return "UDP";
	case 33:
		return "DCCP";
	case 41:
		return "IPv6";
	case 43:
		return "IPv6-Route";
	case 44:
		return "IPv6-Frag";
	case 46:
		return "RSVP";
	case 47:
		return "GRE";
	case 50:
		return "ESP";
	case 51:
		return "AH";
	case 58:
		return "ICMPv6";
	case 59:
		return "IPv6-NoNxt";
	case 60:
		return "IPv6-Opts";
	case 88:
		return "EIGRP";
	case 89:
		return "OSPF";
	case 97:
		return "EtherIP";
	case 103:
		return "PIM";
	case 108:
		return "IPComp";
	case 112:
		return "VRRP";
	case 115:
		return "L2TP";
	case 132:
		return "SCTP";
	case 135:
		return "Mobility";
	case 136:
		return "UDPLite";
	case 137:
		return "MPLS-in-IP";
	case 143:
		return "Ethernet";
	default:
		return NULL;
	}
}
