// GET /api/v1/live: the live feed as server-sent events. Each client gets the reconnect delay, the
// latest rate at once, every event after it and a keep-alive comment; a client that cannot keep up
// is dropped rather than buffered for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveEvent, LiveEvents } from '../../src-shared/contract/types.js';
import type { LiveSource } from '../api/live.js';
import { createLogger } from '../engine/log.js';
import { sendError } from './respond.js';

const log = createLogger('http');

// A live client that cannot keep up (its socket buffer holds this much) is dropped.
const MAX_LIVE_BACKLOG = 1024 * 1024;

/** The server's live-feed clients. */
export interface LiveStreams {
  /** Answers one GET of the live feed (or 503 past the client limit) and keeps it open. */
  serve(req: IncomingMessage, res: ServerResponse, live: LiveSource): void;
  /** Clients connected now. */
  count(): number;
  /** Ends every client's stream (the server is closing). */
  endAll(): void;
}

function liveFrame(event: LiveEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

export function createLiveStreams(options: { maxClients: number; heartbeatMs: number }): LiveStreams {
  const { maxClients, heartbeatMs } = options;
  const responses = new Set<ServerResponse>();
  return {
    serve(req, res, live) {
      if (responses.size >= maxClients) {
        sendError(res, 'unavailable', `too many live-feed clients (at most ${maxClients})`, { 'Retry-After': '5' });
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'X-Accel-Buffering': 'no' });
      res.flushHeaders();
      responses.add(res);
      let heartbeat: NodeJS.Timeout | null = null;
      const send = (text: string): void => {
        if (res.writableLength > MAX_LIVE_BACKLOG) {
          log.warn('live client too slow; disconnected');
          res.destroy();
          return;
        }
        res.write(text);
      };
      const unsubscribe = live.subscribe((event) => send(liveFrame(event)));
      const beat = (): void => {
        send(': keep-alive\n\n');
        heartbeat = setTimeout(beat, heartbeatMs);
      };
      heartbeat = setTimeout(beat, heartbeatMs);
      const cleanup = (): void => {
        unsubscribe();
        if (heartbeat !== null) clearTimeout(heartbeat);
        heartbeat = null;
        responses.delete(res);
      };
      req.on('close', cleanup);
      res.on('close', cleanup);
      // The reconnect delay first, then the latest rate so a new client has something to show at once.
      send('retry: 5000\n\n');
      const latest: LiveEvents['rate'] | null = live.latestRate();
      if (latest !== null) send(liveFrame({ event: 'rate', data: latest }));
    },
    count: () => responses.size,
    endAll() {
      for (const res of responses) res.end();
      responses.clear();
    },
  };
}
