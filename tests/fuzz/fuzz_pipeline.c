/*
 * libFuzzer target: a sequence of packets through the whole pipeline
 * (decode, ARP table, connection table, TCP tracker, stream analysis:
 * reassembly, framing with every SPEC, message maps) and every sink.
 *
 * Input: [dlt selector, its high bits the framing][report option bits]
 * [time style], then records of
 * [caplen u16be][time step][wire length hint] + caplen bytes. The tables are
 * small (8 connections, 4 ARP entries, 60 s idle) so eviction and idle
 * retirement are reached by short inputs.
 */
#include "fuzz_common.h"

#define MAX_PACKETS 1024

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	if (size < 3 || size > 200000)
		return 0;
	fuzz_init_once();
	uint32_t dlt = fuzz_dlts[in[0] % FUZZ_N_DLTS];
	struct nl_report_opts r;
	fuzz_report_opts(&r, in[1], in[2]);

	struct nl_ctx ctx;
	struct fuzz_sinks fs;
	fuzz_ctx_init_framing(&ctx, r.verify_checksums, in[0] >> 2);
	fuzz_sinks_init(&fs, &ctx, &r);
	nl_ctx_set_linktype(&ctx, dlt);

	struct nl_time ts = {.sec = 1700000000, .nsec = 0};
	size_t i = 3;
	for (unsigned n = 0; n < MAX_PACKETS && size - i >= 4; n++) {
		uint32_t caplen = (uint32_t)in[i] << 8 | in[i + 1];
		uint8_t step = in[i + 2], hint = in[i + 3];
		i += 4;
		if (caplen > size - i)
			caplen = (uint32_t)(size - i);
		/* an exact-size copy, so ASan sees any read past the end */
		uint8_t *pkt = malloc(caplen ? caplen : 1);
		if (!pkt)
			abort();
		memcpy(pkt, in + i, caplen);
		i += caplen;
		uint32_t len = caplen;
		if (hint >= 0x80)
			len = caplen + (uint32_t)(hint - 0x80) * 97u;
		else if (hint == 1)
			len = caplen / 2;
		/* time: small steps mostly; 0xff goes back in time, 0xfe
		 * jumps past the idle timeout */
		if (step == 0xff) {
			ts.sec -= 5;
		} else if (step == 0xfe) {
			ts.sec += 3600;
		} else {
			ts.nsec += (uint32_t)step * 1000000u;
			while (ts.nsec >= 1000000000u) {
				ts.nsec -= 1000000000u;
				ts.sec++;
			}
		}
		nl_ctx_packet(&ctx, &ts, pkt, caplen, len);
		free(pkt);
		fuzz_sinks_check_n(&fs, 1);
	}
	struct nl_summary extra = {0};
	extra.file_truncated = in[1] & 0x80;
	extra.file_truncated_offset = size;
	nl_ctx_finish(&ctx, &extra);
	fuzz_sinks_check(&fs);
	nl_ctx_free(&ctx);
	fuzz_sinks_check(&fs);
	fuzz_sinks_free(&fs);
	return 0;
}
