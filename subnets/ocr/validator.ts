/**
 * The OCR subnet's validator side: a challenge is a line of random common words and numbers
 * rendered as an RGB image (render.ts); an answer scores (1 − normalised edit distance to the
 * line) × a latency weight that goes from 1 at no latency down to 0.5 at the synapse's time-out.
 * No answer, or one that is not a UTF-8 string tensor `text`, scores 0.
 */
import type { Challenge, TensorMap, ValidatorContext, ValidatorSide } from "../../src/subnet/plugin.js";
import { normalisedEditDistance } from "./edit-distance.js";
import { IMAGE_TENSOR, imageTensor, readTextTensor, SYNAPSE } from "./image.js";
import { randomLine, registerFont, renderLine } from "./render.js";

/** Longest answer scored (code points); a longer one scores 0, so scoring stays cheap. */
export const MAX_ANSWER_CHARS = 1024;

export interface OcrExpected {
  readonly text: string;
}

/** Score factor of an answer after `latencyMs` of a `timeoutMs` budget: 1 → 0.5, linearly (as the tiny subnet). */
export function latencyWeight(latencyMs: number, timeoutMs: number): number {
  return 1 - 0.5 * Math.min(1, Math.max(0, latencyMs) / timeoutMs);
}

/** Text as compared: compatibility forms folded (full-width digits and letters, ideographic space), whitespace runs made one space, ends trimmed. */
export function normaliseText(text: string): string {
  return text.normalize("NFKC").replace(/\s+/gu, " ").trim();
}

/** 1 − the normalised edit distance between the expected and the answered line, in [0, 1]. */
export function textSimilarity(expected: string, answered: string): number {
  return 1 - normalisedEditDistance(normaliseText(expected), normaliseText(answered));
}

export async function createValidator(ctx: ValidatorContext): Promise<ValidatorSide> {
  const timeoutMs = ctx.manifest.synapses[SYNAPSE]?.timeoutMs ?? 5000;
  registerFont();
  return {
    async challenge(random: () => number): Promise<Challenge> {
      const text = randomLine(random);
      const image = renderLine(text, random);
      const expected: OcrExpected = { text };
      return { synapse: SYNAPSE, body: new Map([[IMAGE_TENSOR, imageTensor(image)]]), expected };
    },
    score(challenge: Challenge, answer: TensorMap | undefined, latencyMs: number): number {
      const { text } = challenge.expected as OcrExpected;
      const answered = readTextTensor(answer);
      if (answered === undefined || answered.length > 4 * MAX_ANSWER_CHARS || Array.from(answered).length > MAX_ANSWER_CHARS) return 0;
      return textSimilarity(text, answered) * latencyWeight(latencyMs, timeoutMs);
    },
  };
}
