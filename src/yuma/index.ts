/** Yuma consensus, bit-exact with subtensor HEAD. Pure: no I/O, no clock. */
export { runEpoch, bondsEmaAlpha } from "./epoch.js";
export { runSequence, applyOp, carryAfterEpoch, type SequenceOp, type SequenceStep } from "./sequence.js";
export { readSnapshot, SnapshotError, type Snapshot } from "./snapshot.js";
export { toVectorFormat, rawVectors, VECTOR_OUTPUT_KEYS, type VectorFormatOutput } from "./vector-format.js";
export { vecU16MaxUpscaleToU16, weightedMedian, weightedMedianColSparse } from "./math.js";
export { computeStakeWeights } from "./stake.js";
export { splitBlockEmission, dividendAlphaRootSplit } from "./coinbase.js";
export * from "./types.js";
export * as fixed from "./fixed.js";
export { EMPTY_ROW, rowFromPairs, type SparseRow } from "./sparse.js";
