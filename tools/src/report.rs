//! `confab-load report`: the runs' JSON lines as a Markdown report with an SVG
//! chart of deliveries a second against p99 latency.
//!
//! Confab's runs are told apart by label: `sat100` and `sat1000` are the rate
//! steps of the saturation runs (100 and 1,000 clients), `at202k` and `at20k`
//! the fixed-rate runs, `connect` the connection run, `join<N>` the joins into
//! rooms of N online, `sqlite-full`/`sqlite-normal` the embedded store's rate
//! steps with and without a sync per commit. Runs of other servers,
//! measured in the same session by another load generator, can be put beside
//! them (`--peers`): JSON lines whose label is `<server>:<scenario>`, with the
//! same scenario names (`conns` for `connect`).

use std::fmt::Write as _;

use anyhow::{Context, Result};

use crate::args::ReportArgs;
use crate::runs::{machine, read_runs, thousands, Run};

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
/// runs, how to show it, Confab's target, and what `limit` measured when the
/// target was set (the targets are ratios to it; `None` where they are not).
struct Row<'a> {
    what: &'a str,
    pick: Box<dyn Fn(&Source) -> Cell + 'a>,
    format: &'a dyn Fn(f64) -> String,
    target: f64,
    higher_is_better: bool,
    limit_then: Option<f64>,
}

impl Row<'_> {
    fn meets(&self, value: f64, target: f64) -> bool {
        if self.higher_is_better {
            value >= target
        } else {
            value <= target
        }
    }

    /// The target moved by as much as `limit` moved since it was set: this
    /// machine's speed today, the same ratio to the ceiling.
    fn scaled_target(&self, limit_now: &Cell) -> Option<f64> {
        match (self.limit_then, limit_now) {
            (Some(then), Cell::Value(now)) if then > 0.0 => Some(self.target * now / then),
            _ => None,
        }
    }
}

enum Cell {
    Value(f64),
    NoneHeld,
    NotRun,
}

impl Cell {
    fn show(&self, format: &dyn Fn(f64) -> String) -> String {
        match self {
            Cell::Value(v) if v.is_nan() => "a server exited".into(),
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
         delivery. The targets are ratios to the machine's ceiling, `limit` (a bare \
         Rust fan-out), as it measured when they were set (2.5 M/s, 3 ms, 2.8 µs, \
         755,000/s, 24 ms, 10,700/s); the last column moves each target by as much \
         as `limit` moved on this machine today.\n",
        machine(),
        std::env::consts::ARCH,
        time::OffsetDateTime::now_utc().date(),
    )?;
    let header: Vec<&str> = columns.iter().map(|c| title(c.name)).collect();
    writeln!(
        md,
        "| scenario | {} | Confab target | met | target scaled by limit today (met) |\n|---|{}---|---|---|",
        header.join(" | "),
        "---|".repeat(columns.len())
    )?;
    let per_s = |v: f64| format!("{}/s", thousands(v));
    let ms = |v: f64| format!("{v:.1} ms");
    let us = |v: f64| format!("{v:.2} µs");
    let kib = |v: f64| format!("{v:.1} KiB");
    let connects = |s: &Source| match s.last("connect", |r| r.f("connects_per_s")) {
        Cell::NotRun => s.last("conns", |r| r.f("connects_per_s")),
        other => other,
    };
    let rss = |s: &Source| match s.last("connect", Run::kib_per_connection) {
        Cell::NotRun => s.last("conns", Run::kib_per_connection),
        other => other,
    };
    let row = |what, pick: Box<dyn Fn(&Source) -> Cell>, format, target, higher, then| Row {
        what,
        pick,
        format,
        target,
        higher_is_better: higher,
        limit_then: then,
    };
    let rows: Vec<Row> = vec![
        row(
            "100 clients in a room: deliveries/s held at p99 ≤ 50 ms, 0 loss",
            Box::new(|s: &Source| s.held("sat100")),
            &per_s,
            1_000_000.0,
            true,
            Some(2_500_000.0),
        ),
        row(
            "100 clients at 202,000 deliveries/s: p99",
            Box::new(|s: &Source| s.last("at202k", |r| r.f("p99_ms"))),
            &ms,
            5.0,
            false,
            Some(3.0),
        ),
        row(
            "100 clients at 202,000 deliveries/s: server CPU per delivery",
            Box::new(|s: &Source| s.last("at202k", Run::cpu_us_per_delivery)),
            &us,
            3.5,
            false,
            Some(2.8),
        ),
        row(
            "1,000 clients in a room: deliveries/s held at p99 ≤ 50 ms",
            Box::new(|s: &Source| s.held("sat1000")),
            &per_s,
            300_000.0,
            true,
            Some(755_000.0),
        ),
        row(
            "1,000 clients at 20,000 deliveries/s: p99",
            Box::new(|s: &Source| s.last("at20k", |r| r.f("p99_ms"))),
            &ms,
            35.0,
            false,
            Some(24.0),
        ),
        // The same with a link to preview in every tenth message: the
        // previews are fetched off the send path, so the same target.
        row(
            "the same, a link in every tenth message: p99",
            Box::new(|s: &Source| s.last("at20k-links", |r| r.f("p99_ms"))),
            &ms,
            35.0,
            false,
            None,
        ),
        // limit keeps default socket buffers: no ratio to it.
        row(
            "idle authenticated connection: server RSS",
            Box::new(rss),
            &kib,
            8.0,
            false,
            None,
        ),
        row(
            "connects/s to one instance, with token check",
            Box::new(connects),
            &per_s,
            8_000.0,
            true,
            Some(10_700.0),
        ),
    ];
    let limit = columns.iter().find(|c| c.name == "limit");
    for row in &rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| (row.pick)(c).show(row.format))
            .collect();
        let ours = (row.pick)(columns.last().expect("confab's column"));
        let sign = if row.higher_is_better { "≥" } else { "≤" };
        let target = format!("{sign} {}", (row.format)(row.target));
        let met = |target: f64| match ours {
            Cell::Value(v) if row.meets(v, target) => "yes",
            Cell::NotRun => "–",
            _ => "no",
        };
        let scaled = limit
            .map(|l| (row.pick)(l))
            .and_then(|now| row.scaled_target(&now));
        let scaled_cell = scaled.map_or("–".to_string(), |t| {
            format!("{sign} {} ({})", (row.format)(t), met(t))
        });
        writeln!(
            md,
            "| {} | {} | {target} | {} | {scaled_cell} |",
            row.what,
            cells.join(" | "),
            met(row.target),
        )?;
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
    // The Redis topology runs have a table of their own (report_redis).
    let topology = |r: &&Run| r.label().starts_with("redis");
    for r in ours
        .iter()
        .filter(|r| r.0["mode"] == "fanout" && !topology(r))
    {
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
    let joins: Vec<_> = ours
        .iter()
        .filter(|r| r.0["mode"] == "connect" && r.0["join_p50_ms"].is_number())
        .collect();
    if !joins.is_empty() {
        writeln!(
            md,
            "\nJoining a room by how many are online in it (a fresh connection; `join` sent → online list received):\n\n| online | p50 | p99 |\n|---|---|---|"
        )?;
        for r in joins {
            writeln!(
                md,
                "| {} | {:.1} ms | {:.1} ms |",
                thousands(r.f("join_online")),
                r.f("join_p50_ms"),
                r.f("join_p99_ms"),
            )?;
        }
    }
    crate::report_rooms::every_room(&mut md, &ours)?;
    crate::report_redis::redis(&mut md, &ours)?;
    if let Some(notes) = &args.notes {
        let text = std::fs::read_to_string(notes)
            .with_context(|| format!("reading {}", notes.display()))?;
        writeln!(md, "\n{}", text.trim())?;
    }
    std::fs::write(&args.out, md)?;
    let series: Vec<(String, Vec<(f64, f64)>)> = columns
        .iter()
        .flat_map(|c| {
            [("sat100", "100"), ("sat1000", "1,000")].map(|(scenario, clients)| {
                (
                    format!("{}, {clients} clients", title(c.name).trim_matches('*')),
                    c.scenario(scenario)
                        .map(|r| (r.f("delivered_per_s"), r.f("p99_ms")))
                        .collect::<Vec<_>>(),
                )
            })
        })
        .filter(|(_, runs)| !runs.is_empty())
        .collect();
    std::fs::write(&args.chart, crate::chart::svg(&series))?;
    eprintln!("wrote {} and {}", args.out.display(), args.chart.display());
    Ok(())
}
