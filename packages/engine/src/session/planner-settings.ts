/**
 * PostgreSQL's planner and parallel-query parameters (enable_hashjoin, work_mem,
 * parallel_setup_cost, …). They choose among plans, never change a result, and walrtc has one way
 * to run each query: SET and SHOW keep their values as PostgreSQL would show them and nothing
 * else reads them.
 */
import { SqlError, SQLSTATE } from '../errors.ts';

interface PlannerParameter {
  name: string;
  default: string;
  accept: (value: string) => string | undefined;
}

const BOOL_VALUES: Record<string, string> = { on: 'on', off: 'off', true: 'on', false: 'off', yes: 'on', no: 'off', '1': 'on', '0': 'off' };

const bool = (name: string) => (v: string) => {
  const shown = BOOL_VALUES[v.trim().toLowerCase()];
  if (!shown) throw new SqlError(SQLSTATE.invalid_parameter_value, `parameter "${name}" requires a Boolean value`);
  return shown;
};

/** A plain number (costs, worker counts), shown as PostgreSQL prints it. */
const number = (name: string) => (v: string) => {
  const n = Number(v.trim());
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${name}": "${v}"`);
  return String(n);
};

/** A memory size in `unitKb` units, shown in the largest unit that divides it (64kB, 4MB). */
const memory = (name: string, unitKb: number) => (v: string) => {
  const m = /^\s*(\d+)\s*(kB|MB|GB)?\s*$/.exec(v);
  if (!m) throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${name}": "${v}"`);
  const kb = Number(m[1]) * (m[2] === 'GB' ? 1024 * 1024 : m[2] === 'MB' ? 1024 : m[2] === 'kB' ? 1 : unitKb);
  if (kb === 0) return '0';
  for (const [unit, size] of [['GB', 1024 * 1024], ['MB', 1024]] as const) if (kb % size === 0) return `${kb / size}${unit}`;
  return `${kb}kB`;
};

const ENABLE = ['async_append', 'bitmapscan', 'gathermerge', 'hashagg', 'hashjoin', 'incremental_sort', 'indexonlyscan', 'indexscan',
  'material', 'memoize', 'mergejoin', 'nestloop', 'parallel_append', 'parallel_hash', 'partition_pruning', 'partitionwise_aggregate',
  'partitionwise_join', 'seqscan', 'sort', 'tidscan'];
const OFF_BY_DEFAULT = new Set(['partitionwise_aggregate', 'partitionwise_join']);

export const PLANNER_PARAMETERS: PlannerParameter[] = [
  ...ENABLE.map((e) => ({ name: `enable_${e}`, default: OFF_BY_DEFAULT.has(e) ? 'off' : 'on', accept: bool(`enable_${e}`) })),
  { name: 'parallel_leader_participation', default: 'on', accept: bool('parallel_leader_participation') },
  { name: 'force_parallel_mode', default: 'off', accept: (v) => ({ off: 'off', on: 'on', regress: 'regress', ...BOOL_VALUES })[v.trim().toLowerCase()] },
  ...([['parallel_setup_cost', '1000'], ['parallel_tuple_cost', '0.1'], ['seq_page_cost', '1'], ['random_page_cost', '4'], ['cpu_tuple_cost', '0.01'],
    ['cpu_index_tuple_cost', '0.005'], ['cpu_operator_cost', '0.0025'], ['jit_above_cost', '100000'], ['max_parallel_workers_per_gather', '2'],
    ['max_parallel_workers', '8'], ['effective_io_concurrency', '1'], ['from_collapse_limit', '8'], ['join_collapse_limit', '8']] as const)
    .map(([name, def]) => ({ name, default: def, accept: number(name) })),
  { name: 'work_mem', default: '4MB', accept: memory('work_mem', 1) },
  { name: 'min_parallel_table_scan_size', default: '8MB', accept: memory('min_parallel_table_scan_size', 8) },
  { name: 'min_parallel_index_scan_size', default: '512kB', accept: memory('min_parallel_index_scan_size', 8) },
];
