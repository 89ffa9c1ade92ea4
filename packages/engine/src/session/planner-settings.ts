/**
 * PostgreSQL's parameters that never change a result: the planner's and parallel query's
 * (enable_hashjoin, work_mem, parallel_setup_cost, jit, geqo, …), logging, statistics, vacuum
 * and connection tuning. walrtc has one way to run each query and no server process to tune:
 * SET and SHOW keep their values as PostgreSQL would show them (validated as PostgreSQL does)
 * and nothing else reads them.
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

/** A size as `memory` shows it, in kB. */
const kilobytes = (shown: string) => Number.parseInt(shown, 10) * (shown.endsWith('GB') ? 1024 * 1024 : shown.endsWith('MB') ? 1024 : 1);

/** A time in `unit` (ms or s), shown in the largest unit that divides it (1s, 1min), as PostgreSQL does. */
const time = (name: string, unit: 'ms' | 's') => (v: string) => {
  const m = /^\s*(-?\d+)\s*(ms|s|min|h|d)?\s*$/.exec(v);
  if (!m) throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${name}": "${v}"`);
  const ms = Number(m[1]) * ({ ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? unit] ?? 1);
  if (ms <= 0) return String(ms / (unit === 's' ? 1000 : 1));
  for (const [u, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) if (ms % size === 0) return `${ms / size}${u}`;
  return `${ms}ms`;
};

/** One of PostgreSQL's enum values (any case), with its hint listing them. */
const oneOf = (name: string, ...values: string[]) => (v: string) => {
  const shown = values.find((x) => x === v.trim().toLowerCase());
  if (shown === undefined) throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${name}": "${v}"`, { hint: `Available values: ${values.join(', ')}.` });
  return shown;
};

/** A whole number that may be negative (-1: off), as the log_* thresholds take. */
const signed = (name: string) => (v: string) => {
  if (!/^\s*-?\d+\s*$/.test(v)) throw new SqlError(SQLSTATE.invalid_parameter_value, `invalid value for parameter "${name}": "${v}"`);
  return String(Number(v));
};

const BOOL_ON = new Set(['geqo', 'jit', 'jit_expressions', 'jit_tuple_deforming', 'debug_pretty_print', 'synchronize_seqscans', 'track_activities',
  'track_counts', 'update_process_title', 'wal_init_zero', 'wal_recycle']);

const NUMBER_DEFAULTS: Record<string, string> = {
  backend_flush_after: '0', commit_delay: '0', commit_siblings: '5', cursor_tuple_fraction: '0.1', default_statistics_target: '100',
  geqo_effort: '5', geqo_generations: '0', geqo_pool_size: '0', geqo_seed: '0', geqo_selection_bias: '2', geqo_threshold: '12',
  hash_mem_multiplier: '2', jit_inline_above_cost: '500000', jit_optimize_above_cost: '500000', maintenance_io_concurrency: '10',
  max_parallel_maintenance_workers: '2', recursive_worktable_factor: '10', log_statement_sample_rate: '1', log_transaction_sample_rate: '0',
  debug_discard_caches: '0', tcp_keepalives_count: '9', vacuum_cost_limit: '200', vacuum_cost_page_dirty: '20', vacuum_cost_page_hit: '1',
  vacuum_cost_page_miss: '2', vacuum_failsafe_age: '1600000000', vacuum_freeze_min_age: '50000000', vacuum_freeze_table_age: '150000000',
  vacuum_multixact_failsafe_age: '1600000000', vacuum_multixact_freeze_min_age: '5000000', vacuum_multixact_freeze_table_age: '150000000',
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
  ...Object.entries(NUMBER_DEFAULTS).map(([name, def]) => ({ name, default: def, accept: number(name) })),
  ...([['log_min_duration_sample', '-1'], ['log_min_duration_statement', '-1'], ['log_parameter_max_length', '-1'], ['log_parameter_max_length_on_error', '0']] as const)
    .map(([name, def]) => ({ name, default: def, accept: signed(name) })),
  ...['geqo', 'jit', 'jit_dump_bitcode', 'jit_expressions', 'jit_tuple_deforming', 'debug_pretty_print', 'debug_print_parse', 'debug_print_plan',
    'debug_print_rewritten', 'log_duration', 'log_executor_stats', 'log_lock_waits', 'log_parser_stats', 'log_planner_stats',
    'log_replication_commands', 'log_statement_stats', 'synchronize_seqscans', 'trace_notify', 'trace_sort', 'track_activities', 'track_counts',
    'track_io_timing', 'track_wal_io_timing', 'update_process_title', 'wal_init_zero', 'wal_recycle', 'ignore_checksum_failure',
    'zero_damaged_pages', 'allow_in_place_tablespaces'].map((name) => ({ name, default: BOOL_ON.has(name) ? 'on' : 'off', accept: bool(name) })),
  { name: 'constraint_exclusion', default: 'partition', accept: oneOf('constraint_exclusion', 'partition', 'on', 'off') },
  { name: 'plan_cache_mode', default: 'auto', accept: oneOf('plan_cache_mode', 'auto', 'force_generic_plan', 'force_custom_plan') },
  { name: 'compute_query_id', default: 'auto', accept: oneOf('compute_query_id', 'auto', 'regress', 'on', 'off') },
  { name: 'stats_fetch_consistency', default: 'cache', accept: oneOf('stats_fetch_consistency', 'none', 'cache', 'snapshot') },
  { name: 'track_functions', default: 'none', accept: oneOf('track_functions', 'none', 'pl', 'all') },
  { name: 'log_statement', default: 'none', accept: oneOf('log_statement', 'none', 'ddl', 'mod', 'all') },
  { name: 'log_error_verbosity', default: 'default', accept: oneOf('log_error_verbosity', 'terse', 'default', 'verbose') },
  ...(['log_min_error_statement', 'log_min_messages'] as const).map((name) => ({ name, default: name === 'log_min_messages' ? 'warning' : 'error',
    accept: oneOf(name, 'debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'info', 'notice', 'warning', 'error', 'log', 'fatal', 'panic') })),
  { name: 'wal_compression', default: 'off', accept: oneOf('wal_compression', 'pglz', 'lz4', 'zstd', 'on', 'off') },
  ...['backtrace_functions', 'dynamic_library_path', 'extension_destdir', 'local_preload_libraries', 'session_preload_libraries', 'wal_consistency_checking']
    .map((name) => ({ name, default: name === 'dynamic_library_path' ? '$libdir' : '', accept: (v: string) => v })),
  { name: 'deadlock_timeout', default: '1s', accept: time('deadlock_timeout', 'ms') },
  { name: 'client_connection_check_interval', default: '0', accept: time('client_connection_check_interval', 'ms') },
  { name: 'tcp_user_timeout', default: '0', accept: time('tcp_user_timeout', 'ms') },
  { name: 'tcp_keepalives_idle', default: '2h', accept: time('tcp_keepalives_idle', 's') },
  { name: 'tcp_keepalives_interval', default: '75s', accept: time('tcp_keepalives_interval', 's') },
  { name: 'vacuum_cost_delay', default: '0', accept: time('vacuum_cost_delay', 'ms') },
  { name: 'work_mem', default: '4MB', accept: memory('work_mem', 1) },
  { name: 'maintenance_work_mem', default: '64MB', accept: memory('maintenance_work_mem', 1) },
  { name: 'logical_decoding_work_mem', default: '64MB', accept: memory('logical_decoding_work_mem', 1) },
  { name: 'gin_pending_list_limit', default: '4MB', accept: memory('gin_pending_list_limit', 1) },
  // a smaller stack makes PostgreSQL fail deep expressions walrtc evaluates: only as much or more is accepted
  { name: 'max_stack_depth', default: '2MB', accept: (v) => { const shown = memory('max_stack_depth', 1)(v); return kilobytes(shown) >= 2048 ? shown : undefined; } },
  { name: 'wal_skip_threshold', default: '2MB', accept: memory('wal_skip_threshold', 1) },
  { name: 'effective_cache_size', default: '4GB', accept: memory('effective_cache_size', 8) },
  { name: 'temp_buffers', default: '8MB', accept: memory('temp_buffers', 8) },
  { name: 'log_temp_files', default: '-1', accept: (v) => (v.trim() === '-1' ? '-1' : memory('log_temp_files', 1)(v)) },
  { name: 'min_parallel_table_scan_size', default: '8MB', accept: memory('min_parallel_table_scan_size', 8) },
  { name: 'min_parallel_index_scan_size', default: '512kB', accept: memory('min_parallel_index_scan_size', 8) },
];
