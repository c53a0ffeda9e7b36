import Ajv from 'ajv';
import { ACTIONS, type ActionName } from './plan';

/**
 * Body of POST /v1/actions, as sent by a Splunk alert action, an Elastic webhook connector or a
 * Sentinel Logic App. `user` is one identifier, or the identifiers the SIEM has for the entity;
 * the most precise one wins (SID, then Entra object id, then UPN, then sAMAccountName).
 */
export interface ActionBody {
  readonly action: ActionName;
  readonly user: string | { readonly sid?: string; readonly objectId?: string; readonly upn?: string; readonly sam?: string };
  readonly alertId?: string;
  readonly reason?: string;
  readonly dryRun?: boolean;
  /** The analyst or rule on whose behalf the SIEM calls; recorded in the audit log. */
  readonly requestedBy?: string;
}

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max });

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'user'],
  properties: {
    action: { enum: [...ACTIONS] },
    user: {
      oneOf: [
        text(256),
        {
          type: 'object',
          additionalProperties: false,
          minProperties: 1,
          properties: { sid: text(256), objectId: text(64), upn: text(256), sam: text(256) },
        },
      ],
    },
    alertId: text(200),
    reason: text(1000),
    dryRun: { type: 'boolean' },
    requestedBy: text(200),
  },
};

const ajv = new Ajv({ allErrors: false, strict: true });
const check = ajv.compile<ActionBody>(schema);

/** Returns the body, or a message naming the first problem (`body.action must be one of …`). */
export function parseActionBody(value: unknown): { ok: true; body: ActionBody } | { ok: false; message: string } {
  if (check(value)) return { ok: true, body: value };
  const e = check.errors?.[0];
  if (!e) return { ok: false, message: 'invalid body' };
  const where = `body${e.instancePath.replace(/\//g, '.')}`;
  switch (e.keyword) {
    case 'required':
      return { ok: false, message: `${where}.${(e.params as { missingProperty: string }).missingProperty} is required` };
    case 'additionalProperties':
      return { ok: false, message: `${where}.${(e.params as { additionalProperty: string }).additionalProperty} is not a known field` };
    case 'enum':
      return { ok: false, message: `${where} must be one of ${ACTIONS.join(', ')}` };
    case 'oneOf':
      return { ok: false, message: `${where} must be an identifier string or an object with sid, objectId, upn or sam` };
    default:
      return { ok: false, message: `${where} ${e.message ?? 'is invalid'}` };
  }
}

export function pickIdentifier(user: ActionBody['user']): string {
  if (typeof user === 'string') return user;
  return (user.sid ?? user.objectId ?? user.upn ?? user.sam) as string;
}
