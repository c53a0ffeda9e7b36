import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tierzero } from '../../support/cli';
import { tempDir } from './harness';

/** The app as `tierzero package splunk` writes it, and unpacked: built once per test run. */
export interface BuiltApp {
  /** The .tgz. */
  readonly tgz: string;
  /** Where it was unpacked; holds the one app folder. */
  readonly root: string;
  /** The app folder. */
  readonly app: string;
}

let built: Promise<BuiltApp> | undefined;

export function builtApp(): Promise<BuiltApp> {
  built ??= build();
  return built;
}

async function build(): Promise<BuiltApp> {
  const out = await tempDir();
  const r = await tierzero(['package', 'splunk', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
  assert.ok(tgz, 'a .tgz was written');
  const root = join(out, 'unpacked');
  execFileSync('mkdir', ['-p', root]);
  execFileSync('tar', ['-xzf', join(out, tgz), '-C', root]);
  const top = readdirSync(root);
  assert.equal(top.length, 1, `one top folder, not ${top.join(', ')}`);
  return { tgz: join(out, tgz), root, app: join(root, top[0] ?? '') };
}
