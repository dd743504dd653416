/*
 * JSON Lines: every line parses (a small RFC 8259 validator that also
 * rejects duplicate keys), one packet line is pinned exactly, and the other
 * layers, notices and the summary are checked by their fields.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support/sink_harness.h"

#include "netlab/arptable.h"
#include "netlab/oui.h"
#include "netlab/report.h"

/* ---- a strict JSON validator ---- */

struct jp {
	const char *p;
	int depth;
};

static bool jp_value(struct jp *j);

static void jp_ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
		j->p++;
}

static bool jp_string(struct jp *j, const char **start, size_t *len)
{
	if (*j->p != '"')
		return false;
	const char *s = ++j->p;
	for (;;) {
		unsigned char c = (unsigned char)*j->p;
		if (c == '"')
			break;
		if (c < 0x20 || c > 0x7e) /* netlab writes ASCII only */
			return false;
		j->p++;
		if (c != '\\')
			continue;
		c = (unsigned char)*j->p++;
		if (c && strchr("\"\\/bfnrt", c))
			continue;
		if (c != 'u')
			return false;
		for (int i = 0; i < 4; i++, j->p++)
			if (!*j->p || !strchr("0123456789abcdefABCDEF", *j->p))
				return false;
	}
	if (start) {
		*start = s;
		*len = (size_t)(j->p - s);
	}
	j->p++;
	return true;
}

static bool jp_number(struct jp *j)
{
	const char *s = j->p;
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0') {
		j->p++;
	} else if (*j->p >= '1' && *j->p <= '9') {
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	} else {
		return false;
	}
	if (*j->p == '.') {
		j->p++;
		if (!(*j->p >= '0' && *j->p <= '9'))
			return false;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!(*j->p >= '0' && *j->p <= '9'))
			return false;
		while (*j->p >= '0' && *j->p <= '9')
			j->p++;
	}
	return j->p > s;
}

static bool jp_object(struct jp *j)
{
	const char *keys[128];
	size_t lens[128], n = 0;
	j->p++;
	jp_ws(j);
	if (*j->p == '}') {
		j->p++;
		return true;
	}
	for (;;) {
		jp_ws(j);
		const char *k;
		size_t kl;
		if (!jp_string(j, &k, &kl))
			return false;
		for (size_t i = 0; i < n; i++)
			if (lens[i] == kl && !memcmp(keys[i], k, kl))
				return false; /* duplicate key */
		if (n < 128) {
			keys[n] = k;
			lens[n++] = kl;
		}
		jp_ws(j);
		if (*j->p++ != ':')
			return false;
		if (!jp_value(j))
			return false;
		jp_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		return *j->p++ == '}';
	}
}

static bool jp_array(struct jp *j)
{
	j->p++;
	jp_ws(j);
	if (*j->p == ']') {
		j->p++;
		return true;
	}
	for (;;) {
		if (!jp_value(j))
			return false;
		jp_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		return *j->p++ == ']';
	}
}

static bool jp_value(struct jp *j)
{
	if (++j->depth > 32)
		return false;
	jp_ws(j);
	bool ok;
	switch (*j->p) {
	case '{':
		ok = jp_object(j);
		break;
	case '[':
		ok = jp_array(j);
		break;
	case '"':
		ok = jp_string(j, NULL, NULL);
		break;
	case 't':
		ok = !strncmp(j->p, "true", 4) && (j->p += 4);
		break;
	case 'f':
		ok = !strncmp(j->p, "false", 5) && (j->p += 5);
		break;
	case 'n':
		ok = !strncmp(j->p, "null", 4) && (j->p += 4);
		break;
	default:
		ok = jp_number(j);
		break;
	}
	j->depth--;
	return ok;
}

/* Every line of s is one JSON object and nothing else. */
static void assert_json_lines(const char *s)
{
	size_t lines = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		assert_non_null(nl);
		char *one = strndup(s, (size_t)(nl - s));
		struct jp j = {one, 0};
		if (*one != '{' || !jp_value(&j) || *j.p)
			fail_msg("not valid JSON at offset %td: %s", j.p - one,
				 one);
		free(one);
		s = nl + 1;
		lines++;
	}
	assert_true(lines > 0);
}

static void assert_has(const char *s, const char *frag)
{
	if (!strstr(s, frag))
		fail_msg("missing %s in %s", frag, s);
}

static void assert_lacks(const char *s, const char *frag)
{
	if (strstr(s, frag))
		fail_msg("unexpected %s in %s", frag, s);
}

/* ---- fixtures ---- */

static void frame(uint64_t n, uint32_t len)
{
	memset(&pkt, 0, sizeof(pkt));
	pkt.frame = n;
	pkt.ts = (struct nl_time){1700000000, 123456789};
	pkt.caplen = pkt.len = len;
	pkt.layers = NL_LAYER_BIT(NL_L_LINK);
	pkt.link.dlt = NL_DLT_EN10MB;
	pkt.link.kind = NL_LINK_ETHERNET;
	pkt.link.hdr_len = 14;
	pkt.link.wire_frame_len = len + 4;
	pkt.link.fcs_absent = true;
	static const uint8_t s[6] = {0x00, 0x1b, 0x21, 0x0a, 0x0b, 0x0c};
	static const uint8_t d[6] = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};
	memcpy(pkt.link.src, s, 6);
	memcpy(pkt.link.dst, d, 6);
}

static const char *run(const struct nl_event *ev)
{
	const char *s = run_sink(nl_sink_json_new, ev);
	assert_json_lines(s);
	return s;
}

static const char *packet_json(void)
{
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt};
	return run(&ev);
}

static void test_validator(void **state)
{
	(void)state;
	static const char *const bad[] = {
	    "{",
	    "{\"a\":1,}",
	    "{\"a\":1,\"a\":2}",
	    "{\"a\":01}",
	    "{\"a\":\"\x1b\"}",
	    "{\"a\":tru}",
	    "{\"a\":[1,]}",
	    "{a:1}",
	    "{\"a\":\"\\x41\"}",
	    "{\"a\":1.}",
	    "{\"a\":-}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct jp j = {bad[i], 0};
		assert_false(jp_value(&j) && !*j.p);
	}
	struct jp j = {"{\"a\":[1,-2.5e3,\"x\\u00ff\",true,false,null,{}]}", 0};
	assert_true(jp_value(&j) && !*j.p);
}

static void test_tcp_exact(void **state)
{
	(void)state;
	frame(1, 74);
	pkt.layers |= NL_LAYER_BIT(NL_L_IPV4) | NL_LAYER_BIT(NL_L_TCP);
	pkt.link.type_len = pkt.link.ethertype = NL_ETHERTYPE_IPV4;
	addr(&pkt.src, "127.0.0.1");
	addr(&pkt.dst, "127.0.0.1");
	pkt.ip_proto = NL_IPPROTO_TCP;
	pkt.ip4 = (struct nl_ipv4){.ihl = 20,
				   .tot_len = 60,
				   .id = 7238,
				   .df = true,
				   .ttl = 64,
				   .proto = 6,
				   .csum = 0x2074,
				   .csum_status = NL_CSUM_OK};
	struct nl_tcp *t = &pkt.tcp;
	t->sport = 54321;
	t->dport = 9000;
	t->seq = 2832737363u;
	t->flags = NL_TCP_SYN | NL_TCP_ECE | NL_TCP_CWR;
	t->win = 65495;
	t->doff = 40;
	t->csum = 0xfe30;
	t->csum_status = NL_CSUM_BAD;
	t->csum_want = 0x1234;
	static const uint8_t kinds[] = {NL_TCPOPT_MSS,
					NL_TCPOPT_SACK_PERM,
					NL_TCPOPT_TIMESTAMP,
					NL_TCPOPT_NOP,
					NL_TCPOPT_WSCALE,
					NL_TCPOPT_SACK,
					99};
	memcpy(t->opt_kind, kinds, sizeof(kinds));
	t->n_opts = sizeof(kinds);
	t->has_mss = t->has_wscale = t->has_ts = t->sack_perm = true;
	t->mss = 65495;
	t->wscale = 7;
	t->ts_val = 1234;
	t->n_sack = 2;
	t->sack[0] = (struct nl_tcp_sack){1000, 2000};
	t->sack[1] = (struct nl_tcp_sack){3000, 4000};
	pkt.anom[0] =
	    (struct nl_anomaly){NL_ANOM_TRUNCATED, NL_L_TCP, "options"};
	pkt.n_anom = 1;
	assert_string_equal(
	    packet_json(),
	    "{\"type\":\"packet\",\"frame\":1,"
	    "\"ts\":\"2023-11-14T22:13:20.123456789Z\","
	    "\"ts_epoch\":1700000000.123456789,\"caplen\":74,\"len\":74,"
	    "\"eth\":{\"src\":\"00:1b:21:0a:0b:0c\","
	    "\"dst\":\"02:42:ac:11:00:02\",\"src_vendor\":null,"
	    "\"dst_vendor\":null,\"ethertype\":2048,\"type_len\":2048,"
	    "\"ieee8023\":false,\"frame_len\":78,\"fcs_absent\":true,"
	    "\"undersize\":false,\"oversize\":false},"
	    "\"ip\":{\"src\":\"127.0.0.1\",\"dst\":\"127.0.0.1\",\"ttl\":64,"
	    "\"id\":7238,\"tos\":0,\"rf\":false,\"df\":true,\"mf\":false,"
	    "\"frag_off\":0,\"proto\":6,\"hdr_len\":20,\"total_len\":60,"
	    "\"opt_len\":0,\"csum\":8308,\"checksum\":\"ok\"},"
	    "\"tcp\":{\"sport\":54321,\"dport\":9000,\"seq\":2832737363,"
	    "\"ack\":0,\"flags\":[\"SYN\",\"ECE\",\"CWR\"],\"flags_raw\":194,"
	    "\"win\":65495,\"hdr_len\":40,\"urg\":0,\"len\":0,"
	    "\"csum\":65072,\"checksum\":\"bad\",\"csum_want\":4660,"
	    "\"options\":{\"list\":[\"mss\",\"sack_perm\",\"ts\",\"nop\","
	    "\"ws\",\"sack\",\"opt-99\"],\"mss\":65495,\"wscale\":7,"
	    "\"sack_perm\":true,\"ts\":[1234,0],"
	    "\"sack\":[[1000,2000],[3000,4000]]}},"
	    "\"payload_len\":0,\"payload_caplen\":0,"
	    "\"truncated\":[{\"layer\":\"tcp\",\"what\":\"options\"}]}\n");
}

static void test_arp_vlan_vendor(void **state)
{
	(void)state;
	char dir[] = "/tmp/nl_oui_XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[64];
	snprintf(path, sizeof(path), "%s/oui.csv", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("Registry,Assignment,Organization Name,Organization Address\n"
	      "MA-L,001B21,\"Evil\x1b[2J\"\"Corp\"\" \xff\",Nowhere\n",
	      f);
	fclose(f);
	struct nl_oui_db *db = NULL;
	char err[NL_ERRBUF_SIZE];
	assert_int_equal(nl_oui_load(&db, dir, err), NL_OK);
	unlink(path);
	rmdir(dir);
	opts.oui = db;

	frame(2, 46);
	pkt.layers |= NL_LAYER_BIT(NL_L_ARP) | NL_LAYER_BIT(NL_L_VLAN);
	pkt.link.type_len = NL_ETHERTYPE_VLAN;
	pkt.link.ethertype = NL_ETHERTYPE_ARP;
	pkt.link.undersize = true;
	pkt.link.n_vlan = 1;
	pkt.link.vlan[0] = (struct nl_vlan_tag){0x8100, 3, true, 10};
	struct nl_arp *a = &pkt.arp;
	*a = (struct nl_arp){.htype = 1,
			     .ptype = 0x800,
			     .hlen = 6,
			     .plen = 4,
			     .op = 1,
			     .kind = NL_ARP_PROBE,
			     .eth_ipv4 = true,
			     .tpa = {10, 0, 0, 9}};
	memcpy(a->sha, pkt.link.src, 6);
	const char *s = packet_json();
	assert_has(s, "\"src_vendor\":\"Evil\\u001b[2J\\\"Corp\\\" \\u00ff\"");
	assert_has(s, "\"undersize\":true");
	assert_has(s, "\"vlan\":[{\"vid\":10,\"pcp\":3,\"dei\":true,"
		      "\"tpid\":33024}]");
	assert_has(s,
		   "\"arp\":{\"op\":1,\"op_name\":\"request\","
		   "\"kind\":\"probe\",\"htype\":1,\"ptype\":2048,\"hlen\":6,"
		   "\"plen\":4,\"sha\":\"00:1b:21:0a:0b:0c\","
		   "\"spa\":\"0.0.0.0\",\"tha\":\"00:00:00:00:00:00\","
		   "\"tpa\":\"10.0.0.9\"}");
	assert_lacks(s, "\"ip\":");
	assert_lacks(s, "payload_len");

	/* not Ethernet/IPv4: hex, and nothing borrowed that is missing */
	static const uint8_t hw[2] = {0xab, 0xcd};
	a->eth_ipv4 = false;
	a->hlen = 2;
	a->sha_p = hw;
	a->tha_p = hw;
	s = packet_json();
	assert_has(s, "\"sha\":\"ab:cd\",\"spa\":\"\",\"tha\":\"ab:cd\","
		      "\"tpa\":\"\"");

	/* a notice names both MACs and their vendors */
	struct nl_arp_notice n = {.kind = NL_ARP_NOTICE_CONFLICT,
				  .ip = {10, 0, 0, 9},
				  .old_mac = {0x00, 0x1b, 0x21, 1, 2, 3},
				  .new_mac = {0x02, 0, 0, 0, 0, 1},
				  .old_frame = 3,
				  .new_frame = 9};
	struct nl_event ev = {
	    .type = NL_EV_ARP_NOTICE, .pkt = &pkt, .u.arp = &n};
	assert_string_equal(run(&ev),
			    "{\"type\":\"arp_notice\",\"kind\":\"conflict\","
			    "\"frame\":2,\"ip\":\"10.0.0.9\","
			    "\"old_mac\":\"00:1b:21:01:02:03\","
			    "\"old_vendor\":\"Evil\\u001b[2J\\\"Corp\\\" "
			    "\\u00ff\",\"old_frame\":3,"
			    "\"new_mac\":\"02:00:00:00:00:01\","
			    "\"new_vendor\":null,\"new_frame\":9}\n");
	nl_oui_free(db);
}

static void test_ipv6_icmp_fragment(void **state)
{
	(void)state;
	frame(3, 100);
	pkt.layers |= NL_LAYER_BIT(NL_L_IPV6) | NL_LAYER_BIT(NL_L_ICMPV6);
	pkt.link.type_len = pkt.link.ethertype = NL_ETHERTYPE_IPV6;
	addr(&pkt.src, "fe80::1");
	addr(&pkt.dst, "::ffff:10.0.0.1");
	pkt.ip_proto = NL_IPPROTO_ICMPV6;
	pkt.ip6 = (struct nl_ipv6){.plen = 46,
				   .next = 0,
				   .hlim = 255,
				   .n_ext = 2,
				   .ext = {0, 44},
				   .ext_len = 16,
				   .frag = true,
				   .frag_more = true,
				   .frag_id = 77};
	pkt.ip_fragment = true;
	pkt.icmp = (struct nl_icmp){.v6 = true,
				    .type = 2,
				    .code = 0,
				    .mtu = 1280,
				    .has_quote = true,
				    .quote_proto = NL_IPPROTO_UDP,
				    .quote_sport = 1,
				    .quote_dport = 2};
	addr(&pkt.icmp.quote_src, "2001:db8::1");
	addr(&pkt.icmp.quote_dst, "2001:db8::2");
	pkt.anom[0] =
	    (struct nl_anomaly){NL_ANOM_MALFORMED, NL_L_IPV6, "bad \"ext\"\n"};
	pkt.anom[1] =
	    (struct nl_anomaly){NL_ANOM_TRUNCATED, NL_L_ICMPV6, "quote"};
	pkt.n_anom = 2;
	const char *s = packet_json();
	assert_has(s, "\"ipv6\":{\"src\":\"fe80::1\","
		      "\"dst\":\"::ffff:10.0.0.1\",\"hlim\":255,\"tclass\":0,"
		      "\"flow\":0,\"plen\":46,\"next\":0,\"ext\":[0,44],"
		      "\"ext_len\":16,\"frag\":{\"id\":77,\"off\":0,"
		      "\"more\":true}}");
	assert_has(s, "\"fragment\":true");
	assert_lacks(s, "later_fragment");
	assert_has(s, "\"icmpv6\":{\"type\":2,\"code\":0,");
	assert_has(s, "\"mtu\":1280");
	assert_has(s, "\"quote\":{\"proto\":17,\"src\":\"2001:db8::1\","
		      "\"dst\":\"2001:db8::2\",\"sport\":1,\"dport\":2}");
	assert_has(s, "\"truncated\":[{\"layer\":\"icmpv6\","
		      "\"what\":\"quote\"}]");
	assert_has(s, "\"malformed\":[{\"layer\":\"ipv6\","
		      "\"what\":\"bad \\\"ext\\\"\\n\"}]");
	assert_lacks(s, "\"icmp\":");

	/* UDP over IPv4 with a payload that must not leak into the JSON */
	frame(4, 60);
	pkt.layers |= NL_LAYER_BIT(NL_L_IPV4) | NL_LAYER_BIT(NL_L_UDP);
	addr(&pkt.src, "10.0.0.1");
	addr(&pkt.dst, "10.0.0.2");
	pkt.udp = (struct nl_udp){
	    .sport = 5, .dport = 53, .len = 13, .csum_status = NL_CSUM_ABSENT};
	pkt.payload = (const uint8_t *)"\x1b[2Jx";
	pkt.payload_len = pkt.payload_caplen = 5;
	s = packet_json();
	assert_has(s, "\"udp\":{\"sport\":5,\"dport\":53,\"len\":13,"
		      "\"payload_len\":5,\"csum\":0,\"checksum\":\"absent\"}");
	assert_has(s, "\"payload_len\":5,\"payload_caplen\":5");
	assert_lacks(s, "\x1b");
}

static void test_other_links(void **state)
{
	(void)state;
	frame(5, 80);
	pkt.link.kind = NL_LINK_SLL2;
	pkt.link.sll_pkttype = 4;
	pkt.link.sll_halen = 6;
	pkt.link.sll_ifindex = 3;
	pkt.link.ethertype = 0x0800;
	const char *s = packet_json();
	assert_has(s, "\"sll\":{\"version\":2,\"pkttype\":4,"
		      "\"direction\":\"Out\",\"hatype\":0,"
		      "\"addr\":\"00:00:00:00:00:00\",\"ethertype\":2048,"
		      "\"ifindex\":3}");
	assert_lacks(s, "\"eth\"");
	pkt.link.kind = NL_LINK_SLL;
	pkt.link.sll_pkttype = 77;
	s = packet_json();
	assert_has(s, "\"version\":1,\"pkttype\":77,\"direction\":null");
	assert_lacks(s, "ifindex");
	pkt.link.kind = NL_LINK_NULL;
	pkt.link.null_family = 30;
	assert_has(packet_json(), "\"null\":{\"family\":30}");
	pkt.link.kind = NL_LINK_UNKNOWN;
	pkt.layers = 0;
	s = packet_json();
	assert_has(s, "\"len\":80,\"undecoded\":true}");
}

static void arp_pkt(struct nl_packet *p, uint64_t n, uint16_t op,
		    enum nl_arp_kind kind, uint8_t mac_last, uint8_t ip_last)
{
	memset(p, 0, sizeof(*p));
	p->frame = n;
	p->ts = (struct nl_time){1700000000 + (int64_t)n, 0};
	p->layers = NL_LAYER_BIT(NL_L_LINK) | NL_LAYER_BIT(NL_L_ARP);
	p->arp = (struct nl_arp){.htype = 1,
				 .ptype = 0x800,
				 .hlen = 6,
				 .plen = 4,
				 .op = op,
				 .kind = kind,
				 .eth_ipv4 = true,
				 .sha = {0x00, 0x1b, 0x21, 0, 0, mac_last},
				 .spa = {10, 0, 0, ip_last},
				 .tpa = {10, 0, 0, 254}};
}

static void test_summary(void **state)
{
	(void)state;
	struct nl_arp_table *t;
	assert_int_equal(nl_arptable_new(&t, 16), NL_OK);
	struct nl_packet p;
	struct nl_arp_notice notes[4];
	arp_pkt(&p, 1, 1, NL_ARP_REQUEST, 1, 1);
	nl_arptable_observe(t, &p, notes, 4);
	arp_pkt(&p, 2, 1, NL_ARP_REQUEST, 2, 2);
	nl_arptable_observe(t, &p, notes, 4);

	struct nl_stats st = {0};
	st.packets = 2;
	st.bytes_captured = 120;
	st.bytes_wire = 128;
	st.first_ts = (struct nl_time){1700000000, 900000000};
	st.last_ts = (struct nl_time){1700000002, 100000000};
	st.layer[NL_L_LINK] = 2;
	st.layer[NL_L_ARP] = 2;
	st.truncated[NL_L_TCP] = 1;
	st.truncated_packets = 1;
	st.live = true;
	st.pcap_received = 5;
	st.pcap_dropped = 1;
	struct nl_summary sum = {.stats = &st,
				 .arp = t,
				 .dlt = 1,
				 .file_truncated = true,
				 .file_truncated_offset = 4096};
	struct nl_event ev = {.type = NL_EV_SUMMARY, .u.summary = &sum};
	const char *s = run(&ev);
	assert_has(s, "{\"type\":\"summary\",\"packets\":2,"
		      "\"bytes_captured\":120,\"bytes_wire\":128,"
		      "\"first_ts\":\"2023-11-14T22:13:20.900000000Z\","
		      "\"last_ts\":\"2023-11-14T22:13:22.100000000Z\","
		      "\"duration\":1.200000000,\"linktype\":1,"
		      "\"linktype_name\":\"EN10MB\",\"layers\":{\"link\":2,");
	assert_has(s, "\"payload\":0},\"truncated\":{\"tcp\":1,\"packets\":1},"
		      "\"malformed\":{\"packets\":0},");
	assert_has(s, "\"arp\":{\"requests\":2,\"replies\":0,");
	assert_has(s, "\"table\":[{\"ip\":\"10.0.0.1\","
		      "\"mac\":\"00:1b:21:00:00:01\",\"vendor\":null,"
		      "\"first_frame\":1,\"last_frame\":1,\"changes\":0},"
		      "{\"ip\":\"10.0.0.2\"");
	assert_has(s, "\"capture\":{\"received\":5,\"dropped\":1,"
		      "\"ifdropped\":0},\"file_truncated_offset\":4096}\n");
	nl_arptable_free(t);

	/* nothing at all: still valid, no table, no capture counters */
	memset(&st, 0, sizeof(st));
	sum = (struct nl_summary){.stats = &st, .dlt = 147};
	s = run(&ev);
	assert_has(s, "\"first_ts\":null,\"last_ts\":null,\"duration\":0,"
		      "\"linktype\":147,\"linktype_name\":null,");
	assert_lacks(s, "\"arp\":{");
	assert_lacks(s, "\"capture\"");
	assert_lacks(s, "file_truncated_offset");
}

/* Many events through one sink: a stream of valid lines. */
static void test_stream(void **state)
{
	(void)state;
	struct nl_sink sink = {0}; /* gcc cannot tell the assert stops */
	mem.len = 0;
	assert_int_equal(nl_sink_json_new(&sink, &mem, &opts), NL_OK);
	for (unsigned i = 1; i <= 50; i++) {
		frame(i, 60 + i);
		pkt.n_anom = (uint8_t)(i % (NL_MAX_ANOMALIES + 1));
		for (unsigned k = 0; k < pkt.n_anom; k++)
			pkt.anom[k] = (struct nl_anomaly){
			    (uint8_t)(k & 1), (uint8_t)(k % NL_LAYER_COUNT),
			    "x"};
		struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt};
		sink.ops->on_event(sink.self, &ev);
	}
	sink.ops->close(sink.self);
	assert_json_lines(nl_out_cstr(&mem));
}

static void flow_fn(void *arg, const struct nl_flow_event *ev)
{
	(void)arg;
	(void)ev;
}

/* Stream analysis: the map fields of a packet, message, note, late map,
 * conn and summary objects, each a valid line; hostile values (part counts
 * past the array, message bytes that are control codes or not UTF-8) stay
 * inside the schema. */
static void test_flow_objects(void **state)
{
	(void)state;
	frame(4, 60);
	pkt.layers |= NL_LAYER_BIT(NL_L_IPV4) | NL_LAYER_BIT(NL_L_TCP);
	addr(&pkt.src, "10.0.0.1");
	addr(&pkt.dst, "10.0.0.2");
	struct nl_segmap m = {.conn_id = 1,
			      .frame = 4,
			      .state = NL_SEGMAP_MAPPED,
			      .offload = true,
			      .offset = 120,
			      .bytes = 176,
			      .n_msgs = 3,
			      .n_parts = 3};
	m.parts[0] = (struct nl_msg_part){3, 200, 80, 120, NL_PART_TAIL};
	m.parts[1] = (struct nl_msg_part){4, 16, 0, 16, NL_PART_WHOLE};
	m.parts[2] = (struct nl_msg_part){5, 0, 0, 40, NL_PART_HEAD};
	struct nl_event ev = {.type = NL_EV_PACKET, .pkt = &pkt, .segmap = &m};
	const char *s = run(&ev);
	assert_has(s, "\"map_state\":\"mapped\",\"map_offset\":120,"
		      "\"map_bytes\":176,\"n_msgs\":3,\"messages\":["
		      "{\"index\":3,\"part\":\"tail\",\"bytes\":120,\"at\":80,"
		      "\"msg_len\":200},{\"index\":4,\"part\":\"whole\","
		      "\"bytes\":16,\"at\":0,\"msg_len\":16},{\"index\":5,"
		      "\"part\":\"head\",\"bytes\":40,\"at\":0,"
		      "\"msg_len\":null}],\"merged\":3,\"split\":true,"
		      "\"offload\":true");
	m.n_parts = 255;
	m.state = 99;
	s = run(&ev);
	assert_has(s, "\"map_state\":\"?\",\"offload\":true");
	m.state = NL_SEGMAP_MAPPED;
	m.late = true;
	ev = (struct nl_event){.type = NL_EV_SEGMAP, .u.segmap = &m};
	s = run(&ev);
	assert_has(s, "{\"type\":\"segmap\",\"frame\":4,\"conn\":1,"
		      "\"dir\":\"c2s\",\"late\":true,\"map_state\":"
		      "\"mapped\"");

	struct nl_message msg = {.conn_id = 1,
				 .dir = NL_SERVER,
				 .end = NL_MSG_CUT_GAP,
				 .split = true,
				 .has_gap = true,
				 .index = 2,
				 .offset = 9,
				 .len = 70004,
				 .declared = 70000,
				 .header_len = 4,
				 .n_frames = 49,
				 .n_listed = 200,
				 .prefix_len = 200,
				 .first_frame = 6,
				 .last_frame = 60};
	static const uint8_t hostile[] = {0x1b, '[', '2',  'J', 0x07,
					  0xff, '"', '\\', 0x00};
	memcpy(msg.prefix, hostile, sizeof(hostile));
	for (unsigned i = 0; i < NL_MSG_FRAMES; i++)
		msg.frames[i] = 6 + i;
	ev = (struct nl_event){.type = NL_EV_MESSAGE, .u.message = &msg};
	s = run(&ev);
	assert_has(s, "{\"type\":\"message\",\"conn\":1,\"dir\":\"s2c\","
		      "\"index\":2,\"offset\":9,\"len\":70004,"
		      "\"header_len\":4,\"declared\":70000,\"frames\":[6,7,8,"
		      "9,10,11,12,13],\"n_frames\":49,\"first_frame\":6,"
		      "\"last_frame\":60,\"complete\":false,\"end\":\"gap\","
		      "\"split\":true,\"has_gap\":true,\"prefix\":"
		      "\"\\u001b[2J\\u0007\\u00ff\\\"\\\\\\u0000");

	struct nl_flow_note n = {
	    .conn_id = 1, .frame = 9, .offset = 7, .len = 3};
	ev = (struct nl_event){.type = NL_EV_FLOW_NOTE, .u.note = &n};
	for (uint8_t t = 0; t <= NL_NOTE_COUNT; t++) {
		n.type = t;
		n.why = t == NL_NOTE_FRAMING_ERROR ? "length > max\x01" : NULL;
		n.has_runner_up = true;
		n.how = NL_HOW_AUTO;
		n.spec.kind = NL_FRAMING_LINE;
		n.runner_up.kind = NL_FRAMING_VARINT;
		s = run(&ev);
		assert_has(s, "{\"type\":\"note\",\"note\":");
	}
	n.type = NL_NOTE_FRAMING;
	s = run(&ev);
	assert_has(s, "\"note\":\"framing\",\"conn\":1,\"dir\":\"c2s\","
		      "\"frame\":9,\"framing\":\"line\",\"how\":\"auto\","
		      "\"confirm\":0,\"runner_up\":\"varint\","
		      "\"runner_confirm\":0}");
	n.type = NL_NOTE_GAP;
	n.reason = NL_REASM_GAP_SNAPLEN;
	s = run(&ev);
	assert_has(s, "\"note\":\"gap\",\"conn\":1,\"dir\":\"c2s\","
		      "\"frame\":9,\"offset\":7,\"len\":3,\"reason\":"
		      "\"snaplen\"}");

	/* --truth records and UDP flows: valid lines, strings escaped */
	struct nl_app_rec r = {
	    .kind = NL_APP_RECV, .index = 1, .ret = 14, .len = 1024};
	strcpy(r.side, "server");
	strcpy(r.ev, "recv\x01");
	strcpy(r.detail, "\"x\"\xff");
	ev = (struct nl_event){.type = NL_EV_APP, .u.app = &r};
	s = run(&ev);
	assert_has(s, "{\"type\":\"app\",\"side\":\"server\",\"ev\":"
		      "\"recv\\u0001\"");
	struct nl_app_map am = {.n_sends = 2, .first = 1, .last = 2};
	strcpy(am.side, "client");
	struct nl_udp_flow uf = {.id = 3};
	ev = (struct nl_event){.type = NL_EV_PACKET,
			       .pkt = &pkt,
			       .app = &am,
			       .udp = &uf,
			       .udp_index = 2};
	s = run(&ev);
	assert_has(s, "\"udp_flow\":{\"id\":3,");

	/* a connection's figures (--conns) */
	struct nl_conn c = {.id = 1};
	addr(&c.addr[0], "10.0.0.1");
	addr(&c.addr[1], "10.0.0.2");
	struct nl_flow_stats fs = {.conn_id = 1};
	fs.dir[0].how = NL_HOW_PORT;
	fs.dir[0].spec.kind = NL_FRAMING_LENPREFIX;
	fs.dir[0].spec.len_size = 4;
	fs.dir[0].merged_segs = 5;
	fs.dir[1].split_msgs = 2;
	struct nl_conn_end end = {.conn = &c, .flow = &fs};
	opts.conns = true;
	ev = (struct nl_event){.type = NL_EV_CONN_END, .u.conn_end = &end};
	s = run(&ev);
	assert_has(s, "\"framing_c2s\":\"u32le\",\"framing_s2c\":null,"
		      "\"messages\":0,\"merged_segments\":5,"
		      "\"split_messages\":2,\"flow\":{\"c2s\":{\"framing\":"
		      "\"u32le\",\"how\":\"port\",");

	/* the summary of a real (empty) flow table */
	struct nl_flow_config cfg;
	nl_flow_config_defaults(&cfg);
	cfg.cap = 4;
	cfg.reasm.max_buffer = 64 * 1024;
	struct nl_flow_table *t = NULL;
	char errbuf[NL_ERRBUF_SIZE];
	assert_int_equal(nl_flowtable_new(&t, &cfg, flow_fn, NULL, errbuf),
			 NL_OK);
	struct nl_summary sum = {.flows = t};
	ev = (struct nl_event){.type = NL_EV_SUMMARY, .u.summary = &sum};
	s = run(&ev);
	assert_has(s, "\"flows\":{\"analysed\":0,\"not_analysed\":0,");
	assert_has(s, "\"cap\":4,");
	assert_has(s, "\"pool\":{\"chunk_size\":");
	nl_flowtable_free(t);
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_validator),	     T(test_tcp_exact),
	    T(test_arp_vlan_vendor), T(test_ipv6_icmp_fragment),
	    T(test_other_links),     T(test_summary),
	    T(test_stream),	     T(test_flow_objects),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
