//! `confab-load report`: the runs' JSON lines as a Markdown report with an SVG
//! chart of deliveries a second against p99 latency.
//!
//! Confab's runs are told apart by label: `sat100` and `sat1000` are the rate
//! steps of the saturation runs (100 and 1,000 clients), `at202k` and `at20k`
//! the fixed-rate runs, `connect` the connection run. Runs of other servers,
//! measured in the same session by another load generator, can be put beside
//! them (`--peers`): JSON lines whose label is `<server>:<scenario>`, with the
//! same scenario names (`conns` for `connect`).

use std::fmt::Write as _;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::args::ReportArgs;

/// A run's JSON line.
struct Run(Value);

impl Run {
    fn f(&self, key: &str) -> f64 {
        self.0[key].as_f64().unwrap_or(0.0)
    }
    fn label(&self) -> &str {
        self.0["label"].as_str().unwrap_or("")
    }
    /// Confab's runs: every message delivered, once, in order, p99 ≤ 50 ms.
    /// Other load generators check neither order nor duplicates: for them, at
    /// most 0.1 % lost and p99 ≤ 50 ms.
    fn held(&self) -> bool {
        if self.0.get("gaps").is_some() {
            crate::fanout::held(&self.0, 50.0)
        } else {
            self.f("p99_ms") <= 50.0 && self.f("lost_pct") <= 0.1
        }
    }
    fn cpu_us_per_delivery(&self) -> f64 {
        if let Some(v) = self.0["cpu_us_per_delivery"].as_f64() {
            return v;
        }
        let cpu: f64 = self.0["server_cpu_s"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).sum())
            .unwrap_or(0.0);
        let delivered = self.f("delivered");
        if delivered > 0.0 {
            cpu * 1e6 / delivered
        } else {
            0.0
        }
    }
    fn kib_per_connection(&self) -> f64 {
        self.0["kib_per_connection"]
            .as_f64()
            .or_else(|| self.0["kib_per_conn"].as_f64())
            .unwrap_or(0.0)
    }
}

/// One column of the comparison: whose runs, under which label prefix.
struct Source<'a> {
    name: &'a str,
    runs: Vec<&'a Run>,
}

impl Source<'_> {
    fn scenario(&self, scenario: &str) -> impl Iterator<Item = &&Run> {
        let scenario = scenario.to_string();
        self.runs.iter().filter(move |r| {
            let label = r.label();
            label == scenario || label.rsplit(':').next() == Some(scenario.as_str())
        })
    }

    fn held(&self, scenario: &str) -> Cell {
        let mut runs = self.scenario(scenario).peekable();
        if runs.peek().is_none() {
            return Cell::NotRun;
        }
        match runs
            .filter(|r| r.held())
            .map(|r| r.f("delivered_per_s"))
            .fold(None, |best: Option<f64>, v| {
                Some(best.map_or(v, |b| b.max(v)))
            }) {
            Some(v) => Cell::Value(v),
            None => Cell::NoneHeld,
        }
    }

    fn last(&self, scenario: &str, value: impl Fn(&Run) -> f64) -> Cell {
        self.scenario(scenario)
            .last()
            .map_or(Cell::NotRun, |r| Cell::Value(value(r)))
    }
}

/// A row of the comparison: what it measures, how to read it from a source's
/// runs, how to show it, Confab's target, and whether a value meets it.
struct Row<'a>(
    &'a str,
    Box<dyn Fn(&Source) -> Cell + 'a>,
    &'a dyn Fn(f64) -> String,
    &'a str,
    fn(f64) -> bool,
);

enum Cell {
    Value(f64),
    NoneHeld,
    NotRun,
}

impl Cell {
    fn show(&self, format: &dyn Fn(f64) -> String) -> String {
        match self {
            Cell::Value(v) => format(*v),
            Cell::NoneHeld => "none held".into(),
            Cell::NotRun => "–".into(),
        }
    }
}

pub fn run(args: ReportArgs) -> Result<()> {
    let ours = read_runs(&args.results)?;
    let peers = match &args.peers {
        Some(path) => read_runs(path)?,
        None => Vec::new(),
    };
    let mut columns: Vec<Source> = Vec::new();
    for name in ["seed", "socketio", "limit", "confab-lg"] {
        let runs: Vec<&Run> = peers
            .iter()
            .filter(|r| r.label().starts_with(&format!("{name}:")))
            .collect();
        if !runs.is_empty() {
            columns.push(Source { name, runs });
        }
    }
    columns.push(Source {
        name: "confab",
        runs: ours.iter().collect(),
    });
    let title = |name: &str| match name {
        "seed" => "seed (FastAPI)",
        "socketio" => "Socket.IO + Redis",
        "limit" => "limit (bare Rust)",
        "confab-lg" => "Confab, peers' load generator",
        _ => "**Confab**",
    };

    let mut md = String::new();
    writeln!(md, "# Confab benchmarks\n")?;
    writeln!(
        md,
        "Measured by `make bench` on {} ({}), {}. Two Confab instances (release \
         build) with a private `redis-server` and a fresh PostgreSQL database, \
         clients split round-robin over both instances; the load generator runs on \
         the same machine and shares its cores. Every message Confab delivers is \
         stored, sequenced and acknowledged first. \"Held\" is the highest rate, \
         stepping ×1.5, at which every message reached every client once and in \
         order (other load generators: at most 0.1 % lost) with p99 ≤ 50 ms. \
         Latency is from the publisher's send to each client's receipt; server CPU \
         is the servers' own user + system time (not Redis's or PostgreSQL's), per \
         delivery.\n",
        machine(),
        std::env::consts::ARCH,
        time::OffsetDateTime::now_utc().date(),
    )?;
    let header: Vec<&str> = columns.iter().map(|c| title(c.name)).collect();
    writeln!(
        md,
        "| scenario | {} | Confab target | met |\n|---|{}---|---|",
        header.join(" | "),
        "---|".repeat(columns.len())
    )?;
    let per_s = |v: f64| format!("{}/s", thousands(v));
    let ms = |v: f64| format!("{v:.1} ms");
    let us = |v: f64| format!("{v:.2} µs");
    let kib = |v: f64| format!("{v:.1} KiB");
    let rows: Vec<Row> = vec![
        Row(
            "100 clients in a room: deliveries/s held at p99 ≤ 50 ms, 0 loss",
            Box::new(|s: &Source| s.held("sat100")),
            &per_s,
            "≥ 1,000,000",
            |v| v >= 1_000_000.0,
        ),
        Row(
            "100 clients at 202,000 deliveries/s: p99",
            Box::new(|s: &Source| s.last("at202k", |r| r.f("p99_ms"))),
            &ms,
            "≤ 5 ms",
            |v| v <= 5.0,
        ),
        Row(
            "100 clients at 202,000 deliveries/s: server CPU per delivery",
            Box::new(|s: &Source| s.last("at202k", Run::cpu_us_per_delivery)),
            &us,
            "≤ 3.5 µs",
            |v| v <= 3.5,
        ),
        Row(
            "1,000 clients in a room: deliveries/s held at p99 ≤ 50 ms",
            Box::new(|s: &Source| s.held("sat1000")),
            &per_s,
            "≥ 300,000",
            |v| v >= 300_000.0,
        ),
        Row(
            "1,000 clients at 20,000 deliveries/s: p99",
            Box::new(|s: &Source| s.last("at20k", |r| r.f("p99_ms"))),
            &ms,
            "≤ 35 ms",
            |v| v <= 35.0,
        ),
        Row(
            "idle authenticated connection: server RSS",
            Box::new(|s: &Source| {
                let cell = s.last("connect", Run::kib_per_connection);
                match cell {
                    Cell::NotRun => s.last("conns", Run::kib_per_connection),
                    other => other,
                }
            }),
            &kib,
            "≤ 8 KiB",
            |v| v <= 8.0,
        ),
        Row(
            "connects/s to one instance, with token check",
            Box::new(|s: &Source| {
                let cell = s.last("connect", |r| r.f("connects_per_s"));
                match cell {
                    Cell::NotRun => s.last("conns", |r| r.f("connects_per_s")),
                    other => other,
                }
            }),
            &per_s,
            "≥ 8,000",
            |v| v >= 8_000.0,
        ),
    ];
    for Row(what, pick, format, target, ok) in &rows {
        let cells: Vec<String> = columns.iter().map(|c| pick(c).show(format)).collect();
        let met = match pick(columns.last().expect("confab's column")) {
            Cell::Value(v) if ok(v) => "yes",
            Cell::NotRun => "–",
            _ => "no",
        };
        writeln!(md, "| {what} | {} | {target} | {met} |", cells.join(" | "))?;
    }
    let chart_name = args
        .chart
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    writeln!(
        md,
        "\n![deliveries a second against p99 latency]({chart_name})\n"
    )?;

    writeln!(md, "## Confab's runs\n")?;
    writeln!(
        md,
        "| run | clients | offered msgs/s | delivered/s | lost | dup | gaps | p50 | p99 | max | CPU µs/delivery |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )?;
    for r in ours.iter().filter(|r| r.0["mode"] == "fanout") {
        writeln!(
            md,
            "| {} | {} | {} | {} | {:.3} % | {} | {} | {:.1} ms | {:.1} ms | {:.1} ms | {:.2} |",
            r.label(),
            r.f("clients"),
            thousands(r.f("rate")),
            thousands(r.f("delivered_per_s")),
            r.f("lost_pct"),
            r.f("duplicates"),
            r.f("gaps"),
            r.f("p50_ms"),
            r.f("p99_ms"),
            r.f("max_ms"),
            r.cpu_us_per_delivery(),
        )?;
    }
    for r in ours.iter().filter(|r| r.0["mode"] == "connect") {
        writeln!(
            md,
            "\nConnect run: {} of {} connections in {:.2} s ({}/s), {} alive after the hold, {:.1} KiB of server RSS each.",
            r.f("connected"),
            r.f("clients"),
            r.f("connect_s"),
            thousands(r.f("connects_per_s")),
            r.f("alive_after_hold"),
            r.kib_per_connection(),
        )?;
    }
    if let Some(notes) = &args.notes {
        let text = std::fs::read_to_string(notes)
            .with_context(|| format!("reading {}", notes.display()))?;
        writeln!(md, "\n{}", text.trim())?;
    }
    std::fs::write(&args.out, md)?;
    let series: Vec<(String, Vec<&Run>)> = columns
        .iter()
        .flat_map(|c| {
            [("sat100", "100"), ("sat1000", "1,000")].map(|(scenario, clients)| {
                (
                    format!("{}, {clients} clients", title(c.name).trim_matches('*')),
                    c.scenario(scenario).copied().collect::<Vec<_>>(),
                )
            })
        })
        .filter(|(_, runs)| !runs.is_empty())
        .collect();
    std::fs::write(&args.chart, chart(&series))?;
    eprintln!("wrote {} and {}", args.out.display(), args.chart.display());
    Ok(())
}

fn read_runs(path: &std::path::Path) -> Result<Vec<Run>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok().map(Run))
        .collect())
}

/// 1234567 → "1,234,567".
fn thousands(v: f64) -> String {
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
fn machine() -> String {
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

/// Deliveries a second (log scale) against p99 (ms), one line per series.
fn chart(series: &[(String, Vec<&Run>)]) -> String {
    const COLORS: [&str; 8] = [
        "#1f6feb", "#d97706", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
    ];
    let (w, h, left, bottom, top, right) = (760.0, 460.0, 70.0, 50.0, 30.0, 20.0);
    let (x_min, x_max) = (3.0_f64, 7.0_f64); // 10^3 … 10^7
    let y_max = series
        .iter()
        .flat_map(|(_, runs)| runs.iter().map(|r| r.f("p99_ms")))
        .fold(60.0_f64, f64::max)
        .min(300.0);
    let x = |v: f64| {
        left + (v.max(1.0).log10().clamp(x_min, x_max) - x_min) / (x_max - x_min)
            * (w - left - right)
    };
    let y = |v: f64| h - bottom - v.min(y_max) / y_max * (h - bottom - top);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="18" text-anchor="middle" font-size="14">Deliveries a second against p99 latency (rate steps ×1.5)</text>
"#,
        w / 2.0
    );
    for exp in 3..=7 {
        let px = x(10f64.powi(exp));
        let _ = writeln!(
            svg,
            r##"<line x1="{px}" y1="{top}" x2="{px}" y2="{}" stroke="#ddd"/><text x="{px}" y="{}" text-anchor="middle">{}</text>"##,
            h - bottom,
            h - bottom + 16.0,
            thousands(10f64.powi(exp))
        );
    }
    let step = if y_max > 100.0 { 50.0 } else { 10.0 };
    let mut v = 0.0;
    while v <= y_max {
        let py = y(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" y1="{py}" x2="{}" y2="{py}" stroke="#eee"/><text x="{}" y="{}" text-anchor="end">{v:.0}</text>"##,
            w - right,
            left - 6.0,
            py + 4.0
        );
        v += step;
    }
    let limit = y(50.0);
    let _ = writeln!(
        svg,
        r##"<line x1="{left}" y1="{limit}" x2="{}" y2="{limit}" stroke="#c00" stroke-dasharray="4 3"/><text x="{}" y="{}" fill="#c00" text-anchor="end">p99 = 50 ms</text>"##,
        w - right,
        w - right - 4.0,
        limit - 4.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="{}" text-anchor="middle">deliveries a second (log scale)</text><text x="16" y="{}" text-anchor="middle" transform="rotate(-90 16 {})">p99 latency, ms</text>"#,
        (left + w - right) / 2.0,
        h - 10.0,
        (top + h - bottom) / 2.0,
        (top + h - bottom) / 2.0
    );
    for (i, (name, runs)) in series.iter().enumerate() {
        let color = COLORS[i % COLORS.len()];
        let dash = if name.contains("1,000") {
            r#" stroke-dasharray="6 3""#
        } else {
            ""
        };
        let points: Vec<(f64, f64)> = runs
            .iter()
            .map(|r| (x(r.f("delivered_per_s")), y(r.f("p99_ms"))))
            .collect();
        let path: Vec<String> = points
            .iter()
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{}"/>"#,
            path.join(" ")
        );
        for (px, py) in &points {
            let _ = writeln!(
                svg,
                r#"<circle cx="{px:.1}" cy="{py:.1}" r="3" fill="{color}"/>"#
            );
        }
        let ly = top + 16.0 + 16.0 * i as f64;
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2"{dash}/><text x="{}" y="{}">{name}</text>"#,
            left + 12.0,
            left + 36.0,
            left + 42.0,
            ly + 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}
