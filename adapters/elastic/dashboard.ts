import { ALERT_DATASET } from './config';
import { uuidV5 } from './rule-ids';

/**
 * The tierzero dashboards as Kibana saved objects (NDJSON for `POST /api/saved_objects/_import`,
 * the format Kibana's saved-objects export writes: one object per line with `type`, `id`,
 * `attributes`, `references`, `coreMigrationVersion`/`typeMigrationVersion` left out so Kibana
 * migrates them from the oldest version on import). Objects reference each other by id through
 * `references` (`kibanaSavedObjectMeta.searchSourceJSON.index` for a data view, `panel_<n>` for
 * a dashboard panel), as src/platform/plugins/shared/dashboard and saved_search store them.
 *
 * - **tierzero — priorities**: the priority table (the risk index: one row per identity, its
 *   score, band and top contributions, highest first) and alerts over time by severity.
 * - **tierzero — user page**: the identity's score, its breakdown by contribution, and the alert
 *   timeline with the reason of each; filter it with `user.name : "<name>"` in the query bar
 *   (both indices carry `user.name`).
 * Panels are saved searches and one aggregation-based histogram: object types every Kibana 8
 * imports without Lens's version-specific state.
 */
export interface DashboardOptions {
  /** The risk index (elastic.riskIndex); the data view takes its namespace's wildcard form. */
  readonly riskIndexPattern: string;
}

const id = (name: string): string => uuidV5(`tierzero/kibana/${name}`);

export const DATA_VIEW_IDS = { alerts: id('data-view/alerts'), risk: id('data-view/risk') };
export const DASHBOARD_IDS = { priorities: id('dashboard/priorities'), user: id('dashboard/user') };

type SavedObject = { type: string; id: string; attributes: Record<string, unknown>; references: { type: string; id: string; name: string }[]; managed?: boolean };

function dataView(viewId: string, title: string, name: string, timeField: string): SavedObject {
  return { type: 'index-pattern', id: viewId, attributes: { title, name, timeFieldName: timeField, allowHidden: false }, references: [] };
}

function search(searchId: string, title: string, description: string, view: string, columns: string[], sort: [string, 'asc' | 'desc'][], query = ''): SavedObject {
  return {
    type: 'search',
    id: searchId,
    attributes: {
      title,
      description,
      columns,
      sort,
      grid: {},
      hideChart: true,
      isTextBasedQuery: false,
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query, language: 'kuery' }, filter: [], indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' }),
      },
    },
    references: [{ type: 'index-pattern', id: view, name: 'kibanaSavedObjectMeta.searchSourceJSON.index' }],
  };
}

/** Alerts over time: an aggregation-based stacked histogram, count per interval split by tierzero severity. */
function alertsOverTime(visId: string): SavedObject {
  const visState = {
    title: 'tierzero alerts over time',
    type: 'histogram',
    aggs: [
      { id: '1', enabled: true, type: 'count', schema: 'metric', params: {} },
      { id: '2', enabled: true, type: 'date_histogram', schema: 'segment', params: { field: '@timestamp', useNormalizedEsInterval: true, interval: 'auto', drop_partials: false, min_doc_count: 1, extended_bounds: {} } },
      { id: '3', enabled: true, type: 'terms', schema: 'group', params: { field: 'tierzero.severity', orderBy: '1', order: 'desc', size: 5, otherBucket: false, missingBucket: false } },
    ],
    params: {
      type: 'histogram', addTooltip: true, addLegend: true, legendPosition: 'right', times: [], addTimeMarker: false,
      categoryAxes: [{ id: 'CategoryAxis-1', type: 'category', position: 'bottom', show: true, scale: { type: 'linear' }, labels: { show: true, filter: true, truncate: 100 }, title: {} }],
      valueAxes: [{ id: 'ValueAxis-1', name: 'LeftAxis-1', type: 'value', position: 'left', show: true, scale: { type: 'linear', mode: 'normal' }, labels: { show: true, rotate: 0, filter: false, truncate: 100 }, title: { text: 'Alerts' } }],
      seriesParams: [{ show: true, type: 'histogram', mode: 'stacked', data: { label: 'Alerts', id: '1' }, valueAxis: 'ValueAxis-1', drawLinesBetweenPoints: true, showCircles: true }],
      grid: { categoryLines: false }, labels: { show: false }, thresholdLine: { show: false, value: 10, width: 1, style: 'full', color: '#E7664C' },
    },
  };
  return {
    type: 'visualization',
    id: visId,
    attributes: {
      title: 'tierzero alerts over time',
      description: 'tierzero alerts per interval, stacked by tierzero severity (informational ones included).',
      visState: JSON.stringify(visState),
      uiStateJSON: '{}',
      version: 1,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [], indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' }) },
    },
    references: [{ type: 'index-pattern', id: DATA_VIEW_IDS.alerts, name: 'kibanaSavedObjectMeta.searchSourceJSON.index' }],
  };
}

function dashboard(dashId: string, title: string, description: string, panels: { ref: SavedObject; w: number; h: number }[], query = ''): SavedObject {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const panelsJSON = panels.map((p, i) => {
    if (x + p.w > 48) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const panel = { version: '8.19.0', type: p.ref.type, gridData: { x, y, w: p.w, h: p.h, i: String(i + 1) }, panelIndex: String(i + 1), embeddableConfig: {}, panelRefName: `panel_${i}` };
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
    return panel;
  });
  return {
    type: 'dashboard',
    id: dashId,
    attributes: {
      title,
      description,
      panelsJSON: JSON.stringify(panelsJSON),
      optionsJSON: JSON.stringify({ useMargins: true, syncColors: false, syncCursor: true, syncTooltips: false, hidePanelTitles: false }),
      timeRestore: true,
      timeFrom: 'now-7d',
      timeTo: 'now',
      refreshInterval: { pause: true, value: 60000 },
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify({ query: { query, language: 'kuery' }, filter: [] }) },
    },
    references: panels.map((p, i) => ({ type: p.ref.type, id: p.ref.id, name: `panel_${i}` })),
  };
}

export function dashboardObjects(o: DashboardOptions): SavedObject[] {
  const alerts = dataView(DATA_VIEW_IDS.alerts, `logs-${ALERT_DATASET}-*`, 'tierzero alerts', '@timestamp');
  const risk = dataView(DATA_VIEW_IDS.risk, o.riskIndexPattern, 'tierzero risk scores', '@timestamp');
  const priority = search(id('search/priorities'), 'tierzero priority table',
    'One row per identity: its tierzero score (user.risk.calculated_score_norm, 0–100), band, change over 24 h and what contributed most. Highest first.',
    DATA_VIEW_IDS.risk, ['user.name', 'user.risk.calculated_score_norm', 'user.risk.calculated_level', 'tierzero.change_24h', 'tierzero.criticality.tier', 'tierzero.top_contributions'], [['user.risk.calculated_score_norm', 'desc']]);
  const overTime = alertsOverTime(id('visualization/alerts-over-time'));
  const score = search(id('search/user-score'), 'tierzero score',
    'The identity\'s latest score and band, its criticality multiplier and the formula\'s parts.',
    DATA_VIEW_IDS.risk, ['user.name', 'user.risk.calculated_score_norm', 'user.risk.calculated_level', 'user.risk.criticality_modifier', 'tierzero.percentile', 'tierzero.formula.total', 'tierzero.formula.floor'], [['@timestamp', 'desc']]);
  const breakdown = search(id('search/user-breakdown'), 'tierzero score breakdown',
    'What the score is made of: each contributing detector with its value, rank and contribution, and the alerts behind it (user.risk.inputs).',
    DATA_VIEW_IDS.risk, ['user.name', 'tierzero.contributions.detector', 'tierzero.contributions.contribution', 'tierzero.contributions.rank', 'tierzero.contributions.alert_ids', 'user.risk.inputs.description'], [['@timestamp', 'desc']]);
  const timeline = search(id('search/user-timeline'), 'tierzero alert timeline',
    'The identity\'s alerts, newest first, each with the detector, severity and the reason (message).',
    DATA_VIEW_IDS.alerts, ['rule.name', 'tierzero.severity', 'event.risk_score', 'message', 'source.ip', 'host.name', 'tierzero.learning'], [['@timestamp', 'desc']]);
  return [
    alerts, risk, priority, overTime, score, breakdown, timeline,
    dashboard(DASHBOARD_IDS.priorities, 'tierzero — priorities', 'Who to look at first: identities by tierzero score, and alerts over time.', [{ ref: priority, w: 48, h: 18 }, { ref: overTime, w: 48, h: 14 }]),
    dashboard(DASHBOARD_IDS.user, 'tierzero — user page', 'One identity: type user.name : "<name>" in the query bar. Its score, the breakdown of that score, and the alert timeline with the reason for each alert.',
      [{ ref: score, w: 24, h: 10 }, { ref: breakdown, w: 24, h: 10 }, { ref: timeline, w: 48, h: 20 }]),
  ];
}

export function dashboardNdjson(o: DashboardOptions): string {
  return `${dashboardObjects(o).map((x) => JSON.stringify(x)).join('\n')}\n`;
}
