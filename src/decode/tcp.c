/*
 * TCP header (RFC 9293 §3.1) and options.
 *
 * The segment's length as sent comes from IP (nl_ip_payload_left()); the
 * capture may hold less. Options are walked within the data offset, at most
 * 40 bytes, so the loop is bounded; the kinds of the first NL_MAX_TCP_OPTS
 * are kept.
 */
#include "netlab/decode.h"
#include "internal.h"

#define TCP_MIN_HDR 20

static void opt_bad(struct nl_packet *pkt, enum nl_status *st, const char *w)
{
	nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_TCP, w);
	*st = NL_MALFORMED;
}

/*
 * One option with a length octet; body holds its len - 2 data bytes. A
 * known kind with the wrong length is malformed but, its length being
 * consistent, does not stop the walk.
 */
static void tcp_option(struct nl_packet *pkt, uint8_t kind, uint8_t len,
		       struct nl_cur *body, enum nl_status *st)
{
	struct nl_tcp *t = &pkt->tcp;

	switch (kind) {
	case NL_TCPOPT_MSS: /* RFC 9293 §3.2 */
		if (len != 4) {
			opt_bad(pkt, st, "MSS option length");
			return;
		}
		t->has_mss = true;
		t->mss = nl_cur_u16be(body);
		break;
	case NL_TCPOPT_WSCALE: /* RFC 7323 §2.2 */
		if (len != 3) {
			opt_bad(pkt, st, "window scale option length");
			return;
		}
		t->has_wscale = true;
		t->wscale = nl_cur_u8(body);
		break;
	case NL_TCPOPT_SACK_PERM: /* RFC 2018 §2 */
		if (len != 2) {
			opt_bad(pkt, st, "SACK permitted option length");
			return;
		}
		t->sack_perm = true;
		break;
	case NL_TCPOPT_SACK: /* RFC 2018 §3: 8 bytes per block */
		if (len < 10 || (len - 2) % 8 != 0) {
			opt_bad(pkt, st, "SACK option length");
			return;
		}
		while (nl_cur_left(body) >= 8 && t->n_sack < NL_MAX_TCP_SACK) {
			t->sack[t->n_sack].left = nl_cur_u32be(body);
			t->sack[t->n_sack].right = nl_cur_u32be(body);
			t->n_sack++;
		}
		break;
	case NL_TCPOPT_TIMESTAMP: /* RFC 7323 §3.2 */
		if (len != 10) {
			opt_bad(pkt, st, "timestamp option length");
			return;
		}
		t->has_ts = true;
		t->ts_val = nl_cur_u32be(body);
		t->ts_ecr = nl_cur_u32be(body);
		break;
	default:
		break;
	}
}

static void tcp_options(struct nl_packet *pkt, struct nl_cur o,
			enum nl_status *st)
{
	struct nl_tcp *t = &pkt->tcp;

	while (nl_cur_left(&o) > 0) {
		uint8_t kind = nl_cur_u8(&o);
		if (t->n_opts < NL_MAX_TCP_OPTS)
			t->opt_kind[t->n_opts++] = kind;
		if (kind == NL_TCPOPT_EOL)
			return; /* the rest is padding (RFC 9293 §3.2) */
		if (kind == NL_TCPOPT_NOP)
			continue;
		/* every other kind has a length counting kind and length
		 * octets, so at least 2, within the header */
		uint8_t len = nl_cur_u8(&o);
		if (!nl_cur_ok(&o) || len < 2 ||
		    (size_t)(len - 2) > nl_cur_left(&o)) {
			opt_bad(pkt, st, "option length");
			return;
		}
		struct nl_cur body = nl_cur_sub(&o, (size_t)(len - 2));
		tcp_option(pkt, kind, len, &body, st);
	}
}

enum nl_status nl_decode_tcp(struct nl_packet *pkt, struct nl_cur *c,
			     const struct nl_decode_opts *o)
{
	struct nl_tcp *t = &pkt->tcp;
	const uint8_t *start = c->p;
	uint32_t wire = nl_ip_payload_left(pkt, start);
	uint32_t cap = (uint32_t)nl_cur_left(c);
	enum nl_status st = NL_OK;

	pkt->payload = NULL;
	pkt->payload_caplen = pkt->payload_len = pkt->payload_off = 0;
	if (cap > wire)
		cap = wire;

	*t = (struct nl_tcp){0};
	t->sport = nl_cur_u16be(c);
	t->dport = nl_cur_u16be(c);
	t->seq = nl_cur_u32be(c);
	t->ack = nl_cur_u32be(c);
	uint8_t off = nl_cur_u8(c);
	uint8_t fl = nl_cur_u8(c);
	t->win = nl_cur_u16be(c);
	t->csum = nl_cur_u16be(c);
	t->urg = nl_cur_u16be(c);
	if (wire < TCP_MIN_HDR) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_TCP,
				  "segment shorter than header");
		return NL_MALFORMED;
	}
	if (!nl_cur_ok(c) || cap < TCP_MIN_HDR) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_TCP, "header");
		return NL_TRUNCATED;
	}
	pkt->layers |= NL_LAYER_BIT(NL_L_TCP);
	t->doff = (uint8_t)((off >> 4) * 4);
	/* RFC 9293 §3.1: the low bit of the reserved nibble is AE (RFC 3540
	 * NS, now Accurate ECN) */
	t->flags = (uint16_t)((off & 0x01) << 8 | fl);
	/* the sum covers the segment whatever its header says */
	if (o && o->verify_checksums)
		t->csum_status = (uint8_t)nl_csum_check(
		    pkt, NL_IPPROTO_TCP, start, cap, wire, t->csum, true, true,
		    &t->csum_want);

	if (t->doff < TCP_MIN_HDR) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_TCP,
				  "data offset < 5");
		return NL_MALFORMED;
	}
	if (t->doff > wire) {
		nl_packet_anomaly(pkt, NL_ANOM_MALFORMED, NL_L_TCP,
				  "data offset beyond segment");
		return NL_MALFORMED;
	}
	if (t->doff > cap) {
		nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_TCP, "options");
		return NL_TRUNCATED;
	}
	tcp_options(pkt, nl_cur_sub(c, (size_t)(t->doff - TCP_MIN_HDR)), &st);

	pkt->payload_len = wire - t->doff;
	if (pkt->payload_len > 0) {
		pkt->layers |= NL_LAYER_BIT(NL_L_PAYLOAD);
		pkt->payload = c->p;
		pkt->payload_caplen = cap - t->doff;
		pkt->payload_off = nl_pkt_off(pkt, c->p);
		if (pkt->payload_caplen < pkt->payload_len) {
			nl_packet_anomaly(pkt, NL_ANOM_TRUNCATED, NL_L_PAYLOAD,
					  "payload");
			if (st == NL_OK)
				st = NL_TRUNCATED;
		}
	}
	return st;
}
