// serve stops by itself when whoever started it is gone. `npm run serve` and `npx netmon serve` run it
// under `sh -c`, which does not pass SIGTERM on: a service manager or script that stops npm would leave
// serve running, holding its port and its sampler, with no terminal. When that happens the kernel gives
// serve a new parent (init or a subreaper): a change of parent pid is the sign, checked every few
// seconds (cheap: no system call beyond getppid). Started with parent 1 (launchd, a container's init)
// there is nothing to watch.

/** Calls `onGone` once when this process's parent changes; returns a function that stops watching. */
export function watchParent(onGone: (why: string) => void, options: { intervalMs?: number; ppid?: () => number } = {}): () => void {
  const ppid = options.ppid ?? (() => process.ppid);
  const first = ppid();
  if (first <= 1) return () => undefined;
  const timer = setInterval(() => {
    const now = ppid();
    if (now === first) return;
    clearInterval(timer);
    onGone(`its parent process (pid ${first}) went away`);
  }, options.intervalMs ?? 2000);
  timer.unref();
  return () => clearInterval(timer);
}
