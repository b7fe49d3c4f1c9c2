// The write rate limit's token bucket, driven by a hand-moved monotonic clock.
import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src-main/http/rate-limit.js';

describe('createRateLimiter', () => {
  it('allows a burst of `capacity`, then refills at the given rate', () => {
    let now = 1000;
    const bucket = createRateLimiter({ capacity: 3, refillPerSecond: 2 }, () => now);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, true, false]);
    // 2 tokens per second: one token after 500 ms, not before.
    now += 499;
    expect(bucket.tryTake()).toBe(false);
    now += 1;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
  });

  it('never holds more than its capacity, however long it idles', () => {
    let now = 0;
    const bucket = createRateLimiter({ capacity: 2, refillPerSecond: 100 }, () => now);
    now += 3_600_000;
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  });

  it('says how long to wait, at least a second', () => {
    let now = 0;
    const bucket = createRateLimiter({ capacity: 1, refillPerSecond: 0.25 }, () => now);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.retryAfterSeconds()).toBe(4);
    now += 3000;
    expect(bucket.retryAfterSeconds()).toBe(1);
  });

  it('is not refilled by a clock that goes back', () => {
    let now = 10_000;
    const bucket = createRateLimiter({ capacity: 1, refillPerSecond: 1 }, () => now);
    expect(bucket.tryTake()).toBe(true);
    now = 0;
    expect(bucket.tryTake()).toBe(false);
  });

  it('refuses a bucket that could never admit anything', () => {
    expect(() => createRateLimiter({ capacity: 0, refillPerSecond: 1 }, () => 0)).toThrow(/capacity/);
    expect(() => createRateLimiter({ capacity: 1, refillPerSecond: 0 }, () => 0)).toThrow(/refillPerSecond/);
  });
});
