/** chainSpec_v1_*: the chain's name, genesis hash and properties, fixed for the node's lifetime. */
import { toHex } from "../../codec/hex.js";
import type { GenesisConfig } from "../../genesis.js";
import type { RpcHandler } from "../server.js";

export function chainSpecRpc(genesis: GenesisConfig, genesisHash: Uint8Array): Map<string, RpcHandler> {
  const hash = toHex(genesisHash);
  return new Map<string, RpcHandler>([
    ["chainSpec_v1_chainName", () => genesis.chain],
    ["chainSpec_v1_genesisHash", () => hash],
    ["chainSpec_v1_properties", () => genesis.properties],
  ]);
}
