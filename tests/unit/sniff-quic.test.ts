// QUIC Initial packets: the decoder (src-main/engine/sniff/quic.ts) and the test-side encoder
// (tests/helpers/quic-initial.ts) are each checked against the sample packets of RFC 9001 Appendix A
// (QUIC v1) and RFC 9369 Appendix A (v2), whose hex is typed below as the RFCs print it. Then the two
// meet: Initials the encoder protects (several per ClientHello, coalesced, reordered) must name the flow.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientInitialKeys, createSniffer, parseClientHello, QUIC_V1, QUIC_V2, readQuicDatagram } from '../../src-main/engine/sniff/index.js';
import type { PayloadEvent } from '../../src-main/engine/types.js';
import { coalesce, cryptoFrame, firstFlight, initialKeys, protectInitial, V1, V2 } from '../helpers/quic-initial.js';
import { clientHelloMessage } from '../helpers/tls-hello.js';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

/** RFC 9001 A / RFC 9369 A: the client-chosen Destination Connection ID. */
const DCID = hex('8394c8f03e515708');

/** RFC 9001 A.1 (v1) and RFC 9369 A.1 (v2): the client's Initial key, iv and hp. */
const KEYS = {
  v1: { key: '1f369613dd76d5467730efcbe3b1a22d', iv: 'fa044b2f42a3fd3b46fb255c', hp: '9f50449e04a0e810283a1e9933adedd2' },
  v2: { key: '8b1a0bc121284290a29e0971b5cd045d', iv: '91f73e2351d8fa91660e909f', hp: '45b95e15235d6f45a6b19cbcb0294ba9' },
};

/** RFC 9001 A.2 (the same in RFC 9369 A.2): the CRYPTO frame of the client Initial, a ClientHello for example.com. */
const A2_CRYPTO_FRAME = hex(`
  060040f1010000ed0303ebf8fa56f129 39b9584a3896472ec40bb863cfd3e868
  04fe3a47f06a2b69484c000004130113 02010000c000000010000e00000b6578
  616d706c652e636f6dff01000100000a 00080006001d00170018001000070005
  04616c706e0005000501000000000033 00260024001d00209370b2c9caa47fba
  baf4559fedba753de171fa71f50f1ce1 5d43e994ec74d748002b000302030400
  0d0010000e0403050306030203080408 050806002d00020101001c0002400100
  3900320408ffffffffffffffff050480 00ffff07048000ffff08011001048000
  75300901100f088394c8f03e51570806 048000ffff
`);

/** RFC 9001 A.2: the resulting protected packet (1200 bytes, packet number 2). */
const A2_PROTECTED_V1 = hex(`
  c000000001088394c8f03e5157080000 449e7b9aec34d1b1c98dd7689fb8ec11
  d242b123dc9bd8bab936b47d92ec356c 0bab7df5976d27cd449f63300099f399
  1c260ec4c60d17b31f8429157bb35a12 82a643a8d2262cad67500cadb8e7378c
  8eb7539ec4d4905fed1bee1fc8aafba1 7c750e2c7ace01e6005f80fcb7df6212
  30c83711b39343fa028cea7f7fb5ff89 eac2308249a02252155e2347b63d58c5
  457afd84d05dfffdb20392844ae81215 4682e9cf012f9021a6f0be17ddd0c208
  4dce25ff9b06cde535d0f920a2db1bf3 62c23e596d11a4f5a6cf3948838a3aec
  4e15daf8500a6ef69ec4e3feb6b1d98e 610ac8b7ec3faf6ad760b7bad1db4ba3
  485e8a94dc250ae3fdb41ed15fb6a8e5 eba0fc3dd60bc8e30c5c4287e53805db
  059ae0648db2f64264ed5e39be2e20d8 2df566da8dd5998ccabdae053060ae6c
  7b4378e846d29f37ed7b4ea9ec5d82e7 961b7f25a9323851f681d582363aa5f8
  9937f5a67258bf63ad6f1a0b1d96dbd4 faddfcefc5266ba6611722395c906556
  be52afe3f565636ad1b17d508b73d874 3eeb524be22b3dcbc2c7468d54119c74
  68449a13d8e3b95811a198f3491de3e7 fe942b330407abf82a4ed7c1b311663a
  c69890f4157015853d91e923037c227a 33cdd5ec281ca3f79c44546b9d90ca00
  f064c99e3dd97911d39fe9c5d0b23a22 9a234cb36186c4819e8b9c5927726632
  291d6a418211cc2962e20fe47feb3edf 330f2c603a9d48c0fcb5699dbfe58964
  25c5bac4aee82e57a85aaf4e2513e4f0 5796b07ba2ee47d80506f8d2c25e50fd
  14de71e6c418559302f939b0e1abd576 f279c4b2e0feb85c1f28ff18f58891ff
  ef132eef2fa09346aee33c28eb130ff2 8f5b766953334113211996d20011a198
  e3fc433f9f2541010ae17c1bf202580f 6047472fb36857fe843b19f5984009dd
  c324044e847a4f4a0ab34f719595de37 252d6235365e9b84392b061085349d73
  203a4a13e96f5432ec0fd4a1ee65accd d5e3904df54c1da510b0ff20dcc0c77f
  cb2c0e0eb605cb0504db87632cf3d8b4 dae6e705769d1de354270123cb11450e
  fc60ac47683d7b8d0f811365565fd98c 4c8eb936bcab8d069fc33bd801b03ade
  a2e1fbc5aa463d08ca19896d2bf59a07 1b851e6c239052172f296bfb5e724047
  90a2181014f3b94a4e97d117b4381303 68cc39dbb2d198065ae3986547926cd2
  162f40a29f0c3c8745c0f50fba3852e5 66d44575c29d39a03f0cda721984b6f4
  40591f355e12d439ff150aab7613499d bd49adabc8676eef023b15b65bfc5ca0
  6948109f23f350db82123535eb8a7433 bdabcb909271a6ecbcb58b936a88cd4e
  8f2e6ff5800175f113253d8fa9ca8885 c2f552e657dc603f252e1a8e308f76f0
  be79e2fb8f5d5fbbe2e30ecadd220723 c8c0aea8078cdfcb3868263ff8f09400
  54da48781893a7e49ad5aff4af300cd8 04a6b6279ab3ff3afb64491c85194aab
  760d58a606654f9f4400e8b38591356f bf6425aca26dc85244259ff2b19c41b9
  f96f3ca9ec1dde434da7d2d392b905dd f3d1f9af93d1af5950bd493f5aa731b4
  056df31bd267b6b90a079831aaf579be 0a39013137aac6d404f518cfd4684064
  7e78bfe706ca4cf5e9c5453e9f7cfd2b 8b4c8d169a44e55c88d4a9a7f9474241
  e221af44860018ab0856972e194cd934
`);

/** RFC 9369 A.2: the same Initial protected for QUIC version 2. */
const A2_PROTECTED_V2 = hex(`
  d76b3343cf088394c8f03e5157080000 449ea0c95e82ffe67b6abcdb4298b485
  dd04de806071bf03dceebfa162e75d6c 96058bdbfb127cdfcbf903388e99ad04
  9f9a3dd4425ae4d0992cfff18ecf0fdb 5a842d09747052f17ac2053d21f57c5d
  250f2c4f0e0202b70785b7946e992e58 a59ac52dea6774d4f03b55545243cf1a
  12834e3f249a78d395e0d18f4d766004 f1a2674802a747eaa901c3f10cda5500
  cb9122faa9f1df66c392079a1b40f0de 1c6054196a11cbea40afb6ef5253cd68
  18f6625efce3b6def6ba7e4b37a40f77 32e093daa7d52190935b8da58976ff33
  12ae50b187c1433c0f028edcc4c2838b 6a9bfc226ca4b4530e7a4ccee1bfa2a3
  d396ae5a3fb512384b2fdd851f784a65 e03f2c4fbe11a53c7777c023462239dd
  6f7521a3f6c7d5dd3ec9b3f233773d4b 46d23cc375eb198c63301c21801f6520
  bcfb7966fc49b393f0061d974a2706df 8c4a9449f11d7f3d2dcbb90c6b877045
  636e7c0c0fe4eb0f697545460c806910 d2c355f1d253bc9d2452aaa549e27a1f
  ac7cf4ed77f322e8fa894b6a83810a34 b361901751a6f5eb65a0326e07de7c12
  16ccce2d0193f958bb3850a833f7ae43 2b65bc5a53975c155aa4bcb4f7b2c4e5
  4df16efaf6ddea94e2c50b4cd1dfe060 17e0e9d02900cffe1935e0491d77ffb4
  fdf85290fdd893d577b1131a610ef6a5 c32b2ee0293617a37cbb08b847741c3b
  8017c25ca9052ca1079d8b78aebd4787 6d330a30f6a8c6d61dd1ab5589329de7
  14d19d61370f8149748c72f132f0fc99 f34d766c6938597040d8f9e2bb522ff9
  9c63a344d6a2ae8aa8e51b7b90a4a806 105fcbca31506c446151adfeceb51b91
  abfe43960977c87471cf9ad4074d30e1 0d6a7f03c63bd5d4317f68ff325ba3bd
  80bf4dc8b52a0ba031758022eb025cdd 770b44d6d6cf0670f4e990b22347a7db
  848265e3e5eb72dfe8299ad7481a4083 22cac55786e52f633b2fb6b614eaed18
  d703dd84045a274ae8bfa73379661388 d6991fe39b0d93debb41700b41f90a15
  c4d526250235ddcd6776fc77bc97e7a4 17ebcb31600d01e57f32162a8560cacc
  7e27a096d37a1a86952ec71bd89a3e9a 30a2a26162984d7740f81193e8238e61
  f6b5b984d4d3dfa033c1bb7e4f0037fe bf406d91c0dccf32acf423cfa1e70710
  10d3f270121b493ce85054ef58bada42 310138fe081adb04e2bd901f2f13458b
  3d6758158197107c14ebb193230cd115 7380aa79cae1374a7c1e5bbcb80ee23e
  06ebfde206bfb0fcbc0edc4ebec30966 1bdd908d532eb0c6adc38b7ca7331dce
  8dfce39ab71e7c32d318d136b6100671 a1ae6a6600e3899f31f0eed19e3417d1
  34b90c9058f8632c798d4490da498730 7cba922d61c39805d072b589bd52fdf1
  e86215c2d54e6670e07383a27bbffb5a ddf47d66aa85a0c6f9f32e59d85a44dd
  5d3b22dc2be80919b490437ae4f36a0a e55edf1d0b5cb4e9a3ecabee93dfc6e3
  8d209d0fa6536d27a5d6fbb17641cde2 7525d61093f1b28072d111b2b4ae5f89
  d5974ee12e5cf7d5da4d6a31123041f3 3e61407e76cffcdcfd7e19ba58cf4b53
  6f4c4938ae79324dc402894b44faf8af bab35282ab659d13c93f70412e85cb19
  9a37ddec600545473cfb5a05e08d0b20 9973b2172b4d21fb69745a262ccde96b
  a18b2faa745b6fe189cf772a9f84cbfc
`);

/** The frame's ClientHello: the CRYPTO frame minus its type (06), offset (00) and 2-byte length (40f1). */
const A2_HELLO = A2_CRYPTO_FRAME.subarray(4);

function quicEvent(flowId: string, bytes: Uint8Array, wallMs = 1_000): PayloadEvent {
  return { flowId, wallMs, direction: 'out', protocol: 'udp', remote: { address: '203.0.113.5', port: 443 }, bytes, truncated: false };
}

describe('RFC vectors', () => {
  it('the CRYPTO frame is 245 bytes and carries a 241-byte handshake message', () => {
    expect(A2_CRYPTO_FRAME.length).toBe(245);
    expect(A2_HELLO.length).toBe(0xf1);
    expect(A2_PROTECTED_V1.length).toBe(1200);
    expect(A2_PROTECTED_V2.length).toBe(1200);
  });

  it.each([
    ['v1', QUIC_V1, KEYS.v1],
    ['v2', QUIC_V2, KEYS.v2],
  ] as const)('the decoder derives the client Initial keys of %s (A.1)', (_name, version, expected) => {
    const keys = clientInitialKeys(DCID, version);
    expect(keys && { key: toHex(keys.key), iv: toHex(keys.iv), hp: toHex(keys.hp) }).toEqual(expected);
  });

  it.each([
    ['v1', V1, KEYS.v1],
    ['v2', V2, KEYS.v2],
  ] as const)('the encoder derives the client Initial keys of %s (A.1)', (_name, version, expected) => {
    const keys = initialKeys(DCID, version);
    expect({ key: toHex(keys.key), iv: toHex(keys.iv), hp: toHex(keys.hp) }).toEqual(expected);
  });

  it.each([
    ['v1', V1, A2_PROTECTED_V1],
    ['v2', V2, A2_PROTECTED_V2],
  ] as const)('the encoder, given the RFC plaintext, writes the RFC protected packet (%s, A.2)', (_name, version, expected) => {
    // 1162 bytes of frames: the CRYPTO frame, then PADDING; packet number 2 in 4 bytes; no SCID, no token.
    const packet = protectInitial({ dcid: DCID, version, packetNumber: 2, pnLength: 4, frames: A2_CRYPTO_FRAME, payloadLength: 1162 });
    expect(toHex(packet)).toBe(toHex(expected));
  });

  it.each([
    ['v1', A2_PROTECTED_V1],
    ['v2', A2_PROTECTED_V2],
  ] as const)('the decoder opens the RFC protected packet (%s) to its CRYPTO data', (_name, packet) => {
    const read = readQuicDatagram(packet);
    expect(read.initials).toBe(1);
    expect(read.failed).toBe(0);
    expect(read.dcid).toBe('8394c8f03e515708');
    expect(read.chunks.map((c) => ({ offset: c.offset, data: toHex(c.data) }))).toEqual([{ offset: 0, data: toHex(A2_HELLO) }]);
  });

  it('the RFC ClientHello names example.com', () => {
    expect(parseClientHello(A2_HELLO)).toEqual({ kind: 'hello', sni: 'example.com' });
  });

  it.each([
    ['v1', A2_PROTECTED_V1],
    ['v2', A2_PROTECTED_V2],
  ] as const)('the sniffer names the flow of the RFC packet (%s)', (_name, packet) => {
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('c1', packet, 42))).toEqual([{ kind: 'sni', flowId: 'c1', name: 'example.com', via: 'quic', atMs: 42 }]);
    expect(sniffer.stats()).toMatchObject({ quicNames: 1, malformed: 0, pendingFlows: 0 });
  });

  it('a damaged packet does not open: counted, no name, no throw', () => {
    const damaged = Uint8Array.from(A2_PROTECTED_V1);
    damaged[600] = (damaged[600] ?? 0) ^ 0x01;
    const read = readQuicDatagram(damaged);
    expect(read).toMatchObject({ initials: 1, failed: 1, chunks: [] });
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('c1', damaged))).toEqual([]);
    expect(sniffer.stats().malformed).toBe(1);
  });
});

// A ClientHello the size of Chromium's with a post-quantum key share (≈1.4 KB: more than one Initial).
// server_name last, so that it needs every packet.
const BIG_HELLO = clientHelloMessage({ sni: 'www.Example.ORG', bigKeyShare: 1216, sniLast: true });
const SCID = hex('c0ffee');

describe('ClientHellos over several Initials', () => {
  it('the big hello needs two packets', () => {
    expect(BIG_HELLO.length).toBeGreaterThan(1200);
  });

  it.each([1, 2, 3])('split over %i packet(s), in order: named on the last one only', (n) => {
    const packets = firstFlight({ dcid: hex('0102030405060708'), scid: SCID, crypto: BIG_HELLO, packets: n });
    const sniffer = createSniffer();
    const hints = packets.map((p, i) => sniffer.onPayload(quicEvent('f', p, i)));
    expect(hints.slice(0, -1).flat()).toEqual([]);
    expect(hints.at(-1)).toEqual([{ kind: 'sni', flowId: 'f', name: 'www.example.org', via: 'quic', atMs: n - 1 }]);
    expect(sniffer.stats()).toMatchObject({ quicNames: 1, malformed: 0, pendingFlows: 0 });
  });

  it('server_name first: named from the first of two packets', () => {
    const hello = clientHelloMessage({ sni: 'first.example', bigKeyShare: 1216 });
    const [p1] = firstFlight({ dcid: hex('0102030405060708'), crypto: hello, packets: 2 });
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', p1 ?? new Uint8Array())).map((h) => h.kind === 'sni' && h.name)).toEqual(['first.example']);
  });

  it('scrambled CRYPTO frames (PING, PADDING, second half first) in reverse packet order', () => {
    const packets = firstFlight({ dcid: hex('a1a2a3a4a5a6a7a8a9'), crypto: BIG_HELLO, packets: 2, scramble: true });
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', packets[1] ?? new Uint8Array()))).toEqual([]);
    expect(sniffer.stats().pendingFlows).toBe(1);
    expect(sniffer.onPayload(quicEvent('f', packets[0] ?? new Uint8Array())).map((h) => h.kind === 'sni' && h.name)).toEqual(['www.example.org']);
  });

  it('coalesced: both Initials in one datagram, then a 0-RTT packet that is skipped', () => {
    const [a, b] = firstFlight({ dcid: hex('1112131415161718'), crypto: BIG_HELLO, packets: 2 });
    // A v1 0-RTT long header (type 01) with a Length of 20 and 20 opaque bytes.
    const zeroRtt = Uint8Array.from([0xd0, 0, 0, 0, 1, 8, ...hex('1112131415161718'), 0, 20, ...new Array<number>(20).fill(0xaa)]);
    const datagram = coalesce(a ?? new Uint8Array(), b ?? new Uint8Array(), zeroRtt);
    const read = readQuicDatagram(datagram);
    expect(read).toMatchObject({ initials: 2, failed: 0 });
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', datagram)).map((h) => h.kind === 'sni' && h.name)).toEqual(['www.example.org']);
  });

  it('QUIC v2 over two packets', () => {
    const packets = firstFlight({ dcid: hex('99887766'), version: V2, crypto: BIG_HELLO, packets: 2 });
    const sniffer = createSniffer();
    expect(packets.flatMap((p) => sniffer.onPayload(quicEvent('f', p))).map((h) => h.kind === 'sni' && h.name)).toEqual(['www.example.org']);
  });

  it('a retransmitted Initial (same CRYPTO data, next packet number) changes nothing', () => {
    const dcid = hex('5555555555555555');
    const [a, b] = firstFlight({ dcid, crypto: BIG_HELLO, packets: 2 });
    const again = firstFlight({ dcid, crypto: BIG_HELLO, packets: 2, firstPacketNumber: 2 })[0];
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', a ?? new Uint8Array()))).toEqual([]);
    expect(sniffer.onPayload(quicEvent('f', again ?? new Uint8Array()))).toEqual([]);
    expect(sniffer.onPayload(quicEvent('f', b ?? new Uint8Array())).length).toBe(1);
  });

  it('an Initial sent to the server\'s new connection ID opens with the first DCID\'s keys', () => {
    const first = hex('0102030405060708');
    const [p1] = firstFlight({ dcid: first, crypto: BIG_HELLO, packets: 2 });
    // The second packet, as resent after the server answered: DCID is the server's, keys still the first DCID's.
    const resent = protectInitial({ dcid: hex('aabbccdd'), packetNumber: 5, frames: cryptoFrame(Math.ceil(BIG_HELLO.length / 2), BIG_HELLO.subarray(Math.ceil(BIG_HELLO.length / 2))), keysFrom: first });
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', p1 ?? new Uint8Array()))).toEqual([]);
    expect(sniffer.onPayload(quicEvent('f', resent)).map((h) => h.kind === 'sni' && h.name)).toEqual(['www.example.org']);
    expect(sniffer.stats().malformed).toBe(0);
  });

  it('a flow that gave a name costs nothing after: later packets give nothing and hold no state', () => {
    const packets = firstFlight({ dcid: hex('0102030405060708'), crypto: BIG_HELLO, packets: 2 });
    const sniffer = createSniffer();
    for (const p of packets) sniffer.onPayload(quicEvent('f', p));
    expect(packets.flatMap((p) => sniffer.onPayload(quicEvent('f', p)))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ quicNames: 1, pendingFlows: 0 });
    sniffer.forget('f');
    expect(packets.flatMap((p) => sniffer.onPayload(quicEvent('f', p))).length).toBe(1);
  });

  it('Initials that carry no CRYPTO data (an ACK and PADDING) give nothing and hold state', () => {
    // ACK frame: largest 0, delay 0, range count 0, first range 0.
    const packet = protectInitial({ dcid: hex('0102030405060708'), packetNumber: 0, frames: Uint8Array.from([0x02, 0, 0, 0, 0]) });
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', packet))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 0, quicNames: 0, pendingFlows: 1 });
  });

  it('a CRYPTO stream that is not a ClientHello gives up on the flow', () => {
    const packet = protectInitial({ dcid: hex('0102030405060708'), packetNumber: 0, frames: cryptoFrame(0, Uint8Array.from([2, 0, 0, 4, 1, 2, 3, 4])) });
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', packet))).toEqual([]);
    expect(sniffer.stats()).toMatchObject({ malformed: 1, pendingFlows: 0 });
  });

  it('short headers and other UDP are not looked at', () => {
    const sniffer = createSniffer();
    expect(sniffer.onPayload(quicEvent('f', Uint8Array.from([0x40, 1, 2, 3, 4, 5, 6, 7, 8])))).toEqual([]);
    expect(sniffer.stats()).toEqual({ dnsAnswers: 0, tlsNames: 0, quicNames: 0, malformed: 0, pendingFlows: 0 });
  });
});

/**
 * A real first flight: the two Initial datagrams (1250 bytes each) Chromium 156.0.8078.79 sent first for
 * https://quic.example:4433/, recorded on a UDP socket at 127.0.0.1:4433 (`chromium --headless=new
 * --enable-quic --origin-to-force-quic-on=quic.example:4433 --host-resolver-rules="MAP quic.example
 * 127.0.0.1"`): a post-quantum ClientHello of about 1.9 KB in CRYPTO frames scattered over both packets.
 */
const CHROMIUM_FLIGHT = [
  hex(`
  c90000000108fe36f80baf988077000044d09ee8b9c1e38e2bb61ba062df119a433a633acd65882f248a6d81d09878d61455
  4c9e987f539244dd4c47aad18baecf02a5a30f687eb96bc26406b9f7c3ef9de3fbf98f16d6518715655619bab4a20bacd04e
  f94a0f393cb8c5adcc5dbb53c568d1e0633eeb82764c25bda459efcc35b10ea6ee745209c7f6fb64b6f0b1d3fe03fe2a376f
  872551607bc0094bb74c8d087055c0bcc295c64599b24594f9ae978797e2d0c73129729909980201c291a4bfa340368c6036
  bb25fe0340cf8fff32e05c86f7cd54a0ab1d56fe47db5bee9bce3c7b2bef77fe52df31526e973cf2a1560f3e0d592a42cd12
  b18c7423649aa4148159278fffbea726ee18933ce53cc2866d88b0de3e3eddb9f85bc6a6556808b832d7bfb0c8ffa9aa9210
  c77e373b71216d06882f6f20dc803d6506ce2c7de9982fc674788cee74f1d5eafed1c1c8d2743ebed6f95569ce642c24309f
  e9684b990410673b0102764f3fa51fd7a76e5c363e8119f7402bd53d5491cfa7131881021d8fe9a24aa94d782ead866ec243
  bf19d999e894c665bcaef10e4175bbb4d6eb9d6711bfa9010c82385f0a8170d891fdd8c5202cc6f0fd39426a8f65f10bad42
  9aaf7e845fc1c2b4dce30af44428d388f4fc1996bd69796e157d1df829db06d171515d697215e78b8be7ad7ec32fee7dcf50
  1960be77b761d5404a99a69711561c3d3760f23d64c56188eb396128fa3a49d89d616ac06b94d5773c6726247f6c925a63c8
  131fa5a3f71285c42ba709bae978104e9a2c495a3a75fa60e013732cfd763b9806b2db57ec6fa222ded05ab506f7916c43a7
  f01ca9a12f45ff50eb583793fdd948550cf0fa26939ca7f050e47745af5034a92a71410dc657e7cbb70b5f20bf595d853133
  c7314dc9f1a1c3fbedd97b0b96768de6161c5433f6449c09ac628263138bafc17a8c156f8bd2125a23ebdacc7a60b8fef6e1
  cf15425eacb0b9938784287e97488164e59fb94468480a52745f753ec643c3e4732c281f7cf9e9dd2c2bf5ffb078af34557d
  f28434fc2051dd31271e9edc43ac62c736b69034487d2b7ab27d8e2093b03efd5c8a531b68a21293e1373994f0517537ad2f
  745ef026ce6a1bb92ad4b702938d11a177a750d1c874bb75ca290954ed46eaf94b6388deec2e83b5252d0774008e7db0c822
  4d2c0329c029d04ba3bff74bc90a6f5f33b5fab38f8193759758b9a5fd04e308d7a7b507b704367c96b5ef778b5a0b5227a1
  0ce58ba786a7a00d10d51c729567ee73e932d26279f466c6fe20e361d7b1c0b18622ef9904d2adf5111fae7a0fc9da710d74
  93e9d7f1d47b1f989394738f43c1dbf8330d2f0845f8eff6fcbb8db7581049174e036874f0c334d2aa5815b2f1786ef3058d
  1c959e85b39fb857a6e669c687e6ef3cd2eefb5e7ab566428d09cafab24aecb7dc5087aa25c233a8197b9ae8d2d3e2f21352
  8e798ce8ce60beb3ecf9e8b3f890ed8f67fc9d88a6c2c33551f66418b72b900b43bd83c8104c0087ca9f2c46e3daa07b55d0
  8ce277440dedb4a7d04ca1086a25d13e36d8cdf3c9031b3413597400b6b64ffa6c44c346b633819212c7b6c5316068941721
  a619702ce5631fcba2c7862ea4c248b2620c00630299ee2130cdf7b5d7c84c9c5450369206c27a9cd81745ee818d0d9927be
  7bf19fd888d9d6046adc33d12ed75cc216b21d58c697ecfb1d3d09e60770a7d93e32cee9512e54b5ff41d448a56cc1378809
`),
  hex(`
  c90000000108fe36f80baf988077000044d0e732a850bb96c69627b8d4817c19eeeca894a07bc61d3a13c3a3537932360ee0
  8cbedc328f1d57e3c77b33c43fc755d19ec59042dd9c33bbfb2dfe897f2ee9d771c4bd8f424db52c3b4d86701ec466debdc0
  f4a297cb05c806ee37041242d99393b2ee1384d5b779cc37f48c2e3aca9825ffe1ac34b0bd82c83f248896db6308341a4bbc
  6b2c260303f8718ad4102ece7fc511bcdefb376af5bf5ba3a149ca6555f940d232859317447343eef8fb47bee2d87389a475
  f3364924b0a8da574966d154c44bb4286ae6e8166b894e235e4149fec11777b27ad744950a0b8465695cb110fa3219b04a90
  0cd7a74b340cfc15d0bdb010a2e3c61fb9fd0c4cdfdb5236ec82e0241a0327893336ce515f97824662c1551a077fd75f7f7c
  d2515317ab65feef01f353f3d33ce683f6688fa6eaf70653c025ebd188b56736043bfe7f1752a7e2e8a1e09cc46ffe860bdd
  b9a6b75a1f1e093267038984b6d0d8f082ffea4615ff57433a13e65b9fb4e571941371338ae3288af584080882f17688adb7
  f09e939f51893e665fdc1b0850ceda0b826e7bd1d7970643450258120b8a1de99fdbae1fd6447cfbe5e4acc3a4d9e4bd783c
  eb960545593327dfcbd5c481d123c0bf2d3ca54eac7d40f7517b300964180780868ee809f8c66e4cd401e9332d4bba8c0ba8
  f2b9a1d96405022af8a63b9c781485cde93fc6bc39c68aacbfc2650ace93c5a6fcd078a5db87083be29b38165b30aaaf7635
  7795c93b6a4ca34e73cb196e7b2cb55e4240b439d5bc65478fdc5d6182a918c5be6c979b2fa816b53ef9d650802278abf3cb
  21f6e9f215c17159319a18b5042325018ac67df3d7a063b8b15e880f169fd7e568dc7de1568d33ce86a2da8a7448b24ef630
  33471cad0d1943bd1983a0cfb334c74dae7ef3e351ce9ebc3d7323797e705ae4c2ea085320f4a26d7ee92aea54b091dc3f28
  7ba7cf43ea0228301a4aeeb3b74da5dd345ba3b2cc675108574f8d5183057f3752a7448cd54ba5753c872ac02c2ab5c56c59
  baa54b9a637f2b7784c0c6c632ac5c19eaf8d9bba7292a66ce0de13d9fb04ee52d14b4614827c3d807b7765dd81aec342bbc
  93ecf8d14e7cc348cc748abd73513a2bb4ddc13f44bd0d4cc9f94299ea0bec6c7fbba2aeccd7e9a4ff2fb3a85aa045f28ace
  fba2b57f11b153c84a8687d2ea2d6b8ea83b5fd7c2e8ad34e2e61df88e522f2ef4cbf8cfc2a483960ce9aa05f7588affddda
  033de6ea30de8301df1bfd9a782e02bb0a7aa4993ac55c52b0895773584d374137340c1c78bfa307f9fad3bb3594a8ad4274
  2c2dca026e108aca6af5e20ea0ee7481b743c87a970bbcd275d91548988dec9de96c1918b3a6cdea98e5440251fc9135cda0
  1e94454df053e30fa255a2a6ddbff0d14f556e607e860f24c9432a9050794b86f611838b99ae77e64081b5af7a9e09d0aae0
  ee6d71f3f218463e467711e00a11f4339dca56a110ed5c01ce434d7dab54f427a5866f6920d07c0d36ccb917ee3ec66111f5
  da6cf16a88b0b1832dea7d5f39a8977597cc814761eb3182db4eb70b19373cee3012f090b05b1188ca9f2919820886a8b583
  c378d0a2c763bbd96be02c02cb0ae10cd7a7508b6ff7add3c3c713f3fdfed49902bf39e62e7f7fff556b6d4471caa90bed63
  457cac880c33de8c7b034c69015d69d656abe8be2097ca5d4720238079052f9a3ef5157b66eb497f275878120d68a184b17f
`),
];

describe('a real Chromium first flight', () => {
  it('each datagram opens; together their CRYPTO data runs from 0 without a gap', () => {
    const reads = CHROMIUM_FLIGHT.map((d) => readQuicDatagram(d));
    expect(reads.map((r) => ({ initials: r.initials, failed: r.failed, dcid: r.dcid }))).toEqual([
      { initials: 1, failed: 0, dcid: 'fe36f80baf988077' },
      { initials: 1, failed: 0, dcid: 'fe36f80baf988077' },
    ]);
    const chunks = reads.flatMap((r) => r.chunks).sort((x, y) => x.offset - y.offset);
    let end = 0;
    for (const c of chunks) {
      expect(c.offset).toBeLessThanOrEqual(end);
      end = Math.max(end, c.offset + c.data.length);
    }
    expect(end).toBeGreaterThan(1200);
  });

  it.each([
    ['in order', [0, 1]],
    ['second datagram first', [1, 0]],
  ])('names quic.example (%s) once both arrived', (_name, order) => {
    const sniffer = createSniffer();
    const hints = order.map((i) => sniffer.onPayload(quicEvent('chromium', CHROMIUM_FLIGHT[i] ?? new Uint8Array())));
    expect(hints[0]).toEqual([]);
    expect(hints[1]?.map((h) => h.kind === 'sni' && h.name)).toEqual(['quic.example']);
    expect(sniffer.stats()).toMatchObject({ quicNames: 1, malformed: 0, pendingFlows: 0 });
  });
});

describe('properties', () => {
  it('any order of a flight\'s packets, each possibly twice, names the flow once with the same name', () => {
    const packets = firstFlight({ dcid: hex('0a0b0c0d0e0f1011'), crypto: BIG_HELLO, packets: 3, scramble: true });
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 0, maxLength: 3 }), fc.shuffledSubarray([0, 1, 2], { minLength: 3, maxLength: 3 }), (dupes, order) => {
        const sniffer = createSniffer();
        const sequence = [...order, ...dupes];
        const names = sequence.flatMap((i) => sniffer.onPayload(quicEvent('f', packets[i] ?? new Uint8Array()))).map((h) => h.kind === 'sni' && h.name);
        expect(names).toEqual(['www.example.org']);
      }),
      { numRuns: 60 },
    );
  });

  it('a hello cut into any CRYPTO frames, spread over packets in any way and order, names the flow once', () => {
    const dcid = hex('f0f1f2f3f4f5f6f7');
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: BIG_HELLO.length - 1 }), { maxLength: 12 }),
        fc.integer({ min: 2, max: 4 }),
        fc.array(fc.nat(), { minLength: 32, maxLength: 32 }),
        fc.constantFrom(V1, V2),
        (cuts, packets, random, version) => {
          const points = [0, ...[...cuts].sort((x, y) => x - y), BIG_HELLO.length];
          let drawn = 0;
          const next = (): number => random[drawn++ % random.length] ?? 0;
          // Each frame goes to a packet picked at random; a frame never straddles two packets.
          const perPacket: Uint8Array[][] = Array.from({ length: packets }, () => []);
          for (let i = 0; i + 1 < points.length; i++) {
            const from = points[i] ?? 0;
            perPacket[next() % packets]?.push(cryptoFrame(from, BIG_HELLO.subarray(from, points[i + 1])));
          }
          const datagrams = perPacket
            .filter((frames) => frames.length > 0)
            .map((frames, pn) => protectInitial({ dcid, version, packetNumber: pn, frames: coalesce(...frames) }));
          const order = datagrams.map((_, i) => i).sort(() => (next() % 3) - 1);
          const sniffer = createSniffer();
          const names = order.flatMap((i) => sniffer.onPayload(quicEvent('p', datagrams[i] ?? new Uint8Array()))).map((h) => h.kind === 'sni' && h.name);
          expect(names).toEqual(['www.example.org']);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('random bytes behind a QUIC v1/v2 Initial first byte never throw', () => {
    fc.assert(
      fc.property(fc.constantFrom(0xc0, 0xc3, 0xd3), fc.constantFrom([0, 0, 0, 1], [0x6b, 0x33, 0x43, 0xcf]), fc.uint8Array({ maxLength: 1300 }), (first, version, rest) => {
        const bytes = Uint8Array.from([first, ...version, ...rest]);
        const sniffer = createSniffer();
        expect(() => sniffer.onPayload(quicEvent('f', bytes))).not.toThrow();
        expect(() => readQuicDatagram(bytes)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });

  it('the RFC packet cut at any length never throws and never names', () => {
    for (let n = 0; n < A2_PROTECTED_V1.length; n += 7) {
      const sniffer = createSniffer();
      expect(sniffer.onPayload({ ...quicEvent('f', A2_PROTECTED_V1.subarray(0, n)), truncated: true })).toEqual([]);
    }
  });
});
