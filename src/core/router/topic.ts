/**
 * Topic exchange: binding keys are dot-separated words where `*` matches exactly one word and `#` zero or more.
 * Bindings live in a trie of words; matching walks it once per message, and results are cached per routing key
 * until the bindings change (most traffic repeats a small set of keys).
 *
 * Words follow rabbit_exchange_type_topic: "" has no words, "a." is ["a", ""].
 */
import { BrokerError } from '../errors';
import type { HeaderTable } from '../message';
import type { Binding } from './binding';
import type { BindingMatcher } from './matcher';

/** Words in one binding key; bounds the trie depth and so the recursion depth of a match. */
export const TOPIC_BINDING_WORDS_MAX = 1024;
/** Routing keys whose match result is cached; the cache is dropped whole when it fills or bindings change. */
export const TOPIC_MATCH_CACHE_ENTRIES_MAX = 4096;

const EMPTY: readonly Binding[] = [];

export function splitTopicWords(key: string): string[] {
  return key === '' ? [] : key.split('.');
}

class TrieNode {
  children: Map<string, TrieNode> | null = null;
  star: TrieNode | null = null;
  hash: TrieNode | null = null;
  bindings: Binding[] | null = null;
  constructor(readonly id: number) {}

  isEmpty(): boolean {
    return (
      (this.children === null || this.children.size === 0) &&
      this.star === null &&
      this.hash === null &&
      (this.bindings === null || this.bindings.length === 0)
    );
  }
}

export class TopicMatcher implements BindingMatcher {
  private nextId = 1;
  private readonly root = new TrieNode(0);
  private cache = new Map<string, readonly Binding[]>();

  add(binding: Binding): void {
    const words = splitTopicWords(binding.routingKey);
    if (words.length > TOPIC_BINDING_WORDS_MAX) {
      throw new BrokerError(
        'PRECONDITION_FAILED',
        `topic binding key has ${words.length} words, more than ${TOPIC_BINDING_WORDS_MAX}`,
      );
    }
    let node = this.root;
    for (const w of words) node = this.childFor(node, w);
    (node.bindings ??= []).push(binding);
    this.cache.clear();
  }

  remove(binding: Binding): void {
    const words = splitTopicWords(binding.routingKey);
    const path: TrieNode[] = [this.root];
    let node: TrieNode | null = this.root;
    for (const w of words) {
      node = w === '*' ? node.star : w === '#' ? node.hash : (node.children?.get(w) ?? null);
      if (node === null) return;
      path.push(node);
    }
    const list = node.bindings;
    if (list === null) return;
    const i = list.indexOf(binding);
    if (i < 0) return;
    list.splice(i, 1);
    this.cache.clear();
    // Prune nodes left empty, from the leaf up, so a churn of subscriptions does not grow the trie forever.
    for (let d = words.length; d > 0; d--) {
      const n = path[d];
      if (!n.isEmpty()) break;
      const parent = path[d - 1];
      const w = words[d - 1];
      if (w === '*') parent.star = null;
      else if (w === '#') parent.hash = null;
      else parent.children?.delete(w);
    }
  }

  match(routingKey: string, _headers: HeaderTable | undefined, out: Binding[]): void {
    let found = this.cache.get(routingKey);
    if (found === undefined) {
      const acc: Binding[] = [];
      const words = splitTopicWords(routingKey);
      new TrieWalk(words, acc).visit(this.root, 0);
      found = acc.length === 0 ? EMPTY : acc;
      if (this.cache.size >= TOPIC_MATCH_CACHE_ENTRIES_MAX) this.cache.clear();
      this.cache.set(routingKey, found);
    }
    for (let i = 0; i < found.length; i++) out.push(found[i]);
  }

  private childFor(node: TrieNode, word: string): TrieNode {
    if (word === '*') return (node.star ??= new TrieNode(this.nextId++));
    if (word === '#') return (node.hash ??= new TrieNode(this.nextId++));
    const children = (node.children ??= new Map());
    let child = children.get(word);
    if (child === undefined) {
      child = new TrieNode(this.nextId++);
      children.set(word, child);
    }
    return child;
  }
}

/**
 * One match: depth-first over (node, word position). A `#` node can be entered at several positions and two
 * `#` on one path reach the same (node, position) by different splits, so `#` entries are memoised; that makes
 * every reachable (node, position) visited once and every binding reported once.
 */
class TrieWalk {
  private seen: Set<number> | null = null;
  constructor(
    private readonly words: string[],
    private readonly out: Binding[],
  ) {}

  visit(node: TrieNode, i: number): void {
    const n = this.words.length;
    const hash = node.hash;
    if (hash !== null) {
      const seen = (this.seen ??= new Set());
      for (let j = i; j <= n; j++) {
        const key = hash.id * (n + 1) + j;
        if (seen.has(key)) continue;
        seen.add(key);
        this.visit(hash, j);
      }
    }
    if (i === n) {
      const list = node.bindings;
      if (list !== null) for (let k = 0; k < list.length; k++) this.out.push(list[k]);
      return;
    }
    const child = node.children?.get(this.words[i]);
    if (child !== undefined) this.visit(child, i + 1);
    if (node.star !== null) this.visit(node.star, i + 1);
  }
}
