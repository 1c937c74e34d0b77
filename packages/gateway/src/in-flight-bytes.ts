/**
 * The bytes of requests a gateway holds at once. A request that would pass the cap is turned away
 * (HTTP) or waits (JSON), unless nothing else is held, so that one request at the size limit always
 * gets through.
 */
export class InFlightBytes {
  private held = 0;

  constructor(readonly max: number) {}

  get bytes(): number {
    return this.held;
  }

  tryHold(bytes: number): boolean {
    if (this.held > 0 && this.held + bytes > this.max) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held -= bytes;
  }
}
