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
