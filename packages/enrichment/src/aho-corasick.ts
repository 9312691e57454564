/**
 * Aho–Corasick automaton: one pass over the text finds every pattern it
 * contains, so thousands of substring warninglist entries cost one scan per
 * indicator instead of one `includes` per entry.
 */
export class AhoCorasick {
  private readonly edges: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Per node: pattern ids ending here, including those inherited through failure links. */
  private readonly outputs: number[][] = [[]];

  constructor(patterns: readonly string[]) {
    patterns.forEach((pattern, id) => this.add(pattern, id));
    this.link();
  }

  private add(pattern: string, id: number): void {
    if (pattern.length === 0) return;
    let node = 0;
    for (let index = 0; index < pattern.length; index++) {
      const code = pattern.charCodeAt(index);
      let next = this.edges[node]!.get(code);
      if (next === undefined) {
        next = this.edges.length;
        this.edges.push(new Map());
        this.fail.push(0);
        this.outputs.push([]);
        this.edges[node]!.set(code, next);
      }
      node = next;
    }
    this.outputs[node]!.push(id);
  }

  /** Breadth-first failure links (classic construction). */
  private link(): void {
    const queue: number[] = [...this.edges[0]!.values()];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head]!;
      for (const [code, child] of this.edges[node]!) {
        let fallback = this.fail[node]!;
        while (fallback !== 0 && !this.edges[fallback]!.has(code)) fallback = this.fail[fallback]!;
        const target = this.edges[fallback]!.get(code);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const inherited = this.outputs[this.fail[child]!]!;
        if (inherited.length > 0) this.outputs[child] = [...this.outputs[child]!, ...inherited];
        queue.push(child);
      }
    }
  }

  /** Calls `visit` with the id of each pattern occurring in `text` (possibly more than once). */
  search(text: string, visit: (id: number) => void): void {
    let node = 0;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      let next = this.edges[node]!.get(code);
      while (next === undefined && node !== 0) {
        node = this.fail[node]!;
        next = this.edges[node]!.get(code);
      }
      node = next ?? 0;
      const found = this.outputs[node]!;
      for (let at = 0; at < found.length; at++) visit(found[at]!);
    }
  }
}
