/**
 * Interned strings for the compact estate tables (logon sessions, front-ends): a table column
 * holds the id, and "10.0.0.9" or "alice" is held once however many rows name it.
 * Id 0 is "absent", ids from 1.
 */
export class StringPool {
  private readonly ids = new Map<string, number>();
  private readonly texts: string[] = [];

  get size(): number {
    return this.texts.length;
  }

  /** The id of `s`, interned when new. */
  id(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      this.texts.push(s);
      id = this.texts.length;
      this.ids.set(s, id);
    }
    return id;
  }

  /** The id of `s`, or 0 when it is not interned (a lookup never grows the pool). */
  find(s: string): number {
    return this.ids.get(s) ?? 0;
  }

  text(id: number): string | undefined {
    return id === 0 ? undefined : this.texts[id - 1];
  }

  /** The id in this pool of what `id` names in `from`. */
  reintern(from: { text(id: number): string | undefined }, id: number): number {
    return id === 0 ? 0 : this.id(from.text(id) as string);
  }

  strings(): readonly string[] {
    return this.texts;
  }
}

/**
 * Interned strings counted by the rows that name them: a string goes when its last row does,
 * so the pool holds exactly the live strings, with no rebuild. Logon sessions turn over
 * every ticket lifetime; a pool that only grew (rebuilt at five strings per live session)
 * held 180,000 strings for 87,000 sessions at 1 M events (issue 13). Id 0 is "absent".
 */
export class CountedStrings {
  private readonly ids = new Map<string, number>();
  private texts: (string | undefined)[] = [undefined];
  private counts = new Int32Array(1024);
  private readonly free: number[] = [];

  get size(): number {
    return this.ids.size;
  }

  /** The id of `s`, one more row naming it. */
  acquire(s: string): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.free.pop() ?? this.texts.length;
      if (id === this.texts.length) this.texts.push(s);
      else this.texts[id] = s;
      if (id >= this.counts.length) {
        const more = new Int32Array(this.counts.length * 2);
        more.set(this.counts);
        this.counts = more;
      }
      this.ids.set(s, id);
    }
    this.counts[id] = (this.counts[id] as number) + 1;
    return id;
  }

  /** One row fewer naming `id` (0: nothing); the string goes with its last row. */
  release(id: number): void {
    if (id === 0) return;
    const n = (this.counts[id] as number) - 1;
    this.counts[id] = n;
    if (n > 0) return;
    this.ids.delete(this.texts[id] as string);
    this.texts[id] = undefined;
    this.free.push(id);
  }

  /** The id of `s`, or 0 when no row names it (a lookup never grows the pool). */
  find(s: string): number {
    return this.ids.get(s) ?? 0;
  }

  text(id: number): string | undefined {
    return id === 0 ? undefined : this.texts[id];
  }
}
