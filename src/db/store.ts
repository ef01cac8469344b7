/**
 * A daemon's durable state in one level database: numbered buckets (one per kind of record, so
 * keys never collide and a bucket can be listed alone), JSON records (bigints kept exact and typed),
 * and atomic multi-record writes — a crash leaves all of a write or
 * none of it. Reads come from the database, so what is loaded is what was durably saved.
 */
import { Level } from "level";
import { CodedError } from "../util/errors.js";

/**
 * JSON with bigints and bytes kept exact and typed: a bigint is written as {"$bigint": "…"} and a
 * Uint8Array as {"$bytes": "<hex>"}, and each is read back as what it was.
 */
export function encodeValue(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, v: unknown) {
    // JSON.stringify hands a Uint8Array to toJSON-less replacers as the original: look at the holder.
    const original = this[key];
    if (original instanceof Uint8Array) return { $bytes: Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString("hex") };
    return typeof v === "bigint" ? { $bigint: v.toString() } : v;
  });
}

export function decodeValue(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === "object" && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      if (keys.length !== 1) return v;
      const big = (v as { $bigint?: unknown }).$bigint;
      if (typeof big === "string" && /^-?\d+$/.test(big)) return BigInt(big);
      const bytes = (v as { $bytes?: unknown }).$bytes;
      if (typeof bytes === "string" && /^(?:[0-9a-f]{2})*$/.test(bytes)) return new Uint8Array(Buffer.from(bytes, "hex"));
    }
    return v;
  });
}

export class StoreError extends CodedError<"STORE_UNAVAILABLE" | "STORE_CORRUPT" | "STORE_CLOSED"> {
  constructor(code: "STORE_UNAVAILABLE" | "STORE_CORRUPT" | "STORE_CLOSED", message: string) {
    super(code, message);
    this.name = "StoreError";
  }
}

/** Bucket ids are part of the on-disk format: never renumber one. */
export const Bucket = { Meta: 0, Scores: 1, PendingCommits: 2, Receipts: 3, Organic: 4, DashboardEpochs: 5, DashboardActivity: 6 } as const;
export type Bucket = (typeof Bucket)[keyof typeof Bucket];

const keyOf = (bucket: Bucket, id: string): string => `${bucket.toString(16).padStart(2, "0")}/${id}`;

export type Operation = { readonly type: "put"; readonly bucket: Bucket; readonly id: string; readonly value: unknown } | { readonly type: "del"; readonly bucket: Bucket; readonly id: string };

export class Store {
  readonly #db: Level<string, string>;
  readonly path: string;
  #closed = false;

  private constructor(db: Level<string, string>, path: string) {
    this.#db = db;
    this.path = path;
  }

  static async open(path: string): Promise<Store> {
    const db = new Level<string, string>(path, { valueEncoding: "utf8" });
    try {
      await db.open();
    } catch (error) {
      const cause = (error as { cause?: Error }).cause?.message ?? (error as Error).message;
      throw new StoreError("STORE_UNAVAILABLE", `cannot open the state database at ${path} (${cause}); is another process using this data dir?`);
    }
    return new Store(db, path);
  }

  #check(): void {
    if (this.#closed) throw new StoreError("STORE_CLOSED", "the state database is closed");
  }

  async get<T>(bucket: Bucket, id: string): Promise<T | undefined> {
    this.#check();
    const text = await this.#db.get(keyOf(bucket, id));
    if (text === undefined) return undefined;
    return this.#parse<T>(text, bucket, id);
  }

  #parse<T>(text: string, bucket: Bucket, id: string): T {
    try {
      return decodeValue(text) as T;
    } catch (error) {
      throw new StoreError("STORE_CORRUPT", `record ${id} of bucket ${bucket} in ${this.path} is not valid JSON (${(error as Error).message})`);
    }
  }

  /** Every record of a bucket, in key order. */
  async list<T>(bucket: Bucket): Promise<[id: string, value: T][]> {
    this.#check();
    const prefix = keyOf(bucket, "");
    const out: [string, T][] = [];
    for await (const [key, text] of this.#db.iterator({ gte: prefix, lt: `${prefix}\uffff` })) {
      const id = key.slice(prefix.length);
      out.push([id, this.#parse<T>(text, bucket, id)]);
    }
    return out;
  }

  /** The records of a bucket whose id is ≥ `fromId`, in key order, at most `limit` of them. */
  async listFrom<T>(bucket: Bucket, fromId: string, limit = Infinity): Promise<[id: string, value: T][]> {
    this.#check();
    const prefix = keyOf(bucket, "");
    const out: [string, T][] = [];
    for await (const [key, text] of this.#db.iterator({ gte: keyOf(bucket, fromId), lt: `${prefix}\uffff`, limit: Number.isFinite(limit) ? limit : -1 })) {
      const id = key.slice(prefix.length);
      out.push([id, this.#parse<T>(text, bucket, id)]);
    }
    return out;
  }

  /** The ids of a bucket in key order (values unread), at most `limit` of them. */
  async ids(bucket: Bucket, limit = Infinity): Promise<string[]> {
    this.#check();
    const prefix = keyOf(bucket, "");
    const out: string[] = [];
    for await (const key of this.#db.keys({ gte: prefix, lt: `${prefix}\uffff`, limit: Number.isFinite(limit) ? limit : -1 })) out.push(key.slice(prefix.length));
    return out;
  }

  /** Applies every operation or none (one level batch). */
  async write(operations: readonly Operation[]): Promise<void> {
    this.#check();
    await this.#db.batch(
      operations.map((op) => (op.type === "put" ? { type: "put" as const, key: keyOf(op.bucket, op.id), value: encodeValue(op.value) } : { type: "del" as const, key: keyOf(op.bucket, op.id) })),
    );
  }

  async put(bucket: Bucket, id: string, value: unknown): Promise<void> {
    await this.write([{ type: "put", bucket, id, value }]);
  }

  async delete(bucket: Bucket, id: string): Promise<void> {
    await this.write([{ type: "del", bucket, id }]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }
}
