/*
 * libFuzzer target: one whole frame through the decoders and every printer.
 *
 * Input: [dlt selector][report option bits][time style][wire length hint]
 * then the frame. The frame is decoded with nl_decode_packet() (the decoded
 * struct is checked for self-consistency), then run through a pipeline with
 * every sink writing into memory; text output must be printable ASCII and
 * JSON output must parse.
 */
#include "fuzz_common.h"

static void check_packet(const struct nl_packet *pkt, const uint8_t *data,
			 uint32_t caplen)
{
	const char *bad = NULL;
	if (pkt->n_anom > NL_MAX_ANOMALIES)
		bad = "n_anom beyond NL_MAX_ANOMALIES";
	else if (pkt->l3_off > caplen || pkt->l4_off > caplen ||
		 pkt->payload_off > caplen)
		bad = "a layer offset beyond the captured bytes";
	else if (pkt->payload &&
		 (pkt->payload < data ||
		  pkt->payload + pkt->payload_caplen > data + caplen))
		bad = "payload outside the captured bytes";
	else if (pkt->payload_caplen > caplen)
		bad = "payload_caplen beyond caplen";
	else if (NL_HAS(pkt, NL_L_LINK) && pkt->link.n_vlan > NL_MAX_VLAN)
		bad = "n_vlan beyond NL_MAX_VLAN";
	else if (NL_HAS(pkt, NL_L_IPV6) && pkt->ip6.n_ext > NL_MAX_IPV6_EXT)
		bad = "n_ext beyond NL_MAX_IPV6_EXT";
	else if (NL_HAS(pkt, NL_L_TCP) && (pkt->tcp.n_opts > NL_MAX_TCP_OPTS ||
					   pkt->tcp.n_sack > NL_MAX_TCP_SACK))
		bad = "TCP option counts beyond their maximums";
	for (unsigned i = 0; !bad && i < pkt->n_anom && i < NL_MAX_ANOMALIES;
	     i++)
		if (!pkt->anom[i].what || pkt->anom[i].kind >= NL_ANOM_COUNT ||
		    pkt->anom[i].layer >= NL_LAYER_COUNT)
			bad = "an anomaly without a reason or with a bad kind";
	if (bad) {
		fprintf(stderr, "fuzz check failed: %s\n", bad);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	if (size < 4 || size > 70000)
		return 0;
	fuzz_init_once();
	uint32_t dlt = fuzz_dlts[in[0] % FUZZ_N_DLTS];
	uint8_t bits = in[1], style = in[2], hint = in[3];
	const uint8_t *data = in + 4;
	uint32_t caplen = (uint32_t)(size - 4);
	/* wire length: as captured, longer (snaplen cut), or shorter (a
	 * record that contradicts itself: caplen > len) */
	uint32_t len = caplen;
	if (hint >= 0x80)
		len = caplen + (uint32_t)(hint - 0x80) * 97u;
	else if (hint == 1)
		len = caplen / 2;
	else if (hint == 2)
		len = 0;

	struct nl_decode_opts dopts = {.verify_checksums = bits & 0x08};
	struct nl_packet pkt;
	memset(&pkt, 0, sizeof(pkt));
	nl_decode_packet(&pkt, &dopts, dlt, data, caplen, len);
	check_packet(&pkt, data, caplen);

	struct nl_report_opts r;
	fuzz_report_opts(&r, bits, style);
	struct nl_ctx ctx;
	struct fuzz_sinks fs;
	fuzz_ctx_init(&ctx, dopts.verify_checksums);
	fuzz_sinks_init(&fs, &ctx, &r);
	nl_ctx_set_linktype(&ctx, dlt);
	struct nl_time ts = {.sec = 1700000000, .nsec = 123456789};
	nl_ctx_packet(&ctx, &ts, data, caplen, len);
	fuzz_sinks_check_n(&fs, 1);
	/* the same frame again: a retransmission for the tracker, and a
	 * second decode into the reused struct */
	ts.nsec += 1000;
	nl_ctx_packet(&ctx, &ts, data, caplen, len);
	check_packet(&ctx.pkt, data, caplen);
	fuzz_sinks_check_n(&fs, 1);
	nl_ctx_finish(&ctx, NULL);
	fuzz_sinks_check(&fs);
	nl_ctx_free(&ctx);
	fuzz_sinks_check(&fs);
	fuzz_sinks_free(&fs);
	return 0;
}
