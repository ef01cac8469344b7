import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SUBTENSOR_CUSTOM_ERRORS } from "../../src/params/transaction-errors.js";
import { CUSTOM_TRANSACTION_ERRORS } from "../../src/devnet/runtime/pallets/subtensor/spec.generated.js";

describe("the client's InvalidTransaction::Custom(n) meanings", () => {
  it("cover exactly HEAD's codes, under HEAD's names (generated from subtensor-api.json)", () => {
    const client = Object.entries(SUBTENSOR_CUSTOM_ERRORS).map(([code, e]) => [Number(code), e.name]);
    const head = CUSTOM_TRANSACTION_ERRORS.map((e) => [e.code, e.name]);
    assert.deepEqual(client, head);
  });
});
