import { Prng } from './prng';

/**
 * The synthetic estate: one AD domain with its DCs, servers, workstations, people, admins
 * and service accounts. Built once from the seed; the traffic and attack generators only
 * read it.
 */

export interface DomainShape {
  readonly users: number;
  readonly workstations: number;
  readonly servers: number;
  readonly domainControllers: number;
  readonly serviceAccounts: number;
}

export interface Principal {
  /** sAMAccountName as Windows logs it (`anna.keller`, `WS0001$`). */
  readonly name: string;
  readonly sid: string;
  readonly displayName: string;
  readonly dn: string;
  readonly guid: string;
}

export type HostRole = 'dc' | 'server' | 'workstation';

export interface Host {
  /** Short upper-case name (`WS0001`). */
  readonly name: string;
  readonly fqdn: string;
  readonly ip: string;
  readonly role: HostRole;
  /** The machine account (`WS0001$`). */
  readonly account: Principal;
}

export interface User extends Principal {
  readonly workstation: Host;
  /** The DC its DC locator usually lands on (site affinity). */
  readonly kdc: Host;
  /** Working hours, as hours after midnight UTC. */
  readonly workStart: number;
  readonly workEnd: number;
  /** On call or remote: active at any hour. */
  readonly anyHours: boolean;
  /** A server this user reaches by IP address or from an old app, hence over NTLM. */
  readonly ntlmServer?: Host;
}

export interface Admin extends Principal {
  readonly owner: User;
}

export interface ServiceAccount extends Principal {
  /** The host its service runs on, when it has an SPN. */
  readonly host: Host;
  readonly spn?: string;
  /** msDS-SupportedEncryptionTypes without AES: every ticket for it is RC4. */
  readonly rc4Only: boolean;
}

export interface Group {
  readonly name: string;
  readonly sid: string;
  readonly dn: string;
  readonly guid: string;
  /** 4728 global, 4732 domain local / builtin, 4756 universal. */
  readonly scope: 'global' | 'local' | 'universal';
  readonly domainName: string;
}

export interface Domain {
  readonly netbios: string;
  readonly dnsName: string;
  readonly realm: string;
  readonly sid: string;
  readonly baseDn: string;
  /** objectGUID of the domain object, the target of every replication 4662. */
  readonly guid: string;
  readonly dcs: readonly Host[];
  readonly servers: readonly Host[];
  readonly workstations: readonly Host[];
  readonly users: readonly User[];
  readonly admins: readonly Admin[];
  readonly serviceAccounts: readonly ServiceAccount[];
  readonly roles: {
    readonly fileServer: Host;
    readonly sqlServer: Host;
    readonly webServer: Host;
    readonly appServer: Host;
    readonly entraConnect: Host;
    readonly legacyApp: Host;
    readonly sccm: Host;
    readonly backup: Host;
    readonly jump: Host;
  };
  readonly krbtgt: Principal;
  /** The Entra Connect (AAD Connect) sync account, which holds replication rights. */
  readonly syncAccount: Principal;
  readonly legacyService: ServiceAccount;
  readonly sccmAccount: ServiceAccount;
  readonly backupAccount: ServiceAccount;
  /** A Linux app's account set to DONT_REQ_PREAUTH on purpose: AES AS-REPs, a roasting look-alike. */
  readonly noPreauthAccount: ServiceAccount;
  readonly linuxHostIp: string;
  /** Someone whose workstation keeps retrying a drive mapped with an old password. */
  readonly staleCredentialUser: User;
  /** A decoy admin nobody uses; any touch is an attack. */
  readonly honeytoken: Principal;
  readonly sensitiveGroups: {
    readonly domainAdmins: Group;
    readonly enterpriseAdmins: Group;
    readonly administrators: Group;
    readonly backupOperators: Group;
  };
  readonly ordinaryGroups: readonly Group[];
}

export const MIN_SHAPE: DomainShape = { users: 20, workstations: 10, servers: 9, domainControllers: 2, serviceAccounts: 9 };

const SERVER_ROLES = ['FS01', 'SQL01', 'WEB01', 'APP01', 'AADC01', 'LEGACY01', 'SCCM01', 'BKP01', 'JUMP01'] as const;

export function buildDomain(seed: string, requested: DomainShape): Domain {
  const shape = clampShape(requested);
  const rng = new Prng(seed).fork('domain');
  const netbios = 'CORP';
  const dnsName = 'corp.example';
  const baseDn = 'DC=corp,DC=example';
  const sid = `S-1-5-21-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}-${rng.int(1e9, 4e9)}`;
  let nextRid = 1104;
  const principal = (name: string, displayName: string, ou: string, rid?: number): Principal => ({
    name, displayName, sid: `${sid}-${rid ?? nextRid++}`, dn: `CN=${displayName},${ou},${baseDn}`, guid: rng.guid(),
  });
  const host = (name: string, role: HostRole, ip: string): Host => ({
    name, role, ip, fqdn: `${name}.${dnsName}`,
    account: principal(`${name}$`, name, role === 'dc' ? 'OU=Domain Controllers' : role === 'server' ? 'OU=Servers' : 'OU=Workstations', role === 'dc' && name === 'DC01' ? 1000 : undefined),
  });

  const dcs = range(shape.domainControllers, (i) => host(`DC${pad(i + 1, 2)}`, 'dc', `10.0.0.${10 + i}`));
  const servers = range(shape.servers, (i) => host(SERVER_ROLES[i] ?? `SRV${pad(i + 1, 4)}`, 'server', address(0, 1, i)));
  const workstations = range(shape.workstations, (i) => host(`WS${pad(i + 1, 4)}`, 'workstation', address(16, 0, i)));
  const byName = (name: (typeof SERVER_ROLES)[number]): Host => servers[SERVER_ROLES.indexOf(name)] as Host;
  const roles = {
    fileServer: byName('FS01'), sqlServer: byName('SQL01'), webServer: byName('WEB01'), appServer: byName('APP01'),
    entraConnect: byName('AADC01'), legacyApp: byName('LEGACY01'), sccm: byName('SCCM01'), backup: byName('BKP01'), jump: byName('JUMP01'),
  };

  const names = new Map<string, number>();
  const users = range(shape.users, (i): User => {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const base = `${first}.${last}`.toLowerCase();
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    const p = principal(n === 1 ? base : `${base}${n}`, n === 1 ? `${first} ${last}` : `${first} ${last} ${n}`, 'OU=Staff');
    const workStart = 6.5 + rng.float() * 3;
    const kdc = rng.pick(dcs);
    // Some reach a server by IP address (a mapped drive, a login script's \\10.0.0.10\NETLOGON), which forces NTLM.
    const ntlm = rng.float();
    const ntlmServer = ntlm < 0.07 ? roles.fileServer : ntlm < 0.1 ? roles.appServer : ntlm < 0.14 ? kdc : undefined;
    return {
      ...p,
      workstation: workstations[i % workstations.length] as Host,
      kdc,
      workStart,
      workEnd: workStart + 8 + rng.float() * 2,
      anyHours: rng.chance(0.08),
      ...(ntlmServer ? { ntlmServer } : {}),
    };
  });
  const admins = rng.sample(users, Math.max(3, Math.min(50, Math.round(shape.users / 40)))).map((owner): Admin => ({
    ...principal(`adm-${owner.name}`, `${owner.displayName} (admin)`, 'OU=Admins'), owner,
  }));

  const svc = (name: string, on: Host, spn: string | undefined, rc4Only = false): ServiceAccount => ({
    ...principal(name, name, 'OU=Service Accounts'), host: on, rc4Only, ...(spn ? { spn } : {}),
  });
  const fixedServices = [
    svc('svc-sql', roles.sqlServer, `MSSQLSvc/${roles.sqlServer.fqdn}:1433`),
    svc('svc-web', roles.webServer, `HTTP/intranet.${dnsName}`),
    svc('svc-legacyapp', roles.appServer, `HTTP/legacyapp.${dnsName}`, true),
    svc('svc-crm', roles.appServer, `HTTP/crm.${dnsName}`),
    svc('svc-report', roles.sqlServer, `HTTP/reports.${dnsName}`),
    svc('svc-sharepoint', roles.webServer, `HTTP/sharepoint.${dnsName}`),
    svc('svc-sccm', roles.sccm, undefined),
    svc('svc-backup', roles.backup, undefined),
    svc('svc-linuxkrb', roles.appServer, undefined),
  ];
  const extraServices = range(shape.serviceAccounts - fixedServices.length, (i) => {
    const on = servers[9 + (i % Math.max(1, servers.length - 9))] ?? roles.appServer;
    return svc(`svc-app${pad(i + 1, 3)}`, on, `HTTP/app${pad(i + 1, 3)}.${dnsName}`);
  });
  const serviceAccounts = [...fixedServices, ...extraServices];
  const find = (name: string): ServiceAccount => fixedServices.find((s) => s.name === name) as ServiceAccount;

  const group = (name: string, scope: Group['scope'], rid: number | string, ou = 'OU=Groups'): Group => ({
    name, scope, sid: typeof rid === 'string' ? rid : `${sid}-${rid}`, dn: `CN=${name},${ou},${baseDn}`, guid: rng.guid(),
    domainName: typeof rid === 'string' ? 'Builtin' : netbios,
  });

  return {
    netbios, dnsName, realm: dnsName.toUpperCase(), sid, baseDn, guid: rng.guid(),
    dcs, servers, workstations, users, admins, serviceAccounts, roles,
    krbtgt: principal('krbtgt', 'krbtgt', 'CN=Users', 502),
    syncAccount: principal('MSOL_5f2a9c1e0b7d', 'On-Premises Directory Synchronization Service Account', 'CN=Users'),
    legacyService: find('svc-legacyapp'),
    sccmAccount: find('svc-sccm'),
    backupAccount: find('svc-backup'),
    noPreauthAccount: find('svc-linuxkrb'),
    linuxHostIp: '10.9.0.20',
    staleCredentialUser: rng.pick(users),
    honeytoken: principal('adm-jmorrison', 'James Morrison (admin)', 'OU=Admins'),
    sensitiveGroups: {
      domainAdmins: group('Domain Admins', 'global', 512, 'CN=Users'),
      enterpriseAdmins: group('Enterprise Admins', 'universal', 519, 'CN=Users'),
      administrators: group('Administrators', 'local', 'S-1-5-32-544', 'CN=Builtin'),
      backupOperators: group('Backup Operators', 'local', 'S-1-5-32-551', 'CN=Builtin'),
    },
    ordinaryGroups: [
      group('Finance-RW', 'global', 3101), group('All-Staff', 'universal', 3104), group('DL-FS01-Projects-Modify', 'local', 3106),
      group('Sales-RW', 'global', 3102), group('Project-Phoenix', 'universal', 3105), group('DL-Printers-Floor2', 'local', 3107),
      group('VPN-Users', 'global', 3103),
    ],
  };
}

export function clampShape(s: DomainShape): DomainShape {
  const atLeast = (v: number, min: number, what: string): number => {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${what} must be a positive integer, got ${v}`);
    return Math.max(v, min);
  };
  return {
    users: atLeast(s.users, MIN_SHAPE.users, 'users'),
    workstations: atLeast(s.workstations, MIN_SHAPE.workstations, 'workstations'),
    servers: atLeast(s.servers, MIN_SHAPE.servers, 'servers'),
    domainControllers: Math.min(atLeast(s.domainControllers, MIN_SHAPE.domainControllers, 'domainControllers'), 200),
    serviceAccounts: atLeast(s.serviceAccounts, MIN_SHAPE.serviceAccounts, 'serviceAccounts'),
  };
}

/** A domain shape in proportion to its number of people, for `--accounts N`. */
export function shapeForAccounts(accounts: number): DomainShape {
  return {
    users: accounts,
    workstations: accounts,
    servers: Math.max(MIN_SHAPE.servers, Math.round(accounts / 50)),
    domainControllers: Math.max(2, Math.min(12, Math.round(accounts / 5000))),
    serviceAccounts: Math.max(MIN_SHAPE.serviceAccounts, Math.round(accounts / 400)),
  };
}

/** `10.second.x.y` for the i-th host, skipping .0 and .255 in the last octet. */
function address(secondOffset: number, thirdStart: number, i: number): string {
  const block = Math.floor(i / 254);
  const third = thirdStart + block;
  return `10.${secondOffset + Math.floor(third / 256)}.${third % 256}.${(i % 254) + 1}`;
}

function range<T>(n: number, f: (i: number) => T): T[] {
  const out: T[] = new Array(Math.max(0, n));
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const FIRST_NAMES = [
  'Anna', 'Ben', 'Carla', 'David', 'Elena', 'Farid', 'Grace', 'Hugo', 'Ines', 'Jonas', 'Karin', 'Liam', 'Maya', 'Noah',
  'Olga', 'Pablo', 'Quinn', 'Rosa', 'Samir', 'Tara', 'Uwe', 'Vera', 'Wen', 'Xavier', 'Yara', 'Zoe', 'Adam', 'Bianca',
  'Chen', 'Dana', 'Emil', 'Fatima', 'Georg', 'Hana', 'Ivan', 'Julia', 'Kofi', 'Lena', 'Marco', 'Nina', 'Oscar', 'Priya',
  'Rafael', 'Sofia', 'Tomas', 'Ulla', 'Victor', 'Wanda', 'Yusuf', 'Zara', 'Alice', 'Bruno', 'Clara', 'Dmitri', 'Eva',
  'Felix', 'Greta', 'Henrik', 'Ida', 'Jakob', 'Kim', 'Lucas', 'Mila', 'Nils', 'Olivia', 'Peter', 'Rita', 'Sven', 'Thea',
];

const LAST_NAMES = [
  'Keller', 'Novak', 'Silva', 'Okafor', 'Lindqvist', 'Moreau', 'Rossi', 'Schmidt', 'Tanaka', 'Kowalski', 'Haddad',
  'Jensen', 'Garcia', 'Ivanova', 'Brennan', 'Costa', 'Dubois', 'Fischer', 'Gomez', 'Horvat', 'Iqbal', 'Johansson',
  'Kaur', 'Larsen', 'Meyer', 'Nguyen', 'Oliveira', 'Petrov', 'Quist', 'Richter', 'Sato', 'Torres', 'Urban', 'Varga',
  'Weber', 'Yilmaz', 'Zimmer', 'Andersen', 'Bauer', 'Castillo', 'Dahl', 'Eriksen', 'Fontaine', 'Gruber', 'Hoffmann',
  'Ito', 'Jovanovic', 'Klein', 'Lehmann', 'Marin', 'Nowak', 'Ortiz', 'Pereira', 'Ramos', 'Santos', 'Tran', 'Vogel',
  'Wagner', 'Young', 'Zhang', 'Berg', 'Carter', 'Diaz', 'Evans', 'Ferrari', 'Hansen', 'Kim', 'Lopez', 'Morris', 'Park',
];
