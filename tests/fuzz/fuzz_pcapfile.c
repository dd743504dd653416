/*
 * libFuzzer target: a whole pcap or pcapng file through the capture source
 * (nl_capture_open_file(), libpcap behind netlab's cookie stream) and the
 * pipeline with every sink.
 *
 * The capture source opens a path, so the input is written to a memfd and
 * opened as /proc/self/fd/N: the same open()/read() path a real file takes.
 * The -w copy goes to /dev/null so the dumper runs too.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "netlab/capture.h"

#define MAX_PACKETS 4096

static int memfd = -1;
static char memfd_path[64];

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	if (size > 1 << 20)
		return 0;
	fuzz_init_once();
	if (memfd < 0) {
		memfd = memfd_create("fuzz-pcap", MFD_CLOEXEC);
		if (memfd < 0)
			abort();
		snprintf(memfd_path, sizeof(memfd_path), "/proc/self/fd/%d",
			 memfd);
	}
	if (ftruncate(memfd, 0) != 0 ||
	    (size && pwrite(memfd, in, size, 0) != (ssize_t)size))
		abort();

	/* option bits from the byte after the magic: any file's own bytes */
	uint8_t bits = size > 4 ? in[4] : 0, style = size > 5 ? in[5] : 0;
	struct nl_capture_opts copts = {0};
	copts.write_file = (bits & 0x80) ? "/dev/null" : NULL;
	struct nl_capture *cap;
	enum nl_capture_error why;
	char err[NL_ERRBUF_SIZE] = "";
	if (nl_capture_open_file(&cap, memfd_path, &copts, &why, err) !=
	    NL_OK) {
		if (!err[0] || why == NL_CAPERR_NONE) {
			fprintf(stderr, "fuzz: open failed without a reason\n");
			abort();
		}
		return 0;
	}

	struct nl_report_opts r;
	fuzz_report_opts(&r, bits, style);
	struct nl_ctx ctx;
	struct fuzz_sinks fs;
	fuzz_ctx_init(&ctx, r.verify_checksums);
	fuzz_sinks_init(&fs, &ctx, &r);
	nl_ctx_set_linktype(&ctx, nl_capture_linktype(cap));

	struct nl_summary extra = {0};
	for (unsigned n = 0; n < MAX_PACKETS; n++) {
		struct nl_time ts;
		const uint8_t *data;
		uint32_t caplen, len;
		char rerr[NL_ERRBUF_SIZE] = "";
		enum nl_capture_result res =
		    nl_capture_next(cap, &ts, &data, &caplen, &len, rerr);
		if (res == NL_CAP_PACKET) {
			nl_ctx_packet(&ctx, &ts, data, caplen, len);
			fuzz_sinks_check_n(&fs, 1);
			continue;
		}
		if (res == NL_CAP_ERROR) {
			if (!rerr[0]) {
				fprintf(stderr,
					"fuzz: read error without a reason\n");
				abort();
			}
			uint64_t off = 0;
			extra.file_truncated = nl_capture_truncated(cap, &off);
			extra.file_truncated_offset = off;
			if (off > size) {
				fprintf(stderr,
					"fuzz: truncation offset %llu "
					"beyond the file (%zu bytes)\n",
					(unsigned long long)off, size);
				abort();
			}
		}
		break; /* EOF, error; a file never times out */
	}
	nl_ctx_finish(&ctx, &extra);
	fuzz_sinks_check(&fs);
	nl_ctx_free(&ctx);
	fuzz_sinks_check(&fs);
	fuzz_sinks_free(&fs);
	nl_capture_close(cap);
	return 0;
}
