/*
 * --follow ID: one connection's reassembled conversation, message by
 * message, both directions interleaved in the order the bytes were
 * delivered (Wireshark's "Follow TCP Stream", with the message boundaries
 * the framing found):
 *
 *   == c2s message #1, stream offset 0 (frame 4)
 *     0000  05 00 00 00 68 65 6c 6c  6f                        ....hello
 *   == s2c message #1, stream offset 0 (frame 6)
 *   HTTP/1.1 200 OK\r
 *   Content-Length: 5\r
 *       ! conn 1 c2s: gap of 1448 bytes at offset 2896 (never captured)
 *
 * A message whose first bytes look like text (no NUL, at least 90%
 * printable ASCII, tab, CR, LF) is printed as lines, every other byte
 * escaped as \xHH; any other is dumped as hex and ASCII. Nothing captured
 * reaches the terminal raw.
 *
 * --follow-raw ID DIR writes one direction's bytes as they were sent, for
 * redirecting to a file; gaps are skipped (the notes are not written).
 */
#include <stdlib.h>

#include "common.h"
#include "flowtext.h"
#include "netlab/escape.h"
#include "netlab/report.h"

#define HEX_PER_LINE 16
#define TEXT_SNIFF   512 /* bytes looked at to tell text from binary */

struct follow_sink {
	struct nl_outbuf *o;
	uint64_t id;
	bool raw;
	uint8_t raw_dir;
	uint8_t cur_dir; /* direction of the last bytes printed; 2: none */
	uint64_t cur_msg;
	uint64_t dir_msg[2]; /* message in progress, per direction */
	bool binary[2];	     /* and whether it is dumped as hex */
	bool at_bol;	     /* text mode: at the start of a line */
	bool any;
};

/* Text: no NUL and at least 90% printable ASCII, tab, CR or LF (a stray
 * ESC in a text protocol is shown escaped, not as a hex dump). */
static bool looks_text(const uint8_t *p, uint32_t n)
{
	if (n > TEXT_SNIFF)
		n = TEXT_SNIFF;
	uint32_t odd = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t b = p[i];
		if (!b)
			return false;
		odd += (b < 0x20 && b != '\t' && b != '\r' && b != '\n') ||
		       b >= 0x7f;
	}
	return odd * 10 <= n;
}

static void end_line(struct follow_sink *s)
{
	if (!s->at_bol)
		nl_out_char(s->o, '\n');
	s->at_bol = true;
}

static void hex_line(struct nl_outbuf *o, const uint8_t *p, uint32_t n,
		     uint64_t off)
{
	NL_OUT_LIT(o, "  ");
	nl_out_hex(o, off, 4);
	NL_OUT_LIT(o, "  ");
	for (uint32_t i = 0; i < HEX_PER_LINE; i++) {
		if (i == HEX_PER_LINE / 2)
			nl_out_char(o, ' ');
		if (i < n) {
			nl_out_hexbyte(o, p[i]);
			nl_out_char(o, ' ');
		} else {
			NL_OUT_LIT(o, "   ");
		}
	}
	nl_out_char(o, ' ');
	for (uint32_t i = 0; i < n; i++)
		nl_out_char(o, p[i] >= 0x20 && p[i] <= 0x7e ? (char)p[i] : '.');
	nl_out_char(o, '\n');
}

static void text_bytes(struct follow_sink *s, const uint8_t *p, uint32_t n)
{
	uint32_t i = 0;
	while (i < n) {
		uint32_t j = i;
		while (j < n && p[j] != '\n')
			j++;
		nl_escape_c(s->o, p + i, j - i);
		if (j > i)
			s->at_bol = false;
		if (j < n) {
			nl_out_char(s->o, '\n');
			s->at_bol = true;
			j++;
		}
		i = j;
	}
}

static void header(struct follow_sink *s, const struct nl_flow_data *d,
		   bool continued)
{
	struct nl_outbuf *o = s->o;
	end_line(s);
	NL_OUT_LIT(o, "== ");
	nl_out_str(o, nl_rf_dir(d->dir));
	if (d->msg_index) {
		NL_OUT_LIT(o, " message #");
		nl_out_u64(o, d->msg_index);
		if (continued) {
			NL_OUT_LIT(o, " (continued at byte ");
			nl_out_u64(o, d->msg_at);
			nl_out_char(o, ')');
		}
	} else {
		NL_OUT_LIT(o, " bytes outside any message");
	}
	NL_OUT_LIT(o, ", stream offset ");
	nl_out_u64(o, d->offset);
	NL_OUT_LIT(o, " (frame ");
	nl_out_u64(o, d->frame);
	NL_OUT_LIT(o, ")\n");
}

static void on_data(struct follow_sink *s, const struct nl_flow_data *d)
{
	if (d->conn_id != s->id || !d->data || !d->len || d->dir > 1)
		return;
	if (s->raw) {
		if (d->dir == s->raw_dir)
			nl_out_write(s->o, d->data, d->len);
		return;
	}
	bool start = d->msg_index && d->msg_at == 0;
	bool switched = d->dir != s->cur_dir || d->msg_index != s->cur_msg;
	if (start || switched)
		header(s, d, !start && d->msg_index);
	/* text or hex is chosen once per message, from its first bytes */
	if (start || d->msg_index != s->dir_msg[d->dir] ||
	    (!d->msg_index && switched))
		s->binary[d->dir] = !looks_text(d->data, d->len);
	s->dir_msg[d->dir] = d->msg_index;
	s->cur_dir = d->dir;
	s->cur_msg = d->msg_index;
	s->any = true;
	if (!s->binary[d->dir]) {
		text_bytes(s, d->data, d->len);
		return;
	}
	end_line(s);
	for (uint32_t i = 0; i < d->len; i += HEX_PER_LINE) {
		uint32_t n =
		    d->len - i < HEX_PER_LINE ? d->len - i : HEX_PER_LINE;
		hex_line(s->o, d->data + i, n, d->msg_at + i);
	}
}

static void follow_event(void *self, const struct nl_event *ev)
{
	struct follow_sink *s = self;
	switch (ev->type) {
	case NL_EV_FLOW_DATA:
		if (ev->u.data)
			on_data(s, ev->u.data);
		break;
	case NL_EV_FLOW_NOTE:
		if (!s->raw && ev->u.note && ev->u.note->conn_id == s->id) {
			end_line(s);
			nl_rf_note_line(s->o, ev->u.note);
			s->cur_dir = 2; /* the next bytes get a header */
		}
		break;
	case NL_EV_MESSAGE:
		/* a cut message says why; complete ones need no line */
		if (!s->raw && ev->u.message &&
		    ev->u.message->conn_id == s->id &&
		    ev->u.message->end != NL_MSG_COMPLETE) {
			end_line(s);
			nl_out_repeat(s->o, ' ', NL_REPORT_FRAME_WIDTH - 1);
			NL_OUT_LIT(s->o, "! ");
			nl_rf_message_line(s->o, ev->u.message);
			s->cur_dir = 2;
		}
		break;
	case NL_EV_SUMMARY:
		if (!s->raw) {
			end_line(s);
			if (!s->any) {
				NL_OUT_LIT(s->o, "connection #");
				nl_out_u64(s->o, s->id);
				NL_OUT_LIT(s->o, ": no data to follow (see "
						 "--conns for the ids)\n");
			}
		}
		break;
	default:
		break;
	}
}

static void follow_close(void *self)
{
	struct follow_sink *s = self;
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops follow_ops = {
    .name = "follow",
    .on_event = follow_event,
    .close = follow_close,
};

static enum nl_status make(struct nl_sink *out, struct nl_outbuf *o,
			   const struct nl_report_opts *opts, bool raw)
{
	struct follow_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	s->id = opts->follow_id;
	s->raw = raw;
	s->raw_dir = opts->follow_dir;
	s->cur_dir = 2;
	s->at_bol = true;
	out->ops = &follow_ops;
	out->self = s;
	return NL_OK;
}

enum nl_status nl_sink_follow_new(struct nl_sink *out, struct nl_outbuf *o,
				  const struct nl_report_opts *opts)
{
	return make(out, o, opts, false);
}

enum nl_status nl_sink_follow_raw_new(struct nl_sink *out, struct nl_outbuf *o,
				      const struct nl_report_opts *opts)
{
	return make(out, o, opts, true);
}
