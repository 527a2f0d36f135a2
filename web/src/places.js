// Where the rules place a declaration. An outline's `file` and `line` may
// be null (a policy need not come from files); nothing here throws on
// them or shows "null:null".

/** `shop.gate:12`, `shop.gate` without a line, or "" without a file. */
export function placeText({ file, line }) {
  if (file === null || file === undefined) return "";
  return line === null || line === undefined ? file : `${file}:${line}`;
}

/**
 * Line `line` (1-based) of the CodeMirror document `doc`, kept within it:
 * an unknown line (null) is the first, one past the end the last.
 */
export function lineOf(doc, line) {
  return doc.line(Math.min(Math.max(line ?? 1, 1), doc.lines));
}
