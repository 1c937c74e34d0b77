import { errorCode, oneLineMessage } from '../format-error.js';

/** One kind of failure of a run: its code, and the message of the first op that failed with it. */
export interface FirstError {
  code: string;
  message: string;
}

/** How many distinct codes a run keeps. */
export const FIRST_ERRORS = 5;

/** Keeps the first few distinct error codes of failed ops, each with its first message. */
export class FirstErrors {
  private readonly seen: FirstError[] = [];

  add(error: unknown): void {
    if (this.seen.length >= FIRST_ERRORS) return;
    const code = errorCode(error) ?? (error instanceof Error ? error.name : 'unknown');
    if (!this.seen.some((seen) => seen.code === code)) this.seen.push({ code, message: oneLineMessage(error) });
  }

  list(): FirstError[] {
    return [...this.seen];
  }
}
