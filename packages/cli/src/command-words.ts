/**
 * Command names are case-insensitive, as redis-cli's are: `GET k` runs `get`. Rewrites the leading
 * words of `argv` (the command, and a topic's command) to the case of the command they name.
 * `isKnown` says whether an id (`get`, `bucket`, `bucket:get`) names a command or a topic.
 */
export function commandInLowerCase(argv: readonly string[], isKnown: (id: string) => boolean): string[] {
  const out = [...argv];
  let id: string | undefined;
  for (let i = 0; i < out.length; i++) {
    const word = out[i]!;
    if (word.startsWith('-')) break;
    const asTyped = id === undefined ? word : `${id}:${word}`;
    const lower = id === undefined ? word.toLowerCase() : `${id}:${word.toLowerCase()}`;
    if (isKnown(asTyped)) id = asTyped;
    else if (lower !== asTyped && isKnown(lower)) {
      out[i] = word.toLowerCase();
      id = lower;
    } else break;
  }
  return out;
}

/** The command ids closest to `typed` (at most two edits away, or starting with it), best first. */
export function closestCommands(typed: string, ids: readonly string[]): string[] {
  const word = typed.toLowerCase();
  return ids
    .map((id) => ({ id, distance: id.startsWith(word) ? 1 : editDistance(word, id) }))
    .filter(({ distance }) => distance <= Math.min(2, Math.max(1, Math.floor(word.length / 2))))
    .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id))
    .map(({ id }) => id);
}

/** Levenshtein distance, with a swap of two neighbouring letters counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}
