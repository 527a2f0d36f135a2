// The connector builder's toggle grid: a connector's endpoints (rows) by
// its auth methods (columns), and a column for what the picked instance
// sees. Only the rows in view are in the page (a connector may have
// thousands of endpoints), drawn again on scroll; a filter keeps the
// endpoints whose name contains its text.
//
// A cell's box is ticked when the endpoint lists the method plainly,
// half-ticked when only items with scopes name it (their scopes are
// written in the cell), empty otherwise. Ticking an empty box turns the
// method on; any other click on a box turns it off (every item naming it
// goes). A click elsewhere in a cell asks for its reason.

import { placeText } from "./places.js";

const ROW = 26;
/** Rows drawn above and below the ones in view. */
const SPARE = 8;

function escape(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

/** `a.read + b.write | c.admin`: an endpoint's items for one method. */
export function itemsText(items) {
  return items.map((item) => item.scopes.join(" + ")).join(" | ");
}

export class Grid {
  /**
   * `onToggle(endpoint, method, on)` and `onExplain(endpoint, method)`
   * (`method` null for the instance's column) are called with names.
   */
  constructor({ head, body, rows, onToggle, onExplain }) {
    this.head = head;
    this.body = body;
    this.rows = rows;
    this.onToggle = onToggle;
    this.onExplain = onExplain;
    this.connector = null;
    this.shown = [];
    this.filter = "";
    this.sees = null;
    this.picked = null;
    this.editable = true;
    this.selected = null;
    this.frame = 0;
    body.addEventListener("scroll", () => {
      this.head.scrollLeft = body.scrollLeft;
      this.schedule();
    });
    new ResizeObserver(() => this.schedule()).observe(body);
    rows.addEventListener("click", (event) => this.click(event));
  }

  /**
   * Shows `connector` (from an outline); `sees`: the names of the
   * endpoints the picked instance sees (null: no instance); `picked`: its
   * method's name.
   */
  show({ connector, sees, picked, editable }) {
    const changed = connector?.name !== this.connector?.name;
    this.connector = connector;
    this.sees = sees;
    this.picked = picked;
    this.editable = editable;
    if (changed) {
      this.body.scrollTop = 0;
      this.selected = null;
    }
    this.refilter();
  }

  setFilter(text) {
    this.filter = text.trim().toLowerCase();
    this.body.scrollTop = 0;
    this.refilter();
  }

  refilter() {
    const endpoints = this.connector?.endpoints ?? [];
    this.shown = this.filter
      ? endpoints.filter((e) => e.name.toLowerCase().includes(this.filter))
      : endpoints;
    this.drawHead();
    this.rows.style.height = `${this.shown.length * ROW}px`;
    this.draw();
  }

  drawHead() {
    const c = this.connector;
    if (!c) {
      this.head.innerHTML = "";
      this.rows.innerHTML = '<div class="empty">No connector: declare one in the rules.</div>';
      return;
    }
    const columns = ["var(--name)", ...c.methods.map(() => "var(--cell)")];
    if (this.sees) columns.push("var(--sees)");
    this.head.parentElement.style.setProperty("--columns", columns.join(" "));
    const count =
      this.shown.length === c.endpoints.length
        ? `${c.endpoints.length} endpoints`
        : `${this.shown.length} of ${c.endpoints.length} endpoints`;
    let html = `<div role="columnheader">${escape(count)}</div>`;
    for (const m of c.methods) {
      const scopes = m.scopes.length ? ` · ${m.scopes.length} scopes` : "";
      const picked = m.name === this.picked ? ' class="picked"' : "";
      html += `<div role="columnheader"${picked} title="${escape(`${m.name}: ${m.type}${scopes}`)}">${escape(m.name)}<span class="type">${escape(m.type + scopes)}</span></div>`;
    }
    if (this.sees) html += '<div role="columnheader" class="picked">sees<span class="type">instance</span></div>';
    this.head.innerHTML = html;
  }

  schedule() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Draws the rows in view. */
  draw() {
    const c = this.connector;
    if (!c) return;
    if (this.shown.length === 0) {
      this.rows.innerHTML = '<div class="empty">No endpoint matches the filter.</div>';
      return;
    }
    const first = Math.max(0, Math.floor(this.body.scrollTop / ROW) - SPARE);
    const last = Math.min(this.shown.length, Math.ceil((this.body.scrollTop + this.body.clientHeight) / ROW) + SPARE);
    const disabled = this.editable ? "" : " disabled";
    let html = "";
    for (let r = first; r < last; r++) {
      const e = this.shown[r];
      html += `<div class="row" role="row" data-row="${r}" style="top:${r * ROW}px">`;
      html += `<div class="name" role="rowheader" data-cell="name" title="${escape(placeText(e) ? `${e.name} (${placeText(e)})` : e.name)}">${escape(e.name)}</div>`;
      for (const [m, method] of c.methods.entries()) {
        const plain = e.methods.includes(method.name);
        const items = plain ? [] : e.scoped.filter((item) => item.method === method.name);
        const state = plain ? "on" : items.length ? "scoped" : "off";
        const text = items.length ? itemsText(items) : "";
        const classes = ["cell", state];
        if (method.name === this.picked) classes.push("picked");
        if (this.selected?.endpoint === e.name && this.selected?.method === method.name) classes.push("selected");
        const title = state === "on" ? `${method.name}: on` : state === "scoped" ? `${method.name} with scopes: ${text}` : `${method.name}: off`;
        html += `<div role="gridcell" class="${classes.join(" ")}" data-cell="${m}" title="${escape(title)}">`;
        html += `<input type="checkbox" aria-label="${escape(`${method.name} for ${e.name}`)}"${plain ? " checked" : ""}${items.length ? ' data-scoped="1"' : ""}${disabled}>`;
        html += `${escape(text)}</div>`;
      }
      if (this.sees) {
        const yes = this.sees.has(e.name);
        const selected = this.selected?.endpoint === e.name && this.selected?.method === null ? " selected" : "";
        html += `<div role="gridcell" class="sees picked ${yes ? "yes" : "no"}${selected}" data-cell="sees">${yes ? "✓ sees" : "—"}</div>`;
      }
      html += "</div>";
    }
    this.rows.innerHTML = html;
    // Half-ticked boxes: a property, not an attribute.
    for (const box of this.rows.querySelectorAll("input[data-scoped]")) box.indeterminate = true;
  }

  click(event) {
    const cell = event.target.closest("[data-cell]");
    const row = event.target.closest("[data-row]");
    if (!cell || !row) return;
    const endpoint = this.shown[Number(row.dataset.row)];
    if (!endpoint) return;
    const which = cell.dataset.cell;
    if (which === "name") return;
    const method = which === "sees" ? null : this.connector.methods[Number(which)].name;
    if (event.target.matches("input[type=checkbox]")) {
      // Drawn again from the rules once the edit is checked: the box shows
      // the source, not the click.
      event.preventDefault();
      const on = !(endpoint.methods.includes(method) || endpoint.scoped.some((i) => i.method === method));
      this.onToggle(endpoint, method, on);
      return;
    }
    this.selected = { endpoint: endpoint.name, method };
    this.draw();
    this.onExplain(endpoint, method);
  }
}
