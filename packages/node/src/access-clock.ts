/** The access clock ticks every 10 ms: 32 bits of ticks wrap after about 497 days. */
export const CLOCK_TICK_MS = 10;
const CLOCK_WRAP = 2 ** 32;

/** The LFU counter of a new entry, as in Redis: a new key is not the first to go. */
export const LFU_INIT_VAL = 5;
/** How hard the counter is to raise (Redis's `lfu-log-factor`): at 10, about a million hits reach 255. */
export const LFU_LOG_FACTOR = 10;
/** The counter loses one for every this many ms the entry is idle (Redis's `lfu-decay-time`, one minute). */
export const LFU_DECAY_MS = 60_000;

const INITIAL_SLOTS = 1024;

/** Redis's logarithmic counter: one more access raises it with probability 1 / ((counter - init) * factor + 1). */
export function lfuIncrement(counter: number, random: number, logFactor = LFU_LOG_FACTOR): number {
  if (counter >= 255) return 255;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return random < 1 / (base * logFactor + 1) ? counter + 1 : counter;
}

/** The counter after `idleMs` without access: one less per decay period, never below 0. */
export function lfuDecay(counter: number, idleMs: number, decayMs = LFU_DECAY_MS): number {
  const periods = Math.floor(idleMs / decayMs);
  return periods >= counter ? 0 : counter - periods;
}

/** Ticks from `then` to `now` on a clock that wraps, as Redis's `estimateObjectIdleTime` counts them. */
export function ticksBetween(then: number, now: number): number {
  return now >= then ? now - then : now + CLOCK_WRAP - then;
}

/**
 * When each entry was last read or written, and how often, by slot number: 5 bytes an entry (a
 * 32-bit clock of 10 ms ticks and an 8-bit LFU counter), so that the broker can ask a node for
 * eviction candidates (`evict-sample`). Each node counts the accesses it serves itself: reads go to
 * a key's primary, so the primary's figures are the ones that matter.
 */
export class AccessClock {
  private ticks = new Uint32Array(INITIAL_SLOTS);
  private counters = new Uint8Array(INITIAL_SLOTS);

  /** `now`: a monotonic clock in ms; `random`: in [0, 1), for the counter's increments. */
  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly random: () => number = Math.random,
  ) {}

  /** A new entry in `slot`: accessed now, its counter at `LFU_INIT_VAL`. */
  created(slot: number): void {
    if (slot >= this.ticks.length) this.grow(slot);
    this.ticks[slot] = this.tickNow();
    this.counters[slot] = LFU_INIT_VAL;
  }

  /** A read or a write of the entry in `slot`. */
  touched(slot: number): void {
    const now = this.tickNow();
    const idleMs = ticksBetween(this.ticks[slot]!, now) * CLOCK_TICK_MS;
    this.counters[slot] = lfuIncrement(lfuDecay(this.counters[slot]!, idleMs), this.random());
    this.ticks[slot] = now;
  }

  idleMs(slot: number): number {
    return ticksBetween(this.ticks[slot]!, this.tickNow()) * CLOCK_TICK_MS;
  }

  /** The entry's counter as decayed to now (not stored: only an access changes it). */
  frequency(slot: number): number {
    return lfuDecay(this.counters[slot]!, this.idleMs(slot));
  }

  clear(): void {
    this.ticks = new Uint32Array(INITIAL_SLOTS);
    this.counters = new Uint8Array(INITIAL_SLOTS);
  }

  private tickNow(): number {
    return Math.floor(this.now() / CLOCK_TICK_MS) % CLOCK_WRAP;
  }

  private grow(slot: number): void {
    const size = Math.max(slot + 1, this.ticks.length * 2);
    const ticks = new Uint32Array(size);
    ticks.set(this.ticks);
    const counters = new Uint8Array(size);
    counters.set(this.counters);
    this.ticks = ticks;
    this.counters = counters;
  }
}
