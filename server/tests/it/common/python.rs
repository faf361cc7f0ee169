//! A helper server in Python (`tests/support/`), for a protocol peer
//! written with libraries independent of the server's: started in the
//! venv `make deps` fills (`$CONFAB_VENV`), it prints its ports on its
//! first line, and ends when the test drops it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub struct PythonHelper {
    child: Child,
    /// What it printed first: its ports.
    pub ports: Vec<u16>,
}

impl PythonHelper {
    /// Starts `tests/support/<script>`.
    pub fn start(script: &str) -> PythonHelper {
        let venv = std::env::var("CONFAB_VENV")
            .unwrap_or_else(|_| format!("{}/.cache/confab/venv", std::env::var("HOME").unwrap()));
        let path = format!("{}/tests/support/{script}", env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new(format!("{venv}/bin/python"))
            .arg(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{script} starts (make deps installs its packages): {e}"));
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let ports = line
            .split_whitespace()
            .map(|p| p.parse().expect("a port"))
            .collect();
        PythonHelper { child, ports }
    }
}

impl Drop for PythonHelper {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
