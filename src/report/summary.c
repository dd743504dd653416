/*
 * The end-of-run text summary (also the only output with -q). A label
 * column, then counts; lines about problems appear only when there were
 * any, so a clean capture gets a short summary:
 *
 *   summary: 10 packets, 1234 bytes captured (1500 on the wire) in 1.234567 s
 *     time        2023-11-14 22:13:20.000000 to 2023-11-14 22:13:21.234567
 *     layers      eth 10, arp 2, ipv4 8, tcp 6, udp 2, payload 4
 *     truncated   2 packets: tcp 1, payload 1
 *     malformed   1 packet: ipv4 1
 *     undecoded   3 packets (link type 147)
 *     other       2 packets with a network protocol netlab does not decode
 *     fragments   4 IP fragments
 *     ethernet    1 frame under 64B, 0 oversize (>1518B)
 *     checksums   1 bad, 3 offload (not filled in: …)
 *     arp         3 requests, 2 replies, 1 gratuitous, 0 probes,
 *                 1 unanswered, 0 MAC changes, 0 conflicts
 *     arp table   2 entries
 *       10.0.0.1        00:11:22:33:44:55  frames 1-9      Intel Corporate
 *     capture     100 received, 0 dropped (buffer), 0 dropped (interface)
 *     file ended mid-record at byte 12345
 *
 * (the arp line is one line in the output).
 */
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "netlab/escape.h"
#include "netlab/report.h"

struct summary_sink {
	struct nl_outbuf *o;
	struct nl_report_opts opts;
};

static unsigned ndigits(uint64_t v)
{
	unsigned n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

static void label(struct nl_outbuf *o, const char *l)
{
	nl_out_str(o, "  ");
	nl_out_str(o, l);
	size_t n = strlen(l);
	nl_out_repeat(o, ' ', n < 12 ? 12 - n : 1);
}

/* "3 packets" / "1 packet" */
static void count(struct nl_outbuf *o, uint64_t n, const char *one,
		  const char *many)
{
	nl_out_u64(o, n);
	nl_out_char(o, ' ');
	nl_out_str(o, n == 1 ? one : many);
}

static void when(const struct summary_sink *s, const struct nl_time *t)
{
	if (s->opts.time_style == NL_TIME_UTC) {
		nl_time_write_iso(s->o, t);
		return;
	}
	struct nl_timefmt tf;
	nl_timefmt_init(&tf, NL_TIME_DATE, s->opts.time_digits);
	nl_timefmt_write(&tf, s->o, t);
}

static void head(struct summary_sink *s, const struct nl_stats *st)
{
	struct nl_outbuf *o = s->o;
	nl_out_str(o, "summary: ");
	count(o, st->packets, "packet", "packets");
	nl_out_str(o, ", ");
	nl_out_u64(o, st->bytes_captured);
	nl_out_str(o, " bytes captured (");
	nl_out_u64(o, st->bytes_wire);
	nl_out_str(o, " on the wire)");
	if (st->packets) {
		/* the relative style prints last - first, sign and all */
		struct nl_timefmt tf;
		nl_timefmt_init(&tf, NL_TIME_RELATIVE, s->opts.time_digits);
		tf.have_first = true;
		tf.first = st->first_ts;
		nl_out_str(o, " in ");
		nl_timefmt_write(&tf, o, &st->last_ts);
		nl_out_str(o, " s");
	}
	nl_out_char(o, '\n');
	if (!st->packets)
		return;
	label(o, "time");
	when(s, &st->first_ts);
	nl_out_str(o, " to ");
	when(s, &st->last_ts);
	nl_out_char(o, '\n');
}

/* "eth 10, ipv4 8": layers with a count, in stack order. */
static void layer_list(struct nl_outbuf *o, const uint64_t *v)
{
	bool any = false;
	for (unsigned l = 0; l < NL_LAYER_COUNT; l++) {
		if (!v[l])
			continue;
		if (any)
			nl_out_str(o, ", ");
		nl_out_str(o, nl_layer_name((enum nl_layer)l));
		nl_out_char(o, ' ');
		nl_out_u64(o, v[l]);
		any = true;
	}
	if (!any)
		nl_out_str(o, "none");
}

static void problems(struct nl_outbuf *o, const char *what, uint64_t packets,
		     const uint64_t *per_layer)
{
	if (!packets)
		return;
	label(o, what);
	count(o, packets, "packet", "packets");
	nl_out_str(o, ": ");
	layer_list(o, per_layer);
	nl_out_char(o, '\n');
}

static void counters(struct summary_sink *s, const struct nl_summary *sum)
{
	struct nl_outbuf *o = s->o;
	const struct nl_stats *st = sum->stats;
	label(o, "layers");
	layer_list(o, st->layer);
	nl_out_char(o, '\n');
	problems(o, "truncated", st->truncated_packets, st->truncated);
	problems(o, "malformed", st->malformed_packets, st->malformed);
	if (st->undecoded) {
		label(o, "undecoded");
		count(o, st->undecoded, "packet", "packets");
		nl_out_str(o, " (link type ");
		nl_out_u64(o, sum->dlt);
		const char *n = nl_report_name(nl_linktype_name(sum->dlt));
		if (n) {
			nl_out_char(o, ' ');
			nl_out_str(o, n);
		}
		nl_out_str(o, ")\n");
	}
	if (st->other_network) {
		label(o, "other");
		count(o, st->other_network, "packet", "packets");
		nl_out_str(o, " with a network protocol netlab does not "
			      "decode\n");
	}
	if (st->ip_fragments) {
		label(o, "fragments");
		count(o, st->ip_fragments, "IP fragment", "IP fragments");
		nl_out_char(o, '\n');
	}
	if (st->eth_undersize || st->eth_oversize) {
		label(o, "ethernet");
		count(o, st->eth_undersize, "frame under 64B",
		      "frames under 64B");
		nl_out_str(o, ", ");
		nl_out_u64(o, st->eth_oversize);
		nl_out_str(o, " oversize (>1518B)\n");
	}
	if (s->opts.verify_checksums || st->csum_bad || st->csum_offload) {
		label(o, "checksums");
		nl_out_u64(o, st->csum_bad);
		nl_out_str(o, " bad, ");
		nl_out_u64(o, st->csum_offload);
		nl_out_str(o, " offload");
		if (st->csum_offload)
			nl_out_str(o, " (not filled in: captured on the "
				      "sending host with checksum offload)");
		nl_out_char(o, '\n');
	}
}

static void arp_entry(struct summary_sink *s, const struct nl_arp_entry *e)
{
	struct nl_outbuf *o = s->o;
	nl_out_str(o, "    ");
	nl_out_ipv4(o, e->ip);
	unsigned w = ndigits(e->ip[0]) + ndigits(e->ip[1]) + ndigits(e->ip[2]) +
		     ndigits(e->ip[3]) + 3;
	nl_out_repeat(o, ' ', 16 - w);
	nl_out_mac(o, e->mac);
	nl_out_str(o, "  frames ");
	nl_out_u64(o, e->first_frame);
	nl_out_char(o, '-');
	nl_out_u64(o, e->last_frame);
	w = ndigits(e->first_frame) + ndigits(e->last_frame) + 1;
	nl_out_repeat(o, ' ', w < 9 ? 11 - w : 2);
	const char *k = nl_report_mac_kind(&s->opts, e->mac);
	if (k)
		nl_escape_c(o, (const uint8_t *)k, strlen(k));
	else
		nl_out_char(o, '-');
	if (e->changes) {
		nl_out_str(o, " (MAC changed ");
		count(o, e->changes, "time)", "times)");
	}
	nl_out_char(o, '\n');
}

static void arp(struct summary_sink *s, const struct nl_arp_table *t)
{
	struct nl_outbuf *o = s->o;
	struct nl_arp_counts c;
	nl_arptable_counts(t, &c);
	if (!(c.requests | c.replies | c.gratuitous | c.probes | c.entries |
	      c.table_full))
		return; /* no ARP in this capture: nothing to say */
	label(o, "arp");
	count(o, c.requests, "request, ", "requests, ");
	count(o, c.replies, "reply, ", "replies, ");
	nl_out_u64(o, c.gratuitous);
	nl_out_str(o, " gratuitous, ");
	count(o, c.probes, "probe, ", "probes, ");
	nl_out_u64(o, c.unanswered);
	nl_out_str(o, " unanswered, ");
	count(o, c.mac_changes, "MAC change, ", "MAC changes, ");
	count(o, c.conflicts, "conflict", "conflicts");
	nl_out_char(o, '\n');
	if (!c.entries && !c.table_full)
		return;
	label(o, "arp table");
	count(o, c.entries, "entry", "entries");
	if (c.table_full) {
		nl_out_str(o, " (full at ");
		nl_out_u64(o, c.cap);
		nl_out_str(o, ": ");
		nl_out_u64(o, c.table_full);
		nl_out_str(o, " not learned)");
	}
	nl_out_char(o, '\n');
	/* once, at the end of the run: an allocation here is fine */
	const struct nl_arp_entry **e =
	    c.entries ? calloc(c.entries, sizeof(*e)) : NULL;
	uint32_t n = e ? nl_arptable_entries(t, e, c.entries) : 0;
	for (uint32_t i = 0; i < n; i++)
		arp_entry(s, e[i]);
	free(e);
}

static void on_summary(struct summary_sink *s, const struct nl_summary *sum)
{
	struct nl_outbuf *o = s->o;
	const struct nl_stats *st = sum->stats;
	if (st) {
		head(s, st);
		counters(s, sum);
	}
	if (sum->arp)
		arp(s, sum->arp);
	if (st && st->live) {
		label(o, "capture");
		nl_out_u64(o, st->pcap_received);
		nl_out_str(o, " received, ");
		nl_out_u64(o, st->pcap_dropped);
		nl_out_str(o, " dropped (buffer), ");
		nl_out_u64(o, st->pcap_ifdropped);
		nl_out_str(o, " dropped (interface)\n");
	}
	if (sum->file_truncated) {
		nl_out_str(o, "  file ended mid-record at byte ");
		nl_out_u64(o, sum->file_truncated_offset);
		nl_out_char(o, '\n');
	}
}

static void summary_event(void *self, const struct nl_event *ev)
{
	if (ev->type == NL_EV_SUMMARY && ev->u.summary)
		on_summary(self, ev->u.summary);
}

static void summary_close(void *self)
{
	struct summary_sink *s = self;
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops summary_ops = {
    .name = "summary",
    .on_event = summary_event,
    .close = summary_close,
};

enum nl_status nl_sink_summary_new(struct nl_sink *out, struct nl_outbuf *o,
				   const struct nl_report_opts *opts)
{
	struct summary_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	s->opts = *opts;
	out->ops = &summary_ops;
	out->self = s;
	return NL_OK;
}
