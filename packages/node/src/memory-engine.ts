import { ContentDigest, type SnapshotEntry, type Write } from '@brainer/protocol';
import type { StorageEngine, StoredEntry } from './storage-engine.js';

/** The default engine: a Map in memory, with the digest kept current on every change. */
export class MemoryEngine implements StorageEngine {
  private readonly map = new Map<string, StoredEntry>();
  private readonly contentDigest = new ContentDigest();

  get size(): number {
    return this.map.size;
  }

  get digest(): string {
    return this.contentDigest.toString();
  }

  get(key: string, nowMs: number): StoredEntry | undefined {
    const entry = this.map.get(key);
    if (!entry || (entry.expiresAt !== 0 && entry.expiresAt <= nowMs)) return undefined;
    return entry;
  }

  apply(seq: number, write: Write, nowMs: number): boolean {
    const existing = this.map.get(write.key);
    if (existing && existing.seq >= seq) return false;
    if (write.kind === 'set') {
      this.put(write.key, { value: Buffer.from(write.value), seq, expiresAt: write.expiresAt }, existing);
      return false;
    }
    if (!existing) return false;
    this.map.delete(write.key);
    this.contentDigest.remove(write.key, existing.value);
    return existing.expiresAt === 0 || existing.expiresAt > nowMs;
  }

  load(entry: SnapshotEntry): void {
    const existing = this.map.get(entry.key);
    if (existing && existing.seq >= entry.seq) return;
    this.put(entry.key, { value: Buffer.from(entry.value), seq: entry.seq, expiresAt: entry.expiresAt }, existing);
  }

  keys(matches: (key: string) => boolean, nowMs: number): string[] {
    const keys: string[] = [];
    for (const [key, entry] of this.map) {
      if ((entry.expiresAt === 0 || entry.expiresAt > nowMs) && matches(key)) keys.push(key);
    }
    return keys;
  }

  entries(): IterableIterator<[string, StoredEntry]> {
    return this.map.entries();
  }

  clear(): void {
    this.map.clear();
    this.contentDigest.clear();
  }

  private put(key: string, entry: StoredEntry, existing: StoredEntry | undefined): void {
    if (existing) this.contentDigest.remove(key, existing.value);
    this.map.set(key, entry);
    this.contentDigest.add(key, entry.value);
  }
}
