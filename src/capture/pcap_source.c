/*
 * Capture source over libpcap: files (pcap, pcapng, standard input) and live
 * interfaces, with a BPF filter and an optional -w copy of what was read.
 *
 * The first four bytes are read first, to name a bad magic number. A regular
 * file is then rewound and read through a plain stdio stream (libpcap reads
 * each record with two fread()s: glibc's file streams copy in bulk). A pipe
 * cannot be rewound: it is read through our own stdio cookie stream, which
 * hands out the peeked bytes first and counts the bytes delivered, so that
 * the byte offset of a record cut short can be reported either way.
 */
#include "netlab/capture.h"

#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NL_LIVE_TIMEOUT_MS 100
#define NL_LIVE_DEFAULT_BUFFER (8 * 1024 * 1024)
#define NL_DEFAULT_SNAPLEN 262144
#define NL_FILE_READ_BUFFER (256 * 1024)
/* After Ctrl-C, packets the kernel already captured are still read (tcpdump
 * drops them); bounded so that a flood cannot keep us from stopping. */
#define NL_DRAIN_MAX 1000000

struct nl_capture {
	pcap_t *p;
	pcap_dumper_t *dumper;
	char *dumpbuf; /* the dump stream's buffer: freed after it is closed */
	char *dump_path;
	bool live;
	bool pcapng;
	volatile sig_atomic_t stop;
	bool draining;         /* live, stopped: reading what is buffered */
	uint32_t drain_budget; /* packets still allowed while draining */
	double drain_deadline_ms;
	/* file input */
	FILE *fp; /* the stream libpcap reads: the file's own, or the cookie */
	char *iobuf; /* fp's buffer: freed after the stream is closed */
	int fd;
	uint8_t peek[4];
	unsigned peek_len, peek_pos;
	uint64_t delivered;   /* bytes handed to stdio so far */
	uint64_t record_end;  /* file offset just past the last good record */
	bool truncated;
	uint64_t truncated_at;
};

/* ---- cookie stream: peeked magic first, then the descriptor ---- */

static ssize_t cookie_read(void *cookie, char *buf, size_t size)
{
	struct nl_capture *c = cookie;
	size_t n = 0;
	while (c->peek_pos < c->peek_len && n < size)
		buf[n++] = (char)c->peek[c->peek_pos++];
	if (n == size) {
		c->delivered += n;
		return (ssize_t)n;
	}
	for (;;) {
		ssize_t r = read(c->fd, buf + n, size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return n ? (ssize_t)n : -1;
		n += (size_t)r;
		break;
	}
	c->delivered += n;
	return (ssize_t)n;
}

/* Only ftell() is supported: it asks for the current position. */
static int cookie_seek(void *cookie, off64_t *pos, int whence)
{
	struct nl_capture *c = cookie;
	if (whence == SEEK_CUR && *pos == 0) {
		*pos = (off64_t)c->delivered;
		return 0;
	}
	errno = ESPIPE;
	return -1;
}

static int cookie_close(void *cookie)
{
	struct nl_capture *c = cookie;
	if (c->fd > STDIN_FILENO)
		close(c->fd);
	c->fd = -1;
	return 0;
}

static bool known_magic(const uint8_t m[4])
{
	static const uint32_t magics[] = {
		0xa1b2c3d4, /* pcap, microseconds */
		0xa1b23c4d, /* pcap, nanoseconds */
		0xa1b2cd34, /* Kuznetzov's modified pcap */
		0x0a0d0d0a, /* pcapng section header block */
	};
	uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 |
		      (uint32_t)m[2] << 8 | m[3];
	uint32_t le = (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 |
		      (uint32_t)m[1] << 8 | m[0];
	for (size_t i = 0; i < sizeof(magics) / sizeof(magics[0]); i++)
		if (be == magics[i] || le == magics[i])
			return true;
	return false;
}

static enum nl_status fail(enum nl_capture_error *why, enum nl_capture_error w)
{
	if (why)
		*why = w;
	return w == NL_CAPERR_FILTER ? NL_MALFORMED : NL_ERR_SYS;
}

static enum nl_status apply_filter(struct nl_capture *c, const char *filter,
				   enum nl_capture_error *why, char *errbuf)
{
	if (!filter || !*filter)
		return NL_OK;
	struct bpf_program prog;
	if (pcap_compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "bad filter expression '%s': %s",
			 filter, pcap_geterr(c->p));
		return fail(why, NL_CAPERR_FILTER);
	}
	int rc = pcap_setfilter(c->p, &prog);
	pcap_freecode(&prog);
	if (rc != 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "cannot set filter '%s': %s",
			 filter, pcap_geterr(c->p));
		return fail(why, NL_CAPERR_FILTER);
	}
	return NL_OK;
}

static enum nl_status open_dump(struct nl_capture *c, const char *path,
				enum nl_capture_error *why, char *errbuf)
{
	if (!path)
		return NL_OK;
	c->dump_path = strdup(path);
	if (strcmp(path, "-") == 0) {
		c->dumper = pcap_dump_open(c->p, path); /* stdout */
	} else {
		/* pcap_dump_open()'s stream would write 4 KiB at a time (glibc
		 * sizes its own buffer by st_blksize): give it ours */
		FILE *f = fopen(path, "wb");
		if (!f) {
			snprintf(errbuf, NL_ERRBUF_SIZE, "cannot write '%s': %s",
				 path, strerror(errno));
			return fail(why, NL_CAPERR_OPEN);
		}
		c->dumpbuf = malloc(NL_FILE_READ_BUFFER);
		if (c->dumpbuf)
			setvbuf(f, c->dumpbuf, _IOFBF, NL_FILE_READ_BUFFER);
		c->dumper = pcap_dump_fopen(c->p, f);
		if (!c->dumper) {
			fclose(f);
			free(c->dumpbuf);
			c->dumpbuf = NULL;
		}
	}
	if (!c->dumper) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "cannot write '%s': %s", path,
			 pcap_geterr(c->p));
		return fail(why, NL_CAPERR_OPEN);
	}
	return NL_OK;
}

static struct nl_capture *capture_new(void)
{
	struct nl_capture *c = calloc(1, sizeof(*c));
	if (c)
		c->fd = -1;
	return c;
}

enum nl_status nl_capture_open_file(struct nl_capture **out, const char *path,
				    const struct nl_capture_opts *opts,
				    enum nl_capture_error *why, char *errbuf)
{
	*out = NULL;
	if (why)
		*why = NL_CAPERR_NONE;
	struct nl_capture *c = capture_new();
	if (!c) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
		return fail(why, NL_CAPERR_OTHER);
	}
	bool is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "standard input" : path;
	c->fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (c->fd < 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "cannot open '%s': %s", path,
			 strerror(errno));
		free(c);
		return fail(why, NL_CAPERR_OPEN);
	}
	struct stat st;
	bool have_st = fstat(c->fd, &st) == 0;
	if (have_st && S_ISDIR(st.st_mode)) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "cannot read '%s': it is a directory", path);
		goto bad_file;
	}
	/* Read the magic number ourselves, to name it if libpcap refuses. */
	while (c->peek_len < 4) {
		ssize_t r = read(c->fd, c->peek + c->peek_len, 4 - c->peek_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(errbuf, NL_ERRBUF_SIZE, "cannot read '%s': %s",
				 name, strerror(errno));
			goto bad_file;
		}
		if (r == 0)
			break;
		c->peek_len += (unsigned)r;
	}
	if (c->peek_len == 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "'%s' is empty: not a pcap or pcapng capture", name);
		goto bad_file;
	}
	if (c->peek_len < 4 || !known_magic(c->peek)) {
		char hex[16] = "";
		size_t used = 0;
		for (unsigned i = 0; i < c->peek_len; i++)
			used += (size_t)snprintf(hex + used, sizeof(hex) - used,
						 "%s%02x", i ? " " : "",
						 c->peek[i]);
		snprintf(errbuf, NL_ERRBUF_SIZE,
			 "'%s' is not a pcap or pcapng capture (bad magic %s%s)",
			 name, hex, c->peek_len < 4 ? ", file too short" : "");
		goto bad_file;
	}
	c->pcapng = c->peek[0] == 0x0a && c->peek[1] == 0x0d;

	if (have_st && S_ISREG(st.st_mode) && lseek(c->fd, 0, SEEK_SET) == 0) {
		c->fp = fdopen(c->fd, "rb");
	} else {
		cookie_io_functions_t io = {.read = cookie_read,
					    .seek = cookie_seek,
					    .close = cookie_close};
		c->fp = fopencookie(c, "rb", io);
	}
	if (!c->fp) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "cannot read '%s': %s", name,
			 strerror(errno));
		goto bad_file;
	}
	/* glibc ignores the size of a buffer it is to allocate itself
	 * (st_blksize, 4 KiB: a read() per 4 KiB), so give it ours */
	c->iobuf = malloc(NL_FILE_READ_BUFFER);
	if (c->iobuf)
		setvbuf(c->fp, c->iobuf, _IOFBF, NL_FILE_READ_BUFFER);

	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	c->p = pcap_fopen_offline_with_tstamp_precision(
		c->fp, PCAP_TSTAMP_PRECISION_NANO, pcap_err);
	if (!c->p) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "cannot read '%s': %s", name,
			 pcap_err);
		fclose(c->fp); /* closes fd (through the cookie) */
		free(c->iobuf);
		free(c);
		return fail(why, NL_CAPERR_OPEN);
	}
	/* libpcap owns fp now: pcap_close() closes it. */
	long pos = ftell(c->fp);
	c->record_end = pos > 0 ? (uint64_t)pos : 0;

	enum nl_status s = apply_filter(c, opts->filter, why, errbuf);
	if (s == NL_OK)
		s = open_dump(c, opts->write_file, why, errbuf);
	if (s != NL_OK) {
		nl_capture_close(c);
		return s;
	}
	*out = c;
	return NL_OK;

bad_file:
	if (c->fd > STDIN_FILENO)
		close(c->fd);
	free(c->iobuf);
	free(c);
	return fail(why, NL_CAPERR_OPEN);
}

enum nl_status nl_capture_open_live(struct nl_capture **out, const char *iface,
				    const struct nl_capture_opts *opts,
				    enum nl_capture_error *why, char *errbuf)
{
	*out = NULL;
	if (why)
		*why = NL_CAPERR_NONE;
	struct nl_capture *c = capture_new();
	if (!c) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "out of memory");
		return fail(why, NL_CAPERR_OTHER);
	}
	c->live = true;
	char pcap_err[PCAP_ERRBUF_SIZE] = "";
	c->p = pcap_create(iface, pcap_err);
	if (!c->p) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "cannot capture on '%s': %s",
			 iface, pcap_err);
		free(c);
		return fail(why, NL_CAPERR_OTHER);
	}
	pcap_set_snaplen(c->p, opts->snaplen > 0 ? opts->snaplen
						 : NL_DEFAULT_SNAPLEN);
	pcap_set_promisc(c->p, !opts->no_promisc);
	pcap_set_timeout(c->p, NL_LIVE_TIMEOUT_MS);
	/* A big kernel buffer, not immediate mode, is what kept a bursty lo
	 * from dropping packets; immediate mode is there on request. */
	pcap_set_buffer_size(c->p, opts->buffer_kib > 0
					   ? opts->buffer_kib * 1024
					   : NL_LIVE_DEFAULT_BUFFER);
	if (opts->immediate)
		pcap_set_immediate_mode(c->p, 1);
	(void)pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_NANO);

	int rc = pcap_activate(c->p);
	if (rc < 0) {
		enum nl_capture_error w = NL_CAPERR_OTHER;
		const char *msg = pcap_geterr(c->p);
		char list[256];
		switch (rc) {
		case PCAP_ERROR_NO_SUCH_DEVICE:
			w = NL_CAPERR_NODEV;
			nl_capture_list_interfaces(list, sizeof(list));
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "no such interface '%s' (available: %s)",
				 iface, list);
			break;
		case PCAP_ERROR_PERM_DENIED:
		case PCAP_ERROR_PROMISC_PERM_DENIED:
			w = NL_CAPERR_PERM;
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "no permission to capture on '%s': run as "
				 "root or give netlab CAP_NET_RAW and "
				 "CAP_NET_ADMIN (%s)",
				 iface, msg);
			break;
		case PCAP_ERROR_IFACE_NOT_UP:
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "interface '%s' is down", iface);
			break;
		default:
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "cannot capture on '%s': %s", iface,
				 *msg ? msg : pcap_statustostr(rc));
			break;
		}
		pcap_close(c->p);
		free(c);
		return fail(why, w);
	}
	enum nl_status s = apply_filter(c, opts->filter, why, errbuf);
	if (s == NL_OK)
		s = open_dump(c, opts->write_file, why, errbuf);
	if (s != NL_OK) {
		nl_capture_close(c);
		return s;
	}
	*out = c;
	return NL_OK;
}

uint32_t nl_capture_linktype(const struct nl_capture *c)
{
	return (uint32_t)pcap_datalink(c->p);
}

bool nl_capture_is_live(const struct nl_capture *c)
{
	return c->live;
}

static double monotonic_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/*
 * After a stop request, read what the kernel already captured. With
 * TPACKET_V3 a partly filled block becomes readable only when its timer
 * (the read timeout) retires it, and a blocking read with no traffic never
 * returns, so poll without blocking until a little past one timeout.
 */
static int drain_next(struct nl_capture *c, struct pcap_pkthdr **h,
		      const u_char **bytes)
{
	if (!c->draining) {
		char err[PCAP_ERRBUF_SIZE];
		c->draining = true;
		c->drain_budget = NL_DRAIN_MAX;
		c->drain_deadline_ms = monotonic_ms() + 2.5 * NL_LIVE_TIMEOUT_MS;
		if (pcap_setnonblock(c->p, 1, err) != 0)
			return 0;
	}
	while (c->drain_budget > 0) {
		int rc = pcap_next_ex(c->p, h, bytes);
		if (rc == 1) {
			c->drain_budget--;
			return 1;
		}
		if (rc != 0 && rc != PCAP_ERROR_BREAK)
			return rc;
		if (monotonic_ms() >= c->drain_deadline_ms)
			return 0;
		struct timespec pause = {0, 10 * 1000 * 1000};
		nanosleep(&pause, NULL);
	}
	return 0;
}

enum nl_capture_result nl_capture_next(struct nl_capture *c, struct nl_time *ts,
				       const uint8_t **data, uint32_t *caplen,
				       uint32_t *len, char *errbuf)
{
	if (c->stop && !c->live)
		return NL_CAP_EOF;
	struct pcap_pkthdr *h;
	const u_char *bytes;
	int rc;
	if (c->stop) {
		rc = drain_next(c, &h, &bytes);
		if (rc != 1)
			return NL_CAP_EOF;
	} else {
		rc = pcap_next_ex(c->p, &h, &bytes);
	}
	if (rc == 1) {
		ts->sec = h->ts.tv_sec;
		ts->nsec = (uint32_t)h->ts.tv_usec; /* nanoseconds: see open */
		*data = bytes;
		*caplen = h->caplen;
		*len = h->len;
		if (!c->live) {
			/* classic pcap: a 16-byte record header + the data */
			if (!c->pcapng) {
				c->record_end += 16 + (uint64_t)h->caplen;
			} else {
				long pos = ftell(c->fp);
				if (pos >= 0)
					c->record_end = (uint64_t)pos;
			}
		}
		if (c->dumper)
			pcap_dump((u_char *)c->dumper, h, bytes);
		return NL_CAP_PACKET;
	}
	if (rc == 0)
		return NL_CAP_TIMEOUT;
	if (rc == PCAP_ERROR_BREAK)
		return c->live && c->stop
			       ? nl_capture_next(c, ts, data, caplen, len, errbuf)
			       : NL_CAP_EOF;
	const char *msg = pcap_geterr(c->p);
	if (!c->live) {
		c->truncated = strstr(msg, "truncated") != NULL;
		c->truncated_at = c->record_end;
		snprintf(errbuf, NL_ERRBUF_SIZE, "%s (record at byte offset %llu)",
			 msg, (unsigned long long)c->record_end);
	} else {
		snprintf(errbuf, NL_ERRBUF_SIZE, "%s", msg);
	}
	return NL_CAP_ERROR;
}

bool nl_capture_truncated(const struct nl_capture *c, uint64_t *offset)
{
	if (c->truncated && offset)
		*offset = c->truncated_at;
	return c->truncated;
}

void nl_capture_stop(struct nl_capture *c)
{
	c->stop = 1;
	pcap_breakloop(c->p);
}

bool nl_capture_stats(struct nl_capture *c, uint64_t *received,
		      uint64_t *dropped, uint64_t *ifdropped)
{
	struct pcap_stat ps;
	if (!c->live || pcap_stats(c->p, &ps) != 0)
		return false;
	*received = ps.ps_recv;
	*dropped = ps.ps_drop;
	*ifdropped = ps.ps_ifdrop;
	return true;
}

enum nl_status nl_capture_finish_dump(struct nl_capture *c, char *errbuf)
{
	if (!c || !c->dumper)
		return NL_OK;
	/* stdio keeps a failed write's error: a full disk is told here */
	FILE *f = pcap_dump_file(c->dumper);
	errno = 0;
	bool bad = pcap_dump_flush(c->dumper) != 0 || ferror(f);
	int e = errno;
	pcap_dump_close(c->dumper);
	c->dumper = NULL;
	if (!bad)
		return NL_OK;
	snprintf(errbuf, NL_ERRBUF_SIZE, "cannot write '%s': %s",
		 c->dump_path ? c->dump_path : "-w file",
		 e ? strerror(e) : "write error");
	return NL_ERR_SYS;
}

void nl_capture_close(struct nl_capture *c)
{
	if (!c)
		return;
	if (c->dumper) {
		pcap_dump_flush(c->dumper);
		pcap_dump_close(c->dumper);
	}
	free(c->dumpbuf);
	free(c->dump_path);
	if (c->p)
		pcap_close(c->p); /* closes the stream and the fd */
	free(c->iobuf);
	free(c);
}

void nl_capture_list_interfaces(char *buf, size_t size)
{
	pcap_if_t *all = NULL;
	char err[PCAP_ERRBUF_SIZE];
	size_t used = 0;
	buf[0] = '\0';
	if (pcap_findalldevs(&all, err) != 0 || !all) {
		snprintf(buf, size, "none found");
		return;
	}
	for (pcap_if_t *d = all; d && used + 1 < size; d = d->next) {
		int n = snprintf(buf + used, size - used, "%s%s",
				 used ? ", " : "", d->name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	pcap_freealldevs(all);
}
