//! The report's SVG chart: deliveries a second (log scale) against p99 latency,
//! one line per series of rate steps.

use std::fmt::Write as _;

use crate::runs::thousands;

/// Deliveries a second (log scale) against p99 (ms), one line per series.
pub fn svg(series: &[(String, Vec<(f64, f64)>)]) -> String {
    const COLORS: [&str; 8] = [
        "#1f6feb", "#d97706", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d",
    ];
    let (w, h, left, bottom, top, right) = (760.0, 460.0, 70.0, 50.0, 30.0, 40.0);
    let (x_min, x_max) = (3.0_f64, 7.0_f64); // 10^3 … 10^7
    let y_max = series
        .iter()
        .flat_map(|(_, points)| points.iter().map(|&(_, p99)| p99))
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
    // One color per server (the name before ", N clients"), dashes for 1,000.
    let mut servers: Vec<&str> = Vec::new();
    for (i, (name, steps)) in series.iter().enumerate() {
        let server = name
            .rsplit_once(", ")
            .map_or(name.as_str(), |(server, _)| server);
        let index = servers
            .iter()
            .position(|s| *s == server)
            .unwrap_or_else(|| {
                servers.push(server);
                servers.len() - 1
            });
        let color = COLORS[index % COLORS.len()];
        let dash = if name.contains("1,000") {
            r#" stroke-dasharray="6 3""#
        } else {
            ""
        };
        let points: Vec<(f64, f64)> = steps
            .iter()
            .map(|&(per_s, p99)| (x(per_s), y(p99)))
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
