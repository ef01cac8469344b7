/**
 * The calls tensornode builds, with the arguments it encodes them with (subtensor HEAD, spec 425,
 * as @polkadot/types names the types). A runtime whose layout differs is refused before anything
 * is signed (runtime-capabilities.ts): the same bytes would mean something else there.
 */
import type { CallArgument } from "./runtime-capabilities.js";

const arg = (name: string, type: string): CallArgument => ({ name, type });
const netuid = arg("netuid", "u16");
const hotkey = arg("hotkey", "AccountId32");

export const CALL_SHAPES = {
  "SubtensorModule.register_network": [hotkey],
  "SubtensorModule.start_call": [netuid],
  "SubtensorModule.burned_register": [netuid, hotkey],
  "SubtensorModule.serve_axon": [netuid, arg("version", "u32"), arg("ip", "u128"), arg("port", "u16"), arg("ip_type", "u8"), arg("protocol", "u8"), arg("placeholder1", "u8"), arg("placeholder2", "u8")],
  "SubtensorModule.set_weights": [netuid, arg("dests", "Vec<u16>"), arg("weights", "Vec<u16>"), arg("version_key", "u64")],
  "SubtensorModule.commit_weights": [netuid, arg("commit_hash", "H256")],
  "SubtensorModule.reveal_weights": [netuid, arg("uids", "Vec<u16>"), arg("values", "Vec<u16>"), arg("salt", "Vec<u16>"), arg("version_key", "u64")],
  "SubtensorModule.add_stake": [hotkey, netuid, arg("amount_staked", "u64")],
  "SubtensorModule.remove_stake": [hotkey, netuid, arg("amount_unstaked", "u64")],
  "SubtensorModule.add_stake_limit": [hotkey, netuid, arg("amount_staked", "u64"), arg("limit_price", "u64"), arg("allow_partial", "bool")],
  "SubtensorModule.remove_stake_limit": [hotkey, netuid, arg("amount_unstaked", "u64"), arg("limit_price", "u64"), arg("allow_partial", "bool")],
  "SubtensorModule.move_stake": [arg("origin_hotkey", "AccountId32"), arg("destination_hotkey", "AccountId32"), arg("origin_netuid", "u16"), arg("destination_netuid", "u16"), arg("alpha_amount", "u64")],
  "Balances.transfer_keep_alive": [arg("dest", "MultiAddress"), arg("value", "Compact<u64>")],
  "Balances.transfer_allow_death": [arg("dest", "MultiAddress"), arg("value", "Compact<u64>")],
  "Sudo.sudo": [arg("call", "Call")],
} as const satisfies Record<string, readonly CallArgument[]>;

export type KnownCall = keyof typeof CALL_SHAPES;
