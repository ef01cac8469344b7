/**
 * One chainHead_v1_follow subscription: the blocks it has pinned, the operations it runs (body,
 * call, storage) within the spec's budget, and the events it sends. Connection-scoped: another
 * connection cannot use its id.
 */

/** The event a follow subscription sends (`chainHead_v1_followEvent`'s result). */
export type FollowEvent = { readonly event: string } & Record<string, unknown>;

export interface Operation {
  readonly id: string;
  /** How many of the subscription's operation slots it holds (storage: one per item). */
  readonly slots: number;
  /** Set while it waits for chainHead_v1_continue. */
  resume: (() => void) | undefined;
  done: boolean;
}

export class Follow {
  readonly id: string;
  readonly connectionId: number;
  readonly withRuntime: boolean;
  /** Pinned block hashes (0x hex): reported by the subscription and not unpinned yet. */
  readonly pinned = new Set<string>();
  readonly #operations = new Map<string, Operation>();
  readonly #emit: (event: FollowEvent) => void;
  readonly #end: () => void;
  readonly #maxSlots: number;
  #slotsInUse = 0;
  #nextOperation = 0;
  #stopped = false;

  constructor(init: { id: string; connectionId: number; withRuntime: boolean; maxOperationSlots: number; emit: (event: FollowEvent) => void; end: () => void }) {
    this.id = init.id;
    this.connectionId = init.connectionId;
    this.withRuntime = init.withRuntime;
    this.#maxSlots = init.maxOperationSlots;
    this.#emit = init.emit;
    this.#end = init.end;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  send(event: FollowEvent): void {
    if (!this.#stopped) this.#emit(event);
  }

  /** The `stop` event: the subscription is dead and the client must follow again. */
  stop(): void {
    if (this.#stopped) return;
    this.send({ event: "stop" });
    this.#stopped = true;
    this.#end();
  }

  /** Ends every operation (the subscription is going away). */
  dispose(): void {
    this.#stopped = true;
    for (const operation of this.#operations.values()) operation.done = true;
    this.#operations.clear();
    this.#slotsInUse = 0;
  }

  /** How many of `wanted` slots are free (0: limitReached). */
  freeSlots(wanted: number): number {
    return Math.max(0, Math.min(wanted, this.#maxSlots - this.#slotsInUse));
  }

  /** Starts an operation holding `slots` slots; the caller checked freeSlots first. */
  startOperation(slots: number): Operation {
    const operation: Operation = { id: String(++this.#nextOperation), slots, resume: undefined, done: false };
    this.#slotsInUse += slots;
    this.#operations.set(operation.id, operation);
    return operation;
  }

  operation(id: string): Operation | undefined {
    return this.#operations.get(id);
  }

  /** The operation is over (finished, stopped or failed): its slots are free again, it sends nothing more. */
  finishOperation(operation: Operation): void {
    if (operation.done) return;
    operation.done = true;
    operation.resume = undefined;
    this.#operations.delete(operation.id);
    this.#slotsInUse -= operation.slots;
  }

  /** Sends an operation's event, unless it was stopped meanwhile. */
  sendFor(operation: Operation, event: FollowEvent): void {
    if (!operation.done) this.send(event);
  }
}
