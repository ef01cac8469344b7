/**
 * The public Bittensor networks, known by their genesis hash (an endpoint's name proves nothing:
 * a proxy or a fork can serve any URL). Dev keys and the faucet exist only on other chains.
 */
import { UserError } from "../util/errors.js";

export const PUBLIC_NETWORK_GENESIS: Readonly<Record<string, string>> = {
  "0x2f0555cc76fc2840a25a6ea3b9637146806f1f44b090c175ffde2a7e5ab36c03": "finney",
  "0x8f9cf856bf558a14440e75569c9e58594757048d7b3a84b5d25f6bd978263105": "the test network",
};

/** "finney", "the test network", or undefined for any other chain. */
export function publicNetworkOf(genesisHash: string): string | undefined {
  return PUBLIC_NETWORK_GENESIS[genesisHash.toLowerCase()];
}

/** Refuses, in one line, what only a dev chain may do (`what`: "dev keys (--uri)", "the faucet"). */
export function requireDevChain(genesisHash: string, what: string): void {
  const network = publicNetworkOf(genesisHash);
  if (network !== undefined)
    throw new UserError("PUBLIC_NETWORK", `${what}: refused on ${network} (genesis ${genesisHash.slice(0, 10)}…): only dev chains have dev keys and a faucet; use a wallet (--wallet)`);
}
