import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { subtensorTableMarkdown } from "../../../scripts/generate-devnet-subtensor-table.js";

describe("docs/devnet-subtensor.md", () => {
  it("is what the runtime implements today (regenerate with scripts/generate-devnet-subtensor-table.ts)", () => {
    const committed = readFileSync(new URL("../../../docs/devnet-subtensor.md", import.meta.url), "utf8");
    assert.equal(committed, subtensorTableMarkdown());
  });
});
