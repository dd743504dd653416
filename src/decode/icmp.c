/*
 * ICMP for IPv4 (RFC 792) and IPv6 (RFC 4443), with Neighbor Discovery
 * (RFC 4861) and MLD (RFC 2710, RFC 3810) message names.
 *
 * Error messages quote the start of the offending datagram. The quote is
 * decoded with its own cursor: a quote that stops early is normal (RFC 792
 * quotes the IP header and 64 bits of data) and is never the packet's own
 * truncation. Only the capture cutting the ICMP message itself is.
 */
#include <string.h>

#include "netlab/decode.h"
#include "internal.h"

#define ICMP_HDR 8

/* RFC 792 types */
#define ICMP4_ECHOREPLY	       0
#define ICMP4_UNREACH	       3
#define ICMP4_SOURCEQUENCH     4
#define ICMP4_REDIRECT	       5
#define ICMP4_ECHO	       8
#define ICMP4_TIMXCEED	       11
#define ICMP4_PARAMPROB	       12
#define ICMP4_UNREACH_NEEDFRAG 4

/* RFC 4443 and RFC 4861 types */
#define ICMP6_UNREACH	    1
#define ICMP6_PKT_TOO_BIG   2
#define ICMP6_TIME_EXCEEDED 3
#define ICMP6_PARAM_PROB    4
#define ICMP6_ECHO	    128
#define ICMP6_ECHOREPLY	    129
#define ICMP6_MLD_QUERY	    130
#define ICMP6_MLD_REPORT    131
#define ICMP6_MLD_DONE	    132
#define ICMP6_RS	    133
#define ICMP6_RA	    134
#define ICMP6_NS	    135
#define ICMP6_NA	    136
#define ICMP6_REDIRECT	    137

static bool is_error(bool v6, uint8_t type)
{
	if (v6)
		return type >= ICMP6_UNREACH && type <= ICMP6_PARAM_PROB;
	return type == ICMP4_UNREACH || type == ICMP4_SOURCEQUENCH ||
	       type == ICMP4_REDIRECT || type == ICMP4_TIMXCEED ||
	       type == ICMP4_PARAMPROB;
}

/* Fixed part of each message, from the type byte up to any options. */
static uint32_t min_len(bool v6, uint8_t type)
{
	if (!v6)
		return ICMP_HDR; /* RFC 792: every message has 8 bytes */
	switch (type) {
	case ICMP6_MLD_QUERY: /* RFC 2710 §3 */
	case ICMP6_MLD_REPORT:
	case ICMP6_MLD_DONE:
	case ICMP6_NS: /* RFC 4861 §4.3 */
	case ICMP6_NA: /* §4.4 */
		return 24;
	case ICMP6_RA: /* §4.2 */
		return 16;
	case ICMP6_REDIRECT: /* §4.5 */
		return 40;
	default:
		if (type < 128 || type == ICMP6_ECHO ||
		    type == ICMP6_ECHOREPLY || type == ICMP6_RS)
			return ICMP_HDR;
		return 4; /* RFC 4443 §2.1: type, code, checksum */
	}
}

/* Offset of Neighbor Discovery options (RFC 4861 §4), 0 for other types. */
static uint32_t ndp_opt_off(uint8_t type)
{
	switch (type) {
	case ICMP6_RS:
		return 8;
	case ICMP6_RA:
		return 16;
	case ICMP6_NS:
	case ICMP6_NA:
		return 24;
	case ICMP6_REDIRECT:
		return 40;
	default:
		return 0;
	}
}

/*
 * RFC 4861 §4.6: options come in units of 8 bytes; a length of 0 must make
 * the receiver discard the packet. Only the captured part is walked; an
 * option running past the message is malformed only when the capture holds
 * the whole message (otherwise the cut is the truncation already noted).
 */
static const char *ndp_options(struct nl_cur o, bool whole)
{
	while (nl_cur_left(&o) >= 2) {
		(void)nl_cur_u8(&o);
		uint8_t len = nl_cur_u8(&o);
		if (len == 0)
			return "NDP option length 0";
		size_t n = (size_t)len * 8 - 2;
		if (n > nl_cur_left(&o))
			return whole ? "option length" : NULL;
		nl_cur_skip(&o, n);
	}
	if (whole && nl_cur_left(&o) > 0)
		return "option length";
	return NULL;
}

/* Transport protocols whose first four bytes are the two ports. */
static void quote_ports(struct nl_icmp *ic, struct nl_cur *q, uint8_t proto)
{
	switch (proto) {
	case NL_IPPROTO_TCP:
	case NL_IPPROTO_UDP:
	case 33:  /* DCCP */
	case 132: /* SCTP */
	case 136: /* UDP-Lite */
		break;
	default:
		return;
	}
	uint16_t sport = nl_cur_u16be(q);
	uint16_t dport = nl_cur_u16be(q);
	if (nl_cur_ok(q)) {
		ic->quote_sport = sport;
		ic->quote_dport = dport;
	}
}

static void quote_ipv4(struct nl_icmp *ic, struct nl_cur q)
{
	uint8_t vihl = nl_cur_u8(&q);
	nl_cur_skip(&q, 5); /* TOS, total length, ID */
	uint16_t frag = nl_cur_u16be(&q);
	nl_cur_skip(&q, 1); /* TTL */
	uint8_t proto = nl_cur_u8(&q);
	nl_cur_skip(&q, 2); /* checksum */
	uint8_t src[4], dst[4];
	nl_cur_copy(&q, src, 4);
	nl_cur_copy(&q, dst, 4);
	if (!nl_cur_ok(&q) || vihl >> 4 != 4 || (vihl & 0x0f) < 5)
		return;
	ic->has_quote = true;
	ic->quote_proto = proto;
	ic->quote_src.family = ic->quote_dst.family = 4;
	memcpy(ic->quote_src.b, src, 4);
	memcpy(ic->quote_dst.b, dst, 4);
	if ((frag & 0x1fff) != 0)
		return; /* a later fragment quotes no transport header */
	nl_cur_skip(&q, (size_t)(vihl & 0x0f) * 4 - 20);
	quote_ports(ic, &q, proto);
}

static void quote_ipv6(struct nl_icmp *ic, struct nl_cur q)
{
	uint8_t v = nl_cur_u8(&q);
	nl_cur_skip(&q, 5); /* traffic class, flow label, payload length */
	uint8_t nh = nl_cur_u8(&q);
	nl_cur_skip(&q, 1); /* hop limit */
	uint8_t src[16], dst[16];
	nl_cur_copy(&q, src, 16);
	nl_cur_copy(&q, dst, 16);
	if (!nl_cur_ok(&q) || v >> 4 != 6)
		return;
	ic->has_quote = true;
	ic->quote_proto = nh;
	ic->quote_src.family = ic->quote_dst.family = 6;
	memcpy(ic->quote_src.b, src, 16);
	memcpy(ic->quote_dst.b, dst, 16);

	/* same bounded walk as nl_decode_ipv6(), within the quote */
	for (int i = 0; i < NL_MAX_IPV6_EXT; i++) {
		size_t size;
		switch (nh) {
		case NL_IPPROTO_HOPOPTS:
		case NL_IPPROTO_ROUTING:
		case NL_IPPROTO_DSTOPTS:
		case NL_IPPROTO_FRAGMENT:
		case 51: /* AH */
			break;
		default:
			quote_ports(ic, &q, nh);
			return;
		}
		struct nl_cur h = q;
		uint8_t next = nl_cur_u8(&h);
		uint8_t hlen = nl_cur_u8(&h);
		uint16_t offlg = nl_cur_u16be(&h);
		if (!nl_cur_ok(&h))
			return;
		if (nh == NL_IPPROTO_FRAGMENT)
			size = 8;
		else if (nh == 51)
			size = ((size_t)hlen + 2) * 4;
		else
			size = ((size_t)hlen + 1) * 8;
		ic->quote_proto = next;
		if (nh == NL_IPPROTO_FRAGMENT && (offlg & 0xfff8) != 0)
			return;
		nl_cur_skip(&q, size);
		if (!nl_cur_ok(&q))
			return;
		nh = next;
	}
}

/* Type-specific fields after type, code and checksum. */
static void icmp_fields(struct nl_icmp *ic, struct nl_cur b)
{
	uint8_t t = ic->type;

	if (!ic->v6) {
		switch (t) {
		case ICMP4_ECHOREPLY:
		case ICMP4_ECHO:
		case 13: /* timestamp (RFC 792) */
		case 14:
		case 15: /* information */
		case 16:
		case 17: /* address mask (RFC 950) */
		case 18:
			ic->id = nl_cur_u16be(&b);
			ic->seq = nl_cur_u16be(&b);
			break;
		case ICMP4_UNREACH:
			/* RFC 1191 §4: next-hop MTU in the low 16 bits */
			nl_cur_skip(&b, 2);
			if (ic->code == ICMP4_UNREACH_NEEDFRAG)
				ic->mtu = nl_cur_u16be(&b);
			break;
		case ICMP4_REDIRECT:
			nl_cur_copy(&b, ic->gateway, 4);
			break;
		default:
			break;
		}
		return;
	}
	switch (t) {
	case ICMP6_ECHO:
	case ICMP6_ECHOREPLY:
		ic->id = nl_cur_u16be(&b);
		ic->seq = nl_cur_u16be(&b);
		break;
	case ICMP6_PKT_TOO_BIG:
		ic->mtu = nl_cur_u32be(&b);
		break;
	case ICMP6_NS:
	case ICMP6_NA:
	case ICMP6_REDIRECT:
		/* NS: reserved; NA: R, S, O flags + reserved; redirect:
		 * reserved, then the target address */
		nl_cur_skip(&b, 4);
		nl_cur_copy(&b, ic->target, 16);
		ic->has_target = nl_cur_ok(&b);
		break;
	default:
		break;
	}
}

enum nl_status nl_decode_icmp(struct nl_packet *pkt, struct nl_cur *c,
			      const struct nl_decode_opts *o, bool v6)
{
	struct nl_icmp *ic = &pkt->icmp;
	enum nl_layer layer = v6 ? NL_L_ICMPV6 : NL_L_ICMP;
	const uint8_t *start = c->p;
	uint32_t wire = nl_ip_payload_left(pkt, start);
	uint32_t cap = (uint32_t)nl_cur_left(c);
	enum nl_status st = NL_OK;

	if (cap > wire)
		cap = wire;
	*ic = (struct nl_icmp){.v6 = v6};
	ic->type = nl_cur_u8(c);
	ic->code = nl_cur_u8(c);
	ic->csum = nl_cur_u16be(c);

	uint32_t need = min_len(v6, ic->type);
	if (wire < 4 || (nl_cur_ok(c) && wire < need)) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, layer,
				  "message shorter than header");
		return NL_MALFORMED;
	}
	if (!nl_cur_ok(c) || cap < need) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, layer, "header");
		return NL_TRUNCATED;
	}
	pkt->layers |= NL_LAYER_BIT(layer);

	struct nl_cur msg = nl_cur_make(start, cap);
	nl_cur_skip(&msg, 4);
	icmp_fields(ic, msg);

	if (is_error(v6, ic->type)) {
		struct nl_cur q = nl_cur_make(start, cap);
		nl_cur_skip(&q, ICMP_HDR);
		if (v6)
			quote_ipv6(ic, q);
		else
			quote_ipv4(ic, q);
	}
	uint32_t ndp = v6 ? ndp_opt_off(ic->type) : 0;
	if (ndp) {
		struct nl_cur opts = nl_cur_make(start + ndp, cap - ndp);
		const char *bad = ndp_options(opts, cap == wire);
		if (bad) {
			nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, layer, bad);
			st = NL_MALFORMED;
		}
	}
	if (cap < wire) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, layer, "message");
		if (st == NL_OK)
			st = NL_TRUNCATED;
	}
	/* leave the cursor after the header, over the message body */
	c->p = start + (need < ICMP_HDR ? need : ICMP_HDR);
	if (c->end > start + cap)
		c->end = start + cap;

	if (o && o->verify_checksums) {
		/* RFC 4443 §2.3: ICMPv6 covers a pseudo-header; RFC 792: the
		 * ICMPv4 sum covers the message alone */
		ic->csum_status = (uint8_t)nl_csum_check(
		    pkt, v6 ? NL_IPPROTO_ICMPV6 : NL_IPPROTO_ICMP, start, cap,
		    wire, ic->csum, v6, false, &ic->csum_want);
	}
	return st;
}

const char *nl_icmp_type_name(bool v6, uint8_t type)
{
	if (!v6) {
		switch (type) {
		case 0:
			return "echo reply";
		case 3:
			return "destination unreachable";
		case 4:
			return "source quench";
		case 5:
			return "redirect";
		case 8:
			return "echo request";
		case 9:
			return "router advertisement";
		case 10:
			return "router solicitation";
		case 11:
			return "time exceeded";
		case 12:
			return "parameter problem";
		case 13:
			return "timestamp request";
		case 14:
			return "timestamp reply";
		case 15:
			return "information request";
		case 16:
			return "information reply";
		case 17:
			return "address mask request";
		case 18:
			return "address mask reply";
		case 42:
			return "extended echo request";
		case 43:
			return "extended echo reply";
		default:
			return "unknown";
		}
	}
	switch (type) {
	case 1:
		return "destination unreachable";
	case 2:
		return "packet too big";
	case 3:
		return "time exceeded";
	case 4:
		return "parameter problem";
	case 128:
		return "echo request";
	case 129:
		return "echo reply";
	case 130:
		return "multicast listener query";
	case 131:
		return "multicast listener report";
	case 132:
		return "multicast listener done";
	case 133:
		return "router solicitation";
	case 134:
		return "router advertisement";
	case 135:
		return "neighbor solicitation";
	case 136:
		return "neighbor advertisement";
	case 137:
		return "redirect";
	case 138:
		return "router renumbering";
	case 139:
		return "node information query";
	case 140:
		return "node information response";
	case 141:
		return "inverse neighbor discovery solicitation";
	case 142:
		return "inverse neighbor discovery advertisement";
	case 143:
		return "multicast listener report v2";
	case 151:
		return "multicast router advertisement";
	case 152:
		return "multicast router solicitation";
	case 153:
		return "multicast router termination";
	case 155:
		return "RPL control";
	case 160:
		return "extended echo request";
	case 161:
		return "extended echo reply";
	default:
		return "unknown";
	}
}

/* Look a code up in a table of names, "" past its end or for a gap. */
static const char *pick(const char *const *names, unsigned n, uint8_t code)
{
	if (code >= n || !names[code])
		return "";
	return names[code];
}

#define PICK(tab, code) pick(tab, sizeof(tab) / sizeof(tab[0]), code)

const char *nl_icmp_code_name(bool v6, uint8_t type, uint8_t code)
{
	/* RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1 */
	static const char *const unreach4[] = {
	    "net unreachable",
	    "host unreachable",
	    "protocol unreachable",
	    "port unreachable",
	    "fragmentation needed",
	    "source route failed",
	    "destination network unknown",
	    "destination host unknown",
	    "source host isolated",
	    "network administratively prohibited",
	    "host administratively prohibited",
	    "network unreachable for TOS",
	    "host unreachable for TOS",
	    "communication administratively prohibited",
	    "host precedence violation",
	    "precedence cutoff in effect",
	};
	static const char *const redirect4[] = {
	    "redirect for network",
	    "redirect for host",
	    "redirect for TOS and network",
	    "redirect for TOS and host",
	};
	static const char *const timex[] = {
	    "TTL exceeded in transit",
	    "fragment reassembly time exceeded",
	};
	static const char *const param4[] = {
	    "pointer indicates the error",
	    "missing a required option",
	    "bad length",
	};
	/* RFC 4443 §3.1, RFC 6550 */
	static const char *const unreach6[] = {
	    "no route to destination",
	    "communication administratively prohibited",
	    "beyond scope of source address",
	    "address unreachable",
	    "port unreachable",
	    "source address failed ingress/egress policy",
	    "reject route to destination",
	    "error in source routing header",
	};
	static const char *const timex6[] = {
	    "hop limit exceeded in transit",
	    "fragment reassembly time exceeded",
	};
	/* RFC 4443 §3.4, RFC 7112 §5 */
	static const char *const param6[] = {
	    "erroneous header field",
	    "unrecognized next header type",
	    "unrecognized IPv6 option",
	    "first fragment has incomplete header chain",
	};

	if (!v6) {
		switch (type) {
		case ICMP4_UNREACH:
			return PICK(unreach4, code);
		case ICMP4_REDIRECT:
			return PICK(redirect4, code);
		case ICMP4_TIMXCEED:
			return PICK(timex, code);
		case ICMP4_PARAMPROB:
			return PICK(param4, code);
		default:
			return "";
		}
	}
	switch (type) {
	case ICMP6_UNREACH:
		return PICK(unreach6, code);
	case ICMP6_TIME_EXCEEDED:
		return PICK(timex6, code);
	case ICMP6_PARAM_PROB:
		return PICK(param6, code);
	default:
		return "";
	}
}
