/*
 * ARP (RFC 826): a fixed 8-byte header, then sender and target hardware and
 * protocol addresses whose lengths the header gives (hln, pln: 0-255 each).
 * Ethernet/IPv4 addresses are copied into fixed fields; any other pairing is
 * reached through pointers borrowed from the capture.
 */
#include <string.h>

#include "netlab/decode.h"

#define ARP_FIXED_LEN  8
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

/* ar$hrd values (IANA "Hardware Types") whose address length is known. */
#define ARP_HRD_ETHERNET 1
#define ARP_HRD_IEEE802	 6
#define ETH_ADDR_LEN	 6
#define IPV4_ADDR_LEN	 4
#define IPV6_ADDR_LEN	 16

/* Lengths a known type fixes; a header that disagrees contradicts itself. */
static const char *arp_contradiction(const struct nl_arp *a)
{
	if ((a->htype == ARP_HRD_ETHERNET || a->htype == ARP_HRD_IEEE802) &&
	    a->hlen != ETH_ADDR_LEN)
		return "hardware length does not match type";
	if (a->ptype == NL_ETHERTYPE_IPV4 && a->plen != IPV4_ADDR_LEN)
		return "protocol length does not match type";
	if (a->ptype == NL_ETHERTYPE_IPV6 && a->plen != IPV6_ADDR_LEN)
		return "protocol length does not match type";
	return NULL;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * Only requests and replies can be probes or announcements, and only for
 * IPv4 addresses (RFC 5227 §1.1, §2.1.1, §2.3): a probe asks with sender
 * address 0.0.0.0; a gratuitous ARP (announcement) gives its own address as
 * both sender and target. When the addresses were not captured, the
 * operation alone decides.
 */
static enum nl_arp_kind arp_classify(const struct nl_arp *a)
{
	if (a->op != ARP_OP_REQUEST && a->op != ARP_OP_REPLY)
		return NL_ARP_OTHER;
	if (a->ptype == NL_ETHERTYPE_IPV4 && a->plen == IPV4_ADDR_LEN &&
	    a->spa_p && a->tpa_p) {
		bool spa_zero = all_zero(a->spa_p, IPV4_ADDR_LEN);
		if (a->op == ARP_OP_REQUEST && spa_zero)
			return NL_ARP_PROBE;
		if (!spa_zero && memcmp(a->spa_p, a->tpa_p, IPV4_ADDR_LEN) == 0)
			return NL_ARP_GRATUITOUS;
	}
	return a->op == ARP_OP_REQUEST ? NL_ARP_REQUEST : NL_ARP_REPLY;
}

/* Same rule as the link decoders: bytes the frame had as sent but the
 * capture lost are truncated; bytes the frame never had, malformed. */
static enum nl_status arp_need(struct nl_packet *pkt, const struct nl_cur *c,
			       size_t need, const char *trunc, const char *mal)
{
	if (!c->err && nl_cur_left(c) >= need)
		return NL_OK;
	if (nl_packet_wire_left(pkt, c->p) >= need) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_ARP, trunc);
		return NL_TRUNCATED;
	}
	nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_ARP, mal);
	return NL_MALFORMED;
}

enum nl_status nl_decode_arp(struct nl_packet *pkt, struct nl_cur *c)
{
	struct nl_arp *a = &pkt->arp;
	enum nl_status st;

	memset(a, 0, sizeof(*a));
	st = arp_need(pkt, c, ARP_FIXED_LEN, "ARP header",
		      "frame too short for an ARP header");
	if (st != NL_OK) {
		a->kind = NL_ARP_OTHER;
		return st;
	}
	a->htype = nl_cur_u16be(c);
	a->ptype = nl_cur_u16be(c);
	a->hlen = nl_cur_u8(c);
	a->plen = nl_cur_u8(c);
	a->op = nl_cur_u16be(c);
	pkt->layers |= NL_LAYER_BIT(NL_L_ARP);

	/* Reported before any length problem: a wrong length explains why the
	 * addresses then run past the frame. */
	const char *bad = arp_contradiction(a);
	if (bad)
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_ARP, bad);

	size_t addrs = 2 * ((size_t)a->hlen + a->plen);
	st = arp_need(pkt, c, addrs, "ARP addresses",
		      "ARP addresses extend beyond the frame");
	if (st == NL_OK) {
		a->sha_p = nl_cur_bytes(c, a->hlen);
		a->spa_p = nl_cur_bytes(c, a->plen);
		a->tha_p = nl_cur_bytes(c, a->hlen);
		a->tpa_p = nl_cur_bytes(c, a->plen);
		if (a->htype == ARP_HRD_ETHERNET &&
		    a->ptype == NL_ETHERTYPE_IPV4 && a->hlen == ETH_ADDR_LEN &&
		    a->plen == IPV4_ADDR_LEN) {
			memcpy(a->sha, a->sha_p, ETH_ADDR_LEN);
			memcpy(a->spa, a->spa_p, IPV4_ADDR_LEN);
			memcpy(a->tha, a->tha_p, ETH_ADDR_LEN);
			memcpy(a->tpa, a->tpa_p, IPV4_ADDR_LEN);
			a->eth_ipv4 = true;
		}
	}
	a->kind = arp_classify(a);
	if (bad)
		return NL_MALFORMED;
	return st;
}
