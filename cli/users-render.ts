import { band } from '../core/scoring/bands';
import { ZETA_1_5 } from '../core/scoring/model';
import { topContributions } from '../core/scoring/score-update';
import type { RankedScore } from '../core/scoring/score-book';
import { renderTable } from './table';
import { displayName, userStory, type NameIndex } from './user-story';
import { visible } from './visible';

/** Text and JSON views of the priority scores: the ranking, and one user's page. */

const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z');
const n1 = (x: number) => x.toFixed(1);
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

export function rankingTable(ranked: readonly RankedScore[], at: number, total: number, names?: NameIndex): string {
  const rows = ranked.map((r, i) => [
    i + 1, displayName(r.entry.identity, names), r.entry.criticality.tier, n1(r.breakdown.score), band(r.breakdown.score),
    `${r.percentile.toFixed(0)}${r.percentile >= 90 ? ' !' : ''}`, signed(r.change24h) + (r.riskJump ? ' JUMP' : ''), topContributions(r.breakdown),
  ]);
  return `investigation priority at ${iso(at)} (${total} scored identities; ! = 90th percentile or above)\n\n`
    + renderTable(['#', 'identity', 'tier', 'score', 'band', 'pctl', '24h', 'top contributions'], rows);
}

export function rankingJson(ranked: readonly RankedScore[], at: number): object {
  return { at: new Date(at).toISOString(), users: ranked.map((r, i) => ({ rank: i + 1, ...userJson(r) })) };
}

export function userJson(r: RankedScore): object {
  const e = r.entry;
  return {
    identity: e.identity,
    criticality: e.criticality,
    score: r.breakdown.score,
    band: band(r.breakdown.score),
    percentile: r.percentile,
    change24h: r.change24h,
    riskJump: r.riskJump,
    breakdown: r.breakdown,
    timeline: [...e.signals].sort((a, b) => a.firstSeen - b.firstSeen).map((s) => ({
      alertId: s.alertId, detector: s.detector, title: s.title, severity: s.severity, role: s.role,
      firstSeen: new Date(s.firstSeen).toISOString(), lastSeen: new Date(s.lastSeen).toISOString(),
      description: s.description, evidenceCount: s.evidenceCount, events: s.events,
    })),
    history: e.history.map(([t, s]) => ({ time: new Date(t).toISOString(), score: s })),
    resets: e.resets.map((x) => ({ at: new Date(x.at).toISOString(), scoreBefore: x.scoreBefore })),
  };
}

/** One user's page: who, how critical, the score worked out line by line, then why (the alerts and their evidence) and what to do. */
export function userDetail(r: RankedScore, names: NameIndex): string {
  const e = r.entry;
  const b = r.breakdown;
  const i = e.identity;
  const out: string[] = [];
  const ids = [i.upn && `UPN ${i.upn}`, i.sam && `account ${i.sam}`, i.sid && `SID ${i.sid}`, i.objectId && `Entra object ${i.objectId}`].filter(Boolean).join(', ');
  out.push(`${visible(displayName(i, names))}  (${visible(ids || i.id)})\n`);
  out.push(`criticality ${e.criticality.tier} (K = ${e.criticality.multiplier})${e.criticality.reasons.length ? `: ${visible(e.criticality.reasons.join('; '))}` : ''}\n`);
  out.push(`score ${n1(b.score)} (${band(b.score)}) at ${iso(b.at)}, ${r.percentile.toFixed(0)}th percentile, ${signed(r.change24h)} in 24 h${r.riskJump ? ', RISK JUMP' : ''}\n`);
  if (b.clearedByReset) out.push(`${b.clearedByReset} signal(s) cleared by the reset at ${iso(e.resetAt ?? 0)}\n`);
  out.push('\ncontributions (v = r × c × p × q × share × decay)\n');
  out.push(renderTable(['alert', 'detector', 'stage', 'r', 'c', 'p', 'q', 'share', 'age h', 'half-life h', 'decay', 'v', 'k', '1/k^1.5'],
    b.rows.map((x) => [x.alertId, x.detector, x.stage, x.risk, f(x.precision), f(x.popularity), f(x.maturity), f(x.share), n1(x.ageHours), x.halfLifeHours, f(x.decay), f(x.value), x.rank, f(x.rankWeight)])));
  out.push('\nper detector (G = min(Σ v/k^1.5, 2 × max v))\n');
  out.push(renderTable(['detector', 'signals', 'Σ v/k^1.5', 'cap', 'G', 'j', '1/j^1.5', 'G/j^1.5'],
    b.rules.map((x) => [x.detector, x.signals, f(x.sum), f(x.cap) + (x.capped ? ' (capped)' : ''), f(x.value), x.rank, f(x.rankWeight), f(x.contribution)])));
  out.push(`\nA = ${f(b.total)}; ${b.floor > 0 ? `floor F = ${f(b.floor)} (conclusive alert ${b.floorAlertId ?? ''}); Aₙ = max(F, min(100, A / ${ZETA_1_5}))` : `Aₙ = min(100, A / ${ZETA_1_5})`} = ${f(b.normalised)}\n`);
  out.push(`kill chain: ${b.stages.length ? visible(b.stages.join(' → ')) : 'none'}${b.inOrder ? ' (in order within 24 h)' : ''}; B = ${f(b.bonus)}; A_b = min(99, Aₙ × B) = ${f(b.boosted)}\n`);
  out.push(`odds o = A_b / (100 − A_b) = ${f(b.odds)}; S = ${b.floor > 0 ? 'max(F, 100·K·o / (1 + K·o))' : '100·K·o / (1 + K·o)'} = ${f(b.score)}\n`);
  const story = userStory(r, names);
  out.push('\nwhy (alerts behind the score, oldest first)\n');
  for (const x of story.items) {
    out.push(`${iso(x.firstSeen)}  ${x.detector} (${x.severity}, ${x.role})  ${visible(x.alertId)}\n  ${visible(x.why)}\n`);
    for (const ev of x.evidence) out.push(`    ${visible(ev)}\n`);
    if (x.moreEvidence) out.push(`    … ${x.moreEvidence} more event(s)\n`);
  }
  if (story.recommendations.length) {
    out.push('\nwhat to do\n');
    for (const rec of story.recommendations) out.push(`  ${rec.detector}:\n${rec.steps.map((step) => `    - ${step}\n`).join('')}`);
  }
  if (e.resets.length) out.push(`\nresets: ${e.resets.map((x) => `${iso(x.at)} (was ${n1(x.scoreBefore)})`).join(', ')}\n`);
  return out.join('');
}

function f(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
}
