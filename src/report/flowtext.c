/* Stream-analysis output shared by the sinks; see flowtext.h. */
#include "flowtext.h"

#include <string.h>

#include "app.h"
#include "common.h"
#include "netlab/escape.h"
#include "netlab/reasm.h"

const char *nl_rf_dir(uint8_t dir)
{
	return dir == NL_CLIENT ? "c2s" : "s2c";
}

const char *nl_rf_part(uint8_t part)
{
	static const char *const n[NL_PART_COUNT] = {"whole", "head", "middle",
						     "tail"};
	return part < NL_PART_COUNT ? n[part] : "?";
}

const char *nl_rf_state(uint8_t state)
{
	static const char *const n[NL_SEGMAP_STATE_COUNT] = {
	    [NL_SEGMAP_NONE] = "none",
	    [NL_SEGMAP_MAPPED] = "mapped",
	    [NL_SEGMAP_PENDING] = "pending",
	    [NL_SEGMAP_RETRANS] = "retrans",
	    [NL_SEGMAP_UNFRAMED] = "unframed",
	    [NL_SEGMAP_NOT_ANALYSED] = "not_analysed",
	    [NL_SEGMAP_IGNORED] = "ignored",
	};
	return state < NL_SEGMAP_STATE_COUNT ? n[state] : "?";
}

const char *nl_rf_end(uint8_t end)
{
	static const char *const n[NL_MSG_END_COUNT] = {"complete", "gap",
							"end", "error"};
	return end < NL_MSG_END_COUNT ? n[end] : "?";
}

const char *nl_rf_note(uint8_t type)
{
	static const char *const n[NL_NOTE_COUNT] = {
	    [NL_NOTE_FRAMING] = "framing",
	    [NL_NOTE_FRAMING_ERROR] = "framing_error",
	    [NL_NOTE_RESYNC] = "resync",
	    [NL_NOTE_GAP] = "gap",
	    [NL_NOTE_CONFLICT] = "conflict",
	    [NL_NOTE_MIDSTREAM] = "midstream",
	    [NL_NOTE_NOT_ANALYSED] = "not_analysed",
	};
	return type < NL_NOTE_COUNT ? n[type] : "?";
}

const char *nl_rf_how(uint8_t how)
{
	static const char *const n[NL_HOW_COUNT] = {"none", "option", "port",
						    "auto", "fallback"};
	return how < NL_HOW_COUNT ? n[how] : "?";
}

const char *nl_rf_gap_words(uint8_t why)
{
	switch (why) {
	case NL_REASM_GAP_LOST:
		return "never captured";
	case NL_REASM_GAP_SNAPLEN:
		return "cut off by the snapshot length";
	case NL_REASM_GAP_CAP:
		return "given up at the buffer cap, --max-buffer";
	default:
		return "?";
	}
}

unsigned nl_rf_n_parts(const struct nl_segmap *m)
{
	return m->n_parts < NL_SEGMAP_PARTS ? m->n_parts : NL_SEGMAP_PARTS;
}

unsigned nl_rf_n_frames(const struct nl_message *m)
{
	return m->n_listed < NL_MSG_FRAMES ? m->n_listed : NL_MSG_FRAMES;
}

void nl_rf_spec(struct nl_outbuf *o, const struct nl_framing_spec *s)
{
	char buf[64];
	nl_framing_format(s, buf, sizeof(buf));
	nl_out_str(o, buf);
}

static void part_text(struct nl_outbuf *o, const struct nl_msg_part *p)
{
	nl_out_char(o, '#');
	nl_out_u64(o, p->index);
	nl_out_char(o, '[');
	if (p->part != NL_PART_WHOLE) {
		nl_out_str(o, nl_rf_part(p->part));
		nl_out_char(o, ' ');
	}
	nl_out_u64(o, p->bytes);
	/* a tail's bytes end the message: its length adds little */
	if ((p->part == NL_PART_HEAD || p->part == NL_PART_MIDDLE) &&
	    p->msg_len) {
		nl_out_char(o, '/');
		nl_out_u64(o, p->msg_len);
	}
	NL_OUT_LIT(o, "B]");
}

void nl_rf_parts_text(struct nl_outbuf *o, const struct nl_segmap *m)
{
	unsigned n = nl_rf_n_parts(m);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			nl_out_char(o, ' ');
		/* parts[] holds the first ones and the last: say how many
		 * lie between */
		if (i == n - 1 && n >= 2 && m->n_msgs > n) {
			NL_OUT_LIT(o, "... ");
			nl_out_u64(o, m->n_msgs - n);
			NL_OUT_LIT(o, " more ... ");
		}
		part_text(o, &m->parts[i]);
	}
	const char *sep = "  ";
	if (nl_segmap_merged(m)) {
		nl_out_str(o, sep);
		NL_OUT_LIT(o, "MERGED ");
		nl_out_u64(o, m->n_msgs);
		sep = " ";
	}
	if (nl_segmap_split(m)) {
		nl_out_str(o, sep);
		NL_OUT_LIT(o, "SPLIT");
		sep = " ";
	}
	if (m->offload) {
		nl_out_str(o, sep);
		NL_OUT_LIT(o, "OFFLOAD>MSS");
	}
}

static const char *pending_why(const struct nl_segmap *m)
{
	return m->held_ooo ? "held: out of order"
			   : "held: framing not yet known";
}

const char *nl_rf_state_words(const struct nl_segmap *m)
{
	switch (m->state) {
	case NL_SEGMAP_NONE:
		return "no payload";
	case NL_SEGMAP_MAPPED:
		return "mapped";
	case NL_SEGMAP_PENDING:
		return pending_why(m);
	case NL_SEGMAP_RETRANS:
		return "retransmitted: already delivered";
	case NL_SEGMAP_UNFRAMED:
		return "unframed";
	case NL_SEGMAP_NOT_ANALYSED:
		return "not analysed";
	case NL_SEGMAP_IGNORED:
		return "ignored: after the end of the stream";
	default:
		return "?";
	}
}

void nl_rf_segmap_text(struct nl_outbuf *o, const struct nl_segmap *m)
{
	if (m->state == NL_SEGMAP_NONE)
		return;
	NL_OUT_LIT(o, " msgs ");
	if (m->state == NL_SEGMAP_MAPPED) {
		nl_rf_parts_text(o, m);
		return;
	}
	nl_out_char(o, '(');
	nl_out_str(o, nl_rf_state_words(m));
	nl_out_char(o, ')');
	if (m->offload)
		NL_OUT_LIT(o, "  OFFLOAD>MSS");
}

/* "    * " or "    ! ": under the frame column, like the ARP notices */
static void lead(struct nl_outbuf *o, char mark)
{
	nl_out_repeat(o, ' ', NL_REPORT_FRAME_WIDTH - 1);
	nl_out_char(o, mark);
	nl_out_char(o, ' ');
}

static void conn_dir(struct nl_outbuf *o, uint64_t conn, uint8_t dir)
{
	NL_OUT_LIT(o, "conn ");
	nl_out_u64(o, conn);
	nl_out_char(o, ' ');
	nl_out_str(o, nl_rf_dir(dir));
}

void nl_rf_late_line(struct nl_outbuf *o, const struct nl_segmap *m)
{
	lead(o, '*');
	NL_OUT_LIT(o, "frame ");
	nl_out_u64(o, m->frame);
	NL_OUT_LIT(o, " (");
	conn_dir(o, m->conn_id, m->dir);
	NL_OUT_LIT(o, ") mapped now:");
	if (m->state == NL_SEGMAP_MAPPED) {
		NL_OUT_LIT(o, " msgs ");
		nl_rf_parts_text(o, m);
	} else {
		nl_rf_segmap_text(o, m);
	}
	nl_out_char(o, '\n');
}

static void framing_note(struct nl_outbuf *o, const struct nl_flow_note *n)
{
	NL_OUT_LIT(o, ": framing ");
	nl_rf_spec(o, &n->spec);
	NL_OUT_LIT(o, " (");
	switch (n->how) {
	case NL_HOW_OPTION:
		NL_OUT_LIT(o, "--framing");
		break;
	case NL_HOW_PORT:
		NL_OUT_LIT(o, "--framing PORT=SPEC");
		break;
	case NL_HOW_AUTO:
		NL_OUT_LIT(o, "auto: ");
		nl_out_u64(o, n->confirm);
		nl_out_str(o, n->confirm == 1 ? " message confirms"
					      : " messages confirm");
		break;
	case NL_HOW_FALLBACK:
		NL_OUT_LIT(o, "auto fallback");
		if (!n->why)
			NL_OUT_LIT(o, ": no framing explains the stream");
		break;
	default:
		nl_out_str(o, nl_rf_how(n->how));
		break;
	}
	if (n->why) {
		nl_out_str(o, n->how == NL_HOW_FALLBACK ? ": " : ", ");
		nl_out_str(o, n->why);
	}
	if (n->has_runner_up) {
		NL_OUT_LIT(o, "; runner-up ");
		nl_rf_spec(o, &n->runner_up);
		if (n->runner_confirm) {
			NL_OUT_LIT(o, " (");
			nl_out_u64(o, n->runner_confirm);
			nl_out_char(o, ')');
		}
	}
	nl_out_char(o, ')');
}

void nl_rf_note_line(struct nl_outbuf *o, const struct nl_flow_note *n)
{
	bool problem = n->type == NL_NOTE_FRAMING_ERROR ||
		       n->type == NL_NOTE_GAP || n->type == NL_NOTE_CONFLICT ||
		       n->type == NL_NOTE_NOT_ANALYSED;
	lead(o, problem ? '!' : '*');
	if (n->type == NL_NOTE_NOT_ANALYSED) {
		NL_OUT_LIT(o, "conn ");
		nl_out_u64(o, n->conn_id);
	} else {
		conn_dir(o, n->conn_id, n->dir);
	}
	switch (n->type) {
	case NL_NOTE_FRAMING:
		framing_note(o, n);
		break;
	case NL_NOTE_FRAMING_ERROR:
		NL_OUT_LIT(o, ": framing error at offset ");
		nl_out_u64(o, n->offset);
		break;
	case NL_NOTE_RESYNC:
		NL_OUT_LIT(o, ": framing back in step at offset ");
		nl_out_u64(o, n->offset);
		break;
	case NL_NOTE_GAP:
		NL_OUT_LIT(o, ": gap of ");
		nl_out_u64(o, n->len);
		NL_OUT_LIT(o, " bytes at offset ");
		nl_out_u64(o, n->offset);
		NL_OUT_LIT(o, " (");
		nl_out_str(o, nl_rf_gap_words(n->reason));
		nl_out_char(o, ')');
		break;
	case NL_NOTE_CONFLICT:
		NL_OUT_LIT(o, ": overlap conflict: ");
		nl_out_u64(o, n->len);
		NL_OUT_LIT(o, " bytes at offset ");
		nl_out_u64(o, n->offset);
		NL_OUT_LIT(o, " retransmitted with different contents");
		if (n->frame) {
			NL_OUT_LIT(o, " (frame ");
			nl_out_u64(o, n->frame);
			nl_out_char(o, ')');
		}
		break;
	case NL_NOTE_MIDSTREAM:
		NL_OUT_LIT(o, ": picked up mid-stream at offset ");
		nl_out_u64(o, n->offset);
		NL_OUT_LIT(o, ": what came before is unknown");
		break;
	case NL_NOTE_NOT_ANALYSED:
		NL_OUT_LIT(o, ": not analysed");
		if (!n->why)
			NL_OUT_LIT(o, " (flow table full: --max-flows)");
		break;
	default:
		NL_OUT_LIT(o, ": ?");
		break;
	}
	if (n->why && n->type != NL_NOTE_FRAMING) {
		NL_OUT_LIT(o, ": ");
		nl_out_str(o, n->why);
	}
	nl_out_char(o, '\n');
}

void nl_rf_frames(struct nl_outbuf *o, const struct nl_message *m)
{
	unsigned listed = nl_rf_n_frames(m);
	if (m->n_frames <= 1) {
		NL_OUT_LIT(o, "frame ");
		nl_out_u64(o, listed ? m->frames[0] : m->first_frame);
		return;
	}
	NL_OUT_LIT(o, "frames ");
	if (listed >= m->n_frames) {
		for (unsigned i = 0; i < listed; i++) {
			if (i)
				nl_out_char(o, ',');
			nl_out_u64(o, m->frames[i]);
		}
		return;
	}
	nl_out_u64(o, m->first_frame);
	NL_OUT_LIT(o, "..");
	nl_out_u64(o, m->last_frame);
	NL_OUT_LIT(o, " (");
	nl_out_u64(o, m->n_frames);
	NL_OUT_LIT(o, " segments)");
}

void nl_rf_message_line(struct nl_outbuf *o, const struct nl_message *m)
{
	conn_dir(o, m->conn_id, m->dir);
	NL_OUT_LIT(o, " msg #");
	nl_out_u64(o, m->index);
	NL_OUT_LIT(o, " at ");
	nl_out_u64(o, m->offset);
	NL_OUT_LIT(o, ": ");
	nl_out_u64(o, m->len);
	nl_out_char(o, 'B');
	if (m->header_len) {
		NL_OUT_LIT(o, " (header ");
		nl_out_u64(o, m->header_len);
		NL_OUT_LIT(o, "B)");
	}
	if (m->end != NL_MSG_COMPLETE && m->declared) {
		NL_OUT_LIT(o, " of ");
		nl_out_u64(o, m->declared);
		nl_out_char(o, 'B');
	}
	NL_OUT_LIT(o, ", ");
	nl_rf_frames(o, m);
	nl_out_str(o, m->split ? ", split, " : ", whole, ");
	switch (m->end) {
	case NL_MSG_COMPLETE:
		NL_OUT_LIT(o, "complete");
		break;
	case NL_MSG_CUT_GAP:
		NL_OUT_LIT(o, "cut (bytes never captured)");
		break;
	case NL_MSG_CUT_END:
		NL_OUT_LIT(o, "cut (the stream ended first)");
		break;
	case NL_MSG_CUT_ERROR:
		NL_OUT_LIT(o, "cut (framing error)");
		break;
	default:
		NL_OUT_LIT(o, "?");
		break;
	}
	if (m->has_gap && m->end != NL_MSG_CUT_GAP)
		NL_OUT_LIT(o, ", bytes missing inside");
	size_t n =
	    m->prefix_len < NL_MSG_PREFIX ? m->prefix_len : NL_MSG_PREFIX;
	if (n) {
		nl_out_char(o, ' ');
		/* "..." after the quotes when the message is longer; reads
		 * at most n bytes */
		nl_escape_quoted(o, m->prefix, m->len > n ? n + 1 : n, n);
	}
	nl_out_char(o, '\n');
}

bool nl_rf_stage_init(struct nl_rf_stage *st)
{
	if (!nl_out_init(&st->buf, -1))
		return false;
	st->buf.cap_max = NL_RF_STAGE_MAX + NL_RF_LINE_MAX;
	return true;
}

void nl_rf_stage_free(struct nl_rf_stage *st)
{
	nl_out_free(&st->buf);
}

struct nl_outbuf *nl_rf_stage_line(struct nl_rf_stage *st, struct nl_outbuf *o)
{
	if (st->buf.len >= NL_RF_STAGE_MAX)
		nl_rf_stage_flush(st, o);
	return &st->buf;
}

void nl_rf_stage_flush(struct nl_rf_stage *st, struct nl_outbuf *o)
{
	if (st->buf.len)
		nl_out_write(o, st->buf.buf, st->buf.len);
	st->buf.len = 0;
}

void nl_rf_line_event(struct nl_rf_stage *st, struct nl_outbuf *o,
		      const struct nl_event *ev)
{
	switch (ev->type) {
	case NL_EV_SEGMAP:
		if (ev->u.segmap)
			nl_rf_late_line(nl_rf_stage_line(st, o), ev->u.segmap);
		break;
	case NL_EV_FLOW_NOTE:
		if (ev->u.note)
			nl_rf_note_line(nl_rf_stage_line(st, o), ev->u.note);
		break;
	case NL_EV_APP:
		/* sends come before their packet, receives after it:
		 * printed where they come */
		if (ev->u.app) {
			nl_out_repeat(o, ' ', NL_REPORT_FRAME_WIDTH - 1);
			NL_OUT_LIT(o, "> ");
			nl_report_app_rec(o, ev->u.app);
			nl_out_char(o, '\n');
		}
		break;
	default:
		break;
	}
}
