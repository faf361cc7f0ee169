//! CPU time and memory of server processes on this machine, from /proc.

/// CPU seconds (user + system) a process has used so far.
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the command name (which may hold spaces) start after ')'.
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().collect())
        .unwrap_or_default();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of the whole line: 12 and 13 here.
    (ticks(11) + ticks(12)) / clock_ticks()
}

/// Resident memory of a process, in KiB.
pub fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn clock_ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as f64
    } else {
        100.0
    }
}

/// Where the machine's CPU went between two moments: all of it (busy and
/// idle, every core, from /proc/stat) and this process's own share. On a
/// machine the load generator shares with the servers, what it spent itself
/// is CPU the servers could not have.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuShares {
    /// Seconds of every core busy (user, nice, system, irq, softirq, steal).
    pub machine_busy: f64,
    /// Seconds of every core idle (idle and waiting on I/O).
    pub machine_idle: f64,
    /// Seconds this process ran.
    pub own: f64,
}

impl CpuShares {
    pub fn now() -> Self {
        let line = std::fs::read_to_string("/proc/stat").unwrap_or_default();
        let ticks: Vec<f64> = line
            .lines()
            .next()
            .and_then(|cpu| cpu.strip_prefix("cpu "))
            .map(|rest| {
                rest.split_whitespace()
                    .filter_map(|t| t.parse().ok())
                    .collect()
            })
            .unwrap_or_default();
        let at = |i: usize| ticks.get(i).copied().unwrap_or(0.0) / clock_ticks();
        // user nice system idle iowait irq softirq steal (guest time is in user)
        CpuShares {
            machine_busy: at(0) + at(1) + at(2) + at(5) + at(6) + at(7),
            machine_idle: at(3) + at(4),
            own: cpu_seconds(std::process::id()),
        }
    }

    /// What was spent since `before`.
    pub fn since(self, before: CpuShares) -> CpuShares {
        CpuShares {
            machine_busy: self.machine_busy - before.machine_busy,
            machine_idle: self.machine_idle - before.machine_idle,
            own: self.own - before.own,
        }
    }

    /// The idle part of every core's time, in percent.
    pub fn idle_percent(&self) -> f64 {
        let all = self.machine_busy + self.machine_idle;
        if all > 0.0 {
            100.0 * self.machine_idle / all
        } else {
            0.0
        }
    }
}
