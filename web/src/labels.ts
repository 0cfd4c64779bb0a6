// Display names for the API's codes, Chinese first and English beside, from the one catalogue
// the API's messages use too (credit/labels/labels.json); dates and times in Beijing time.
import catalogue from "../../credit/labels/labels.json";
import { bi } from "./dom";

type Group = Exclude<keyof typeof catalogue, "_about">;
const groups = catalogue as unknown as Record<string, Record<string, [string, string]>>;

/** [中文, English] for a code, or the code itself when the catalogue has none. */
export function pairOf(group: Group, code: string): [string, string] {
  return groups[group]?.[code] ?? [code, ""];
}

/** "中文 English" as one string (titles, options, plain text). */
export function textOf(group: Group, code: string): string {
  const [zh, en] = pairOf(group, code);
  return en ? `${zh} ${en}` : zh;
}

export function label(group: Group, code: string): HTMLSpanElement {
  const [zh, en] = pairOf(group, code);
  const el = bi(zh, en);
  el.dataset.code = code;
  return el;
}

export const KINDS = groups.kind;

export function decision(code: string): HTMLSpanElement {
  const el = label("decision", code);
  el.classList.add("badge", `decision-${code.toLowerCase()}`);
  el.dataset.decision = code;
  return el;
}

export function flagStatus(code: string): HTMLSpanElement {
  const el = label("flagStatus", code);
  el.classList.add("badge", `status-${code.toLowerCase()}`);
  return el;
}

export function kind(code: string): HTMLSpanElement {
  return label("kind", code);
}

export function money(m: { amount: string; currency: string } | null | undefined): string {
  if (!m) return "—";
  const value = Number(m.amount);
  const text = Number.isFinite(value)
    ? value.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    : m.amount;
  return `${text} ${m.currency}`;
}

export function day(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : "—";
}

const BEIJING = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});

/** An instant as Beijing time with the zone shown and no fractions: "2025-03-20 09:30:00 北京时间 (UTC+8)". */
export function when(iso: string | null | undefined): string {
  if (!iso) return "—";
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) return iso;
  const parts = Object.fromEntries(BEIJING.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} 北京时间 (UTC+8)`;
}

/** A region code (GB/T 2260) as its names, province first: ["浙江省杭州市西湖区", "Xihu District, Hangzhou, Zhejiang"];
 * a code the catalogue does not know stays a code. */
export function region(code: string | null | undefined): [string, string] {
  if (!code) return ["—", ""];
  const parts = [...new Set([`${code.slice(0, 2)}0000`, `${code.slice(0, 4)}00`, code])]
    .map((c) => groups.region?.[c])
    .filter((p): p is [string, string] => Boolean(p));
  if (parts.length === 0) return [code, ""];
  return [parts.map((p) => p[0]).join(""), parts.map((p) => p[1]).reverse().join(", ")];
}

// The API's English sentences (findings, score reasons) as the catalogue's templates: each
// {placeholder} matches a kind of value and says it in Chinese where the catalogue can.
const SLOTS: Record<string, [string, (v: string) => string]> = {
  n: ["[\\d.,]+", (v) => v],
  date: ["\\d{4}-\\d{2}-\\d{2}", (v) => v],
  lot: ["\\S+?", (v) => v],
  text: [".+?", (v) => v],
  subject: ["[a-z_]+", (v) => v],
  severity: ["general|serious|major", (v) => pairOf("severity", v.toUpperCase())[0]],
  category: ["[A-Z_]+", (v) => pairOf("category", v)[0]],
  list: ["[A-Z_]+", (v) => pairOf("list", v)[0]],
  cap: ["[a-z_.]+", (v) => pairOf("cap", v)[0]],
  // words of the catalogue, listed with "; ", ", " or " and "
  term: [
    ".+?",
    (v) =>
      v
        .split(/; |, /)
        .flatMap((part) => (groups.term?.[part] ? [part] : part.split(" and ")))
        .map((w) => groups.term?.[w]?.[0] ?? w)
        .join("、"),
  ],
};

const TEMPLATES = Object.entries(groups.phrase ?? {}).map(([en, [zh]]) => {
  const names: string[] = [];
  const source = en
    .split(/(\{[a-z]+\d*\})/)
    .map((part) => {
      const slot = /^\{([a-z]+)\d*\}$/.exec(part);
      if (!slot) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      names.push(part.slice(1, -1));
      return `(${SLOTS[slot[1]!]?.[0] ?? ".+?"})`;
    })
    .join("");
  const literal = en.replace(/\{[a-z]+\d*\}/g, "").length; // the more it spells out, the better
  return { regex: new RegExp(`^${source}(?=, |$)`), names, zh, literal };
});

function fill(zh: string, names: string[], values: string[]): string {
  return names.reduce((out, name, i) => out.replace(`{${name}}`, (SLOTS[name.replace(/\d+$/, "")]?.[1] ?? ((v: string) => v))(values[i] ?? "")), zh);
}

/** An English sentence of the API in Chinese, if the catalogue's templates say it; parts
 * joined by ", " are said one by one (the longest match first, then the template that spells out most). */
export function phrase(text: string): string | null {
  const said: string[] = [];
  let rest = text;
  let any = false;
  while (rest) {
    let best: { length: number; literal: number; zh: string } | null = null;
    for (const t of TEMPLATES) {
      const m = t.regex.exec(rest);
      if (m && (!best || m[0].length > best.length || (m[0].length === best.length && t.literal > best.literal))) {
        best = { length: m[0].length, literal: t.literal, zh: fill(t.zh, t.names, m.slice(1)) };
      }
    }
    if (best) any = true;
    const length = best?.length ?? (rest.includes(", ") ? rest.indexOf(", ") : rest.length);
    said.push(best?.zh ?? rest.slice(0, length));
    rest = rest.slice(length).replace(/^, /, "");
  }
  return any ? said.join("，") : null;
}

/** An API sentence for a person: the Chinese first, the API's English beside. */
export function sentence(text: string): HTMLSpanElement {
  const zh = phrase(text);
  if (zh) return bi(zh, text);
  const el = document.createElement("span");
  el.lang = "en";
  el.textContent = text;
  return el;
}

const VALUE_GROUPS: Record<string, Group[]> = {
  status: ["recordStatus", "bidStatus", "flagStatus"],
  category: ["category", "list"],
  severity: ["severity"],
  list: ["list"],
  penalty_types: ["penalty"],
  roles: ["role"],
  kind: ["kind"],
};

/** A property's value as a person reads it: codes by the catalogue, regions by name, instants in Beijing time. */
export function propertyValue(key: string, value: unknown): string {
  const one = (v: unknown): string => {
    const s = typeof v === "object" && v !== null ? JSON.stringify(v) : String(v);
    if (key === "region") return region(s).filter(Boolean).join(" ");
    for (const g of VALUE_GROUPS[key] ?? []) if (groups[g]?.[s]) return textOf(g, s);
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return when(s);
    return s;
  };
  return Array.isArray(value) ? value.map(one).join("、") : one(value);
}

/** Today's date in Beijing (a ban "in force today" is counted by China's day, as the server does). */
export function beijingToday(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}
