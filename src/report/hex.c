/*
 * -x / -X: the captured bytes of each packet, after the packet's text (this
 * sink is added after the text or -v sink), 16 bytes a line:
 *
 *   0000  45 00 00 3c 1c 46 40 00  40 06 00 00 7f 00 00 01   E..<.F@.@.......
 *
 * The ASCII column (-X) shows bytes 0x20-0x7e as themselves and every other
 * byte as '.', so nothing captured reaches the terminal raw. The dump covers
 * the whole frame, link header included: the offsets then match the layer
 * offsets -v and --json report.
 */
#include <stdlib.h>

#include "netlab/report.h"

#define BYTES_PER_LINE 16
/* "xx " * 16, less the last space, plus the gap after the eighth byte */
#define HEX_COLUMN_WIDTH (BYTES_PER_LINE * 3 - 1 + 1)

struct hex_sink {
	struct nl_outbuf *o;
	bool ascii;
};

static void hex_line(struct hex_sink *s, const uint8_t *p, uint32_t n,
		     uint32_t off, unsigned off_digits)
{
	struct nl_outbuf *o = s->o;
	nl_out_str(o, "  ");
	nl_out_hex(o, off, off_digits);
	nl_out_str(o, "  ");
	size_t width = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i) {
			nl_out_char(o, ' ');
			width++;
		}
		if (i == BYTES_PER_LINE / 2) {
			nl_out_char(o, ' ');
			width++;
		}
		nl_out_hexbyte(o, p[i]);
		width += 2;
	}
	if (s->ascii) {
		/* pad a short last line so the ASCII column lines up */
		nl_out_repeat(o, ' ', HEX_COLUMN_WIDTH - width + 3);
		char text[BYTES_PER_LINE];
		for (uint32_t i = 0; i < n; i++)
			text[i] =
			    p[i] >= 0x20 && p[i] <= 0x7e ? (char)p[i] : '.';
		nl_out_write(o, text, n);
	}
	nl_out_char(o, '\n');
}

static void on_packet(struct hex_sink *s, const struct nl_packet *pkt)
{
	if (!pkt->data)
		return;
	/* four digits as tcpdump; more only for frames beyond 64 KiB */
	unsigned digits = 4;
	for (uint64_t v = pkt->caplen ? pkt->caplen - 1 : 0; v >> (digits * 4);)
		digits++;
	for (uint32_t off = 0; off < pkt->caplen; off += BYTES_PER_LINE) {
		uint32_t n = pkt->caplen - off;
		if (n > BYTES_PER_LINE)
			n = BYTES_PER_LINE;
		hex_line(s, pkt->data + off, n, off, digits);
	}
}

static void hex_event(void *self, const struct nl_event *ev)
{
	if (ev->type == NL_EV_PACKET && ev->pkt)
		on_packet(self, ev->pkt);
}

static void hex_close(void *self)
{
	struct hex_sink *s = self;
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops hex_ops = {
    .name = "hex",
    .on_event = hex_event,
    .close = hex_close,
};

enum nl_status nl_sink_hex_new(struct nl_sink *out, struct nl_outbuf *o,
			       const struct nl_report_opts *opts)
{
	struct hex_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	s->ascii = opts->hex_ascii;
	out->ops = &hex_ops;
	out->self = s;
	return NL_OK;
}
