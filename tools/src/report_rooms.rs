//! The report's part on every room at once: the `sidebar` and `activity` runs.

use std::fmt::Write as _;

use anyhow::Result;

use crate::runs::{thousands, Run};

/// The `sidebar` and `activity` runs: every room at once.
pub fn every_room(md: &mut String, ours: &[Run]) -> Result<()> {
    let sidebars: Vec<_> = ours.iter().filter(|r| r.0["mode"] == "sidebar").collect();
    if !sidebars.is_empty() {
        writeln!(
            md,
            "
A user in many rooms connects (socket open and `GET /api/rooms` with every room's counts):

| rooms | instances | p50 | p99 | `GET /api/rooms` p50 · p99 | server CPU each |
|---|---|---|---|---|---|"
        )?;
        for r in sidebars {
            writeln!(
                md,
                "| {} | {} | {:.1} ms | {:.1} ms | {:.1} · {:.1} ms | {:.2} ms |",
                r.f("rooms"),
                r.f("instances"),
                r.f("p50_ms"),
                r.f("p99_ms"),
                r.f("rooms_get_p50_ms"),
                r.f("rooms_get_p99_ms"),
                r.f("cpu_ms_per_sidebar"),
            )?;
        }
    }
    for r in ours.iter().filter(|r| r.0["mode"] == "activity") {
        writeln!(
            md,
            "
Activity: {} users in {} shared rooms, {} messages a second: {} of {} `activity` frames ({}/s, {:.3} % lost), {:.2} µs of server CPU each.",
            thousands(r.f("users")),
            r.f("rooms"),
            r.f("rate"),
            thousands(r.f("activity_received")),
            thousands(r.f("activity_expected")),
            thousands(r.f("activity_per_s")),
            r.f("lost_pct"),
            r.f("cpu_us_per_activity"),
        )?;
    }
    Ok(())
}
