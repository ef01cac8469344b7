/** state_call: the runtime APIs of apis-declare.ts, answering SCALE bytes for SCALE bytes. */
import { ScaleReader, ScaleWriter } from "../codec/scale.js";
import { encodeRuntimeVersion } from "./constants.js";
import { decodeExtrinsic, ExtrinsicFormatError } from "./extrinsic.js";
import type { CallInfo } from "./pallet.js";
import { subtensorApiMethods } from "./pallets/subtensor/runtime-apis.js";
import type { DevRuntime } from "./runtime.js";
import type { StateReader } from "../state/overlay.js";
import { validateTransactionApi } from "./tagged-transaction-queue.js";

export class RuntimeApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeApiError";
  }
}

const CLASS_INDEX = { Normal: 0, Operational: 1, Mandatory: 2 } as const;

export const SUPPORTED_METADATA_VERSIONS = [14, 15] as const;

export type ApiMethod = (state: StateReader, input: ScaleReader) => Uint8Array;

/** What the runtime APIs need to know of the chain beyond a block's state. */
export interface RuntimeApiChain {
  readonly genesisHash: Uint8Array;
}

/** Dispatches `Api_method` names to their implementations. */
export function runtimeApiTable(runtime: DevRuntime, chain: RuntimeApiChain): ReadonlyMap<string, ApiMethod> {
  const metadataAt = (version: number): Uint8Array | undefined => (version === 14 ? runtime.metadata.v14 : version === 15 ? runtime.metadata.v15 : undefined);
  const infoOf = (callBytes: Uint8Array): CallInfo => runtime.info(runtime.decodeCall(callBytes));
  const uxtInfo = (r: ScaleReader): { info: CallInfo; len: number; signed: boolean } => {
    const start = r.offset;
    const length = r.compactNumber();
    const prefixLength = r.offset - start;
    const body = r.raw(length);
    const whole = new Uint8Array(prefixLength + length);
    whole.set(new ScaleWriter(5).compact(length).finish(), 0);
    whole.set(body, prefixLength);
    const xt = decodeExtrinsic(whole);
    return { info: infoOf(xt.callBytes), len: r.u32(), signed: xt.signed !== undefined };
  };
  const callInfo = (r: ScaleReader): { info: CallInfo; len: number } => {
    const rest = r.rest();
    const callBytes = rest.subarray(0, rest.length - 4);
    return { info: infoOf(callBytes), len: new ScaleReader(rest, rest.length - 4).u32() };
  };
  const dispatchInfo = (info: CallInfo, len: number, paying: boolean): Uint8Array =>
    new ScaleWriter(24)
      .compact(info.refTime)
      .compact(0)
      .u8(CLASS_INDEX[info.class])
      .u64(paying ? runtime.transactionPayment.partialFee(len, info) : 0n)
      .finish();
  const feeDetails = (info: CallInfo, len: number, paying: boolean): Uint8Array => {
    const details = paying ? runtime.transactionPayment.feeDetails(len, info) : undefined;
    return new ScaleWriter(40)
      .option(details, (w, d) => w.u64(d.baseFee).u64(d.lenFee).u64(d.adjustedWeightFee))
      .u64(0n)
      .finish();
  };
  const weightToFee = (r: ScaleReader): Uint8Array => {
    const refTime = r.compact();
    r.compact();
    return new ScaleWriter(8).u64(runtime.transactionPayment.weightToFee(refTime)).finish();
  };
  const lengthToFee = (r: ScaleReader): Uint8Array => new ScaleWriter(8).u64(BigInt(r.u32())).finish();
  return new Map<string, ApiMethod>([
    ["Core_version", () => encodeRuntimeVersion(runtime.constants.version)],
    ["Metadata_metadata", () => new ScaleWriter().bytes(runtime.metadata.v14).finish()],
    ["Metadata_metadata_at_version", (_s, r) => new ScaleWriter().option(metadataAt(r.u32()), (w, m) => w.bytes(m)).finish()],
    ["Metadata_metadata_versions", () => new ScaleWriter(12).vec(SUPPORTED_METADATA_VERSIONS, (w, v) => w.u32(v)).finish()],
    ["TaggedTransactionQueue_validate_transaction", validateTransactionApi(runtime, chain.genesisHash)],
    ["AccountNonceApi_account_nonce", (state, r) => new ScaleWriter(4).u32(runtime.system.readAccount(state, r.raw(32)).nonce).finish()],
    ["TransactionPaymentApi_query_info", (_s, r) => {
      const { info, len, signed } = uxtInfo(r);
      return dispatchInfo(info, len, signed);
    }],
    ["TransactionPaymentApi_query_fee_details", (_s, r) => {
      const { info, len, signed } = uxtInfo(r);
      return feeDetails(info, len, signed);
    }],
    ["TransactionPaymentApi_query_weight_to_fee", (_s, r) => weightToFee(r)],
    ["TransactionPaymentApi_query_length_to_fee", (_s, r) => lengthToFee(r)],
    ["TransactionPaymentCallApi_query_call_info", (_s, r) => {
      const { info, len } = callInfo(r);
      return dispatchInfo(info, len, true);
    }],
    ["TransactionPaymentCallApi_query_call_fee_details", (_s, r) => {
      const { info, len } = callInfo(r);
      return feeDetails(info, len, true);
    }],
    ["TransactionPaymentCallApi_query_weight_to_fee", (_s, r) => weightToFee(r)],
    ["TransactionPaymentCallApi_query_length_to_fee", (_s, r) => lengthToFee(r)],
    ...subtensorApiMethods(),
  ]);
}

/** Runs one runtime API; bad input is a RuntimeApiError naming the method. */
export function callRuntimeApi(table: ReadonlyMap<string, ApiMethod>, state: StateReader, method: string, input: Uint8Array): Uint8Array {
  const fn = table.get(method);
  if (!fn) throw new RuntimeApiError(`Exported method ${method} is not found`);
  try {
    return fn(state, new ScaleReader(input));
  } catch (error) {
    if (error instanceof ExtrinsicFormatError || (error as { code?: string }).code === "SCALE_DECODE")
      throw new RuntimeApiError(`Execution failed: ${method}: cannot decode the input: ${(error as Error).message}`);
    throw error;
  }
}
