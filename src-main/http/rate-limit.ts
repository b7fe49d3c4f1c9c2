// A token bucket for writes: `capacity` requests at once, refilled at `refillPerSecond`. Time comes
// from an injected monotonic clock so tests can drive it and a wall-clock jump cannot refill it.

/** Token bucket settings. */
export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
}

/** A token bucket. */
export interface RateLimiter {
  /** Takes one token; false when the bucket is empty. */
  tryTake(): boolean;
  /** Seconds until the next token (for `Retry-After`), at least 1. */
  retryAfterSeconds(): number;
}

/** Creates a full bucket. `mono` is milliseconds on a clock that never goes back. */
export function createRateLimiter(options: RateLimitOptions, mono: () => number): RateLimiter {
  if (!(options.capacity >= 1) || !(options.refillPerSecond > 0)) {
    throw new Error('rate limit: capacity must be at least 1 and refillPerSecond above 0');
  }
  let tokens = options.capacity;
  let last = mono();
  const refill = (): void => {
    const now = mono();
    const elapsed = Math.max(0, now - last) / 1000;
    last = now;
    tokens = Math.min(options.capacity, tokens + elapsed * options.refillPerSecond);
  };
  return {
    tryTake() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    retryAfterSeconds() {
      refill();
      return Math.max(1, Math.ceil((1 - tokens) / options.refillPerSecond));
    },
  };
}
