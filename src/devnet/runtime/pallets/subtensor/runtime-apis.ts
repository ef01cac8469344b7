/**
 * subtensor's runtime APIs on the devnet (pallets/subtensor/runtime-api on HEAD): the V15
 * declarations clients decode with, and the `state_call` implementations. The traits, their
 * versions, method inputs and the returned structs' fields come from the generated spec
 * (runtime-apis.generated.ts); the structs are written by hand (rpc-info/), and declaring them
 * checks that each writer's field order is HEAD's. Only the methods below are declared and served.
 */
import { ScaleWriter, type ScaleReader } from "../../../codec/scale.js";
import type { RuntimeApiDecl, RuntimeApiMethodDecl } from "../../../metadata/build.js";
import type { CommonTypes } from "../../../metadata/common-types.js";
import { parseTypeExpr, resolveTypeExpr } from "../../../metadata/type-expr.js";
import type { FieldDecl, TypeBuilder, TypeId } from "../../../metadata/type-builder.js";
import type { StateReader } from "../../../state/overlay.js";
import type { ApiMethod } from "../../apis.js";
import { NEURON_INFO, NEURON_INFO_LITE, neuronOf, neuronsOf, readNeuron, readNeuronLite } from "./rpc-info/neuron-info.js";
import { readStakeRow, STAKE_INFO, stakeRowsOfColdkey } from "./rpc-info/stake-info.js";
import { currentBlock, METAGRAPH, readAllMetagraphs, readMetagraph } from "./rpc-info/metagraph.js";
import { networkLockCost } from "./subnets.js";
import { encodeOption, encodeVec, encodeVecOfOptions, fieldNames, type StructCodec } from "./rpc-info/struct.js";
import { readSubnetHyperparams, SUBNET_HYPERPARAMS_V2 } from "./rpc-info/subnet-hyperparams.js";
import { readSubnetState, SUBNET_STATE } from "./rpc-info/subnet-state.js";
import { SUBTENSOR_RUNTIME_API_TYPES, SUBTENSOR_RUNTIME_APIS, type RuntimeApiMethodSpec, type RuntimeApiSpec, type RuntimeApiTypeSpec } from "./runtime-apis.generated.js";
import { SUBTENSOR_TYPE_ALIASES } from "./spec.generated.js";

/** How a method's struct is wrapped in its return type. */
type Wrapper = "Vec" | "Option" | "VecOption";

/** A served method: the struct it returns (in a Vec, an Option or a Vec of Options) and its implementation. */
interface ServedStructMethod {
  readonly wrapper: Wrapper;
  readonly struct: string;
  /** The writer's field names, checked against HEAD's struct when declared. */
  readonly fields: readonly string[];
  readonly run: ApiMethod;
}

/** A served method returning a plain value: HEAD's name for its type (`TaoBalance`) and its encoding (`u64`). */
interface ServedValueMethod {
  readonly wrapper: "Value";
  readonly output: string;
  readonly encoding: string;
  readonly run: ApiMethod;
}

type ServedMethod = ServedStructMethod | ServedValueMethod;

function returnsVec<T>(struct: StructCodec<T>, read: (state: StateReader, input: ScaleReader) => readonly T[]): ServedMethod {
  return { wrapper: "Vec", struct: struct.name, fields: fieldNames(struct), run: (state, input) => encodeVec(struct, read(state, input)) };
}

function returnsOption<T>(struct: StructCodec<T>, read: (state: StateReader, input: ScaleReader) => T | undefined): ServedMethod {
  return { wrapper: "Option", struct: struct.name, fields: fieldNames(struct), run: (state, input) => encodeOption(struct, read(state, input)) };
}

function returnsVecOfOptions<T>(struct: StructCodec<T>, read: (state: StateReader, input: ScaleReader) => readonly (T | undefined)[]): ServedMethod {
  return { wrapper: "VecOption", struct: struct.name, fields: fieldNames(struct), run: (state, input) => encodeVecOfOptions(struct, read(state, input)) };
}

/** A u64 under HEAD's name for it (TaoBalance and AlphaBalance are transparent u64 newtypes). */
function returnsU64(output: "u64" | "TaoBalance" | "AlphaBalance", read: (state: StateReader) => bigint): ServedMethod {
  return { wrapper: "Value", output, encoding: "u64", run: (state) => new ScaleWriter(8).u64(read(state)).finish() };
}

const ACCOUNT_ID_LENGTH = 32;
const account = (input: ScaleReader): Uint8Array => input.raw(ACCOUNT_ID_LENGTH).slice();

/** The methods the devnet serves, by trait. Inputs are read in the declared order (netuid: u16, accounts: AccountId32). */
const SERVED: Readonly<Record<string, Readonly<Record<string, ServedMethod>>>> = {
  NeuronInfoRuntimeApi: {
    get_neurons: returnsVec(NEURON_INFO, (state, input) => neuronsOf(state, input.u16(), readNeuron)),
    get_neuron: returnsOption(NEURON_INFO, (state, input) => {
      const netuid = input.u16();
      return neuronOf(state, netuid, input.u16(), readNeuron);
    }),
    get_neurons_lite: returnsVec(NEURON_INFO_LITE, (state, input) => neuronsOf(state, input.u16(), readNeuronLite)),
    get_neuron_lite: returnsOption(NEURON_INFO_LITE, (state, input) => {
      const netuid = input.u16();
      return neuronOf(state, netuid, input.u16(), readNeuronLite);
    }),
  },
  SubnetInfoRuntimeApi: {
    get_subnet_hyperparams_v2: returnsOption(SUBNET_HYPERPARAMS_V2, (state, input) => readSubnetHyperparams(state, input.u16())),
    get_subnet_state: returnsOption(SUBNET_STATE, (state, input) => readSubnetState(state, input.u16())),
    get_metagraph: returnsOption(METAGRAPH, (state, input) => readMetagraph(state, input.u16())),
    get_all_metagraphs: returnsVecOfOptions(METAGRAPH, (state) => readAllMetagraphs(state)),
  },
  SubnetRegistrationRuntimeApi: {
    get_network_registration_cost: returnsU64("TaoBalance", (state) => networkLockCost(state, currentBlock(state))),
  },
  StakeInfoRuntimeApi: {
    get_stake_info_for_coldkey: returnsVec(STAKE_INFO, (state, input) => stakeRowsOfColdkey(state, account(input))),
    get_stake_info_for_hotkey_coldkey_netuid: returnsOption(STAKE_INFO, (state, input) => {
      const hotkey = account(input);
      const coldkey = account(input);
      return readStakeRow(state, hotkey, coldkey, input.u16());
    }),
  },
};

interface ServedApi {
  readonly spec: RuntimeApiSpec;
  readonly methods: readonly { readonly spec: RuntimeApiMethodSpec; readonly served: ServedMethod }[];
}

/** The served traits as HEAD declares them, in HEAD's order, each with the served methods only. */
function servedApis(): ServedApi[] {
  const unknown = Object.keys(SERVED).filter((name) => !SUBTENSOR_RUNTIME_APIS.some((api) => api.name === name));
  if (unknown.length > 0) throw new Error(`subtensor has no runtime API ${unknown.join(", ")}`);
  return SUBTENSOR_RUNTIME_APIS.filter((api) => SERVED[api.name] !== undefined).map((api) => {
    const served = SERVED[api.name]!;
    const missing = Object.keys(served).filter((name) => !api.methods.some((m) => m.name === name));
    if (missing.length > 0) throw new Error(`${api.name} has no method ${missing.join(", ")}`);
    return { spec: api, methods: api.methods.filter((m) => served[m.name] !== undefined).map((m) => ({ spec: m, served: served[m.name]! })) };
  });
}

/** The runtime APIs served, with HEAD's api_version (for the runtime version's `apis`). */
export function subtensorApiVersions(): [name: string, version: number][] {
  return servedApis().map(({ spec }) => [spec.name, spec.version]);
}

/** `state_call` implementations, by `Trait_method`. */
export function subtensorApiMethods(): Map<string, ApiMethod> {
  return new Map(servedApis().flatMap(({ spec, methods }) => methods.map(({ spec: method, served }) => [`${spec.name}_${method.name}`, served.run] as const)));
}

/** V15 declarations of the served traits and methods, types as the real chain names them. */
export function declareSubtensorApis(b: TypeBuilder, t: CommonTypes): RuntimeApiDecl[] {
  const type = (expr: string): TypeId => resolveTypeExpr(b, t, expr, SUBTENSOR_TYPE_ALIASES);
  const structs = new Map<string, TypeId>();
  const structType = (name: string): TypeId => {
    const known = structs.get(name);
    if (known !== undefined) return known;
    const id = declareStruct(b, t, name, structTypeSpec(name), type);
    structs.set(name, id);
    return id;
  };
  return servedApis().map(({ spec, methods }) => ({
    name: spec.name,
    methods: methods.map(({ spec: method, served }): RuntimeApiMethodDecl => {
      checkServedMatchesSpec(spec.name, method, served);
      return {
        name: method.name,
        inputs: method.inputs.map(([name, expr]) => ({ name, type: type(expr) })),
        output: served.wrapper === "Value" ? type(served.encoding) : wrap(b, served.wrapper, structType(served.struct)),
      };
    }),
  }));
}

function wrap(b: TypeBuilder, wrapper: Wrapper, struct: TypeId): TypeId {
  if (wrapper === "Vec") return b.sequence(struct);
  if (wrapper === "Option") return b.option(struct);
  return b.sequence(b.option(struct));
}

/** The Rust return type a wrapper gives `struct` (as the generated spec writes it). */
function rustOutput(wrapper: Wrapper, struct: string): string {
  return wrapper === "VecOption" ? `Vec<Option<${struct}>>` : `${wrapper}<${struct}>`;
}

function structTypeSpec(name: string): RuntimeApiTypeSpec {
  const spec = SUBTENSOR_RUNTIME_API_TYPES[name];
  if (!spec) throw new Error(`subtensor's runtime APIs return no struct ${name}`);
  return spec;
}

function declareStruct(b: TypeBuilder, t: CommonTypes, name: string, spec: RuntimeApiTypeSpec, type: (expr: string) => TypeId): TypeId {
  const fields: FieldDecl[] = spec.fields.map(([field, expr]) => ({ name: field, type: type(expr), typeName: rustTypeName(expr) }));
  const params = spec.accountIdParam ? [{ name: "AccountId", type: t.accountId }] : [];
  if (!spec.path.endsWith(`::${name}`)) throw new Error(`${name} has the path ${spec.path}`);
  return b.composite(spec.path, fields, { params });
}

/** A field's type name: the expression, or only the name of a type written with its body. */
function rustTypeName(expr: string): string {
  const node = parseTypeExpr(expr);
  return node.kind === "named" && node.body !== undefined ? node.name : expr;
}

/** The writer must return what HEAD's method returns, with HEAD's fields in HEAD's order. */
function checkServedMatchesSpec(api: string, method: RuntimeApiMethodSpec, served: ServedMethod): void {
  if (served.wrapper === "Value") {
    if (served.output !== method.output) throw new Error(`${api}.${method.name} returns ${method.output} on HEAD, the devnet ${served.output}`);
    return;
  }
  const spec = structTypeSpec(served.struct);
  const output = rustOutput(served.wrapper, `${served.struct}${spec.accountIdParam ? "<AccountId32>" : ""}`);
  if (output !== method.output) throw new Error(`${api}.${method.name} returns ${method.output} on HEAD, the devnet ${output}`);
  const expected = spec.fields.map(([name]) => name);
  if (expected.join(",") !== served.fields.join(",")) throw new Error(`${served.struct}: HEAD's fields are ${expected.join(", ")}; the devnet writes ${served.fields.join(", ")}`);
}
