import "../../../src/util/polyfill.js";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { generateKeyPair, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { loadOrCreatePeerKey, PEER_KEY_FILE, PeerKeyError, type PeerKeyErrorCode } from "../../../src/p2p/peer-key.js";
import { isUserError } from "../../../src/util/errors.js";

const scratch = mkdtempSync(join(tmpdir(), "tn-peer-key-"));
let dirs = 0;
/** A fresh data directory (not created yet) under this file's scratch folder. */
const dataDir = (): string => join(scratch, `node-${++dirs}`);

/** A data directory holding `bytes` as its peer-key file. */
function withPeerKeyFile(bytes: Uint8Array): { dir: string; path: string } {
  const dir = dataDir();
  mkdirSync(dir);
  const path = join(dir, PEER_KEY_FILE);
  writeFileSync(path, bytes, { mode: 0o600 });
  return { dir, path };
}

async function validKeyBytes(): Promise<Uint8Array> {
  return privateKeyToProtobuf(await generateKeyPair("Ed25519"));
}

/** Loading rejects with `code`, naming the file and what to do, and leaves the file as it was. */
async function assertRefused(bytes: Uint8Array, code: PeerKeyErrorCode, says: RegExp): Promise<void> {
  const { dir, path } = withPeerKeyFile(bytes);
  await assert.rejects(loadOrCreatePeerKey(dir), (error: unknown) => {
    assert.ok(error instanceof PeerKeyError, `a PeerKeyError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.path, path);
    assert.ok(error.message.includes(path), `the message names the file: ${error.message}`);
    assert.match(error.message, says);
    assert.match(error.message, /restore it from a backup .* or delete it to start under a new peer id/);
    assert.ok(isUserError(error), "the CLI prints it as one line");
    return true;
  });
  assert.deepEqual(new Uint8Array(readFileSync(path)), bytes, "the file is never replaced");
}

describe("the peer key (the node's libp2p identity in <dataDir>/peer-key)", () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("is created on first start as an Ed25519 key, in a 0600 file, creating the data directory", async () => {
    const dir = join(dataDir(), "nested", "deeper");
    const key = await loadOrCreatePeerKey(dir);
    assert.equal(key.type, "Ed25519");
    const path = join(dir, PEER_KEY_FILE);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(new Uint8Array(readFileSync(path)), privateKeyToProtobuf(key), "libp2p's protobuf encoding");
    assert.deepEqual(readdirSync(dir), [PEER_KEY_FILE], "no temporary file is left behind");
  });

  it("is read back on every later start, so the peer id never changes", async () => {
    const dir = dataDir();
    const first = await loadOrCreatePeerKey(dir);
    const again = await loadOrCreatePeerKey(dir);
    const andAgain = await loadOrCreatePeerKey(dir);
    assert.ok(again.equals(first) && andAgain.equals(first));
    assert.equal(peerIdFromPrivateKey(again).toString(), peerIdFromPrivateKey(first).toString());
  });

  it("differs between data directories", async () => {
    const [a, b] = await Promise.all([loadOrCreatePeerKey(dataDir()), loadOrCreatePeerKey(dataDir())]);
    assert.notEqual(peerIdFromPrivateKey(a).toString(), peerIdFromPrivateKey(b).toString());
  });

  it("refuses a file that is not a protobuf-encoded key", async () => {
    await assertRefused(new TextEncoder().encode("not a key at all\n"), "PEER_KEY_CORRUPT", /is corrupt/);
  });

  it("refuses a truncated file", async () => {
    const bytes = await validKeyBytes();
    await assertRefused(bytes.subarray(0, bytes.length - 7), "PEER_KEY_CORRUPT", /is corrupt/);
  });

  it("refuses a file with bytes after the key", async () => {
    const bytes = await validKeyBytes();
    await assertRefused(Uint8Array.from([...bytes, 0x0a, 0x00]), "PEER_KEY_CORRUPT", /is corrupt/);
  });

  it("refuses a key whose public half does not belong to its private half", async () => {
    const bytes = await validKeyBytes();
    // 0x08 0x01 0x12 0x40, then the 32-byte seed and the 32-byte public key: damage the public key.
    const damaged = Uint8Array.from(bytes);
    damaged[damaged.length - 1]! ^= 0x01;
    await assertRefused(damaged, "PEER_KEY_CORRUPT", /private and public halves do not match/);
  });

  it("refuses a key of another type (secp256k1), which would be a different identity scheme", async () => {
    await assertRefused(privateKeyToProtobuf(await generateKeyPair("secp256k1")), "PEER_KEY_WRONG_TYPE", /holds a secp256k1 key, not an Ed25519 one/);
  });

  it("reports a peer-key path it cannot read, rather than making a new key", async () => {
    const dir = dataDir();
    mkdirSync(join(dir, PEER_KEY_FILE), { recursive: true });
    await assert.rejects(loadOrCreatePeerKey(dir), (error: unknown) => error instanceof PeerKeyError && error.code === "PEER_KEY_UNREADABLE" && error.message.includes(join(dir, PEER_KEY_FILE)));
  });

  it("reports a data directory path that is a file, rather than making a new key", async () => {
    const notADirectory = join(scratch, "a-file");
    writeFileSync(notADirectory, "");
    await assert.rejects(loadOrCreatePeerKey(notADirectory), (error: unknown) => error instanceof PeerKeyError && error.code === "PEER_KEY_UNREADABLE");
  });

  it("reports a data directory it cannot create the key in", async () => {
    const dangling = join(scratch, "dangling");
    symlinkSync(join(scratch, "no-such-folder", "data"), dangling);
    await assert.rejects(loadOrCreatePeerKey(dangling), (error: unknown) => error instanceof PeerKeyError && error.code === "PEER_KEY_UNWRITABLE" && error.message.startsWith(`cannot create the peer key ${join(dangling, PEER_KEY_FILE)}: `));
  });
});
