import { EMPTY, IdIndex } from './id-index';

/**
 * The account key pool's text keys (`sam:`, `upn:`, `oid:` and SIDs kept as text) found by
 * their text (core/estate/account-keys.ts), read from the pool's own array of texts
 * (core/estate/id-index.ts). It replaced a Map<string, key id>, whose table was 3.5 MB at
 * 1 M events / 100 k accounts (bench/heap-census.ts). The texts array is the pool's: the
 * same array for the pool's life, an id's text set before it is added and kept until it is deleted.
 */
export class TextIndex extends IdIndex {
  constructor(private readonly texts: readonly (string | undefined)[]) {
    super();
  }

  find(text: string): number | undefined {
    const mask = this.slots.length - 1;
    for (let i = hash(text) & mask; ; i = (i + 1) & mask) {
      const id = this.slots[i] as number;
      if (id === EMPTY) return undefined;
      if (this.texts[id] === text) return id;
    }
  }

  protected homeOf(id: number): number {
    // A free id has no text (a release past the last holder deletes it again): it is not found.
    return hash(this.texts[id] ?? '');
  }
}

/** FNV-1a over the UTF-16 code units (as core/state/key-slots.ts hashes bytes), mixed at the end so that the low bits spread. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 15;
  return h >>> 0;
}
