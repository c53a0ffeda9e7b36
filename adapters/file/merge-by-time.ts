import type { SourceRecord } from '../../core/engine/ports';
import { timestamp } from '../../core/events/fields';

/**
 * Merges record streams that are each in time order (one export per DC) into one stream in
 * time order, so joins across DCs — a TGT on one, its service ticket on another — see events
 * as they happened. Records without a readable time pass straight through.
 */
export async function* mergeByTime(streams: readonly AsyncIterable<readonly SourceRecord[]>[], pageSize = 1000): AsyncIterable<SourceRecord[]> {
  const opened: Head[] = [];
  try {
    const heads: Head[] = [];
    let out: SourceRecord[] = [];
    for (const stream of streams) {
      const head = new Head(stream[Symbol.asyncIterator]());
      opened.push(head);
      if (await head.advance(out)) heads.push(head);
    }
    const heap = new MinHeap(heads);
    while (heap.size > 0) {
      const head = heap.peek();
      out.push(head.record);
      if (!(await head.advance(out))) heap.pop();
      else heap.fixTop();
      if (out.length >= pageSize) {
        yield out;
        out = [];
      }
    }
    if (out.length) yield out;
  } finally {
    // A consumer that stops early (or a stream that fails) leaves the others mid-read: end each,
    // so every input closes its file (an ended stream's `return` does nothing).
    for (const head of opened) await head.close();
  }
}

class Head {
  record!: SourceRecord;
  time = 0;
  private page: readonly SourceRecord[] = [];
  private index = 0;

  constructor(private readonly pages: AsyncIterator<readonly SourceRecord[]>) {}

  async close(): Promise<void> {
    await this.pages.return?.();
  }

  /** Moves to the next timed record; untimed ones go to `passThrough` at once. */
  async advance(passThrough: SourceRecord[]): Promise<boolean> {
    for (;;) {
      while (this.index < this.page.length) {
        const r = this.page[this.index++] as SourceRecord;
        const t = r.kind === 'record' ? timeOf(r.value) : undefined;
        if (t === undefined) {
          passThrough.push(r);
          continue;
        }
        this.record = r;
        this.time = t;
        return true;
      }
      const next = await this.pages.next();
      if (next.done) return false;
      this.page = next.value;
      this.index = 0;
    }
  }
}

function timeOf(value: unknown): number | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  return timestamp(v['TimeCreated'] ?? v['TimeGenerated']);
}

/** A binary min-heap on head time; ties keep input order, so the merge is deterministic. */
class MinHeap {
  private readonly items: { head: Head; order: number }[];

  constructor(heads: readonly Head[]) {
    this.items = heads.map((head, order) => ({ head, order }));
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.down(i);
  }

  get size(): number {
    return this.items.length;
  }

  peek(): Head {
    return (this.items[0] as { head: Head }).head;
  }

  pop(): void {
    const last = this.items.pop();
    if (last && this.items.length) {
      this.items[0] = last;
      this.down(0);
    }
  }

  fixTop(): void {
    this.down(0);
  }

  private less(a: number, b: number): boolean {
    const x = this.items[a] as { head: Head; order: number };
    const y = this.items[b] as { head: Head; order: number };
    return x.head.time < y.head.time || (x.head.time === y.head.time && x.order < y.order);
  }

  private down(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.items.length && this.less(l, m)) m = l;
      if (r < this.items.length && this.less(r, m)) m = r;
      if (m === i) return;
      const tmp = this.items[i] as { head: Head; order: number };
      this.items[i] = this.items[m] as { head: Head; order: number };
      this.items[m] = tmp;
      i = m;
    }
  }
}
