/** Rows of the monitoring views the cluster picture draws. */
export interface ClusterNode {
  node_id: string;
  role: string;
  upstream: string | null;
  timeline: number;
  flush_lsn: string | null;
}
export interface StandbyRow {
  application_name: string;
  state: string;
  replay_lag: string | null;
  sync_state: string;
}
