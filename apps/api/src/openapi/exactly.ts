/**
 * For `implements`: the contract type, and no field besides. A response class that
 * `implements Exactly<Snapshot, SnapshotResponse>` fails to compile when it lacks one of the
 * contract's fields or documents one the contract does not have.
 */
export type Exactly<Contract, Dto> = Contract & Record<Exclude<keyof Dto, keyof Contract>, never>;
