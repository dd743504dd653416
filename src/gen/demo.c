/*
 * netlab gen demo SCENARIO: server and client in one process on loopback,
 * the traffic captured with libpcap on lo, and three views printed side by
 * side (or one after another): what the application sent (each send()),
 * what the wire carried (each segment with payload), what the receiver got
 * (each recv()), then what happened.
 *
 * As root it first moves into a private network namespace (unshare), brings
 * its lo up and turns TSO/GSO/GRO off there, so --mss splits are visible
 * on the wire instead of the kernel's 64 KiB GSO batches. The server runs
 * in a second thread; both sides report through the truth observer into a
 * bounded, mutex-protected record list.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "demo_internal.h"
#include "gen_internal.h"
#include "netlab/capture.h"
#include "netlab/escape.h"
#include "netlab/pipeline.h"

static void observe(void *arg, const struct nl_truth_rec *r,
		    const uint8_t *data, size_t n, int side)
{
	struct demo *d = arg;
	if (r->ev != NL_TRUTH_SEND && r->ev != NL_TRUTH_RECV &&
	    r->ev != NL_TRUTH_MESSAGE)
		return;
	pthread_mutex_lock(&d->lock);
	if (d->nrecs >= DEMO_MAX_RECS) {
		d->dropped_recs++;
	} else {
		struct demo_rec *x = &d->recs[d->nrecs++];
		memset(x, 0, sizeof(*x));
		x->side = side;
		x->ev = r->ev;
		x->conn = r->conn;
		x->off = r->off;
		x->len = r->len;
		x->ret = r->ret;
		x->hdr = r->hdr;
		snprintf(x->check, sizeof(x->check), "%s",
			 r->check ? r->check : "");
		x->plen = n < DEMO_PREVIEW ? (uint32_t)n : DEMO_PREVIEW;
		if (data)
			memcpy(x->preview, data, x->plen);
		x->more = n > DEMO_PREVIEW;
	}
	pthread_mutex_unlock(&d->lock);
}

static void observe_client(void *arg, const struct nl_truth_rec *r,
			   const uint8_t *data, size_t n)
{
	observe(arg, r, data, n, 0);
}

static void observe_server(void *arg, const struct nl_truth_rec *r,
			   const uint8_t *data, size_t n)
{
	observe(arg, r, data, n, 1);
}

/* A private network namespace with lo up and segmentation offloads off. */
static void enter_namespace(struct demo *d)
{
	if (geteuid() != 0) {
		snprintf(d->ns_note, sizeof(d->ns_note),
			 "not root: no private network namespace, so the wire "
			 "view shows this host's lo, where TSO/GSO may batch "
			 "segments larger than the MSS");
		return;
	}
	if (unshare(CLONE_NEWNET)) {
		snprintf(
		    d->ns_note, sizeof(d->ns_note),
		    "unshare(CLONE_NEWNET): %s: using the host's lo, where "
		    "TSO/GSO may batch segments larger than the MSS",
		    strerror(errno));
		return;
	}
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	bool up = fd >= 0 && !ioctl(fd, SIOCGIFFLAGS, &ifr);
	if (up) {
		ifr.ifr_flags |= IFF_UP;
		up = !ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	static const struct {
		uint32_t cmd;
		const char *name;
	} off[] = {{ETHTOOL_STSO, "tso"},
		   {ETHTOOL_SGSO, "gso"},
		   {ETHTOOL_SGRO, "gro"}};
	char failed[32] = "";
	for (size_t i = 0; fd >= 0 && i < 3; i++) {
		struct ethtool_value ev = {.cmd = off[i].cmd, .data = 0};
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
		ifr.ifr_data = (char *)&ev;
		if (ioctl(fd, SIOCETHTOOL, &ifr)) {
			strcat(failed, " ");
			strcat(failed, off[i].name);
		}
	}
	if (fd >= 0)
		close(fd);
	d->in_ns = up;
	if (!up)
		snprintf(d->ns_note, sizeof(d->ns_note),
			 "private network namespace, but lo would not come up");
	else if (failed[0])
		snprintf(
		    d->ns_note, sizeof(d->ns_note),
		    "private network namespace; could not turn off%s on its "
		    "lo, so segments may be batched beyond the MSS",
		    failed);
	else
		snprintf(
		    d->ns_note, sizeof(d->ns_note),
		    "private network namespace, TSO/GSO/GRO off on its lo: "
		    "the wire shows real segments");
}

static void *server_thread(void *arg)
{
	struct demo *d = arg;
	char err[NL_ERRBUF_SIZE];
	if (nl_gen_server_run(d->srv, &d->srvlog, &d->stop, err) != NL_OK)
		snprintf(d->srv_err, sizeof(d->srv_err), "%s", err);
	return NULL;
}

static void setup_opts(struct demo *d, const struct nl_gen_opts *o)
{
	struct nl_gen_opts *s = &d->so, *c = &d->co;
	*c = *o;
	c->role = NL_GEN_CLIENT;
	c->quiet = true;
	c->connections = 1;
	c->observer = observe_client;
	c->observer_arg = d;
	c->truth_file = NULL;
	memset(s, 0, sizeof(*s));
	s->role = NL_GEN_SERVER;
	snprintf(s->host, sizeof(s->host), "127.0.0.1");
	snprintf(c->host, sizeof(c->host), "127.0.0.1");
	s->max_conns = 4;
	s->max_message = o->max_message;
	s->quiet = true;
	s->udp = o->udp;
	s->observer = observe_server;
	s->observer_arg = d;
	s->recv_size = o->recv_size;
	s->recv_delay_ms = o->recv_delay_ms;
	s->exit_after = 1;
	if (!s->recv_size &&
	    (o->scenario == NL_GEN_MERGE || o->scenario == NL_GEN_SPLIT ||
	     o->scenario == NL_GEN_UDP))
		s->recv_size = 1024; /* the classic examples' recv(1024) */
	switch (o->scenario) {
	case NL_GEN_MERGE:
		if (!s->recv_delay_ms)
			s->recv_delay_ms =
			    200; /* like time.sleep in the seed */
		break;
	case NL_GEN_SPLIT:
		if (!c->size_max)
			c->size_min = c->size_max = 3000;
		if (!c->mss)
			c->mss = 1000;
		break;
	case NL_GEN_FRAMED:
	case NL_GEN_JSONHDR:
	case NL_GEN_FLOOD:
		s->have_framing = true;
		s->framing = o->framing;
		if (!s->recv_delay_ms && o->scenario == NL_GEN_FRAMED)
			s->recv_delay_ms = 200;
		if (o->scenario == NL_GEN_FLOOD) {
			s->sink = true;
			if (!c->duration || c->duration > 1)
				c->duration = 0.2;
		}
		break;
	case NL_GEN_READY:
		s->ready = true;
		break;
	case NL_GEN_UDP:
		if (!s->recv_delay_ms)
			s->recv_delay_ms = 200;
		s->exit_after = o->count ? o->count : nl_gen_default_count(o);
		break;
	default:
		break;
	}
}

static void open_capture(struct demo *d, const struct nl_gen_opts *o)
{
	char filter[64], err[NL_ERRBUF_SIZE] = "";
	snprintf(filter, sizeof(filter), "%s port %u", o->udp ? "udp" : "tcp",
		 d->port);
	struct nl_capture_opts co = {.filter = filter,
				     .immediate = true,
				     .write_file = o->write_file,
				     .snaplen =
					 o->scenario == NL_GEN_FLOOD ? 256 : 0};
	enum nl_capture_error why;
	if (nl_capture_open_live(&d->cap, "lo", &co, &why, err) != NL_OK) {
		d->cap = NULL;
		snprintf(d->cap_note, sizeof(d->cap_note), "%.400s%s", err,
			 why == NL_CAPERR_PERM
			     ? " (capturing needs root or CAP_NET_RAW)"
			     : "");
	}
}

/* netlab's own pipeline over the demo's capture, for the message maps of
 * the wire view: small tables (one connection, or a few), the framing the
 * receiver uses when there is one, detection otherwise. NULL (with
 * d->flow_note) if it cannot start. */
static struct nl_ctx *flow_open(struct demo *d, uint32_t dlt)
{
	char err[NL_ERRBUF_SIZE] = "";
	if (d->co.scenario == NL_GEN_FLOOD)
		return NULL; /* headers only (snaplen 256): nothing to frame */
	struct nl_ctx *ctx = calloc(1, sizeof(*ctx));
	struct nl_config cfg;
	nl_config_defaults(&cfg);
	cfg.arp_cap = 0;
	cfg.udp_cap = 0;
	cfg.conn_cap = d->co.connections + 16;
	cfg.flow.cap = d->co.connections + 16;
	cfg.flow.reasm.max_buffer = 4u << 20;
	if (d->co.have_framing && !d->co.udp)
		cfg.flow.spec = d->co.framing;
	if (!ctx || nl_ctx_init(ctx, &cfg, err) != NL_OK ||
	    nl_ctx_add_sink(ctx, (struct nl_sink){&demo_flow_sink_ops, d}) !=
		NL_OK) {
		snprintf(d->flow_note, sizeof(d->flow_note), "%s",
			 ctx ? err : "out of memory");
		if (ctx)
			nl_ctx_free(ctx);
		free(ctx);
		return NULL;
	}
	nl_ctx_set_linktype(ctx, dlt);
	d->flow_on = true;
	return ctx;
}

static void drain_capture(struct demo *d)
{
	if (!d->cap)
		return;
	uint32_t dlt = nl_capture_linktype(d->cap);
	struct nl_decode_opts dopts = {0};
	uint64_t frame = 0;
	char err[NL_ERRBUF_SIZE];
	struct nl_ctx *flow = flow_open(d, dlt);
	/* the traffic is over: read what the kernel buffered, then EOF */
	nl_capture_stop(d->cap);
	for (;;) {
		struct nl_time ts;
		const uint8_t *data;
		uint32_t caplen, len;
		enum nl_capture_result r =
		    nl_capture_next(d->cap, &ts, &data, &caplen, &len, err);
		if (r == NL_CAP_TIMEOUT)
			continue;
		if (r != NL_CAP_PACKET)
			break;
		frame++;
		struct nl_packet *p = &d->pkt;
		nl_decode_packet(p, &dopts, dlt, data, caplen, len);
		p->frame = frame;
		demo_wire_packet(d, p);
		if (flow) /* after the segment exists: its map lands on it */
			nl_ctx_packet(flow, &ts, data, caplen, len);
	}
	if (flow) {
		nl_ctx_finish(flow, NULL); /* ends the streams: late maps */
		nl_ctx_free(flow);
		free(flow);
	}
	uint64_t recv, drop, ifdrop;
	if (nl_capture_stats(d->cap, &recv, &drop, &ifdrop))
		d->cap_dropped = drop + ifdrop;
	nl_capture_close(d->cap);
	d->cap = NULL;
}

int nl_gen_demo_run(const struct nl_gen_opts *o, struct nl_outbuf *out,
		    volatile sig_atomic_t *stop, char *errbuf)
{
	struct demo *d = calloc(1, sizeof(*d));
	if (!d) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
		return 1;
	}
	if (!nl_out_init(&d->srvlog, -1)) {
		free(d);
		snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
		return 1;
	}
	d->srvlog.cap_max = 64 * 1024; /* the server's own log: bounded */
	pthread_mutex_init(&d->lock, NULL);
	d->scenario = o->scenario;
	enter_namespace(d);
	setup_opts(d, o);
	int rc = 1;
	if (nl_gen_server_open(&d->srv, &d->so, errbuf) != NL_OK)
		goto out;
	d->port = nl_gen_server_port(d->srv);
	d->co.port = d->port;
	open_capture(d, o);
	pthread_t th;
	if (pthread_create(&th, NULL, server_thread, d)) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "cannot start the server thread");
		goto out;
	}
	struct nl_outbuf quiet;
	if (!nl_out_init(&quiet, -1)) {
		d->stop = 1;
		pthread_join(th, NULL);
		snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
		goto out;
	}
	quiet.cap_max = 64 * 1024;
	enum nl_status cst =
	    nl_gen_client_run(&d->co, &quiet, stop, &d->cst, d->cli_err);
	if (d->co.scenario == NL_GEN_FLOOD)
		snprintf(d->flood_line, sizeof(d->flood_line), "%s",
			 nl_out_cstr(&quiet));
	nl_out_free(&quiet);
	if (cst != NL_OK)
		d->stop = 1; /* the server may wait for a connection that
			      * never came */
	pthread_join(th, NULL);
	nl_gen_server_stats(d->srv, &d->sst);
	drain_capture(d);
	demo_print(d, o, out);
	rc = cst == NL_OK && !d->srv_err[0] ? 0 : 1;
	if (cst != NL_OK)
		snprintf(errbuf, NL_ERRBUF_SIZE, "client: %.480s", d->cli_err);
	else if (d->srv_err[0])
		snprintf(errbuf, NL_ERRBUF_SIZE, "server: %.480s", d->srv_err);
out:
	if (d->cap)
		nl_capture_close(d->cap);
	nl_gen_server_close(d->srv);
	nl_out_free(&d->srvlog);
	demo_free(d);
	pthread_mutex_destroy(&d->lock);
	free(d);
	return rc;
}
