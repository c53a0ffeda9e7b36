import { stableHex, type Prng } from './prng';
import { security, type GeneratedEvent } from './windows-events';

/**
 * Events a SIEM holds beside the identity ones and that no detector reads: Sysmon process,
 * network, registry and DNS records, WFP connections, process creation, service state.
 * They make up about a fifth of the workload, so the benchmark pays for skipping them.
 */

export interface NoiseHost {
  readonly fqdn: string;
  readonly ip: string;
  readonly netbios: string;
  /** `CORP\anna.keller` on a workstation, the machine on a server. */
  readonly user: string;
  readonly userSid: string;
}

const SYSMON = 'Microsoft-Windows-Sysmon/Operational';

const IMAGES = [
  'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe', 'C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE',
  'C:\\Windows\\explorer.exe', 'C:\\Windows\\System32\\svchost.exe', 'C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe',
  'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe', 'C:\\Windows\\System32\\SearchIndexer.exe',
  'C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE', 'C:\\Windows\\System32\\RuntimeBroker.exe',
  'C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe', 'C:\\Windows\\System32\\taskhostw.exe',
];
const DLLS = ['C:\\Windows\\System32\\ntdll.dll', 'C:\\Windows\\System32\\kernelbase.dll', 'C:\\Windows\\System32\\wininet.dll',
  'C:\\Windows\\System32\\crypt32.dll', 'C:\\Windows\\System32\\winhttp.dll', 'C:\\Windows\\System32\\dnsapi.dll'];
const DOMAINS = ['login.microsoftonline.com', 'outlook.office365.com', 'www.google.com', 'update.googleapis.com', 'intranet.corp.example',
  'fs01.corp.example', 'settings-win.data.microsoft.com', 'teams.microsoft.com', 'github.com', 'crm.corp.example'];
const REGISTRY = [
  'HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\FeatureUsage\\AppSwitched',
  'HKLM\\System\\CurrentControlSet\\Services\\bam\\State\\UserSettings\\{sid}',
  'HKU\\{sid}\\Software\\Microsoft\\Office\\16.0\\Common\\Roaming\\Identities',
  'HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastUpdated',
  'HKU\\{sid}\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\ZoneMap\\ProxyBypass',
];
const DETAILS = ['DWORD (0x00000001)', 'DWORD (0x00000000)', 'DWORD (0x00000044)', 'QWORD (0x01da7c4e-0x8a3f2b10)', 'Binary Data'];
const SERVICES = ['Windows Update', 'Background Intelligent Transfer Service', 'Windows Modules Installer', 'Microsoft Defender Antivirus Service', 'Delivery Optimization'];

type NoiseBuilder = (h: NoiseHost, time: number, rng: Prng) => GeneratedEvent;

const BUILDERS: readonly (readonly [number, NoiseBuilder])[] = [
  [20, registrySet], [15, registryCreate], [12, processAccess], [10, imageLoad], [10, networkConnect], [8, dnsQuery],
  [5, processCreate], [5, processTerminate], [5, fileCreate], [5, wfpConnection], [3, securityProcessCreate], [2, serviceState],
];
const TOTAL_WEIGHT = BUILDERS.reduce((n, [w]) => n + w, 0);

export function noiseEvent(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  let r = rng.float() * TOTAL_WEIGHT;
  for (const [w, build] of BUILDERS) {
    r -= w;
    if (r < 0) return build(h, time, rng);
  }
  return registrySet(h, time, rng);
}

function sysmon(h: NoiseHost, id: number, data: Record<string, string>): GeneratedEvent {
  return { TimeCreated: '', Computer: h.fqdn, Channel: SYSMON, Provider: 'Microsoft-Windows-Sysmon', EventID: id, EventRecordID: 0, UserID: 'S-1-5-18', ...data };
}

function utc(time: number): string {
  return new Date(time).toISOString().replace('T', ' ').slice(0, 23);
}

/** A running process: its GUID and PID recur in every event it causes, so they derive from host and image. */
function proc(h: NoiseHost, image: string): { readonly guid: string; readonly pid: string } {
  const x = stableHex(`${h.fqdn}|${image}`, 24);
  return { guid: `{6f1c2a4e-${x.slice(0, 4)}-${x.slice(4, 8)}-${x.slice(8, 12)}-${x.slice(12, 24)}}`, pid: String(600 + (parseInt(x.slice(0, 6), 16) % 11000)) };
}

/** A binary's SHA256 is a property of the file. */
function sha256(image: string): string {
  return stableHex(image, 64).toUpperCase();
}

function registrySet(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const p = proc(h, image);
  return sysmon(h, 13, {
    RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid,
    Image: image, TargetObject: rng.pick(REGISTRY).replace('{sid}', h.userSid), Details: rng.pick(DETAILS), User: h.user,
  });
}

function registryCreate(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const p = proc(h, image);
  return sysmon(h, 12, {
    RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid,
    Image: image, TargetObject: rng.pick(REGISTRY).replace('{sid}', h.userSid), User: h.user,
  });
}

function processAccess(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const source = rng.pick(IMAGES);
  const target = rng.pick(IMAGES);
  const sp = proc(h, source);
  const tp = proc(h, target);
  return sysmon(h, 10, {
    RuleName: '-', UtcTime: utc(time), SourceProcessGUID: sp.guid, SourceProcessId: sp.pid, SourceThreadId: String(rng.int(600, 12000)),
    SourceImage: source, TargetProcessGUID: tp.guid, TargetProcessId: tp.pid, TargetImage: target,
    GrantedAccess: rng.pick(['0x1000', '0x1400', '0x1410', '0x101000']),
    CallTrace: 'C:\\Windows\\SYSTEM32\\ntdll.dll+9d4c4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|UNKNOWN(00007FF8A1B2C3D4)',
    SourceUser: h.user, TargetUser: h.user,
  });
}

function imageLoad(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const dll = rng.pick(DLLS);
  const p = proc(h, image);
  return sysmon(h, 7, {
    RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid, Image: image,
    ImageLoaded: dll, FileVersion: '10.0.19041.4355 (WinBuild.160101.0800)', Description: 'Windows NT BASE API Client DLL',
    Product: 'Microsoft® Windows® Operating System', Company: 'Microsoft Corporation', OriginalFileName: 'kernelbase.dll',
    Hashes: `SHA256=${sha256(dll)}`, Signed: 'true', Signature: 'Microsoft Windows', SignatureStatus: 'Valid', User: h.user,
  });
}

function networkConnect(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const p = proc(h, image);
  return sysmon(h, 3, {
    RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid, Image: image, User: h.user,
    Protocol: 'tcp', Initiated: 'true', SourceIsIpv6: 'false', SourceIp: h.ip, SourceHostname: h.fqdn, SourcePort: String(rng.int(49152, 65535)), SourcePortName: '-',
    DestinationIsIpv6: 'false', DestinationIp: `52.${rng.int(96, 113)}.${rng.int(0, 255)}.${rng.int(1, 254)}`, DestinationHostname: '-',
    DestinationPort: '443', DestinationPortName: 'https',
  });
}

function dnsQuery(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const p = proc(h, image);
  const query = rng.pick(DOMAINS);
  return sysmon(h, 22, {
    RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid, QueryName: query,
    QueryStatus: '0', QueryResults: `::ffff:52.${96 + (parseInt(stableHex(query, 4), 16) % 17)}.${parseInt(stableHex(query, 2), 16)}.${1 + (parseInt(stableHex(query, 6), 16) % 254)};`, Image: image, User: h.user,
  });
}

function processCreate(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const p = proc(h, image);
  const parent = proc(h, 'C:\\Windows\\explorer.exe');
  return sysmon(h, 1, {
    RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid, Image: image,
    FileVersion: '10.0.19041.1 (WinBuild.160101.0800)', Description: '-', Product: '-', Company: 'Microsoft Corporation', OriginalFileName: '-',
    CommandLine: `"${image}"`, CurrentDirectory: 'C:\\Windows\\system32\\', User: h.user, LogonGuid: parent.guid, LogonId: `0x${parent.pid}`,
    TerminalSessionId: '1', IntegrityLevel: 'Medium', Hashes: `SHA256=${sha256(image)}`, ParentProcessGuid: parent.guid,
    ParentProcessId: parent.pid, ParentImage: 'C:\\Windows\\explorer.exe', ParentCommandLine: 'C:\\Windows\\Explorer.EXE', ParentUser: h.user,
  });
}

function processTerminate(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const p = proc(h, image);
  return sysmon(h, 5, { RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid, Image: image, User: h.user });
}

function fileCreate(h: NoiseHost, time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  const p = proc(h, image);
  return sysmon(h, 11, {
    RuleName: '-', UtcTime: utc(time), ProcessGuid: p.guid, ProcessId: p.pid, Image: image,
    TargetFilename: `C:\\Users\\Public\\AppData\\Local\\Temp\\${rng.hex(8)}.tmp`, CreationUtcTime: utc(time), User: h.user,
  });
}

function wfpConnection(h: NoiseHost, _time: number, rng: Prng): GeneratedEvent {
  return security(h.fqdn, 5156, {
    ProcessID: String(rng.int(600, 12000)), Application: '\\device\\harddiskvolume3\\windows\\system32\\svchost.exe', Direction: '%%14593',
    SourceAddress: h.ip, SourcePort: String(rng.int(49152, 65535)), DestAddress: `10.0.0.${rng.int(10, 11)}`, DestPort: rng.pick(['53', '389', '445', '88']),
    Protocol: '6', FilterRTID: '0', LayerName: '%%14611', LayerRTID: '48', RemoteUserID: 'S-1-0-0', RemoteMachineID: 'S-1-0-0',
  });
}

function securityProcessCreate(h: NoiseHost, _time: number, rng: Prng): GeneratedEvent {
  const image = rng.pick(IMAGES);
  return security(h.fqdn, 4688, {
    SubjectUserSid: 'S-1-5-18', SubjectUserName: `${h.fqdn.split('.')[0] ?? ''}$`, SubjectDomainName: h.netbios, SubjectLogonId: '0x3e7',
    NewProcessId: `0x${rng.int(0x100, 0x3fff).toString(16)}`, NewProcessName: image, TokenElevationType: '%%1936', ProcessId: `0x${rng.int(0x100, 0xfff).toString(16)}`, CommandLine: '',
    TargetUserSid: 'S-1-0-0', TargetUserName: '-', TargetDomainName: '-', TargetLogonId: '0x0',
    ParentProcessName: 'C:\\Windows\\System32\\services.exe', MandatoryLabel: 'S-1-16-16384',
  });
}

function serviceState(h: NoiseHost, _time: number, rng: Prng): GeneratedEvent {
  const name = rng.pick(SERVICES);
  return {
    TimeCreated: '', Computer: h.fqdn, Channel: 'System', Provider: 'Service Control Manager', EventID: 7036, EventRecordID: 0,
    param1: name, param2: rng.pick(['running', 'stopped']), Binary: Buffer.from(`${name}/4`, 'utf16le').toString('base64'),
  };
}
