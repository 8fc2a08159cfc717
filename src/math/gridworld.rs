//! A square grid world and random walks in it (SCIENCE.md §4): `size × size` nodes, each
//! showing one of `categories` observations; four actions (north, east, south, west) move
//! between neighbours, walls block; a walk chooses uniformly among the moves available.
//! Baselines that remember without a map: a node agent (knows a node once it has been there)
//! and an edge agent (knows where an action leads once it has taken it from that node).

use rand::{Rng, RngExt};

/// The four actions, as displacements (x east, y north).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    North,
    East,
    South,
    West,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::North, Action::East, Action::South, Action::West];

    pub fn delta(self) -> [i64; 2] {
        match self {
            Action::North => [0, 1],
            Action::East => [1, 0],
            Action::South => [0, -1],
            Action::West => [-1, 0],
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        match self {
            Action::North => "N",
            Action::East => "E",
            Action::South => "S",
            Action::West => "W",
        }
    }
}

/// One environment: what each node shows.
#[derive(Clone, Debug, PartialEq)]
pub struct World {
    pub size: usize,
    pub categories: usize,
    /// Observation of node `y·size + x`.
    pub observations: Vec<usize>,
}

impl World {
    /// Observations drawn uniformly from the categories.
    pub fn random(size: usize, categories: usize, rng: &mut impl Rng) -> Self {
        World {
            size,
            categories,
            observations: (0..size * size)
                .map(|_| rng.random_range(0..categories))
                .collect(),
        }
    }

    pub fn nodes(&self) -> usize {
        self.size * self.size
    }

    /// Directed edges (moves between neighbours).
    pub fn edges(&self) -> usize {
        4 * self.size * (self.size - 1)
    }

    pub fn position(&self, node: usize) -> [i64; 2] {
        [(node % self.size) as i64, (node / self.size) as i64]
    }

    /// Where `action` leads from `node` (None at a wall).
    pub fn step(&self, node: usize, action: Action) -> Option<usize> {
        let [x, y] = self.position(node);
        let [dx, dy] = action.delta();
        let (nx, ny) = (x + dx, y + dy);
        let n = self.size as i64;
        (nx >= 0 && ny >= 0 && nx < n && ny < n).then(|| (ny * n + nx) as usize)
    }
}

/// A random walk: `nodes[t]` is where the agent is at step t; `actions[t]` takes it from
/// `nodes[t]` to `nodes[t + 1]`. Also how long the walk (continued past its recorded steps if
/// needed) took to visit every node and to take every directed edge.
#[derive(Clone, Debug, PartialEq)]
pub struct Walk {
    pub world: World,
    pub nodes: Vec<usize>,
    pub actions: Vec<Action>,
    pub steps_to_all_nodes: Option<usize>,
    pub steps_to_all_edges: Option<usize>,
}

impl Walk {
    /// A walk of `steps` nodes from a uniformly drawn start; the walk goes on (unrecorded) until
    /// it has taken every edge or made `cover_limit` moves, to time the covers.
    pub fn random(world: World, steps: usize, cover_limit: usize, rng: &mut impl Rng) -> Self {
        let mut node = rng.random_range(0..world.nodes());
        let mut nodes = vec![node];
        let mut actions = Vec::new();
        let mut seen_nodes = vec![false; world.nodes()];
        let mut seen_edges = vec![false; 4 * world.nodes()];
        seen_nodes[node] = true;
        let (mut n_nodes, mut n_edges) = (1, 0);
        let (mut all_nodes, mut all_edges) = (None, None);
        if n_nodes == world.nodes() {
            all_nodes = Some(0);
        }
        let mut moves = 0;
        while nodes.len() < steps || (all_edges.is_none() && moves < cover_limit) {
            let options: Vec<(Action, usize)> = Action::ALL
                .iter()
                .filter_map(|&a| world.step(node, a).map(|n| (a, n)))
                .collect();
            let (a, next) = options[rng.random_range(0..options.len())];
            moves += 1;
            let e = 4 * node + a.index();
            if !seen_edges[e] {
                seen_edges[e] = true;
                n_edges += 1;
                if n_edges == world.edges() {
                    all_edges = Some(moves);
                }
            }
            if !seen_nodes[next] {
                seen_nodes[next] = true;
                n_nodes += 1;
                if n_nodes == world.nodes() {
                    all_nodes = Some(moves);
                }
            }
            if nodes.len() < steps {
                actions.push(a);
                nodes.push(next);
            }
            node = next;
        }
        Walk {
            world,
            nodes,
            actions,
            steps_to_all_nodes: all_nodes,
            steps_to_all_edges: all_edges,
        }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The observation at step t.
    pub fn observation(&self, t: usize) -> usize {
        self.world.observations[self.nodes[t]]
    }

    /// Per step: has its node been visited at an earlier step, and has the move that brought
    /// the agent there (from the same node, the same action) been made at an earlier step?
    /// Step 0 has neither.
    pub fn novelty(&self) -> Vec<StepKind> {
        let mut seen_nodes = vec![false; self.world.nodes()];
        let mut seen_edges = vec![false; 4 * self.world.nodes()];
        let mut out = Vec::with_capacity(self.len());
        for t in 0..self.len() {
            let node_known = seen_nodes[self.nodes[t]];
            let edge_known = t > 0 && seen_edges[4 * self.nodes[t - 1] + self.actions[t - 1].index()];
            out.push(StepKind {
                node_known,
                edge_known,
            });
            seen_nodes[self.nodes[t]] = true;
            if t > 0 {
                seen_edges[4 * self.nodes[t - 1] + self.actions[t - 1].index()] = true;
            }
        }
        out
    }
}

/// What an agent could know before step t.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StepKind {
    pub node_known: bool,
    pub edge_known: bool,
}

impl StepKind {
    /// A known node reached by a move never made: only a map can predict it.
    pub fn zero_shot(self) -> bool {
        self.node_known && !self.edge_known
    }
}

/// Predictions of the node agent (right once the node has been visited) or the edge agent
/// (right once the move has been made), guessing a uniform category otherwise. `None` at step 0.
pub fn agent_predictions(walk: &Walk, by_edge: bool, rng: &mut impl Rng) -> Vec<Option<usize>> {
    walk.novelty()
        .iter()
        .enumerate()
        .map(|(t, kind)| {
            if t == 0 {
                return None;
            }
            let known = if by_edge { kind.edge_known } else { kind.node_known };
            Some(if known {
                walk.observation(t)
            } else {
                rng.random_range(0..walk.world.categories)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn walls_block_and_every_move_goes_to_a_neighbour() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let world = World::random(5, 7, &mut rng);
        assert_eq!(world.step(0, Action::West), None);
        assert_eq!(world.step(0, Action::South), None);
        assert_eq!(world.step(0, Action::North), Some(5));
        let walk = Walk::random(world, 2000, 0, &mut rng);
        for t in 0..walk.actions.len() {
            assert_eq!(
                walk.world.step(walk.nodes[t], walk.actions[t]),
                Some(walk.nodes[t + 1])
            );
        }
        // 5×5: 25 nodes, 80 directed edges, both covered within 2000 steps here.
        assert_eq!(walk.world.edges(), 80);
        let (n, e) = (walk.steps_to_all_nodes.unwrap(), walk.steps_to_all_edges.unwrap());
        assert!(n < e);
        let kinds = walk.novelty();
        assert!(kinds[e + 1..].iter().all(|k| k.node_known && k.edge_known));
        assert_eq!(kinds.iter().filter(|k| !k.node_known).count(), 25);
    }

    #[test]
    fn a_known_edge_implies_a_known_node() {
        let mut rng = ChaCha8Rng::seed_from_u64(4);
        let walk = Walk::random(World::random(11, 45, &mut rng), 3000, 0, &mut rng);
        assert!(walk.novelty().iter().all(|k| !k.edge_known || k.node_known));
    }
}
