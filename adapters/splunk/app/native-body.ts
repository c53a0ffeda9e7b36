import type { DetectorDeclaration } from '../../../core/detectors/detector';
import type { RuleParams } from '../../../core/rules/evaluate';
import type { NativeQuery, OutputName } from '../../../core/rules/tree';
import { splCompiler } from '../compiler';

/**
 * The detection part of a native search: what `nativeStanza` (native-searches.ts) wraps with
 * the detector's labels, notable, risk and `_filter` macro, compiled from one query of the
 * detector's native form (core/rules) by the SPL compiler (../native-spl.ts).
 */
export interface NativeBody {
  /**
   * SPL from the index macro to the detection's last command. One result row per finding,
   * with `firstTime`, `lastTime` (epoch seconds), `count` (matching events, or the distinct
   * count the threshold is on) and the entity fields named in `entities`, lower-cased; the
   * `riskOn` fields are single-valued per row (risk lands on them); other outputs may be multivalue.
   */
  readonly spl: string;
  readonly entities: readonly NativeEntity[];
  /** The attacker side, which takes risk: the actor, or the source of a spray; first is the notable's subject. */
  readonly riskOn: readonly NativeEntity[];
  /** Minutes of events one scheduled run must see (the detector's window; 15 when uncounted). */
  readonly windowMinutes: number;
  /** Which add-on's data it reads, for the description. */
  readonly data: 'windows' | 'entra';
}

export type NativeEntity = 'user' | 'src' | 'dest';

export function compileNativeBody(d: DetectorDeclaration, q: NativeQuery, params: RuleParams): NativeBody {
  // Through the platform's compiler (core/rules/compiler.ts), as every native rule is written.
  const compiled = splCompiler.native(d, q, params);
  const names = q.outputs.map((o) => o.name);
  // Risk lands on an entity: the actor, a spray's source, or the host attacked when no actor is named (Zerologon's DC).
  if (q.riskObject === 'object') throw new Error(`${d.id}/${q.name}: risk lands on a user, a source or a host, not on the object touched`);
  // Risk needs one value per row: an aggregation's grouping keys are, its other outputs are lists.
  if (q.aggregate && !q.aggregate.by.includes(q.riskObject)) throw new Error(`${d.id}/${q.name}: risk on ${q.riskObject}, which the query does not group by`);
  return {
    spl: compiled.query,
    entities: names.filter(isEntity),
    // The attacker side: the risk object, and the other grouping key a threshold counts over
    // (brute force: the account and the source hammering it).
    riskOn: [q.riskObject, ...(q.aggregate?.by ?? []).filter((b): b is 'user' | 'src' => (b === 'user' || b === 'src') && b !== q.riskObject)] as NativeEntity[],
    windowMinutes: compiled.windowMinutes,
    data: q.match.every((b) => b.source.kind === 'cloud') ? 'entra' : 'windows',
  };
}

function isEntity(n: OutputName): n is NativeEntity {
  return n === 'user' || n === 'src' || n === 'dest';
}
