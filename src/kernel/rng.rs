//! The one seeded random source of a run, and the sampling the simulation needs from it.
//!
//! Every random decision draws from a [`SimRng`] that descends from the scenario's seed:
//! sub-components get their own stream with [`SimRng::derive`], named so that adding a new
//! consumer never shifts the numbers an existing one sees. Probabilities are integer parts
//! per million, and the little float maths there is (`ln`, `pow`) goes through the `libm`
//! crate so that native and wasm32 builds round identically.

use rand_xoshiro::rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Probabilities are written as parts per million, so comparisons are exact integers.
pub type Ppm = u32;
pub const PPM_ONE: Ppm = 1_000_000;

/// A named, seeded Xoshiro256++ stream.
#[derive(Clone, Debug)]
pub struct SimRng {
    inner: Xoshiro256PlusPlus,
}

impl SimRng {
    pub fn new(seed: u64) -> SimRng {
        SimRng {
            inner: Xoshiro256PlusPlus::seed_from_u64(seed),
        }
    }

    /// A child stream for the component `name` (and index `n`), a pure function of the
    /// parent seed: it does not consume the parent's numbers.
    pub fn derive(seed: u64, name: &str, n: u64) -> SimRng {
        let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
        for b in name.bytes().chain(n.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        SimRng::new(splitmix64(h))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in `0..n` (n > 0), by Lemire's multiply-shift (bias below 2^-32 for our sizes).
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below(hi - lo + 1)
        }
    }

    /// True with probability `p` parts per million.
    pub fn chance(&mut self, p: Ppm) -> bool {
        p > 0 && (p >= PPM_ONE || self.below(u64::from(PPM_ONE)) < u64::from(p))
    }

    /// Uniform in `[0, 1)` with 53 bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Exponentially distributed with the given mean, rounded to an integer.
    pub fn exponential(&mut self, mean: u64) -> u64 {
        if mean == 0 {
            return 0;
        }
        let u = 1.0 - self.unit(); // (0, 1]
        let x = -libm::log(u) * mean as f64;
        libm::round(x.min(mean as f64 * 50.0)) as u64
    }
}

/// SplitMix64, the standard way to spread one 64-bit seed into well-mixed state.
fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A Zipf-like key chooser over `n` keys: key `i` has weight `1 / (i+1)^s`; `s = 0` is uniform.
#[derive(Clone, Debug)]
pub struct ZipfKeys {
    cumulative: Vec<f64>,
}

impl ZipfKeys {
    pub fn new(n: usize, s: f64) -> ZipfKeys {
        let mut total = 0.0;
        let cumulative = (0..n.max(1))
            .map(|i| {
                total += 1.0 / libm::pow((i + 1) as f64, s);
                total
            })
            .collect::<Vec<_>>();
        ZipfKeys {
            cumulative: cumulative.iter().map(|c| c / total).collect(),
        }
    }

    pub fn sample(&self, rng: &mut SimRng) -> usize {
        let u = rng.unit();
        self.cumulative
            .partition_point(|&c| c <= u)
            .min(self.cumulative.len() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_derived_streams_differ() {
        let a: Vec<u64> = (0..4)
            .map({
                let mut r = SimRng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let mut r = SimRng::new(7);
        assert_eq!(a, (0..4).map(|_| r.next_u64()).collect::<Vec<_>>());
        let mut x = SimRng::derive(7, "net", 0);
        let mut y = SimRng::derive(7, "net", 1);
        assert_ne!(x.next_u64(), y.next_u64());
    }

    #[test]
    fn chance_respects_extremes_and_rate() {
        let mut r = SimRng::new(1);
        assert!((0..1000).all(|_| !r.chance(0)));
        assert!((0..1000).all(|_| r.chance(PPM_ONE)));
        let hits = (0..100_000).filter(|_| r.chance(250_000)).count();
        assert!((23_000..27_000).contains(&hits), "{hits}");
    }

    #[test]
    fn exponential_has_the_requested_mean() {
        let mut r = SimRng::new(3);
        let total: u64 = (0..20_000).map(|_| r.exponential(1_000)).sum();
        let mean = total / 20_000;
        assert!((950..1050).contains(&mean), "{mean}");
    }

    #[test]
    fn zipf_skews_towards_low_keys() {
        let mut r = SimRng::new(5);
        let z = ZipfKeys::new(10, 1.2);
        let mut counts = [0u32; 10];
        for _ in 0..10_000 {
            counts[z.sample(&mut r)] += 1;
        }
        assert!(counts[0] > counts[1] && counts[1] > counts[9], "{counts:?}");
        let u = ZipfKeys::new(4, 0.0);
        let mut c = [0u32; 4];
        for _ in 0..8_000 {
            c[u.sample(&mut r)] += 1;
        }
        assert!(c.iter().all(|&n| (1_800..2_200).contains(&n)), "{c:?}");
    }
}
