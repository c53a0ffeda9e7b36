/**
 * Its own module so the models that validate their own snapshots (the Kerberos ledger, logon
 * sessions, numeric tables) need not import state.ts, which imports their snapshot types: an
 * import circle otherwise (test/core/import-cycles.test.ts).
 */

/** A state document that does not meet the schema: nothing of it is used. */
export class StateInvalidError extends Error {
  readonly exitCode = 3;
  override readonly name = 'StateInvalidError';
  constructor(readonly where: string, readonly key: string, problem: string) {
    super(`state at ${where} is invalid: ${key} ${problem}; move it aside to start fresh`);
  }
}
