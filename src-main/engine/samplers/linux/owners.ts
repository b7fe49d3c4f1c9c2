// Who owns each socket of a poll: the process `users:` names (read from /proc once per process per
// poll), sticky to the socket: an orphan (closed by its process, still sending its last data) keeps the
// owner we saw, a socket shared after fork() stays with the process we chose while it holds it, and a
// socket nobody could be tied to (another user's, when we are not root) gets its uid.
import type { ProcessInfo } from '../../types.js';
import { uidOwner } from '../kit/flow-book.js';
import type { ProcReader } from './proc.js';
import type { SsSocket } from './ss-parse.js';

/** The owner of each socket (by cookie); `previous` is the owner the sampler already holds for a cookie. */
export async function resolveOwners(sockets: readonly SsSocket[], proc: ProcReader, previous: (cookie: string) => ProcessInfo | null): Promise<Map<string, ProcessInfo | null>> {
  const owners = new Map<string, ProcessInfo | null>();
  // One /proc read per process per poll, however many sockets it holds.
  const byPid = new Map<number, Promise<ProcessInfo | null>>();
  const processOf = (pid: number): Promise<ProcessInfo | null> => {
    let pending = byPid.get(pid);
    if (pending === undefined) {
      pending = proc.process(pid);
      byPid.set(pid, pending);
    }
    return pending;
  };
  await Promise.all(
    sockets.map(async (socket) => {
      const held = previous(socket.cookie);
      if (socket.users.length === 0) {
        owners.set(socket.cookie, held ?? uidOwner(socket));
        return;
      }
      const keep = held !== null && held.pid > 0 ? socket.users.find((u) => u.pid === held.pid) : undefined;
      const user = keep ?? socket.users.reduce((a, b) => (b.pid < a.pid ? b : a));
      const info = await processOf(user.pid);
      owners.set(socket.cookie, info ?? { pid: user.pid, name: user.name, uid: socket.uid, cgroup: socket.cgroup ?? undefined });
    }),
  );
  return owners;
}
