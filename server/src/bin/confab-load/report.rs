//! `confab-load report`: the runs' JSON lines as a Markdown report with an SVG
//! chart of deliveries a second against p99 latency.
//!
//! Runs are told apart by label: `sat100` and `sat1000` are the rate steps of
//! the saturation runs (100 and 1,000 clients), `at202k` and `at20k` the fixed
//! rate runs, `connect` the connection run.

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
    /// Every message delivered, once, in order, with p99 ≤ 50 ms.
    fn held(&self) -> bool {
        crate::fanout::held(&self.0, 50.0)
    }
}

pub fn run(args: ReportArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.results)
        .with_context(|| format!("reading {}", args.results.display()))?;
    let runs: Vec<Run> = text
        .lines()
        .filter(|l| l.starts_with('{'))
        .filter_map(|l| serde_json::from_str(l).ok().map(Run))
        .collect();
    let held = |label: &'static str| {
        of(&runs, label)
            .filter(|r| r.held())
            .max_by(|a, b| a.f("delivered_per_s").total_cmp(&b.f("delivered_per_s")))
    };
    let last = |label: &'static str| of(&runs, label).last();

    let mut md = String::new();
    writeln!(md, "# Confab benchmarks\n")?;
    writeln!(
        md,
        "Measured by `make bench` on {} ({}), {}. Two Confab instances (release \
         build) with a private `redis-server` and a fresh PostgreSQL database, \
         clients split round-robin over both instances; `confab-load` runs on the \
         same machine and shares its cores. Every message is stored, sequenced and \
         acknowledged before it is delivered. \"Held\" is the highest rate, stepping \
         ×1.5, at which every message reached every client once and in order with \
         p99 ≤ 50 ms. Latency is from the publisher's send to each client's receipt; \
         server CPU is both instances' user + system time (not Redis's or \
         PostgreSQL's).\n",
        machine(),
        std::env::consts::ARCH,
        time::OffsetDateTime::now_utc().date(),
    )?;
    writeln!(
        md,
        "| scenario | Confab | target | met |\n|---|---|---|---|"
    )?;
    let mut row = |what: &str,
                   value: Option<f64>,
                   shown: &dyn Fn(f64) -> String,
                   target: &str,
                   ok: &dyn Fn(f64) -> bool| {
        let (value, met) = match value {
            Some(v) => (shown(v), if ok(v) { "yes" } else { "no" }),
            None => ("not run".into(), "–"),
        };
        writeln!(md, "| {what} | {value} | {target} | {met} |").ok();
    };
    let per_s = |v: f64| format!("{}/s", thousands(v));
    let ms = |v: f64| format!("{v:.1} ms");
    row(
        "100 clients in a room: deliveries/s held at p99 ≤ 50 ms, 0 loss",
        held("sat100").map(|r| r.f("delivered_per_s")),
        &per_s,
        "≥ 1,000,000",
        &|v| v >= 1_000_000.0,
    );
    row(
        "100 clients at 202,000 deliveries/s: p99",
        last("at202k").map(|r| r.f("p99_ms")),
        &ms,
        "≤ 5 ms",
        &|v| v <= 5.0,
    );
    row(
        "100 clients at 202,000 deliveries/s: server CPU per delivery",
        last("at202k").map(|r| r.f("cpu_us_per_delivery")),
        &|v| format!("{v:.2} µs"),
        "≤ 3.5 µs",
        &|v| v <= 3.5,
    );
    row(
        "1,000 clients in a room: deliveries/s held at p99 ≤ 50 ms",
        held("sat1000").map(|r| r.f("delivered_per_s")),
        &per_s,
        "≥ 300,000",
        &|v| v >= 300_000.0,
    );
    row(
        "1,000 clients at 20,000 deliveries/s: p99",
        last("at20k").map(|r| r.f("p99_ms")),
        &ms,
        "≤ 35 ms",
        &|v| v <= 35.0,
    );
    row(
        "idle authenticated connection: server RSS",
        last("connect").map(|r| r.f("kib_per_connection")),
        &|v| format!("{v:.1} KiB"),
        "≤ 8 KiB",
        &|v| v <= 8.0,
    );
    row(
        "connects/s to one instance, with token check",
        last("connect").map(|r| r.f("connects_per_s")),
        &per_s,
        "≥ 8,000",
        &|v| v >= 8_000.0,
    );
    let chart_name = args
        .chart
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    writeln!(
        md,
        "\n![deliveries a second against p99 latency]({chart_name})\n"
    )?;

    writeln!(md, "## Every run\n")?;
    writeln!(
        md,
        "| run | clients | offered msgs/s | delivered/s | lost | dup | gaps | p50 | p99 | max | CPU µs/delivery |\n|---|---|---|---|---|---|---|---|---|---|---|"
    )?;
    for r in runs.iter().filter(|r| r.0["mode"] == "fanout") {
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
            r.f("cpu_us_per_delivery"),
        )?;
    }
    for r in runs.iter().filter(|r| r.0["mode"] == "connect") {
        writeln!(
            md,
            "\nConnect run: {} of {} connections in {:.2} s ({}/s), {} alive after the hold, {:.1} KiB of server RSS each.",
            r.f("connected"),
            r.f("clients"),
            r.f("connect_s"),
            thousands(r.f("connects_per_s")),
            r.f("alive_after_hold"),
            r.f("kib_per_connection"),
        )?;
    }
    if let Some(peers) = &args.peers {
        let text = std::fs::read_to_string(peers)
            .with_context(|| format!("reading {}", peers.display()))?;
        writeln!(md, "\n{}", text.trim())?;
    }
    std::fs::write(&args.out, md)?;
    let series = [
        ("100 clients", of(&runs, "sat100").collect()),
        ("1,000 clients", of(&runs, "sat1000").collect()),
    ];
    std::fs::write(&args.chart, chart(&series))?;
    eprintln!("wrote {} and {}", args.out.display(), args.chart.display());
    Ok(())
}

/// The runs with this label, in the order they ran.
fn of<'a>(runs: &'a [Run], label: &'a str) -> impl Iterator<Item = &'a Run> {
    runs.iter().filter(move |r| r.label() == label)
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
fn chart(series: &[(&str, Vec<&Run>)]) -> String {
    let (w, h, left, bottom, top, right) = (720.0, 420.0, 70.0, 50.0, 30.0, 20.0);
    let x_min = 3.0_f64; // 10^3
    let x_max = 7.0_f64; // 10^7
    let y_max = series
        .iter()
        .flat_map(|(_, runs)| runs.iter().map(|r| r.f("p99_ms")))
        .fold(60.0_f64, f64::max)
        .min(500.0);
    let x = |v: f64| {
        left + (v.max(1.0).log10().clamp(x_min, x_max) - x_min) / (x_max - x_min)
            * (w - left - right)
    };
    let y = |v: f64| h - bottom - v.min(y_max) / y_max * (h - bottom - top);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{}" y="18" text-anchor="middle" font-size="14">Confab: deliveries a second against p99 latency</text>
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
        let color = ["#1f6feb", "#d97706"][i % 2];
        let points: Vec<String> = runs
            .iter()
            .map(|r| format!("{:.1},{:.1}", x(r.f("delivered_per_s")), y(r.f("p99_ms"))))
            .collect();
        let _ = writeln!(
            svg,
            r#"<polyline fill="none" stroke="{color}" stroke-width="2" points="{}"/>"#,
            points.join(" ")
        );
        for p in &points {
            let (px, py) = p.split_once(',').unwrap_or(("0", "0"));
            let _ = writeln!(svg, r#"<circle cx="{px}" cy="{py}" r="3" fill="{color}"/>"#);
        }
        let ly = top + 16.0 + 18.0 * i as f64;
        let _ = writeln!(
            svg,
            r#"<line x1="{}" y1="{ly}" x2="{}" y2="{ly}" stroke="{color}" stroke-width="2"/><text x="{}" y="{}">{name}</text>"#,
            left + 12.0,
            left + 36.0,
            left + 42.0,
            ly + 4.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}
