// Server-sent events over fetch, for the live feed: the browser's EventSource cannot send a header,
// and the live feed, like every read, needs the pairing token (which must not go in the URL, where
// logs and history keep it). Enough of EventSource for the HTTP client: named events, `retry:`,
// comments, onopen/onerror, reconnecting by itself until closed.

/** The part of EventSource the HTTP client uses. */
export interface LiveSourceLike {
  addEventListener(name: string, fn: (ev: Event) => void): void;
  removeEventListener(name: string, fn: (ev: Event) => void): void;
  onopen: ((ev: Event) => void) | null;
  onerror: ((ev: Event) => void) | null;
  close(): void;
}

/** Most bytes of one event before the stream is given up as broken (the server's frames are small). */
const MAX_EVENT_CHARS = 1024 * 1024;

export class FetchEventSource extends EventTarget implements LiveSourceLike {
  onopen: ((ev: Event) => void) | null = null;
  onerror: ((ev: Event) => void) | null = null;
  private retryMs = 5000;
  private closed = false;
  private controller: AbortController | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly url: string,
    private readonly headers: () => Record<string, string>,
    private readonly doFetch: typeof fetch = (input, init) => fetch(input, init),
  ) {
    super();
    void this.connect();
  }

  close(): void {
    this.closed = true;
    this.controller?.abort();
    if (this.timer !== null) clearTimeout(this.timer);
  }

  private failed(): void {
    if (this.closed) return;
    this.onerror?.(new Event('error'));
    this.timer = setTimeout(() => void this.connect(), this.retryMs);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.controller = new AbortController();
    try {
      const res = await this.doFetch(this.url, { headers: { Accept: 'text/event-stream', ...this.headers() }, signal: this.controller.signal });
      if (res.status !== 200 || res.body === null) {
        await res.body?.cancel();
        this.failed();
        return;
      }
      this.onopen?.(new Event('open'));
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(buffer[end] === '\r' ? end + 4 : end + 2).replace(/^\n/, '');
          this.dispatchBlock(block);
        }
        if (buffer.length > MAX_EVENT_CHARS) {
          await reader.cancel();
          break;
        }
      }
    } catch {
      // Aborted by close(), or the connection broke: failed() decides.
    }
    this.failed();
  }

  private dispatchBlock(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line === '' || line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    }
    if (data.length > 0) this.dispatchEvent(new MessageEvent(event, { data: data.join('\n') }));
  }
}
