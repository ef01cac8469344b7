/**
 * The name a subnet without a named identity goes by in the metagraph. HEAD falls back on a fixed
 * list of names in its source (`get_name_for_subnet`); the devnet does not copy that list and says
 * `subnet-<netuid>` instead — a deliberate, documented difference in this one field.
 */
export function fallbackSubnetName(netuid: number): Uint8Array {
  return new TextEncoder().encode(`subnet-${netuid}`);
}
