/**
 * SqlError: the one error type a caller sees for SQL and replication failures. It carries the
 * PostgreSQL SQLSTATE in `code` and PostgreSQL's message text, and it is plain data (name,
 * message, code, detail, hint, position) so it survives structured cloning across a worker.
 */
export class SqlError extends Error {
  override name = 'SqlError';
  constructor(
    readonly code: string,
    message: string,
    readonly extra: { detail?: string; hint?: string; position?: number } = {},
  ) {
    super(message);
  }
  get detail(): string | undefined { return this.extra.detail; }
  get hint(): string | undefined { return this.extra.hint; }
  get position(): number | undefined { return this.extra.position; }
}

/** SQLSTATEs used across the engine, named as in PostgreSQL's errcodes.txt. */
export const SQLSTATE = {
  syntax_error: '42601',
  undefined_table: '42P01',
  undefined_column: '42703',
  undefined_function: '42883',
  undefined_object: '42704',
  duplicate_table: '42P07',
  duplicate_column: '42701',
  duplicate_object: '42710',
  ambiguous_column: '42702',
  grouping_error: '42803',
  datatype_mismatch: '42804',
  invalid_column_reference: '42P10',
  wrong_object_type: '42809',
  invalid_table_definition: '42P16',
  undefined_parameter: '42P02',
  protocol_violation: '08P01',
  indeterminate_datatype: '42P18',
  cannot_coerce: '42846',
  unique_violation: '23505',
  not_null_violation: '23502',
  check_violation: '23514',
  foreign_key_violation: '23503',
  invalid_text_representation: '22P02',
  numeric_value_out_of_range: '22003',
  division_by_zero: '22012',
  string_data_right_truncation: '22001',
  invalid_datetime_format: '22007',
  datetime_field_overflow: '22008',
  invalid_parameter_value: '22023',
  cardinality_violation: '21000',
  in_failed_sql_transaction: '25P02',
  idle_in_transaction_session_timeout: '25P03',
  invalid_savepoint_specification: '3B001',
  read_only_sql_transaction: '25006',
  active_sql_transaction: '25001',
  no_active_sql_transaction: '25P01',
  feature_not_supported: '0A000',
  too_many_connections: '53300',
  object_not_in_prerequisite_state: '55000',
  object_in_use: '55006',
  internal_error: 'XX000',
  data_corrupted: 'XX001',
  program_limit_exceeded: '54000',
  invalid_sql_statement_name: '26000',
  admin_shutdown: '57P01',
  connection_failure: '08006',
  undefined_file: '58P01',
  sequence_generator_limit_exceeded: '2200H',
  query_canceled: '57014',
  statement_completion_unknown: '40003',
  serialization_failure: '40001',
  io_error: '58030',
} as const;

/** What a call on a closed (or closing) node fails with. */
export function closedError(): SqlError {
  return new SqlError(SQLSTATE.admin_shutdown, 'terminating connection because the node is closed');
}

export function featureNotSupported(what: string): SqlError {
  return new SqlError(SQLSTATE.feature_not_supported, `${what} is not supported`);
}
