/**
 * Microsoft's Kusto language service (npm @kusto/language-service-next, Bridge.NET) for the
 * Sentinel tests: syntax plus semantic diagnostics of a KQL query against declared table
 * schemas, so an unknown column, table or function is an error as it would be in Log
 * Analytics. Loaded once (first parse ~0.6 s, ~210 MB); see ../shared/research/feasibility.md §4c.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any -- Bridge.NET has no typings */

/** A table's columns in Kusto's schema syntax: `(TimeGenerated:datetime, EventID:int, …)`. */
export type KustoSchema = Readonly<Record<string, string>>;

export interface KustoDiagnostic {
  readonly code: string;
  readonly severity: string;
  readonly message: string;
  readonly start: number;
  readonly length: number;
}

let loaded: { K: any; S: any; Bridge: any } | undefined;

function kusto(): { K: any; S: any; Bridge: any } {
  if (!loaded) {
    require('@kusto/language-service-next/bridge.js');
    require('@kusto/language-service-next');
    const g = globalThis as any;
    loaded = { K: g.Kusto.Language, S: g.Kusto.Language.Symbols, Bridge: g.Bridge };
  }
  return loaded;
}

/** The global state with one database holding `tables` (name → column schema). */
export function kustoGlobals(tables: KustoSchema): unknown {
  const { K, S } = kusto();
  const symbols = Object.entries(tables).map(([name, schema]) => new S.TableSymbol.$ctor7(name, schema, null));
  const db = new S.DatabaseSymbol.$ctor1('workspace', symbols, false);
  return K.GlobalState.Default.WithCluster(new S.ClusterSymbol.$ctor1('cluster', [db], false)).WithDatabase(db);
}

/** Syntax and semantic diagnostics of `query` against `tables` (or a prepared `kustoGlobals`). */
export function kqlDiagnostics(query: string, tables: KustoSchema | unknown): KustoDiagnostic[] {
  const { K, Bridge } = kusto();
  const globals = isSchema(tables) ? kustoGlobals(tables) : tables;
  const code = K.KustoCode.ParseAndAnalyze(query, globals);
  return Bridge.toArray(code.GetDiagnostics()).map((d: any) => ({
    code: String(d.Code),
    severity: String(d.Severity),
    message: String(d.Message),
    start: Number(d.Start),
    length: Number(d.Length),
  }));
}

/** The parsed, analysed query, for callers that walk its syntax tree (the Log Analytics emulator). */
export function kqlParse(query: string, tables: KustoSchema | unknown): any {
  const { K } = kusto();
  return K.KustoCode.ParseAndAnalyze(query, isSchema(tables) ? kustoGlobals(tables) : tables);
}

function isSchema(x: unknown): x is KustoSchema {
  return typeof x === 'object' && x !== null && Object.values(x).every((v) => typeof v === 'string');
}
