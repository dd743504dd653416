/*
 * Names in words for the printers. Every string is static. Unknown values
 * give NULL where decode.h says so (the printer then shows the number) and
 * "unknown" for the enums that index a fixed table.
 */
#include "netlab/decode.h"

const char *nl_layer_name(enum nl_layer l)
{
	static const char *const names[NL_LAYER_COUNT] = {
	    [NL_L_LINK] = "link",     [NL_L_VLAN] = "vlan",
	    [NL_L_ARP] = "arp",	      [NL_L_IPV4] = "ipv4",
	    [NL_L_IPV6] = "ipv6",     [NL_L_ICMP] = "icmp",
	    [NL_L_ICMPV6] = "icmpv6", [NL_L_TCP] = "tcp",
	    [NL_L_UDP] = "udp",	      [NL_L_PAYLOAD] = "payload",
	};
	if ((unsigned)l >= NL_LAYER_COUNT)
		return "unknown";
	return names[l];
}

const char *nl_csum_status_name(enum nl_csum_status s)
{
	static const char *const names[NL_CSUM_COUNT] = {
	    [NL_CSUM_UNCHECKED] = "unchecked",
	    [NL_CSUM_OK] = "ok",
	    [NL_CSUM_BAD] = "bad",
	    [NL_CSUM_OFFLOAD] = "offload",
	    [NL_CSUM_ABSENT] = "absent",
	    [NL_CSUM_UNVERIFIED] = "unverified",
	};
	if ((unsigned)s >= NL_CSUM_COUNT)
		return "unknown";
	return names[s];
}

/* The EtherTypes one meets on a LAN (IEEE registry), named as tcpdump and
 * Wireshark name them. */
const char *nl_ethertype_name(uint16_t type)
{
	switch (type) {
	case NL_ETHERTYPE_IPV4:
		return "IPv4";
	case NL_ETHERTYPE_ARP:
		return "ARP";
	case 0x0842:
		return "Wake-on-LAN";
	case 0x22f0:
		return "AVTP";
	case 0x22f3:
		return "TRILL";
	case 0x6003:
		return "DECnet";
	case 0x8035:
		return "RARP";
	case 0x809b:
		return "AppleTalk";
	case 0x80f3:
		return "AARP";
	case NL_ETHERTYPE_VLAN:
		return "802.1Q";
	case 0x8137:
		return "IPX";
	case 0x8808:
		return "MAC control";
	case 0x8809:
		return "Slow protocols";
	case 0x8847:
		return "MPLS";
	case 0x8848:
		return "MPLS multicast";
	case 0x8863:
		return "PPPoE discovery";
	case 0x8864:
		return "PPPoE session";
	case 0x886d:
		return "Intel ANS";
	case 0x887b:
		return "HomePlug";
	case 0x888e:
		return "EAPOL";
	case 0x8892:
		return "PROFINET";
	case 0x889a:
		return "HyperSCSI";
	case 0x88a2:
		return "ATA over Ethernet";
	case 0x88a4:
		return "EtherCAT";
	case NL_ETHERTYPE_QINQ:
		return "802.1ad";
	case 0x88b5:
		return "Local experimental 1";
	case 0x88b6:
		return "Local experimental 2";
	case 0x88cc:
		return "LLDP";
	case 0x88e1:
		return "HomePlug AV";
	case 0x88e5:
		return "MACsec";
	case 0x88e7:
		return "802.1ah";
	case 0x88f7:
		return "PTP";
	case 0x88fb:
		return "PRP";
	case 0x8902:
		return "CFM";
	case 0x8906:
		return "FCoE";
	case 0x8914:
		return "FCoE init";
	case 0x8915:
		return "RoCE";
	case 0x892f:
		return "HSR";
	case 0x9000:
		return "Loopback";
	case NL_ETHERTYPE_QINQ_OLD:
		return "QinQ";
	case NL_ETHERTYPE_IPV6:
		return "IPv6";
	default:
		return NULL;
	}
}

/* Short names as pcap_datalink_val_to_name() gives them, without linking
 * libpcap into the decoder. */
const char *nl_linktype_name(uint32_t dlt)
{
	switch (dlt) {
	case NL_DLT_NULL:
		return "NULL";
	case NL_DLT_EN10MB:
		return "EN10MB";
	case NL_DLT_RAW:
	case NL_DLT_RAW_OPENBSD:
	case NL_DLT_RAW_LINKTYPE:
		return "RAW";
	case NL_DLT_LOOP:
		return "LOOP";
	case NL_DLT_LINUX_SLL:
		return "LINUX_SLL";
	case NL_DLT_IPV4:
		return "IPV4";
	case NL_DLT_IPV6:
		return "IPV6";
	case NL_DLT_LINUX_SLL2:
		return "LINUX_SLL2";
	default:
		return NULL;
	}
}

/* RFC 826 (1, 2), RFC 903 RARP (3, 4), RFC 1931 DRARP (5-7), RFC 2390 InARP
 * (8, 9), RFC 1577 ARP-NAK (10). */
const char *nl_arp_op_name(uint16_t op)
{
	switch (op) {
	case 1:
		return "request";
	case 2:
		return "reply";
	case 3:
		return "RARP request";
	case 4:
		return "RARP reply";
	case 5:
		return "DRARP request";
	case 6:
		return "DRARP reply";
	case 7:
		return "DRARP error";
	case 8:
		return "InARP request";
	case 9:
		return "InARP reply";
	case 10:
		return "ARP NAK";
	default:
		return "unknown";
	}
}
