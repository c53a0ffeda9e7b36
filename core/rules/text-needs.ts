import { codeTexts, type Predicate } from './tree';

/**
 * Texts of which at least one must appear in an event's raw line for `p` to hold: what a source
 * reading raw text (the file adapter's prefilter) can test before parsing. A necessary condition
 * only — a line that has one may still fail `p` — and undefined where no text follows from `p`
 * (a regex, a number, a configured list, a negation). Only text JSON writes unescaped counts:
 * printable ASCII without `"`, `\\` or `/` (some writers escape `/` as `\\/`), so each value
 * stands for its longest such run (`\\print$` → `print$`): a part of a value is in the line too.
 */
export function necessaryTexts(p: Predicate): string[] | undefined {
  switch (p.op) {
    case 'in': return plain(p.values.map(String));
    case 'code': return plain(p.codes.flatMap(codeTexts));
    case 'prefix': case 'suffix': case 'contains': return plain([p.value]);
    case 'and': {
      // Any conjunct's texts are necessary; the fewest alternatives test fastest and skip most.
      const lists = p.of.map(necessaryTexts).filter((l): l is string[] => l !== undefined);
      return lists.sort((a, b) => a.length - b.length)[0];
    }
    case 'or': {
      const lists = p.of.map(necessaryTexts);
      return lists.every((l): l is string[] => l !== undefined) ? [...new Set(lists.flat())] : undefined;
    }
    default: return undefined;
  }
}

/** The texts as one case-insensitive pattern (Windows writes names and values in any case). */
export function textPattern(texts: readonly string[]): RegExp {
  return new RegExp(texts.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
}

/** Shorter runs than this would match nearly every line: no use as a filter. */
const MIN_RUN = 3;

function plain(texts: readonly string[]): string[] | undefined {
  const runs = texts.map((t) => t.split(/[^\x20-\x7e]|["\\/]/).reduce((a, b) => (b.length > a.length ? b : a), ''));
  return runs.length > 0 && runs.every((r) => r.length >= MIN_RUN) ? [...new Set(runs)] : undefined;
}
