/*
 * Stream analysis in the end-of-run text summary and the --conns table.
 * Figures come from the flow table's counts (nl_flowtable_counts) and
 * from each connection's nl_flow_stats as it ends; the sink keeps only a
 * fixed tally (framings, worst merges), never a list of connections:
 *
 *   streams     3 connections analysed (peak 2 of 16384 at once)
 *   messages    120 complete, 2 cut
 *   merged      14 segments carried parts of >= 2 messages
 *   split       6 messages crossed segments
 *   framing     u32le (auto) in 3 directions, line (--framing PORT=SPEC)
 *               in 1 direction
 *   merges      #1 127.0.0.1:40000 > 127.0.0.1:9000: 14 of 20 segments
 *   not analysed 1 connection: flow table full (raise --max-flows)
 */
#include <string.h>

#include "common.h"
#include "flowtext.h"

static void tally_framing(struct nl_flowsum *fs,
			  const struct nl_flow_dir_stats *d)
{
	if (d->how == NL_HOW_NONE)
		return;
	for (unsigned i = 0; i < fs->n_framings; i++) {
		struct nl_flowsum_framing *e = &fs->framing[i];
		if (e->how == d->how &&
		    !memcmp(&e->spec, &d->spec, sizeof(e->spec))) {
			e->n++;
			return;
		}
	}
	if (fs->n_framings >= NL_FLOWSUM_FRAMINGS) {
		fs->other_framings++;
		return;
	}
	struct nl_flowsum_framing *e = &fs->framing[fs->n_framings++];
	e->spec = d->spec;
	e->how = d->how;
	e->n = 1;
}

void nl_flowsum_conn(struct nl_flowsum *fs, const struct nl_conn *c,
		     const struct nl_flow_stats *f)
{
	uint64_t merged = 0, segs = 0;
	for (unsigned d = 0; d < 2; d++) {
		const struct nl_flow_dir_stats *x = &f->dir[d];
		tally_framing(fs, x);
		fs->gaps += x->reasm.gaps;
		fs->gap_bytes += x->reasm.gap_bytes;
		fs->conflicts += x->reasm.conflicts;
		fs->framing_errors += x->framing_errors;
		merged += x->merged_segs;
		segs += x->data_segs;
	}
	if (!merged)
		return;
	/* the connections with the most merged segments, most first */
	unsigned k = NL_FLOWSUM_WORST;
	while (k > 0 && fs->worst[k - 1].merged < merged)
		k--;
	if (k >= NL_FLOWSUM_WORST)
		return;
	memmove(&fs->worst[k + 1], &fs->worst[k],
		(NL_FLOWSUM_WORST - 1 - k) * sizeof(fs->worst[0]));
	struct nl_flowsum_conn *e = &fs->worst[k];
	e->id = c->id;
	memcpy(e->addr, c->addr, sizeof(e->addr));
	memcpy(e->port, c->port, sizeof(e->port));
	e->merged = merged;
	e->segs = segs;
}

static void how_words(struct nl_outbuf *o, uint8_t how)
{
	switch (how) {
	case NL_HOW_OPTION:
		NL_OUT_LIT(o, "--framing");
		break;
	case NL_HOW_PORT:
		NL_OUT_LIT(o, "--framing PORT=SPEC");
		break;
	default:
		nl_out_str(o, nl_rf_how(how));
		break;
	}
}

void nl_flowsum_lines(const struct nl_flowsum *fs, struct nl_outbuf *o,
		      const struct nl_flow_table *t)
{
	struct nl_flow_counts n;
	nl_flowtable_counts(t, &n);
	if (!n.flows && !n.not_analysed)
		return;
	nl_report_label(o, "streams");
	nl_report_count(o, n.flows, "connection", "connections");
	NL_OUT_LIT(o, " analysed (peak ");
	nl_out_u64(o, n.peak);
	NL_OUT_LIT(o, " of ");
	nl_out_u64(o, n.cap);
	NL_OUT_LIT(o, " at once)\n");
	if (n.not_analysed) {
		nl_report_label(o, "not analysed");
		nl_report_count(o, n.not_analysed, "connection", "connections");
		NL_OUT_LIT(o, ": the flow table was full (raise "
			      "--max-flows)\n");
	}
	nl_report_label(o, "messages");
	nl_out_u64(o, n.messages);
	NL_OUT_LIT(o, " complete, ");
	nl_out_u64(o, n.incomplete);
	NL_OUT_LIT(o, " cut\n");
	nl_report_label(o, "merged");
	nl_report_count(o, n.merged_segs, "segment", "segments");
	NL_OUT_LIT(o, " carried parts of >= 2 messages\n");
	nl_report_label(o, "split");
	nl_report_count(o, n.split_msgs, "message", "messages");
	NL_OUT_LIT(o, " crossed segments\n");
	if (n.offload_segs) {
		nl_report_label(o, "offload");
		nl_report_count(o, n.offload_segs, "segment", "segments");
		NL_OUT_LIT(o, " larger than the MSS: GSO/TSO/GRO batches "
			      "captured on a host, not wire segments (their "
			      "merges are the kernel's)\n");
	}
	if (fs->n_framings) {
		nl_report_label(o, "framing");
		for (unsigned i = 0; i < fs->n_framings; i++) {
			const struct nl_flowsum_framing *e = &fs->framing[i];
			if (i)
				NL_OUT_LIT(o, ", ");
			nl_rf_spec(o, &e->spec);
			NL_OUT_LIT(o, " (");
			how_words(o, e->how);
			NL_OUT_LIT(o, ") in ");
			nl_report_count(o, e->n, "direction", "directions");
		}
		if (fs->other_framings) {
			NL_OUT_LIT(o, ", others in ");
			nl_report_count(o, fs->other_framings, "direction", "directions");
		}
		nl_out_char(o, '\n');
	}
	if (fs->gaps || fs->conflicts || fs->framing_errors) {
		nl_report_label(o, "stream gaps");
		nl_report_count(o, fs->gaps, "gap", "gaps");
		NL_OUT_LIT(o, " (");
		nl_out_u64(o, fs->gap_bytes);
		NL_OUT_LIT(o, " bytes never delivered), ");
		nl_report_count(o, fs->conflicts, "overlap conflict",
		      "overlap conflicts");
		NL_OUT_LIT(o, ", ");
		nl_report_count(o, fs->framing_errors, "framing error", "framing errors");
		nl_out_char(o, '\n');
	}
	if (n.detect_fallbacks) {
		nl_report_label(o, "detection");
		nl_report_count(o, n.detect_fallbacks, "direction", "directions");
		NL_OUT_LIT(o, " decided on less evidence: the detection "
			      "slots were full\n");
	}
	if (n.pool.cap_hits) {
		nl_report_label(o, "buffer");
		nl_report_count(o, n.pool.cap_hits, "hole", "holes");
		NL_OUT_LIT(o, " given up at the reassembly cap (");
		nl_out_u64(o, n.pool.global_hits);
		NL_OUT_LIT(o, " with the pool full; raise --max-buffer); "
			      "pool peak ");
		nl_out_u64(o, n.pool.peak);
		NL_OUT_LIT(o, " of ");
		nl_out_u64(o, n.pool.chunks);
		NL_OUT_LIT(o, " chunks\n");
	}
	for (unsigned i = 0; i < NL_FLOWSUM_WORST && fs->worst[i].merged; i++) {
		const struct nl_flowsum_conn *e = &fs->worst[i];
		if (i == 0)
			nl_report_label(o, "merges");
		else
			nl_out_repeat(o, ' ', 14);
		nl_out_char(o, '#');
		nl_out_u64(o, e->id);
		nl_out_char(o, ' ');
		nl_report_endpoint(o, &e->addr[NL_CLIENT], e->port[NL_CLIENT]);
		NL_OUT_LIT(o, " > ");
		nl_report_endpoint(o, &e->addr[NL_SERVER], e->port[NL_SERVER]);
		NL_OUT_LIT(o, ": ");
		nl_out_u64(o, e->merged);
		NL_OUT_LIT(o, " of ");
		nl_report_count(o, e->segs, "segment", "segments");
		NL_OUT_LIT(o, " merged\n");
	}
}

/*
 *         c2s u32le (auto) 12 msgs, 30 segs, 5 merged (max 3/seg),
 *         2 split (max 4 segs/msg)
 */
void nl_rf_conn_flow_lines(struct nl_outbuf *o, const struct nl_flow_stats *f)
{
	for (unsigned d = 0; d < 2; d++) {
		const struct nl_flow_dir_stats *x = &f->dir[d];
		if (x->how == NL_HOW_NONE && !x->data_segs)
			continue;
		nl_out_repeat(o, ' ', 8);
		nl_out_str(o, nl_rf_dir((uint8_t)d));
		nl_out_char(o, ' ');
		if (x->how == NL_HOW_NONE) {
			NL_OUT_LIT(o, "no framing");
		} else {
			nl_rf_spec(o, &x->spec);
			NL_OUT_LIT(o, " (");
			how_words(o, x->how);
			if (x->has_runner_up) {
				NL_OUT_LIT(o, ", runner-up ");
				nl_rf_spec(o, &x->runner_up);
			}
			nl_out_char(o, ')');
		}
		nl_out_char(o, ' ');
		nl_out_u64(o, x->messages);
		NL_OUT_LIT(o, " msgs");
		if (x->incomplete) {
			NL_OUT_LIT(o, " (+");
			nl_out_u64(o, x->incomplete);
			NL_OUT_LIT(o, " cut)");
		}
		NL_OUT_LIT(o, ", ");
		nl_out_u64(o, x->data_segs);
		NL_OUT_LIT(o, " segs, ");
		nl_out_u64(o, x->merged_segs);
		NL_OUT_LIT(o, " merged");
		if (x->merged_segs) {
			NL_OUT_LIT(o, " (max ");
			nl_out_u64(o, x->max_msgs_per_seg);
			NL_OUT_LIT(o, "/seg)");
		}
		NL_OUT_LIT(o, ", ");
		nl_out_u64(o, x->split_msgs);
		NL_OUT_LIT(o, " split");
		if (x->split_msgs) {
			NL_OUT_LIT(o, " (max ");
			nl_out_u64(o, x->max_segs_per_msg);
			NL_OUT_LIT(o, " segs/msg)");
		}
		if (x->offload_segs) {
			NL_OUT_LIT(o, ", ");
			nl_out_u64(o, x->offload_segs);
			NL_OUT_LIT(o, " offload");
		}
		if (x->reasm.gaps) {
			NL_OUT_LIT(o, ", ");
			nl_report_count(o, x->reasm.gaps, "gap", "gaps");
		}
		if (x->reasm.conflicts) {
			NL_OUT_LIT(o, ", ");
			nl_report_count(o, x->reasm.conflicts, "conflict", "conflicts");
		}
		nl_out_char(o, '\n');
	}
}
