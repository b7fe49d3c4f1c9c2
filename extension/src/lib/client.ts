// One POST to netmon and what came of it, sorted into what the extension does next: go on, wait
// for netmon to run, wait to be paired, drop a report netmon refused, or slow down.
import { TOKEN_HEADER, type Outgoing } from './contract.js';

/** The result of one request. */
export type Outcome =
  | { kind: 'ok' }
  /** No answer (netmon is not running, or not on this port), or an answer that says try later. */
  | { kind: 'not-running'; detail: string }
  /** No token, or netmon refused it: pair again. */
  | { kind: 'not-paired'; detail: string }
  /** netmon refused this report itself (400 bad data, 413 too large): drop it, never retry it. */
  | { kind: 'refused'; status: number; detail: string }
  /** netmon refused the link, not the report (403 origin, 404 an older netmon, 415, 421 host…): keep it, say so. */
  | { kind: 'problem'; status: number; detail: string }
  /** Rate-limited: wait this long. */
  | { kind: 'busy'; retryAfterMs: number };

/** The fetch this file needs (the global one in a browser; a fake in tests). */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

async function errorText(res: { text(): Promise<string> }): Promise<string> {
  try {
    const body = JSON.parse(await res.text()) as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : '';
  } catch {
    return '';
  }
}

/** Posts `item` to netmon at `http://127.0.0.1:port` with the pairing token. */
export async function post(fetchFn: FetchLike, port: number, token: string, item: Outgoing, timeoutMs = 5000): Promise<Outcome> {
  if (token === '') return { kind: 'not-paired', detail: 'no pairing token yet' };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const res = await fetchFn(`http://127.0.0.1:${port}${item.path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [TOKEN_HEADER]: token },
      body: JSON.stringify(item.body),
      signal: controller.signal,
    });
    if (res.status === 200) return { kind: 'ok' };
    if (res.status === 401) return { kind: 'not-paired', detail: await errorText(res) };
    if (res.status === 429) {
      const after = Number(res.headers.get('retry-after') ?? '1');
      return { kind: 'busy', retryAfterMs: Math.min(60, Number.isFinite(after) && after > 0 ? after : 1) * 1000 };
    }
    // 503 and other server trouble: the report is fine, netmon is not (yet).
    if (res.status >= 500) return { kind: 'not-running', detail: `netmon answered ${res.status}` };
    if (res.status === 400 || res.status === 413) return { kind: 'refused', status: res.status, detail: await errorText(res) };
    return { kind: 'problem', status: res.status, detail: `netmon refused the reports (HTTP ${res.status}${await errorText(res).then((t) => (t === '' ? '' : `: ${t}`))})` };
  } catch (err) {
    return { kind: 'not-running', detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
