// Keeping state in storage.session without timers: a timer dies with the service worker (Chromium
// stops it after 30 s without events, or at any time), so each change is written at once, in order;
// changes made while a write is in flight are folded into the next write.

export class SessionWriter {
  private writing = false;
  private dirty = false;

  constructor(
    /** Writes the current value (storage.session.set). */
    private readonly write: (value: unknown) => Promise<void>,
    /** The value as it is now. */
    private readonly current: () => unknown,
  ) {}

  /** The value changed: write it now, or right after the write in flight. */
  touch(): void {
    this.dirty = true;
    if (!this.writing) void this.flush();
  }

  /** Resolves when nothing is left to write (tests). */
  async settled(): Promise<void> {
    while (this.writing || this.dirty) await new Promise((resolve) => setTimeout(resolve, 0));
  }

  private async flush(): Promise<void> {
    this.writing = true;
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.write(this.current()).catch(() => undefined);
      }
    } finally {
      this.writing = false;
    }
  }
}
