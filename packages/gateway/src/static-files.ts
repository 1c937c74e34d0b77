import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The status page's files: `public/` of this package, beside `dist/` both in the repository and once packed. */
export const PUBLIC_DIR = fileURLToPath(new URL('../../public/', import.meta.url));

/** What each URL serves from PUBLIC_DIR, and as what type. */
export const STATUS_PAGE_FILES: Readonly<Record<string, { file: string; type: string }>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/status.js': { file: 'status.js', type: 'text/javascript; charset=utf-8' },
  '/status.css': { file: 'status.css', type: 'text/css; charset=utf-8' },
};

export interface StaticFile {
  body: Buffer;
  type: string;
}

/** Reads the page's files once, when the gateway is built; a file missing fails it then, naming the file. */
export function loadStaticFiles(dir: string = PUBLIC_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const [url, { file, type }] of Object.entries(STATUS_PAGE_FILES)) {
    const path = new URL(file, `file://${dir.endsWith('/') ? dir : `${dir}/`}`);
    try {
      files.set(url, { body: readFileSync(path), type });
    } catch (error) {
      throw new Error(`the status page's ${file} is missing from ${dir}: ${String(error)}`, { cause: error });
    }
  }
  return files;
}
