/**
 * A command whose promise never settles (a stream error nobody listened to, issue 12 item 8)
 * used to let Node drain the event loop and exit 0 as if all went well. When the loop empties
 * with the command still pending, this says so and exits 3 (an I/O failure) instead.
 */
export function guardUnsettled<T>(run: Promise<T>, what = 'tierzero'): Promise<T> {
  let settled = false;
  const onEmptyLoop = (): void => {
    if (settled) return;
    settled = true;
    process.stderr.write(`${what}: stopped before finishing (an operation never completed); treat this run as failed\n`);
    process.exitCode = 3;
  };
  process.on('beforeExit', onEmptyLoop);
  const done = (): void => {
    settled = true;
    process.removeListener('beforeExit', onEmptyLoop);
  };
  return run.then((v) => { done(); return v; }, (e: unknown) => { done(); throw e; });
}
