// The evidence of a mixed-up bid documents flag (MIXED_DOCUMENTS) as a person reads it: each
// shared section or attachment, and where each bidder's documents hold it (title, page).
import { bi, h, table } from "../dom";

interface Place {
  supplier: string;
  bid: string;
  title?: string | null;
  page?: number | null;
}
interface Shared {
  hash: string;
  kind: string;
  in: Place[];
}

function sharedOf(facts: Record<string, unknown> | null | undefined): Shared[] {
  const found = facts?.["shared_sections"];
  return Array.isArray(found) ? (found as Shared[]) : [];
}

/** A table of the shared sections, or null when the facts hold none (other patterns, or the
 * facts withheld from this caller). `names` maps a USCC to the bidder's name. */
export function sharedSections(
  facts: Record<string, unknown> | null | undefined,
  names?: Map<string, string>,
  caption: Node | string = bi("共用的文件章节", "Shared document sections"),
): HTMLElement | null {
  const shared = sharedOf(facts);
  if (shared.length === 0) return null;
  const who = (id: string): string => names?.get(id.replace(/^org:/, "")) ?? id.replace(/^org:/, "");
  return h(
    "div",
    { "data-testid": "shared-sections" },
    table(
      caption,
      [bi("类型", "Kind"), bi("投标人", "Bidder"), bi("章节标题", "Title"), bi("页码", "Page"), bi("指纹", "Fingerprint")],
      shared.flatMap((s) =>
        s.in.map((p, i) => [
          i === 0 ? (s.kind === "ATTACHMENT" ? bi("附件", "Attachment") : bi("章节", "Section")) : "",
          who(p.supplier),
          p.title ?? "—",
          p.page ? String(p.page) : "—",
          i === 0 ? h("code", { title: s.hash }, s.hash.slice(0, 19) + "…") : "",
        ]),
      ),
      "—",
    ),
  );
}
