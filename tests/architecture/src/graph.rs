//! Directed graphs over file indices: strongly connected components and short cycles.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Adjacency lists from a set of `(from, to)` edges over `n` nodes (sorted, no duplicates).
pub fn adjacency(n: usize, edges: impl IntoIterator<Item = (usize, usize)>) -> Vec<Vec<usize>> {
    let mut adj: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); n];
    for (from, to) in edges {
        if from < n && to < n && from != to {
            adj[from].insert(to);
        }
    }
    adj.into_iter().map(|s| s.into_iter().collect()).collect()
}

/// Strongly connected components with more than one node, each sorted, in order of their
/// smallest node (Tarjan's algorithm, iterative).
pub fn cyclic_components(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    let n = adj.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next_index = 0;
    let mut out = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        // (node, position in its adjacency list)
        let mut work = vec![(root, 0)];
        index[root] = next_index;
        low[root] = next_index;
        next_index += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(node, pos)) = work.last() {
            if let Some(&next) = adj[node].get(pos) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if index[next] == usize::MAX {
                    index[next] = next_index;
                    low[next] = next_index;
                    next_index += 1;
                    stack.push(next);
                    on_stack[next] = true;
                    work.push((next, 0));
                } else if on_stack[next] {
                    low[node] = low[node].min(index[next]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[node]);
            }
            if low[node] == index[node] {
                let mut component = Vec::new();
                while let Some(member) = stack.pop() {
                    on_stack[member] = false;
                    component.push(member);
                    if member == node {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort_unstable();
                    out.push(component);
                }
            }
        }
    }
    out.sort();
    out
}

/// A shortest cycle through `start` using only nodes of `within`: the nodes in order, starting
/// with `start` (the edge back to `start` is implied). Empty if there is none.
pub fn shortest_cycle(adj: &[Vec<usize>], start: usize, within: &[usize]) -> Vec<usize> {
    let allowed: BTreeSet<usize> = within.iter().copied().collect();
    let mut previous: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for &next in &adj[node] {
            if !allowed.contains(&next) {
                continue;
            }
            if next == start {
                let mut path = vec![node];
                let mut at = node;
                while at != start {
                    at = previous[&at];
                    path.push(at);
                }
                path.reverse();
                return path;
            }
            if next != start && !previous.contains_key(&next) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_with_cycles_are_found() {
        // 0 -> 1 -> 2 -> 0, 2 -> 3, 3 -> 4 -> 3, 5 alone, 6 -> 6 (self edges are dropped)
        let adj = adjacency(
            7,
            [
                (0, 1),
                (1, 2),
                (2, 0),
                (2, 3),
                (3, 4),
                (4, 3),
                (6, 6),
                (1, 1),
            ],
        );
        assert_eq!(cyclic_components(&adj), vec![vec![0, 1, 2], vec![3, 4]]);
        assert!(cyclic_components(&adjacency(3, [(0, 1), (1, 2)])).is_empty());
    }

    #[test]
    fn shortest_cycles_stay_in_their_component() {
        // 0 -> 1 -> 2 -> 3 -> 0 and the shortcut 1 -> 3.
        let adj = adjacency(4, [(0, 1), (1, 2), (2, 3), (3, 0), (1, 3)]);
        assert_eq!(shortest_cycle(&adj, 0, &[0, 1, 2, 3]), vec![0, 1, 3]);
        assert_eq!(shortest_cycle(&adj, 2, &[0, 1, 2, 3]), vec![2, 3, 0, 1]);
        assert!(shortest_cycle(&adj, 0, &[0, 1, 2]).is_empty());
    }
}
