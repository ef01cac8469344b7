/**
 * The validator's status port: /metrics (Prometheus), /healthz, and /receipts?uid=U (the signed
 * answers kept for a uid, for `tensornode validator receipts` while the daemon holds its database).
 */
import type { Server } from "node:http";
import { encodeValue } from "../db/store.js";
import { rpcMetrics } from "../chain/rpc-counter.js";
import { Exposition, json, prometheus, startStatusServer, type Sample } from "../util/status-server.js";
import type { ValidatorStatus } from "./daemon.js";
import type { StoredReceipt } from "./state.js";

export function renderValidatorMetrics(s: ValidatorStatus): string {
  const hotkey = { hotkey: s.hotkey };
  const out = new Exposition();
  out.metric("tensornode_validator_registered", "gauge", "1 when the hotkey is registered on the subnet", [[hotkey, s.uid === undefined ? 0 : 1]]);
  out.metric("tensornode_validator_uid", "gauge", "the hotkey's uid (-1 when not registered)", [[hotkey, s.uid ?? -1]]);
  out.metric("tensornode_validator_permit", "gauge", "1 when the uid holds a validator permit", [[hotkey, s.permit ? 1 : 0]]);
  out.metric("tensornode_validator_metagraph_block", "gauge", "block of the metagraph in use", [[hotkey, s.metagraphBlock]]);
  out.metric("tensornode_validator_steps_total", "counter", "scoring steps completed", [[hotkey, s.steps]]);
  out.metric("tensornode_validator_step_ms", "gauge", "duration of the last scoring step, ms", [[hotkey, s.lastStep?.ms ?? 0]]);
  out.metric("tensornode_validator_queries_total", "counter", "queries by outcome (answered, TIMEOUT, REFUSED, UNREACHABLE, BAD_RESPONSE, …)", Object.entries(s.queries).map(([outcome, n]): Sample => [{ ...hotkey, outcome }, n]));
  out.metric("tensornode_validator_scored_miners", "gauge", "miners in the score book", [[hotkey, s.scored]]);
  out.metric(
    "tensornode_validator_weights_total",
    "counter",
    "weight submissions by action (commit, reveal, set) and outcome (ok, failed, expired, lost)",
    Object.entries(s.weights.outcomes).map(([key, n]): Sample => {
      const [action, outcome] = key.split(":") as [string, string];
      return [{ ...hotkey, action, outcome }, n];
    }),
  );
  out.metric("tensornode_validator_weights_last_block", "gauge", "block at which the last weight submission was included", [[hotkey, s.weights.lastIncludedBlock ?? 0]]);
  out.metric("tensornode_validator_weights_failures", "gauge", "consecutive failed weight submissions", [[hotkey, s.weights.consecutiveFailures]]);
  out.metric("tensornode_validator_weights_waiting", "gauge", "1 while weights wait for something (a permit, the registration)", [[hotkey, s.weights.waiting === undefined ? 0 : 1]]);
  rpcMetrics(out, s.chainRpc);
  return out.text();
}

export interface ValidatorStatusSource {
  status(): ValidatorStatus;
  receipts(uid: number): Promise<StoredReceipt[]>;
}

export function startValidatorStatusServer(source: ValidatorStatusSource, host: string, port: number): Promise<Server> {
  return startStatusServer(
    async (path, query) => {
      if (path === "/metrics") return prometheus(renderValidatorMetrics(source.status()));
      if (path === "/healthz") {
        const s = source.status();
        const healthy = s.steps > 0 || s.uid === undefined;
        return json(healthy ? 200 : 503, { status: healthy ? "ok" : "starting", hotkey: s.hotkey, uid: s.uid ?? null, waiting: s.weights.waiting ?? null });
      }
      if (path === "/receipts") {
        const uid = Number(query.get("uid"));
        if (!Number.isInteger(uid) || uid < 0 || uid > 65535) return json(400, { error: "uid must be an integer in 0..65535" });
        return { status: 200, contentType: "application/json", body: encodeValue(await source.receipts(uid)) };
      }
      return undefined;
    },
    host,
    port,
  );
}
