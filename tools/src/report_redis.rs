//! The report's part on Redis: the same fan-out on each Redis topology, and
//! the restart storm with and without a drain window.

use std::fmt::Write as _;

use anyhow::Result;

use crate::runs::{thousands, Run};

/// The `redis-*` / `redis20k-*` fan-out runs and the `storm` runs.
pub fn redis(md: &mut String, ours: &[Run]) -> Result<()> {
    let topologies = ["single", "sentinel", "cluster"];
    let labelled = |label: String| move |r: &&Run| r.0["label"].as_str() == Some(label.as_str());
    if ours.iter().any(|r| {
        r.0["label"]
            .as_str()
            .is_some_and(|l| l.starts_with("redis-"))
    }) {
        writeln!(
            md,
            "
The same fan-out on each Redis topology (one server; Sentinel: master, replica and three \
sentinels; Cluster: three masters and three replicas, room channels sharded), 10 publishers \
into one room, clients split over both instances:

| Redis | 100 clients: held deliveries/s | p99 there | 1,000 clients at 20,000/s: delivered/s | p99 | lost |
|---|---|---|---|---|---|"
        )?;
        for topology in topologies {
            let steps: Vec<&Run> = ours
                .iter()
                .filter(labelled(format!("redis-{topology}")))
                .collect();
            let best = steps
                .iter()
                .filter(|r| crate::fanout::held(&r.0, 50.0))
                .max_by(|a, b| a.f("delivered_per_s").total_cmp(&b.f("delivered_per_s")));
            let steady = ours.iter().find(labelled(format!("redis20k-{topology}")));
            writeln!(
                md,
                "| {topology} | {} | {} | {} | {} | {} |",
                best.map_or("none held".into(), |r| thousands(r.f("delivered_per_s"))),
                best.map_or("–".into(), |r| format!("{:.1} ms", r.f("p99_ms"))),
                steady.map_or("–".into(), |r| thousands(r.f("delivered_per_s"))),
                steady.map_or("–".into(), |r| format!("{:.1} ms", r.f("p99_ms"))),
                steady.map_or("–".into(), |r| format!("{:.3} %", r.f("lost_pct"))),
            )?;
        }
    }
    let storms: Vec<&Run> = ours.iter().filter(|r| r.0["mode"] == "storm").collect();
    if !storms.is_empty() {
        writeln!(
            md,
            "
Restart storm: clients joined to one room on instance A, a publisher on B sending 20 messages \
a second; A gets SIGTERM and every client rejoins on B with `since`. \"All back\" is from the \
signal until the last client has caught up to the room's `seq` at its rejoin; \"without the \
room\" is each client's own time from its socket closing to caught up:

| run | clients | back | all back | without the room p50 · p99 | most reconnects/s | lost | doubled |
|---|---|---|---|---|---|---|---|"
        )?;
        for r in storms {
            writeln!(
                md,
                "| {} | {} | {} | {:.2} s | {:.0} · {:.0} ms | {} | {} | {} |",
                r.0["label"].as_str().unwrap_or(""),
                thousands(r.f("clients")),
                thousands(r.f("back")),
                r.f("all_back_s"),
                r.f("gap_p50_ms"),
                r.f("gap_p99_ms"),
                thousands(r.f("peak_reconnects_per_s")),
                r.f("lost"),
                r.f("duplicates"),
            )?;
        }
    }
    Ok(())
}
