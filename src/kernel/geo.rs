//! Geography: named regions and the one-way latencies between them, and the presets that
//! spread a cluster and its clients over one, two or three regions.
//!
//! The figures are rounded halves of typical round-trip times between cloud regions
//! (N. Virginia, Ireland, Mumbai, Oregon); within a region a message crosses availability
//! zones in about half a millisecond. Each inter-region link gets a little spread (the
//! table value to 10% more), as real links do.

use super::time::Dur;
use crate::config::network::Latency;

/// The regions the lab knows, in preset order.
pub const REGIONS: [&str; 4] = ["us-east", "eu-west", "ap-south", "us-west"];

/// One-way latency in microseconds between regions, indexed like [`REGIONS`].
const ONE_WAY_US: [[u64; 4]; 4] = [
    [500, 35_000, 92_000, 32_000],
    [35_000, 500, 60_000, 62_000],
    [92_000, 60_000, 500, 110_000],
    [32_000, 62_000, 110_000, 500],
];

/// A known region.
pub type Region = u8;

pub fn region(name: &str) -> Option<Region> {
    REGIONS.iter().position(|&r| r == name).map(|i| i as Region)
}

pub fn name(region: Region) -> &'static str {
    REGIONS[region as usize]
}

/// Mean one-way latency between two regions.
pub fn one_way(a: Region, b: Region) -> u64 {
    ONE_WAY_US[a as usize][b as usize]
}

/// The latency distribution of a node-to-node link between two regions.
pub fn link_latency(a: Region, b: Region) -> Latency {
    let base = one_way(a, b);
    Latency::Uniform {
        min: Dur(base),
        max: Dur(base + base / 10),
    }
}

/// Extra one-way delay for a client in region `client` talking to a node in `node`, on top
/// of the client's own access latency (none when either is unplaced or they share a region).
pub fn client_extra(client: Option<Region>, node: Option<Region>) -> u64 {
    match (client, node) {
        (Some(c), Some(n)) if c != n => one_way(c, n),
        _ => 0,
    }
}

/// The latency between a client and a node when both are placed in regions.
pub fn client_latency(client: Option<Region>, node: Option<Region>) -> Option<Latency> {
    Some(link_latency(client?, node?))
}

/// A page preset: how many regions a cluster spreads over (0 = no geography).
pub fn preset_regions(preset: &str) -> Option<usize> {
    match preset {
        "none" => Some(0),
        "single" => Some(1),
        "two" => Some(2),
        "three" => Some(3),
        _ => None,
    }
}

/// The one-way latency table in milliseconds, for the page's legend.
pub fn table_ms() -> Vec<Vec<f64>> {
    ONE_WAY_US
        .iter()
        .map(|row| row.iter().map(|&us| us as f64 / 1000.0).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_symmetric_and_local_is_fastest() {
        for a in 0..4 {
            for b in 0..4 {
                assert_eq!(one_way(a, b), one_way(b, a));
                assert!(one_way(a, a) <= one_way(a, b));
            }
        }
        assert_eq!(region("eu-west"), Some(1));
        assert_eq!(region("mars"), None);
        assert_eq!(client_extra(Some(0), Some(2)), 92_000);
        assert_eq!(client_extra(Some(1), Some(1)), 0);
        assert_eq!(client_extra(None, Some(1)), 0);
    }
}
