// A purchaser's or agency's home: its unit's lots, upcoming bid deadlines first, each one
// click from its check (the check runs and is filed when that button is pressed).
import { gql } from "../api";
import { bi, fill, h, table } from "../dom";
import { when } from "../labels";

interface MyLot {
  id: string;
  lotId: string;
  name: string;
  bidDeadline: string | null;
  project: { projectId: string; name: string; purchaser: { name: string } | null; agency: { name: string } | null } | null;
  bids: { bidId: string }[];
}

const MY_LOTS = `query($after: String) { myLots(first: 50, after: $after) {
  nodes { id lotId name bidDeadline project { projectId name purchaser { name } agency { name } } bids { bidId } }
  pageInfo { hasNextPage endCursor } } }`;

export function homePage(main: HTMLElement): void {
  const body = h("div", { "data-testid": "my-lots" });
  main.append(
    h("h1", {}, bi("我的标段", "My lots")),
    h("p", { class: "hint" }, bi("本单位作为采购人或代理机构的标段，即将截止的在前。", "Your unit's lots as purchaser or agency, upcoming bid deadlines first.")),
    body,
  );
  const now = Date.now();
  const load = async (after: string | null): Promise<void> => {
    const more = h("div", {});
    await fill(more, async () => {
      const { myLots } = await gql<{ myLots: { nodes: MyLot[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>(MY_LOTS, { after });
      const rows = myLots.nodes.map((l) => {
        const upcoming = l.bidDeadline !== null && Date.parse(l.bidDeadline) >= now;
        const check = `#/lot/${encodeURIComponent(l.lotId)}/check`;
        return [
          h("span", { class: upcoming ? "" : "hint" }, when(l.bidDeadline), upcoming ? "" : bi("（已截止）", "(closed)")),
          h("span", {}, h("strong", {}, l.name), h("br", {}), h("code", {}, l.lotId)),
          l.project ? h("span", {}, l.project.name, h("br", {}), h("code", {}, l.project.projectId)) : "—",
          l.project?.purchaser?.name ?? "—",
          String(l.bids.length),
          h("a", { class: "button", href: check, "data-testid": "check-lot" }, bi("审查", "Check")),
        ];
      });
      const next = myLots.pageInfo.hasNextPage
        ? h("button", {
            type: "button",
            class: "secondary",
            onclick: (event: Event) => {
              (event.currentTarget as HTMLElement).remove();
              void load(myLots.pageInfo.endCursor);
            },
          }, bi("更多", "More"))
        : null;
      return [
        table(
          bi("标段", "Lots"),
          [bi("投标截止（北京时间）", "Bid deadline (Beijing)"), bi("标段", "Lot"), bi("项目", "Project"), bi("采购人", "Purchaser"), bi("投标数", "Bids"), bi("操作", "Open")],
          rows,
          bi("本单位还没有标段。", "Your unit has no lots yet."),
        ),
        next,
      ];
    });
    body.append(more);
  };
  void load(null);
}
