/* Structures shared by the BPF program (netmon-capture.bpf.c) and its loader (netmon-capture.c).
 * Both sides are compiled from this one file so the layouts cannot drift apart. */
#ifndef NETMON_CAPTURE_H
#define NETMON_CAPTURE_H

#include <linux/types.h>

/* Sizes: a busy desktop holds a few thousand sockets; 64 K owners and twice as many flow keys (an
 * unconnected UDP socket has one key per peer) leave room. Kernel memory: owners 6.8 MB (an LRU map is
 * preallocated), the ring buffer 2 MB, flow keys about 150 bytes each as they come. The ring buffer is
 * drained as soon as it holds data, so 2 MB absorbs a burst of some 250 TLS stream starts. */
#define NM_MAX_OWNERS 65536
#define NM_MAX_FLOWS 131072
#define NM_RINGBUF_BYTES (2 * 1024 * 1024)

/* Packet starts: a TLS ClientHello with post-quantum key shares spans two segments, so the first 8 KB
 * of a TLS stream; a DNS answer or QUIC Initial: one datagram, cut at 1500 bytes. */
#define NM_TLS_STREAM_BYTES 8192
#define NM_DATAGRAM_BYTES 1500
#define NM_QUIC_INITIALS_PER_FLOW 4
/* DNS queries outstanding per (socket, server); past it, answers are still counted but not all named. */
#define NM_DNS_PENDING_MAX 32

/* UDP peers (finding 6 of the security review: a flood of spoofed peers to one long-lived UDP socket).
 * A socket holds at most NM_UDP_PEERS_PER_SOCKET per-peer keys; the bytes of further peers go to the
 * socket's one "other peers" key (remote address all zero, port 0), never lost and never named. The
 * loader reports a UDP key of an open socket quiet for NM_UDP_PEER_AGE_NS as closed (its final
 * counters) and deletes it, then recounts each socket's peers, so a flood's keys leave the table. */
#define NM_UDP_PEERS_PER_SOCKET 256
#define NM_UDP_PEER_AGE_NS (10ULL * 1000 * 1000 * 1000)

enum nm_direction { NM_IN = 0, NM_OUT = 1 };
enum nm_kind { NM_KIND_DNS = 1, NM_KIND_TLS = 2, NM_KIND_QUIC = 3 };
enum nm_tls_state { NM_TLS_UNKNOWN = 0, NM_TLS_CAPTURING = 1, NM_TLS_DONE = 2 };

/* One counted stream: a socket and, for UDP, one peer. TCP has one peer, so in effect its key is the cookie. */
struct nm_flow_key {
	__u64 cookie;
	__u8 raddr[16]; /* IPv4 in the first 4 bytes, the rest zero */
	__u16 rport;    /* host order */
	__u8 proto;     /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 family;    /* 4 or 6 */
	__u32 pad;
};

struct nm_flow_val {
	__u64 bytes_in;  /* L4 payload */
	__u64 bytes_out;
	__u64 pkts_in;   /* packets with payload (merged offload packets count once) */
	__u64 pkts_out;
	__u64 last_ns;   /* CLOCK_MONOTONIC of the last packet */
	__u32 uid;       /* socket owner's uid, from the packet's socket */
	__u32 tls_isn;   /* sequence number of the first outgoing payload byte, while capturing */
	__u32 quic_initials;
	__u8 tls_state;
	__u8 dns_pending; /* queries sent to this peer on port 53 not yet answered: only answers to them are passed up */
	__u16 tls_end;    /* offset past the ClientHello's first record: nothing after it is passed up */
};

/* Who uses a socket: the task that created it, then the last one that connected or sent with it. */
struct nm_owner {
	__u64 released_ns; /* 0 while open */
	__u32 pid;         /* tgid */
	__u32 uid;
	char comm[16];
};

/* Counters of what could not be done, one slot each in a per-CPU array. */
enum nm_stat {
	NM_STAT_FLOW_FULL = 0,   /* flow keys not inserted: the map was full */
	NM_STAT_FLOW_FULL_BYTES, /* their payload bytes, lost */
	NM_STAT_OWNER_FULL,      /* owners not inserted */
	NM_STAT_RINGBUF_DROP,    /* packet starts lost: the ring buffer was full */
	NM_STAT_COUNT,
};

struct nm_event_hdr {
	struct nm_flow_key key;
	__u64 ts_ns;    /* CLOCK_MONOTONIC */
	__u32 len;      /* payload length of the packet */
	__u32 caplen;   /* bytes that follow */
	__u32 tcp_seq;  /* sequence number of the first captured byte (TCP) */
	__u8 direction; /* enum nm_direction */
	__u8 kind;      /* enum nm_kind */
	__u8 pad[2];
};

struct nm_event {
	struct nm_event_hdr hdr;
	__u8 data[NM_TLS_STREAM_BYTES];
};

#endif
