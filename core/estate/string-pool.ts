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
  reintern(from: StringPool, id: number): number {
    return id === 0 ? 0 : this.id(from.text(id) as string);
  }

  strings(): readonly string[] {
    return this.texts;
  }
}
