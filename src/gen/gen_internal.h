/* Internal to src/gen: sockets and clocks shared by server, client, demo. */
#ifndef NETLAB_GEN_INTERNAL_H
#define NETLAB_GEN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "netlab/gen.h"

uint64_t nl_gen_now_ms(void); /* CLOCK_MONOTONIC */
double nl_gen_now_s(void);
uint16_t nl_gen_addr_port(const struct sockaddr_storage *ss);

/* Bound (and for TCP listening) non-blocking socket, or -1 with errbuf;
 * EADDRINUSE explained (TIME_WAIT, SO_REUSEADDR). *bound gets the address
 * actually bound (the ephemeral port with port 0). */
int nl_gen_listen(const char *host, uint16_t port, bool udp, bool reuseaddr,
		  struct sockaddr_storage *bound, char *errbuf);

/* Raise the soft RLIMIT_NOFILE towards want (up to the hard limit), so
 * --max-conns / --connections are not cut short by a default of 1024. */
void nl_gen_raise_nofile(uint64_t want);

/* Resolve host:port into *ss. */
bool nl_gen_resolve(const char *host, uint16_t port, bool udp,
		    struct sockaddr_storage *ss, socklen_t *len, char *errbuf);

/* A socket with the client's options applied before connect(), connected
 * (blocking unless nonblock). -1 with errbuf on failure. */
int nl_gen_connect(const struct nl_gen_opts *o,
		   const struct sockaddr_storage *ss, socklen_t len,
		   bool nonblock, char *errbuf);

#endif
