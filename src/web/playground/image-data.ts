/**
 * Image files in the page as the gateway takes them (pure): FileReader gives a data: URL, the
 * synapse wants the base64 after its comma (docs: the OCR API accepts both, other image synapses
 * may not); a preview needs the file's media type, read from its first bytes.
 */

const DATA_URL = /^data:[^,]*;base64,/;

/** The base64 of a `data:…;base64,` URL (FileReader.readAsDataURL), without its prefix. */
export function base64OfDataUrl(url: string): string {
  const prefix = DATA_URL.exec(url);
  if (!prefix) throw new Error("the file was not read as base64");
  return url.slice(prefix[0].length);
}

/** image/png or image/jpeg from a file's signature, or undefined for anything else. */
export function imageTypeOf(bytes: Uint8Array): "image/png" | "image/jpeg" | undefined {
  if (bytes.length >= 8 && [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((b, i) => bytes[i] === b)) return "image/png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  return undefined;
}
