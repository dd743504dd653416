/*
 * --messages: the application's messages, one line each as they end
 * (streamed: nothing is stored), with the flow notes (framing chosen,
 * gaps, errors) between them, in the order the stream analysis found them:
 *
 *   conn 1 c2s msg #1 at 0: 9B (header 4B), frame 4, whole, complete
 *   "\x05\x00\x00\x00hello"
 *   conn 1 c2s msg #2 at 9: 70004B (header 4B), frames 6..60 (49 segments),
 *   split, complete "\x70\x11\x01\x00AAAAAAAAAAAAAAAAAAAA"...
 *       * conn 1 c2s: framing u32le (auto: 5 messages confirm; runner-up
 *       u32be)
 *
 * (one line each in the output). Message bytes are escaped: captured data
 * never reaches the terminal raw.
 */
#include <stdlib.h>

#include "common.h"
#include "flowtext.h"
#include "netlab/report.h"

struct messages_sink {
	struct nl_outbuf *o;
};

static void messages_event(void *self, const struct nl_event *ev)
{
	struct messages_sink *s = self;
	if (ev->type == NL_EV_MESSAGE && ev->u.message)
		nl_rf_message_line(s->o, ev->u.message);
	else if (ev->type == NL_EV_FLOW_NOTE && ev->u.note)
		nl_rf_note_line(s->o, ev->u.note);
}

static void messages_close(void *self)
{
	struct messages_sink *s = self;
	(void)nl_out_flush(s->o);
	free(s);
}

static const struct nl_sink_ops messages_ops = {
    .name = "messages",
    .on_event = messages_event,
    .close = messages_close,
};

enum nl_status nl_sink_messages_new(struct nl_sink *out, struct nl_outbuf *o,
				    const struct nl_report_opts *opts)
{
	(void)opts;
	struct messages_sink *s = calloc(1, sizeof(*s));
	if (!s)
		return NL_NOMEM;
	s->o = o;
	out->ops = &messages_ops;
	out->self = s;
	return NL_OK;
}
