// Colours for `.gate` files in the editor: keywords, auth types, strings,
// numbers and comments, by a small stream tokenizer (the engine's parser
// decides what the text means; this only paints it).
import { HighlightStyle, StreamLanguage, syntaxHighlighting } from "@codemirror/language";
import { tags } from "@lezer/highlight";

const KEYWORDS = new Set([
  "connector", "auth", "endpoint", "instance", "of", "flow", "connection",
  "test", "expect", "can", "cannot", "see", "sees", "only", "scopes",
]);
const TYPES = new Set([
  "none", "basic", "token", "oauth1", "oauth2_client_credentials", "oauth2_authorization_code",
]);

const gate = StreamLanguage.define({
  name: "gate",
  startState: () => ({ comment: false }),
  token(stream, state) {
    if (state.comment) {
      if (stream.skipTo("*/")) {
        stream.pos += 2;
        state.comment = false;
      } else stream.skipToEnd();
      return "comment";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match("/*")) {
      state.comment = true;
      return "comment";
    }
    if (stream.eat('"')) {
      let escaped = false;
      let ch;
      while ((ch = stream.next()) != null) {
        if (ch === '"' && !escaped) break;
        escaped = !escaped && ch === "\\";
      }
      return "string";
    }
    if (stream.match(/^[0-9]+/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_.-]*/);
    if (word) {
      if (KEYWORDS.has(word[0])) return "keyword";
      if (TYPES.has(word[0])) return "typeName";
      return "variableName";
    }
    stream.next();
    return null;
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } } },
});

const style = HighlightStyle.define([
  { tag: tags.keyword, color: "#8250df" },
  { tag: tags.typeName, color: "#0550ae" },
  { tag: tags.string, color: "#0a3069" },
  { tag: tags.number, color: "#0550ae" },
  { tag: tags.comment, color: "#6e7781", fontStyle: "italic" },
]);

export const gateLanguage = [gate, syntaxHighlighting(style)];
