// A tiny element builder: text always goes in as text nodes, so API data can never inject markup.

type Child = Node | string | number | null | undefined | false | Child[];
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2).toLowerCase(), value);
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }
}

/** Chinese first, English beside: "信用报告 Credit report". */
export function bi(zh: string, en: string): HTMLSpanElement {
  return h("span", { class: "bi" }, zh, " ", h("span", { class: "en", lang: "en" }, en));
}

export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** A definition list from label/value pairs. */
export function facts(rows: [Node | string, Child][]): HTMLDListElement {
  return h(
    "dl",
    { class: "facts" },
    rows.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value ?? "—")]),
  );
}

export function table(
  caption: Node | string,
  head: (Node | string)[],
  rows: Child[][],
  empty: Node | string,
): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))),
    ),
  );
}

/** One message a person understands: the catalogue's sentence when the API gave one, the
 * API's technical text (field: rule: message) folded away for whoever supports them. */
export function errorBox(error: unknown): HTMLElement {
  const message = error instanceof Error ? error.message : String(error);
  const label = error instanceof Error && "label" in error && typeof error.label === "string" ? error.label : null;
  if (label) {
    return h(
      "div",
      { class: "error", role: "alert" },
      h("strong", {}, label),
      h("details", {}, h("summary", {}, bi("技术细节", "Details")), h("code", {}, message)),
    );
  }
  return h("div", { class: "error", role: "alert" }, h("strong", {}, "出错了 Error: "), message);
}

export function loading(): HTMLElement {
  return h("p", { class: "loading", role: "status" }, "加载中… Loading…");
}

/** Run `load` and put its result (or a readable error) into `el`. */
export async function fill(el: Element, load: () => Promise<Child>): Promise<void> {
  replace(el, loading());
  try {
    replace(el, await load());
  } catch (error) {
    replace(el, errorBox(error));
  }
}

/** A labelled form field (the label names the input for screen readers and clicks). */
export function field(input: HTMLElement, zh: string, en: string): HTMLDivElement {
  return h("div", {}, h("label", { for: input.id }, bi(zh, en)), input);
}

/** A row of fields with a submit button; `submit` runs instead of a page load. */
export function inlineForm(fields: HTMLElement[], zh: string, en: string, submit: () => void): HTMLFormElement {
  const form = h("form", { class: "inline-form" }, fields, h("button", { type: "submit" }, bi(zh, en)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  return form;
}
