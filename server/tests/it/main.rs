//! Every integration test, in one binary (linking the server once): real server
//! processes on loopback, real PostgreSQL, private real `redis-server`s.

mod common;

mod api;
mod attention;
mod audit;
mod cluster;
mod cluster_access;
mod drafts;
mod drain;
mod email;
mod export;
mod files;
mod files_s3;
mod fuzz_corpus;
mod gateway;
mod hardening;
mod house;
mod http_limits;
mod integrations;
mod later;
mod openapi;
mod people;
mod pins;
mod presence;
mod previews;
mod push;
mod read_state;
mod redis_cluster;
mod redis_outage;
mod review;
mod review_webhooks;
mod room_log;
mod room_roles;
mod rooms_directory;
mod search;
mod search_filters;
mod security;
mod sentinel;
mod slack_webhooks;
mod store;
mod store_read_state;
mod store_search;
mod tls;
mod tokens;
mod user_limits;
