//! The runs a report reads: one JSON line each (`confab-load` writes them, and
//! other servers' load generators in the same shape), with what the report
//! derives from them, and the machine they ran on.

use anyhow::{Context, Result};
use serde_json::Value;

/// A run's JSON line.
pub(crate) struct Run(pub(crate) Value);

impl Run {
    pub(crate) fn f(&self, key: &str) -> f64 {
        self.0[key].as_f64().unwrap_or(0.0)
    }
    pub(crate) fn label(&self) -> &str {
        self.0["label"].as_str().unwrap_or("")
    }
    /// Confab's runs: every message delivered, once, in order, p99 ≤ 50 ms.
    /// Other load generators check neither order nor duplicates: for them, at
    /// most 0.1 % lost and p99 ≤ 50 ms.
    pub(crate) fn held(&self) -> bool {
        if self.0.get("gaps").is_some() {
            crate::fanout::held(&self.0, 50.0)
        } else {
            self.f("p99_ms") <= 50.0 && self.f("lost_pct") <= 0.1
        }
    }
    pub(crate) fn cpu_us_per_delivery(&self) -> f64 {
        if let Some(v) = self.0["cpu_us_per_delivery"].as_f64() {
            return v;
        }
        let times: Vec<f64> = self.0["server_cpu_s"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        // A server that exited during the run reads as an absurd figure (the
        // other load generator subtracts from zero): not a cost to report.
        if times.iter().any(|&t| t > 1e9) {
            return f64::NAN;
        }
        let cpu: f64 = times.iter().sum();
        let delivered = self.f("delivered");
        if delivered > 0.0 {
            cpu * 1e6 / delivered
        } else {
            0.0
        }
    }
    pub(crate) fn kib_per_connection(&self) -> f64 {
        self.0["kib_per_connection"]
            .as_f64()
            .or_else(|| self.0["kib_per_conn"].as_f64())
            .unwrap_or(0.0)
    }
}

pub(crate) fn read_runs(path: &std::path::Path) -> Result<Vec<Run>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok().map(Run))
        .collect())
}

/// 1234567 → "1,234,567".
pub fn thousands(v: f64) -> String {
    let digits = format!("{:.0}", v.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The CPU model and core count, from /proc/cpuinfo.
pub(crate) fn machine() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = info
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("an unknown CPU");
    let cores = info.lines().filter(|l| l.starts_with("processor")).count();
    format!("{cores} × {model}")
}
