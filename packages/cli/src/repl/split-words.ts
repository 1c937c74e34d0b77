/**
 * Splits one line typed at the prompt into words, as redis-cli does: spaces separate words, and
 * "double" or 'single' quotes keep spaces in one; inside double quotes, \" \\ \n \t and \xHH escape.
 * Throws on a quote left open.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i]!)) i++;
    if (i >= line.length) break;
    let word = '';
    while (i < line.length && !/\s/.test(line[i]!)) {
      const quote = line[i];
      if (quote !== '"' && quote !== "'") {
        word += line[i++];
        continue;
      }
      const close = i;
      i++;
      while (i < line.length && line[i] !== quote) {
        if (quote === '"' && line[i] === '\\' && i + 1 < line.length) {
          const [text, length] = escaped(line, i + 1);
          word += text;
          i += 1 + length;
        } else word += line[i++];
      }
      if (i >= line.length) throw new Error(`unbalanced quotes from column ${close + 1}`);
      i++;
    }
    words.push(word);
  }
  return words;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', '"': '"', '\\': '\\' };

function escaped(line: string, at: number): [text: string, length: number] {
  const letter = line[at]!;
  const hex = /^x([0-9a-fA-F]{2})/.exec(line.slice(at));
  if (hex) return [String.fromCharCode(parseInt(hex[1]!, 16)), 3];
  return [SIMPLE_ESCAPES[letter] ?? letter, 1];
}
