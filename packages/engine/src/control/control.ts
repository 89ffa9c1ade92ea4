/**
 * The owner of the node's control state (PostgreSQL's pg_control plus the startup process's
 * role): system identifier, timeline, history, checkpoint LSN, slots saved with it, the replay
 * position, the role and the fencing reason. Nothing else writes them. Every change of the
 * control record runs through `update`, one at a time, against the current value — never a copy
 * read before an await — and is stored before it becomes current. Role changes follow the state
 * machine below; a second promotion while one is in progress is refused.
 *
 *   standby ──beginPromotion──▶ promoting ──finishPromotion──▶ primary
 *      ▲                            │ (failed)                    │
 *      └────────────────────────────┴──────────demote─────────────┘
 */
import { SqlError, SQLSTATE } from '../errors.ts';
import type { ControlFile, Storage, StoredCheckpoint } from '../storage/storage.ts';
import { Replayer } from '../state/replay.ts';

export type Role = 'primary' | 'standby';
export type RoleState = 'standby' | 'promoting' | 'primary';

/** What an `update` step may do: read the current record and replace it (with a checkpoint, atomically). */
export interface ControlTxn {
  current(): Readonly<ControlFile> | undefined;
  /** Store `next` (and the checkpoint it points at), then make it current. */
  write(next: ControlFile, checkpoint?: StoredCheckpoint): Promise<void>;
  /** Forget the control record in memory (a node that gives up its cluster to join another). */
  clear(): void;
  /** Replay continues from here (rewind, base backup, a new cluster). */
  setReplayer(replayer: Replayer): void;
}

export class NodeControl {
  #file: ControlFile | undefined;
  #state: RoleState;
  #fenced: string | undefined;
  #replayer: Replayer;
  #queue: Promise<unknown> = Promise.resolve();
  #checkpoints = 0;

  constructor(private readonly storage: Storage, file: ControlFile | undefined, role: Role, replayer: Replayer) {
    this.#file = file;
    this.#state = role;
    this.#replayer = replayer;
  }

  get file(): Readonly<ControlFile> | undefined {
    return this.#file;
  }

  /** A promoting node is still read-only: it becomes a primary only once its timeline is stored. */
  get role(): Role {
    return this.#state === 'primary' ? 'primary' : 'standby';
  }

  get state(): RoleState {
    return this.#state;
  }

  get fenced(): string | undefined {
    return this.#fenced;
  }

  /** How many checkpoints this owner has stored since open: names the stored one (checkpoint/writer.ts's stamp). */
  get checkpointsWritten(): number {
    return this.#checkpoints;
  }

  get replayer(): Replayer {
    return this.#replayer;
  }

  /**
   * Run `step` with exclusive access to the control record. Steps run in call order; a step
   * never sees a record older than the one the previous step wrote.
   */
  update<T>(step: (txn: ControlTxn) => Promise<T>): Promise<T> {
    const run = () =>
      step({
        current: () => this.#file,
        write: async (next, checkpoint) => {
          if (checkpoint) await this.storage.writeCheckpoint(checkpoint, next);
          else await this.storage.writeControl(next);
          this.#file = next;
          if (checkpoint) this.#checkpoints++;
        },
        clear: () => (this.#file = undefined),
        setReplayer: (r) => (this.#replayer = r),
      });
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  /** Start a promotion; refused unless this node is a standby with no promotion under way. */
  beginPromotion(): void {
    if (this.#state === 'promoting') throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'promotion is already in progress');
    if (this.#state === 'primary') {
      throw new SqlError(SQLSTATE.object_not_in_prerequisite_state, 'recovery is not in progress', { hint: 'Recovery control functions can only be executed during recovery.' });
    }
    this.#state = 'promoting';
  }

  finishPromotion(): void {
    if (this.#state !== 'promoting') throw new Error(`cannot finish a promotion in state ${this.#state}`);
    this.#state = 'primary';
    this.#fenced = undefined;
  }

  /** A promotion failed: the node stays a standby. */
  abandonPromotion(): void {
    if (this.#state === 'promoting') this.#state = 'standby';
  }

  /** Stop being the primary (a newer timeline exists, or the node joins another cluster); replay continues with `replayer`. */
  demote(replayer: Replayer): void {
    this.#state = 'standby';
    this.#fenced = undefined;
    this.#replayer = replayer;
  }

  /** A primary stops (reason) or resumes (undefined) accepting writes. */
  fence(reason: string | undefined): void {
    this.#fenced = reason;
  }
}
