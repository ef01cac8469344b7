/**
 * WorkerSignatureChecker: Ed25519 checks on a worker thread, in batches. Every answer is the one
 * node:crypto gives on this thread; a batch leaves when full, when its time is up, or on flush;
 * nothing is ever taken as verified when the checker is closed or the input is malformed.
 */
import assert from "node:assert/strict";
import { generateKeyPairSync, sign } from "node:crypto";
import { after, describe, it } from "node:test";
import { WorkerSignatureChecker } from "../../../src/p2p/signature-checker.js";

const SPKI_PREFIX_BYTES = 12;

function keyPair(): { sign(message: Uint8Array): Uint8Array; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    sign: (message) => new Uint8Array(sign(null, message, privateKey)),
    publicKey: new Uint8Array(publicKey.export({ format: "der", type: "spki" }).subarray(SPKI_PREFIX_BYTES)),
  };
}

const message = (i: number): Uint8Array => new TextEncoder().encode(`answer ${i} `.repeat(1 + (i % 7)));

describe("WorkerSignatureChecker", () => {
  const checkers: WorkerSignatureChecker[] = [];
  const open = (maxJobs: number, maxWaitMs: number): WorkerSignatureChecker => {
    const checker = new WorkerSignatureChecker({ maxJobs, maxWaitMs });
    checkers.push(checker);
    return checker;
  };
  after(async () => {
    for (const checker of checkers) await checker.close();
  });

  it("answers each check as a direct verify would: good signatures true; another key's, a changed message or a flipped bit false", async () => {
    const checker = open(64, 5);
    const alice = keyPair();
    const bob = keyPair();
    const cases: Array<[string, Promise<boolean>, boolean]> = [];
    for (let i = 0; i < 150; i++) {
      const signature = alice.sign(message(i));
      cases.push([`good ${i}`, checker.check(signature, message(i), alice.publicKey), true]);
      if (i % 10 === 0) {
        cases.push([`bob's key ${i}`, checker.check(signature, message(i), bob.publicKey), false]);
        cases.push([`changed message ${i}`, checker.check(signature, message(i + 1), alice.publicKey), false]);
        const flipped = signature.slice();
        flipped[i % 64]! ^= 1;
        cases.push([`flipped bit ${i}`, checker.check(flipped, message(i), alice.publicKey), false]);
      }
    }
    for (const [what, result, expected] of cases) assert.equal(await result, expected, what);
  });

  it("never verifies a malformed signature or key, and answers them without the worker", async () => {
    const checker = open(64, 5);
    const alice = keyPair();
    const signature = alice.sign(message(1));
    assert.equal(await checker.check(signature.subarray(0, 63), message(1), alice.publicKey), false);
    assert.equal(await checker.check(new Uint8Array(0), message(1), alice.publicKey), false);
    assert.equal(await checker.check(signature, message(1), alice.publicKey.subarray(0, 31)), false);
    assert.equal(await checker.check(signature, message(1), new Uint8Array(32)), false);
  });

  it("sends a batch when it is full, without waiting for its time", async () => {
    const checker = open(4, 60_000);
    const alice = keyPair();
    const results = Array.from({ length: 4 }, (_, i) => checker.check(alice.sign(message(i)), message(i), alice.publicKey));
    assert.deepEqual(await Promise.all(results), [true, true, true, true]);
  });

  it("holds checks until their time is up or flush() is called", async () => {
    const checker = open(1000, 60_000);
    const alice = keyPair();
    let settled = 0;
    const results = Array.from({ length: 3 }, (_, i) => checker.check(alice.sign(message(i)), message(i), alice.publicKey).finally(() => settled++));
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(settled, 0, "nothing checked before the flush");
    checker.flush();
    assert.deepEqual(await Promise.all(results), [true, true, true]);
  });

  it("on close, answers what waits as not verified, and every later check too", async () => {
    const checker = open(1000, 60_000);
    const alice = keyPair();
    const waiting = checker.check(alice.sign(message(1)), message(1), alice.publicKey);
    await checker.close();
    assert.equal(await waiting, false);
    assert.equal(await checker.check(alice.sign(message(2)), message(2), alice.publicKey), false);
  });
});
