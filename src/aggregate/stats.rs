//! The statistics behind `significant`: a two-proportion z-test of a segment against the rest of
//! the calls, and corrections for testing many segment x category pairs at once.

use crate::config::Correction;

/// Two-sided p-value that the share `x1/n1` in a segment differs from `x2/n2` in the rest.
/// Returns 1 when either group is empty or the pooled share is 0 or 1 (nothing to test).
pub fn two_proportion_p(x1: u64, n1: u64, x2: u64, n2: u64) -> f64 {
    if n1 == 0 || n2 == 0 {
        return 1.0;
    }
    let (x1, n1, x2, n2) = (x1 as f64, n1 as f64, x2 as f64, n2 as f64);
    let pooled = (x1 + x2) / (n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    if se <= 0.0 || !se.is_finite() {
        return 1.0;
    }
    let z = (x1 / n1 - x2 / n2) / se;
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(0.0, 1.0)
}

/// Complementary error function, to about 1e-7 relative accuracy (a Chebyshev fit in the form
/// given by Numerical Recipes, written out here).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Adjusts p-values for multiple comparisons; `None` entries were not tested and stay `None`.
pub fn adjust(p: &[Option<f64>], correction: Correction) -> Vec<Option<f64>> {
    let m = p.iter().flatten().count() as f64;
    match correction {
        Correction::None => p.to_vec(),
        Correction::Bonferroni => p.iter().map(|v| v.map(|v| (v * m).min(1.0))).collect(),
        Correction::BenjaminiHochberg => {
            let mut order: Vec<usize> = (0..p.len()).filter(|&i| p[i].is_some()).collect();
            order.sort_by(|&a, &b| p[a].partial_cmp(&p[b]).unwrap_or(std::cmp::Ordering::Equal).then(a.cmp(&b)));
            let mut out = vec![None; p.len()];
            let mut running = 1.0f64;
            for (rank, &i) in order.iter().enumerate().rev() {
                let q = p[i].unwrap_or(1.0) * m / (rank as f64 + 1.0);
                running = running.min(q);
                out[i] = Some(running.min(1.0));
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erfc_matches_known_values() {
        for (x, want) in
            [(0.0, 1.0), (0.5, 0.479_500_122), (1.0, 0.157_299_207), (2.0, 0.004_677_735), (-1.0, 1.842_700_793)]
        {
            assert!((erfc(x) - want).abs() < 1e-6, "erfc({x}) = {}", erfc(x));
        }
    }

    #[test]
    fn two_proportion_test() {
        // 30% of 200 against 10% of 800: a clear difference.
        assert!(two_proportion_p(60, 200, 80, 800) < 1e-9);
        // Same share: no difference.
        assert!((two_proportion_p(20, 200, 80, 800) - 1.0).abs() < 1e-9);
        // z = 1.96 gives p = 0.05.
        let p = two_proportion_p(62, 100, 50, 100);
        assert!(p > 0.05 && p < 0.1, "{p}");
        assert_eq!(two_proportion_p(1, 0, 3, 10), 1.0);
    }

    #[test]
    fn corrections() {
        let p = [Some(0.01), Some(0.04), None, Some(0.03)];
        let bonf = adjust(&p, Correction::Bonferroni);
        assert_eq!(bonf[0], Some(0.03));
        assert_eq!(bonf[2], None);
        let bh = adjust(&p, Correction::BenjaminiHochberg);
        // ranks: 0.01 -> 0.03, 0.03 -> 0.04 (min with next), 0.04 -> 0.04
        assert!((bh[0].unwrap() - 0.03).abs() < 1e-12);
        assert!((bh[3].unwrap() - 0.04).abs() < 1e-12);
        assert!((bh[1].unwrap() - 0.04).abs() < 1e-12);
    }
}
