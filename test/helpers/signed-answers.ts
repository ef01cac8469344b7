/** Gateway answers signed as a validator and its miners sign them (docs/protocol.md §5.9), for tests of the user's side. */
import { encodeAddress } from "@polkadot/util-crypto";
import { PROTOCOL_VERSION, requestNonce, type RequestHeader } from "../../src/p2p/protocol/frames.js";
import { encodeOrganicReceipt, organicAnswerBody, organicRequestBody } from "../../src/p2p/protocol/organic.js";
import { hash256, requestHash, signResponse } from "../../src/p2p/protocol/signing.js";
import { encodeTensors } from "../../src/p2p/protocol/tensors.js";
import { sr25519SignerFromSeed, type Sr25519Signer } from "../../src/util/sr25519.js";
import { sessionSignerOf } from "../../src/p2p/session-key.js";

/** A signer from a one-byte seed (call sr25519Ready first). */
export const signerOf = (seedByte: number): Sr25519Signer => sr25519SignerFromSeed(new Uint8Array(32).fill(seedByte));

export interface SignedReceipt {
  readonly miner: { readonly uid: number; readonly hotkey: string };
  readonly latencyMs: number;
  /** base64 of the receipt bytes. */
  readonly receipt: string;
}

/** The receipt of `miner` answering `output` to the user's exact `body`, relayed by `validator`. */
export function signedReceipt(validator: Sr25519Signer, miner: Sr25519Signer, uid: number, body: Uint8Array, output: unknown, netuid = 1): SignedReceipt {
  // A v3 request is not signed: it is the header in full, its nonce the stream's salt and request id.
  const request: RequestHeader = {
    version: PROTOCOL_VERSION,
    netuid,
    genesisHash: new Uint8Array(32).fill(7),
    validator: validator.publicKey,
    miner: miner.publicKey,
    nonce: requestNonce(crypto.getRandomValues(new Uint8Array(12)), 1),
    timestampMs: BigInt(Date.now()),
    deadlineMs: BigInt(Date.now() + 3000),
    synapse: "test",
    bodyHash: hash256(encodeTensors(organicRequestBody(body))),
  };
  const answer = encodeTensors(organicAnswerBody(new TextEncoder().encode(JSON.stringify(output))));
  const response = signResponse({ version: PROTOCOL_VERSION, status: 0, streamed: false, miner: miner.publicKey, requestHash: requestHash(request), timestampMs: BigInt(Date.now()), bodyHash: hash256(answer) }, sessionSignerOf(miner));
  return { miner: { uid, hotkey: encodeAddress(miner.publicKey, 42) }, latencyMs: 12.5, receipt: Buffer.from(encodeOrganicReceipt({ request, response, answer })).toString("base64") };
}
