/** Reads a JSON file named on the command line; unreadable or malformed files are one-line user errors. */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { UserError } from "../util/errors.js";

/** `what` names the file's role in messages ("config file", "genesis file"); `code` prefixes the error codes. */
export async function readJsonFile(file: string, cwd: string, what: string, code: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(resolve(cwd, file), "utf8");
  } catch (error) {
    throw new UserError(`${code}_UNREADABLE`, `${file}: cannot read the ${what} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UserError(`${code}_NOT_JSON`, `${file}: not valid JSON (${(error as Error).message})`);
  }
}
