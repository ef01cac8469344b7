/**
 * Challenge text and its picture, for the validator: random common words and numbers, rendered as
 * one line with DejaVu Sans (the font file shipped by @fontsource/dejavu-sans, so the picture does
 * not depend on the fonts installed on the machine) by @napi-rs/canvas. Everything random comes
 * from the `random` given, so a seed gives the same text and the same pixels.
 */
import { createRequire } from "node:module";
import { createCanvas, GlobalFonts } from "@napi-rs/canvas";
import type { TextLineImage } from "./preprocess.js";
import { WORDS } from "./words.js";

/** The family name the font is registered under (not "DejaVu Sans", so a system copy never stands in). */
export const FONT_FAMILY = "tensornode-ocr-dejavu-sans";
export const FONT_FILE = "@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff2";

let registered = false;

/** Registers the shipped DejaVu Sans with canvas once; throws when it cannot. */
export function registerFont(): void {
  if (registered) return;
  const path = createRequire(import.meta.url).resolve(FONT_FILE);
  if (GlobalFonts.registerFromPath(path, FONT_FAMILY) === null) throw new Error(`@napi-rs/canvas could not load the font ${path}`);
  registered = true;
}

const int = (random: () => number, min: number, max: number): number => min + Math.floor(random() * (max - min + 1));

/** A number as a token: an integer of 1 to 6 digits, sometimes with 1 or 2 decimals. */
function randomNumber(random: () => number): string {
  const digits = int(random, 1, 6);
  const whole = digits === 1 ? String(int(random, 0, 9)) : String(int(random, 10 ** (digits - 1), 10 ** digits - 1));
  if (random() >= 0.2) return whole;
  const decimals = int(random, 1, 2);
  return `${whole}.${String(int(random, 0, 10 ** decimals - 1)).padStart(decimals, "0")}`;
}

/** A word as a token: lowercase, Capitalised or UPPERCASE. */
function randomWord(random: () => number): string {
  const word = WORDS[Math.floor(random() * WORDS.length)]!;
  const style = random();
  if (style < 0.6) return word;
  if (style < 0.85) return word[0]!.toUpperCase() + word.slice(1);
  return word.toUpperCase();
}

/** 1 to 4 tokens, about 70 % words and 30 % numbers, separated by single spaces. */
export function randomLine(random: () => number): string {
  const count = int(random, 1, 4);
  return Array.from({ length: count }, () => (random() < 0.3 ? randomNumber(random) : randomWord(random))).join(" ");
}

/**
 * `text` drawn as an RGB image: font size 22–40 px, dark text on a light background (random
 * colours, always high contrast), random margins and a small vertical jitter.
 */
export function renderLine(text: string, random: () => number): TextLineImage {
  registerFont();
  const size = int(random, 22, 40);
  const font = `${size}px ${FONT_FAMILY}`;
  const measure = createCanvas(1, 1).getContext("2d");
  measure.font = font;
  const textWidth = Math.ceil(measure.measureText(text).width);
  const left = int(random, 2, Math.round(size * 0.6));
  const right = int(random, 2, Math.round(size * 0.6));
  const height = Math.round(size * (1.35 + 0.35 * random()));
  const width = left + textWidth + right;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext("2d");
  const light = (): number => int(random, 200, 255);
  const dark = (): number => int(random, 0, 70);
  ctx.fillStyle = `rgb(${light()}, ${light()}, ${light()})`;
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = `rgb(${dark()}, ${dark()}, ${dark()})`;
  ctx.font = font;
  ctx.textBaseline = "middle";
  const jitter = (random() - 0.5) * (height - size) * 0.5;
  ctx.fillText(text, left, height / 2 + jitter);
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i]!;
    rgb[j + 1] = rgba[i + 1]!;
    rgb[j + 2] = rgba[i + 2]!;
  }
  return { height, width, channels: 3, data: rgb };
}
