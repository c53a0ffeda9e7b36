import { PLAYBOOKS, playbookName } from './playbook-definitions';

/**
 * The tierzero workbook (Azure Monitor workbook `serializedData`, schema "Notebook/1.0": items
 * of type 1 text, 3 query, 9 parameters, 11 links, as Azure/Azure-Sentinel `Workbooks/*.json`
 * write them): the priority table, the user page — the score worked out from its
 * contributions, the timeline of the person's alerts with their "why", and the response
 * playbooks — and the alerts over time. Every query reads the custom tables with the dedupe the
 * issue requires (`arg_max(TimeGenerated, *)` per alert or identity).
 */
export const RESOURCE_GROUP_TOKEN = '{tierzero:resourceGroupId}';

export interface WorkbookQuery {
  readonly name: string;
  readonly query: string;
}

/** The identity the priority table selects; `:escape` keeps a quote in it from ending the literal. */
const IDENTITY = '"{Identity:escape}"';

const LATEST_SCORE = `TierzeroScores_CL
| where IdentityKey == ${IDENTITY}
| summarize arg_max(TimeGenerated, *) by IdentityKey`;

export const WORKBOOK_QUERIES: readonly WorkbookQuery[] = [
  {
    name: 'priority',
    query: `TierzeroScores_CL
| summarize arg_max(TimeGenerated, *) by IdentityKey
| where Removed != true
| project Identity = coalesce(IdentityName, AccountUpn, AccountName, IdentityKey), Score, Band, Percentile, Change24h, Tier, TopContributions, IdentityKey, Updated = TimeGenerated
| order by Score desc
| take 200`,
  },
  {
    name: 'score-breakdown',
    query: `${LATEST_SCORE}
| mv-expand Contribution = Contributions
| project Detector = tostring(Contribution.detector), Signals = toint(Contribution.signals), Value = todouble(Contribution.value), Capped = tobool(Contribution.capped), Rank = toint(Contribution.rank), Contribution = todouble(Contribution.contribution)
| order by Rank asc`,
  },
  {
    // The rest of the worked-out score (score-row.ts `Formula`): the sum A, the floor, Aₙ and the multipliers.
    name: 'score-formula',
    query: `${LATEST_SCORE}
| project Score, Band, Percentile, Tier, Total = todouble(Formula.total), Floor = todouble(Formula.floor), Normalised = todouble(Formula.normalised), CriticalityMultiplier = todouble(Formula.criticalityMultiplier), CriticalityReasons = Formula.criticalityReasons, RiskJump = tobool(Formula.riskJump)`,
  },
  {
    name: 'user-timeline',
    // The alert row carries the identity key its score is kept under (alert-row.ts), so the timeline is a filter.
    query: `TierzeroAlerts_CL
| summarize arg_max(TimeGenerated, *) by AlertId
| where IdentityKey == ${IDENTITY}
| project FirstSeen, LastSeen, Title, Severity, Learning, Detector = DetectorId, Why, Recommendations, Techniques, AlertId
| order by FirstSeen desc`,
  },
  {
    name: 'alerts-over-time',
    query: `TierzeroAlerts_CL
| summarize arg_max(TimeGenerated, *) by AlertId
| summarize Alerts = count() by bin(TimeGenerated, 1h), Severity`,
  },
];

const QUERY_ITEM_BASE = { version: 'KqlItem/1.0', size: 0, queryType: 0, resourceType: 'microsoft.operationalinsights/workspaces', timeContextFromParameter: 'TimeRange' };

function query(name: string, title: string, extra: Record<string, unknown>): Record<string, unknown> {
  const q = WORKBOOK_QUERIES.find((x) => x.name === name);
  if (!q) throw new Error(`no workbook query ${name}`);
  return { type: 3, name, content: { ...QUERY_ITEM_BASE, title, query: q.query, ...extra } };
}

/** The workbook content; `{tierzero:resourceGroupId}` is replaced by the template at deployment. */
export function workbookContent(): Record<string, unknown> {
  const onSelected = { conditionalVisibility: { parameterName: 'Identity', comparison: 'isNotEqualTo', value: '' } };
  const entityPlaybooks = PLAYBOOKS.filter((p) => p.trigger === 'entity');
  return {
    version: 'Notebook/1.0',
    items: [
      { type: 1, name: 'intro', content: { json: '## tierzero identity threat detection\nThe priority table ranks identities by their tierzero score. Select one to see how the score is made up, the alerts behind it and why each fired, and how to respond.' } },
      {
        type: 9, name: 'parameters',
        content: {
          version: 'KqlParameterItem/1.0',
          parameters: [
            { id: 'tierzero-time', version: 'KqlParameterItem/1.0', name: 'TimeRange', label: 'Time range', type: 4, isRequired: true, value: { durationMs: 604800000 }, typeSettings: { selectableValues: [{ durationMs: 86400000 }, { durationMs: 604800000 }, { durationMs: 2592000000 }] } },
            { id: 'tierzero-identity', version: 'KqlParameterItem/1.0', name: 'Identity', label: 'Identity', type: 1, isHiddenWhenLocked: true, value: '' },
          ],
          style: 'pills', queryType: 0, resourceType: 'microsoft.operationalinsights/workspaces',
        },
      },
      query('priority', 'Priority: identities by score', {
        visualization: 'table',
        exportFieldName: 'IdentityKey', exportParameterName: 'Identity', exportDefaultValue: '',
        gridSettings: { formatters: [{ columnMatch: 'Score', formatter: 8, formatOptions: { palette: 'greenRed' } }, { columnMatch: 'IdentityKey', formatter: 5 }] },
      }),
      { ...query('score-formula', 'The score, worked out', { visualization: 'table' }), ...onSelected },
      { ...query('score-breakdown', 'What each detector adds', { visualization: 'table' }), ...onSelected },
      { ...query('user-timeline', 'Alerts for this identity, and why each fired', { visualization: 'table' }), ...onSelected },
      {
        type: 11, name: 'playbooks', ...onSelected,
        content: {
          version: 'LinkItem/1.0', style: 'list',
          links: entityPlaybooks.map((p) => ({
            id: `tierzero-${p.action}`, cellValue: '', linkTarget: 'Resource', linkLabel: `${playbookName(p)} (run it on the Account entity of an incident, or from the entity page)`,
            resourceId: `${RESOURCE_GROUP_TOKEN}/providers/Microsoft.Logic/workflows/${playbookName(p)}`,
          })),
        },
      },
      query('alerts-over-time', 'Alerts over time', { visualization: 'timechart' }),
    ],
    fallbackResourceIds: [],
    $schema: 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json',
  };
}
