import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChainError, chainFailure } from "../../../src/chain/errors.js";

/** As @polkadot/rpc-provider raises a JSON-RPC error answer. */
class RpcError extends Error {
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.name = "RpcError";
    this.code = code;
  }
}

describe("chain failures as one line", () => {
  it("words a JSON-RPC error answer with its code and message", () => {
    const failure = chainFailure(new RpcError("4003: Client error: UnknownBlock: header not found", 4003));
    assert.equal(failure?.code, "CHAIN_RPC_ERROR");
    assert.equal(failure?.reason, "4003");
    assert.equal(failure?.message, "the chain answered with an error: 4003: Client error: UnknownBlock: header not found");
  });

  it("tells a dropped connection from an error answer", () => {
    assert.equal(chainFailure(new Error("disconnected from ws://127.0.0.1:9944: 1006:: Abnormal Closure"))?.code, "CHAIN_DISCONNECTED");
    assert.equal(chainFailure(new Error("No response received from RPC endpoint in 60s"))?.code, "CHAIN_DISCONNECTED");
  });

  it("keeps only the first line of an undecodable answer's nested error", () => {
    const failure = chainFailure(new Error("createType(AccountInfo):: Struct: failed on data: {\"free\":\"u64\"}:: u64: Input too short\n    at decode (x.js:1:1)"));
    assert.equal(failure?.code, "CHAIN_UNDECODABLE");
    assert.ok(!failure!.message.includes("\n"));
  });

  it("passes a ChainError through and leaves other errors (bugs) alone", () => {
    const refused = new ChainError("NOT_OWNER", "pre-check", "not yours");
    assert.equal(chainFailure(refused), refused);
    assert.equal(chainFailure(new TypeError("Cannot read properties of undefined (reading 'x')")), undefined);
    assert.equal(chainFailure("a string"), undefined);
  });
});
