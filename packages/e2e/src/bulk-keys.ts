import type { Brainer } from '@brainer/client';

/** The value `bulk:<i>` holds: its index, then filler up to `valueBytes`. */
export function bulkValue(i: number, valueBytes: number): string {
  const head = `${i}:`;
  return head + 'x'.repeat(Math.max(0, valueBytes - head.length));
}

/** Sets `bulk:0` … `bulk:<count - 1>`, 2,000 writes in flight at a time. */
export async function loadBulk(client: Brainer, count: number, valueBytes: number): Promise<void> {
  for (let start = 0; start < count; start += 2000) {
    const end = Math.min(count, start + 2000);
    await Promise.all(Array.from({ length: end - start }, (_, j) => client.set(`bulk:${start + j}`, bulkValue(start + j, valueBytes))));
  }
}

/** The indexes of the `bulk:` keys that do not read back with their value. */
export async function missingBulk(client: Brainer, count: number, valueBytes: number): Promise<number[]> {
  const missing: number[] = [];
  for (let start = 0; start < count; start += 2000) {
    const end = Math.min(count, start + 2000);
    const values = await Promise.all(Array.from({ length: end - start }, (_, j) => client.get(`bulk:${start + j}`)));
    values.forEach((value, j) => {
      if (value !== bulkValue(start + j, valueBytes)) missing.push(start + j);
    });
  }
  return missing;
}
