import { writeFile } from 'node:fs/promises';
import { FileStateStore } from '../adapters/file/file-state-store';
import { ScoreBook } from '../core/scoring/score-book';
import { StateVersionError, type LoadedState } from '../core/state/state';
import { USERS } from './commands';
import { reportFailure } from './failure';
import { parse, UsageError } from './args';
import { nameIndex } from './user-story';
import { renderUsersHtml } from './users-html';
import { jsonText, visible } from './visible';
import { rankingJson, rankingTable, userDetail, userJson } from './users-render';

/**
 * `tierzero users`: the investigation priority of every identity, from the state `tierzero
 * detect --state f` keeps — the ranked table (score, org percentile, 24 h change, top
 * contributions), one user's breakdown and timeline, an HTML report, or an analyst reset.
 */
export async function run(argv: string[]): Promise<number> {
  try {
    return await users(argv);
  } catch (e) {
    return reportFailure(USERS, e);
  }
}

/** The state file is missing or unreadable: nothing to rank. */
class StateReadError extends Error {
  override name = 'StateReadError';
  readonly exitCode = 3;
}

async function users(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, USERS);
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (!values.state) throw new UsageError('--state is required: the state file `tierzero detect --state` writes');
  const format = values.format;
  if (format !== 'table' && format !== 'json') throw new UsageError('--format must be table or json');
  const top = values.top === undefined ? 20 : Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new UsageError('--top must be a positive integer');

  const store = new FileStateStore(values.state);
  let loaded: LoadedState | undefined;
  try {
    loaded = await store.load();
  } catch (e) {
    if (e instanceof StateVersionError) throw e;
    throw new StateReadError((e as Error).message);
  }
  const state = loaded?.state;
  if (!loaded || !state) throw new StateReadError(`no state at ${values.state}: run tierzero detect --state ${values.state} first`);
  const book = new ScoreBook(state.scores ?? undefined);
  const at = timeOf(values.at, book.time);

  if (values.reset !== undefined) {
    const entry = book.find(values.reset);
    if (!entry) throw new UsageError(`no scored identity matches ${values.reset}`);
    const before = book.reset(entry, at);
    await store.save({ ...state, scores: book.snapshot() }, loaded.token);
    process.stdout.write(`${visible(entry.identity.name)}: score ${before.toFixed(1)} cleared at ${new Date(at).toISOString()}; its ${entry.signals.length} signal(s) and history are kept\n`);
    return 0;
  }

  const ranked = book.ranked(at);
  const names = nameIndex(ranked.map((r) => r.entry.identity));
  if (values.html !== undefined) {
    await writeFile(values.html, renderUsersHtml(ranked, { at, top, names, scoreAt: (r, t) => book.breakdown(r.entry, t).score }), 'utf8');
    // Only where it wrote, so `xdg-open "$(tierzero users --state s --html r.html)"` works.
    process.stdout.write(`${visible(values.html)}\n`);
    if (values.user === undefined) return 0;
  }
  if (values.user !== undefined) {
    const entry = book.find(values.user);
    const found = entry && ranked.find((r) => r.entry === entry);
    if (!found) throw new UsageError(`no scored identity matches ${values.user}`);
    process.stdout.write(format === 'json' ? `${jsonText(userJson(found), 2)}\n` : userDetail(found, names));
    return 0;
  }
  process.stdout.write(format === 'json' ? `${jsonText(rankingJson(ranked.slice(0, top), at), 2)}\n` : rankingTable(ranked.slice(0, top), at, book.size, names));
  return 0;
}

/** Scores are computed at the state's latest event time unless asked otherwise (`now`: the wall clock). */
function timeOf(value: string | undefined, stateTime: number | null): number {
  if (value === 'now') return Date.now();
  if (value !== undefined) {
    const t = Date.parse(value);
    if (!Number.isFinite(t)) throw new UsageError(`--at ${value} is not a time (ISO-8601, or now)`);
    return t;
  }
  if (stateTime === null) throw new UsageError('the state holds no scores yet: run tierzero detect --state with some events first');
  return stateTime;
}
