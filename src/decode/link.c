/*
 * Link layer: Ethernet II and IEEE 802.3 (with 802.2 LLC and SNAP), 802.1Q /
 * 802.1ad VLAN tags, Linux cooked captures (SLL, SLL2), BSD loopback (NULL,
 * LOOP) and raw IP. Each decoder leaves the cursor at the network header and
 * link.ethertype naming it (0 when there is none netlab could name).
 *
 * The layer bit NL_L_LINK (NL_L_VLAN) is set once the fixed part of the
 * header (of a tag) has been read; a cut after that is a TRUNCATED anomaly
 * on the part that is missing.
 */
#include <string.h>

#include "netlab/decode.h"

/* IEEE 802.3 clause 3.2.6: a Length/Type value of 1536 (0x0600) or more is
 * an EtherType, 1500 or less the length of the LLC data that follows;
 * 1501-1535 mean nothing. */
#define ETH_TYPE_MIN 0x0600
#define ETH_MAX_DATA 1500
#define ETH_ADDR_LEN 6
#define ETH_HDR_LEN  14
#define VLAN_TAG_LEN 4

/* IEEE 802.2: DSAP, SSAP and a control field of one byte for U-format
 * PDUs, two for I- and S-format. SNAP (IEEE 802, RFC 1042) follows DSAP =
 * SSAP = 0xaa, control 0x03 (UI), and adds a 3-byte OUI and a 2-byte PID. */
#define LLC_HDR_LEN  3
#define LLC_SAP_SNAP 0xaa
#define LLC_CTRL_UI  0x03
#define SNAP_LEN     5
/* OUI 00-00-00 (RFC 1042) and 00-00-f8 (IEEE 802.1H bridge tunnel): the
 * PID is an EtherType. */
#define SNAP_OUI_RFC1042 0x000000
#define SNAP_OUI_8021H	 0x0000f8

/* Linux cooked headers, as libpcap documents LINKTYPE_LINUX_SLL(2). */
#define SLL_HDR_LEN	  16
#define SLL2_HDR_LEN	  20
#define SLL_ADDR_LEN	  8
#define ARPHRD_NETLINK	  824	 /* protocol is a netlink family, not a type */
#define LINUX_SLL_P_802_2 0x0004 /* an 802.2 LLC header follows */

/* BSD loopback: a 4-byte address family, host order for NULL (the host
 * that captured), network order for LOOP. AF_INET is 2 everywhere;
 * AF_INET6 is 24 on NetBSD/OpenBSD/BSDi, 28 on FreeBSD, 30 on Darwin. */
#define NULL_HDR_LEN	     4
#define BSD_AF_INET	     2
#define BSD_AF_INET6_BSD     24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN  30

/*
 * Check that need bytes remain. When they do not, the frame as sent either
 * had them (the capture cut it short: truncated) or did not (the frame is
 * shorter than its own header says it must be: malformed).
 */
static enum nl_status need_bytes(struct nl_packet *pkt, const struct nl_cur *c,
				 size_t need, enum nl_layer layer,
				 const char *trunc, const char *mal)
{
	if (!c->err && nl_cur_left(c) >= need)
		return NL_OK;
	if (nl_packet_wire_left(pkt, c->p) >= need) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, layer, trunc);
		return NL_TRUNCATED;
	}
	nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, layer, mal);
	return NL_MALFORMED;
}

static bool is_vlan_tpid(uint16_t type)
{
	return type == NL_ETHERTYPE_VLAN || type == NL_ETHERTYPE_QINQ ||
	       type == NL_ETHERTYPE_QINQ_OLD;
}

/*
 * 802.1Q tags (IEEE 802.1Q §9.6: TPID, then PCP 3 bits, DEI 1 bit, VID 12
 * bits, then the next Length/Type). 802.1ad S-tags and the pre-standard
 * 0x9100 stack the same way. *type is the field just read; on return it is
 * the one after the last tag.
 */
static enum nl_status vlan_tags(struct nl_packet *pkt, struct nl_cur *c,
				uint16_t *type)
{
	struct nl_link *l = &pkt->link;

	while (is_vlan_tpid(*type)) {
		if (l->n_vlan >= NL_MAX_VLAN) {
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_VLAN,
					  "too many VLAN tags");
			return NL_MALFORMED;
		}
		enum nl_status st =
		    need_bytes(pkt, c, VLAN_TAG_LEN, NL_L_VLAN, "VLAN tag",
			       "frame ends inside a VLAN tag");
		if (st != NL_OK)
			return st;
		uint16_t tci = nl_cur_u16be(c);
		struct nl_vlan_tag *tag = &l->vlan[l->n_vlan++];
		tag->tpid = *type;
		tag->pcp = (uint8_t)(tci >> 13);
		tag->dei = (tci >> 12) & 1;
		tag->vid = tci & 0x0fff;
		*type = nl_cur_u16be(c);
		pkt->layers |= NL_LAYER_BIT(NL_L_VLAN);
	}
	return NL_OK;
}

/*
 * 802.2 LLC header, and SNAP when the SAPs say so. data_len is how many
 * bytes the LLC PDU has as sent. Only SNAP with an EtherType-carrying OUI
 * names a network protocol; anything else (spanning tree, NetBIOS, IPX over
 * LLC…) leaves *type 0.
 */
static enum nl_status llc_snap(struct nl_packet *pkt, struct nl_cur *c,
			       size_t data_len, uint16_t *type)
{
	*type = 0;
	if (data_len < LLC_HDR_LEN) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_LINK,
				  "802.3 length too short for an LLC header");
		return NL_MALFORMED;
	}
	enum nl_status st = need_bytes(pkt, c, LLC_HDR_LEN, NL_L_LINK,
				       "LLC header", "frame ends inside LLC");
	if (st != NL_OK)
		return st;
	uint8_t dsap = nl_cur_u8(c);
	uint8_t ssap = nl_cur_u8(c);
	uint8_t ctrl = nl_cur_u8(c);

	if ((ctrl & 0x03) != 0x03) {
		/* I- or S-format: a second control byte. */
		if (data_len < LLC_HDR_LEN + 1) {
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_LINK,
					  "802.3 length too short for LLC");
			return NL_MALFORMED;
		}
		st = need_bytes(pkt, c, 1, NL_L_LINK, "LLC header",
				"frame ends inside LLC");
		if (st == NL_OK)
			nl_cur_skip(c, 1);
		return st;
	}
	if (dsap != LLC_SAP_SNAP || ssap != LLC_SAP_SNAP || ctrl != LLC_CTRL_UI)
		return NL_OK;

	if (data_len < LLC_HDR_LEN + SNAP_LEN) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_LINK,
				  "802.3 length too short for SNAP");
		return NL_MALFORMED;
	}
	st = need_bytes(pkt, c, SNAP_LEN, NL_L_LINK, "SNAP header",
			"frame ends inside SNAP");
	if (st != NL_OK)
		return st;
	uint32_t oui = (uint32_t)nl_cur_u8(c) << 16;
	oui |= nl_cur_u16be(c);
	uint16_t pid = nl_cur_u16be(c);
	if (oui == SNAP_OUI_RFC1042 || oui == SNAP_OUI_8021H)
		*type = pid;
	return NL_OK;
}

/* IEEE 802.3 frame: Length/Type holds the length of the LLC data. */
static enum nl_status eth_8023(struct nl_packet *pkt, struct nl_cur *c,
			       uint16_t length, uint16_t *type)
{
	*type = 0;
	if (length > ETH_MAX_DATA) {
		/* 1501-1535: neither a length nor an EtherType. */
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_LINK,
				  "802.3 length above 1500");
		return NL_MALFORMED;
	}
	if (length > nl_packet_wire_left(pkt, c->p)) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_LINK,
				  "802.3 length beyond the frame");
		return NL_MALFORMED;
	}
	return llc_snap(pkt, c, length, type);
}

enum nl_status nl_decode_ethernet(struct nl_packet *pkt, struct nl_cur *c)
{
	struct nl_link *l = &pkt->link;
	const uint8_t *start = c->p;
	uint16_t type = 0;
	enum nl_status st;

	l->kind = NL_LINK_ETHERNET;
	/* Linux (and most) captures end before the FCS; count it back in to
	 * compare with the 802.3 limits, which include it. */
	l->fcs_absent = true;
	l->wire_frame_len = pkt->len > UINT32_MAX - NL_ETH_FCS_LEN
				? UINT32_MAX
				: pkt->len + NL_ETH_FCS_LEN;
	l->undersize = l->wire_frame_len < NL_ETH_MIN_FRAME;

	st = need_bytes(pkt, c, ETH_HDR_LEN, NL_L_LINK, "Ethernet header",
			"frame shorter than an Ethernet header");
	if (st == NL_OK) {
		nl_cur_copy(c, l->dst, ETH_ADDR_LEN);
		nl_cur_copy(c, l->src, ETH_ADDR_LEN);
		l->type_len = nl_cur_u16be(c);
		l->is_8023 = l->type_len < ETH_TYPE_MIN;
		pkt->layers |= NL_LAYER_BIT(NL_L_LINK);
		type = l->type_len;
		st = vlan_tags(pkt, c, &type);
	}
	/* A length after VLAN tags is an 802.3 frame too (LLC follows), but
	 * is_8023 and type_len keep their meaning: the first field. */
	if (st == NL_OK && type < ETH_TYPE_MIN)
		st = eth_8023(pkt, c, type, &type);

	l->hdr_len = (uint16_t)(c->p - start);
	l->ethertype = st == NL_OK ? type : 0;
	/* Each tag adds 4 bytes to the 1518-byte maximum (802.3 clause 3.5,
	 * 802.1Q §6.9). */
	l->oversize = l->wire_frame_len >
		      NL_ETH_MAX_FRAME + (uint32_t)VLAN_TAG_LEN * l->n_vlan;
	return st;
}

enum nl_status nl_decode_sll(struct nl_packet *pkt, struct nl_cur *c, bool v2)
{
	struct nl_link *l = &pkt->link;
	const uint8_t *start = c->p;
	uint16_t proto;
	enum nl_status st;

	l->kind = v2 ? NL_LINK_SLL2 : NL_LINK_SLL;
	st = need_bytes(pkt, c, v2 ? SLL2_HDR_LEN : SLL_HDR_LEN, NL_L_LINK,
			v2 ? "SLL2 header" : "SLL header",
			"frame shorter than a cooked header");
	if (st != NL_OK) {
		l->hdr_len = 0;
		return st;
	}
	if (v2) {
		proto = nl_cur_u16be(c);
		nl_cur_skip(c, 2); /* reserved (MBZ) */
		l->sll_ifindex = nl_cur_u32be(c);
		l->sll_hatype = nl_cur_u16be(c);
		l->sll_pkttype = nl_cur_u8(c);
		l->sll_halen = nl_cur_u8(c);
		nl_cur_copy(c, l->sll_addr, SLL_ADDR_LEN);
	} else {
		l->sll_pkttype = nl_cur_u16be(c);
		l->sll_hatype = nl_cur_u16be(c);
		uint16_t halen = nl_cur_u16be(c);
		l->sll_halen = halen > UINT8_MAX ? UINT8_MAX : (uint8_t)halen;
		nl_cur_copy(c, l->sll_addr, SLL_ADDR_LEN);
		proto = nl_cur_u16be(c);
	}
	pkt->layers |= NL_LAYER_BIT(NL_L_LINK);

	uint16_t type = proto;
	if (l->sll_hatype == ARPHRD_NETLINK) {
		type = 0;
	} else if (proto == LINUX_SLL_P_802_2) {
		/* No length field: the LLC PDU runs to the end of the frame. */
		st = llc_snap(pkt, c, nl_packet_wire_left(pkt, c->p), &type);
	} else if (proto < ETH_TYPE_MIN) {
		/* Linux ETH_P_* pseudo-types (802.3 without LLC, CAN…). */
		type = 0;
	} else {
		/* libpcap reinserts the VLAN tag that Linux strips, in-line
		 * after the cooked header, as on Ethernet. */
		st = vlan_tags(pkt, c, &type);
	}
	l->hdr_len = (uint16_t)(c->p - start);
	l->ethertype = st == NL_OK ? type : 0;
	return st;
}

static enum nl_status decode_null(struct nl_packet *pkt, struct nl_cur *c,
				  bool loop)
{
	struct nl_link *l = &pkt->link;

	l->kind = NL_LINK_NULL;
	enum nl_status st =
	    need_bytes(pkt, c, NULL_HDR_LEN, NL_L_LINK, "loopback header",
		       "frame shorter than a loopback header");
	if (st != NL_OK)
		return st;
	uint32_t fam;
	if (loop) {
		fam = nl_cur_u32be(c);
	} else {
		/* Host order of the capturing machine, unknown here; families
		 * are small numbers, so a value with high bits came from the
		 * other byte order. */
		struct nl_cur be = *c;
		fam = nl_cur_u32le(c);
		if (fam & 0xffff0000u)
			fam = nl_cur_u32be(&be);
	}
	l->null_family = fam;
	l->hdr_len = NULL_HDR_LEN;
	pkt->layers |= NL_LAYER_BIT(NL_L_LINK);

	switch (fam) {
	case BSD_AF_INET:
		l->ethertype = NL_ETHERTYPE_IPV4;
		break;
	case BSD_AF_INET6_BSD:
	case BSD_AF_INET6_FREEBSD:
	case BSD_AF_INET6_DARWIN:
		l->ethertype = NL_ETHERTYPE_IPV6;
		break;
	default:
		l->ethertype = 0;
		break;
	}
	return NL_OK;
}

/* No link header: the IP version nibble says which IP it is. */
static enum nl_status decode_raw(struct nl_packet *pkt, struct nl_cur *c)
{
	struct nl_link *l = &pkt->link;

	l->kind = NL_LINK_RAW;
	enum nl_status st =
	    need_bytes(pkt, c, 1, NL_L_LINK, "no byte to tell IPv4 from IPv6",
		       "empty raw IP packet");
	if (st != NL_OK)
		return st;
	struct nl_cur peek = *c;
	switch (nl_cur_u8(&peek) >> 4) {
	case 4:
		l->ethertype = NL_ETHERTYPE_IPV4;
		break;
	case 6:
		l->ethertype = NL_ETHERTYPE_IPV6;
		break;
	default:
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_LINK,
				  "raw packet is neither IPv4 nor IPv6");
		return NL_MALFORMED;
	}
	pkt->layers |= NL_LAYER_BIT(NL_L_LINK);
	return NL_OK;
}

/* LINKTYPE_IPV4 / IPV6: the link type itself names the protocol. */
static enum nl_status decode_ip_only(struct nl_packet *pkt, uint16_t type)
{
	pkt->link.kind = NL_LINK_RAW;
	pkt->link.ethertype = type;
	pkt->layers |= NL_LAYER_BIT(NL_L_LINK);
	return NL_OK;
}

enum nl_status nl_decode_link(struct nl_packet *pkt, struct nl_cur *c,
			      const struct nl_decode_opts *o)
{
	(void)o;
	uint32_t dlt = pkt->link.dlt;
	memset(&pkt->link, 0, sizeof(pkt->link));
	pkt->link.dlt = dlt;

	switch (dlt) {
	case NL_DLT_EN10MB:
		return nl_decode_ethernet(pkt, c);
	case NL_DLT_LINUX_SLL:
		return nl_decode_sll(pkt, c, false);
	case NL_DLT_LINUX_SLL2:
		return nl_decode_sll(pkt, c, true);
	case NL_DLT_RAW:
	case NL_DLT_RAW_OPENBSD:
	case NL_DLT_RAW_LINKTYPE:
		return decode_raw(pkt, c);
	case NL_DLT_IPV4:
		return decode_ip_only(pkt, NL_ETHERTYPE_IPV4);
	case NL_DLT_IPV6:
		return decode_ip_only(pkt, NL_ETHERTYPE_IPV6);
	case NL_DLT_NULL:
		return decode_null(pkt, c, false);
	case NL_DLT_LOOP:
		return decode_null(pkt, c, true);
	default:
		pkt->link.kind = NL_LINK_UNKNOWN;
		return NL_UNSUPPORTED;
	}
}
