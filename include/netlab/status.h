/* Status codes shared by every stage. One code, one meaning. */
#ifndef NETLAB_STATUS_H
#define NETLAB_STATUS_H

#define NL_WUR __attribute__((warn_unused_result))

enum nl_status {
	NL_OK = 0,
	NL_NEED_MORE,   /* a resumable parser wants more bytes */
	NL_TRUNCATED,   /* the capture ends before the data does (snaplen) */
	NL_MALFORMED,   /* the data contradicts itself */
	NL_UNSUPPORTED, /* valid, but a protocol or link type we do not decode */
	NL_NOMEM,       /* a cap or an allocation failed */
	NL_ERR_SYS,     /* an operating system or libpcap call failed */
	NL_STATUS_COUNT
};

const char *nl_status_name(enum nl_status s);

/* Size of the caller-provided error buffers (libpcap's errbuf convention). */
#define NL_ERRBUF_SIZE 512

#endif
