/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/local-runtime/network/nft-ruleset.test.ts > TAP > port elements: add and delete touch only the maps > add elements 1`] = `
add element inet infra pub_ip { 127.0.0.1 . tcp . 8000 : 10.89.1.2 . 80 }
add element inet infra pub_any { tcp . 8080 : 10.89.1.2 . 80, udp . 5353 : 10.89.0.2 . 53 }

`

exports[`test/local-runtime/network/nft-ruleset.test.ts > TAP > whole table: one transaction, sets and maps, only our table named > ruleset 1`] = `
table inet infra {}
delete table inet infra
table inet infra {
	set bridges {
		type ifname
		elements = { "infra-3f2a9c1d",
		             "infra-77aa00bb",
		             "infra0" }
	}
	set icc {
		type ifname . ifname
		elements = { "infra-3f2a9c1d" . "infra-3f2a9c1d",
		             "infra-77aa00bb" . "infra-77aa00bb",
		             "infra0" . "infra0" }
	}
	set internal {
		type ifname
		elements = { "infra-77aa00bb" }
	}
	set nat_subnets {
		type ipv4_addr
		flags interval
		elements = { 10.89.0.0/24,
		             10.89.1.0/24 }
	}
	set bridge_subnets {
		type ifname . ipv4_addr
		flags interval
		elements = { "infra-3f2a9c1d" . 10.89.1.0/24,
		             "infra-77aa00bb" . 10.89.2.0/24,
		             "infra0" . 10.89.0.0/24 }
	}
	map pub_ip {
		type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service
		elements = { 127.0.0.1 . tcp . 8000 : 10.89.1.2 . 80 }
	}
	map pub_any {
		type inet_proto . inet_service : ipv4_addr . inet_service
		elements = { tcp . 8080 : 10.89.1.2 . 80,
		             udp . 5353 : 10.89.0.2 . 53 }
	}
	chain raw_pre {
		type filter hook prerouting priority raw; policy accept;
		iifname @bridges ip daddr 127.0.0.0/8 drop comment "containers may not reach the host's loopback (route_localnet is on)"
	}
	chain nat_pre {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local jump publish
	}
	chain nat_out {
		type nat hook output priority -100; policy accept;
		fib daddr type local jump publish comment "from the host itself, 127.0.0.1 included"
	}
	chain publish {
		dnat ip to ip daddr . meta l4proto . th dport map @pub_ip
		dnat ip to meta l4proto . th dport map @pub_any
	}
	chain nat_post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr @nat_subnets oifname != @bridges masquerade comment "outbound"
		ct status dnat oifname @bridges ip saddr 127.0.0.0/8 masquerade comment "host loopback to a published port"
		ct status dnat oifname . ip saddr @bridge_subnets masquerade comment "hairpin"
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		oifname @bridges jump to_bridge
		iifname @bridges jump from_bridge
	}
	chain to_bridge {
		ct state established,related accept
		iifname . oifname @icc accept comment "same network"
		oifname @internal drop
		iifname @internal drop
		ct status dnat accept comment "published port"
		drop comment "other networks and unpublished ports"
	}
	chain from_bridge {
		iifname @internal drop comment "internal: no outbound"
		accept
	}
}

`
