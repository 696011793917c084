/**
 * Benchmark 2, AWS API calls against KEDA + HPA, for the tick-cost fleets at a 30 s polling
 * interval. Ours: the calls one pass made in benchmark 1 (measured at the servers) times the
 * passes in an hour: a pass every 15 s, KEDA's polls at 30 s and the HPA syncs between them (the
 * pod scaler's default cadence, which matches KEDA + HPA's). KEDA: its polling loop calls every AWS trigger's scaler each pollingInterval,
 * and the HPA's metric request every 15 s calls the scaler again (useCachedMetrics is off by
 * default), per shared/reference/keda-semantics.md §0. Cron triggers make no AWS call in either.
 *
 *   npx tsx bench/api-calls.ts      (uses bench/out/tick-cost.json, or measures the call counts)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFleet } from './tick-cost/fleet';
import { runTickCost, LAMBDA_MEMORY_MB, type TickCostRow } from './tick-cost';
import { OUT_DIR, isMain, writeResult } from './support/output';
import { formatNumber, formatTable } from './support/table';

export const POLLING_INTERVAL_S = 30;
export const HPA_SYNC_S = 15;
const HOUR_S = 3600;

export interface ApiCallsRow {
  size: number;
  awsTriggers: number;
  oursMetricCallsPerHour: number;
  oursStateCallsPerHour: number;
  oursTotalPerHour: number;
  kedaLoopPerHour: number;
  hpaPerHour: number;
  kedaTotalPerHour: number;
  /** KEDA + HPA metric calls per metric call of ours. */
  metricRatio: number;
  /** KEDA + HPA metric calls per AWS call of ours, DynamoDB state included. */
  totalRatio: number;
  lambdaGbSecondsPerHour: number;
}

export const FORMULA =
  `ours/h = (metric calls per pass + BatchGetItem per pass + PutItem per pass + Lambda invokes per pass) x ${HOUR_S}/${HPA_SYNC_S} passes; ` +
  `KEDA+HPA/h = AWS triggers x (${HOUR_S}/${POLLING_INTERVAL_S} polling + ${HOUR_S}/${HPA_SYNC_S} HPA metric requests)`;

export function apiCallsFrom(row: TickCostRow): ApiCallsRow {
  const fleet = buildFleet(row.size);
  const awsTriggers = fleet.objects.reduce((count, object) => count + object.triggers.filter((trigger) => trigger.type !== 'cron').length, 0);
  // A pass every 15 s: KEDA polls every 30 s and the HPA syncs in between, as in a cluster.
  const passesPerHour = HOUR_S / Math.min(POLLING_INTERVAL_S, HPA_SYNC_S);
  const metricPerPass = row.calls.sqs + row.calls.cloudwatch + row.calls.kinesis;
  const statePerPass = row.calls.dynamodb + row.calls.lambda;
  const kedaLoopPerHour = awsTriggers * (HOUR_S / POLLING_INTERVAL_S);
  const hpaPerHour = awsTriggers * (HOUR_S / HPA_SYNC_S);
  const kedaTotal = kedaLoopPerHour + hpaPerHour;
  return {
    size: row.size,
    awsTriggers,
    oursMetricCallsPerHour: metricPerPass * passesPerHour,
    oursStateCallsPerHour: statePerPass * passesPerHour,
    oursTotalPerHour: (metricPerPass + statePerPass) * passesPerHour,
    kedaLoopPerHour,
    hpaPerHour,
    kedaTotalPerHour: kedaTotal,
    metricRatio: kedaTotal / (metricPerPass * passesPerHour),
    totalRatio: kedaTotal / ((metricPerPass + statePerPass) * passesPerHour),
    // Four passes a minute; each costs about one measured pass of wall time.
    lambdaGbSecondsPerHour: ((row.wallMs * passesPerHour) / 1000) * (LAMBDA_MEMORY_MB / 1024),
  };
}

export function apiCallsTable(rows: readonly ApiCallsRow[]): string {
  const ratio = (value: number) => `${formatNumber(Math.round(value * 10) / 10)}x`;
  return formatTable(
    `AWS API calls per hour at pollingInterval ${POLLING_INTERVAL_S}s, ours vs KEDA + HPA (${FORMULA})`,
    ['N', 'AWS triggers', 'ours metric/h', 'ours DynamoDB+Lambda/h', 'ours total/h', 'KEDA loop/h', 'HPA requests/h', 'KEDA+HPA/h', 'metric ratio', 'total ratio', 'Lambda GB-s/h'],
    rows.map((row) => [
      row.size,
      row.awsTriggers,
      row.oursMetricCallsPerHour,
      row.oursStateCallsPerHour,
      row.oursTotalPerHour,
      row.kedaLoopPerHour,
      row.hpaPerHour,
      row.kedaTotalPerHour,
      ratio(row.metricRatio),
      ratio(row.totalRatio),
      Math.round(row.lambdaGbSecondsPerHour),
    ]),
  );
}

async function tickCostRows(): Promise<TickCostRow[]> {
  try {
    const saved = JSON.parse(await readFile(join(OUT_DIR, 'tick-cost.json'), 'utf8')) as { data: TickCostRow[] };
    return saved.data;
  } catch {
    return runTickCost({ sizes: [10, 100, 1000], latencyMs: 20, repeatsFor: () => 1 });
  }
}

if (isMain(import.meta.url)) {
  const rows = (await tickCostRows()).filter((row) => row.connections === 'pooled').map(apiCallsFrom);
  console.log(apiCallsTable(rows));
  await writeResult('api-calls', rows);
}
