/**
 * An answer saved from the page (pure), in the file format of `tensornode query --save`, so that
 * `tensornode receipt verify FILE --chain … --netuid …` checks it again, on chain too: the synapse,
 * the URL called, the exact body sent (base64) and the answer's JSON.
 */
import { base64Encode } from "@polkadot/util-crypto";

export function savedAnswerJson(synapse: string, url: string, body: Uint8Array, answer: unknown): string {
  return `${JSON.stringify({ synapse, url, body: base64Encode(body), answer }, null, 2)}\n`;
}
