/** Byte span reserved for one chunk in a location: location = chunk * SPAN + offset. */
const SPAN = 2 ** 32;

/** Copies below this many bytes are faster by hand than through Buffer#copy's bindings. */
const HAND_COPY_MAX = 256;

/** Copies `source[start, end)` to `target` at `offset`. */
export function copyBytes(source: Uint8Array, start: number, end: number, target: Buffer, offset: number): void {
  const length = end - start;
  if (length <= HAND_COPY_MAX) for (let i = 0; i < length; i++) target[offset + i] = source[start + i]!;
  else if (Buffer.isBuffer(source)) source.copy(target, offset, start, end);
  else target.set(source.subarray(start, end), offset);
}

/**
 * Holds byte records (the engine keeps each entry's key and value in one) in large shared buffers
 * instead of one Buffer object each, which costs far less memory per key. Records are appended and
 * never changed in place; freed bytes are counted, and a chunk whose records are all freed is
 * released. The engine moves the live records out of sparse chunks when too much is garbage (see
 * `sparseChunks`).
 */
export class ValueArena {
  private chunks: (Buffer | undefined)[] = [];
  private liveBytes: number[] = [];
  private readonly spareIds: number[] = [];
  private current = -1;
  private used = 0;
  private total = 0;
  private live = 0;

  constructor(private readonly chunkBytes = 8 * 1024 * 1024) {}

  /** Bytes held in chunks, live or not. */
  get allocatedBytes(): number {
    return this.total;
  }

  get garbageBytes(): number {
    return this.total - this.live;
  }

  /**
   * Reserves `length` bytes and returns their location, for the caller to fill through
   * `chunkBuffer` and `offsetOf`.
   */
  allocate(length: number): number {
    if (length > this.chunkBytes / 4) {
      // A large record gets a chunk of its own, released as soon as it is freed.
      const id = this.newChunk(length);
      this.liveBytes[id] = length;
      this.live += length;
      return id * SPAN;
    }
    if (this.current < 0 || this.used + length > this.chunks[this.current]!.length) {
      const previous = this.current;
      this.current = this.newChunk(this.chunkBytes);
      // A chunk emptied while it was being filled is released once it no longer is.
      if (previous >= 0 && this.liveBytes[previous] === 0) this.release(previous);
      this.used = 0;
    }
    const offset = this.used;
    this.used += length;
    this.liveBytes[this.current]! += length;
    this.live += length;
    return this.current * SPAN + offset;
  }

  /** Copies `source[start, end)` in and returns its location. */
  store(source: Uint8Array, start = 0, end = source.length): number {
    const location = this.allocate(end - start);
    copyBytes(source, start, end, this.chunkBuffer(location), this.offsetOf(location));
    return location;
  }

  /** A view of the stored bytes (not a copy; it stays valid after the record is freed). */
  view(location: number, length: number): Buffer {
    const id = Math.floor(location / SPAN);
    const offset = location - id * SPAN;
    return this.chunks[id]!.subarray(offset, offset + length);
  }

  /** The chunk a location is in, and the offset within it, for reading without a view. */
  chunkBuffer(location: number): Buffer {
    return this.chunks[Math.floor(location / SPAN)]!;
  }

  offsetOf(location: number): number {
    // Not `location % SPAN`: a float modulo is a call out of JIT code.
    return location - Math.floor(location / SPAN) * SPAN;
  }

  free(location: number, length: number): void {
    const id = Math.floor(location / SPAN);
    this.liveBytes[id]! -= length;
    this.live -= length;
    if (this.liveBytes[id] === 0 && id !== this.current) this.release(id);
  }

  /** Chunks, other than the one being filled, whose live share is below `maxLiveShare`. */
  sparseChunks(maxLiveShare: number): Set<number> {
    const sparse = new Set<number>();
    for (let id = 0; id < this.chunks.length; id++) {
      const chunk = this.chunks[id];
      if (chunk && id !== this.current && this.liveBytes[id]! < chunk.length * maxLiveShare) sparse.add(id);
    }
    return sparse;
  }

  chunkOf(location: number): number {
    return Math.floor(location / SPAN);
  }

  clear(): void {
    this.chunks = [];
    this.liveBytes = [];
    this.spareIds.length = 0;
    this.current = -1;
    this.used = 0;
    this.total = 0;
    this.live = 0;
  }

  private newChunk(bytes: number): number {
    const id = this.spareIds.pop() ?? this.chunks.length;
    this.chunks[id] = Buffer.allocUnsafeSlow(bytes);
    this.liveBytes[id] = 0;
    this.total += bytes;
    return id;
  }

  private release(id: number): void {
    this.total -= this.chunks[id]!.length;
    this.chunks[id] = undefined;
    this.liveBytes[id] = 0;
    this.spareIds.push(id);
  }
}
