import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readTap } from "../../../reliability/suite-checks.js";

// The shape of node 20's TAP output: a file's suite at depth 0, its tests indented 4 spaces a level.
const TAP = `TAP version 13
# Subtest: the dashboard
    # Subtest: shows the metagraph
    ok 1 - shows the metagraph
      ---
      duration_ms: 12
      ...
    1..1
ok 1 - the dashboard
# Subtest: the Dockerfile
    # Subtest: builds
    not ok 1 - builds
      ---
      error: 'exit 2'
      ...
    # Subtest: nested
        # Subtest: deep one
        not ok 1 - deep one
        ok 2 - deep two
    not ok 2 - nested
    ok 3 - skipped one # SKIP no docker
not ok 2 - the Dockerfile
  ---
  error: '2 subtests failed'
  ...
1..2
# tests 5
# pass 3
# fail 2
`;

describe("reading the e2e suite's TAP output", () => {
  it("takes the totals from the closing lines and names each failing test under the suites that hold it", () => {
    assert.deepEqual(readTap(TAP), { passed: 3, failed: 2, failures: ["the Dockerfile › builds", "the Dockerfile › nested › deep one"] });
  });

  it("says NaN for totals a cut-off output never reached, so a crashed run is not read as a clean one", () => {
    const cut = readTap(TAP.slice(0, TAP.indexOf("# tests")));
    assert.ok(Number.isNaN(cut.failed) && Number.isNaN(cut.passed));
  });
});
