import Ajv, { type ErrorObject } from 'ajv';

/**
 * The JSON Schema a state document must meet before the engine trusts any of it (issue 12,
 * item 9): `{"version":1}` crashed with a TypeError and `"watermark":"abc"` silently gave no
 * scores. Strict where a wrong type would be misread (times, counters, the shared models),
 * open where a section belongs to its own module (a detector's snapshot, a source checkpoint).
 */

const time = { type: 'number' } as const;
const timeOrNull = { type: ['number', 'null'] } as const;
const str = { type: 'string' } as const;
const strings = { type: 'array', items: str } as const;
const pair = (first: object, second: object) => ({ type: 'array', minItems: 2, maxItems: 2, items: [first, second] });
const obj = (required: readonly string[], properties: Record<string, object>) => ({ type: 'object', required, properties });
/** `required`/`properties` only apply to objects, so null passes and a bad object names its key. */
const nullable = (schema: { type: string }) => ({ ...schema, type: [schema.type, 'null'] });

const nested = obj(['name', 'via', 'lastSeen'], { name: str, via: str, lastSeen: time });

const directory = obj(['learnedDcs', 'machines'], {
  learnedDcs: strings,
  // Each checked whole by its own restore (core/estate/machine-table.ts, logon-sessions.ts,
  // front-ends.ts), naming the key.
  machines: { type: 'object' },
  sessions: { type: 'object' },
  frontEnds: { type: 'object' },
  sensitiveGroups: obj(['nested'], { nested: { type: 'array', items: pair(str, nested) } }),
});

const signal = obj(['alertId', 'detector', 'risk', 'firstSeen', 'lastSeen', 'share', 'severity', 'role'], {
  alertId: str, detector: str, title: str, risk: time, firstSeen: time, lastSeen: time, share: time,
  severity: str, role: str, description: str, evidenceCount: time, events: { type: 'array', items: { type: 'object' } },
});

const scoreEntry = obj(['id', 'identity', 'criticality', 'signals', 'history', 'resets'], {
  id: str,
  identity: obj(['id', 'name'], { id: str, name: str }),
  criticality: obj(['tier', 'multiplier', 'reasons'], { tier: str, multiplier: time, reasons: strings }),
  signals: { type: 'array', items: signal },
  history: { type: 'array', items: pair(time, time) },
  resetAt: time,
  resets: { type: 'array', items: obj(['at', 'scoreBefore'], { at: time, scoreBefore: time }) },
  current: { type: 'object' },
});

const scores = obj(['at', 'activeIdentities', 'precision', 'entries'], {
  at: timeOrNull,
  activeIdentities: time,
  precision: { type: 'object', additionalProperties: time },
  entries: { type: 'array', items: scoreEntry },
});

export const STATE_SCHEMA = {
  ...obj(['version', 'checkpoint', 'watermark', 'directory', 'detectors', 'delivered'], {
    // STATE_VERSION (core/state/state.ts imports this module, so the number is written here too)
    version: { const: 5 },
    checkpoint: {},
    watermark: timeOrNull,
    directory: nullable(directory),
    // Checked whole by the ledger's own restore (core/estate/kerberos-ledger.ts), naming the key.
    kerberos: { type: ['object', 'null'] },
    detectors: { type: 'object', additionalProperties: { type: ['object', 'null'] } },
    delivered: { type: 'object', additionalProperties: time },
    // Checked whole by its own restore (core/identity/identity-snapshot.ts), naming the key.
    identities: { type: ['object', 'null'] },
    scores: nullable(scores),
  }),
  additionalProperties: false,
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(STATE_SCHEMA);

/** The first problem as the key to look at (`scores.entries[3].history[0]`) and what is wrong. */
export function stateProblem(doc: unknown): { key: string; problem: string } | undefined {
  if (validate(doc)) return undefined;
  return describe(validate.errors?.[0]);
}

function describe(e: ErrorObject | undefined): { key: string; problem: string } {
  const key = (e?.instancePath ?? '').replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.').replace(/\.\[/g, '[');
  const params = (e?.params ?? {}) as { missingProperty?: string; additionalProperty?: string; allowedValue?: unknown };
  switch (e?.keyword) {
    case 'required':
      return { key: join(key, String(params.missingProperty)), problem: 'is missing' };
    case 'additionalProperties':
      return { key: join(key, String(params.additionalProperty)), problem: 'is not a known key' };
    case 'const':
      return { key, problem: `must be ${JSON.stringify(params.allowedValue)}` };
    default:
      return { key: key || '(document)', problem: e?.message ?? 'is invalid' };
  }
}

function join(parent: string, child: string): string {
  return parent ? `${parent}.${child}` : child;
}
