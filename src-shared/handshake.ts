// How a client makes sure it talks to netmon before it sends netmon's token or anything else, and how
// a dashboard opened by `netmon serve --open` gets the token without it ever being on a command line.
// Dependency-free so the renderer can import values; the extension checks its copies against these
// types (it imports only types from src-shared).
//
// Server proof: the client draws a random nonce and asks GET AUTH_PROVE_PATH?nonce=N (no token sent).
// The server answers HMAC-SHA256(token, serverProofMessage(host, N)) in hex, where host is the Host
// header it was asked on (so a proof made for one port is no proof for another). The client computes
// the same with the token it holds and sends nothing more unless they match: a program squatting on
// the port while netmon is down does not know the token, so it gets neither the token nor a hostname.
//
// Pairing code: `netmon serve --open` opens /#paircode=CODE, a one-time code that expires after
// PAIRING_CODE_TTL_S; the page POSTs it to PAIR_EXCHANGE_PATH and receives the token.

/** GET with `?nonce=` (32 to 128 lower-case hex digits): the server proves it knows the token. */
export const AUTH_PROVE_PATH = '/api/auth/prove';
/** POST `{ "code": CODE }`: a one-time pairing code for the token. */
export const PAIR_EXCHANGE_PATH = '/api/pair/exchange';
/** The fragment key of the one-time pairing code in the link `serve --open` opens (`/#paircode=CODE`). */
export const PAIRING_CODE_FRAGMENT_KEY = 'paircode';
/** How long a pairing code may be exchanged, seconds. */
export const PAIRING_CODE_TTL_S = 120;
/** A nonce as the server accepts it. */
export const PROOF_NONCE_PATTERN = /^[0-9a-f]{32,128}$/;
/** A pairing code: 128 random bits in hex. */
export const PAIRING_CODE_PATTERN = /^[0-9a-f]{32}$/;

/** The text the server's proof is the HMAC of: a fixed label (so the proof is no other message's MAC), the Host, the nonce. */
export function serverProofMessage(host: string, nonce: string): string {
  return `netmon-server-proof-v1\n${host.toLowerCase()}\n${nonce}`;
}
