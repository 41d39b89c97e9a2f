// The RADIUS Identifier space of one upstream socket or connection: 256 values, each naming at
// most one outstanding request (RFC 2865 3, RFC 5080 2.2.1). Allocation rotates through the space
// so a value freed by a timeout is not reused at once (a late answer then cannot match a new request).
export const IDS_PER_CHANNEL = 256;

export class IdSpace {
  private readonly used = new Uint8Array(IDS_PER_CHANNEL);
  private next = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= IDS_PER_CHANNEL;
  }

  /** A free identifier, or undefined when all 256 are outstanding. */
  take(): number | undefined {
    if (this.full) return undefined;
    for (let i = 0; i < IDS_PER_CHANNEL; i++) {
      const id = (this.next + i) % IDS_PER_CHANNEL;
      if (this.used[id] === 0) {
        this.used[id] = 1;
        this.count++;
        this.next = (id + 1) % IDS_PER_CHANNEL;
        return id;
      }
    }
    return undefined;
  }

  release(id: number): void {
    if (this.used[id] === 1) {
      this.used[id] = 0;
      this.count--;
    }
  }
}
