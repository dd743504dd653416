/*
 * --conns: the connection table printed at the end of the run, one row per
 * TCP connection in the order they left the table (at the end of the
 * capture: by id). Rows are formatted when a connection leaves the table
 * and spilled to an anonymous temporary file, so the table costs neither
 * memory per connection in the tracker nor a growing buffer here (a
 * capture of millions of connections lists them all in constant memory);
 * without a temporary file they are kept in memory up to ROWS_MAX:
 *
 *   connections: 2 TCP (1 still open at the end)
 *      id client                server                client_state server_state
 * conn_state history    rtt_ms  bytes_c2s  bytes_s2c duration   analysis 1
 * 127.0.0.1:40000       127.0.0.1:8082        TIME_WAIT    CLOSED       SF
 * ShADadFf    0.033      4214          0 0.901533   -
 *
 * (one line each in the output). Notes follow the analysis column:
 * "mid-stream", "refused", "evicted", "idle", "reused". Under stream
 * analysis a line per direction follows the row:
 *
 *         c2s u32le (auto) 12 msgs, 30 segs, 5 merged (max 3/seg), 2 split
 *         (max 4 segs/msg)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "flowtext.h"
#include "netlab/report.h"

/* Rows beyond this many bytes are counted, not kept (~150 bytes a row) */
#define ROWS_MAX (64u * 1024 * 1024)
/* The longest row: two IPv6 endpoints, every analysis flag, the notes */
#define ROW_MAX 1024

struct conns_sink {
	struct nl_outbuf *o;
	struct nl_outbuf rows; /* to the temporary file, or in memory */
	FILE *spill;	       /* NULL: rows in memory */
	uint64_t n, dropped;
};

static void pad_to(struct nl_outbuf *o, size_t start, size_t width)
{
	size_t used = o->len - start;
	nl_out_repeat(o, ' ', used < width ? width - used : 1);
}

static void rpad_u64(struct nl_outbuf *o, uint64_t v, unsigned width)
{
	nl_out_u64_pad(o, v, width, ' ');
}

static const char *short_flag(unsigned i)
{
	static const char *const s[NL_TA_COUNT] = {
	    [NL_TA_RETRANSMISSION] = "rexmit",
	    [NL_TA_FAST_RETRANSMISSION] = "fast",
	    [NL_TA_SPURIOUS_RETRANSMISSION] = "spurious",
	    [NL_TA_OUT_OF_ORDER] = "ooo",
	    [NL_TA_DUP_ACK] = "dupack",
	    [NL_TA_ZERO_WINDOW] = "zerowin",
	    [NL_TA_ZERO_WINDOW_PROBE] = "zwprobe",
	    [NL_TA_ZERO_WINDOW_PROBE_ACK] = "zwprobeack",
	    [NL_TA_WINDOW_FULL] = "winfull",
	    [NL_TA_WINDOW_UPDATE] = "winupdate",
	    [NL_TA_KEEP_ALIVE] = "keepalive",
	    [NL_TA_KEEP_ALIVE_ACK] = "keepaliveack",
	    [NL_TA_LOST_SEGMENT] = "lost",
	    [NL_TA_ACK_LOST_SEGMENT] = "ackunseen",
	};
	return i < NL_TA_COUNT ? s[i] : "?";
}

static void row(struct nl_outbuf *o, const struct nl_conn *c,
		enum nl_conn_end_reason why)
{
	/* columns are measured in the buffer: no flush inside a row */
	nl_out_reserve(o, ROW_MAX);
	size_t st;
	nl_out_u64_pad(o, c->id, 5, ' ');
	nl_out_char(o, ' ');
	st = o->len;
	nl_report_endpoint(o, &c->addr[NL_CLIENT], c->port[NL_CLIENT]);
	pad_to(o, st, 22);
	st = o->len;
	nl_report_endpoint(o, &c->addr[NL_SERVER], c->port[NL_SERVER]);
	pad_to(o, st, 22);
	st = o->len;
	nl_out_str(o, nl_tcp_state_name(c->side[NL_CLIENT].state));
	pad_to(o, st, 13);
	st = o->len;
	nl_out_str(o, nl_tcp_state_name(c->side[NL_SERVER].state));
	pad_to(o, st, 13);
	st = o->len;
	nl_out_str(o, nl_conn_zeek_state(c));
	pad_to(o, st, 11);
	st = o->len;
	nl_out_str(o, c->hist_len ? c->history : "-");
	pad_to(o, st, 11);
	int64_t rs = nl_conn_rtt_server_us(c), rc = nl_conn_rtt_client_us(c);
	st = o->len;
	nl_report_ms(o, rs >= 0 && rc >= 0 ? rs + rc : -1);
	size_t w = o->len - st;
	/* right-align the RTT in 8 columns */
	if (w < 8) {
		char tmp[32];
		memcpy(tmp, o->buf + st, w);
		o->len = st;
		nl_out_repeat(o, ' ', 8 - w);
		nl_out_write(o, tmp, w);
	}
	nl_out_char(o, ' ');
	rpad_u64(o, c->side[NL_CLIENT].bytes, 10);
	nl_out_char(o, ' ');
	rpad_u64(o, c->side[NL_SERVER].bytes, 10);
	nl_out_char(o, ' ');
	int64_t d = nl_conn_duration_us(c);
	if (d < 0)
		d = 0;
	st = o->len;
	nl_out_u64(o, (uint64_t)d / 1000000);
	nl_out_char(o, '.');
	nl_out_u64_pad(o, (uint64_t)d % 1000000, 6, '0');
	pad_to(o, st, 11);
	bool any = false;
	for (unsigned i = 0; i < NL_TA_COUNT; i++) {
		if (!c->ta_count[i])
			continue;
		if (any)
			nl_out_char(o, ',');
		nl_out_str(o, short_flag(i));
		nl_out_char(o, '=');
		nl_out_u64(o, c->ta_count[i]);
		any = true;
	}
	if (!any)
		nl_out_char(o, '-');
	if (c->midstream)
		NL_OUT_LIT(o, " mid-stream");
	if (c->refused)
		NL_OUT_LIT(o, " refused");
	if (why != NL_CONN_END_CAPTURE && why != NL_CONN_END_CLOSED) {
		nl_out_char(o, ' ');
		nl_out_str(o, nl_conn_end_name(why));
	}
	nl_out_char(o, '\n');
}

static void conns_event(void *self, const struct nl_event *ev)
{
	struct conns_sink *s = self;
	if (ev->type == NL_EV_CONN_END && ev->u.conn_end) {
		s->n++;
		/* the memory outbuf drops what passes its cap; keep whole
		 * rows only */
		if (!s->spill && s->rows.len + 512 > ROWS_MAX) {
			s->dropped++;
			return;
		}
		row(&s->rows, ev->u.conn_end->conn, ev->u.conn_end->why);
		if (ev->u.conn_end->flow)
			nl_rf_conn_flow_lines(&s->rows, ev->u.conn_end->flow);
		return;
	}
	if (ev->type != NL_EV_SUMMARY)
		return;
	struct nl_outbuf *o = s->o;
	NL_OUT_LIT(o, "connections: ");
	nl_out_u64(o, s->n);
	NL_OUT_LIT(o, " TCP\n");
	if (!s->n)
		return;
	NL_OUT_LIT(o, "   id client                server                "
		      "client_state server_state conn_state history      "
		      "rtt_ms  bytes_c2s  bytes_s2c duration   analysis\n");
	if (s->spill) {
		/* the rows so far, back from the file, then what is left */
		nl_out_flush(&s->rows);
		int fd = fileno(s->spill);
		char buf[65536];
		ssize_t k;
		if (lseek(fd, 0, SEEK_SET) == 0)
			while ((k = read(fd, buf, sizeof(buf))) > 0)
				nl_out_write(o, buf, (size_t)k);
		if (ftruncate(fd, 0) != 0 || lseek(fd, 0, SEEK_SET) != 0)
			s->rows.failed = true;
	} else {
		nl_out_write(o, s->rows.buf, s->rows.len);
	}
	if (s->rows.failed)
		NL_OUT_LIT(o, "  (the connection table's temporary file failed: "
			      "rows are missing)\n");
	if (s->dropped) {
		NL_OUT_LIT(o, "  (");
		nl_out_u64(o, s->dropped);
		NL_OUT_LIT(o,
			   " more connections not listed: table output cap)\n");
	}
}

static void conns_close(void *self)
{
	struct conns_sink *s = self;
	nl_out_free(&s->rows);
	if (s->spill)
		fclose(s->spill);
	free(s);
}

static const struct nl_sink_ops conns_ops = {
    .name = "conns",
    .on_event = conns_event,
    .close = conns_close,
    .events = NL_EV_BIT(NL_EV_CONN_END) | NL_EV_BIT(NL_EV_SUMMARY),
};

enum nl_status nl_sink_conns_new(struct nl_sink *out, struct nl_outbuf *o,
				 const struct nl_report_opts *opts)
{
	(void)opts;
	struct conns_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->spill = tmpfile();
	if (!nl_out_init(&s->rows, s->spill ? fileno(s->spill) : -1)) {
		if (s->spill)
			fclose(s->spill);
		free(s);
		return NL_NOMEM;
	}
	if (!s->spill)
		s->rows.cap_max = ROWS_MAX;
	s->o = o;
	out->ops = &conns_ops;
	out->self = s;
	return NL_OK;
}
