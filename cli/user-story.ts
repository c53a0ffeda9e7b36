import type { AlertIdentity } from '../core/alerts/alert';
import { DECLARATIONS } from '../core/detectors/registry';
import type { RankedScore } from '../core/scoring/score-book';

/**
 * What an analyst reads about one identity, in plain language: why it is ranked (each alert's
 * description), the events behind each alert, and what to do (the detectors'
 * recommendations). One data function for `users --user` and the HTML report, so the two
 * always say the same thing.
 */

const EVIDENCE_SHOWN = 5;
const GUID = /\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?/gi;
const SID = /S-1-5-21-\d+-\d+-\d+-\d+/g;
const OPAQUE = new RegExp(`^(?:${GUID.source}|${SID.source})$`, 'i');

/** Names the score book knows for SIDs and object GUIDs, from every scored identity. */
export interface NameIndex {
  nameOf(idText: string): string | undefined;
}

export function nameIndex(identities: readonly AlertIdentity[]): NameIndex {
  const names = new Map<string, string>();
  for (const i of identities) {
    const name = readableName(i);
    if (!name) continue;
    for (const key of [i.sid, i.objectId, i.sam, i.name]) if (key && OPAQUE.test(key)) names.set(canonical(key), name);
  }
  return { nameOf: (idText) => names.get(canonical(idText)) };
}

/** The identity as a person reads it: its name, unless that is a bare GUID or SID and a better one is known. */
export function displayName(i: AlertIdentity, names?: NameIndex): string {
  if (!OPAQUE.test(i.name)) return i.name;
  return readableName(i) ?? names?.nameOf(i.name) ?? (i.sid && names?.nameOf(i.sid)) ?? (i.objectId && names?.nameOf(i.objectId)) ?? i.name;
}

/** `read properties of {4969…}` → `read properties of adm-decoy` where the book knows the name. */
export function withNames(text: string, names: NameIndex): string {
  return text.replace(GUID, (g) => names.nameOf(g) ?? g).replace(SID, (s) => names.nameOf(s) ?? s);
}

export interface StoryItem {
  readonly alertId: string;
  readonly detector: string;
  readonly title: string;
  readonly severity: string;
  readonly role: string;
  readonly firstSeen: number;
  /** The alert's description, with known names for GUIDs and SIDs. */
  readonly why: string;
  /** `event 4771 on DC01.corp.example #1234 at 2024-03-04T09:00:00.000Z`, the first few. */
  readonly evidence: readonly string[];
  readonly moreEvidence: number;
}

export interface Recommendation {
  readonly detector: string;
  readonly title: string;
  readonly steps: readonly string[];
}

export interface UserStory {
  readonly items: readonly StoryItem[];
  /** One entry per detector behind the score, strongest contribution first. */
  readonly recommendations: readonly Recommendation[];
}

export function userStory(r: RankedScore, names: NameIndex): UserStory {
  const items = [...r.entry.signals].sort((a, b) => a.firstSeen - b.firstSeen).map((s) => ({
    alertId: s.alertId,
    detector: s.detector,
    title: s.title,
    severity: s.severity,
    role: s.role,
    firstSeen: s.firstSeen,
    why: withNames(s.description, names),
    evidence: s.events.slice(0, EVIDENCE_SHOWN).map((ev) => `event ${ev.EventID} on ${String(ev.Computer)}${ev.EventRecordID !== null ? ` #${ev.EventRecordID}` : ''} at ${String(ev.TimeCreated)}`),
    moreEvidence: Math.max(0, s.evidenceCount - EVIDENCE_SHOWN),
  }));
  const order = [...new Set([...r.breakdown.rules.map((x) => x.detector as string), ...items.map((i) => i.detector)])];
  const recommendations = order.flatMap((id) => {
    const d = DECLARATIONS.find((x) => x.id === id);
    return d && d.recommendations.length ? [{ detector: id, title: d.title, steps: d.recommendations }] : [];
  });
  return { items, recommendations };
}

function readableName(i: AlertIdentity): string | undefined {
  return [i.name, i.upn, i.sam].find((n): n is string => typeof n === 'string' && n !== '' && !OPAQUE.test(n));
}

function canonical(idText: string): string {
  return idText.replace(/^\{|\}$/g, '').toLowerCase();
}
