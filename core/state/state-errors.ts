// Its own module so what a state holds (the Kerberos ledger, the directory) can refuse a bad
// snapshot without importing state.ts, which imports their snapshot types (test/core/import-cycles.test.ts).

/** A state document that does not meet the schema: nothing of it is used. */
export class StateInvalidError extends Error {
  readonly exitCode = 3;
  override readonly name = 'StateInvalidError';
  constructor(readonly where: string, readonly key: string, problem: string) {
    super(`state at ${where} is invalid: ${key} ${problem}; move it aside to start fresh`);
  }
}
