/**
 * A real Samba AD domain controller on 127.0.0.1 for the playbook tests, started at most once
 * per mocha run (Samba hard-codes the LDAP ports 389/636, so one DC per host) and stopped by a
 * root `after` hook. Provisioned fresh into a temp dir each run (~4 s), with:
 * - OU=Staff, where the delegated service account svc-tierzero may disable/enable and reset
 *   passwords (exactly the rights playbooks/README.md asks for) and nowhere else;
 * - helpers to create users and groups as Administrator, and to try LDAP binds and kinit.
 * In CI (CI=true) an unavailable DC fails the suite; elsewhere the AD tests skip and say why.
 * Reference: ../shared/tools/samba-lab.sh.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client, InvalidCredentialsError } from 'ldapts';

export const REALM = 'LAB.TEST';
export const BASE_DN = 'DC=lab,DC=test';
export const ADMIN_DN = `CN=Administrator,CN=Users,${BASE_DN}`;
export const STAFF_OU = `OU=Staff,${BASE_DN}`;
/** The DC certificate's CN; the tests connect to 127.0.0.1 and expect this name. */
export const TLS_SERVER_NAME = 'dc1.lab.test';
const ADMIN_PASSWORD = 'Adm1n!Lab-Pass';
const PID_FILE = join(tmpdir(), 'tierzero-test-samba.json');
const READY_TIMEOUT_MS = 60_000;

export interface LabUser {
  readonly dn: string;
  readonly sam: string;
  readonly upn: string;
  readonly sid: string;
  readonly password: string;
}

export interface LabDc {
  readonly dir: string;
  readonly ldapsUrl: string;
  readonly startTlsUrl: string;
  readonly caFile: string;
  readonly krb5Conf: string;
  readonly adminPassword: string;
  readonly serviceAccount: LabUser;
  /** Seconds from spawn to provisioned-and-answering, for the report. */
  readonly startSeconds: number;
  admin<T>(fn: (c: Client) => Promise<T>): Promise<T>;
  createUser(sam: string, opts?: { ou?: string; disabled?: boolean }): Promise<LabUser>;
  createGroup(name: string, members: readonly string[], ou?: string): Promise<string>;
  userAccountControl(dn: string): Promise<number>;
  pwdLastSet(dn: string): Promise<string>;
  /** LDAP simple bind as the user: 'ok', or the AD sub-code (52e bad password, 533 disabled, 773 must change). */
  bindAs(dn: string, password: string): Promise<string>;
  kinit(principal: string, password: string): Promise<{ readonly ok: boolean; readonly output: string }>;
}

let lab: Promise<LabDc | { unavailable: string }> | undefined;
let child: ChildProcess | undefined;
let labDir: string | undefined;
let announced = false;

/** Call from a `before` hook: the shared DC, or a skip (outside CI) / failure (in CI). */
export async function useLabDc(ctx: Mocha.Context): Promise<LabDc> {
  ctx.timeout(READY_TIMEOUT_MS + 30_000);
  lab ??= startLab().catch((err: unknown) => ({ unavailable: err instanceof Error ? err.message : String(err) }));
  const first = !announced;
  announced = true;
  const r = await lab;
  if (first && !('unavailable' in r)) console.log(`      (Samba AD DC on 127.0.0.1 ready in ${r.startSeconds.toFixed(1)} s: ${r.dir})`);
  if ('unavailable' in r) {
    if (process.env.CI === 'true') throw new Error(`Samba AD DC unavailable in CI (the AD suite must run): ${r.unavailable}`);
    console.warn(`      (skipping: no Samba AD DC — ${r.unavailable})`);
    ctx.skip();
  }
  return r as LabDc;
}

// Root hook: runs once after every test file, whether or not the DC was ever started.
after(async function () {
  this.timeout(20_000);
  await stopLab();
});
process.once('exit', () => {
  if (child?.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

async function startLab(): Promise<LabDc> {
  const t0 = Date.now();
  for (const bin of ['samba', 'samba-tool', 'kinit']) if (!(await which(bin))) throw new Error(`'${bin}' is not installed (apt-get install samba-ad-dc samba-ad-provision krb5-user ldb-tools)`);
  if (!existsSync('/usr/share/samba/setup/ad-schema')) throw new Error('samba-ad-provision is not installed (provisioning needs /usr/share/samba/setup)');
  if (process.getuid?.() !== 0) throw new Error('not root: Samba must bind ports 88/389/636');
  stopStaleLab();
  for (const port of [88, 389, 636]) if (await listening(port)) throw new Error(`port ${port} on 127.0.0.1 is already in use (another DC?)`);

  const dir = mkdtempSync(join(tmpdir(), 'tierzero-samba-'));
  labDir = dir;
  await run('samba-tool', [
    'domain', 'provision', `--targetdir=${dir}`, `--realm=${REALM}`, '--domain=LAB', '--server-role=dc', '--dns-backend=NONE',
    '--use-rfc2307', `--adminpass=${ADMIN_PASSWORD}`, '--host-name=dc1', '--host-ip=127.0.0.1',
    '--option=interfaces = 127.0.0.1', '--option=bind interfaces only = yes',
    // Only what the tests use: LDAP(S) and the KDC for kinit. Less to start, less memory.
    '--option=server services = ldap, kdc',
    `--option=pid directory = ${dir}/run`, `--option=ncalrpc dir = ${dir}/run/ncalrpc`, `--option=cache directory = ${dir}/cache`,
    `--option=log file = ${dir}/log/samba.log`, '--option=panic action = ', '--option=log level = 1',
  ]);
  mkdirSync(join(dir, 'log'), { recursive: true });
  const krb5Conf = join(dir, 'krb5.conf');
  writeFileSync(krb5Conf, `[libdefaults]\n default_realm = ${REALM}\n dns_lookup_kdc = false\n dns_lookup_realm = false\n rdns = false\n udp_preference_limit = 1\n[realms]\n ${REALM} = {\n  kdc = 127.0.0.1\n }\n`);

  // detached: samba leads its own process group, so stopping it is one kill of -pid.
  child = spawn('samba', ['-s', join(dir, 'etc', 'smb.conf'), '-M', 'single', '-F', '--no-process-group'], { detached: true, stdio: 'ignore' });
  child.unref();
  writeFileSync(PID_FILE, JSON.stringify({ pid: child.pid, dir }));
  const caFile = join(dir, 'private', 'tls', 'ca.pem');
  await waitUntilReady(caFile);

  const dc = makeLab(dir, caFile, krb5Conf, t0);
  await dc.admin((c) => c.add(STAFF_OU, { objectClass: ['top', 'organizationalUnit'] }));
  const svc = await dc.createUser('svc-tierzero', { ou: `CN=Users,${BASE_DN}` });
  await delegateOnStaff(dir, svc.sid);
  return { ...dc, serviceAccount: svc, startSeconds: (Date.now() - t0) / 1000 };
}

function makeLab(dir: string, caFile: string, krb5Conf: string, t0: number): LabDc {
  const tlsOptions = { ca: [readFileSync(caFile)], servername: TLS_SERVER_NAME };
  const client = (): Client => new Client({ url: 'ldaps://127.0.0.1:636', tlsOptions, timeout: 10_000 });
  let kinitCount = 0;
  const dc: LabDc = {
    dir,
    ldapsUrl: 'ldaps://127.0.0.1:636',
    startTlsUrl: 'ldap://127.0.0.1:389',
    caFile,
    krb5Conf,
    adminPassword: ADMIN_PASSWORD,
    serviceAccount: undefined as unknown as LabUser,
    startSeconds: (Date.now() - t0) / 1000,
    async admin(fn) {
      const c = client();
      await c.bind(ADMIN_DN, ADMIN_PASSWORD);
      try {
        return await fn(c);
      } finally {
        await c.unbind();
      }
    },
    async createUser(sam, opts = {}) {
      const dn = `CN=${sam},${opts.ou ?? STAFF_OU}`;
      const upn = `${sam}@lab.test`;
      const password = `Init!${Math.random().toString(36).slice(2, 10)}Aa1`;
      const sid = await dc.admin(async (c) => {
        await c.add(dn, { objectClass: ['top', 'person', 'organizationalPerson', 'user'], sAMAccountName: sam, userPrincipalName: upn });
        await c.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'unicodePwd', values: [Buffer.from(`"${password}"`, 'utf16le')] }) }));
        await c.modify(dn, new Change({ operation: 'replace', modification: new Attribute({ type: 'userAccountControl', values: [opts.disabled ? '514' : '512'] }) }));
        const { searchEntries } = await c.search(dn, { scope: 'base', attributes: ['objectSid'], explicitBufferAttributes: ['objectSid'] });
        return sidString(searchEntries[0]?.objectSid as Buffer);
      });
      return { dn, sam, upn, sid, password };
    },
    async createGroup(name, members, ou = STAFF_OU) {
      const dn = `CN=${name},${ou}`;
      await dc.admin(async (c) => {
        await c.add(dn, { objectClass: ['top', 'group'], sAMAccountName: name });
        if (members.length > 0) await c.modify(dn, new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [...members] }) }));
      });
      return dn;
    },
    userAccountControl: (dn) => dc.admin(async (c) => Number((await c.search(dn, { scope: 'base', attributes: ['userAccountControl'] })).searchEntries[0]?.userAccountControl)),
    pwdLastSet: (dn) => dc.admin(async (c) => String((await c.search(dn, { scope: 'base', attributes: ['pwdLastSet'] })).searchEntries[0]?.pwdLastSet)),
    async bindAs(dn, password) {
      const c = client();
      try {
        await c.bind(dn, password);
        return 'ok';
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return /data ([0-9a-f]+)/.exec(err.message)?.[1] ?? err.message;
        throw err;
      } finally {
        await c.unbind().catch(() => undefined);
      }
    },
    kinit(principal, password) {
      const cache = join(dir, `cc-${++kinitCount}`);
      return new Promise((resolve) => {
        const p = spawn('kinit', [principal], { env: { ...process.env, KRB5_CONFIG: krb5Conf, KRB5CCNAME: `FILE:${cache}`, LANG: 'C' } });
        let output = '';
        p.stdout.on('data', (d: Buffer) => (output += d.toString()));
        p.stderr.on('data', (d: Buffer) => (output += d.toString()));
        // MIT kinit reads the password from stdin when it is not a terminal. A second prompt
        // (e.g. "Password expired. You must change it now.") meets end-of-input and fails.
        p.stdin.end(`${password}\n`);
        const timer = setTimeout(() => p.kill('SIGKILL'), 15_000);
        p.on('close', (code) => {
          clearTimeout(timer);
          resolve({ ok: code === 0, output });
        });
      });
    },
  };
  return dc;
}

/**
 * Delegates on OU=Staff, inherited by user objects only: the Reset Password extended right and
 * write access to userAccountControl and pwdLastSet. GUIDs from the schema (checked on Samba):
 * user bf967aba…, userAccountControl bf967a68…, pwdLastSet bf967a0a…, Reset Password 00299570….
 */
async function delegateOnStaff(dir: string, sid: string): Promise<void> {
  const user = 'bf967aba-0de6-11d0-a285-00aa003049e2';
  const sddl =
    `(OA;CIIO;CR;00299570-246d-11d0-a768-00aa006e0529;${user};${sid})` +
    `(OA;CIIO;WP;bf967a68-0de6-11d0-a285-00aa003049e2;${user};${sid})` +
    `(OA;CIIO;WP;bf967a0a-0de6-11d0-a285-00aa003049e2;${user};${sid})`;
  await run('samba-tool', ['dsacl', 'set', '-H', join(dir, 'private', 'sam.ldb'), `--objectdn=${STAFF_OU}`, `--sddl=${sddl}`]);
}

async function waitUntilReady(caFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child?.exitCode !== null && child?.exitCode !== undefined) throw new Error(`samba exited with code ${child.exitCode}; see ${labDir}/log/samba.log`);
    if (existsSync(caFile) && (await listening(88))) {
      const c = new Client({ url: 'ldaps://127.0.0.1:636', tlsOptions: { ca: [readFileSync(caFile)], servername: TLS_SERVER_NAME }, timeout: 2000, connectTimeout: 2000 });
      try {
        await c.bind(ADMIN_DN, ADMIN_PASSWORD);
        await c.unbind();
        return;
      } catch {
        await c.unbind().catch(() => undefined);
      }
    }
    if (Date.now() > deadline) throw new Error(`Samba not answering LDAPS after ${READY_TIMEOUT_MS / 1000} s; see ${labDir}/log/samba.log`);
    await new Promise((r) => setTimeout(r, 100)); // polling a starting daemon, not a test sleep
  }
}

export async function stopLab(): Promise<void> {
  const c = child;
  child = undefined;
  if (c?.pid !== undefined && c.exitCode === null) {
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(c.pid as number), 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }
  if (labDir) rmSync(labDir, { recursive: true, force: true });
  labDir = undefined;
  rmSync(PID_FILE, { force: true });
}

/** A DC left behind by a killed test run (ours, by the pid we recorded) is stopped first. */
function stopStaleLab(): void {
  if (!existsSync(PID_FILE)) return;
  try {
    const { pid, dir } = JSON.parse(readFileSync(PID_FILE, 'utf8')) as { pid: number; dir: string };
    const cmd = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8') : '';
    if (cmd.includes('samba') && cmd.includes(dir)) process.kill(-pid, 'SIGKILL');
    if (dir.startsWith(join(tmpdir(), 'tierzero-samba-'))) rmSync(dir, { recursive: true, force: true });
  } catch {
    /* nothing to clean */
  }
  rmSync(PID_FILE, { force: true });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

function which(bin: string): Promise<boolean> {
  return new Promise((resolve) => execFile('sh', ['-c', `command -v ${bin}`], (err) => resolve(!err)));
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.slice(0, 2).join(' ')} failed: ${stderr.slice(-800) || err.message}`)) : resolve(stdout),
    ),
  );
}

function sidString(b: Buffer): string {
  const subs = Array.from({ length: b.readUInt8(1) }, (_, i) => b.readUInt32LE(8 + 4 * i));
  return `S-${b.readUInt8(0)}-${b.readUIntBE(2, 6)}-${subs.join('-')}`;
}
