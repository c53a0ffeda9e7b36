import type { RankedScore } from '../core/scoring/score-book';
import { band } from '../core/scoring/bands';
import { topContributions } from '../core/scoring/score-update';
import { displayName, userStory, type NameIndex } from './user-story';
import { visible } from './visible';

/**
 * The HTML report of `tierzero users --html`: one self-contained page (inline CSS and SVG, no
 * script, a Content-Security-Policy that forbids loading anything) so it can be mailed or
 * attached to a ticket: score over time for the top users, the ranking, and for each top user
 * why it ranks (each alert in plain language with its evidence), what to do, and the
 * contribution tables — the same story `users --user` prints (cli/user-story.ts).
 */

const WIDTH = 900;
const HEIGHT = 320;
const PAD = { left: 44, right: 16, top: 16, bottom: 36 };
const COLORS = ['#c0392b', '#2471a3', '#229954', '#b9770e', '#7d3c98', '#17a589', '#a04000', '#566573'];
const CHART_USERS = 8;
const WINDOW_MS = 7 * 24 * 3_600_000;

export interface ReportOptions {
  readonly at: number;
  readonly top: number;
  /** The score of an identity at any time (the score book's model), to draw decay as it happens. */
  readonly scoreAt: (r: RankedScore, t: number) => number;
  /** Names for SIDs and GUIDs, so people are shown rather than identifiers where the book knows them. */
  readonly names: NameIndex;
}

const SAMPLES = 160;

export function renderUsersHtml(ranked: readonly RankedScore[], o: ReportOptions): string {
  const top = ranked.slice(0, o.top);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>tierzero: investigation priority at ${esc(isoTime(o.at))}</title>
<style>${CSS}</style></head><body>
<h1>Investigation priority</h1>
<p class="meta">Scores at ${esc(isoTime(o.at))} (event time) for ${ranked.length} scored identities. A score is explained to the last number by its contribution table; red percentiles are the 90th or above.</p>
<h2>Score over time</h2>
${chart(top.slice(0, CHART_USERS), o)}
<h2>Ranking</h2>
${rankingTable(top, o.names)}
${top.map((r, i) => userSection(r, i + 1, o.names)).join('\n')}
</body></html>
`;
}

function chart(series: readonly RankedScore[], o: ReportOptions): string {
  const { at } = o;
  const times = series.flatMap((r) => r.entry.signals.map((s) => s.firstSeen));
  const from = Math.max(Math.min(at - 3_600_000, ...times), at - WINDOW_MS);
  const x = (t: number) => PAD.left + ((t - from) / (at - from)) * (WIDTH - PAD.left - PAD.right);
  const y = (s: number) => PAD.top + (1 - s / 100) * (HEIGHT - PAD.top - PAD.bottom);
  const grid = [0, 20, 40, 70, 90, 100].map((s) => `<line class="grid" x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y(s).toFixed(1)}" y2="${y(s).toFixed(1)}"/><text class="tick" x="${PAD.left - 6}" y="${(y(s) + 4).toFixed(1)}" text-anchor="end">${s}</text>`).join('');
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((q) => {
    const t = from + q * (at - from);
    const anchor = q === 0 ? 'start' : q === 1 ? 'end' : 'middle';
    return `<text class="tick" x="${x(t).toFixed(1)}" y="${HEIGHT - 12}" text-anchor="${anchor}">${esc(isoTime(t).slice(5, 16).replace('T', ' '))}</text>`;
  }).join('');
  const lines = series.map((r, i) => {
    const points = sampleTimes(r, from, at).map((t) => `${x(t).toFixed(1)},${y(o.scoreAt(r, t)).toFixed(1)}`).join(' ');
    const name = displayName(r.entry.identity, o.names);
    return `<polyline class="series" data-identity="${esc(name)}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${points}"><title>${esc(name)}</title></polyline>`;
  }).join('\n');
  const legend = series.map((r, i) => `<span class="key"><span class="swatch" style="background:${COLORS[i % COLORS.length]}"></span>${esc(displayName(r.entry.identity, o.names))} ${r.breakdown.score.toFixed(1)}</span>`).join(' ');
  return `<svg id="score-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="Score over time of the top ${series.length} identities">
${grid}${ticks}
${lines}
</svg>
<p class="legend">${legend}</p>`;
}

/**
 * When to evaluate a series: evenly across the window, and on both sides of every alert and
 * reset, so jumps are drawn as jumps and decay as the curve it is.
 */
function sampleTimes(r: RankedScore, from: number, at: number): number[] {
  const times = new Set<number>();
  for (let i = 0; i <= SAMPLES; i++) times.add(from + ((at - from) * i) / SAMPLES);
  const marks = [...r.entry.signals.flatMap((s) => [s.firstSeen, s.lastSeen]), ...r.entry.resets.map((x) => x.at)];
  for (const t of marks) if (t > from && t <= at) { times.add(t - 1); times.add(t); }
  return [...times].sort((a, b) => a - b);
}

function rankingTable(ranked: readonly RankedScore[], names: NameIndex): string {
  const rows = ranked.map((r, i) => `<tr><td>${i + 1}</td><td><a href="#u-${i + 1}" title="${esc(r.entry.identity.id)}">${esc(displayName(r.entry.identity, names))}</a></td><td>${esc(r.entry.criticality.tier)}</td>`
    + `<td class="num">${r.breakdown.score.toFixed(1)}</td><td class="band-${band(r.breakdown.score)}">${band(r.breakdown.score)}</td>`
    + `<td class="num${r.percentile >= 90 ? ' hot' : ''}">${r.percentile.toFixed(0)}</td><td class="num">${r.change24h >= 0 ? '+' : ''}${r.change24h.toFixed(1)}${r.riskJump ? ' (jump)' : ''}</td>`
    + `<td>${esc(topContributions(r.breakdown))}</td></tr>`).join('\n');
  return `<table id="ranking"><thead><tr><th>#</th><th>identity</th><th>tier</th><th>score</th><th>band</th><th>percentile</th><th>24 h</th><th>top contributions</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
}

function userSection(r: RankedScore, rank: number, names: NameIndex): string {
  const b = r.breakdown;
  const c = r.entry.criticality;
  const story = userStory(r, names);
  const why = story.items.map((x) => `<li class="alert"><span class="when">${esc(isoTime(x.firstSeen))}</span> <strong>${esc(x.title)}</strong> <span class="sev sev-${esc(x.severity)}">${esc(x.severity)}</span> (${esc(x.role)})`
    + `<p class="why">${esc(x.why)}</p><ul class="evidence">${x.evidence.map((ev) => `<li>${esc(ev)}</li>`).join('')}${x.moreEvidence ? `<li>… ${x.moreEvidence} more event(s)</li>` : ''}</ul></li>`).join('\n');
  const todo = story.recommendations.map((rec) => `<li><strong>${esc(rec.title)}</strong><ul>${rec.steps.map((step) => `<li>${esc(step)}</li>`).join('')}</ul></li>`).join('\n');
  const rows = b.rows.map((x) => `<tr><td>${esc(x.detector)}</td><td>${esc(x.title)}</td><td>${esc(x.stage)}</td><td class="num">${x.risk}</td><td class="num">${n(x.precision)}</td>`
    + `<td class="num">${n(x.popularity)}</td><td class="num">${n(x.maturity)}</td><td class="num">${n(x.share)}</td><td class="num">${x.ageHours.toFixed(1)}</td>`
    + `<td class="num">${x.halfLifeHours}</td><td class="num">${n(x.decay)}</td><td class="num">${n(x.value)}</td><td class="num">${x.rank}</td></tr>`).join('\n');
  const rules = b.rules.map((x) => `<tr><td>${esc(x.detector)}</td><td class="num">${x.signals}</td><td class="num">${n(x.sum)}</td><td class="num">${n(x.cap)}${x.capped ? ' (capped)' : ''}</td><td class="num">${n(x.value)}</td><td class="num">${x.rank}</td><td class="num">${n(x.contribution)}</td></tr>`).join('\n');
  return `<section class="user" id="u-${rank}"><h2>${rank}. ${esc(displayName(r.entry.identity, names))} <span class="score">${b.score.toFixed(1)}</span></h2>
<p>${esc(c.tier)} (K = ${c.multiplier})${c.reasons.length ? `: ${esc(c.reasons.join('; '))}` : ''}</p>
<h3>Why</h3>
<ol class="story">
${why}
</ol>
${todo ? `<h3>What to do</h3>\n<ul class="recommendations">\n${todo}\n</ul>` : ''}
<h3>How the score is made</h3>
<table class="contributions"><thead><tr><th>detector</th><th>alert</th><th>stage</th><th>r</th><th>c</th><th>p</th><th>q</th><th>share</th><th>age h</th><th>half-life h</th><th>decay</th><th>v</th><th>k</th></tr></thead><tbody>
${rows}
</tbody></table>
<table class="rules"><thead><tr><th>detector</th><th>signals</th><th>Σ v/k^1.5</th><th>cap 2·max v</th><th>G</th><th>j</th><th>G/j^1.5</th></tr></thead><tbody>
${rules}
</tbody></table>
<p class="formula">A = ${n(b.total)};${b.floor > 0 ? ` floor F = ${n(b.floor)};` : ''} Aₙ = ${n(b.normalised)}; stages ${esc(b.stages.join(' → ') || 'none')}${b.inOrder ? ' in order' : ''}, B = ${n(b.bonus)}; A_b = ${n(b.boosted)}; o = ${n(b.odds)}; S = ${b.floor > 0 ? 'max(F, 100·K·o/(1+K·o))' : '100·K·o/(1+K·o)'} = ${n(b.score)}</p>
</section>`;
}

const n = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(3));

function isoTime(t: number): string {
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

/** HTML-escaped, with control and bidi characters shown as escapes (a U+202E in a name would reorder the page's text). */
function esc(s: string): string {
  return visible(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1c2833}h1{margin:0 0 4px}h2{margin:28px 0 8px;font-size:17px}
.meta{color:#566573}table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #d5d8dc;padding:3px 8px;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.hot{color:#c0392b;font-weight:600}.score{color:#c0392b}
.grid{stroke:#e5e8e8}.tick{font-size:11px;fill:#566573}.legend .key{margin-right:14px;white-space:nowrap}
.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}.formula{font-family:ui-monospace,monospace;font-size:12px}
.band-high,.band-critical{color:#c0392b}.band-moderate{color:#b9770e}h3{margin:16px 0 6px;font-size:15px}
.story{padding-left:20px}.story>li{margin:6px 0}.why{margin:2px 0}.when{color:#566573;font-variant-numeric:tabular-nums}
.evidence{font-family:ui-monospace,monospace;font-size:12px;color:#566573;margin:2px 0}.sev{font-size:12px;padding:0 4px;border-radius:3px;background:#eaecee}
.sev-high,.sev-critical{background:#f5b7b1}.sev-medium{background:#fad7a0}`;
