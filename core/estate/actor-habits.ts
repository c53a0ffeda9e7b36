import type { TableSpec } from '../state/keyed-table';
import { SourceProfile } from './source-profile';

/**
 * The learned habits of the breadth detectors, as tables kept for the state TTL.
 *
 * What a directory-query actor (samr_recon, ldap_recon) usually does and where it last queried
 * from: its learned breadth profile and source, kept for the state TTL while what it queried
 * within the window is a table of the detector's own. Saved as `[lastSeen, profile, sourceIp, sourceName]`.
 */
export interface ActorHabits {
  profile: SourceProfile;
  sourceIp?: string;
  sourceName?: string;
  lastSeen: number;
}

export const actorHabitsTable: TableSpec<ActorHabits> = {
  name: 'actors',
  lastSeen: (h) => h.lastSeen,
  encode: (h) => [h.lastSeen, h.profile.encode(), h.sourceIp ?? null, h.sourceName ?? null],
  decode(v, read, path) {
    const [lastSeen, profile, sourceIp, sourceName] = read.tuple(v, path, 4);
    const str = (x: unknown, p: string): string => read.string(x, p);
    const ip = read.optional(sourceIp, `${path}.2`, str);
    const name = read.optional(sourceName, `${path}.3`, str);
    return {
      lastSeen: read.number(lastSeen, `${path}.0`), profile: SourceProfile.decode(profile, read, `${path}.1`),
      ...(ip !== undefined ? { sourceIp: ip } : {}), ...(name !== undefined ? { sourceName: name } : {}),
    };
  },
};

/** A source's learned breadth profile alone (account_enumeration, smb_session_enumeration), saved as `[lastSeen, profile]`. */
export interface ProfileHabits {
  profile: SourceProfile;
  lastSeen: number;
}

export const profileHabitsTable: TableSpec<ProfileHabits> = {
  name: 'sources',
  lastSeen: (h) => h.lastSeen,
  encode: (h) => [h.lastSeen, h.profile.encode()],
  decode(v, read, path) {
    const [lastSeen, profile] = read.tuple(v, path, 2);
    return { lastSeen: read.number(lastSeen, `${path}.0`), profile: SourceProfile.decode(profile, read, `${path}.1`) };
  },
};

/** A fresh actor's (or source's) habits. */
export function newActorHabits(time: number): ActorHabits {
  return { profile: new SourceProfile(), lastSeen: time };
}
