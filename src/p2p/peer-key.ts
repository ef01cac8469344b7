/**
 * The node's libp2p identity: an Ed25519 key kept in `<dataDir>/peer-key` (libp2p's protobuf
 * encoding), created on first start and read back on every later one, so the peer id — which
 * other nodes (and the node's on-chain hotkey binding) know it by — never changes.
 *
 * A file that is there but unusable is an error, never a reason to make a new key: replacing it
 * silently would give the node a new identity and orphan every binding made for the old one.
 */
import { mkdir, readFile } from "node:fs/promises";
import { writeSecretFile } from "../util/secret-file.js";
import { join } from "node:path";
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from "@libp2p/crypto/keys";
import type { PrivateKey } from "@libp2p/interface";
import { UserError } from "../util/errors.js";

export const PEER_KEY_FILE = "peer-key";

export type PeerKeyErrorCode = "PEER_KEY_CORRUPT" | "PEER_KEY_WRONG_TYPE" | "PEER_KEY_UNREADABLE" | "PEER_KEY_UNWRITABLE";

/** The peer-key file cannot serve as the node's identity (or cannot be created); `path` names it. */
export class PeerKeyError extends UserError<PeerKeyErrorCode> {
  readonly path: string;
  constructor(code: PeerKeyErrorCode, path: string, message: string) {
    super(code, message, { path });
    this.path = path;
  }
}

/**
 * Reads the node's peer key from `<dataDir>/peer-key`, or creates one (and `dataDir`, 0700) when
 * the file does not exist yet. Throws PeerKeyError when the file is unreadable, corrupt or holds
 * a key that is not Ed25519.
 */
export async function loadOrCreatePeerKey(dataDir: string): Promise<PrivateKey> {
  const path = join(dataDir, PEER_KEY_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT")
      throw new PeerKeyError("PEER_KEY_UNREADABLE", path, `cannot read the peer key ${path}: ${(error as Error).message} (check the data directory and the file's permissions)`);
    return createPeerKey(dataDir, path);
  }
  return decodePeerKey(bytes, path);
}

async function createPeerKey(dataDir: string, path: string): Promise<PrivateKey> {
  const key = await generateKeyPair("Ed25519");
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await writeSecretFile(path, privateKeyToProtobuf(key));
  } catch (error) {
    throw new PeerKeyError("PEER_KEY_UNWRITABLE", path, `cannot create the peer key ${path}: ${(error as Error).message} (make the data directory writable by the node's user)`);
  }
  return key;
}

/**
 * Decodes a peer-key file and checks it is whole: the bytes must re-encode to themselves (no
 * truncation or trailing junk) and the key must verify its own signature (the stored public key,
 * from which the peer id comes, belongs to the private key).
 */
export async function decodePeerKey(bytes: Uint8Array, path: string): Promise<PrivateKey> {
  const remedy = "restore it from a backup to keep this node's peer id, or delete it to start under a new peer id";
  let key: PrivateKey;
  try {
    key = privateKeyFromProtobuf(bytes);
  } catch (error) {
    throw new PeerKeyError("PEER_KEY_CORRUPT", path, `the peer key ${path} is corrupt (${(error as Error).message}); ${remedy}`);
  }
  if (key.type !== "Ed25519") throw new PeerKeyError("PEER_KEY_WRONG_TYPE", path, `the peer key ${path} holds a ${key.type} key, not an Ed25519 one; ${remedy}`);
  if (!Buffer.from(privateKeyToProtobuf(key)).equals(Buffer.from(bytes)))
    throw new PeerKeyError("PEER_KEY_CORRUPT", path, `the peer key ${path} is corrupt (it has extra or missing bytes); ${remedy}`);
  if (!(await signsForItself(key))) throw new PeerKeyError("PEER_KEY_CORRUPT", path, `the peer key ${path} is corrupt (its private and public halves do not match); ${remedy}`);
  return key;
}

/** Whether the key's own public key verifies what it signs (a damaged public half may not even be a curve point: that throws). */
async function signsForItself(key: PrivateKey): Promise<boolean> {
  const probe = new TextEncoder().encode("tensornode peer-key self-check");
  try {
    return await key.publicKey.verify(probe, await key.sign(probe));
  } catch {
    return false;
  }
}
