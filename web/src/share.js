// The share link: the rule files in the URL fragment, `#rules=` then
// `z` and the JSON `{"files": {name: text}}` compressed with the
// browser's CompressionStream (raw deflate) in base64url, or `p` and the
// JSON in plain base64url where the browser has no CompressionStream.
// A fragment never reaches a server: the rules stay in the link.

const PREFIX = "#rules=";

function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function through(stream, bytes) {
  const piped = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(piped).arrayBuffer());
}

/** The fragment that carries `files` ({name: text}). */
export async function encodeRules(files) {
  const json = new TextEncoder().encode(JSON.stringify({ files }));
  if (typeof CompressionStream === "function") {
    return `${PREFIX}z${toBase64Url(await through(new CompressionStream("deflate-raw"), json))}`;
  }
  return `${PREFIX}p${toBase64Url(json)}`;
}

/**
 * The rule files a fragment carries; null when it carries none; throws
 * an Error saying what is wrong with a damaged one.
 */
export async function decodeRules(hash) {
  if (!hash.startsWith(PREFIX)) return null;
  const body = hash.slice(PREFIX.length);
  let bytes;
  try {
    bytes = fromBase64Url(body.slice(1));
    if (body[0] === "z") bytes = await through(new DecompressionStream("deflate-raw"), bytes);
    else if (body[0] !== "p") throw new Error(`unknown form \`${body[0]}\``);
  } catch (error) {
    throw new Error(`the link's rules can't be read (cut short when copied?): ${error.message}`);
  }
  let document;
  try {
    document = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new Error(`the link's rules are not valid JSON: ${error.message}`);
  }
  const files = document?.files;
  if (files === null || typeof files !== "object" || Object.values(files).some((t) => typeof t !== "string")) {
    throw new Error("the link carries no rule files");
  }
  return files;
}
