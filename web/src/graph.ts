// The graph view shared by the network explorer and a flag's evidence: Cytoscape with node
// kinds as colours and shapes, shared identifiers (phones, accounts, devices, addresses,
// e-mails) drawn as hubs sized by how many they connect, and banned / flagged entities marked.
import { pairOf, propertyValue, textOf } from "./labels";
import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from "cytoscape";
import fcose from "cytoscape-fcose";

// fCoSE (spectral start, then force-directed): lays out 200+ nodes in a fraction of the time
// of the built-in CoSE, and keeps positions when a node is expanded.
cytoscape.use(fcose);

export interface GNode {
  id: string;
  kind: string;
  name: string | null;
  labels: string[];
  properties: Record<string, unknown>;
}
export interface GEdge {
  id: string;
  type: string;
  source: string;
  target: string;
  properties: Record<string, unknown>;
}

export const HUB_KINDS = new Set(["phone", "email", "bankaccount", "device", "address"]);
/** Bids, awards and contracts fold into their lot unless the user asks for them. */
export const FOLD_KINDS = new Set(["bid", "award", "contract"]);
const OWNER_TYPES = new Set(["SUBMITTED", "WON_BY"]); // whose bid or award it is
const INTERNAL = new Set(["uid", "source", "version", "received_at", "first_received_at", "record_type", "owner", "owner_source", "id_hash"]);
const DATE_KEYS = ["valid_from", "submitted_at", "decided_on", "awarded_on", "signed_on", "listed_on", "bid_deadline", "reviewed_on"];
const END_KEYS = ["valid_to", "ban_end", "publication_end", "valid_until", "retracted_on"];

// Colours meet WCAG AA against the white label halo and the page background.
const COLOURS: Record<string, string> = {
  org: "#1d4f91",
  person: "#6b3fa0",
  lot: "#00695c",
  project: "#00695c",
  bid: "#5d6d7e",
  award: "#7a5c00",
  contract: "#7a5c00",
  violation: "#b00020",
  listing: "#b00020",
  group: "#37474f",
};

export function visibleProperties(props: Record<string, unknown>): [string, string][] {
  return Object.entries(props)
    .filter(([k, v]) => !INTERNAL.has(k) && v !== null && v !== "")
    .map(([k, v]) => [textOf("property", k), propertyValue(k, v)]);
}

function firstDate(props: Record<string, unknown>, keys: string[]): string | null {
  for (const k of keys) {
    const v = props[k];
    if (typeof v === "string" && v) return v.slice(0, 10);
  }
  return null;
}

/** Banned today: an active violation whose ban covers today, or a listing still in force. */
export function bannedToday(node: GNode, today: string): boolean {
  const p = node.properties;
  if (node.kind === "violation") {
    const start = typeof p.ban_start === "string" ? p.ban_start : null;
    const end = typeof p.ban_end === "string" ? p.ban_end : null;
    return p.status === "ACTIVE" && end !== null && end >= today && (start === null || start <= today);
  }
  if (node.kind === "listing") {
    const until = typeof p.valid_until === "string" ? p.valid_until : null;
    return !p.retracted_on && (until === null || until >= today);
  }
  return false;
}

export function label(node: GNode): string {
  const text = node.name ?? String(node.properties.value ?? node.id.split(":").slice(1).join(":"));
  return text.length > 18 ? `${text.slice(0, 17)}…` : text;
}

export class GraphView {
  readonly cy: Core;
  private readonly nodes = new Map<string, GNode>();
  private readonly edges = new Map<string, GEdge>();

  constructor(container: HTMLElement, onSelect: (node: GNode) => void) {
    this.cy = cytoscape({
      container,
      minZoom: 0.2,
      maxZoom: 3,
      wheelSensitivity: 0.3,
      style: [
        {
          selector: "node",
          style: {
            label: "data(label)",
            "font-size": 10,
            "text-valign": "bottom",
            "text-margin-y": 3,
            color: "#1a1a1a",
            "text-background-color": "#ffffff",
            "text-background-opacity": 0.85,
            "text-background-padding": "1px",
            "background-color": "data(colour)",
            width: 22,
            height: 22,
            "border-width": 1,
            "border-color": "#ffffff",
          },
        },
        {
          selector: "node.hub",
          style: {
            shape: "diamond",
            "background-color": "#c05600",
            width: "mapData(degree, 1, 12, 20, 48)",
            height: "mapData(degree, 1, 12, 20, 48)",
          },
        },
        { selector: "node.hub.own", style: { "background-color": "#8a7d6e", width: 16, height: 16 } },
        { selector: "node.root", style: { "border-width": 4, "border-color": "#111111" } },
        { selector: "node.flagged", style: { "border-width": 4, "border-color": "#c05600", "border-style": "dashed" } },
        {
          selector: "node.banned",
          style: { "border-width": 5, "border-color": "#b00020", "border-style": "double", "font-weight": "bold" },
        },
        { selector: "node:selected", style: { "overlay-color": "#0b5cad", "overlay-opacity": 0.25, "overlay-padding": 6 } },
        {
          selector: "edge",
          style: {
            width: 1.5,
            "line-color": "#8a94a0",
            "target-arrow-color": "#8a94a0",
            "target-arrow-shape": "triangle",
            "curve-style": "bezier",
            "arrow-scale": 0.7,
            label: "data(label)",
            "font-size": 7,
            color: "#4a4a4a",
            "text-rotation": "autorotate",
          },
        },
        { selector: "edge.control", style: { "line-color": "#6b3fa0", "target-arrow-color": "#6b3fa0", width: 2.5 } },
        { selector: "edge.against", style: { "line-color": "#b00020", "target-arrow-color": "#b00020", width: 2.5 } },
        { selector: "edge.folded", style: { "line-style": "dashed" } },
        { selector: ".hidden", style: { display: "none" } },
      ],
    });
    (container as HTMLElement & { cy?: Core }).cy = this.cy; // lets the UI tests find a node on screen
    this.cy.on("tap", "node", (event) => {
      const node = this.nodes.get((event.target as NodeSingular).id());
      if (node) onSelect(node);
    });
  }

  node(id: string): GNode | undefined {
    return this.nodes.get(id);
  }

  allNodes(): GNode[] {
    return [...this.nodes.values()];
  }

  edgeTypes(): string[] {
    return [...new Set([...this.edges.values()].map((e) => e.type))].sort();
  }

  /** Add what is new; returns the ids of the nodes added. */
  add(nodes: GNode[], edges: GEdge[], near?: string): string[] {
    const fresh: ElementDefinition[] = [];
    const added: string[] = [];
    const origin = near ? this.cy.getElementById(near).position() : { x: 0, y: 0 };
    for (const n of nodes) {
      if (this.nodes.has(n.id)) continue;
      this.nodes.set(n.id, n);
      added.push(n.id);
      fresh.push({
        group: "nodes",
        data: { id: n.id, label: label(n), colour: COLOURS[n.kind] ?? "#455a64", degree: 1 },
        classes: HUB_KINDS.has(n.kind) ? "hub" : "",
        position: { x: origin.x + Math.random() * 40 - 20, y: origin.y + Math.random() * 40 - 20 },
      });
    }
    for (const e of edges) {
      if (this.edges.has(e.id) || !this.nodes.has(e.source) || !this.nodes.has(e.target)) continue;
      this.edges.set(e.id, e);
      const kind = ["CONTROLS", "OWNS", "LEGAL_REP_OF", "RESPONSIBLE_FOR"].includes(e.type)
        ? "control"
        : e.type === "AGAINST" || e.type === "LISTS"
          ? "against"
          : "";
      fresh.push({ group: "edges", data: { id: `e:${e.id}`, source: e.source, target: e.target, type: e.type, label: pairOf("relationship", e.type)[0] }, classes: kind });
    }
    this.cy.add(fresh);
    this.cy.nodes().forEach((n) => {
      n.data("degree", n.degree(false));
    });
    return added;
  }

  mark(ids: Iterable<string>, cls: string): void {
    for (const id of ids) this.cy.getElementById(id).addClass(cls);
  }

  /** Markers that depend on the whole graph: banned violations mark the party they are against. */
  markBanned(today: string): string[] {
    const banned = new Set<string>();
    for (const n of this.nodes.values()) {
      if (!bannedToday(n, today)) continue;
      banned.add(n.id);
      for (const e of this.edges.values()) {
        if (e.source === n.id && (e.type === "AGAINST" || e.type === "LISTS")) banned.add(e.target);
        if (e.target === n.id && e.type === "LISTED") banned.add(e.source);
      }
    }
    this.mark(banned, "banned");
    return [...banned];
  }

  /** Show only these relationship types and what falls in the time window. With `fold`, a
   * bid, award or contract whose lot is shown is drawn as dashed edges instead of a node: its
   * supplier to the lot, and what it names (phone, account, device, preparer) to its supplier. */
  filter(types: Set<string>, from: string, to: string, keep: string, fold = false): string[] {
    const inWindow = (props: Record<string, unknown>): boolean => {
      const start = firstDate(props, DATE_KEYS);
      const end = firstDate(props, END_KEYS);
      if (from && (end ?? start) !== null && (end ?? start)! < from) return false;
      if (to && start !== null && start > to) return false;
      return true;
    };
    const folded: string[] = [];
    this.cy.batch(() => {
      this.cy.remove("edge.folded");
      this.cy.elements().removeClass("hidden");
      for (const e of this.edges.values()) {
        if (!types.has(e.type) || !inWindow(e.properties)) this.cy.getElementById(`e:${e.id}`).addClass("hidden");
      }
      if (fold) folded.push(...this.fold(keep, inWindow));
      for (const n of this.nodes.values()) {
        const el = this.cy.getElementById(n.id);
        if (el.hasClass("hidden")) continue;
        const visibleEdges = el.connectedEdges().filter((x) => !x.hasClass("hidden"));
        if (n.id !== keep && (!inWindow(n.properties) || visibleEdges.length === 0)) el.addClass("hidden");
      }
    });
    return folded;
  }

  /** The ids of the shown edges of a node with their other ends. */
  private links(id: string): { edge: GEdge; other: string }[] {
    return this.cy
      .getElementById(id)
      .connectedEdges()
      .filter((x) => !x.hasClass("hidden") && !x.hasClass("folded"))
      .map((x) => {
        const edge = this.edges.get(x.id().slice(2))!;
        return { edge, other: edge.source === id ? edge.target : edge.source };
      });
  }

  private fold(keep: string, inWindow: (props: Record<string, unknown>) => boolean): string[] {
    const kindOf = (id: string): string => this.nodes.get(id)?.kind ?? "";
    const lotOf = (id: string, seen = new Set<string>()): string | null => {
      seen.add(id);
      const near = this.links(id);
      const lot = near.find((l) => kindOf(l.other) === "lot");
      if (lot) return lot.other;
      for (const l of near) if (FOLD_KINDS.has(kindOf(l.other)) && !seen.has(l.other)) return lotOf(l.other, seen) ?? null;
      return null;
    };
    const ownerOf = (id: string, seen = new Set<string>()): { org: string; type: string } | null => {
      seen.add(id);
      const near = this.links(id);
      const own = near.find((l) => OWNER_TYPES.has(l.edge.type) && kindOf(l.other) === "org");
      if (own) return { org: own.other, type: own.edge.type };
      for (const l of near) if (FOLD_KINDS.has(kindOf(l.other)) && !seen.has(l.other)) return ownerOf(l.other, seen);
      return null;
    };
    const made = new Set<string>();
    const fresh: ElementDefinition[] = [];
    const link = (source: string, target: string, type: string, props: Record<string, unknown>): void => {
      const id = `fold:${source}|${target}|${type}`;
      if (source === target || made.has(id)) return;
      made.add(id);
      fresh.push({ group: "edges", data: { id, source, target, type, label: pairOf("relationship", type)[0], props }, classes: "folded" });
    };
    const plan: { id: string; lot: string; owner: { org: string; type: string } | null; near: { edge: GEdge; other: string }[] }[] = [];
    for (const n of this.nodes.values()) {
      if (!FOLD_KINDS.has(n.kind) || n.id === keep) continue;
      const lot = lotOf(n.id);
      if (lot) plan.push({ id: n.id, lot, owner: ownerOf(n.id), near: this.links(n.id) });
    }
    for (const p of plan) {
      const node = this.nodes.get(p.id)!;
      if (inWindow(node.properties)) {
        if (p.owner) link(p.owner.org, p.lot, p.owner.type, node.properties);
        for (const { edge, other } of p.near) {
          if (other === p.lot || other === p.owner?.org || FOLD_KINDS.has(kindOf(other))) continue;
          link(p.owner?.org ?? p.lot, other, edge.type, node.properties);
        }
      }
      const el = this.cy.getElementById(p.id);
      el.addClass("hidden");
      el.connectedEdges().addClass("hidden");
    }
    this.cy.add(fresh);
    return plan.map((p) => p.id);
  }

  /** Types of the edges shown, folded ones included. */
  shownTypes(): string[] {
    return [...new Set(this.cy.edges().filter((e) => !e.hasClass("hidden")).map((e) => String(e.data("type"))))];
  }

  /** Lay out what is visible: from scratch the first time, incrementally after an expansion. */
  layout(fresh = true): Promise<void> {
    return new Promise((resolve) => {
      const layout = this.cy.elements(":visible").layout({
        name: "fcose",
        quality: "default",
        randomize: fresh,
        animate: false,
        fit: fresh,
        padding: 30,
        nodeRepulsion: () => 6000,
        idealEdgeLength: () => 60,
        nodeSeparation: 60,
      } as cytoscape.LayoutOptions);
      layout.one("layoutstop", () => resolve());
      layout.run();
    });
  }

  select(id: string): void {
    this.cy.nodes().unselect();
    const el = this.cy.getElementById(id);
    el.select();
    this.cy.animate({ center: { eles: el } }, { duration: 200 });
  }
}
