/**
 * A synapse's query handler, organic requests included: a request whose body is a user's JSON
 * (src/p2p/protocol/organic.ts) is converted by the plugin's public interface here, on the miner,
 * answered like any other, and its output returned as JSON — so the miner's signature covers the
 * user's exact bytes and the output it produced from them.
 */
import { organicAnswerBody, readOrganicRequest } from "../p2p/protocol/organic.js";
import type { QueryHandler } from "../p2p/query-server.js";
import { PublicInputError, type MinerSide } from "../subnet/plugin.js";
import type { PublicInterface } from "../subnet/public-api.js";

export function synapseHandler(synapse: string, minerSide: MinerSide, publicApi: PublicInterface): QueryHandler {
  return async ({ body, signal, emit }) => {
    const userBody = readOrganicRequest(body);
    if (userBody === undefined) return minerSide.answer({ synapse, body, signal, emit });
    const endpoint = publicApi.get(synapse);
    if (!endpoint) throw new PublicInputError(`this miner does not offer the synapse ${synapse} to users`);
    const tensors = await endpoint.requestTensors(userBody);
    const answer = await minerSide.answer({
      synapse,
      body: tensors,
      signal,
      emit: () => Promise.reject(new Error(`the ${synapse} synapse streamed an answer to an organic request`)),
    });
    if (answer === undefined) throw new Error(`the ${synapse} synapse gave no answer to an organic request`);
    return organicAnswerBody(endpoint.outputJson(answer));
  };
}
