/* Sockets and clocks for netlab gen. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "gen_internal.h"

uint64_t nl_gen_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

double nl_gen_now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint16_t nl_gen_addr_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return 0;
}

bool nl_gen_resolve(const char *host, uint16_t port, bool udp,
		    struct sockaddr_storage *ss, socklen_t *len, char *errbuf)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = udp ? SOCK_DGRAM : SOCK_STREAM,
				 .ai_flags = AI_NUMERICSERV};
	char ps[8];
	snprintf(ps, sizeof(ps), "%u", port);
	struct addrinfo *ai = NULL;
	int rc = getaddrinfo(host, ps, &hints, &ai);
	if (rc || !ai) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "cannot resolve '%s': %s",
			 host, gai_strerror(rc));
		return false;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return true;
}

int nl_gen_listen(const char *host, uint16_t port, bool udp, bool reuseaddr,
		  struct sockaddr_storage *bound, char *errbuf)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	if (!nl_gen_resolve(host, port, udp, &ss, &sl, errbuf))
		return -1;
	int fd = socket(
	    ss.ss_family,
	    (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "socket: %s", strerror(errno));
		return -1;
	}
	int one = 1;
	if (reuseaddr)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl)) {
		int e = errno;
		if (e == EADDRINUSE)
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "cannot bind %s port %u: address already in "
				 "use. Another socket holds it, or a recent "
				 "connection on it is in TIME_WAIT (the side "
				 "that closes first keeps the 4-tuple for 60 s "
				 "on Linux). SO_REUSEADDR lets a listener bind "
				 "despite TIME_WAIT: gen server sets it unless "
				 "--no-reuseaddr%s",
				 host, port,
				 reuseaddr
				     ? "; it was set here, so either a "
				       "socket is listening there, or the "
				       "TIME_WAIT connections belong to a "
				       "listener that had not set it (Linux "
				       "wants it on both)"
				     : "");
		else
			snprintf(errbuf, NL_ERRBUF_SIZE,
				 "cannot bind %s port %u: %s", host, port,
				 strerror(e));
		close(fd);
		return -1;
	}
	if (!udp && listen(fd, SOMAXCONN)) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	socklen_t bl = sizeof(*bound);
	getsockname(fd, (struct sockaddr *)bound, &bl);
	return fd;
}

int nl_gen_connect(const struct nl_gen_opts *o,
		   const struct sockaddr_storage *ss, socklen_t len,
		   bool nonblock, char *errbuf)
{
	int fd = socket(ss->ss_family,
			(o->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC |
			    (nonblock ? SOCK_NONBLOCK : 0),
			0);
	if (fd < 0) {
		int e = errno;
		snprintf(errbuf, NL_ERRBUF_SIZE, "socket: %s%s", strerror(e),
			 e == EMFILE ? " (the open-file limit, ulimit -n, is "
				       "too low for --connections)"
				     : "");
		return -1;
	}
	int one = 1;
	const char *what = NULL;
	if (!o->udp && o->nodelay &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		what = "TCP_NODELAY";
	/* TCP_MAXSEG before connect() caps the MSS this side announces and
	 * uses. */
	if (!o->udp && o->mss &&
	    setsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &o->mss, sizeof(o->mss)))
		what = "TCP_MAXSEG";
	if (o->sndbuf && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf,
				    sizeof(o->sndbuf)))
		what = "SO_SNDBUF";
	if (what) {
		snprintf(errbuf, NL_ERRBUF_SIZE, "setsockopt %s: %s", what,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (connect(fd, (const struct sockaddr *)ss, len) &&
	    errno != EINPROGRESS) {
		int e = errno;
		char a[80];
		nl_gen_format_addr(a, sizeof(a), ss);
		snprintf(errbuf, NL_ERRBUF_SIZE, "connect to %s: %s%s", a,
			 strerror(e),
			 e == ECONNREFUSED ? " (no server listening there: "
					     "start 'netlab gen server')"
					   : "");
		close(fd);
		return -1;
	}
	return fd;
}

void nl_gen_raise_nofile(uint64_t want)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}
