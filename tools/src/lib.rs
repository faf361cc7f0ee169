//! What Confab's tests and benchmarks use besides the load generator:
//! Slack-format exports for the importer ([`slack_export`]).

pub mod slack_export;
