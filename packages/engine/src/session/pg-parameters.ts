/**
 * The names of PostgreSQL 15's run-time parameters that walrtc neither honours nor can ignore
 * (from PostgreSQL's pg_settings), by what PostgreSQL would do on SET: the settable ones change
 * how statements behave, so SET and SHOW refuse them with 0A000 instead of pretending; the server
 * ones are PostgreSQL's 55P02 on SET (they describe a server walrtc is not). Names not here, not
 * honoured (settings.ts) and not inert (planner-settings.ts) are unknown: 42704.
 */

/** user/superuser parameters whose value would change a statement's result or behaviour (role and session_authorization: walrtc has no roles). */
export const UNSUPPORTED = new Set([
  'allow_system_table_mods', 'array_nulls', 'backslash_quote', 'check_function_bodies', 'default_table_access_method',
  'default_tablespace', 'default_text_search_config', 'default_toast_compression', 'exit_on_error', 'gin_fuzzy_search_limit',
  'idle_session_timeout', 'lc_messages', 'lc_monetary', 'lc_numeric', 'lc_time', 'lo_compat_privileges', 'quote_all_identifiers',
  'restrict_nonsystem_relation_kind', 'row_security', 'temp_file_limit', 'role', 'session_authorization', 'session_replication_role', 'synchronous_commit', 'temp_tablespaces',
  'timezone_abbreviations', 'transform_null_equals', 'wal_sender_timeout', 'xmlbinary', 'xmloption', 'password_encryption',
]);

const words = (s: string) => s.split(/\s+/).filter(Boolean);

/** Parameters PostgreSQL fixes at server start, reload or connection, with its 55P02 message for each. */
const SERVER: [string, string[]][] = [
  ['cannot be changed without restarting the server', words(`archive_mode autovacuum_freeze_max_age autovacuum_max_workers
    autovacuum_multixact_freeze_max_age bonjour_name bonjour cluster_name config_file data_directory data_sync_retry
    dynamic_shared_memory_type event_source external_pid_file hba_file hot_standby huge_page_size huge_pages ident_file
    ignore_invalid_pages jit_provider listen_addresses logging_collector max_connections max_files_per_process
    max_locks_per_transaction max_logical_replication_workers max_pred_locks_per_transaction max_prepared_transactions
    max_replication_slots max_wal_senders max_worker_processes min_dynamic_shared_memory old_snapshot_threshold port
    recovery_target_action recovery_target_inclusive recovery_target_lsn recovery_target_name recovery_target_timeline
    recovery_target_time recovery_target_xid recovery_target shared_buffers shared_memory_type shared_preload_libraries
    superuser_reserved_connections track_activity_query_size track_commit_timestamp unix_socket_directories unix_socket_group
    unix_socket_permissions wal_buffers wal_decode_buffer_size wal_level wal_log_hints`)],
  ['cannot be changed now', words(`archive_cleanup_command archive_command archive_library archive_timeout authentication_timeout
    autovacuum_analyze_scale_factor autovacuum_analyze_threshold autovacuum_naptime autovacuum_vacuum_cost_delay
    autovacuum_vacuum_cost_limit autovacuum_vacuum_insert_scale_factor autovacuum_vacuum_insert_threshold
    autovacuum_vacuum_scale_factor autovacuum_vacuum_threshold autovacuum_work_mem autovacuum bgwriter_delay bgwriter_flush_after
    bgwriter_lru_maxpages bgwriter_lru_multiplier checkpoint_completion_target checkpoint_flush_after checkpoint_timeout
    checkpoint_warning db_user_namespace fsync full_page_writes hot_standby_feedback krb_caseins_users krb_server_keyfile
    log_autovacuum_min_duration log_checkpoints log_destination log_directory log_file_mode log_filename log_hostname
    log_line_prefix log_recovery_conflict_waits log_rotation_age log_rotation_size log_startup_progress_interval log_timezone
    log_truncate_on_rotation max_pred_locks_per_page max_pred_locks_per_relation max_slot_wal_keep_size max_standby_archive_delay
    max_standby_streaming_delay max_sync_workers_per_subscription max_wal_size min_wal_size pre_auth_delay primary_conninfo
    primary_slot_name promote_trigger_file recovery_end_command recovery_init_sync_method recovery_min_apply_delay recovery_prefetch
    remove_temp_files_after_crash restart_after_crash restore_command ssl_ca_file ssl_cert_file ssl_ciphers ssl_crl_dir ssl_crl_file
    ssl_dh_params_file ssl_ecdh_curve ssl_key_file ssl_max_protocol_version ssl_min_protocol_version
    ssl_passphrase_command_supports_reload ssl_passphrase_command ssl_prefer_server_ciphers ssl synchronous_standby_names
    syslog_facility syslog_ident syslog_sequence_numbers syslog_split_messages trace_recovery_messages vacuum_defer_cleanup_age
    wal_keep_size wal_receiver_create_temp_slot wal_receiver_status_interval wal_receiver_timeout wal_retrieve_retry_interval
    wal_sync_method wal_writer_delay wal_writer_flush_after`)],
  ['cannot be changed', words(`block_size data_checksums data_directory_mode debug_assertions in_hot_standby lc_collate lc_ctype
    max_function_args max_index_keys segment_size server_version_num server_version shared_memory_size_in_huge_pages
    shared_memory_size ssl_library wal_block_size wal_segment_size`)],
  ['cannot be set after connection start', words('ignore_system_indexes post_auth_delay jit_debugging_support jit_profiling_support log_connections log_disconnections')],
];

/** PostgreSQL's 55P02 text for SET of a server parameter, or undefined when `name` is not one. */
export const SERVER_PARAMETERS = new Map(SERVER.flatMap(([why, names]) => names.map((n) => [n, why] as const)));
