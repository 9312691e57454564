import { addressBit, type IpNetwork } from './ip-address.js';

/**
 * Binary trie over address bits with typed-array nodes (one trie per family).
 * A lookup walks at most 32/128 nodes and collects the marks on the way, i.e.
 * every stored prefix that contains the queried prefix — independent of how
 * many lists or entries there are.
 */
export class PrefixTrie {
  private children = new Int32Array(2 * 1024);
  /** Per node: index into `markSets`, or -1. */
  private marks = new Int32Array(1024).fill(-1);
  private nodeCount = 1;
  private readonly markSets: number[][] = [];

  get size(): number {
    return this.nodeCount;
  }

  private grow(): void {
    const children = new Int32Array(this.children.length * 2);
    children.set(this.children);
    this.children = children;
    const marks = new Int32Array(this.marks.length * 2).fill(-1);
    marks.set(this.marks);
    this.marks = marks;
  }

  insert(network: IpNetwork, mark: number): void {
    let node = 0;
    for (let bit = 0; bit < network.prefixLength; bit++) {
      const slot = node * 2 + addressBit(network.address, bit);
      let next = this.children[slot]!;
      if (next === 0) {
        if (this.nodeCount === this.marks.length) this.grow();
        next = this.nodeCount++;
        this.children[slot] = next;
      }
      node = next;
    }
    const existing = this.marks[node]!;
    if (existing === -1) {
      this.marks[node] = this.markSets.length;
      this.markSets.push([mark]);
    } else if (!this.markSets[existing]!.includes(mark)) {
      this.markSets[existing]!.push(mark);
    }
  }

  /** Marks of every stored prefix that contains `network` (equal or shorter, same leading bits). */
  containing(network: IpNetwork, visit: (mark: number) => void): void {
    let node = 0;
    for (let bit = 0; ; bit++) {
      const set = this.marks[node]!;
      if (set !== -1) for (const mark of this.markSets[set]!) visit(mark);
      if (bit === network.prefixLength) return;
      node = this.children[node * 2 + addressBit(network.address, bit)]!;
      if (node === 0) return;
    }
  }
}
